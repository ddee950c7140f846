"""CSV tables written the way spreadsheets and bookkeeping packages read them.

`nl` (default): `;`, UTF-8 with BOM, CRLF, dd-mm-jjjj, decimal comma — what Excel on a
Dutch system opens correctly and Dutch packages import with a column mapping. `iso`: `,`,
UTF-8 without BOM, LF, yyyy-mm-dd, decimal point — for tools and scripts.

Columns are formatted by type: Date columns as dates, Int64 columns whose name ends in
`_cents` as amounts, text through `formula_safe` so that a cell starting with `=`, `+`,
`-`, `@`, tab or CR is shown as text and never run as a formula (`safe_text`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import BinaryIO

import polars as pl

from incasso_sheets.core.money import cents_text_expr
from incasso_sheets.formats.safe_text import formula_safe_expr

DIALECTS = {
    "nl": {"separator": ";", "bom": True, "newline": "\r\n", "date": "%d-%m-%Y", "decimal": ","},
    "iso": {"separator": ",", "bom": False, "newline": "\n", "date": "%Y-%m-%d", "decimal": "."},
}
CHUNK_ROWS = 100_000


def formatted(frame: pl.DataFrame, fmt: str = "nl") -> pl.DataFrame:
    """Every column as display text per the dialect."""
    d = DIALECTS[fmt]
    exprs = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if dtype == pl.Date:
            exprs.append(col.dt.strftime(d["date"]).alias(name))
        elif name.endswith("_cents") and dtype.is_integer():
            exprs.append(cents_text_expr(col, d["decimal"]).alias(name))
        elif dtype == pl.Utf8:
            exprs.append(formula_safe_expr(col).alias(name))
        elif dtype == pl.Boolean:
            exprs.append(pl.when(col).then(pl.lit("ja" if fmt == "nl" else "true"))
                         .when(~col).then(pl.lit("nee" if fmt == "nl" else "false")).alias(name))
        else:
            exprs.append(col.cast(pl.Utf8).alias(name))
    return frame.select(exprs)


def write_csv(out: BinaryIO, frame: pl.DataFrame, headers: list[str], fmt: str = "nl") -> None:
    """Write `frame` with display `headers` (one per column) in dialect `fmt`."""
    write_csv_parts(out, [frame], headers, fmt)


def write_csv_parts(out: BinaryIO, parts: Iterable[pl.DataFrame], headers: list[str],
                    fmt: str = "nl") -> None:
    """Write the frames of `parts` (same columns) one after the other as one CSV table.

    Streamed CHUNK_ROWS rows at a time, and a part can be made only when it is written:
    a journal of a million invoices is never held as one frame, one formatted copy or one
    string (large outputs are streamed, never built whole).
    """
    d = DIALECTS[fmt]
    if d["bom"]:
        out.write(b"\xef\xbb\xbf")
    header_written = False
    for frame in parts:
        for offset in range(0, max(frame.height, 0 if header_written else 1), CHUNK_ROWS):
            table = formatted(frame.slice(offset, CHUNK_ROWS), fmt)
            table.columns = headers
            out.flush()  # polars may write to the file descriptor, past Python's buffer
            table.write_csv(out, include_header=not header_written, separator=d["separator"],
                            line_terminator=d["newline"], quote_style="necessary", null_value="")
            header_written = True
    if not header_written:  # no parts at all: still a file with its header
        table = formatted(pl.DataFrame(schema={h: pl.Utf8 for h in headers}), fmt)
        out.flush()
        table.write_csv(out, separator=d["separator"], line_terminator=d["newline"])
