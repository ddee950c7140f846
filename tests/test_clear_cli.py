"""`incasso clear` through click's CliRunner: the exact text a user sees, exit codes, what
is (not) written, and `make demo`'s sequence on the sample company."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from textwrap import dedent

import pytest
from click.testing import CliRunner
from test_clear import (
    DEC1,
    DEC2,
    Books,
    abn_payout,
    abn_return,
    bare_payout,
    camt053,
    camt054,
    reject,
    transfer,
)

from incasso_sheets.cli import main

ROOT = Path(__file__).resolve().parent.parent
ENV = {"INCASSO_NOW": "2026-12-02T20:00:00", "INCASSO_FAULT": None, "LANG": "en_GB.UTF-8",
       "LC_ALL": None, "LC_MESSAGES": None}


def incasso(*args: str, **env: str):
    return CliRunner(env={**ENV, **env}).invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def books(tmp_path, monkeypatch) -> Books:
    monkeypatch.chdir(tmp_path)
    return Books(tmp_path)


@pytest.fixture
def answered(books):
    """The collection, and the bank's answer in bank/: a reject (pain.002), the net payout
    of batch -1 and a transfer (camt.053), a return with charges (camt.054)."""
    first, _, _ = books.collect()
    books.bank("pain002-20261127.xml", reject(first, (first.tx("2026-0002"), "AC04")))
    books.bank("camt053-20261201.xml", camt053(
        abn_payout(first, first.total_cents - 5995, "033020261201000001"),
        transfer(4500, "033020261201000002", DEC1)))
    books.bank("camt054-20261202.xml", camt054(
        abn_return([first.tx("2026-0001")], ["AM04"], "033020261202000001", DEC2, 250)))
    return books


def outputs(books: Books) -> list[str]:
    return sorted(p.name for p in books.out.iterdir() if p.name.startswith("CLR-"))


def test_clear_prints_what_it_booked_and_the_files(answered):
    result = incasso("clear", "bank", "-o", "out")
    assert result.exit_code == 0
    assert result.stdout == dedent("""
        1 rejects before settlement booked, 59.95 (receivables / suspense)
        1 payouts booked, 198.50 in total (bank / suspense)
        1 returns and refunds booked, 121.00 (receivables / bank)
        1 bank charges booked, 2.50
        1 other entries are not direct debits and are left alone
        Batch INCS-20261127-0001-1: suspense balance 0.00
        Written: out/CLR-20261202-0001.journal.csv
        Written: out/CLR-20261202-0001.reopened-invoices.csv
        Written: out/CLR-20261202-0001.returns.xlsx
    """).lstrip("\n")
    assert result.stderr == ""


def test_clear_in_dutch(answered):
    result = incasso("--lang", "nl", "clear", "bank", "-o", "out")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "1 weigeringen voor de incassodatum geboekt, 59,95 (debiteuren / tussenrekening)"
    assert "Batch INCS-20261127-0001-1: saldo tussenrekening 0,00" in lines


def test_reading_the_same_files_again_books_nothing(answered):
    incasso("clear", "bank", "-o", "out")
    before = answered.snapshot()
    result = incasso("clear", "bank", "-o", "out")
    assert result.exit_code == 0
    assert result.stdout == dedent("""
        3 entries were booked in an earlier run and are skipped
        1 other entries are not direct debits and are left alone
        Nothing to book.
    """).lstrip("\n")
    assert answered.snapshot() == before
    assert outputs(answered) == ["CLR-20261202-0001.journal.csv",
                                 "CLR-20261202-0001.reopened-invoices.csv",
                                 "CLR-20261202-0001.returns.xlsx"]


def test_files_given_one_by_one_or_as_a_folder_book_the_same(answered, tmp_path):
    names = sorted(p.name for p in answered.bank_dir.iterdir())
    result = incasso("clear", *(f"bank/{n}" for n in reversed(names)), "-o", "out")
    assert result.exit_code == 0
    assert "Batch INCS-20261127-0001-1: suspense balance 0.00" in result.stdout


def test_check_reads_the_reopened_invoices_as_an_invoices_sheet(answered):
    incasso("clear", "bank", "-o", "out", "--journal-format", "iso")
    reopened = "out/CLR-20261202-0001.reopened-invoices.csv"
    assert (answered.folder / reopened).read_text(encoding="utf-8").splitlines() == [
        "Factuurnummer,Debiteurnummer,Factuurdatum,Vervaldatum,Bedrag,Valuta,Omschrijving",
        "2026-0001,10001,2026-11-01,2026-12-01,121.00,EUR,Contributie",
        "2026-0002,10002,2026-11-01,2026-12-01,59.95,EUR,Clubkleding"]
    result = incasso("check", "deb.csv", reopened)
    assert result.exit_code == 0
    assert result.stdout == "No problems found in 8 rows.\n"


def test_dry_run_shows_the_bookings_and_writes_nothing(answered):
    before = answered.snapshot()
    result = incasso("clear", "bank", "-o", "out", "--dry-run")
    assert result.exit_code == 0
    assert result.stdout.startswith("1 rejects before settlement booked, 59.95")
    # the balance shown is the one the bookings would give, not the ledger's before them
    assert re.search(r"Batch INCS-\S+: suspense balance 0\.00\nDry run: nothing written\.\n$", result.stdout)
    assert answered.snapshot() == before


def test_a_probable_payout_is_listed_and_booked_only_when_accepted(books):
    first, _, _ = books.collect()
    books.bank("camt053.xml", camt053(bare_payout(first.total_cents, "P1", DEC1)))
    result = incasso("clear", "bank", "-o", "out")
    assert result.exit_code == 1  # a probable match not accepted needs a person
    assert result.stdout == (
        "camt053.xml:10  bank-payout-probable  258.45  probably batch INCS-20261127-0001-1 "
        "(amount and date match); book it with --accept-probable\n"
        "Nothing to book.\n")
    assert outputs(books) == []
    accepted = incasso("clear", "bank", "-o", "out", "--accept-probable")
    assert accepted.stdout.splitlines() == [
        "1 payouts booked, 258.45 in total (bank / suspense)",
        "Batch INCS-20261127-0001-1: suspense balance 0.00",
        "Written: out/CLR-20261202-0001.journal.csv"]


def test_unmatched_entries_are_listed_with_their_reason_code(books):
    first, _, _ = books.collect()
    books.bank("camt053.xml", camt053(
        bare_payout(77700, "P1", DEC1),
        abn_return([first.tx("2026-0001")], ["AM04"], "P2", DEC1).replace(
            "<EndToEndId>2026-0001</EndToEndId>", "<EndToEndId>ONBEKEND-9</EndToEndId>")))
    result = incasso("clear", "bank", "-o", "out")
    assert result.exit_code == 1  # unmatched entries need a person
    assert result.stdout.splitlines() == [
        "camt053.xml:10  bank-payout-unmatched  777.00  credit that looks like a collection "
        "payout but matches no batch (no batch id, no known EndToEndIds, no batch with this "
        "amount around this date)",
        "camt053.xml:20  bank-return-unknown  121.00  EndToEndId ONBEKEND-9 is not one of ours",
        "Nothing to book."]
    assert outputs(books) == []


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE Document [
  <!ENTITY a "{pid}">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
]>
"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
"""


@pytest.mark.parametrize("prolog, entity, found", [
    (BILLION_LAUGHS, "&d;", "<!DOCTYPE> <!ENTITY>"),
    (EXTERNAL_ENTITY, "&secret;", "<!DOCTYPE> <!ENTITY> SYSTEM/PUBLIC"),
])
def test_hostile_xml_stops_the_run_and_books_nothing(answered, prolog, entity, found):
    """A statement that would book a payout, with a DTD: the whole run stops, also the
    good files beside it."""
    statement = (answered.bank_dir / "camt053-20261201.xml").read_text(encoding="utf-8")
    body = statement.split("\n", 1)[1].replace("<AddtlNtryInf>", f"<AddtlNtryInf>{entity}", 1)
    answered.bank("zz-hostile.xml", prolog.format(pid="INCS-20261127-0001-1") + body)
    before = answered.snapshot()
    result = incasso("clear", "bank", "-o", "out")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr == (
        f"incasso: Refused to read bank/zz-hostile.xml: it contains {found}. Bank files never "
        "have a DTD, and one can be used to attack the computer that reads it\n")
    assert answered.snapshot() == before


def test_a_file_that_is_not_a_bank_file_exits_3(books):
    books.collect()
    books.bank("other.xml", '<?xml version="1.0"?><Document xmlns="urn:example:invoice"/>')
    result = incasso("clear", "bank/other.xml", "-o", "out")
    assert result.exit_code == 3
    assert result.stderr == ("incasso: bank/other.xml is not a camt.052, camt.053, camt.054 or pain.002 file "
                             "(namespace: urn:example:invoice)\n")


def test_a_broken_bank_file_is_one_line_on_exit_3(books):
    """lxml's reason holds a line break ('... range\n, line 1, column 123'): the message
    stays one line (found by make fuzz)."""
    books.collect()
    (books.folder / "bank").mkdir(exist_ok=True)
    (books.folder / "bank" / "broken.xml").write_bytes(
        b'<?xml version="1.0" encoding="UTF-8"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:'
        b'camt.053.001.02"><Stmt></Stmt><Stmt>\x00</Stmt></Document>')
    result = incasso("clear", "bank/broken.xml", "-o", "out")
    assert result.exit_code == 3
    assert result.stderr == ("incasso: Cannot read bank/broken.xml: Invalid character: Char 0x0 out of "
                             "allowed range, line 1, column 123\n")


def test_a_missing_file_exits_3(books):
    result = incasso("clear", "bank/nope.xml", "-o", "out")
    assert result.exit_code == 3
    assert result.stderr.startswith("incasso: ")
    assert "bank/nope.xml" in result.stderr


def test_clear_help_shows_an_example():
    result = incasso("clear", "--help")
    assert result.exit_code == 0
    assert re.search(r"^ +incasso clear \S+ -o \S+$", result.stdout, re.MULTILINE)


# --- make demo ------------------------------------------------------------------------------------

def demo_commands() -> list[tuple[str, list[str]]]:
    """(INCASSO_NOW, arguments) of each incasso command in the Makefile's demo target."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    return [(now, args.split()) for now, args in
            re.findall(r"INCASSO_NOW=(\S+) \S*/incasso (.+)", recipe)]


def test_make_demo_ends_with_the_first_batch_cleared(tmp_path, monkeypatch):
    for name in ("debiteuren.xlsx", "facturen.xlsx", "incasso.toml"):
        shutil.copy(ROOT / "samples" / name, tmp_path / name)
    shutil.copytree(ROOT / "samples" / "bank", tmp_path / "bank")
    monkeypatch.chdir(tmp_path)
    commands = demo_commands()
    assert [args[0] for _, args in commands] == ["check", "collect", "clear", "status"]
    results = [incasso(*args, INCASSO_NOW=now) for now, args in commands]
    assert [r.exit_code for r in results] == [0, 0, 0, 0]
    cleared = results[2].stdout.splitlines()
    assert "Batch INCS-20261127-0001-1: suspense balance 0.00" in cleared
    status = results[3].stdout.splitlines()
    first = next(line for line in status if line.startswith("INCS-20261127-0001-1 "))
    assert first.split()[-1] == "0.00"
    assert "NOT CLEARED" not in first
