"""Clearing events -> balanced journal lines (the bookings table in bookings.py).

Every line of a batch carries the batch id (PmtInfId) as Boekstuk and Batch, so the
suspense account can be followed per batch; returns and rejects also carry the debtor,
invoice, mandate and EndToEndId, so the invoice is reopened in the bookkeeping.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import polars as pl

from incasso_sheets.clearing.match import Event, TxState
from incasso_sheets.core import bookings
from incasso_sheets.core.model import JOURNAL_SCHEMA
from incasso_sheets.core.settings import Accounts

_ITEM_SCHEMA = {"entry": pl.Utf8, "amount_cents": pl.Int64, "subject": pl.Utf8, "date": pl.Date,
                "debtor_id": pl.Utf8, "invoice_number": pl.Utf8, "batch": pl.Utf8,
                "mandate_id": pl.Utf8, "end_to_end_id": pl.Utf8}


def clearing_lines(events: list[Event], txs: dict[str, TxState], accounts: Accounts,
                   journal: str) -> pl.DataFrame:
    """JOURNAL_SCHEMA lines plus an `event` column (payout, reject, return, ...)."""
    frames = []
    for kind in bookings.EVENTS:
        # Column by column: a payout per invoice (MT940 without batch booking) makes a
        # million items, and a million row tuples would double the run's peak memory.
        columns: dict[str, list] = {name: [] for name in _ITEM_SCHEMA}
        for e in events:
            if e.kind != kind:
                continue
            tx = txs.get(e.end_to_end_id) if e.end_to_end_id else None
            # A collection taken over by `ledger import` has no batch of ours: its return
            # (receivables / bank) is its own entry, under its EndToEndId.
            columns["entry"].append(e.payment_info_id or e.end_to_end_id)
            columns["amount_cents"].append(e.amount_cents)
            columns["subject"].append(tx.invoice_number if tx is not None else e.payment_info_id)
            columns["date"].append(e.date)
            columns["debtor_id"].append(tx.debtor_id if tx else None)
            columns["invoice_number"].append(tx.invoice_number if tx else None)
            columns["batch"].append(e.payment_info_id)
            columns["mandate_id"].append(tx.mandate_id if tx else None)
            columns["end_to_end_id"].append(e.end_to_end_id)
        if columns["entry"]:
            items = pl.DataFrame(columns, schema=_ITEM_SCHEMA)
            frames.append(bookings.pair_lines(items, kind, accounts, journal)
                          .with_columns(pl.lit(kind).alias("event")))
    if not frames:
        return pl.DataFrame(schema={**JOURNAL_SCHEMA, "event": pl.Utf8})
    return pl.concat(frames).sort("date", "entry", maintain_order=True)


LINE_CHUNK = 20_000  # events paired into journal lines at a time


def clearing_line_chunks(events: list[Event], txs: dict[str, TxState], accounts: Accounts,
                         journal: str) -> Iterator[pl.DataFrame]:
    """clearing_lines in the same order, made LINE_CHUNK events at a time: an MT940 without
    batch booking has a payout per invoice, and the two lines of a million of them, sorted
    and concatenated, took as much memory as the rest of the run."""
    kinds = {kind: n for n, kind in enumerate(bookings.EVENTS)}

    def rank(i: int) -> tuple:
        # clearing_lines' order: by date, then entry (nulls first, as polars sorts), then
        # the kinds in bookings.EVENTS order, then the events' own order (a stable sort).
        e = events[i]
        entry = e.payment_info_id or e.end_to_end_id
        return (e.date is not None, e.date or dt.date.min, entry is not None, entry or "",
                kinds.get(e.kind, len(kinds)))

    ranked = sorted(range(len(events)), key=rank)
    for start in range(0, max(len(ranked), 1), LINE_CHUNK):
        yield clearing_lines([events[i] for i in ranked[start:start + LINE_CHUNK]], txs, accounts, journal)
