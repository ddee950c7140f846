"""Clearing events -> balanced journal lines (the bookings table in bookings.py).

Every line of a batch carries the batch id (PmtInfId) as Boekstuk and Batch, so the
suspense account can be followed per batch; returns and rejects also carry the debtor,
invoice, mandate and EndToEndId, so the invoice is reopened in the bookkeeping.
"""

from __future__ import annotations

import polars as pl

from incasso_sheets import bookings
from incasso_sheets.clearing.match import Event, TxState
from incasso_sheets.model import JOURNAL_SCHEMA
from incasso_sheets.settings import Accounts

_ITEM_SCHEMA = {"entry": pl.Utf8, "amount_cents": pl.Int64, "subject": pl.Utf8, "date": pl.Date,
                "debtor_id": pl.Utf8, "invoice_number": pl.Utf8, "batch": pl.Utf8,
                "mandate_id": pl.Utf8, "end_to_end_id": pl.Utf8}


def clearing_lines(events: list[Event], txs: dict[str, TxState], accounts: Accounts,
                   journal: str) -> pl.DataFrame:
    """JOURNAL_SCHEMA lines plus an `event` column (payout, reject, return, ...)."""
    frames = []
    for kind in bookings.EVENTS:
        rows = []
        for e in events:
            if e.kind != kind:
                continue
            tx = txs.get(e.end_to_end_id) if e.end_to_end_id else None
            subject = tx.invoice_number if tx is not None else e.payment_info_id
            # A collection taken over by `ledger import` has no batch of ours: its return
            # (receivables / bank) is its own entry, under its EndToEndId.
            entry = e.payment_info_id or e.end_to_end_id
            rows.append((entry, e.amount_cents, subject, e.date,
                         tx.debtor_id if tx else None, tx.invoice_number if tx else None,
                         e.payment_info_id, tx.mandate_id if tx else None, e.end_to_end_id))
        if rows:
            items = pl.DataFrame(rows, schema=_ITEM_SCHEMA, orient="row")
            frames.append(bookings.pair_lines(items, kind, accounts, journal)
                          .with_columns(pl.lit(kind).alias("event")))
    if not frames:
        return pl.DataFrame(schema={**JOURNAL_SCHEMA, "event": pl.Utf8})
    return pl.concat(frames).sort("date", "entry", maintain_order=True)
