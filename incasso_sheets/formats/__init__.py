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
    frame.write_csv(out, include_header=False, quote_style="never", line_terminator="")
