"""Output formats: pain.008 XML, its XSD check, and the journal CSV.

Each writer formats whole columns with polars and streams them, so a file with a million
rows never exists as one string: `pain008` (the collection file), `xsd` (the official
schemas and streaming validation), `journal` (bookings for the accounting package) and
`safe_text` (text cells a spreadsheet will not run as a formula).
"""

from __future__ import annotations

from typing import BinaryIO

import polars as pl


def write_column(out: BinaryIO, frame: pl.DataFrame) -> None:
    """Write the one text column of `frame` to `out` as UTF-8, values back to back.

    polars' CSV sink with no quoting, no header and no line terminator is a raw byte
    writer: each value must already carry its own markup and line end.
    """
    out.flush()  # in case polars ever writes to the file descriptor, past Python's buffer
    frame.write_csv(out, include_header=False, quote_style="never", line_terminator="")


def check_schema(frame: pl.DataFrame, schema: dict[str, pl.DataType], what: str) -> None:
    """Raise ValueError naming every column of `schema` that `frame` lacks or types wrongly.

    A frame that breaks the contract is a bug upstream, not a problem in the user's data.
    """
    wrong = [f"{name} ({frame.schema.get(name, 'missing')}, not {dtype})"
             for name, dtype in schema.items() if frame.schema.get(name) != dtype]
    if wrong:
        raise ValueError(f"{what}: columns do not match the schema: {', '.join(wrong)}")
