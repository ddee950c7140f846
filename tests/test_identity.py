"""Issue 19, "collected twice, or lost": an invoice is known by its identity, whatever its
spelling or the file it comes from; a ledger knows whose it is, is found beside the real
settings file, and an empty or unreadable one is never taken for a new one; every status
is one of one enum."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path
from textwrap import dedent

import polars as pl
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from shared import ENV, SETTINGS
from test_clear import read_pain008, reject

from incasso_sheets.cli import main
from incasso_sheets.core.model import MandateStatus, TransactionStatus
from incasso_sheets.formats.safe_text import (
    formula_safe,
    formula_safe_expr,
    formula_unquote,
    formula_unquote_expr,
)
from incasso_sheets.ledger import store as ledger
from incasso_sheets.ledger.store import Ledger

COLLECT_NOW = "2026-11-27T10:00:00"
CLEAR_NOW = "2026-12-02T20:00:00"
LATER = "2026-12-03T10:00:00"
CLUB = "NL69ZZZ123456780000"
OTHER = "NL79ZZZ999999990000"  # another creditor (valid check digits)
DEBTORS = """
    Debiteurnummer;Naam;IBAN;Automatische incasso;Machtigingskenmerk;Datum machtiging;Type incasso
    10001;Jansen;NL91ABNA0417164300;ja;MDT-10001;01-03-2024;CORE
    10002;Peeters;BE68539007547034;ja;MDT-10002;01-03-2024;CORE
"""
HEADER = "Factuurnummer;Debiteurnummer;Factuurdatum;Vervaldatum;Bedrag;Omschrijving\n"
# Invoice numbers a spreadsheet would take for formulas: the clearing's reopened-invoices.csv
# writes them formula-safe ('-0003, '+0002).
FORMULA_LIKE = HEADER + "-0003;10001;01-11-2026;01-12-2026;30,00;Contributie\n" \
                        "+0002;10002;01-11-2026;01-12-2026;20,00;Kantine\n"


def incasso(folder: Path, args: list[str], now: str = COLLECT_NOW):
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(folder)
        return CliRunner(env={**ENV, "INCASSO_NOW": now}).invoke(main, args)


def books(folder: Path, invoices: str, settings: str = SETTINGS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "incasso.toml").write_text(dedent(settings).lstrip(), encoding="utf-8")
    (folder / "deb.csv").write_text(dedent(DEBTORS).lstrip(), encoding="utf-8")
    (folder / "inv.csv").write_text(invoices, encoding="utf-8")
    return folder


def collected(folder: Path) -> list[tuple]:
    """(invoice number, EndToEndId, status) of every transaction in the folder's ledger."""
    with closing(sqlite3.connect(folder / "incasso.db")) as conn:
        return conn.execute("SELECT invoice_number, end_to_end_id, status FROM transactions "
                            "ORDER BY rowid").fetchall()


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- 2. reopened-invoices.csv back into collect --------------------------------------------

@pytest.fixture
def reopened(tmp_path) -> Path:
    """-0003 and +0002 collected, then rejected by the bank: -0003 with MD06 (refund: contact
    the debtor first), +0002 with AM04 (insufficient funds: collect again)."""
    folder = books(tmp_path / "books", FORMULA_LIKE)
    done = incasso(folder, ["collect", "deb.csv", "inv.csv", "-o", "out"])
    assert done.exit_code == 0, done.output
    [batch] = read_pain008(folder / "out" / "INCS-20261127-0001.pain008.xml")
    (folder / "pain002.xml").write_text(reject(batch, (batch.tx("-0003"), "MD06"), (batch.tx("+0002"), "AM04")),
                                        encoding="utf-8")
    cleared = incasso(folder, ["clear", "pain002.xml", "-o", "out"], CLEAR_NOW)
    assert cleared.exit_code == 0, cleared.output
    return folder


def test_the_reopened_invoices_file_holds_the_numbers_formula_safe(reopened):
    text = (reopened / "out" / "CLR-20261202-0001.reopened-invoices.csv").read_text(encoding="utf-8-sig")
    assert [line.split(";")[0] for line in text.splitlines()] == ["Factuurnummer", "'+0002", "'-0003"]


def test_reopened_invoices_fed_back_keep_their_holds_and_their_identity(reopened):
    """The issue's two cases: the MD06 invoice stays held (it was collected again as
    `'-0003`), the AM04 one is collected again as `+0002-2` (it came back as `'+0002`)."""
    again = incasso(reopened, ["collect", "deb.csv", "out/CLR-20261202-0001.reopened-invoices.csv",
                               "-o", "again"], LATER)
    assert again.exit_code == 0, again.output
    assert collected(reopened) == [("-0003", "-0003", "rejected"), ("+0002", "+0002", "rejected"),
                                   ("+0002", "+0002-2", "collected")]
    xml = (reopened / "again" / "INCS-20261203-0001.pain008.xml").read_text(encoding="utf-8")
    assert "<EndToEndId>+0002-2</EndToEndId>" in xml
    assert "'" not in xml
    assert "invoice-needs-contact" in again.output and "MD06" in again.output


def test_the_holds_are_the_same_from_the_users_own_sheet(reopened):
    """The holds come from the ledger by the invoice's identity, whatever file it is in."""
    again = incasso(reopened, ["collect", "deb.csv", "inv.csv", "-o", "again"], LATER)
    assert again.exit_code == 0, again.output
    assert collected(reopened)[2:] == [("+0002", "+0002-2", "collected")]


@given(st.text())
def test_reading_takes_off_exactly_the_quote_formula_safe_added(text):
    assert formula_unquote(formula_safe(text)) == text
    quoted = pl.select(formula_safe_expr(pl.lit(pl.Series([text], dtype=pl.Utf8)))).item()
    assert quoted == formula_safe(text)
    assert pl.select(formula_unquote_expr(pl.lit(pl.Series([quoted], dtype=pl.Utf8)))).item() == text


@pytest.mark.parametrize(("text", "read"), [
    ("'-0003", "-0003"), ("'+0002", "+0002"), ("'=1", "=1"), ("'@x", "@x"), ("'\t=1", "\t=1"),
    ("''=1", "'=1"),                                # a quote the user typed, made safe: kept
    ("'abc", "'abc"), ("'1", "'1"), ("'", "'"),     # no formula behind it: not the tool's quote
])
def test_only_the_tools_own_quote_is_taken_off(text, read):
    assert formula_unquote(text) == read


# --- 3. an invoice's identity is not its spelling ------------------------------------------

def test_another_spelling_of_a_collected_invoice_is_not_collected_again(tmp_path):
    folder = books(tmp_path, HEADER + "INV-0001;10001;01-11-2026;01-12-2026;30,00;Contributie\n"
                                      "000123;10002;01-11-2026;01-12-2026;20,00;Kantine\n")
    assert incasso(folder, ["collect", "deb.csv", "inv.csv", "-o", "out"]).exit_code == 0
    (folder / "inv.csv").write_text(HEADER + "inv-0001;10001;01-11-2026;01-12-2026;30,00;Contributie\n"
                                             "123;10002;01-11-2026;01-12-2026;20,00;Kantine\n",
                                    encoding="utf-8")
    again = incasso(folder, ["collect", "deb.csv", "inv.csv", "-o", "out"], LATER)
    assert again.exit_code == 0, again.output
    assert again.stdout.endswith("Nothing to collect.\n")
    assert len(collected(folder)) == 2
    for number, spelling in (("inv-0001", "INV-0001"), ("123", "000123")):
        assert (f"invoice-already-collected-as  '{number}'  Already collected as {spelling} in batch "
                "INCS-20261127-0001-1: the same invoice number, spelled another way") in again.output


def test_another_invoice_under_another_spelling_is_a_reused_number(tmp_path):
    folder = books(tmp_path, HEADER + "INV-0001;10001;01-11-2026;01-12-2026;30,00;Contributie\n")
    assert incasso(folder, ["collect", "deb.csv", "inv.csv", "-o", "out"]).exit_code == 0
    (folder / "inv.csv").write_text(HEADER + "inv-1;10001;01-11-2027;01-12-2027;30,00;Contributie\n",
                                    encoding="utf-8")
    again = incasso(folder, ["collect", "deb.csv", "inv.csv", "-o", "out"], LATER)
    assert again.exit_code == 1, again.output
    assert "invoice-number-reused" in again.output


def test_two_spellings_in_one_sheet_are_a_duplicate(invoice_cells):
    cells = invoice_cells("Factuurnummer,Debiteurnummer,Factuurdatum,Vervaldatum,Bedrag\n"
                          "INV-1,10001,2026-11-01,2026-12-01,10.00\n"
                          "inv-0001,10001,2026-11-01,2026-12-01,10.00\n")
    assert (3, "Factuurnummer", "invoice-number-duplicate") in cells
    assert (2, "Factuurnummer", "invoice-number-duplicate") not in cells


def test_an_import_knows_an_invoice_under_another_spelling(tmp_path):
    folder = books(tmp_path, HEADER + "INV-0001;10001;01-11-2026;01-12-2026;30,00;Contributie\n")
    assert incasso(folder, ["collect", "deb.csv", "inv.csv", "-o", "out"]).exit_code == 0
    (folder / "history.csv").write_text(
        "Factuurnummer;Debiteurnummer;Machtigingskenmerk;Incassodatum;Bedrag\n"
        "inv-1;10001;MDT-10001;01-12-2026;30,00\n", encoding="utf-8")
    done = incasso(folder, ["ledger", "import", "history.csv"], LATER)
    assert done.exit_code == 0, done.output
    assert done.stdout == "Nothing new: every collection in history.csv is already imported.\n"
    assert len(collected(folder)) == 1


# --- 4. the ledger is found beside the real settings file ----------------------------------

def test_two_folders_sharing_one_settings_file_share_its_ledger(tmp_path):
    real = books(tmp_path / "real", FORMULA_LIKE)
    linked = books(tmp_path / "linked", FORMULA_LIKE)
    (linked / "incasso.toml").unlink()
    (linked / "incasso.toml").symlink_to(real / "incasso.toml")
    first = incasso(real, ["collect", "deb.csv", "inv.csv", "-o", "out"])
    assert first.exit_code == 0, first.output
    second = incasso(linked, ["collect", "deb.csv", "inv.csv", "-o", "out"])
    assert second.exit_code == 0, second.output
    assert second.stdout.endswith("Nothing to collect.\n")
    assert not (linked / "incasso.db").exists()
    assert not (linked / "out").exists()
    assert len(collected(real)) == 2


def test_every_command_finds_the_ledger_through_one_function(tmp_path):
    """`ledger.path_for` resolves the link; no command works the path out by itself."""
    source = Path(ledger.__file__).parent
    written_out = [p.name for p in source.rglob("*.py") if "with_name(ledger.FILENAME)" in p.read_text()]
    assert written_out == []


# --- 5. the ledger knows whose it is -------------------------------------------------------

@pytest.fixture
def foreign(tmp_path) -> Path:
    """Our books, with another creditor's incasso.db copied in."""
    theirs = books(tmp_path / "theirs", FORMULA_LIKE, SETTINGS.replace(CLUB, OTHER))
    assert incasso(theirs, ["collect", "deb.csv", "inv.csv", "-o", "out"]).exit_code == 0
    ours = books(tmp_path / "ours", FORMULA_LIKE)
    shutil.copy(theirs / "incasso.db", ours / "incasso.db")
    (ours / "history.csv").write_text(
        "Factuurnummer;Debiteurnummer;Machtigingskenmerk;Incassodatum;Bedrag\n"
        "2025-0001;10001;MDT-10001;01-12-2025;30,00\n", encoding="utf-8")
    (ours / "upd.csv").write_text("Debiteurnummer;Naam\n10001;Jansen-de Vries\n", encoding="utf-8")
    [batch] = read_pain008(theirs / "out" / "INCS-20261127-0001.pain008.xml")
    (ours / "pain002.xml").write_text(reject(batch, (batch.tx("-0003"), "AM04")), encoding="utf-8")
    return ours


WRITING = {
    "collect": ["collect", "deb.csv", "inv.csv", "-o", "out"],
    "collect --dry-run": ["collect", "deb.csv", "inv.csv", "-o", "out", "--dry-run"],
    "clear": ["clear", "pain002.xml", "-o", "out"],
    "debtors update": ["debtors", "update", "deb.csv", "upd.csv", "-o", "new.csv"],
    "ledger import": ["ledger", "import", "history.csv"],
}


@pytest.mark.parametrize("command", list(WRITING))
def test_another_creditors_ledger_stops_every_writing_command(foreign, command):
    before = files(foreign)
    done = incasso(foreign, WRITING[command], LATER)
    assert done.exit_code == 3, done.output
    assert done.stderr == (f"incasso: The ledger {foreign / 'incasso.db'} belongs to creditor {OTHER}, but "
                           f"the settings are those of creditor {CLUB}; use that creditor's settings, or "
                           "give each creditor a folder of its own\n")
    assert {k: v for k, v in files(foreign).items() if not k.startswith("incasso.db")} == {
        k: v for k, v in before.items() if not k.startswith("incasso.db")}


def test_status_and_ledger_check_report_another_creditors_ledger(foreign):
    status = incasso(foreign, ["status"], LATER)
    assert status.exit_code == 0, status.output
    assert f"belongs to creditor {OTHER}, but the settings are those of creditor {CLUB}" in status.stderr
    checked = incasso(foreign, ["ledger", "check"], LATER)
    assert checked.exit_code == 1
    assert (f"incasso.db:meta::  ledger-creditor-other  '{OTHER}'  Holds the collections of creditor "
            f"{OTHER}, not of {CLUB} (the settings' creditor)") in checked.stdout


def test_a_second_settings_file_in_the_same_folder_is_refused(tmp_path):
    folder = books(tmp_path, FORMULA_LIKE)
    assert incasso(folder, ["collect", "deb.csv", "inv.csv", "-o", "out"]).exit_code == 0
    (folder / "klantB.toml").write_text(dedent(SETTINGS.replace(CLUB, OTHER)).lstrip(), encoding="utf-8")
    done = incasso(folder, ["collect", "deb.csv", "inv.csv", "-o", "outB", "--config", "klantB.toml"], LATER)
    assert done.exit_code == 3, done.output
    assert f"belongs to creditor {CLUB}, but the settings are those of creditor {OTHER}" in done.stderr
    assert not (folder / "outB").exists()


def test_a_ledger_knows_its_id_and_its_creditor(tmp_path):
    folder = books(tmp_path, FORMULA_LIKE)
    assert incasso(folder, ["collect", "deb.csv", "inv.csv", "-o", "out"]).exit_code == 0
    with Ledger.open_read_only(folder / "incasso.db") as led:
        assert led.creditor_id == CLUB
        assert len(led.ledger_id) == 36
        first_id = led.ledger_id
    other = books(tmp_path / "other", FORMULA_LIKE)
    assert incasso(other, ["collect", "deb.csv", "inv.csv", "-o", "out"]).exit_code == 0
    with Ledger.open_read_only(other / "incasso.db") as led:
        assert led.ledger_id != first_id  # random, not made from the IBAN or the creditor


# --- 6. an empty or unreadable ledger is never a new one -----------------------------------

def test_an_empty_ledger_file_stops_the_run(tmp_path):
    folder = books(tmp_path, FORMULA_LIKE)
    (folder / "incasso.db").write_bytes(b"")  # a cloud placeholder not downloaded yet
    for args in (["collect", "deb.csv", "inv.csv", "-o", "out"], ["status"], ["ledger", "check"]):
        done = incasso(folder, args)
        assert done.exit_code == 3, done.output
        assert done.stderr == (f"incasso: The ledger {folder / 'incasso.db'} is an empty file (0 bytes), "
                               "perhaps a cloud placeholder that has not been downloaded yet; make sure the "
                               "real file is there and run again (a new ledger is only made where there is "
                               "none)\n")
    assert (folder / "incasso.db").read_bytes() == b""
    assert not (folder / "out").exists()


def test_an_unreadable_ledger_stops_the_run(tmp_path):
    folder = books(tmp_path, FORMULA_LIKE)
    (folder / "incasso.db").symlink_to(tmp_path / "not-downloaded.db")  # points at nothing
    done = incasso(folder, ["collect", "deb.csv", "inv.csv", "-o", "out"])
    assert done.exit_code == 3, done.output
    assert done.stderr.startswith(f"incasso: Cannot use the ledger {folder / 'incasso.db'}: ")
    assert not (tmp_path / "not-downloaded.db").exists()
    assert not (folder / "out").exists()


def test_a_new_ledger_is_made_whole_or_not_at_all(tmp_path, monkeypatch):
    """A first run that fails while the ledger is made leaves no (empty) incasso.db, which
    the next run would refuse; the next run makes it."""
    def broken(conn):
        raise RuntimeError("disk gone")

    with monkeypatch.context() as failing:
        failing.setitem(ledger._MIGRATIONS, ledger.SCHEMA_VERSION, broken)
        with pytest.raises(RuntimeError), Ledger.open(tmp_path / "incasso.db"):
            pass
    assert sorted(p.name for p in tmp_path.iterdir()) == ["incasso.db.lock"]
    (tmp_path / ".incasso.db.new-killed").write_bytes(b"half")  # a run killed while making one
    with Ledger.open(tmp_path / "incasso.db") as led:
        assert led.next_run_id() == 1
    assert not list(tmp_path.glob(".incasso.db.new-*"))


# --- 6. one enum of states -----------------------------------------------------------------

def test_the_check_constraint_is_made_from_the_enum(tmp_path):
    with Ledger.open(tmp_path / "incasso.db") as led:
        table = led.conn.execute("SELECT sql FROM sqlite_master WHERE name = 'transactions'").fetchone()[0]
    assert "CHECK " + ledger.sql_in("status", TransactionStatus) in table
    assert [s.value for s in TransactionStatus] == ["collected", "settled", "rejected", "returned"]
    assert [s.value for s in MandateStatus] == ["active", "dead", "blocked", "disputed"]


def test_a_status_outside_the_enum_is_a_problem_and_never_collected_again(tmp_path):
    folder = books(tmp_path, FORMULA_LIKE)
    assert incasso(folder, ["collect", "deb.csv", "inv.csv", "-o", "out"]).exit_code == 0
    with closing(sqlite3.connect(folder / "incasso.db")) as conn:
        conn.execute("PRAGMA ignore_check_constraints = ON")  # as another program could
        conn.execute("UPDATE transactions SET status = 'paid' WHERE invoice_number = '-0003'")
        conn.execute("UPDATE mandates SET status = 'asleep' WHERE mandate_id = 'MDT-10002'")
        conn.commit()
    checked = incasso(folder, ["ledger", "check"])
    assert checked.exit_code == 1
    assert ("incasso.db:transactions::  ledger-status-unknown  '-0003'  Status 'paid' is not one of "
            "collected, settled, rejected, returned") in checked.stdout
    assert ("incasso.db:mandates::  ledger-status-unknown  'MDT-10002'  Status 'asleep' is not one of "
            "active, dead, blocked, disputed") in checked.stdout
    again = incasso(folder, ["collect", "deb.csv", "inv.csv", "-o", "out"], LATER)
    assert again.exit_code == 0, again.output
    assert again.stdout.endswith("Nothing to collect.\n")
    assert [e2e for _, e2e, _ in collected(folder)] == ["-0003", "+0002"]  # no -0003-2
