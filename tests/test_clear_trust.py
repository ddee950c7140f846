"""`incasso clear` books only what is ours and says when something needs a person (issue 12).

The sample club's collection, then bank files in the banks' shapes
(tests/fixtures/bank/): a statement for another account, a Swiss CHF notification,
camt.052 reports (.02 from ABN AMRO, .08 from a German bank), a file with only a group
header. Each exit class of `clear` is pinned with the exact text a user reads.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import sqlite3
import tomllib
from pathlib import Path
from textwrap import dedent

import pytest
from click.testing import CliRunner

from incasso_sheets.clearing.scope import Scope
from incasso_sheets.cli import main
from incasso_sheets.core.settings import parse_settings
from incasso_sheets.formats import bankfile, camt

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
BANK = ROOT / "tests" / "fixtures" / "bank"
ENV = {"INCASSO_NOW": "2026-12-02T20:00:00", "INCASSO_FAULT": None, "LANG": "en_GB.UTF-8",
       "LC_ALL": None, "LC_MESSAGES": None}
OURS = "NL91ABNA0417164300"
OTHER_ACCOUNT_LINE = (
    "camt053_v02_other_account.xml  bank-statement-other-account  statement "
    "0123456789.2026-11-30 is for account NL02ABNA0123456789, not for the creditor's "
    "(NL91ABNA0417164300): its entries (2) are not booked. The wrong download? If you also "
    "collect on this account, add it to extra_ibans under [creditor] in incasso.toml")


def incasso(*args: str, now: str = ENV["INCASSO_NOW"]):
    return CliRunner(env={**ENV, "INCASSO_NOW": now}).invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def collected_once(tmp_path_factory) -> Path:
    """The samples collected once (27 November 2026); each test works on a copy."""
    folder = tmp_path_factory.mktemp("club") / "club"
    shutil.copytree(SAMPLES, folder, ignore=shutil.ignore_patterns("fouten", "*.py"))
    result = CliRunner(env={**ENV, "INCASSO_NOW": "2026-11-27T10:00:00"}).invoke(
        main, ["collect", str(folder / "debiteuren.xlsx"), str(folder / "facturen.xlsx"),
               "-o", str(folder / "out"), "--config", str(folder / "incasso.toml")],
        catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture
def club(collected_once, tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "club"
    shutil.copytree(collected_once, folder)
    monkeypatch.chdir(folder)
    return folder


def fixture(club: Path, name: str, source: Path | None = None, **replace: str) -> str:
    """Copy a bank file into the club's folder, with text replaced; its path as an argument."""
    text = (source or BANK / name).read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    (club / "in").mkdir(exist_ok=True)
    (club / "in" / name).write_text(text, encoding="utf-8")
    return f"in/{name}"


def extra_ibans(club: Path, *ibans: str) -> None:
    settings = club / "incasso.toml"
    listed = ", ".join(f'"{i}"' for i in ibans)
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        "[creditor]\n", f"[creditor]\nextra_ibans = [{listed}]\n", 1), encoding="utf-8")


def journal(club: Path) -> list[tuple]:
    with sqlite3.connect(club / "incasso.db") as conn:
        return conn.execute("SELECT event, account, debit_cents, credit_cents FROM journal "
                            "ORDER BY line_id").fetchall()


# --- exit 0 ---------------------------------------------------------------------------------

def test_everything_matched_is_exit_0_also_for_a_refund_that_needs_contact(club):
    result = incasso("clear", "bank", "-o", "out")
    assert result.exit_code == 0, result.output
    # the MD06 (refund) return is matched: its follow-up is in the returns report, not exit 1
    assert "2 returns and refunds booked, 119.90 (receivables / bank)" in result.stdout.splitlines()
    assert "1 other entries are not direct debits and are left alone" in result.stdout.splitlines()


def test_json_gives_the_counts_in_cents_and_nothing_to_look_at(club):
    result = incasso("clear", "bank", "-o", "out", "--format", "json")
    assert result.exit_code == 0
    summary = json.loads(result.stdout)
    assert summary["booked"] == {
        "reject": {"count": 1, "total_cents": 2500},
        "payout": {"count": 1, "total_cents": 419965},
        "return": {"count": 2, "total_cents": 11990},
        "charges": {"count": 1, "total_cents": 250},
    }
    assert (summary["ignored"], summary["not_booked"], summary["duplicates"]) == (1, 0, 0)
    assert summary["attention"] == []
    assert summary["run"] == "CLR-20261202-0001"
    assert summary["balances"] == [{"batch": "INCS-20261127-0001-1", "suspense_cents": 0}]


# --- exit 1: another account, another currency -----------------------------------------------

NEEDS_A_PERSON = {
    "another account": (
        "camt053_v02_other_account.xml", None, {}, (), OTHER_ACCOUNT_LINE),
    "no account": (
        "camt053_v02_other_account.xml", None,
        {"<Acct><Id><IBAN>NL02ABNA0123456789</IBAN></Id><Ccy>EUR</Ccy></Acct>": ""}, (),
        "camt053_v02_other_account.xml  bank-statement-no-account  statement "
        "0123456789.2026-11-30 names no account, so it cannot be told to be the creditor's: "
        "its entries (2) are not booked"),
    # issue 12: CHF 6.00 returned and CHF 0.70 charges were booked as EUR; refused even on
    # an account of ours
    "another currency": (
        "swiss_camt054_v04_chf.xml", None, {}, ("CH9300762011623852957",),
        "swiss_camt054_v04_chf.xml  bank-statement-other-currency  statement "
        "CH20261204-0000000417-1 has entries in CHF (1), not in EUR: they are not booked "
        "(direct debits are collected and booked in euro)"),
    "a status report for an unknown message": (
        "pain002.xml", SAMPLES / "bank" / "pain002-20261127.xml",
        {"<OrgnlMsgId>INCS-20261127-0001</OrgnlMsgId>": "<OrgnlMsgId>INCS-20991231-0001</OrgnlMsgId>"}, (),
        "pain002.xml  bank-status-unknown-message  status report for message INCS-20991231-0001, "
        "which is not in the ledger"),
    "a group header alone": (
        "rabobank_camt053_v02_group_header_only.xml", None, {}, (),
        "rabobank_camt053_v02_group_header_only.xml  bank-file-no-statement  contains no "
        "statement, report or notification (only a group header): nothing in it can be booked"),
}


@pytest.mark.parametrize("case", NEEDS_A_PERSON)
def test_a_file_that_needs_a_person_books_nothing_and_says_why_once(club, case):
    name, source, replace, ibans, line = NEEDS_A_PERSON[case]
    if ibans:
        extra_ibans(club, *ibans)
    result = incasso("clear", fixture(club, name, source, **replace), "-o", "out")
    assert result.exit_code == 1
    assert result.stdout == line + "\nNothing to book.\n"
    assert journal(club) == []


def test_json_names_the_other_account_with_a_stable_code(club):
    path = fixture(club, "camt053_v02_other_account.xml")
    result = incasso("clear", path, "-o", "out", "--format", "json")
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    assert summary["booked"] == {}
    assert summary["attention"] == [{
        "code": "bank-statement-other-account", "reason": OTHER_ACCOUNT_LINE.split("  ", 2)[2],
        "source": "camt053_v02_other_account.xml", "amount_cents": None,
        "detail": "NL02ABNA0123456789", "statement": "0123456789.2026-11-30", "count": 2,
        "ours": OURS}]


def test_an_account_listed_in_extra_ibans_is_booked(club):
    extra_ibans(club, "NL02 ABNA 0123 4567 89")
    path = fixture(club, "camt053_v02_other_account.xml")
    result = incasso("clear", path, "-o", "out")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("1 payouts booked, 4199.65 in total (bank / suspense)\n")


def test_a_chf_notification_of_another_account_is_reported_as_another_account(club):
    path = fixture(club, "swiss_camt054_v04_chf.xml")
    result = incasso("clear", path, "-o", "out")
    assert result.exit_code == 1
    assert "  bank-statement-other-account  statement CH20261204-0000000417-1 is for account " \
           "CH9300762011623852957, not for the creditor's" in result.stdout


def test_what_matched_is_booked_beside_what_needs_a_person(club):
    other = fixture(club, "camt053_v02_other_account.xml")
    result = incasso("clear", "bank", other, "-o", "out")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[:4] == ["1 rejects before settlement booked, 25.00 (receivables / suspense)",
                         "1 payouts booked, 4199.65 in total (bank / suspense)",
                         "2 returns and refunds booked, 119.90 (receivables / bank)",
                         "1 bank charges booked, 2.50"]
    assert lines.count(OTHER_ACCOUNT_LINE) == 1


# --- exit 1: unknown, malformed -----------------------------------------------------------------

def test_an_unknown_return_exits_1_and_the_known_one_is_booked(club):
    path = fixture(club, "camt054.xml", SAMPLES / "bank" / "camt054-20261202.xml",
                   **{"<EndToEndId>2026-0003</EndToEndId>": "<EndToEndId>ONBEKEND-1</EndToEndId>"})
    result = incasso("clear", path, "-o", "out")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "1 returns and refunds booked, 59.95 (receivables / bank)"
    assert "camt054.xml:26  bank-return-unknown  59.95  EndToEndId ONBEKEND-1 is not one of ours" in lines


def test_an_entry_without_a_status_is_malformed_not_pending(club):
    path = fixture(club, "camt054.xml", SAMPLES / "bank" / "camt054-20261202.xml",
                   **{"<RvslInd>true</RvslInd>\n        <Sts>BOOK</Sts>\n        <BookgDt><Dt>2026-12-02</Dt></BookgDt>\n"
                      "        <ValDt><Dt>2026-12-02</Dt></ValDt>\n        <AcctSvcrRef>0330202612020001":
                      "<RvslInd>true</RvslInd>\n        <BookgDt><Dt>2026-12-02</Dt></BookgDt>\n"
                      "        <ValDt><Dt>2026-12-02</Dt></ValDt>\n        <AcctSvcrRef>0330202612020001"})
    result = incasso("clear", path, "-o", "out")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert "camt054.xml:9  bank-entry-no-status  62.45  entry without a status (Sts): whether the " \
           "bank booked it cannot be told; it is not booked" in lines
    assert "1 returns and refunds booked, 59.95 (receivables / bank)" in lines
    assert not any("not booked by the bank yet" in line for line in lines)


def test_an_empty_statement_is_not_a_file_without_statement(club):
    path = fixture(club, "empty.xml", SAMPLES / "bank" / "camt053-20261130.xml")
    text = (club / path).read_text(encoding="utf-8")
    (club / path).write_text(text[:text.index("      <Ntry>")] + "    </Stmt>\n  </BkToCstmrStmt>\n</Document>\n",
                             encoding="utf-8")
    result = incasso("clear", path, "-o", "out")
    assert (result.exit_code, result.stdout) == (0, "Nothing to book.\n")


# --- exit 3 -----------------------------------------------------------------------------------------

def test_a_pain002_without_a_namespace_is_named_and_exits_3(club):
    path = fixture(club, "pain002.xml", SAMPLES / "bank" / "pain002-20261127.xml",
                   **{' xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"': ""})
    result = incasso("clear", path, "-o", "out")
    assert result.exit_code == 3
    assert result.stderr == (
        "incasso: in/pain002.xml looks like a pain.002 file (<CstmrPmtStsRpt>) but has no XML "
        "namespace, so its version cannot be told and it is not read. Bank files name the message "
        "in the root element, e.g. xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.002.001.03\": use "
        "the file as the bank sent it\n")
    assert journal(club) == []


def test_xml_without_a_namespace_that_is_no_bank_message_exits_3(club):
    (club / "in").mkdir()
    (club / "in" / "x.xml").write_text("<Document><Invoice/></Document>", encoding="utf-8")
    result = incasso("clear", "in/x.xml", "-o", "out")
    assert result.exit_code == 3
    assert result.stderr == ("incasso: in/x.xml is not a camt.052, camt.053, camt.054 or pain.002 "
                             "file: it has no XML namespace, and <Invoice> is not a bank message\n")


def test_a_file_that_cannot_be_read_exits_3(club):
    (club / "in").mkdir()
    (club / "in" / "broken.xml").write_text("<Document xmlns='x'><Stmt>", encoding="utf-8")
    result = incasso("clear", "in/broken.xml", "-o", "out")
    assert result.exit_code == 3
    assert result.stderr.startswith("incasso: ")


# --- camt.052 --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("version", "status"), [("02", "<Sts>BOOK</Sts>"), ("04", "<Sts>BOOK</Sts>"),
                                               ("08", "<Sts><Cd>BOOK</Cd></Sts>")])
def test_camt052_of_each_version_is_identified_and_read(tmp_path, version, status):
    namespace = f"urn:iso:std:iso:20022:tech:xsd:camt.052.001.{version}"
    path = tmp_path / "camt052.xml"
    path.write_text(
        f'<Document xmlns="{namespace}"><BkToCstmrAcctRpt><GrpHdr><MsgId>M</MsgId></GrpHdr>'
        f'<Rpt><Id>R-1</Id><Acct><Id><IBAN>{OURS}</IBAN></Id></Acct>'
        f'<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>{status}</Ntry></Rpt>'
        f'</BkToCstmrAcctRpt></Document>', encoding="utf-8")
    assert bankfile.identify(path) == ("camt.052", f"001.{version}")
    (entry,) = camt.iter_entries(path)
    assert (entry.kind, entry.statement_id, entry.account_iban, entry.status, entry.amount_cents) == (
        "camt.052", "R-1", OURS, "BOOK", 100)


def test_camt052_entries_read_like_a_statements():
    booked, pending = camt.iter_entries(BANK / "german_camt052_v08_report.xml")
    assert (booked.kind, booked.account_iban, booked.status, booked.amount_cents,
            booked.charges_cents, booked.domain_code) == (
        "camt.052", "DE89370400440532013000", "BOOK", 4800, 300, "PMNT/IDDT/UPDD")
    assert [(d.end_to_end_id, d.amount_cents, d.reason_code, d.debtor_name) for d in booked.details] == [
        ("2026-0010", 4500, "AM04", "Katrin Schmidt")]
    assert (pending.status, pending.booked) == ("PDNG", False)
    (report,) = camt.read_statements(BANK / "german_camt052_v08_report.xml")
    assert (report.kind, report.version, report.statement_id, report.entry_count) == (
        "camt.052", "001.08", "052D2026120408150001-1", 2)


def test_a_camt052_books_only_its_booked_entries(club):
    extra_ibans(club, "DE89370400440532013000")
    path = fixture(club, "german_camt052_v08_report.xml")
    result = incasso("clear", path, "-o", "out", now="2026-12-04T09:00:00")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:3] == [
        "1 returns and refunds booked, 45.00 (receivables / bank)",
        "1 bank charges booked, 3.00",
        "1 entries are not booked by the bank yet (pending or information)"]


STRIP_PAYOUT_REF = {"<AcctSvcrRef>0330202611300001</AcctSvcrRef>": ""}


@pytest.mark.parametrize("key", ["bank reference", "digest"])
def test_a_camt052_then_the_camt053_of_that_day_book_each_entry_once(club, key):
    strip = STRIP_PAYOUT_REF if key == "digest" else {}
    intraday = fixture(club, "abnamro_camt052_v02_intraday.xml", **strip)
    statement = fixture(club, "camt053.xml", SAMPLES / "bank" / "camt053-20261130.xml", **strip)
    first = incasso("clear", intraday, "-o", "out", now="2026-11-30T15:00:00")
    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines()[:2] == [
        "1 payouts booked, 4199.65 in total (bank / suspense)",
        "1 entries are not booked by the bank yet (pending or information)"]
    second = incasso("clear", statement, "-o", "out", now="2026-12-01T08:00:00")
    assert second.exit_code == 0, second.output
    assert second.stdout == dedent("""\
        1 entries were booked in an earlier run and are skipped
        1 other entries are not direct debits and are left alone
        Nothing to book.
        """)
    assert [row for row in journal(club) if row[0] == "payout"] == [
        ("payout", "1100", 419965, None), ("payout", "1290", None, 419965)]


def test_a_camt052_and_camt053_in_one_run_book_the_payout_once(club):
    intraday = fixture(club, "abnamro_camt052_v02_intraday.xml")
    result = incasso("clear", intraday, "bank", "-o", "out")
    assert result.exit_code == 0, result.output
    assert "1 payouts booked, 4199.65 in total (bank / suspense)" in result.stdout.splitlines()
    assert "1 entries were booked in an earlier run and are skipped" in result.stdout.splitlines()


# --- the pieces ------------------------------------------------------------------------------------

def test_scope_uses_account_matches_for_bank_account_numbers():
    """MT940 :25: may hold ABN AMRO's bare account number instead of the IBAN."""
    entry = next(iter(camt.iter_entries(SAMPLES / "bank" / "camt053-20261130.xml")))
    scope = Scope([OURS])
    assert scope.admits(dataclasses.replace(entry, account_iban="417164300"), "a.sta")
    assert scope.admits(dataclasses.replace(entry, account_iban=f"{OURS}EUR"), "a.sta")
    assert not scope.admits(dataclasses.replace(entry, account_iban="123456789"), "a.sta")
    assert not scope.admits(dataclasses.replace(entry, account_iban="123456789"), "a.sta")
    assert [(u.code, u.detail, dict(u.params)["count"]) for u in scope.held_back()] == [
        ("bank-statement-other-account", "123456789", 2)]


SETTINGS = """
[creditor]
name = "Club"
iban = "NL91ABNA0417164300"
creditor_id = "NL69ZZZ123456780000"
{extra}
[accounts]
receivables = "1300"
suspense = "1290"
bank = "1100"
bank_charges = "4610"
"""


def settings(extra: str):
    return parse_settings(tomllib.loads(SETTINGS.format(extra=extra)))


def test_extra_ibans_are_normalised_and_every_collection_account_is_listed():
    parsed, issues = settings('extra_ibans = ["nl02 abna 0123 4567 89", "NL02ABNA0123456789"]')
    assert issues == []
    assert parsed.creditor.ibans == (OURS, "NL02ABNA0123456789")


@pytest.mark.parametrize(("extra", "code", "value"), [
    ('extra_ibans = ["NL02ABNA0123456788"]', "creditor-iban-invalid", "NL02ABNA0123456788"),
    ('extra_ibans = [42]', "settings-wrong-type", "42"),
    ('extra_ibans = "NL02ABNA0123456789"', "settings-wrong-type", "NL02ABNA0123456789"),
])
def test_a_bad_extra_iban_is_reported_at_its_key(extra, code, value):
    parsed, issues = settings(extra)
    assert parsed is None
    assert [(i.column, i.code, i.value) for i in issues] == [("creditor.extra_ibans", code, value)]


def test_a_list_that_is_no_list_of_ibans_says_what_is_expected():
    _parsed, (problem,) = settings('extra_ibans = "NL02ABNA0123456789"')
    assert 'a list of IBANs like ["NL91ABNA0417164300"]' in problem.message("en")
