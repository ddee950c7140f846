"""`incasso status`: each batch's state and suspense balance, as text and JSON, and
`status.batch_balances` as clear uses it."""

from __future__ import annotations

import json
from textwrap import dedent

import pytest
from click.testing import CliRunner
from test_clear import (
    DEC1,
    DEC2,
    Books,
    abn_payout,
    abn_return,
    camt053,
    camt054,
    reject,
)

from incasso_sheets.cli import main
from incasso_sheets.ledger.status import batch_balances, batch_statuses
from incasso_sheets.ledger.store import Ledger

ENV = {"INCASSO_NOW": "2026-12-02T20:00:00", "INCASSO_FAULT": None, "LANG": "en_GB.UTF-8",
       "LC_ALL": None, "LC_MESSAGES": None}
HEADER = ("batch                 date        scheme  seq   count    total  settled  rejected  "
          "returned  suspense")


def incasso(*args: str, **env: str):
    return CliRunner(env={**ENV, **env}).invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def books(tmp_path, monkeypatch) -> Books:
    monkeypatch.chdir(tmp_path)
    return Books(tmp_path)


@pytest.fixture
def partly_cleared(books):
    """Batch -1 of the CORE message cleared (a reject, the net payout, a return); the CORE
    batch -2 (2026-12-15) and the B2B batch (2026-12-01) still open."""
    first, _, _ = books.collect()
    books.clear(books.bank("p.xml", reject(first, (first.tx("2026-0005"), "MS02"))),
                books.bank("c53.xml", camt053(abn_payout(first, first.total_cents - 1000, "P1"))),
                books.bank("c54.xml", camt054(abn_return([first.tx("2026-0002")], ["AM04"], "N1", DEC2))))
    return books


def test_no_ledger_yet(books):
    result = incasso("status")
    assert result.exit_code == 0
    assert result.stdout == "No batches in the ledger yet.\n"


def test_open_batches_are_listed_and_the_overdue_ones_flagged(partly_cleared):
    result = incasso("status")
    assert result.exit_code == 0
    assert result.stdout == dedent(f"""
        {HEADER}
        INCS-20261127-0002-1  2026-12-01  B2B     FRST      1  1250.00        0         0         0   1250.00  NOT CLEARED: waiting for the payout on the statement
        INCS-20261127-0001-2  2026-12-15  CORE    FRST      1    30.00        0         0         0     30.00  waiting for the payout on the statement

        1 cleared batches not shown (--all shows them)
        Suspense balance over 3 batches: 1280.00
    """).lstrip("\n")


def test_all_shows_the_cleared_batches_too(partly_cleared):
    result = incasso("status", "--all")
    lines = result.stdout.splitlines()
    assert lines[0] == HEADER
    assert lines[1] == ("INCS-20261127-0001-1  2026-12-01  CORE    FRST      5   258.45        3         1"
                        "         1      0.00")
    assert len(lines) == 6 and lines[-1] == "Suspense balance over 3 batches: 1280.00"


def test_status_in_dutch(partly_cleared):
    lines = incasso("--lang", "nl", "status").stdout.splitlines()
    assert lines[1].endswith("1250,00  NIET AFGELETTERD: wacht op de uitbetaling op het afschrift")
    assert lines[-1] == "Saldo tussenrekening over 3 batches: 1280,00"


def test_status_as_json(partly_cleared):
    result = incasso("status", "--format", "json")
    assert result.exit_code == 0
    batches = json.loads(result.stdout)
    assert [set(b) for b in batches] == [{
        "payment_info_id", "message_id", "collection_date", "scheme", "sequence_type", "count",
        "total_cents", "settled", "rejected", "returned", "suspense_cents", "overdue", "why"}] * 3
    by_id = {b["payment_info_id"]: b for b in batches}
    assert by_id["INCS-20261127-0001-1"] == {
        "payment_info_id": "INCS-20261127-0001-1", "message_id": "INCS-20261127-0001",
        "collection_date": "2026-12-01", "scheme": "CORE", "sequence_type": "FRST", "count": 5,
        "total_cents": 25845, "settled": 3, "rejected": 1, "returned": 1, "suspense_cents": 0,
        "overdue": False, "why": None}
    assert (by_id["INCS-20261127-0002-1"]["suspense_cents"], by_id["INCS-20261127-0002-1"]["overdue"]) \
        == (125000, True)
    assert (by_id["INCS-20261127-0001-2"]["suspense_cents"], by_id["INCS-20261127-0001-2"]["overdue"]) \
        == (3000, False)


def test_a_batch_is_overdue_only_after_its_collection_date(books):
    books.collect()
    on_the_day = incasso("status", "--format", "json", INCASSO_NOW="2026-12-01T23:00:00")
    assert [b["overdue"] for b in json.loads(on_the_day.stdout)] == [False, False, False]
    day_after = incasso("status", "--format", "json", INCASSO_NOW="2026-12-02T08:00:00")
    assert [(b["payment_info_id"], b["overdue"]) for b in json.loads(day_after.stdout)] == [
        ("INCS-20261127-0001-1", True), ("INCS-20261127-0002-1", True),
        ("INCS-20261127-0001-2", False)]


def test_a_payout_short_of_a_reject_not_yet_read_leaves_the_balance_open(books):
    """The net payout arrives, the pain.002 is missing: the batch is not cleared, and the
    balance is what the bank kept back."""
    first, _, _ = books.collect()
    books.clear(books.bank("c53.xml", camt053(abn_payout(first, first.total_cents - 1000, "P1"))))
    by_id = {s.payment_info_id: s for s in statuses(books)}
    assert by_id[first.payment_info_id].suspense_cents == 1000
    assert by_id[first.payment_info_id].overdue
    books.clear(books.bank("p.xml", reject(first, (first.tx("2026-0005"), "MS02"))))
    assert {s.payment_info_id: s for s in statuses(books)}[first.payment_info_id].suspense_cents == 0


def statuses(books: Books):
    with Ledger.open_read_only(books.db) as led:
        return batch_statuses(led, "1290", DEC2)


def test_batch_balances_start_at_the_batch_total_and_can_be_filtered(books):
    first, second, b2b = books.collect()
    with Ledger.open_read_only(books.db) as led:
        assert batch_balances(led, "1290") == [
            (first.payment_info_id, first.total_cents), (b2b.payment_info_id, b2b.total_cents),
            (second.payment_info_id, second.total_cents)]
        assert batch_balances(led, "1290", {second.payment_info_id}) == [
            (second.payment_info_id, 3000)]
        # Another account number: nothing booked on it, so only the collected totals.
        assert dict(batch_balances(led, "9999"))[first.payment_info_id] == first.total_cents
    books.clear(books.bank("c53.xml", camt053(abn_payout(first, first.total_cents, "P1", day=DEC1))))
    with Ledger.open_read_only(books.db) as led:
        assert dict(batch_balances(led, "1290"))[first.payment_info_id] == 0
