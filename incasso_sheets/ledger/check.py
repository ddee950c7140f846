"""`incasso ledger check`: the ledger's invariants, each broken one an Issue.

| code                          | invariant                                                      |
|-------------------------------|----------------------------------------------------------------|
| ledger-integrity              | SQLite's own quick_check passes                                |
| ledger-foreign-key            | every run, message and journal reference points at a row       |
| ledger-transaction-no-block   | every collected transaction is in exactly one block; history   |
|                               | taken over by `ledger import` (source 'import') has none       |
| ledger-block-unknown          | a transaction's or journal line's block exists                 |
| ledger-block-totals           | a block's count and total are those of its transactions        |
| ledger-message-unknown        | a block's message exists                                       |
| ledger-message-totals         | a message's count and total are those of its blocks            |
| ledger-journal-unbalanced     | every journal entry of a run balances (debit = credit)         |
| ledger-suspense-mismatch      | a batch's suspense balance as `status` shows it equals the     |
|                               | bookings: the block total plus the suspense journal lines      |
| ledger-run-unfinished         | no run is left committed with its files not yet renamed        |
| ledger-id-duplicate           | an EndToEndId, PmtInfId or MsgId is used once                  |
| ledger-status-unknown         | every transaction's and mandate's status is one of its enum    |
|                               | (model.TransactionStatus, model.MandateStatus)                 |
| ledger-creditor-other         | the ledger holds the collections of the settings' creditor     |

All reads happen in one read transaction, so a run committing meanwhile is either wholly
seen or not at all. The functions take an open Ledger and return values; they print
nothing and change nothing.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from incasso_sheets.core import bookings
from incasso_sheets.core.issues import Issue, issue
from incasso_sheets.core.model import JOURNAL_SCHEMA, MandateStatus, TransactionStatus
from incasso_sheets.ledger.store import Ledger

# Covered by the explicit checks below, with a better message than the bare foreign key.
_EXPLAINED_KEYS = {("transactions", "blocks"), ("blocks", "messages")}


@dataclass(frozen=True)
class LedgerCheck:
    problems: list[Issue]
    messages: int
    batches: int
    transactions: int

    @property
    def valid(self) -> bool:
        return not self.problems


def check_ledger(led: Ledger, suspense: str, file: str | None = None,
                 creditor_id: str | None = None) -> LedgerCheck:
    """Every broken invariant of the ledger, and what it holds; `suspense` is the
    suspense account of the settings (the balances are kept on it), `creditor_id` their
    creditor identifier (the ledger must be that creditor's)."""
    with _snapshot(led) as run_in_progress:
        checks = [c for c in _CHECKS if not (run_in_progress and c is runs_finished)]
        problems = [p.at(file=file) for check in checks for p in check(led, suspense)]
        other = led.other_creditor(creditor_id) if creditor_id is not None else None
        if other is not None:
            problems.append(issue("ledger-creditor-other", sheet="meta", value=other, ledger=other,
                                  settings=creditor_id).at(file=file))
        counts = [led.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                  for table in ("messages", "blocks", "transactions")]
    return LedgerCheck(problems, *counts)


@contextlib.contextmanager
def _snapshot(led: Ledger) -> Iterator[bool]:
    """One read transaction for every check; yields whether a run was in progress when it
    began. A run holds the lock file from before its commit until its renames are done,
    so a run seen `committed` while nobody held the lock was interrupted; one seen while
    the lock was held may simply be renaming its files right now."""
    if led.conn.in_transaction:
        yield False
        return
    busy, lock = _shared_lock(led.path.with_name(led.path.name + ".lock"))  # Ledger.open's name
    try:
        led.conn.execute("BEGIN")
        led.conn.execute("SELECT count(*) FROM runs").fetchone()  # pins the snapshot (WAL)
    finally:
        if lock is not None:
            os.close(lock)  # held for an instant: a run starting now waits that long
    try:
        yield busy
    finally:
        led.conn.execute("ROLLBACK")


def _shared_lock(path: Path) -> tuple[bool, int | None]:
    """(a run holds the lock, the descriptor of our shared lock to release)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CREAT, 0o644)
    except OSError:  # a read-only folder, where no run can be writing either
        return False, None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return True, None
    return False, fd


def _rows(led: Ledger, sql: str, params=()) -> list[tuple]:
    return led.conn.execute(sql, params).fetchall()


def integrity(led: Ledger, suspense: str) -> list[Issue]:
    found = [r[0] for r in _rows(led, "PRAGMA quick_check")]
    return [] if found == ["ok"] else [issue("ledger-integrity", detail=d) for d in found]


def foreign_keys(led: Ledger, suspense: str) -> list[Issue]:
    return [issue("ledger-foreign-key", sheet=table, value=str(rowid), parent=parent)
            for table, rowid, parent, _fk in _rows(led, "PRAGMA foreign_key_check")
            if (table, parent) not in _EXPLAINED_KEYS]


def transactions_in_blocks(led: Ledger, suspense: str) -> list[Issue]:
    out = [issue("ledger-transaction-no-block", sheet="transactions", value=e2e, source=source)
           for e2e, source in _rows(
               led, "SELECT end_to_end_id, source FROM transactions "
                    "WHERE payment_info_id IS NULL AND source != 'import' ORDER BY rowid")]
    out += [issue("ledger-block-unknown", sheet="transactions", value=e2e, batch=pid)
            for e2e, pid in _rows(
                led, "SELECT end_to_end_id, payment_info_id FROM transactions t "
                     "WHERE payment_info_id IS NOT NULL AND NOT EXISTS "
                     "(SELECT 1 FROM blocks b WHERE b.payment_info_id = t.payment_info_id) "
                     "ORDER BY rowid")]
    return out


def block_totals(led: Ledger, suspense: str) -> list[Issue]:
    rows = _rows(led, """
        SELECT b.payment_info_id, b.count, b.total_cents, count(t.end_to_end_id),
               coalesce(sum(t.amount_cents), 0)
        FROM blocks b LEFT JOIN transactions t ON t.payment_info_id = b.payment_info_id
        GROUP BY b.payment_info_id ORDER BY b.rowid""")
    return [issue("ledger-block-totals", sheet="blocks", value=pid, count=count, total=_euros(total),
                  found_count=n, found_total=_euros(s))
            for pid, count, total, n, s in rows if (count, total) != (n, s)]


def message_totals(led: Ledger, suspense: str) -> list[Issue]:
    out = [issue("ledger-message-unknown", sheet="blocks", value=pid, message=mid)
           for pid, mid in _rows(led, "SELECT payment_info_id, message_id FROM blocks b WHERE NOT EXISTS "
                                      "(SELECT 1 FROM messages m WHERE m.message_id = b.message_id) "
                                      "ORDER BY rowid")]
    rows = _rows(led, """
        SELECT m.message_id, m.count, m.total_cents, coalesce(sum(b.count), 0),
               coalesce(sum(b.total_cents), 0)
        FROM messages m LEFT JOIN blocks b ON b.message_id = m.message_id
        GROUP BY m.message_id ORDER BY m.rowid""")
    out += [issue("ledger-message-totals", sheet="messages", value=mid, count=count, total=_euros(total),
                  found_count=n, found_total=_euros(s))
            for mid, count, total, n, s in rows if (count, total) != (n, s)]
    return out


def journal_balanced(led: Ledger, suspense: str) -> list[Issue]:
    lines = led.frame("SELECT 'run ' || run_id || ', ' || entry AS entry, debit_cents, credit_cents "
                      "FROM journal ORDER BY line_id",
                      schema={"entry": pl.Utf8, "debit_cents": pl.Int64, "credit_cents": pl.Int64})
    return [issue("ledger-journal-unbalanced", sheet="journal", detail=d)
            for d in bookings.unbalanced_entries(lines)]


def suspense_balances(led: Ledger, suspense: str) -> list[Issue]:
    """`status.batch_balances` (SQL) against the same balance recomputed from the rows."""
    from incasso_sheets.ledger.status import batch_balances

    blocks = led.frame("SELECT payment_info_id AS batch, total_cents FROM blocks",
                       schema={"batch": pl.Utf8, "total_cents": pl.Int64})
    lines = led.frame("SELECT batch, account, debit_cents, credit_cents FROM journal",
                      schema={"batch": JOURNAL_SCHEMA["batch"], "account": pl.Utf8,
                              "debit_cents": pl.Int64, "credit_cents": pl.Int64})
    on_suspense = lines.filter(pl.col("account") == suspense)
    out = [issue("ledger-block-unknown", sheet="journal", value=batch or "", batch=batch or "")
           for batch in on_suspense.filter(~pl.col("batch").is_in(blocks["batch"].implode())
                                           | pl.col("batch").is_null())["batch"].unique(
                                               maintain_order=True)]
    moved = on_suspense.group_by("batch").agg(
        (pl.col("debit_cents").fill_null(0) - pl.col("credit_cents").fill_null(0)).sum().alias("moved"))
    expected = dict(blocks.join(moved, on="batch", how="left").select(
        "batch", pl.col("total_cents") + pl.col("moved").fill_null(0)).iter_rows())
    for pid, shown in batch_balances(led, suspense):
        if expected.get(pid) != shown:
            out.append(issue("ledger-suspense-mismatch", sheet="blocks", value=pid, shown=_euros(shown),
                             booked=_euros(expected.get(pid, 0))))
    return out


def runs_finished(led: Ledger, suspense: str) -> list[Issue]:
    return [issue("ledger-run-unfinished", sheet="runs", value=str(run_id), command=command,
                  created=created)
            for run_id, command, created in _rows(
                led, "SELECT run_id, command, created_at FROM runs WHERE state != 'done' ORDER BY run_id")]


def ids_unique(led: Ledger, suspense: str) -> list[Issue]:
    """Each EndToEndId, PmtInfId and MsgId once (the primary keys say so, unless the file
    was made or changed by something else)."""
    out = []
    for table, column, kind in (("transactions", "end_to_end_id", "EndToEndId"),
                                ("blocks", "payment_info_id", "PmtInfId"),
                                ("messages", "message_id", "MsgId")):
        out += [issue("ledger-id-duplicate", sheet=table, value=ident, kind=kind, count=n)
                for ident, n in _rows(led, f"SELECT {column}, count(*) FROM {table} "
                                           f"GROUP BY {column} HAVING count(*) > 1 ORDER BY 1")]
    return out


def statuses_known(led: Ledger, suspense: str) -> list[Issue]:
    """Every status one of its enum: a status outside it would be read as neither
    collected nor returned (the schema's CHECK holds for transactions, unless the file was
    changed by something else; mandates have no CHECK)."""
    out = []
    for table, key, enum in (("transactions", "end_to_end_id", TransactionStatus),
                             ("mandates", "mandate_id", MandateStatus)):
        allowed = ", ".join(enum)
        marks = ", ".join("?" * len(enum))
        out += [issue("ledger-status-unknown", sheet=table, value=ident, status=status, allowed=allowed)
                for ident, status in _rows(led, f"SELECT {key}, status FROM {table} "
                                                f"WHERE status IS NULL OR status NOT IN ({marks}) "
                                                "ORDER BY rowid", tuple(enum))]
    return out


def _euros(cents: int | None) -> str:
    from incasso_sheets.core.money import format_cents

    return format_cents(cents or 0)


_CHECKS = (integrity, foreign_keys, transactions_in_blocks, block_totals, message_totals,
           journal_balanced, suspense_balances, runs_finished, ids_unique, statuses_known)
