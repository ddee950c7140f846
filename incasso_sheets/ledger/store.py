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

The temporary files, their names and the renames are output_plan's: a crash before 2
leaves no ledger rows (the next run of this ledger sweeps its own temporary files); a
crash between 2 and 3 is finished by the next run (`recover`), which puts what is left in
place under each folder's output lock and never over a file it did not make. A lock file (incasso.db.lock, flock) makes a second concurrent run wait
(LOCK_WAIT_SECONDS, or INCASSO_LOCK_WAIT seconds), then give up with `ledger-busy` (exit 3).
Read-only opens (status, dry runs, `ledger check`) take no lock: SQLite's WAL gives them
the last committed state, never half a run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import json
import os
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path

import polars as pl

from incasso_sheets.core.errors import CannotContinue
from incasso_sheets.core.identity import identity_key, identity_key_expr
from incasso_sheets.core.model import TransactionStatus
from incasso_sheets.runtime import output_plan
from incasso_sheets.runtime.durable import fsync_dirs
from incasso_sheets.runtime.output_plan import PlannedFile

FILENAME = "incasso.db"
SCHEMA_VERSION = 3
TEMP_PREFIX = output_plan.TEMP_PREFIX
LOCK_WAIT_SECONDS = 30.0  # how long a second run waits; INCASSO_LOCK_WAIT overrides it
FETCH_ROWS = 50_000
LOOKUP_RATIO = 8  # load_history looks the sheet's invoices up when the ledger holds 8x as many

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



def sql_in(column: str, values: Iterable[str]) -> str:
    """`column` equal to one of `values` (enum members), as SQL comparisons (see v2)."""
    return "(" + " OR ".join(f"{column} = '{value}'" for value in values) + ")"


_STATUS_CHECK_V1 = "CHECK (status IN ('collected', 'settled', 'rejected', 'returned'))"
_STATUS_CHECK_V2 = "CHECK " + sql_in("status", TransactionStatus)


def _status_check_as_comparisons(conn: sqlite3.Connection) -> None:
    """v2: the same CHECK on transactions.status, written as comparisons. SQLite evaluates
    `IN (list)` in a CHECK by building a small table for every row inserted: 1.3 s of the
    6 s a million collected invoices took to record. SQLite cannot change a constraint in
    place, so the table is made again (its rows, rowids and indexes the same)."""
    table_sql = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'transactions'").fetchone()[0]
    if _STATUS_CHECK_V1 not in table_sql:
        raise sqlite3.DatabaseError("transactions: the status CHECK of schema version 1 is not there")
    indexes = [sql for (sql,) in conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'transactions' "
        "AND sql IS NOT NULL ORDER BY rowid")]
    columns = ", ".join(f'"{name}"' for _, name, *_ in conn.execute("PRAGMA table_info(transactions)"))
    conn.execute(table_sql.replace(_STATUS_CHECK_V1, _STATUS_CHECK_V2)
                 .replace("CREATE TABLE transactions", "CREATE TABLE transactions_v2", 1))
    conn.execute(f"INSERT INTO transactions_v2 (rowid, {columns}) SELECT rowid, {columns} FROM transactions")
    conn.execute("DROP TABLE transactions")
    conn.execute("ALTER TABLE transactions_v2 RENAME TO transactions")
    for sql in indexes:
        conn.execute(sql)


def _identity_and_owner(conn: sqlite3.Connection) -> None:
    """v3: each transaction's invoice identity (`identity.identity_key` of its number, with
    an index: the already-collected lookup stays an index lookup), and the ledger's own id
    in meta (a random UUID; the creditor identifier is added by the first writing run,
    `Ledger.open`). The index on the spelling goes: nothing looks an invoice up by its
    spelling any more, and each index costs every insert."""
    conn.execute("ALTER TABLE transactions ADD COLUMN invoice_key TEXT")
    conn.create_function("identity_key", 1, identity_key, deterministic=True)
    conn.execute("UPDATE transactions SET invoice_key = identity_key(invoice_number)")
    conn.execute("DROP INDEX transactions_invoice")
    conn.execute("CREATE INDEX transactions_invoice_key ON transactions (invoice_key)")
    conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('ledger_id', ?)", (str(uuid.uuid4()),))


# version -> SQL statements (or a function of the connection) that bring the schema from
# version - 1 to version; each runs in its own transaction with the new schema_version.
_MIGRATIONS: dict[int, str | Callable[[sqlite3.Connection], None]] = {
    1: _SCHEMA_V1,
    2: _status_check_as_comparisons,
    3: _identity_and_owner,
}


def path_for(settings) -> Path:
    """The ledger of these settings: incasso.db beside the settings file itself, its
    symbolic links resolved. Two folders that share one settings file through a link share
    its ledger, so they never collect the same invoices twice."""
    return Path(settings.path).resolve().with_name(FILENAME)


def same_creditor(a: str, b: str) -> bool:
    """Creditor identifiers compare without case and spaces (NL98 ZZZ ... = nl98zzz...)."""
    return "".join(a.split()).upper() == "".join(b.split()).upper()


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
    def open(cls, path: Path, *, wait_seconds: float | None = None, create: bool = True,
             creditor_id: str | None = None) -> Iterator[Ledger]:
        """Lock, open, migrate and recover; `wait_seconds` (default: `lock_wait()`) is how
        long to wait for another run's lock before giving up with `ledger-busy`.

        `creditor_id` (a writing command's settings): the ledger must be this creditor's;
        a ledger that does not know its creditor yet (made before schema 3) learns it here.
        A new ledger is made only where there is no file at all: an empty or unreadable
        `incasso.db` stops the run (`_refuse_empty`)."""
        path = Path(path)
        if not os.path.lexists(path) and not create:
            raise CannotContinue("ledger-not-found", path=path)
        wait = lock_wait() if wait_seconds is None else wait_seconds
        lock = _acquire_lock(path.with_name(path.name + ".lock"), wait)
        try:
            if not os.path.lexists(path):
                _create(path)
            _refuse_empty(path)
            # One thread uses the connection at a time; `beside` hands it to another for a while.
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            os.close(lock)
            raise CannotContinue("ledger-unreadable", path=path, reason=exc) from exc
        except BaseException:
            os.close(lock)
            raise
        ledger = cls(path, conn, lock)
        try:
            # The version first: a newer or foreign file is refused before anything (even
            # the journal mode) could change a byte of it.
            version = ledger._schema_version()
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            ledger._migrate(version)
            if creditor_id is not None:
                ledger._bind(creditor_id)
            ledger.recovered = ledger.recover()
            yield ledger
        except sqlite3.DatabaseError as exc:
            raise CannotContinue("ledger-unreadable", path=path, reason=exc) from exc
        finally:
            conn.close()
            os.close(lock)

    @classmethod
    @contextlib.contextmanager
    def open_read_only(cls, path: Path, *, creditor_id: str | None = None) -> Iterator[Ledger | None]:
        """For status, dry runs and checks: read the ledger if there is one; never create or
        lock it. Takes no lock, so it never waits for a run; WAL shows it the last committed
        state. The one change it may make: a ledger of an older schema is first upgraded in
        place (under the lock, like any run); a newer one is refused. With `creditor_id`
        (a dry run, `debtors update`), another creditor's ledger is refused."""
        if not os.path.lexists(path):
            yield None
            return
        _refuse_empty(Path(path))
        if _peek_version(Path(path)) < SCHEMA_VERSION:
            with cls.open(path, create=False):
                pass
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            ledger = cls(Path(path), conn, None)
            if ledger._schema_version() != SCHEMA_VERSION:
                raise CannotContinue("ledger-unreadable", path=path, reason="not an incasso ledger")
            if creditor_id is not None:
                ledger.refuse_other_creditor(creditor_id)
            yield ledger
        except sqlite3.DatabaseError as exc:
            raise CannotContinue("ledger-unreadable", path=path, reason=exc) from exc
        finally:
            conn.close()

    # --- whose ledger it is -----------------------------------------------------------------

    def _meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    @property
    def ledger_id(self) -> str:
        """The ledger's own id: a random UUID made when it was created (or upgraded to
        schema 3). Not the IBAN: a creditor may change bank or collect on several accounts."""
        return self._meta("ledger_id") or ""

    @property
    def creditor_id(self) -> str | None:
        """The creditor identifier whose collections this ledger holds (None: not known
        yet, an older ledger no writing run has opened since schema 3)."""
        return self._meta("creditor_id")

    def other_creditor(self, creditor_id: str) -> str | None:
        """The ledger's creditor identifier when it is not `creditor_id`, else None."""
        mine = self.creditor_id
        return mine if mine is not None and not same_creditor(mine, creditor_id) else None

    def refuse_other_creditor(self, creditor_id: str) -> None:
        """Stop (exit 3) when this ledger belongs to another creditor: that creditor's
        invoices would pass for collected here, and its ids would be taken for ours."""
        other = self.other_creditor(creditor_id)
        if other is not None:
            raise CannotContinue("ledger-other-creditor", path=self.path, ledger=other,
                                 settings=creditor_id)

    def _bind(self, creditor_id: str) -> None:
        self.refuse_other_creditor(creditor_id)
        if self.creditor_id is None:
            with self.transaction():
                self.conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('creditor_id', ?)",
                                  (creditor_id,))

    def _schema_version(self) -> int:
        """The file's schema version (0: empty); refuses a newer or a foreign file."""
        has_meta = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'").fetchone()
        version = 0
        if has_meta:
            row = self.conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            text = str(row[0]).strip() if row else "0"
            if not text.isdigit():
                raise CannotContinue("ledger-unreadable", path=self.path,
                                     reason=f"schema version {text!r}")
            version = int(text)
        elif self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            raise CannotContinue("ledger-unreadable", path=self.path, reason="not an incasso ledger")
        if version > SCHEMA_VERSION:
            raise CannotContinue("ledger-too-new", path=self.path, version=version,
                                 supported=SCHEMA_VERSION)
        return version

    def _migrate(self, version: int | None = None) -> None:
        """Run the migrations after `version` in order, each in its own transaction."""
        if version is None:
            version = self._schema_version()
        for target in range(version + 1, SCHEMA_VERSION + 1):
            step = _MIGRATIONS[target]
            with self.transaction():
                if callable(step):  # a migration that needs Python, not just SQL
                    step(self.conn)
                else:
                    for statement in step.split(";"):
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
            if self.conn.in_transaction:  # an interrupted statement has rolled it back already
                self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    # --- the run protocol -------------------------------------------------------------------

    def recover(self) -> list[Path]:
        """Finish runs that committed but crashed before renaming their files."""
        finished: list[Path] = []
        rows = self.conn.execute("SELECT run_id, files FROM runs WHERE state = 'committed'").fetchall()
        owner = self.owner()
        for run_id, files in rows:
            planned = [PlannedFile(Path(temp), Path(final), record=owner) for temp, final in json.loads(files)]
            folders = {f.final.parent for f in planned}
            # Under the folders' output locks, and never over a file this run did not make:
            # a name taken since stops the recovery with output-exists. The folders' records
            # learn the files first, as in the run that was interrupted.
            with output_plan.folders_held(owner, folders):
                output_plan.record_files(planned)
                finished += [f.final for f in planned if output_plan.put_in_place(f)]
                fsync_dirs(folders)
            self.conn.execute("UPDATE runs SET state = 'done' WHERE run_id = ?", (run_id,))
        return finished

    @property
    def identity(self) -> str:
        """Whose ledger this is, as output folders record it (output_plan.ledger_identity)."""
        return output_plan.ledger_identity(self.path)

    def owner(self, settings=None) -> output_plan.Administration:
        """This administration as output folders record it: its identity, the ledger's id,
        and the creditor and settings file of `settings` (without them, as the ledger knows
        the creditor; a folder's record keeps what an earlier run told it)."""
        creditor = settings.creditor if settings is not None else None
        return output_plan.Administration(
            self.identity, self.ledger_id,
            creditor.creditor_id if creditor is not None else self.creditor_id or "",
            creditor.name if creditor is not None else "",
            str(Path(settings.path).absolute()) if settings is not None and settings.path else "")

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
        from incasso_sheets.runtime import faults

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
                # A final name taken while the files were written stops the run here,
                # before anything is committed (the caller holds the folders' locks).
                output_plan.check_free(files)
                faults.point("ledger-before-commit")
        except BaseException:
            for f in files:
                f.temp.unlink(missing_ok=True)
            raise
        faults.point("after-ledger-commit")
        output_plan.commit_files(files)
        self.conn.execute("UPDATE runs SET state = 'done' WHERE run_id = ?", (run_id,))
        return run_id

    @contextlib.contextmanager
    def beside(self, record: Callable[[], None]) -> Iterator[Callable[[], None]]:
        """Run `record` (inserts into the open transaction) in a thread of its own while the
        body goes on in this one: collect's ledger rows are inserted while its files are
        written. Yields `wait`, which waits for `record` and raises its error; leaving the
        body waits too. The body must not use the connection before `wait` returned. When
        the body fails, `record` is interrupted and its error dropped: the body's error is
        the one raised, and the caller's transaction rolls back."""
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ledger")
        future = pool.submit(record)

        def wait_for_record() -> None:
            future.result()

        try:
            yield wait_for_record
        except BaseException:
            while not future.done():  # an interrupt only stops a statement that is running
                self.conn.interrupt()
                wait([future], timeout=0.05)
            raise
        finally:
            pool.shutdown(wait=True)
        wait_for_record()

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
        """The rows of `sql` as a frame, fetched FETCH_ROWS at a time: a million rows as
        Python tuples at once took 700 MB. Without `schema` polars infers the types."""
        cursor = self.conn.execute(sql, tuple(params))
        names = [d[0] for d in cursor.description]
        parts = []
        while rows := cursor.fetchmany(FETCH_ROWS):
            parts.append(pl.DataFrame(rows, schema=schema or names, orient="row"))
        if not parts:
            return pl.DataFrame([], schema=schema or names, orient="row")
        return pl.concat(parts, how="vertical" if schema else "vertical_relaxed")


def _create(path: Path) -> None:
    """A new ledger at `path`, made whole under another name and linked into place: a crash
    while it is made leaves no empty `incasso.db` behind (which `_refuse_empty` would stop
    at). Called under the lock, where no file is; so a half-made one left by a killed run
    is only a leftover, removed here."""
    for leftover in path.parent.glob(f".{path.name}.new-*"):
        leftover.unlink(missing_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.new-", dir=path.parent)
    os.close(fd)
    try:
        conn = sqlite3.connect(temp, isolation_level=None)
        try:
            Ledger(Path(temp), conn, None)._migrate(0)
        finally:
            conn.close()
        with open(temp, "rb") as made:
            os.fsync(made.fileno())
        os.link(temp, path)  # never replaces a file that is there
        fsync_dirs([path.parent])
    finally:
        for leftover in (temp, temp + "-journal"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(leftover)


def _refuse_empty(path: Path) -> None:
    """A ledger file that is empty or cannot be read is never taken for a new ledger: all
    it held would be collected again. A cloud-synced folder shows such an empty
    placeholder until the file has been downloaded."""
    try:
        size = path.stat().st_size
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise CannotContinue("ledger-unreadable", path=path, reason=exc.strerror or exc) from exc
    if size == 0:
        raise CannotContinue("ledger-empty", path=path)


def _peek_version(path: Path) -> int:
    """The schema version of the ledger file at `path`, read only (0: empty)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return Ledger(path, conn, None)._schema_version()
    except sqlite3.DatabaseError as exc:
        raise CannotContinue("ledger-unreadable", path=path, reason=exc) from exc
    finally:
        conn.close()


def lock_wait() -> float:
    """Seconds a run waits for another run's lock: INCASSO_LOCK_WAIT, else LOCK_WAIT_SECONDS."""
    value = os.environ.get("INCASSO_LOCK_WAIT", "").strip()
    if not value:
        return LOCK_WAIT_SECONDS
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 86400:  # also refuses nan and inf
        raise CannotContinue("lock-wait-invalid", value=value)
    return seconds


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
                raise CannotContinue("ledger-busy", path=lock_path.with_suffix(""),
                                     seconds=f"{wait_seconds:g}") from exc
            time.sleep(0.1)


# --- what collect needs to know -----------------------------------------------------------

def load_history(ledger: Ledger, invoice_numbers: pl.Series):
    """What collect.select needs of the ledger for a sheet with these invoice numbers: their
    latest attempts, every mandate, and (at least) the EndToEndIds a collection of them
    could take.

    An invoice is known by its identity (`identity.identity_key`: `INV-0001` is `inv-1`),
    looked up through the index on transactions.invoice_key; `last_invoice_number` is the
    spelling it was collected under. A ledger of years holds millions of transactions
    while a run asks about the invoices in front of it: when the ledger is more than
    LOOKUP_RATIO times the sheet, only the sheet's invoices are looked up."""
    from incasso_sheets.collect.select import HISTORY_INVOICES, History

    size = ledger.conn.execute("SELECT coalesce(max(rowid), 0) FROM transactions").fetchone()[0]
    if size == 0:
        empty = History.empty()  # a first run: nothing to look up
        return History(empty.invoices, load_mandates(ledger), empty.end_to_end_ids)
    numbers = invoice_numbers.drop_nulls().unique().cast(pl.Utf8)
    keys = numbers.to_frame("n").select(identity_key_expr(pl.col("n")).alias("invoice_key")).unique()
    # Looking each number up through the indexes pays when the ledger is much larger than
    # the sheet (years of history); otherwise reading the whole table in its order and
    # keeping the sheet's invoices is quicker (at a million of each: 2 s against 7 s).
    columns = """t.invoice_key, t.invoice_number, t.attempt, t.status,
                 coalesce(t.payment_info_id, t.source || ' ' || coalesce(t.collection_date, '')),
                 t.reason_code, t.iban, t.mandate_id, t.debtor_id, t.invoice_date"""
    schema = {**{k: v for k, v in HISTORY_INVOICES.items() if k != "same_reason_count"},
              "last_invoice_date": pl.Utf8}
    if size > LOOKUP_RATIO * invoice_numbers.len():
        with _sheet_values(ledger.conn, "sheet_keys", keys["invoice_key"]):
            every = ledger.frame(f"SELECT {columns} FROM temp.sheet_keys s "
                                 "JOIN transactions t ON t.invoice_key = s.value", schema=schema)
        with _sheet_values(ledger.conn, "sheet_numbers", numbers):
            # A collection of invoice n takes the EndToEndId n, or n-2, n-3, ... when that
            # is taken (perhaps by another invoice): the ids from n up to (not including)
            # "n." are all it can meet. (An id is spelled as the sheet spells the number.)
            ids = ledger.frame("SELECT t.end_to_end_id FROM temp.sheet_numbers s JOIN transactions t "
                               "ON t.end_to_end_id >= s.value AND t.end_to_end_id < s.value || '.'",
                               schema={"end_to_end_id": pl.Utf8})
    else:
        every = ledger.frame(f"SELECT {columns} FROM transactions t", schema=schema).join(
            keys, on="invoice_key", how="semi")
        ids = ledger.frame("SELECT end_to_end_id FROM transactions", schema={"end_to_end_id": pl.Utf8})
    # Per invoice its latest attempt, and how often the invoice came back with that
    # attempt's reason (a count per row in SQL took twice as long at a million).
    same_reason = (every.filter(pl.col("last_reason").is_not_null())
                   .group_by("invoice_key", "last_reason").len("same_reason_count"))
    invoices = (every.group_by("invoice_key", maintain_order=True)
                .agg(pl.all().sort_by("last_attempt").last())
                .join(same_reason, on=["invoice_key", "last_reason"], how="left", maintain_order="left")
                .with_columns(pl.col("same_reason_count").fill_null(0),
                              pl.col("last_invoice_date").str.to_date(strict=False))
                .select(list(HISTORY_INVOICES)).cast(HISTORY_INVOICES))
    return History(invoices, load_mandates(ledger), ids["end_to_end_id"].unique(maintain_order=True))


@contextlib.contextmanager
def _sheet_values(conn: sqlite3.Connection, table: str, values: pl.Series) -> Iterator[None]:
    """`values` (distinct texts) as the table temp.<table> (value) while the body runs; in
    one JSON text, a million values go in in a tenth of a second (a row per value: a
    second). A temporary table is the connection's own, also on a read-only ledger."""
    text = values.to_frame("n").select(pl.col("n").implode()).write_ndjson()
    conn.execute(f"CREATE TEMP TABLE {table} (value TEXT NOT NULL)")
    try:
        conn.execute(f"INSERT INTO temp.{table} SELECT value FROM json_each(?, '$.n')", (text,))
        yield
    finally:
        conn.execute(f"DROP TABLE temp.{table}")


def load_mandates(ledger: Ledger) -> pl.DataFrame:
    """Every mandate the ledger knows (HISTORY_MANDATES): its last collected values, and
    whether it has been used and used up."""
    from incasso_sheets.collect.select import HISTORY_MANDATES

    # Used: collected at least once (or taken over as used); used up: a one-off or final
    # collection went through. One pass over the transactions in table order: looking them
    # up per mandate through the index took twice as long at a million.
    mandates = ledger.frame(
        """WITH t AS (SELECT mandate_key,
                             max({done}) AS done,
                             max({done} AND sequence_type IN ('OOFF', 'FNAL')) AS used_up
                      FROM transactions NOT INDEXED GROUP BY mandate_key)
           SELECT m.mandate_key, m.mandate_id, m.debtor_id, m.iban, m.mandate_date,
                  m.last_collection_date, m.status, m.status_reason,
                  (m.history_source != 'incasso' OR coalesce(t.done, 0)) AS used,
                  coalesce(t.used_up, 0) AS used_up, m.history_source
           FROM mandates m LEFT JOIN t ON t.mandate_key = m.mandate_key
           ORDER BY m.rowid""".format(done=sql_in("status", TransactionStatus.done())))
    if not mandates.height:
        return pl.DataFrame(schema=HISTORY_MANDATES)
    return mandates.with_columns(
        pl.col("mandate_date").cast(pl.Utf8).str.to_date(strict=False),
        pl.col("last_collection_date").cast(pl.Utf8).str.to_date(strict=False),
        pl.col("used").cast(pl.Boolean), pl.col("used_up").cast(pl.Boolean),
    ).select(list(HISTORY_MANDATES)).cast(HISTORY_MANDATES)


INSERT_CACHE_KIB = 64 * 1024


# What a transaction row needs of a block's frame beyond model.TRANSACTION_SCHEMA: collect
# carries these through batching (batching.build_messages(carry=...)).
CARRIED = ("mandate_key", "attempt", "description", "invoice_date", "due_date")


def record_collection(conn: sqlite3.Connection, run_id: int, messages: list, files: list[str],
                      fmt: str) -> None:
    """Messages, blocks and transactions of a run's files (`files[i]` holds `messages[i]`).

    The transaction rows are made from the blocks' frames a chunk at a time: no frame of
    the whole run is built for the ledger.
    """
    conn.execute(f"PRAGMA cache_size = -{INSERT_CACHE_KIB}")
    with _indexes_built_after(conn, "transactions", sum(m.count for m in messages)):
        for message, file_name in zip(messages, files, strict=True):
            conn.execute(
                "INSERT INTO messages (message_id, run_id, created_at, scheme, format, count, total_cents, "
                "file) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (message.message_id, run_id, message.created_at.isoformat(), message.blocks[0].scheme, fmt,
                 message.count, message.total_cents, file_name))
            for block in message.blocks:
                conn.execute(
                    "INSERT INTO blocks (payment_info_id, message_id, scheme, sequence_type, collection_date, "
                    "count, total_cents) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (block.payment_info_id, message.message_id, block.scheme, block.sequence_type,
                     block.collection_date.isoformat(), block.count, block.total_cents))
                conn.executemany(
                    "INSERT INTO transactions (end_to_end_id, payment_info_id, invoice_number, invoice_date, "
                    "due_date, description, debtor_id, mandate_key, mandate_id, iban, amount_cents, attempt, "
                    "sequence_type, collection_date, status, invoice_key) "
                    f"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '{TransactionStatus.COLLECTED}', ?)",
                    _tuples(block.transactions, _transaction_columns(block)))


def _transaction_columns(block) -> list[pl.Expr]:
    day = "%Y-%m-%d"
    return [pl.col("end_to_end_id"), pl.lit(block.payment_info_id).alias("_pid"), pl.col("invoice_number"),
            pl.col("invoice_date").dt.strftime(day), pl.col("due_date").dt.strftime(day),
            *map(pl.col, ("description", "debtor_id", "mandate_key", "mandate_id", "debtor_iban",
                          "amount_cents", "attempt")),
            pl.lit(block.sequence_type).alias("_seq"), pl.lit(block.collection_date.isoformat()).alias("_day"),
            identity_key_expr(pl.col("invoice_number")).alias("_key")]


BULK_ROWS = 10_000


@contextlib.contextmanager
def _indexes_built_after(conn: sqlite3.Connection, table: str, adding: int) -> Iterator[None]:
    """Within the open transaction: when `adding` rows at least double `table` (a first
    run, say), its indexes are dropped and made again after the inserts. SQLite builds an
    index from sorted keys in a third of the time it takes to insert the keys one by one;
    into a large table, inserting is cheaper than sorting it all again. The indexes come
    back with their own SQL, so the ledger's schema is the same before and after."""
    existing = conn.execute(f"SELECT coalesce(max(rowid), 0) FROM {table}").fetchone()[0]
    indexes = []
    if conn.in_transaction and adding >= max(existing, BULK_ROWS):
        indexes = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL ORDER BY rowid", (table,)).fetchall()
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    yield
    for _, sql in indexes:
        conn.execute(sql)


def _tuples(frame: pl.DataFrame, columns: list[pl.Expr] | None = None,
            chunk_rows: int = 20_000) -> Iterator[tuple]:
    """The rows of `frame` (or of `columns`, expressions over it) as tuples, made from whole
    columns a chunk at a time (a million rows as Python objects at once would take
    gigabytes; a chunk of 20,000 takes about 15 MB)."""
    for offset in range(0, frame.height, chunk_rows):
        part = frame.slice(offset, chunk_rows)
        if columns is not None:
            part = part.select(columns)
        yield from zip(*(s.to_list() for s in part.get_columns()), strict=True)


def latest_mandates(collections: pl.DataFrame) -> pl.DataFrame:
    """Per collected mandate, the values `record_mandates` remembers: those of its latest
    collection in the run (one row per mandate, made before the collections are let go).

    A mandate first seen here that the debtors sheet marked as used (`history_from_sheet`,
    a last collection date taken over from another system) gets history_source 'sheet'.
    """
    from_sheet = (pl.col("history_from_sheet").fill_null(False) if "history_from_sheet" in collections.columns
                  else pl.lit(False))
    # maintain_order: the same run writes its rows in the same order (a stable export)
    return (collections.select("mandate_key", "mandate_id", "debtor_id", "iban", "mandate_date",
                               "collection_date", from_sheet.alias("_from_sheet"))
            .sort("collection_date", maintain_order=True)
            .group_by("mandate_key", maintain_order=True).last()
            .select("mandate_key", "mandate_id", "debtor_id", "iban", "mandate_date", "collection_date",
                    pl.when(pl.col("_from_sheet")).then(pl.lit("sheet")).otherwise(pl.lit("incasso"))
                    .alias("history_source")))


def record_mandates(conn: sqlite3.Connection, latest: pl.DataFrame) -> None:
    """Remember each collected mandate's current values (clears detected amendments);
    `latest` is made by `latest_mandates`."""
    conn.executemany(
        """INSERT INTO mandates (mandate_key, mandate_id, debtor_id, iban, mandate_date, last_collection_date,
                                 history_source)
           VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (mandate_key) DO UPDATE SET mandate_id = excluded.mandate_id,
             debtor_id = excluded.debtor_id, iban = excluded.iban, mandate_date = excluded.mandate_date,
             last_collection_date = max(coalesce(last_collection_date, ''), excluded.last_collection_date)""",
        ((k, m, d, i, md.isoformat() if md else None, cd.isoformat(), source)
         for k, m, d, i, md, cd, source in latest.iter_rows()))


def record_originals(conn: sqlite3.Connection, originals: pl.DataFrame) -> None:
    """The original values of mandates the ledger did not know, taken from the debtors
    sheet by `debtors update` before it changed them (update._original_mandates): history
    source 'sheet', so they count as used. A mandate the ledger knows keeps its values."""
    day = "%Y-%m-%d"
    conn.executemany(
        """INSERT INTO mandates (mandate_key, mandate_id, debtor_id, iban, mandate_date, last_collection_date,
                                 history_source)
           VALUES (?, ?, ?, ?, ?, ?, 'sheet')
           ON CONFLICT (mandate_key) DO NOTHING""",
        originals.select("mandate_key", "mandate_id", "debtor_id", "iban", pl.col("mandate_date").dt.strftime(day),
                         pl.col("last_collection_date").dt.strftime(day)).iter_rows())


def record_import(conn: sqlite3.Connection, transactions: pl.DataFrame, mandates: pl.DataFrame) -> None:
    """Earlier collections taken over from another system (`incasso ledger import`).

    Transactions get source 'import' and no block (payment_info_id NULL): incasso-sheets
    neither wrote nor booked them, so `status` and payout matching leave them alone, while
    the invoices count as collected and their EndToEndIds as used. Mandates get
    history_source 'import' when new; a mandate the ledger knows keeps its values and
    source, and the later of the two last collection dates.
    """
    day = "%Y-%m-%d"
    conn.executemany(
        "INSERT INTO transactions (end_to_end_id, payment_info_id, invoice_number, debtor_id, mandate_key, "
        "mandate_id, iban, amount_cents, attempt, sequence_type, collection_date, status, reason_code, source, "
        "invoice_key) VALUES (?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'import', ?)",
        transactions.select("end_to_end_id", "invoice_number", "debtor_id", "mandate_key", "mandate_id", "iban",
                            "amount_cents", "attempt", "sequence_type",
                            pl.col("collection_date").dt.strftime(day), "status", "reason_code",
                            identity_key_expr(pl.col("invoice_number")).alias("invoice_key")).iter_rows())
    conn.executemany(
        """INSERT INTO mandates (mandate_key, mandate_id, debtor_id, iban, mandate_date, last_collection_date,
                                 history_source)
           VALUES (?, ?, ?, ?, ?, ?, 'import')
           ON CONFLICT (mandate_key) DO UPDATE SET debtor_id = coalesce(debtor_id, excluded.debtor_id),
             iban = coalesce(iban, excluded.iban), mandate_date = coalesce(mandate_date, excluded.mandate_date),
             last_collection_date = max(coalesce(last_collection_date, ''), excluded.last_collection_date)""",
        mandates.select("mandate_key", "mandate_id", "debtor_id", "iban", pl.col("mandate_date").dt.strftime(day),
                        pl.col("last_collection_date").dt.strftime(day)).iter_rows())


# SQLite takes at most 999 variables in older builds: lookups by id go in chunks.
_LOOKUP_CHUNK = 900


def clearing_transactions(conn: sqlite3.Connection, end_to_end_ids: list[str]) -> Iterator[tuple]:
    """(end_to_end_id, payment_info_id, invoice_number, debtor_id, mandate_id, mandate_key,
    amount_cents, status) of the transactions with these EndToEndIds, looked up in chunks."""
    for start in range(0, len(end_to_end_ids), _LOOKUP_CHUNK):
        chunk = end_to_end_ids[start:start + _LOOKUP_CHUNK]
        marks = ",".join("?" * len(chunk))
        yield from conn.execute(
            f"""SELECT end_to_end_id, payment_info_id, invoice_number, debtor_id, mandate_id,
                       mandate_key, amount_cents, status
                FROM transactions WHERE end_to_end_id IN ({marks})""", chunk)


def booked_entry_keys(conn: sqlite3.Connection, keys: list[str]) -> set[str]:
    """Those of `keys` that an earlier clear run recorded as booked statement entries."""
    found: set[str] = set()
    for start in range(0, len(keys), _LOOKUP_CHUNK):
        chunk = keys[start:start + _LOOKUP_CHUNK]
        marks = ",".join("?" * len(chunk))
        found.update(key for (key,) in conn.execute(
            f"SELECT entry_key FROM statement_entries WHERE entry_key IN ({marks})", chunk))
    return found
