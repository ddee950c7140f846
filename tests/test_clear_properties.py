"""Property: whatever mix of rejects, payout and returns arrives for a batch, in whatever
runs, the clearing journal balances, the bank account follows the statement, and the
batch's suspense balance is zero exactly when everything has arrived (the payout, every
reject, and for a gross payout the debits of the rejected collections).

One collection is made per module; each example starts from a copy of its ledger.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_clear import (
    ACCOUNTS,
    DEC1,
    DEC2,
    Batch,
    Books,
    abn_payout,
    abn_return,
    camt053,
    camt054,
    reject,
)

from incasso_sheets.core import bookings

# One batch of eight collections on 2026-12-01, amounts all different.
INVOICES = """
    Factuurnummer;Debiteurnummer;Factuurdatum;Vervaldatum;Bedrag;Omschrijving
    2026-0001;10001;01-11-2026;01-12-2026;121,00;Contributie
    2026-0002;10002;01-11-2026;01-12-2026;59,95;Clubkleding
    2026-0003;10003;01-11-2026;01-12-2026;25,00;Contributie
    2026-0004;10004;01-11-2026;01-12-2026;42,50;Lesgeld
    2026-0005;10005;01-11-2026;01-12-2026;10,00;Bardienst
    2026-0006;10001;01-11-2026;01-12-2026;7,35;Consumpties
    2026-0007;10002;01-11-2026;01-12-2026;250,00;Jaarlidmaatschap
    2026-0008;10003;01-11-2026;01-12-2026;0,99;Administratie
"""
REJECT_CODES = ("AM04", "AC01", "MD01", "MS02", "MS03")
RETURN_CODES = ("AM04", "MD06", "MS03", "AC04", "MD01")
SUSPENSE, BANK = ACCOUNTS["suspense"], ACCOUNTS["bank"]


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> tuple[Path, Batch]:
    folder = tmp_path_factory.mktemp("collected")
    books = Books(folder)
    books.write("inv.csv", INVOICES)
    [batch] = books.collect()
    assert len(batch.transactions) == 8
    return folder, batch


@dataclass(frozen=True)
class Scenario:
    rejected: dict[int, str]        # transaction index -> reason (pain.002, before D)
    returned: dict[int, str]        # transaction index -> reason (camt.054, after D)
    charges: dict[int, int]         # returned index -> return fee in cents
    gross: bool                     # payout of the whole batch, rejects debited after
    debits_in_notification: bool    # gross: the debits in the camt.054, not the camt.053
    batched_returns: bool           # all returns in one entry (fee on the entry)
    new_run: tuple[bool, ...]       # before each file after the first: start a new run?
    arrived: int                    # how many of the files have arrived


@st.composite
def scenarios(draw, size: int = 8) -> Scenario:
    indexes = list(range(size))
    rejected = draw(st.dictionaries(st.sampled_from(indexes), st.sampled_from(REJECT_CODES),
                                    max_size=size - 1))
    rest = [i for i in indexes if i not in rejected]
    returned = draw(st.dictionaries(st.sampled_from(rest), st.sampled_from(RETURN_CODES)))
    charges = {i: draw(st.sampled_from((0, 250, 450))) for i in sorted(returned)}
    return Scenario(rejected, returned, charges, draw(st.booleans()), draw(st.booleans()),
                    draw(st.booleans()), tuple(draw(st.lists(st.booleans(), min_size=2, max_size=2))),
                    draw(st.integers(0, 3)))


@dataclass(frozen=True)
class BankFile:
    name: str
    xml: str
    bank_movement: int   # credits minus debits of the direct-debit entries in it
    kinds: frozenset     # what it brings: "rejects", "payout", "debits", "returns"


def bank_files(batch: Batch, s: Scenario) -> list[BankFile]:
    """The files in the order the bank sends them: pain.002, camt.053, camt.054."""
    txs = batch.transactions
    rejected_total = sum(txs[i].amount_cents for i in s.rejected)
    files = []
    if s.rejected:
        pairs = [(txs[i], code) for i, code in sorted(s.rejected.items())]
        files.append(BankFile("pain002.xml", reject(batch, *pairs), 0, frozenset({"rejects"})))
    payout = batch.total_cents if s.gross else batch.total_cents - rejected_total
    paid = txs if s.gross else tuple(t for i, t in enumerate(txs) if i not in s.rejected)
    statement = [abn_payout(batch, payout, "STM-PAYOUT", paid=paid)]
    debits = [abn_return([txs[i]], [code], f"DBT-{i}", DEC1) for i, code in sorted(s.rejected.items())
              ] if s.gross else []
    brings = {"payout"}
    if debits and not s.debits_in_notification:
        statement += debits
        brings.add("debits")
    files.append(BankFile("camt053.xml", camt053(*statement), payout
                          - (rejected_total if "debits" in brings else 0), frozenset(brings)))
    notification, movement, brings = [], 0, set()
    if debits and s.debits_in_notification:
        notification += debits
        movement -= rejected_total
        brings.add("debits")
    if s.returned:
        items = sorted(s.returned.items())
        fees = sum(s.charges.values())
        if s.batched_returns:
            notification.append(abn_return([txs[i] for i, _ in items], [c for _, c in items],
                                           "NTF-RETURNS", DEC2, fees))
        else:
            notification += [abn_return([txs[i]], [code], f"NTF-{i}", DEC2, s.charges[i])
                             for i, code in items]
        movement -= sum(txs[i].amount_cents for i, _ in items) + fees
        brings.add("returns")
    if notification:
        files.append(BankFile("camt054.xml", camt054(*notification), movement, frozenset(brings)))
    return files


def runs_of(files: list[BankFile], s: Scenario) -> list[list[BankFile]]:
    arrived = files[:s.arrived]
    runs: list[list[BankFile]] = []
    for n, f in enumerate(arrived):
        if n == 0 or s.new_run[n - 1]:
            runs.append([])
        runs[-1].append(f)
    return runs


def account_balance(books: Books, account: str) -> int:
    lines = books.journal().filter(account=account)
    return int(lines["debit_cents"].fill_null(0).sum() - lines["credit_cents"].fill_null(0).sum())


@settings(max_examples=40, deadline=None)
@given(s=scenarios())
def test_the_suspense_balance_is_zero_exactly_when_everything_has_arrived(template, s):
    folder, batch = template
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name in ("incasso.toml", "incasso.db"):
            shutil.copy(folder / name, work / name)
        books = Books(work)
        files = bank_files(batch, s)
        paths = {f.name: books.bank(f.name, f.xml) for f in files}
        have: set[str] = set()
        movement = 0
        pid = batch.payment_info_id
        assert books.balances()[pid] == batch.total_cents  # nothing arrived yet
        for n, run in enumerate(runs_of(files, s)):
            books.clear(*(paths[f.name] for f in run), now=dt.datetime(2026, 12, 2, 20, n))
            for f in run:
                have |= f.kinds
                movement += f.bank_movement
            everything = ("payout" in have and (not s.rejected or "rejects" in have)
                          and (not (s.gross and s.rejected) or "debits" in have))
            balance = books.balances()[pid]
            assert (balance == 0) == everything, (have, balance)
            if "payout" not in have:
                assert balance != 0
            assert bookings.unbalanced_entries(books.journal()) == []
            # The bank account in the journal moves exactly as the statement says.
            assert account_balance(books, BANK) == movement
        statuses = books.statuses()
        for i, t in enumerate(batch.transactions):
            expected = "collected"
            if "payout" in have:
                expected = "settled"
            if i in s.rejected and "rejects" in have:
                expected = "rejected"
            if i in s.returned and "returns" in have:
                expected = "returned"
            assert statuses[t.end_to_end_id][0] == expected
        # Reading everything that arrived once more books nothing.
        if s.arrived:
            before = books.snapshot()
            again = books.clear(*(paths[f.name] for f in files[:s.arrived]),
                                now=dt.datetime(2026, 12, 3, 9))
            assert again.booked == []
            assert books.snapshot() == before
