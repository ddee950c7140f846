"""Sequence types (FRST/RCUR/OOFF/FNAL) and amendment details (docs/sepa.md §3).

Works column-wise on a frame of selected collections that already carries the mandate's
history from the ledger (`prev_*` columns, see collect.select). Rules:

* FRST for a mandate never collected (a rejected or returned FRST does not count), RCUR
  afterwards; `first_as_frst = false` sends RCUR always.
* OOFF and FNAL when the debtors sheet asks for them; such a mandate is then used up.
* An explicit FRST in the sheet on a mandate that has been used becomes RCUR (banks reject
  a FRST after RCUR with AG02), with a warning.
* Amendments (docs/sepa.md §3): a changed IBAN on a used mandate is sent with the original
  IBAN when the bank stayed the same (the same BIC: `same_bank`), else as SMNDA together
  with FRST; a changed mandate id with the
  same signing date is sent with the original mandate id. A new mandate id with a new
  signing date is a new mandate: FRST again.
"""

from __future__ import annotations

import polars as pl

from incasso_sheets.sepa import identifiers


def same_bank(old_iban: pl.Series, new_iban: pl.Series, old_bic: pl.Series | None = None,
              new_bic: pl.Series | None = None) -> pl.Series:
    """Per row: is the account `new_iban` at the same bank as `old_iban` (docs/sepa.md §3)?

    A bank is its BIC's first 8 characters: the one given (`old_bic`, `new_bic`, where
    known), else the one schwifty's bank registry derives from the IBAN. When either side
    has no BIC, the IBANs' bank codes (country + the country's own bank-code part of the
    BBAN) decide. An IBAN that cannot be read is "not known to be the same bank": false,
    which sends SMNDA, the scheme's answer when it is unknown whether the bank changed.
    """
    distinct = pl.concat([old_iban, new_iban]).drop_nulls().unique().to_list()
    banks = [identifiers.bank_of(iban) for iban in distinct]
    table = pl.DataFrame({"_iban": distinct, "_bic8": [b for b, _ in banks], "_code": [c for _, c in banks]},
                         schema={"_iban": pl.Utf8, "_bic8": pl.Utf8, "_code": pl.Utf8})
    none = pl.Series([None] * len(old_iban), dtype=pl.Utf8)
    f = pl.DataFrame({"old": old_iban, "new": new_iban,
                      "old_bic": none if old_bic is None else old_bic,
                      "new_bic": none if new_bic is None else new_bic})
    c = pl.col
    for side in ("old", "new"):
        f = f.join(table.rename({"_iban": side, "_bic8": f"{side}_derived", "_code": f"{side}_code"}),
                   on=side, how="left", maintain_order="left")
    old_bic8 = pl.coalesce(c("old_bic").str.slice(0, 8), c("old_derived"))
    new_bic8 = pl.coalesce(c("new_bic").str.slice(0, 8), c("new_derived"))
    same = (pl.when(old_bic8.is_not_null() & new_bic8.is_not_null()).then(old_bic8 == new_bic8)
            .otherwise(c("old_code") == c("new_code")))
    return f.select(same.fill_null(False).alias("same_bank"))["same_bank"]


def with_amendments(frame: pl.DataFrame) -> pl.DataFrame:
    """Adds original_mandate_id, original_iban, smnda from the `prev_*` history columns
    (and the debtor's `bic`, when the frame has one: see same_bank)."""
    c = pl.col
    id_changed = c("prev_mandate_id").is_not_null() & (c("prev_mandate_key") != c("mandate_key"))
    iban_changed = (c("prev_iban").is_not_null() & (c("prev_iban") != c("iban")) & c("prev_used")).fill_null(False)
    moved = frame.select(iban_changed.alias("_moved"))["_moved"]
    bank = pl.lit(False)
    if moved.any():  # the bank registry is asked about the moved accounts only
        rows = frame.filter(moved)
        flags = same_bank(rows["prev_iban"], rows["iban"], new_bic=rows["bic"] if "bic" in rows.columns else None)
        frame = frame.with_columns(pl.repeat(False, frame.height, dtype=pl.Boolean, eager=True)
                                   .scatter(moved.arg_true(), flags).alias("_same_bank"))
        bank = c("_same_bank")
    out = frame.with_columns(
        original_mandate_id=pl.when(id_changed & c("prev_used")).then(c("prev_mandate_id")),
        original_iban=pl.when(iban_changed & bank).then(c("prev_iban")),
        smnda=(iban_changed & ~bank).fill_null(False),
    )
    return out.drop("_same_bank", strict=False)


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
