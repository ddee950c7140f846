"""The ledger: an embedded SQLite file (incasso.db beside incasso.toml) that remembers
what a run must never forget.

It holds every message, block and transaction id ever used (never reused), which invoice
went into which block (never collected twice), each mandate's last collected values (for
sequence types and amendments) and status, the statement entries already booked, and the
clearing journal. Every run is one transaction:

1. the command writes its outputs to temporary files in the output folder;
2. `commit_run` inserts the run's rows and the list of (temporary, final) file names in
   one SQLite transaction, with the run marked `committed`;
3. the files are renamed into place and the run is marked `done`.

A crash before 2 leaves no ledger rows (temporary files are swept by the next run); a
crash between 2 and 3 is finished by the next run (`recover`), which renames what is
left. A lock file makes a second concurrent run wait, then give up with a clear message.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from incasso_sheets.errors import CannotContinue

FILENAME = "incasso.db"
SCHEMA_VERSION = 1
TEMP_PREFIX = ".incasso-tmp-"

_SCHEMA_V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE runs (
    run_id INTEGER PRIMARY KEY,
    command TEXT NOT NULL,
    created_at TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('committed', 'done')),
    files TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE messages (
    message_id TEXT PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs,
    created_at TEXT NOT NULL,
    scheme TEXT NOT NULL,
    format TEXT NOT NULL,
    count INTEGER NOT NULL,
    total_cents INTEGER NOT NULL,
    file TEXT NOT NULL
);
CREATE TABLE blocks (
    payment_info_id TEXT PRIMARY KEY,
    message_id TEXT NOT NULL REFERENCES messages,
    scheme TEXT NOT NULL,
    sequence_type TEXT NOT NULL,
    collection_date TEXT NOT NULL,
    count INTEGER NOT NULL,
    total_cents INTEGER NOT NULL
);
CREATE TABLE transactions (
    end_to_end_id TEXT PRIMARY KEY,
    payment_info_id TEXT REFERENCES blocks,
    invoice_number TEXT NOT NULL,
    invoice_date TEXT,
    due_date TEXT,
    description TEXT,
    debtor_id TEXT,
    mandate_key TEXT,
    mandate_id TEXT,
    iban TEXT,
    amount_cents INTEGER NOT NULL,
    attempt INTEGER NOT NULL DEFAULT 1,
    sequence_type TEXT,
    collection_date TEXT,
    status TEXT NOT NULL CHECK (status IN ('collected', 'settled', 'rejected', 'returned')),
    reason_code TEXT,
    status_date TEXT,
    source TEXT NOT NULL DEFAULT 'incasso'
);
CREATE INDEX transactions_invoice ON transactions (invoice_number);
CREATE INDEX transactions_mandate ON transactions (mandate_key);
CREATE INDEX transactions_block ON transactions (payment_info_id);
CREATE TABLE mandates (
    mandate_key TEXT PRIMARY KEY,
    mandate_id TEXT NOT NULL,
    debtor_id TEXT,
    iban TEXT,
    mandate_date TEXT,
    last_collection_date TEXT,
    status TEXT NOT NULL DEFAULT 'active',
    status_reason TEXT,
    history_source TEXT NOT NULL DEFAULT 'incasso'
);
CREATE INDEX mandates_debtor ON mandates (debtor_id);
CREATE TABLE statement_entries (
    entry_key TEXT PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs,
    file TEXT NOT NULL,
    kind TEXT NOT NULL
);
CREATE TABLE journal (
    line_id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs,
    event TEXT NOT NULL,
    entry TEXT NOT NULL,
    date TEXT NOT NULL,
    account TEXT NOT NULL,
    description TEXT,
    debit_cents INTEGER,
    credit_cents INTEGER,
    debtor_id TEXT,
    invoice_number TEXT,
    batch TEXT,
    mandate_id TEXT,
    end_to_end_id TEXT
);
CREATE INDEX journal_batch ON journal (batch);
"""

_MIGRATIONS: dict[int, str] = {1: _SCHEMA_V1}


@dataclass(frozen=True)
class PlannedFile:
    temp: Path
    final: Path


class Ledger:
    """An open ledger; use `Ledger.open(path)` as a context manager."""

    def __init__(self, path: Path, conn: sqlite3.Connection, lock: int | None):
        self.path = path
        self.conn = conn
        self._lock = lock
        self.recovered: list[Path] = []  # files of an interrupted run finished on opening

    # --- opening, locking, migrating ------------------------------------------------------

    @classmethod
    @contextlib.contextmanager
    def open(cls, path: Path, *, wait_seconds: float = 30.0, create: bool = True) -> Iterator[Ledger]:
        path = Path(path)
        if not path.exists() and not create:
            raise CannotContinue("ledger-not-found", path=path)
        lock = _acquire_lock(path.with_name(path.name + ".lock"), wait_seconds)
        try:
            conn = sqlite3.connect(path, isolation_level=None)
        except sqlite3.Error as exc:
            os.close(lock)
            raise CannotContinue("ledger-unreadable", path=path, reason=exc) from exc
        ledger = cls(path, conn, lock)
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            ledger._migrate()
            ledger.recovered = ledger.recover()
            yield ledger
        except sqlite3.DatabaseError as exc:
            raise CannotContinue("ledger-unreadable", path=path, reason=exc) from exc
        finally:
            conn.close()
            os.close(lock)

    @classmethod
    @contextlib.contextmanager
    def open_read_only(cls, path: Path) -> Iterator[Ledger | None]:
        """For dry runs: read the ledger if there is one; never create, lock or change it."""
        if not Path(path).exists():
            yield None
            return
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            ledger = cls(Path(path), conn, None)
            row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            if row is None or int(row[0]) != SCHEMA_VERSION:
                raise CannotContinue("ledger-too-new", path=path, version=row and row[0],
                                     supported=SCHEMA_VERSION)
            yield ledger
        except sqlite3.DatabaseError as exc:
            raise CannotContinue("ledger-unreadable", path=path, reason=exc) from exc
        finally:
            conn.close()

    def _migrate(self) -> None:
        has_meta = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'").fetchone()
        version = 0
        if has_meta:
            row = self.conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            version = int(row[0]) if row else 0
        elif self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            raise CannotContinue("ledger-unreadable", path=self.path, reason="not an incasso ledger")
        if version > SCHEMA_VERSION:
            raise CannotContinue("ledger-too-new", path=self.path, version=version,
                                 supported=SCHEMA_VERSION)
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with self.transaction():
                for statement in _MIGRATIONS[target].split(";"):
                    if statement.strip():
                        self.conn.execute(statement)
                self.conn.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)", (str(target),))

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    # --- the run protocol -------------------------------------------------------------------

    def recover(self) -> list[Path]:
        """Finish runs that committed but crashed before renaming their files."""
        finished: list[Path] = []
        rows = self.conn.execute("SELECT run_id, files FROM runs WHERE state = 'committed'").fetchall()
        for run_id, files in rows:
            for temp, final in json.loads(files):
                temp_path, final_path = Path(temp), Path(final)
                if temp_path.exists():
                    os.replace(temp_path, final_path)
                    finished.append(final_path)
            _fsync_dirs(Path(final).parent for _, final in json.loads(files))
            self.conn.execute("UPDATE runs SET state = 'done' WHERE run_id = ?", (run_id,))
        return finished

    def next_run_id(self) -> int:
        row = self.conn.execute("SELECT coalesce(max(run_id), 0) + 1 FROM runs").fetchone()
        return int(row[0])

    def commit_run(self, command: str, created_at: dt.datetime, files: list[PlannedFile],
                   write) -> int:
        """One transaction: the run row (state committed), then `write(conn, run_id)`.

        If the transaction fails, the temporary files are deleted. Once it has committed
        they belong to the run: a failure while renaming leaves them for `recover`, which
        the next run does (deleting them would lose files the ledger says were written).
        """
        from incasso_sheets import faults

        try:
            with self.transaction() as conn:
                run_id = self.next_run_id()
                # Absolute paths: the next run may start in another folder.
                conn.execute(
                    "INSERT INTO runs (run_id, command, created_at, state, files) "
                    "VALUES (?, ?, ?, 'committed', ?)",
                    (run_id, command, created_at.isoformat(),
                     json.dumps([[str(f.temp.absolute()), str(f.final.absolute())] for f in files])))
                write(conn, run_id)
                faults.point("ledger-before-commit")
        except BaseException:
            for f in files:
                f.temp.unlink(missing_ok=True)
            raise
        faults.point("after-ledger-commit")
        for f in files:
            os.replace(f.temp, f.final)
            faults.point("between-renames")
        _fsync_dirs(f.final.parent for f in files)
        self.conn.execute("UPDATE runs SET state = 'done' WHERE run_id = ?", (run_id,))
        return run_id

    # --- ids ----------------------------------------------------------------------------------

    def peek_counter(self, name: str) -> int:
        row = self.conn.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()
        return int(row[0]) if row else 0

    @staticmethod
    def set_counter(conn: sqlite3.Connection, name: str, value: int) -> None:
        conn.execute("INSERT INTO counters (name, value) VALUES (?, ?) "
                     "ON CONFLICT (name) DO UPDATE SET value = excluded.value", (name, value))

    # --- reading state as frames ----------------------------------------------------------

    def frame(self, sql: str, params: Iterable = (), schema: dict | None = None) -> pl.DataFrame:
        cursor = self.conn.execute(sql, tuple(params))
        names = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
        return pl.DataFrame(rows, schema=schema or names, orient="row")


def _acquire_lock(lock_path: Path, wait_seconds: float) -> int:
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                os.close(fd)
                raise
            if time.monotonic() >= deadline:
                os.close(fd)
                raise CannotContinue("ledger-busy", path=lock_path.with_suffix("")) from exc
            time.sleep(0.1)


def _fsync_dirs(folders: Iterable[Path]) -> None:
    for folder in set(folders):
        try:
            fd = os.open(folder, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def sweep_temp_files(folder: Path) -> list[Path]:
    """Delete temporary files of runs that never committed (call after `recover`)."""
    removed = []
    if folder.is_dir():
        for path in folder.glob(TEMP_PREFIX + "*"):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


# --- what collect needs to know -----------------------------------------------------------

def load_history(ledger: Ledger):
    """The ledger's memory as frames for collect.select: invoices, mandates, used ids."""
    from incasso_sheets.collect.select import HISTORY_INVOICES, HISTORY_MANDATES, History

    invoices = ledger.frame(
        """SELECT t.invoice_number, t.attempt AS last_attempt, t.status AS last_status,
                  t.payment_info_id AS last_batch, t.reason_code AS last_reason,
                  t.iban AS last_iban, t.mandate_id AS last_mandate_id,
                  (SELECT count(*) FROM transactions r WHERE r.invoice_number = t.invoice_number
                   AND r.reason_code = t.reason_code) AS same_reason_count
           FROM transactions t
           JOIN (SELECT invoice_number, max(attempt) AS attempt FROM transactions
                 GROUP BY invoice_number) m
             ON m.invoice_number = t.invoice_number AND m.attempt = t.attempt""",
        schema=HISTORY_INVOICES)
    mandates = ledger.frame(
        """SELECT m.mandate_key, m.mandate_id, m.debtor_id, m.iban, m.mandate_date,
                  m.last_collection_date, m.status, m.status_reason,
                  (m.history_source != 'incasso' OR EXISTS (
                      SELECT 1 FROM transactions t WHERE t.mandate_key = m.mandate_key
                      AND t.status IN ('collected', 'settled'))) AS used,
                  EXISTS (SELECT 1 FROM transactions t WHERE t.mandate_key = m.mandate_key
                      AND t.status IN ('collected', 'settled')
                      AND t.sequence_type IN ('OOFF', 'FNAL')) AS used_up,
                  m.history_source
           FROM mandates m""")
    mandates = mandates.with_columns(
        pl.col("mandate_date").cast(pl.Utf8).str.to_date(strict=False),
        pl.col("last_collection_date").cast(pl.Utf8).str.to_date(strict=False),
        pl.col("used").cast(pl.Boolean), pl.col("used_up").cast(pl.Boolean),
    ).select(list(HISTORY_MANDATES)).cast(HISTORY_MANDATES) if mandates.height else pl.DataFrame(
        schema=HISTORY_MANDATES)
    ids = ledger.frame("SELECT end_to_end_id FROM transactions", schema={"end_to_end_id": pl.Utf8})
    return History(invoices, mandates, ids["end_to_end_id"])


def record_collection(conn: sqlite3.Connection, run_id: int, message, file_name: str, fmt: str,
                      collections: pl.DataFrame) -> None:
    """Messages, blocks and transactions of one file; mandates' last collected values."""
    conn.execute(
        "INSERT INTO messages (message_id, run_id, created_at, scheme, format, count, total_cents, file) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (message.message_id, run_id, message.created_at.isoformat(), message.blocks[0].scheme, fmt,
         message.count, message.total_cents, file_name))
    for block in message.blocks:
        conn.execute(
            "INSERT INTO blocks (payment_info_id, message_id, scheme, sequence_type, collection_date, "
            "count, total_cents) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (block.payment_info_id, message.message_id, block.scheme, block.sequence_type,
             block.collection_date.isoformat(), block.count, block.total_cents))
        extra = block.transactions.select("end_to_end_id").join(
            collections.select("end_to_end_id", "mandate_key", "attempt", "invoice_date", "due_date",
                               "description"), on="end_to_end_id", how="left")
        rows = block.transactions.with_columns(
            *[extra[c] for c in ("mandate_key", "attempt", "description")],
            *[extra[c].dt.strftime("%Y-%m-%d") for c in ("invoice_date", "due_date")])
        conn.executemany(
            "INSERT INTO transactions (end_to_end_id, payment_info_id, invoice_number, invoice_date, "
            "due_date, description, debtor_id, mandate_key, mandate_id, iban, amount_cents, attempt, "
            "sequence_type, collection_date, status) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'collected')",
            rows.select("end_to_end_id", pl.lit(block.payment_info_id).alias("_pid"), "invoice_number",
                        "invoice_date", "due_date", "description", "debtor_id", "mandate_key",
                        "mandate_id", "debtor_iban", "amount_cents", "attempt",
                        pl.lit(block.sequence_type).alias("_seq"),
                        pl.lit(block.collection_date.isoformat()).alias("_day")).iter_rows())


def record_mandates(conn: sqlite3.Connection, collections: pl.DataFrame) -> None:
    """Remember each collected mandate's current values (clears detected amendments)."""
    latest = (collections.sort("collection_date").group_by("mandate_key").last()
              .select("mandate_key", "mandate_id", "debtor_id", "iban", "mandate_date", "collection_date"))
    conn.executemany(
        """INSERT INTO mandates (mandate_key, mandate_id, debtor_id, iban, mandate_date, last_collection_date)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (mandate_key) DO UPDATE SET mandate_id = excluded.mandate_id,
             debtor_id = excluded.debtor_id, iban = excluded.iban, mandate_date = excluded.mandate_date,
             last_collection_date = max(coalesce(last_collection_date, ''), excluded.last_collection_date)""",
        ((k, m, d, i, md.isoformat() if md else None, cd.isoformat())
         for k, m, d, i, md, cd in latest.iter_rows()))
