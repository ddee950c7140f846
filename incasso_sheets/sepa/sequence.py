"""Sequence types (FRST/RCUR/OOFF/FNAL) and amendment details (sepa-rules.md §6).

Works column-wise on a frame of selected collections that already carries the mandate's
history from the ledger (`prev_*` columns, see collect.select). Rules:

* FRST for a mandate never collected (a rejected or returned FRST does not count), RCUR
  afterwards; `first_as_frst = false` sends RCUR always.
* OOFF and FNAL when the debtors sheet asks for them; such a mandate is then used up.
* An explicit FRST in the sheet on a mandate that has been used becomes RCUR (banks reject
  a FRST after RCUR with AG02), with a warning.
* Amendments (§6.3): a changed IBAN on a used mandate is sent with the original IBAN when
  the bank stayed the same, else as SMNDA together with FRST; a changed mandate id with the
  same signing date is sent with the original mandate id. A new mandate id with a new
  signing date is a new mandate: FRST again.
"""

from __future__ import annotations

import polars as pl


def same_bank(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    """Same country and same first four BBAN characters (the bank code in NL, BE-ish)."""
    return a.str.slice(0, 2).eq(b.str.slice(0, 2)) & a.str.slice(4, 4).eq(b.str.slice(4, 4))


def with_amendments(frame: pl.DataFrame) -> pl.DataFrame:
    """Adds original_mandate_id, original_iban, smnda from the `prev_*` history columns."""
    c = pl.col
    id_changed = c("prev_mandate_id").is_not_null() & (c("prev_mandate_key") != c("mandate_key"))
    iban_changed = c("prev_iban").is_not_null() & (c("prev_iban") != c("iban")) & c("prev_used")
    return frame.with_columns(
        original_mandate_id=pl.when(id_changed & c("prev_used")).then(c("prev_mandate_id")),
        original_iban=pl.when(iban_changed & same_bank(c("prev_iban"), c("iban"))).then(c("prev_iban")),
        smnda=(iban_changed & ~same_bank(c("prev_iban"), c("iban"))).fill_null(False),
    )


def with_sequence(frame: pl.DataFrame, first_as_frst: bool) -> pl.DataFrame:
    """Adds `sequence_type` and `frst_overridden` (explicit FRST on a used mandate)."""
    c = pl.col
    used = c("prev_used").fill_null(False)
    derived = pl.when(~pl.lit(first_as_frst)).then(pl.lit("RCUR")).when(c("smnda")).then(
        pl.lit("FRST")).when(used).then(pl.lit("RCUR")).otherwise(pl.lit("FRST"))
    asked = c("sequence")
    return frame.with_columns(
        sequence_type=pl.when(asked.is_in(["OOFF", "FNAL", "RCUR"])).then(asked)
        .when((asked == "FRST") & used & ~c("smnda")).then(pl.lit("RCUR"))
        .when(asked == "FRST").then(pl.lit("FRST"))
        .otherwise(derived),
        frst_overridden=((asked == "FRST") & used & ~c("smnda")).fill_null(False),
    )
