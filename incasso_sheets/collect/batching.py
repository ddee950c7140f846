"""Collections -> messages (files) and blocks (PmtInf), with their ids.

One block per (scheme, sequence type, collection date) — the creditor account and
identifier are the same for the whole run; one file per scheme (banks reject files that
mix CORE and B2B); `max_per_file` splits a scheme's blocks over several files, splitting a
block where needed. MsgId = INCS-<yyyymmdd>-<nnnn> from a counter the ledger keeps per
day, so ids are unique forever; PmtInfId = <MsgId>-<block number>.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from incasso_sheets.core.model import TRANSACTION_SCHEMA, Block, Message
from incasso_sheets.core.settings import Creditor

SEQUENCE_ORDER = {"FRST": 0, "RCUR": 1, "OOFF": 2, "FNAL": 3}
SCHEME_ORDER = ("CORE", "B2B")


def message_id(day: dt.date, number: int) -> str:
    return f"INCS-{day:%Y%m%d}-{number:04d}"


def build_messages(collections: pl.DataFrame, *, creditor: Creditor, created_at: dt.datetime,
                   first_number: int, batch_booking: bool = True, max_per_file: int = 0,
                   carry: tuple[str, ...] = ()) -> list[Message]:
    """Group collections into messages; message numbers start at `first_number`.

    The blocks' frames hold TRANSACTION_SCHEMA and, after it, the columns named in `carry`
    (what the caller needs of each transaction beyond the XML), so that the collections
    frame can be let go once the blocks are made.
    """
    groups = (collections.select("scheme", "sequence_type", "collection_date").unique()
              .with_columns(_seq=pl.col("sequence_type").replace_strict(SEQUENCE_ORDER, default=9),
                            _sch=pl.col("scheme").replace_strict({s: i for i, s in enumerate(SCHEME_ORDER)},
                                                                 default=9))
              .sort("_sch", "collection_date", "_seq"))
    # One pass over the rows (not one filter per group); each part keeps the rows' order.
    keys = ["scheme", "sequence_type", "collection_date"]
    narrow = collections.select(*keys, *[pl.col(c).cast(t) for c, t in TRANSACTION_SCHEMA.items()],
                                *[c for c in carry if c not in TRANSACTION_SCHEMA])
    # A column without any value (no amendment in the run, no address to send) stays one
    # null for the whole frame in every block: a million nulls of text take 16 MB.
    empty = [name for name, nulls in zip(narrow.columns, narrow.null_count().row(0), strict=True)
             if nulls == narrow.height and name not in keys]
    narrow = narrow.with_columns(pl.lit(None, narrow.schema[name]).alias(name) for name in empty)
    parts = narrow.partition_by(keys, as_dict=True, include_key=False)
    del narrow
    messages: list[Message] = []
    number = first_number
    for scheme in [s for s in SCHEME_ORDER if s in set(groups["scheme"].to_list())]:
        pieces: list[tuple[str, dt.date, pl.DataFrame]] = []
        for seq, day in groups.filter(pl.col("scheme") == scheme).select(
                "sequence_type", "collection_date").iter_rows():
            pieces.append((seq, day, parts[(scheme, seq, day)]))
        for file_pieces in _split(pieces, max_per_file):
            msg_id = message_id(created_at.date(), number)
            number += 1
            blocks = tuple(
                Block(f"{msg_id}-{k}", scheme, seq, day, rows)
                for k, (seq, day, rows) in enumerate(file_pieces, start=1))
            messages.append(Message(msg_id, created_at, creditor, batch_booking, blocks))
    return messages


def _split(pieces, limit: int):
    """Pack (seq, day, rows) pieces into files of at most `limit` transactions (0 = no limit)."""
    if limit <= 0:
        yield pieces
        return
    current, room = [], limit
    for seq, day, rows in pieces:
        offset = 0
        while offset < rows.height:
            take = min(room, rows.height - offset)
            current.append((seq, day, rows.slice(offset, take)))
            offset += take
            room -= take
            if room == 0:
                yield current
                current, room = [], limit
    if current:
        yield current
