"""Amendments that follow the scheme (docs/sepa.md §3), through the CLI: a debtor's IBAN or
mandate reference changed by `debtors update`, then the next `collect`'s pain.008 (each
XSD-validated) carries the amendment.

"Same bank" is the same BIC (first 8 characters), from the registry where the sheet has
none: a German move between two Cologne savings banks whose bank codes share their first
four digits is another bank; a Belgian move between two KBC bank codes is the same bank.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from textwrap import dedent

import pytest
from click.testing import CliRunner
from lxml import etree
from shared import CLUB

from incasso_sheets.cli import main
from incasso_sheets.formats import xsd
from incasso_sheets.sepa.identifiers import inspect_iban

ENV = {"INCASSO_NOW": "2026-11-27T09:00", "LANG": "en_GB.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""}
NEXT_DAY = {"INCASSO_NOW": "2026-11-30T09:00"}
HEADER = "Debiteurnummer;Naam;IBAN;BIC;Automatische incasso;Machtigingskenmerk;Datum machtiging;Plaats"
INVOICES = "Factuurnummer;Debiteurnummer;Factuurdatum;Vervaldatum;Bedrag;Omschrijving\n"
FIRST = "2026-9001;10001;01-11-2026;01-12-2026;25,00;Contributie december\n"
SECOND = "2026-9002;10001;27-11-2026;14-12-2026;25,00;Contributie januari\n"

# Real, valid IBANs (made with schwifty's IBAN.generate) and the BICs the registry knows.
BANKS = {
    "DE53370501982222222222": "COLSDE33",  # Sparkasse KoelnBonn, bank code 37050198
    "DE09370501985555555555": "COLSDE33",
    "DE44370502999876543210": "COKSDE33",  # Kreissparkasse Koeln, bank code 37050299
    "BE72734019643216": "KREDBEBB",        # KBC, bank code 734
    "BE20737010545256": "KREDBEBB",        # KBC, bank code 737
    "BE21001234567803": "GEBABEBB",        # BNP Paribas Fortis
    "FR7630004000030000123456759": "BNPAFRPP",
    "FR7630004008200000987654364": "BNPAFRPP",
    "FR7630003001000001234567889": "SOGEFRPP",
    "AT092011182221219100": "GIBAATWW",    # Erste Bank
    "AT572011140014400144": "GIBAATWW",
    "AT051200000513101080": "BKAUATWW",    # UniCredit Bank Austria
    "NL91ABNA0417164300": "ABNANL2A",
    "NL02ABNA0123456789": "ABNANL2A",
    "NL20INGB0001234567": "INGBNL2A",
}


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    Path("incasso.toml").write_text(dedent(CLUB + '\n    bank = "abnamro"\n').lstrip(), encoding="utf-8")
    return tmp_path


def write(name: str, text: str) -> None:
    Path(name).write_text(dedent(text).lstrip("\n"), encoding="utf-8")


def incasso(*args: str, env: dict[str, str] | None = None):
    return CliRunner(env={**ENV, **(env or {})}).invoke(main, list(args), catch_exceptions=False)


def transaction(run: str, end_to_end_id: str) -> dict[str, str | None]:
    """The sequence type and amendment of one collection in run/*.pain008.xml (XSD-checked)."""
    (path,) = Path(run).glob("*.pain008.xml")
    root = etree.parse(str(path)).getroot()
    version = etree.QName(root).namespace.rsplit(":", 1)[1]
    assert xsd.validate_file(path, version) == []
    for block in root.iter("{*}PmtInf"):
        for tx in block.iter("{*}DrctDbtTxInf"):
            if tx.findtext("{*}PmtId/{*}EndToEndId") == end_to_end_id:
                mandate = tx.find("{*}DrctDbtTx/{*}MndtRltdInf")
                details = "{*}AmdmntInfDtls/{*}OrgnlDbtrAcct/{*}Id/"
                return {"seq": block.findtext("{*}PmtTpInf/{*}SeqTp"),
                        "amended": mandate.findtext("{*}AmdmntInd"),
                        "original_iban": mandate.findtext(details + "{*}IBAN"),
                        "original_account": mandate.findtext(details + "{*}Othr/{*}Id"),
                        "original_mandate": mandate.findtext("{*}AmdmntInfDtls/{*}OrgnlMndtId"),
                        "agent": "".join(tx.find("{*}DbtrAgt/{*}FinInstnId").itertext()),
                        "iban": tx.findtext("{*}DbtrAcct/{*}Id/{*}IBAN")}
    raise AssertionError(f"{end_to_end_id} not in {path}")


def collect(run: str, env: dict[str, str] | None = None, *options: str):
    result = incasso("collect", "deb.csv", "inv.csv", "-o", run, *options, env=env)
    assert result.exit_code == 0, result.output
    return result


def test_the_test_ibans_are_valid_and_at_the_banks_named():
    for iban, bic in BANKS.items():
        problem, derived = inspect_iban(iban)
        assert (problem, derived[:8]) == (None, bic), iban


# --- moves within one bank and to another --------------------------------------------------

MOVES = [
    # (old IBAN, new IBAN, same bank)
    ("DE53370501982222222222", "DE44370502999876543210", False),  # COLSDE33 -> COKSDE33
    ("DE53370501982222222222", "DE09370501985555555555", True),
    ("BE72734019643216", "BE20737010545256", True),                # KBC 734 -> KBC 737
    ("BE72734019643216", "BE21001234567803", False),
    ("FR7630004000030000123456759", "FR7630004008200000987654364", True),  # BNP, two branches
    ("FR7630004000030000123456759", "FR7630003001000001234567889", False),
    ("AT092011182221219100", "AT572011140014400144", True),
    ("AT092011182221219100", "AT051200000513101080", False),
]


@pytest.mark.parametrize(("old", "new", "same"), MOVES, ids=[f"{o[:2]}-{'same' if s else 'other'}"
                                                             for o, _, s in MOVES])
def test_a_move_goes_out_with_the_amendment_the_scheme_asks(folder, old, new, same):
    bic = BANKS[old] + "XXX"
    write("deb.csv", f"{HEADER}\n10001;Jansen;{old};{bic};ja;MDT-1;01-03-2024;Keulen\n")
    write("inv.csv", INVOICES + FIRST)
    collect("run1")
    assert transaction("run1", "2026-9001")["seq"] == "FRST"
    write("upd.csv", f"Debiteurnummer;IBAN\n10001;{new}\n")
    result = incasso("debtors", "update", "deb.csv", "upd.csv", "-o", "deb.csv")
    assert result.exit_code == 0, result.output
    iban_line = f"10001  IBAN  '{old}' -> '{new}'  "
    if same:
        assert iban_line + f"(amendment: the original IBAN {old} will be sent with the next collection)" \
            in result.output
        assert "BIC" not in result.output  # the same bank keeps its BIC
    else:
        assert iban_line + ("(amendment: SMNDA (new account at another bank) will be sent with the next "
                            "collection, as FRST)") in result.output
        # the old bank's BIC is never kept: the new bank's, from the registry
        assert f"10001  BIC   '{bic}' -> '{BANKS[new]}" in result.output
    write("inv.csv", INVOICES + FIRST + SECOND)
    collect("run2", NEXT_DAY)
    sent = transaction("run2", "2026-9002")
    assert sent["iban"] == new
    assert sent["agent"][:8] == BANKS[new]
    if same:
        assert (sent["seq"], sent["amended"], sent["original_iban"], sent["original_account"]) == (
            "RCUR", "true", old, None)
    else:
        assert (sent["seq"], sent["amended"], sent["original_iban"], sent["original_account"]) == (
            "FRST", "true", None, "SMNDA")


def test_a_bic_the_update_gives_is_kept(folder):
    write("deb.csv", f"{HEADER}\n10001;Jansen;DE53370501982222222222;COLSDE33XXX;ja;MDT-1;01-03-2024;Keulen\n")
    write("upd.csv", "Debiteurnummer;IBAN;BIC\n10001;DE44370502999876543210;COKSDE33\n")
    result = incasso("debtors", "update", "deb.csv", "upd.csv", "-o", "new.csv")
    assert result.exit_code == 0, result.output
    assert "10001  BIC   'COLSDE33XXX' -> 'COKSDE33'\n" in result.output


def test_a_move_to_a_bank_the_registry_does_not_know_clears_the_bic(folder):
    # Monaco is outside the EEA: see the next test. An EEA bank without a known BIC: a
    # German IBAN with a bank code no bank uses.
    new = "DE65123456780532013000"
    assert inspect_iban(new) == (None, None)
    write("deb.csv", f"{HEADER}\n10001;Jansen;DE53370501982222222222;COLSDE33XXX;ja;MDT-1;01-03-2024;Keulen\n")
    write("upd.csv", f"Debiteurnummer;IBAN\n10001;{new}\n")
    result = incasso("debtors", "update", "deb.csv", "upd.csv", "-o", "new.csv")
    assert result.exit_code == 0, result.output
    assert ("10001  BIC   'COLSDE33XXX' -> ''  (the new IBAN is at another bank whose BIC is not known: "
            "BIC cleared, the IBAN alone is sent)") in result.output


@pytest.mark.parametrize("header", [HEADER, HEADER.replace("BIC;", "")])
def test_a_move_outside_the_eea_without_a_known_bic_is_refused_at_the_iban_cell(folder, header):
    row = "10001;Jansen;NL91ABNA0417164300;ABNANL2A;ja;MDT-1;01-03-2024;Zurich"
    if "BIC" not in header:
        row = row.replace("ABNANL2A;", "")
    write("deb.csv", f"{header}\n{row}\n")
    write("upd.csv", "Debiteurnummer;IBAN\n10001;CH9300762011623852957\n")
    result = incasso("debtors", "update", "deb.csv", "upd.csv", "-o", "new.csv")
    assert result.exit_code == 1, result.output
    assert result.output.startswith("upd.csv:upd:2:IBAN  bic-required  ")
    assert not Path("new.csv").exists()


# --- migrated history: the sheet's old values are the original ones -------------------------

MIGRATED = ("Debiteurnummer;Naam;IBAN;Automatische incasso;Machtigingskenmerk;Datum machtiging;Laatste incasso\n"
            "10001;Jansen;NL91ABNA0417164300;ja;MDT-1;01-03-2024;01-10-2026\n")


@pytest.mark.parametrize(("new", "expected"), [
    ("NL20INGB0001234567", {"seq": "FRST", "original_iban": None, "original_account": "SMNDA"}),  # ING
    ("NL02ABNA0123456789", {"seq": "RCUR", "original_iban": "NL91ABNA0417164300", "original_account": None}),
])
def test_a_migrated_debtor_moving_goes_out_with_the_amendment(folder, new, expected):
    write("deb.csv", MIGRATED)
    write("upd.csv", f"Debiteurnummer;IBAN\n10001;{new}\n")
    result = incasso("debtors", "update", "deb.csv", "upd.csv", "-o", "deb.csv")
    assert result.exit_code == 0, result.output
    assert f"10001  IBAN  'NL91ABNA0417164300' -> '{new}'  (amendment: " in result.output
    # the original values are kept in the ledger, where collect reads them
    with closing(sqlite3.connect("incasso.db")) as conn:
        assert conn.execute("SELECT mandate_key, debtor_id, iban, last_collection_date, history_source "
                            "FROM mandates").fetchall() == [
            ("MDT-1", "10001", "NL91ABNA0417164300", "2026-10-01", "sheet")]
    write("inv.csv", INVOICES + SECOND)
    collect("run")
    sent = transaction("run", "2026-9002")
    assert {k: sent[k] for k in expected} == expected
    assert (sent["amended"], sent["iban"]) == ("true", new)


def test_the_same_migrated_update_twice_keeps_the_first_originals(folder):
    write("deb.csv", MIGRATED)
    write("upd.csv", "Debiteurnummer;IBAN\n10001;NL20INGB0001234567\n")
    assert incasso("debtors", "update", "deb.csv", "upd.csv", "-o", "deb.csv").exit_code == 0
    write("upd.csv", "Debiteurnummer;IBAN\n10001;NL02ABNA0123456789\n")
    result = incasso("debtors", "update", "deb.csv", "upd.csv", "-o", "deb.csv")
    # against the last collected account (ABN AMRO), not the one in between
    assert ("10001  IBAN  'NL20INGB0001234567' -> 'NL02ABNA0123456789'  (amendment: the original IBAN "
            "NL91ABNA0417164300 will be sent with the next collection)") in result.output
    with closing(sqlite3.connect("incasso.db")) as conn:
        assert conn.execute("SELECT iban FROM mandates").fetchall() == [("NL91ABNA0417164300",)]


def test_a_migrated_move_without_settings_warns_that_nothing_keeps_the_originals(folder):
    Path("incasso.toml").unlink()
    write("deb.csv", MIGRATED)
    write("upd.csv", "Debiteurnummer;IBAN\n10001;NL20INGB0001234567\n")
    result = incasso("debtors", "update", "deb.csv", "upd.csv", "-o", "deb.csv")
    assert result.exit_code == 0, result.output
    assert ("upd.csv:upd:2:IBAN  update-originals-not-kept  'NL20INGB0001234567'  The sheet says this "
            "mandate was collected before (last collection 01-10-2026)") in result.output
    assert not Path("incasso.db").exists()


def test_a_debtor_without_history_records_nothing(folder):
    write("deb.csv", MIGRATED.replace(";01-10-2026", ";"))
    write("upd.csv", "Debiteurnummer;IBAN\n10001;NL20INGB0001234567\n")
    result = incasso("debtors", "update", "deb.csv", "upd.csv", "-o", "deb.csv")
    assert result.exit_code == 0, result.output
    assert "amendment" not in result.output
    assert not Path("incasso.db").exists()


# --- a mandate reference belongs to one debtor -----------------------------------------------

TWO = ("Debiteurnummer;Naam;IBAN;Automatische incasso;Machtigingskenmerk;Datum machtiging\n"
       "10037;De Vries;NL91ABNA0417164300;ja;VDV-10037;01-03-2024\n"
       "10040;Van Dam;NL20INGB0001234567;ja;VDV-10040;01-03-2024\n")


@pytest.fixture
def collected_two(folder) -> Path:
    write("deb.csv", TWO)
    write("inv.csv", INVOICES + "A-1;10037;01-11-2026;01-12-2026;10,00;\nA-2;10040;01-11-2026;01-12-2026;10,00;\n")
    collect("run1")
    # 10037 leaves: its row goes
    write("deb.csv", TWO.replace("10037;De Vries;NL91ABNA0417164300;ja;VDV-10037;01-03-2024\n", ""))
    return folder


def test_update_refuses_a_mandate_reference_the_ledger_knows_for_another_debtor(collected_two):
    write("upd.csv", "Debiteurnummer;Machtigingskenmerk\n10040;vdv-10037\n")
    result = incasso("debtors", "update", "deb.csv", "upd.csv", "-o", "new.csv")
    assert result.exit_code == 1, result.output
    assert result.output.startswith(
        "upd.csv:upd:2:Machtigingskenmerk  mandate-id-other-debtor  'vdv-10037'  The ledger knows this "
        "mandate reference for debtor 10037: a mandate reference belongs to one debtor")
    assert not Path("new.csv").exists()


def test_collect_refuses_a_mandate_reference_the_ledger_knows_for_another_debtor(collected_two):
    write("deb.csv", TWO.replace("10037;De Vries;NL91ABNA0417164300;ja;VDV-10037;01-03-2024\n", "")
          .replace("VDV-10040", "VDV-10037"))
    write("inv.csv", INVOICES + "A-3;10040;27-11-2026;14-12-2026;10,00;\n")
    result = incasso("collect", "deb.csv", "inv.csv", "-o", "run2", env=NEXT_DAY)
    assert result.exit_code == 1, result.output
    assert "deb.csv:deb:2:Machtigingskenmerk  mandate-id-other-debtor  'VDV-10037'  " in result.output
    assert not Path("run2").exists()
    skipped = incasso("collect", "deb.csv", "inv.csv", "-o", "run2", "--skip-invalid", env=NEXT_DAY)
    assert "debtor-invalid-skipped" in skipped.output
    assert not list(Path("run2").glob("*.pain008.xml"))


def test_a_migrated_debtor_with_a_new_reference_sends_the_original_reference(folder):
    write("deb.csv", MIGRATED)
    write("upd.csv", "Debiteurnummer;Machtigingskenmerk\n10001;MDT-1-B\n")
    result = incasso("debtors", "update", "deb.csv", "upd.csv", "-o", "deb.csv")
    assert result.exit_code == 0, result.output
    assert "10001  Machtigingskenmerk  'MDT-1' -> 'MDT-1-B'  (amendment: " in result.output
    write("inv.csv", INVOICES + SECOND)
    collect("run")
    sent = transaction("run", "2026-9002")
    assert (sent["seq"], sent["amended"], sent["original_mandate"], sent["original_account"]) == (
        "RCUR", "true", "MDT-1", None)
