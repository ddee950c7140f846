"""The ledger: schema, the commit-then-rename run protocol, recovery, sweeping and locking."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest

from incasso_sheets.core.errors import CannotContinue
from incasso_sheets.core.identity import identity_key
from incasso_sheets.ledger import store as ledger
from incasso_sheets.ledger.store import Ledger, PlannedFile
from incasso_sheets.runtime import output_plan

NOW = dt.datetime(2026, 11, 27, 10, 0)


def planned(folder, run_id: int, *names: str, text: str = "x") -> list[PlannedFile]:
    files = []
    for name in names:
        f = PlannedFile(folder / f"{ledger.TEMP_PREFIX}{run_id}-{name}", folder / name)
        f.temp.write_text(f"{text} {name}")
        files.append(f)
    return files


def counter_writer(value: int):
    def write(conn, run_id):
        Ledger.set_counter(conn, "message:20261127", value)
    return write


def test_a_new_ledger_has_the_current_schema(tmp_path):
    path = tmp_path / "incasso.db"
    with Ledger.open(path) as led:
        assert led.peek_counter("message:20261127") == 0
        assert led.next_run_id() == 1
    with closing(sqlite3.connect(path)) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        version = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    assert {"meta", "runs", "counters", "messages", "blocks", "transactions", "mandates"} <= tables
    assert version == (str(ledger.SCHEMA_VERSION),)


def test_commit_run_records_then_renames(tmp_path):
    files = planned(tmp_path, 1, "a.xml", "a.csv")
    with Ledger.open(tmp_path / "incasso.db") as led:
        run_id = led.commit_run("collect", NOW, files, counter_writer(3))
        assert run_id == 1
        assert led.peek_counter("message:20261127") == 3
        state = led.conn.execute("SELECT state, files FROM runs").fetchall()
    assert state[0][0] == "done"
    assert json.loads(state[0][1]) == [[str(f.temp), str(f.final)] for f in files]
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix in (".xml", ".csv")) == ["a.csv", "a.xml"]
    assert (tmp_path / "a.xml").read_text() == "x a.xml"
    assert list(tmp_path.glob(ledger.TEMP_PREFIX + "*")) == []


def test_a_failing_write_rolls_back_and_renames_nothing(tmp_path):
    files = planned(tmp_path, 1, "a.xml")

    def write(conn, run_id):
        Ledger.set_counter(conn, "message:20261127", 5)
        raise RuntimeError("disk on fire")

    with Ledger.open(tmp_path / "incasso.db") as led:
        with pytest.raises(RuntimeError):
            led.commit_run("collect", NOW, files, write)
        assert led.conn.execute("SELECT count(*) FROM runs").fetchone() == (0,)
        assert led.peek_counter("message:20261127") == 0
    assert not files[0].final.exists()
    assert not files[0].temp.exists()


def test_a_failure_after_the_commit_keeps_the_files_for_recovery(tmp_path, monkeypatch):
    files = planned(tmp_path, 1, "a.xml", "b.xml")
    monkeypatch.setenv("INCASSO_FAULT", "between-renames:raise")
    with Ledger.open(tmp_path / "incasso.db") as led:
        with pytest.raises(RuntimeError):
            led.commit_run("collect", NOW, files, counter_writer(1))
    assert files[0].final.exists() and files[1].temp.exists()
    monkeypatch.delenv("INCASSO_FAULT")
    with Ledger.open(tmp_path / "incasso.db") as led:
        assert led.conn.execute("SELECT state FROM runs").fetchall() == [("done",)]
        assert led.peek_counter("message:20261127") == 1
    assert sorted(p.name for p in tmp_path.glob("*.xml")) == ["a.xml", "b.xml"]
    assert list(tmp_path.glob(ledger.TEMP_PREFIX + "*")) == []


def test_the_run_remembers_absolute_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    f = PlannedFile(Path(f"{ledger.TEMP_PREFIX}1-a.xml"), Path("a.xml"))
    f.temp.write_text("x")
    with Ledger.open(tmp_path / "incasso.db") as led:
        led.commit_run("collect", NOW, [f], counter_writer(1))
        (files,) = led.conn.execute("SELECT files FROM runs").fetchone()
    assert json.loads(files) == [[str(tmp_path / f.temp), str(tmp_path / f.final)]]


def test_recover_finishes_a_committed_run(tmp_path):
    """A crash between the commit and the renames: the next open renames what is left."""
    files = planned(tmp_path, 1, "a.xml", "b.xml")
    db = tmp_path / "incasso.db"
    with Ledger.open(db) as led:
        with led.transaction() as conn:
            conn.execute("INSERT INTO runs (run_id, command, created_at, state, files) "
                         "VALUES (1, 'collect', ?, 'committed', ?)",
                         (NOW.isoformat(), json.dumps([[str(f.temp), str(f.final)] for f in files])))
    files[0].temp.rename(files[0].final)  # the first rename happened before the crash
    with Ledger.open(db) as led:
        assert led.conn.execute("SELECT state FROM runs").fetchall() == [("done",)]
        assert led.recover() == []  # idempotent
    assert (tmp_path / "a.xml").read_text() == "x a.xml"
    assert (tmp_path / "b.xml").read_text() == "x b.xml"
    assert list(tmp_path.glob(ledger.TEMP_PREFIX + "*")) == []


def test_a_run_sweeps_only_its_own_temporary_files(tmp_path):
    """A run's leftovers (this ledger's `run` files) go; another kind's, another ledger's
    and an older version's names stay (another ledger's stop the run: test_output_plan)."""
    identity = output_plan.ledger_identity(tmp_path / "incasso.db")
    tag = output_plan.owner_tag(identity)
    names = [f"{ledger.TEMP_PREFIX}{tag}-run-x1y2z3a4-a.xml", f"{ledger.TEMP_PREFIX}{tag}-upd-x1y2z3a4-a.csv",
             f"{ledger.TEMP_PREFIX}7-a.xml"]
    for name in names:
        (tmp_path / name).write_text("half")
    (tmp_path / "a.xml").write_text("whole")
    with output_plan.OutputPlan(identity, output_plan.RUN) as plan:
        plan.claim(tmp_path)
    assert [p.name for p in plan.swept] == [names[0]]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["a.xml", *names[1:], output_plan.LOCK_NAME])


def test_read_only_open_never_creates_a_ledger(tmp_path):
    with Ledger.open_read_only(tmp_path / "incasso.db") as led:
        assert led is None
    assert list(tmp_path.iterdir()) == []


def test_read_only_open_cannot_write(tmp_path):
    db = tmp_path / "incasso.db"
    with Ledger.open(db):
        pass
    with Ledger.open_read_only(db) as led:
        with pytest.raises(sqlite3.OperationalError):
            led.conn.execute("INSERT INTO counters VALUES ('x', 1)")


def test_a_second_run_waits_then_gives_up(tmp_path):
    db = tmp_path / "incasso.db"
    with Ledger.open(db):
        with pytest.raises(CannotContinue) as caught, Ledger.open(db, wait_seconds=0.2):
            pass
    assert caught.value.code == "ledger-busy"
    with Ledger.open(db, wait_seconds=0.2):  # free again
        pass


def test_a_newer_ledger_is_refused(tmp_path):
    db = tmp_path / "incasso.db"
    with Ledger.open(db) as led:
        led.conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(CannotContinue) as caught, Ledger.open(db):
        pass
    assert caught.value.code == "ledger-too-new"
    with pytest.raises(CannotContinue) as caught, Ledger.open_read_only(db):
        pass
    assert caught.value.code == "ledger-too-new"


def test_a_foreign_database_is_refused(tmp_path):
    db = tmp_path / "incasso.db"
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("CREATE TABLE mine (x)")
    with pytest.raises(CannotContinue) as caught, Ledger.open(db):
        pass
    assert caught.value.code == "ledger-unreadable"


def test_not_a_database_is_refused(tmp_path):
    db = tmp_path / "incasso.db"
    db.write_text("this is not sqlite, just a text file of some length " * 20)
    with pytest.raises(CannotContinue) as caught, Ledger.open(db):
        pass
    assert caught.value.code == "ledger-unreadable"


def test_open_without_create(tmp_path):
    with pytest.raises(CannotContinue) as caught, Ledger.open(tmp_path / "incasso.db", create=False):
        pass
    assert caught.value.code == "ledger-not-found"


# --- rows recorded in a thread beside the files (Ledger.beside) ------------------------------

SLOW_INSERT = ("INSERT INTO counters (name, value) WITH RECURSIVE n(i) AS "
               "(SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000000) "
               "SELECT 'n' || i, i FROM n")


def test_rows_recorded_beside_the_body_commit_with_the_run(tmp_path):
    threads = []

    def write(conn, run_id):
        with led.beside(lambda: (threads.append(threading.current_thread().name),
                                 Ledger.set_counter(conn, "beside", 7))) as recorded:
            recorded()
        Ledger.set_counter(conn, "after", 8)

    with Ledger.open(tmp_path / "incasso.db") as led:
        led.commit_run("collect", NOW, [], write)
        assert (led.peek_counter("beside"), led.peek_counter("after")) == (7, 8)
    assert threads[0].startswith("ledger") and threads[0] != threading.main_thread().name


def test_a_failing_body_interrupts_the_recording_and_its_error_stands(tmp_path):
    """The body's error is raised at once (not after a 50-million-row insert), and the
    transaction leaves nothing."""
    started = threading.Event()

    def slow(conn):
        started.set()
        conn.execute(SLOW_INSERT)

    def write(conn, run_id):
        with led.beside(lambda: slow(conn)):
            started.wait()
            time.sleep(0.1)
            raise OSError(28, "No space left on device")

    with Ledger.open(tmp_path / "incasso.db") as led:
        began = time.monotonic()
        with pytest.raises(OSError, match="No space left"):
            led.commit_run("collect", NOW, [], write)
        assert time.monotonic() - began < 5
        assert led.conn.execute("SELECT count(*) FROM counters").fetchone() == (0,)
        assert led.conn.execute("SELECT count(*) FROM runs").fetchone() == (0,)


def test_a_failing_recording_is_raised_when_the_body_waits(tmp_path):
    def write(conn, run_id):
        with led.beside(lambda: conn.execute("INSERT INTO nowhere VALUES (1)")) as recorded:
            written.append("files")
            recorded()

    written: list[str] = []
    with Ledger.open(tmp_path / "incasso.db") as led:
        with pytest.raises(sqlite3.OperationalError, match="no such table: nowhere"):
            led.commit_run("collect", NOW, [], write)
        assert written == ["files"]
        assert led.conn.execute("SELECT count(*) FROM runs").fetchone() == (0,)


# --- what collect reads of the ledger (load_history) ------------------------------------------

@pytest.mark.parametrize("look_up", [True, False])
def test_history_holds_the_sheets_invoices_and_the_ids_they_could_take(tmp_path, monkeypatch, look_up):
    """Only the invoices asked about, their latest attempt and how often their reason came
    back; of the EndToEndIds at least those from n up to n-<anything> (n-2 may be another
    invoice's): looked up when the ledger is much larger than the sheet, else all of them."""
    import polars as pl

    monkeypatch.setattr(ledger, "LOOKUP_RATIO", 1 if look_up else 100)

    rows = [  # end_to_end_id, invoice_number, attempt, status, reason
        ("A", "A", 1, "returned", "AM04"), ("A-2", "A", 2, "returned", "AM04"),
        ("A-3", "A-3", 1, "collected", None), ("AB", "AB", 1, "collected", None),
        ("A.1", "A.1", 1, "collected", None), ("B", "B", 1, "settled", None),
        ("X", "C", 1, "collected", None),  # imported under an id that is another invoice's number
    ]
    with Ledger.open(tmp_path / "incasso.db") as led, led.transaction() as conn:
        conn.execute("INSERT INTO runs VALUES (1, 'collect', '2026-11-27T10:00:00', 'done', '[]')")
        conn.execute("INSERT INTO messages VALUES ('M', 1, '2026-11-27', 'CORE', 'f', 7, 7, 'M.xml')")
        conn.execute("INSERT INTO blocks VALUES ('M-1', 'M', 'CORE', 'RCUR', '2026-12-01', 7, 7)")
        conn.executemany(
            "INSERT INTO transactions (end_to_end_id, payment_info_id, invoice_number, invoice_date, debtor_id, "
            "amount_cents, attempt, status, reason_code, invoice_key) "
            "VALUES (?, 'M-1', ?, '2026-11-01', '10001', 1, ?, ?, ?, ?)",
            [(*row, identity_key(row[1])) for row in rows])
    with Ledger.open_read_only(tmp_path / "incasso.db") as led:
        history = ledger.load_history(led, pl.Series(["A", "X", "new", None, "A"]))
        again = ledger.load_history(led, pl.Series(["A"]))  # the temporary table is gone again
    assert history.invoices.select("last_invoice_number", "last_attempt", "last_status", "last_reason",
                                   "same_reason_count", "last_debtor_id").rows() == [
        ("A", 2, "returned", "AM04", 2, "10001")]
    assert history.invoices["last_invoice_date"].to_list() == [dt.date(2026, 11, 1)]
    assert sorted(history.end_to_end_ids.to_list()) == (
        ["A", "A-2", "A-3", "X"] if look_up else sorted(e2e for e2e, *_ in rows))
    assert again.invoices.height == 1 and history.mandates.height == 0
