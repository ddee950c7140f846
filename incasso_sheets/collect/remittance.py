"""The remittance text (RmtInf/Ustrd) from the settings' template, column-wise.

Template fields: {invoice_number}, {description}, {debtor_id}, {name}, {invoice_date},
{due_date}. The result is transliterated to the SEPA set and cut to 140 characters
(EPC IG: one Ustrd of at most 140); a cut text is reported with before and after.
"""

from __future__ import annotations

import re

import polars as pl

from incasso_sheets.sepa import text

FIELDS = ("invoice_number", "description", "debtor_id", "name", "invoice_date", "due_date")


def template_problem(template: str) -> str | None:
    unknown = [f for f in re.findall(r"\{([^}]*)\}", template) if f not in FIELDS]
    return ", ".join(unknown) or None


def remittance_columns(frame: pl.DataFrame, template: str) -> pl.DataFrame:
    """Adds `remittance_full` (sanitised) and `remittance` (cut to 140)."""
    parts: list[pl.Expr] = []
    for piece in re.split(r"(\{[^}]*\})", template):
        if piece.startswith("{") and piece.endswith("}"):
            name = piece[1:-1]
            col = pl.col(name)
            if frame.schema.get(name) == pl.Date:
                col = col.dt.strftime("%d-%m-%Y")
            parts.append(col.cast(pl.Utf8).fill_null(""))
        elif piece:
            parts.append(pl.lit(piece))
    raw = pl.concat_str(parts) if parts else pl.lit("")
    out = frame.with_columns(_remittance_raw=raw)
    clean = text.sanitise_series(out["_remittance_raw"])
    out = out.with_columns(remittance_full=clean).drop("_remittance_raw")
    too_long = out["remittance_full"].str.len_chars() > text.REMITTANCE_MAX
    if too_long.any():
        short = [text.shorten(v, text.REMITTANCE_MAX) if v is not None and len(v) > text.REMITTANCE_MAX
                 else v for v in out["remittance_full"].to_list()]
        out = out.with_columns(remittance=pl.Series(short, dtype=pl.Utf8))
    else:
        out = out.with_columns(remittance=pl.col("remittance_full"))
    return out.with_columns(remittance=pl.when(pl.col("remittance") != "").then(pl.col("remittance")))
