"""The journal CSV: booking lines for the accounting package.

Lines arrive as a polars frame with JOURNAL_SCHEMA (one row per debit or credit line) and
are formatted column by column, as in docs/sheets.md §3:

* `nl` (default): what Dutch accounting packages import and what Excel opens correctly
  on a Dutch system: `;` separator, UTF-8 with BOM (without it Excel guesses the ANSI code
  page), CRLF, dates `dd-mm-yyyy`, decimal comma.
* `iso`: for tools and scripts: `,` separator, UTF-8 without BOM, LF, dates `yyyy-mm-dd`,
  decimal point. LF rather than RFC 4180's CRLF because every CSV parser accepts LF, while
  a stray CR ends up glued to the last field in line-based tools (awk, cut, `read`).

Both: no thousands separator, amounts positive in Debet or Credit, fields that hold the
separator, a quote or a line break are quoted (quotes doubled), and text cells are made
formula-safe (`safe_text`). The writing itself is `csvfile.write_csv`, shared by every CSV
the tool writes; the balance check is `bookings.unbalanced_entries`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import BinaryIO

import polars as pl

from incasso_sheets.core.model import JOURNAL_SCHEMA
from incasso_sheets.formats import check_schema, csvfile

HEADER = ("Dagboek", "Boekstuk", "Datum", "Rekening", "Omschrijving", "Debet", "Credit",
          "Relatie", "Factuur", "Batch", "Machtiging", "EndToEndId")
FORMATS = tuple(csvfile.DIALECTS)


def empty_journal() -> pl.DataFrame:
    return pl.DataFrame(schema=JOURNAL_SCHEMA)


def write_journal(out: BinaryIO, lines: pl.DataFrame | Iterable[pl.DataFrame], fmt: str = "nl") -> None:
    """Write journal `lines` (JOURNAL_SCHEMA, extra columns ignored) in format `fmt`:
    one frame, or frames made one after the other (a journal per block)."""
    if fmt not in csvfile.DIALECTS:
        raise ValueError(f"unknown journal format {fmt!r}; known: {', '.join(FORMATS)}")
    parts = [lines] if isinstance(lines, pl.DataFrame) else lines

    def checked():
        for part in parts:
            check_schema(part, JOURNAL_SCHEMA, "journal lines")
            yield part.select(list(JOURNAL_SCHEMA))

    csvfile.write_csv_parts(out, checked(), list(HEADER), fmt)
