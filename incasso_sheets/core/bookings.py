"""Every journal booking incasso-sheets makes, as balanced debit/credit pairs.

| event                              | debit        | credit       | one pair per          |
| collection file made               | suspense     | receivables  | invoice               |
| pain.002 reject before settlement  | receivables  | suspense     | rejected transaction  |
| payout on the statement            | bank         | suspense     | payout entry (batch)  |
| return / refund after payout       | receivables  | bank         | returned transaction  |
| return charges                     | bank charges | bank         | charge                |

Lines are a polars frame with JOURNAL_SCHEMA (formats.journal); each pair shares its
`entry` (Boekstuk), so every entry balances by construction. Used by collect and clear.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from incasso_sheets.core.model import JOURNAL_SCHEMA
from incasso_sheets.core.money import format_cents
from incasso_sheets.core.settings import Accounts

# event -> (debit account key, credit account key, description prefix en/nl)
EVENTS = {
    "collection": ("suspense", "receivables", "Incasso factuur"),
    "reject": ("receivables", "suspense", "Storno voor incassodatum factuur"),
    "payout": ("bank", "suspense", "Uitbetaling incassobatch"),
    "return": ("receivables", "bank", "Storno factuur"),
    "charges": ("bank_charges", "bank", "Bankkosten storno"),
    # a transaction rejected (and booked back) before settlement that the bank still
    # credited in a gross payout, and now debits: it only clears the suspense account
    "reject-debited": ("suspense", "bank", "Terugboeking geweigerde incasso"),
}


def pair_lines(items: pl.DataFrame, event: str, accounts: Accounts, journal: str,
               booking_date: dt.date | None = None) -> pl.DataFrame:
    """Two journal lines (debit, then credit) per row of `items`.

    `items` has: entry, amount_cents, subject (text after the description prefix) and
    optionally date (else `booking_date`), debtor_id, invoice_number, batch, mandate_id,
    end_to_end_id.
    """
    debit_key, credit_key, prefix = EVENTS[event]
    base = items.with_columns(
        *[pl.lit(None, pl.Utf8).alias(c) for c in
          ("debtor_id", "invoice_number", "batch", "mandate_id", "end_to_end_id") if c not in items.columns]
    ).with_row_index("_n")
    date = pl.col("date") if "date" in items.columns else pl.lit(booking_date)
    common = [
        pl.lit(journal).alias("journal"), pl.col("entry"), date.alias("date"),
        pl.concat_str([pl.lit(prefix + " "), pl.col("subject")]).alias("description"),
        pl.col("debtor_id"), pl.col("invoice_number"), pl.col("batch"), pl.col("mandate_id"),
        pl.col("end_to_end_id"), pl.col("_n"),
    ]
    debit = base.select(*common, pl.lit(getattr(accounts, debit_key)).alias("account"),
                        pl.col("amount_cents").alias("debit_cents"),
                        pl.lit(None, pl.Int64).alias("credit_cents"), pl.lit(0).alias("_side"))
    credit = base.select(*common, pl.lit(getattr(accounts, credit_key)).alias("account"),
                         pl.lit(None, pl.Int64).alias("debit_cents"),
                         pl.col("amount_cents").alias("credit_cents"), pl.lit(1).alias("_side"))
    return (pl.concat([debit, credit]).sort("_n", "_side")
            .select(list(JOURNAL_SCHEMA)).cast(JOURNAL_SCHEMA))


def unbalanced_entries(lines: pl.DataFrame) -> list[str]:
    """One message per entry whose debits and credits differ; [] when all balance."""
    totals = (
        lines.group_by("entry")
        .agg(pl.col("debit_cents").sum(), pl.col("credit_cents").sum())
        .filter(pl.col("debit_cents") != pl.col("credit_cents"))
        .sort("entry", nulls_last=True)
    )
    return [f"entry {entry}: debit {format_cents(debit)} != credit {format_cents(credit)}"
            for entry, debit, credit in totals.iter_rows()]
