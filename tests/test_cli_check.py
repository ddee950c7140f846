"""`incasso check` through click's CliRunner: exit codes and the exact text a user sees."""

from __future__ import annotations

import json
from pathlib import Path
from textwrap import dedent

import openpyxl
import pytest
from click.testing import CliRunner

from incasso_sheets.cli import main

NOW = {"INCASSO_NOW": "2026-11-27", "LANG": "en_GB.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""}

DEBTORS = """
    Debiteurnummer;Naam;IBAN;Automatische incasso;Machtigingskenmerk;Datum machtiging
    10001;Jansen;NL91ABNA0417164300;ja;MDT-1;01-01-2025
    10002;Pietersen;NL91ABNA0417164301;ja;MDT-2;01-01-2025
"""
INVOICES = """
    Factuurnummer;Debiteurnummer;Factuurdatum;Vervaldatum;Bedrag
    2026-001;10001;01-11-2026;01-12-2026;121,00
    2026-002;10009;01-11-2026;01-12-2026;12.345
"""
CLEAN_DEBTORS = """
    Debiteurnummer;Naam;IBAN;Automatische incasso;Machtigingskenmerk;Datum machtiging
    10001;Jansen;NL91ABNA0417164300;ja;MDT-1;01-01-2025
"""
CLEAN_INVOICES = """
    Factuurnummer;Debiteurnummer;Factuurdatum;Vervaldatum;Bedrag
    2026-001;10001;01-11-2026;01-12-2026;121,00
"""
SETTINGS = """
    [creditor]
    name = "Voorbeeld Sportvereniging"
    iban = "NL91ABNA0417164300"
    creditor_id = "NL69ZZZ123456780000"

    [accounts]
    receivables = "1300"
    suspense = "1290"
    bank = "1100"
    bank_charges = "4610"
"""


@pytest.fixture
def incasso(tmp_path, monkeypatch):
    """incasso(*args, files={name: text}, env={...}) -> click Result, run in an empty folder.

    check reads ./incasso.toml when present, so every run starts in a fresh folder (click's
    isolated_filesystem does the same but is deprecated since click 8.5)."""
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)

    def run(*args: str, files: dict[str, str] | None = None, env: dict[str, str] | None = None):
        for name, text in (files or {}).items():
            Path(name).write_text(dedent(text).lstrip("\n"), encoding="utf-8")
        runner = CliRunner(env={**NOW, **(env or {})})
        return runner.invoke(main, list(args), catch_exceptions=False)
    return run


def sheets(debtors: str = DEBTORS, invoices: str = INVOICES) -> dict[str, str]:
    return {"deb.csv": debtors, "inv.csv": invoices}


def test_clean_sheets_exit_0(incasso):
    result = incasso("check", "deb.csv", "inv.csv", files=sheets(CLEAN_DEBTORS, CLEAN_INVOICES))
    assert result.exit_code == 0
    assert result.stdout == "No problems found in 2 rows.\n"
    assert result.stderr == ""


def test_errors_exit_1_with_every_issue_at_its_cell(incasso):
    result = incasso("check", "deb.csv", "inv.csv", files=sheets())
    assert result.exit_code == 1
    assert result.stdout == (
        "deb.csv:deb:3:IBAN  iban-invalid  'NL91ABNA0417164301'  "
        "IBAN is not valid: Invalid checksum digits\n"
        "inv.csv:inv:3:Bedrag  amount-ambiguous  '12.345'  "
        "Amount is ambiguous: thousands or decimals? Write 12345,00 or 12,35\n"
        "inv.csv:inv:3:Debiteurnummer  debtor-unknown  '10009'  "
        "Debtor number is not in the debtors sheet\n"
        "\n"
        "      1  amount-ambiguous  error\n"
        "      1  debtor-unknown    error\n"
        "      1  iban-invalid      error\n"
        "3 errors, 0 warnings in 4 rows.\n"
    )


def test_warnings_only_exit_0_and_come_after_errors(incasso):
    debtors = """
        Debiteurnummer;Naam;IBAN;Automatische incasso;Machtigingskenmerk;Datum machtiging;E-mail
        10001;Bäcker & Söhne;NL91ABNA0417164300;ja;MDT-1;01-01-2025;info@
    """
    result = incasso("check", "deb.csv", "inv.csv", files=sheets(debtors, CLEAN_INVOICES))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[:2] == [
        "deb.csv:deb:2:E-mail  email-invalid  'info@'  E-mail address looks wrong",
        "deb.csv:deb:2:Naam  name-transliterated  'Bäcker & Söhne'  "
        "Name contains characters outside the SEPA set; sent as 'Backer + Sohne'",
    ]
    assert lines[-1] == "0 errors, 2 warnings in 2 rows."


def test_missing_file_exit_3_with_one_line_on_stderr(incasso):
    result = incasso("check", "weg.csv", "inv.csv", files={"inv.csv": CLEAN_INVOICES})
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr == "incasso: File not found: weg.csv\n"


def test_missing_file_in_dutch(incasso):
    result = incasso("--lang", "nl", "check", "weg.csv", "inv.csv", files={"inv.csv": CLEAN_INVOICES})
    assert result.exit_code == 3
    assert result.stderr == "incasso: Bestand niet gevonden: weg.csv\n"


def test_json_output(incasso):
    result = incasso("check", "deb.csv", "inv.csv", "--format", "json", files=sheets())
    assert result.exit_code == 1
    issues = json.loads(result.stdout)
    assert isinstance(issues, list) and len(issues) == 3
    for issue in issues:
        assert set(issue) == {"code", "severity", "file", "sheet", "row", "column", "value",
                              "message"}
    assert issues[0] == {
        "code": "iban-invalid", "severity": "error", "file": "deb.csv", "sheet": "deb", "row": 3,
        "column": "IBAN", "value": "NL91ABNA0417164301",
        "message": "IBAN is not valid: Invalid checksum digits",
    }


def test_json_output_of_clean_sheets_is_an_empty_array(incasso):
    result = incasso("check", "deb.csv", "inv.csv", "--format", "json",
                     files=sheets(CLEAN_DEBTORS, CLEAN_INVOICES))
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


def test_dutch_messages(incasso):
    result = incasso("--lang", "nl", "check", "deb.csv", "inv.csv", files=sheets())
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == ("deb.csv:deb:3:IBAN  iban-invalid  'NL91ABNA0417164301'  "
                        "IBAN is ongeldig: Invalid checksum digits")
    assert lines[2] == ("inv.csv:inv:3:Debiteurnummer  debtor-unknown  '10009'  "
                        "Debiteurnummer staat niet in het debiteurenbestand")
    assert lines[-1] == "3 fouten, 0 waarschuwingen in 4 regels."


def test_language_follows_lang_when_not_given(incasso):
    result = incasso("check", "deb.csv", "inv.csv", files=sheets(CLEAN_DEBTORS, CLEAN_INVOICES),
                     env={"LANG": "nl_NL.UTF-8"})
    assert result.stdout == "Geen problemen gevonden in 2 regels.\n"


def test_dutch_json_messages(incasso):
    result = incasso("--lang", "nl", "check", "deb.csv", "inv.csv", "--format", "json",
                     files=sheets())
    messages = [i["message"] for i in json.loads(result.stdout)]
    assert "Bedrag is dubbelzinnig: duizendtallen of decimalen? Schrijf 12345,00 of 12,35" in messages


def test_the_clock_comes_from_incasso_now(incasso):
    debtors = """
        Debiteurnummer;Naam;IBAN;Automatische incasso;Machtigingskenmerk;Datum machtiging
        10001;Jansen;NL91ABNA0417164300;ja;MDT-1;28-11-2026
    """
    files = sheets(debtors, CLEAN_INVOICES)
    result = incasso("check", "deb.csv", "inv.csv", files=files)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "deb.csv:deb:2:Datum machtiging  mandate-date-in-future  '28-11-2026'  "
        "Mandate date lies in the future (today is 2026-11-27)")
    later = incasso("check", "deb.csv", "inv.csv", files=files,
                    env={"INCASSO_NOW": "2026-11-28T09:00:00"})
    assert later.exit_code == 0


def test_incasso_toml_in_the_folder_is_checked_too(incasso):
    files = {**sheets(CLEAN_DEBTORS, CLEAN_INVOICES),
             "incasso.toml": SETTINGS.replace("NL69ZZZ", "NL98ZZZ")}
    result = incasso("check", "deb.csv", "inv.csv", files=files)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "incasso.toml:::creditor.creditor_id  creditor-id-invalid  'NL98ZZZ123456780000'  "
        "Creditor identifier is not valid: The number's checksum or check digit is invalid")


def test_a_good_incasso_toml_adds_nothing(incasso):
    files = {**sheets(CLEAN_DEBTORS, CLEAN_INVOICES), "incasso.toml": SETTINGS}
    result = incasso("check", "deb.csv", "inv.csv", files=files)
    assert (result.exit_code, result.stdout) == (0, "No problems found in 2 rows.\n")


def test_config_option_names_another_settings_file(incasso):
    files = {**sheets(CLEAN_DEBTORS, CLEAN_INVOICES),
             "ander.toml": SETTINGS.replace('bank = "1100"\n', "")}
    result = incasso("check", "deb.csv", "inv.csv", "--config", "ander.toml", files=files)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "ander.toml:::accounts.bank  settings-key-missing  Setting is missing")


def test_broken_settings_file_exit_3(incasso):
    files = {**sheets(CLEAN_DEBTORS, CLEAN_INVOICES), "incasso.toml": "[creditor\n"}
    result = incasso("check", "deb.csv", "inv.csv", files=files)
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.startswith("incasso: Cannot read the settings file: incasso.toml: ")
    assert len(result.stderr.splitlines()) == 1


def workbook(path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    debtors = wb.create_sheet("Debiteuren")
    debtors.append(["Debiteurnummer", "Naam", "IBAN", "Automatische incasso",
                    "Machtigingskenmerk", "Datum machtiging"])
    debtors.append([10001, "Jansen", "NL91ABNA0417164300", True, "MDT-1", None])
    invoices = wb.create_sheet("Facturen")
    invoices.append(["Factuurnummer", "Debiteurnummer", "Factuurdatum", "Vervaldatum", "Bedrag"])
    invoices.append(["2026-001", 10001, None, None, 0.1 + 0.2])
    wb.save(path)


def test_one_workbook_with_both_sheets(incasso, tmp_path):
    book = tmp_path / "boek.xlsx"
    workbook(book)
    result = incasso("check", str(book), str(book))
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:3] == [
        "boek.xlsx:Debiteuren:2:Datum machtiging  mandate-date-missing  "
        "Mandate date is empty while direct debit is on",
        "boek.xlsx:Facturen:2:Factuurdatum  invoice-date-missing  Invoice date is empty",
        "boek.xlsx:Facturen:2:Vervaldatum  due-date-missing  Due date is empty",
    ]


def test_sheet_not_found_exit_3(incasso, tmp_path):
    book = tmp_path / "boek.xlsx"
    workbook(book)
    result = incasso("check", str(book), str(book), "--sheet", "Blad1")
    assert result.exit_code == 3
    assert result.stderr == (
        "incasso: Sheet 'Blad1' not found in boek.xlsx; it has: Debiteuren, Facturen\n")


def test_help_ends_with_an_example(incasso):
    result = incasso("check", "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout
    assert result.stdout.rstrip().split("\n\n")[-2].endswith(
        "incasso check samples/fouten/debiteuren.xlsx samples/fouten/facturen.xlsx"
        " --report gemarkeerd.xlsx")
