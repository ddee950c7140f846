"""`incasso ledger check` finds each broken invariant; `incasso ledger export` writes every
table as CSV, all at once."""

from __future__ import annotations

import csv
import io
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from shared import NOW
from test_crash import prepare
from test_crash_matrix import CLEAR_NOW, COMMANDS, bank_files, incasso, ledger_rows

from incasso_sheets.ledger import status
from incasso_sheets.ledger.check import check_ledger
from incasso_sheets.ledger.store import Ledger


@pytest.fixture(scope="module")
def cleared(tmp_path_factory) -> Path:
    """Collected, then cleared: a ledger with every table filled."""
    folder = prepare(tmp_path_factory.mktemp("cleared") / "books")
    assert incasso(folder, COMMANDS["collect"][1], NOW).exit_code == 0
    bank_files(folder)
    done = incasso(folder, COMMANDS["clear"][1], CLEAR_NOW)
    assert done.exit_code == 0, done.output
    return folder


@pytest.fixture
def books(cleared, tmp_path) -> Path:
    return shutil.copytree(cleared, tmp_path / "books")


def tamper(folder: Path, *statements: str) -> None:
    """Change the ledger behind incasso's back, as a hand edit or a bug would."""
    with closing(sqlite3.connect(folder / "incasso.db")) as conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        for statement in statements:
            conn.execute(statement)
        conn.commit()


def codes(folder: Path) -> list[tuple[str | None, str | None, str]]:
    with Ledger.open_read_only(folder / "incasso.db") as led:
        return [(p.sheet, p.value, p.code) for p in check_ledger(led, "1290").problems]


def test_a_ledger_written_by_incasso_is_ok(books):
    done = incasso(books, ["ledger", "check"], CLEAR_NOW)
    assert done.exit_code == 0, done.output
    assert done.stdout == "Ledger OK: 2 messages, 3 batches, 4 transactions\n"
    dutch = incasso(books, ["--lang", "nl", "ledger", "check"], CLEAR_NOW)
    assert dutch.stdout == "Ledger in orde: 2 berichten, 3 batches, 4 transacties\n"


def test_each_problem_is_a_line_and_exit_1(books):
    tamper(books, "UPDATE blocks SET count = 3 WHERE payment_info_id = 'INCS-20261127-0001-2'")
    done = incasso(books, ["ledger", "check"], CLEAR_NOW)
    assert done.exit_code == 1
    assert done.stdout.splitlines() == [
        "incasso.db:blocks::  ledger-block-totals  'INCS-20261127-0001-2'  Batch says 3 "
        "transactions, 67.50; its transactions are 2, 67.50",
        "incasso.db:messages::  ledger-message-totals  'INCS-20261127-0001'  Message says 3 "
        "transactions, 188.50; its batches hold 4, 188.50",
        f"Problems found in the ledger {books / 'incasso.db'}: 2",
    ]


@pytest.mark.parametrize("statements, expected", [
    (["UPDATE transactions SET payment_info_id = NULL WHERE end_to_end_id = '2026-0002'"],
     [("transactions", "2026-0002", "ledger-transaction-no-block"),
      ("blocks", "INCS-20261127-0002-1", "ledger-block-totals")]),
    (["UPDATE transactions SET payment_info_id = 'INCS-X' WHERE end_to_end_id = '2026-0002'"],
     [("transactions", "2026-0002", "ledger-block-unknown"),
      ("blocks", "INCS-20261127-0002-1", "ledger-block-totals")]),
    (["UPDATE transactions SET amount_cents = 12000 WHERE end_to_end_id = '2026-0001'"],
     [("blocks", "INCS-20261127-0001-1", "ledger-block-totals")]),
    (["UPDATE messages SET total_cents = 1 WHERE message_id = 'INCS-20261127-0002'"],
     [("messages", "INCS-20261127-0002", "ledger-message-totals")]),
    (["UPDATE blocks SET message_id = 'INCS-X' WHERE payment_info_id = 'INCS-20261127-0002-1'"],
     [("blocks", "INCS-20261127-0002-1", "ledger-message-unknown"),
      ("messages", "INCS-20261127-0002", "ledger-message-totals")]),
    (["UPDATE journal SET debit_cents = debit_cents + 1 WHERE line_id = 1"],
     [("journal", None, "ledger-journal-unbalanced")]),
    (["INSERT INTO journal (run_id, event, entry, date, account, debit_cents, batch) "
      "VALUES (2, 'payout', 'X', '2026-12-02', '1290', 100, 'INCS-X')",
      "INSERT INTO journal (run_id, event, entry, date, account, credit_cents, batch) "
      "VALUES (2, 'payout', 'X', '2026-12-02', '1100', 100, 'INCS-X')"],
     [("journal", "INCS-X", "ledger-block-unknown")]),
    (["UPDATE runs SET state = 'committed' WHERE run_id = 2"],
     [("runs", "2", "ledger-run-unfinished")]),
    (["INSERT INTO statement_entries VALUES ('k', 9, 'f.xml', 'payout')"],
     [("statement_entries", "4", "ledger-foreign-key")]),
])
def test_each_broken_invariant_is_found(books, statements, expected):
    tamper(books, *statements)
    assert codes(books) == expected


def test_history_imported_without_a_batch_is_allowed(books):
    tamper(books, "INSERT INTO transactions (end_to_end_id, invoice_number, amount_cents, status, "
                  "source) VALUES ('OLD-1', '2025-0001', 1000, 'settled', 'import')")
    assert codes(books) == []


def test_a_duplicate_id_is_found_even_without_the_primary_key(books):
    tamper(books, "CREATE TABLE t AS SELECT * FROM transactions", "DROP TABLE transactions",
           "ALTER TABLE t RENAME TO transactions",
           "INSERT INTO transactions SELECT * FROM transactions WHERE end_to_end_id = '2026-0003'")
    assert ("transactions", "2026-0003", "ledger-id-duplicate") in codes(books)


def test_the_suspense_balance_status_shows_is_checked_against_the_bookings(books, monkeypatch):
    real = status.batch_balances

    def off_by_one(led, suspense, pids=None):
        return [(pid, balance + (pid == "INCS-20261127-0002-1")) for pid, balance in real(led, suspense, pids)]

    monkeypatch.setattr(status, "batch_balances", off_by_one)
    assert codes(books) == [("blocks", "INCS-20261127-0002-1", "ledger-suspense-mismatch")]


def test_no_ledger_is_exit_3(tmp_path):
    done = incasso(prepare(tmp_path), ["ledger", "check"], NOW)
    assert done.exit_code == 3
    assert done.stderr.startswith("incasso: No ledger at ")


# --- export -----------------------------------------------------------------------------------

def read(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def test_export_writes_every_table_with_its_column_names(books):
    done = incasso(books, ["ledger", "export", "audit"], CLEAR_NOW)
    assert done.exit_code == 0, done.output
    assert done.stdout == "Exported 9 tables to audit\n"
    audit = books / "audit"
    assert sorted(p.name for p in audit.iterdir()) == [
        "blocks.csv", "counters.csv", "journal.csv", "mandates.csv", "messages.csv", "meta.csv",
        "runs.csv", "statement_entries.csv", "transactions.csv"]
    with closing(sqlite3.connect(books / "incasso.db")) as conn:
        for path in audit.iterdir():
            table = path.stem
            columns = [c[1] for c in conn.execute(f"PRAGMA table_info({table})")]
            rows = read(path)
            assert rows[0] == columns
            assert len(rows) - 1 == conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    transactions = read(audit / "transactions.csv")
    amount = transactions[0].index("amount_cents")
    assert [r[amount] for r in transactions[1:]] == ["12100", "4250", "2500", "125000"]
    assert (audit / "blocks.csv").read_bytes().startswith(
        b"payment_info_id,message_id,scheme,sequence_type,collection_date,count,total_cents\n"
        b"INCS-20261127-0001-1,INCS-20261127-0001,CORE,FRST,2026-12-01,1,12100\n")
    assert not [p for p in books.iterdir() if p.name.startswith(".incasso-tmp-")]


def test_export_is_the_same_for_the_same_runs(cleared, books, tmp_path):
    """Two ledgers made by the same commands with the same clock export identically
    (apart from where the runs wrote their files)."""
    other = shutil.copytree(cleared, tmp_path / "other")
    assert incasso(books, ["ledger", "export", "audit"], CLEAR_NOW).exit_code == 0
    assert incasso(other, ["ledger", "export", "audit"], CLEAR_NOW).exit_code == 0
    for path in (books / "audit").iterdir():
        if path.name != "runs.csv":
            assert path.read_bytes() == (other / "audit" / path.name).read_bytes(), path.name
    assert ledger_rows(books) == ledger_rows(other)


def test_export_needs_a_new_or_empty_folder(books):
    (books / "empty").mkdir()
    assert incasso(books, ["ledger", "export", "empty"], CLEAR_NOW).exit_code == 0
    assert len(list((books / "empty").iterdir())) == 9
    again = incasso(books, ["ledger", "export", "empty"], CLEAR_NOW)
    assert again.exit_code == 3
    assert again.stderr == "incasso: empty is not an empty folder; choose a new folder for the export\n"
    assert len(list((books / "empty").iterdir())) == 9
