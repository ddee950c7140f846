"""The journal CSV: booking lines for the accounting package, and the balance check.

Lines arrive as a polars frame with JOURNAL_SCHEMA (one row per debit or credit line) and
are formatted column by column, in chunks, as in sheets-and-bookings.md "Journal CSV":

* `nl` (default): what Dutch accounting packages import and what Excel opens correctly
  on a Dutch system: `;` separator, UTF-8 with BOM (without it Excel guesses the ANSI code
  page), CRLF, dates `dd-mm-yyyy`, decimal comma.
* `iso`: for tools and scripts: `,` separator, UTF-8 without BOM, LF, dates `yyyy-mm-dd`,
  decimal point. LF rather than RFC 4180's CRLF because every CSV parser accepts LF, while
  a stray CR ends up glued to the last field in line-based tools (awk, cut, `read`).

Both: no thousands separator, amounts positive in Debet or Credit, fields that hold the
separator, a quote or a line break are quoted (quotes doubled), and text cells are made
formula-safe (`safe_text`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

import polars as pl

from incasso_sheets.formats import check_schema, write_column
from incasso_sheets.formats.safe_text import formula_safe_expr
from incasso_sheets.money import cents_text_expr, format_cents

JOURNAL_SCHEMA: dict[str, pl.DataType] = {
    "journal": pl.Utf8,         # Dagboek: the journal code from the settings (MEM)
    "entry": pl.Utf8,           # Boekstuk: one balanced entry
    "date": pl.Date,            # Datum
    "account": pl.Utf8,         # Rekening
    "description": pl.Utf8,     # Omschrijving
    "debit_cents": pl.Int64,    # Debet; null on a credit line
    "credit_cents": pl.Int64,   # Credit; null on a debit line
    "debtor_id": pl.Utf8,       # Relatie
    "invoice_number": pl.Utf8,  # Factuur
    "batch": pl.Utf8,           # Batch: the PmtInfId
    "mandate_id": pl.Utf8,      # Machtiging
    "end_to_end_id": pl.Utf8,   # EndToEndId
}
HEADER = ("Dagboek", "Boekstuk", "Datum", "Rekening", "Omschrijving", "Debet", "Credit",
          "Relatie", "Factuur", "Batch", "Machtiging", "EndToEndId")
CHUNK_ROWS = 100_000


@dataclass(frozen=True)
class _Format:
    separator: str
    bom: bool
    line_end: str
    date_format: str
    decimal: str


FORMATS = {
    "nl": _Format(separator=";", bom=True, line_end="\r\n", date_format="%d-%m-%Y", decimal=","),
    "iso": _Format(separator=",", bom=False, line_end="\n", date_format="%Y-%m-%d", decimal="."),
}


def empty_journal() -> pl.DataFrame:
    return pl.DataFrame(schema=JOURNAL_SCHEMA)


def write_journal(out: BinaryIO, lines: pl.DataFrame, fmt: str = "nl") -> None:
    """Write journal `lines` (JOURNAL_SCHEMA) as CSV in format `fmt` ("nl" or "iso")."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown journal format {fmt!r}; known: {', '.join(FORMATS)}")
    check_schema(lines, JOURNAL_SCHEMA, "journal lines")
    spec = FORMATS[fmt]
    head = spec.separator.join(HEADER) + spec.line_end
    out.write((("\ufeff" if spec.bom else "") + head).encode("utf-8"))
    row = _row_expr(spec)
    for offset in range(0, lines.height, CHUNK_ROWS):
        write_column(out, lines.slice(offset, CHUNK_ROWS).select(row))


def _row_expr(spec: _Format) -> pl.Expr:
    fields = []
    for name, dtype in JOURNAL_SCHEMA.items():
        column = pl.col(name)
        if name.endswith("_cents"):
            text = cents_text_expr(column, spec.decimal)
        elif dtype == pl.Date:
            text = column.dt.strftime(spec.date_format)
        else:
            text = _quoted(formula_safe_expr(column), spec.separator)
        fields.append(text.fill_null(""))
    return pl.concat_str([pl.concat_str(fields, separator=spec.separator),
                          pl.lit(spec.line_end)])


def _quoted(text: pl.Expr, separator: str) -> pl.Expr:
    """CSV rule: quote a field holding the separator, a quote or a line break."""
    needs = text.str.contains_any([separator, '"', "\n", "\r"])
    doubled = text.str.replace_all('"', '""', literal=True)
    return pl.when(~needs).then(text).otherwise(pl.concat_str([pl.lit('"'), doubled, pl.lit('"')]))


def check_balanced(lines: pl.DataFrame) -> list[str]:
    """One message per entry whose debits and credits differ; [] when all balance."""
    totals = (
        lines.group_by("entry")
        .agg(pl.col("debit_cents").sum(), pl.col("credit_cents").sum())
        .filter(pl.col("debit_cents") != pl.col("credit_cents"))
        .sort("entry", nulls_last=True)
    )
    return [
        f"entry {entry}: debit {format_cents(debit)} != credit {format_cents(credit)}"
        for entry, debit, credit in totals.iter_rows()
    ]
