"""clear looks the ledger up a chunk of statement entries at a time: an MT940 without batch
booking (one credit per collected transaction) books the same whatever the chunk size, with
a payout, its repeat and its return in different chunks."""

from __future__ import annotations

import datetime as dt

import pytest
from test_clear import Books
from test_mt940 import OUR_IBAN, write

from incasso_sheets.clearing import bookings
from incasso_sheets.clearing import run as clear_run


def unbatched_statement(payouts: list[tuple[str, int]], returned: str, cents: int) -> str:
    """ING's layout with batch booking off: a NDDT credit with /EREF/ per transaction, the
    second one reported twice, then a NRTI return of `returned`."""
    day = dt.date(2026, 12, 1)
    lines = ["{1:F01INGBNL2ABXXX0000000000}", "{2:I940INGBNL2AXXXN}", "{4:",
             f":20:P{day:%y%m%d}000000001", f":25:{OUR_IBAN}EUR", ":28C:00000",
             f":60F:C{day:%y%m%d}EUR0,00"]
    balance = 0
    for n, (e2e, amount) in enumerate([*payouts, payouts[1]], start=1):
        lines += [f":61:{day:%y%m%d%m%d}C{amount // 100},{amount % 100:02d}NDDTEREF//{n:014d}",
                  f":86:/EREF/{e2e}//REMI/USTD//Factuur {e2e}/"]
        balance += amount
    lines += [f":61:{day:%y%m%d%m%d}D{cents // 100},{cents % 100:02d}NRTIEREF//{99:014d}", "/TRCD/01216/",
              f":86:/RTRN/AM04//EREF/{returned}//REMI/USTD//Storno/"]
    balance -= cents
    lines += [f":62F:C{day:%y%m%d}EUR{balance // 100},{balance % 100:02d}", "-}"]
    return "\r\n".join(lines) + "\r\n"


@pytest.mark.parametrize("chunk", [1, 2, 2000])
def test_unbatched_payouts_book_the_same_whatever_the_lookup_chunk(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(clear_run, "_MATCH_CHUNK", chunk, raising=False)
    books = Books(tmp_path)
    batches = books.collect()
    # A batch of one is paid out as a whole (its credit is the batch total).
    txs = [t for b in batches if len(b.transactions) > 1 for t in b.transactions]
    assert len(txs) >= 3
    first = txs[0]
    text = unbatched_statement([(t.end_to_end_id, t.amount_cents) for t in txs],
                               first.end_to_end_id, first.amount_cents)
    result = books.clear(write(books.bank_dir / "mt940.940", text))
    assert [(e.kind, e.end_to_end_id, e.amount_cents) for e in result.booked] == [
        *(("payout", t.end_to_end_id, t.amount_cents) for t in txs),
        ("return", first.end_to_end_id, first.amount_cents)]
    assert result.outcome.duplicates == 1  # the second credit reported again
    assert result.outcome.unmatched == []
    statuses = books.statuses()
    assert statuses[first.end_to_end_id] == ("returned", "AM04")
    assert {statuses[t.end_to_end_id] for t in txs[1:]} == {("settled", None)}

    again = books.clear(write(books.bank_dir / "mt940.940", text))
    assert again.booked == [] and again.outcome.duplicates == len(txs) + 2


def test_the_journal_is_the_same_when_its_lines_are_made_a_few_events_at_a_time(tmp_path, monkeypatch):
    def clear_in(folder, line_chunk: int) -> tuple[bytes, list]:
        monkeypatch.setattr(bookings, "LINE_CHUNK", line_chunk)
        books = Books(folder)
        txs = [t for b in books.collect() if len(b.transactions) > 1 for t in b.transactions]
        # the payouts in reverse: the journal sorts them by batch, a chunk at a time
        text = unbatched_statement([(t.end_to_end_id, t.amount_cents) for t in reversed(txs)],
                                   txs[0].end_to_end_id, txs[0].amount_cents)
        result = books.clear(write(books.bank_dir / "mt940.940", text))
        journal = next(p for p in result.files if p.name.endswith(".journal.csv"))
        return journal.read_bytes(), books.journal().rows()

    whole = clear_in(tmp_path / "whole", 100_000)
    assert clear_in(tmp_path / "by-one", 1) == whole
    assert clear_in(tmp_path / "by-three", 3) == whole
    assert len(whole[1]) == 2 * (len(whole[1]) // 2) > 8
