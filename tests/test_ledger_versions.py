"""The ledger's schema version: a newer ledger is refused by every command and left byte for
byte as it was; an older one is migrated forward in place, in order, keeping every row."""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from contextlib import closing
from pathlib import Path
from textwrap import dedent

import pytest
from shared import NOW
from test_crash import prepare
from test_crash_matrix import CLEAR_NOW, COMMANDS, UPDATES, bank_files, incasso, ledger_rows

from incasso_sheets.core.errors import CannotContinue
from incasso_sheets.core.identity import identity_key
from incasso_sheets.ledger import store as ledger
from incasso_sheets.ledger.store import Ledger

PAIN008 = "out/INCS-20261127-0001.pain008.xml"
EVERY_COMMAND = {
    "collect": ["collect", "deb.csv", "inv.csv", "-o", "new"],
    "collect --dry-run": ["collect", "deb.csv", "inv.csv", "-o", "new", "--dry-run"],
    "clear": ["clear", "bank", "-o", "new"],
    "clear --dry-run": ["clear", "bank", "-o", "new", "--dry-run"],
    "status": ["status"],
    "debtors update": ["debtors", "update", "deb.csv", "upd.csv", "-o", "new.csv"],
    "debtors update --dry-run": ["debtors", "update", "deb.csv", "upd.csv", "-o", "new.csv",
                                 "--dry-run"],
    "ledger check": ["ledger", "check"],
    "ledger export": ["ledger", "export", "new"],
    "ledger import": ["ledger", "import", PAIN008],
    "ledger import --dry-run": ["ledger", "import", PAIN008, "--dry-run"],
}
# Two versions after the current one, added the way a later release adds them.
CURRENT = ledger.SCHEMA_VERSION
NEXT, AFTER = CURRENT + 1, CURRENT + 2
V_NEXT = "ALTER TABLE transactions ADD COLUMN note TEXT; CREATE TABLE notes (note_id INTEGER PRIMARY KEY)"


@pytest.fixture(scope="module")
def collected(tmp_path_factory) -> Path:
    """A ledger of the current version with one collect run, the bank's answer and an update
    sheet beside it."""
    folder = prepare(tmp_path_factory.mktemp("collected") / "books")
    done = incasso(folder, COMMANDS["collect"][1], NOW)
    assert done.exit_code == 0, done.output
    bank_files(folder)
    (folder / "upd.csv").write_text(dedent(UPDATES).lstrip(), encoding="utf-8")
    return folder


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("incasso.db-"))


def version(db: Path) -> str:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]


@pytest.fixture(scope="module", params=["wal", "delete"])
def newer(collected, tmp_path_factory, request) -> Path:
    """The collected folder with its ledger marked schema 99, in WAL or rollback mode."""
    folder = tmp_path_factory.mktemp(f"newer-{request.param}") / "books"
    shutil.copytree(collected, folder)
    with closing(sqlite3.connect(folder / "incasso.db")) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
        conn.commit()
        conn.execute(f"PRAGMA journal_mode = {request.param}")
    return folder


@pytest.mark.parametrize("command", list(EVERY_COMMAND))
def test_a_newer_ledger_is_refused_by_every_command_and_left_unchanged(newer, command):
    db = newer / "incasso.db"
    before = db.read_bytes()
    names = listing(newer)
    done = incasso(newer, EVERY_COMMAND[command], CLEAR_NOW)
    assert done.exit_code == 3, done.output
    assert done.stderr.endswith("was written by a newer incasso-sheets (schema 99, this one "
                                f"knows {CURRENT}); upgrade first\n")
    assert db.read_bytes() == before
    assert listing(newer) == names  # nothing written (SQLite's -wal/-shm aside, left empty)
    assert all(p.stat().st_size == 0 for p in newer.glob("incasso.db-wal"))


def version_0(db: Path) -> None:
    """An SQLite file without a table: version 0. (An empty file of 0 bytes is refused:
    tests/test_identity.py.)"""
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("CREATE TABLE scratch (x)")
        conn.execute("DROP TABLE scratch")
    assert db.stat().st_size > 0


def test_an_empty_file_is_version_0_and_becomes_the_current_schema(tmp_path):
    db = tmp_path / "incasso.db"
    version_0(db)
    with Ledger.open(db) as led:
        assert led.next_run_id() == 1
    assert version(db) == str(ledger.SCHEMA_VERSION)


def test_status_upgrades_an_older_ledger_before_reading_it(tmp_path):
    folder = prepare(tmp_path)
    version_0(folder / "incasso.db")
    done = incasso(folder, ["status", "--format", "json"], NOW)
    assert done.exit_code == 0, done.output
    assert done.stdout == "[]\n"
    assert version(folder / "incasso.db") == str(ledger.SCHEMA_VERSION)


def test_a_bad_schema_version_is_refused_not_guessed(tmp_path):
    db = tmp_path / "incasso.db"
    with Ledger.open(db) as led:
        led.conn.execute("UPDATE meta SET value = 'two' WHERE key = 'schema_version'")
    with pytest.raises(CannotContinue) as caught, Ledger.open(db):
        pass
    assert caught.value.code == "ledger-unreadable"
    assert "schema version 'two'" in str(caught.value)


@pytest.fixture
def future(monkeypatch):
    """Schema versions NEXT (SQL) and AFTER (Python) added the way a later release adds them."""
    applied: list[int] = []

    def v_next(conn):
        applied.append(NEXT)
        for statement in V_NEXT.split(";"):
            conn.execute(statement)

    def v_after(conn):
        applied.append(AFTER)
        conn.execute("UPDATE transactions SET note = 'from before'")  # needs NEXT's column

    monkeypatch.setattr(ledger, "_MIGRATIONS", {**ledger._MIGRATIONS, NEXT: v_next, AFTER: v_after})
    monkeypatch.setattr(ledger, "SCHEMA_VERSION", AFTER)
    return applied


def test_migrations_upgrade_a_ledger_in_place_in_order(collected, tmp_path, future):
    folder = shutil.copytree(collected, tmp_path / "books")
    db = folder / "incasso.db"
    rows = ledger_rows(folder)
    with Ledger.open(db):
        pass
    assert future == [NEXT, AFTER]
    assert version(db) == str(AFTER)
    upgraded = ledger_rows(folder)
    assert {t: r for t, r in upgraded.items() if t != "transactions"} == {
        t: r for t, r in rows.items() if t != "transactions"}
    assert [r[:-1] for r in upgraded["transactions"]] == rows["transactions"]  # every row kept
    assert {r[-1] for r in upgraded["transactions"]} == {"from before"}  # the new column, filled
    with Ledger.open(db):
        pass
    assert future == [NEXT, AFTER]  # each migration once

    # The upgraded ledger still knows what was collected.
    again = incasso(folder, COMMANDS["collect"][1], NOW)
    assert again.exit_code == 0, again.output
    assert again.stdout.endswith("Nothing to collect.\n")
    checked = incasso(folder, ["ledger", "check"], NOW)
    assert checked.stdout == "Ledger OK: 2 messages, 3 batches, 4 transactions\n"


def test_a_new_ledger_gets_every_migration_in_order(tmp_path, future):
    db = tmp_path / "incasso.db"
    with Ledger.open(db):
        pass
    assert future == [NEXT, AFTER]
    assert version(db) == str(AFTER)


def test_a_read_only_command_upgrades_an_older_ledger_first(collected, tmp_path, future):
    folder = shutil.copytree(collected, tmp_path / "books")
    done = incasso(folder, ["status", "--format", "json", "--all"], NOW)
    assert done.exit_code == 0, done.output
    assert future == [NEXT, AFTER]
    assert version(folder / "incasso.db") == str(AFTER)


def test_a_failing_migration_stops_at_the_last_good_version(collected, tmp_path, monkeypatch):
    folder = shutil.copytree(collected, tmp_path / "books")
    db = folder / "incasso.db"
    rows = ledger_rows(folder)

    def broken(conn):
        conn.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("migration bug")

    monkeypatch.setattr(ledger, "_MIGRATIONS", {**ledger._MIGRATIONS, NEXT: V_NEXT, AFTER: broken})
    monkeypatch.setattr(ledger, "SCHEMA_VERSION", AFTER)
    with pytest.raises(RuntimeError), Ledger.open(db):
        pass
    assert version(db) == str(NEXT)
    with closing(sqlite3.connect(db)) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "notes" in tables and "half_done" not in tables  # NEXT whole, AFTER not at all
    assert [r[:-1] for r in ledger_rows(folder)["transactions"]] == rows["transactions"]

    monkeypatch.setitem(ledger._MIGRATIONS, AFTER, "CREATE TABLE fixed (x)")
    with Ledger.open(db):
        pass
    assert version(db) == str(AFTER)


def schema_of(db: Path) -> list[tuple]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name").fetchall()


def older_ledger(collected: Path, folder: Path, monkeypatch, schema: int) -> Path:
    """`folder` with the sheets of `collected` and a ledger of schema version `schema`
    holding the rows of `collected`'s ledger (its one collect run), as that version held
    them: the columns later versions added are left out."""
    shutil.copytree(collected, folder, ignore=shutil.ignore_patterns("incasso.db*"))
    db = folder / "incasso.db"
    with monkeypatch.context() as older:
        older.setattr(ledger, "SCHEMA_VERSION", schema)
        older.setattr(ledger, "_MIGRATIONS", {v: ledger._MIGRATIONS[v] for v in range(1, schema + 1)})
        with Ledger.open(db):
            pass
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("ATTACH ? AS src", (str(collected / "incasso.db"),))
        for (table,) in conn.execute("SELECT name FROM main.sqlite_master WHERE type = 'table' "
                                     "AND name != 'meta'").fetchall():
            columns = ", ".join(r[1] for r in conn.execute(f"PRAGMA main.table_info({table})"))
            conn.execute(f"INSERT INTO main.{table} (rowid, {columns}) SELECT rowid, {columns} FROM src.{table}")
        conn.commit()
    assert version(db) == str(schema)
    return db


def test_version_2_writes_the_status_check_as_comparisons(collected, tmp_path, monkeypatch):
    """A ledger made by version 1 gets the same transactions table as a new ledger, with every
    row and rowid kept, and the status CHECK still refuses what it refused."""
    db = older_ledger(collected, tmp_path / "books", monkeypatch, 1)
    folder = db.parent
    with closing(sqlite3.connect(db)) as conn:
        before = conn.execute("SELECT rowid, * FROM transactions ORDER BY rowid").fetchall()
    assert "status IN (" in dict((r[1], r[3]) for r in schema_of(db))["transactions"]

    monkeypatch.setattr(ledger, "SCHEMA_VERSION", 2)
    monkeypatch.setattr(ledger, "_MIGRATIONS", {v: ledger._MIGRATIONS[v] for v in (1, 2)})
    with Ledger.open(db):
        pass
    assert version(db) == "2"
    with Ledger.open(tmp_path / "new.db"):
        pass
    assert schema_of(db) == schema_of(tmp_path / "new.db")
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT rowid, * FROM transactions ORDER BY rowid").fetchall() == before
        assert len(before) == 4
        with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
            conn.execute("UPDATE transactions SET status = 'paid'")
        conn.execute("UPDATE transactions SET status = 'settled'")  # an allowed value passes
    monkeypatch.undo()  # and on to the current version
    checked = incasso(folder, ["ledger", "check"], NOW)
    assert checked.stdout == "Ledger OK: 2 messages, 3 batches, 4 transactions\n"


def test_version_3_keys_every_invoice_and_gives_the_ledger_an_id(collected, tmp_path, monkeypatch):
    """A ledger of version 2 gets the invoice identity of every transaction (indexed), an id
    of its own, and its creditor from the settings of the first run that writes."""
    db = older_ledger(collected, tmp_path / "books", monkeypatch, 2)
    with closing(sqlite3.connect(db)) as conn:
        before = conn.execute("SELECT rowid, * FROM transactions ORDER BY rowid").fetchall()
    with Ledger.open(db) as led:
        assert led.creditor_id is None  # not known yet: no settings were given
        ledger_id = led.ledger_id
    assert version(db) == "3"
    assert uuid.UUID(ledger_id).version == 4
    with Ledger.open(tmp_path / "new.db") as new:
        assert new.ledger_id != ledger_id
    assert schema_of(db) == schema_of(tmp_path / "new.db")
    with closing(sqlite3.connect(db)) as conn:
        after = conn.execute("SELECT rowid, * FROM transactions ORDER BY rowid").fetchall()
        plan = conn.execute("EXPLAIN QUERY PLAN SELECT * FROM transactions WHERE invoice_key = ?",
                            ("x",)).fetchall()
    assert [row[:-1] for row in after] == before  # every row and rowid kept
    assert [row[-1] for row in after] == [identity_key(row[3]) for row in before]
    assert "transactions_invoice_key" in str(plan)

    again = incasso(db.parent, COMMANDS["collect"][1], NOW)
    assert again.exit_code == 0, again.output
    assert again.stdout.endswith("Nothing to collect.\n")
    with Ledger.open_read_only(db) as led:
        assert (led.ledger_id, led.creditor_id) == (ledger_id, "NL69ZZZ123456780000")
    checked = incasso(db.parent, ["ledger", "check"], NOW)
    assert checked.stdout == "Ledger OK: 2 messages, 3 batches, 4 transactions\n"
