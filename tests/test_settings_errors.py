"""A missing, unreadable or wrong incasso.toml: one message per problem, naming the key, exit 3.

collect, clear, status and debtors update stop before reading anything else. `check`
checks the settings file as one more input: its problems are issues in the report (exit
1), listed with the sheets' (tests/test_cli_check.py), so one run shows everything to fix.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from incasso_sheets.cli import main

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
ENV = {"INCASSO_NOW": "2026-11-27T10:00:00", "LANG": "en_GB.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""}
SHEET = "Debiteurnummer;Naam\n10001;Jansen\n"

# Every command that needs the settings, as it would be typed in the folder.
COMMANDS = {
    "collect": ["collect", "deb.csv", "inv.csv", "-o", "out"],
    "clear": ["clear", "bank", "-o", "out"],
    "status": ["status"],
    "debtors update": ["debtors", "update", "deb.csv", "upd.csv", "-o", "new.csv"],
}


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("deb.csv", "inv.csv", "upd.csv"):
        (tmp_path / name).write_text(SHEET, encoding="utf-8")
    (tmp_path / "bank").mkdir()
    shutil.copy(SAMPLES / "incasso.toml", tmp_path / "incasso.toml")
    return tmp_path


def run(args: list[str], lang: str = "en"):
    result = CliRunner(env=ENV).invoke(main, ["--lang", lang, *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def stops(args: list[str], lang: str = "en") -> str:
    """Exit code 3, nothing on stdout; the stderr text."""
    result = run(args, lang)
    assert result.exit_code == 3, result.output
    assert result.stdout == ""
    return result.stderr


def edit_settings(folder: Path, *replacements: tuple[str, str]) -> None:
    path = folder / "incasso.toml"
    text = path.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_wrong_settings_file_lists_every_problem_at_its_key(folder, command):
    edit_settings(
        folder,
        ('creditor_id = "NL69ZZZ123456780000"', 'creditor_id = "NL00ZZZ123"'),
        ('bank = "1100"\n', ""),
        ('journal_code = "MEM"', 'journal_cod = "MEM"'),
        ("lead_days = 1", 'lead_days = "1"'),
    )
    assert stops(COMMANDS[command]) == (
        "incasso.toml:::collection.lead_days  settings-wrong-type  '1'  Setting must be a whole "
        "number\n"
        "incasso.toml:::journal.journal_cod  settings-key-unknown  'MEM'  Unknown setting; did you "
        "mean 'journal.journal_code'?\n"
        "incasso.toml:::accounts.bank  settings-key-missing  Setting is missing\n"
        "incasso.toml:::creditor.creditor_id  creditor-id-invalid  'NL00ZZZ123'  Creditor "
        "identifier is not valid: The number's checksum or check digit is invalid\n"
        "incasso: The settings file has 4 problems (listed above)\n")


def test_check_reports_the_settings_problems_with_the_sheets(folder):
    edit_settings(folder, ('bank = "1100"\n', ""))
    result = run(["check", "deb.csv", "inv.csv"])
    assert result.exit_code == 1
    assert "incasso.toml:::accounts.bank  settings-key-missing  Setting is missing\n" in result.stdout


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_bad_toml_syntax(folder, command):
    (folder / "incasso.toml").write_text('[creditor\nname = "Voorbeeld"\n', encoding="utf-8")
    assert stops(COMMANDS[command]) == (
        "incasso: Cannot read the settings file: incasso.toml: Expected ']' at the end of a table "
        "declaration (at line 1, column 10)\n")


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_not_utf8(folder, command):
    (folder / "incasso.toml").write_bytes('language = "nl"\n# Café\n'.encode("cp1252"))
    assert stops(COMMANDS[command]) == (
        "incasso: Cannot read the settings file: incasso.toml is not UTF-8 text (line 2); save it "
        "as UTF-8\n")


def test_not_utf8_in_dutch(folder):
    (folder / "incasso.toml").write_bytes('language = "nl"\n# Café\n'.encode("cp1252"))
    assert stops(COMMANDS["status"], "nl") == (
        "incasso: Kan het instellingenbestand niet lezen: incasso.toml is geen UTF-8-tekst (regel "
        "2); sla het op als UTF-8\n")


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_folder_named_incasso_toml(folder, command):
    (folder / "incasso.toml").unlink()
    (folder / "incasso.toml").mkdir()
    assert stops(COMMANDS[command]) == (
        f"incasso: Cannot read the settings file: {folder / 'incasso.toml'} is a folder, not a "
        "file\n")


def test_a_folder_given_as_config(folder):
    assert stops([*COMMANDS["status"], "--config", "bank"]) == (
        "incasso: Cannot read the settings file: bank is a folder, not a file\n")


@pytest.mark.parametrize("command", ["collect", "clear", "status"])
def test_no_settings_file(folder, command):
    (folder / "incasso.toml").unlink()
    assert stops(COMMANDS[command]) == (
        f"incasso: No incasso.toml in {folder}; run 'incasso init' or pass --config\n")


def test_debtors_update_needs_no_settings_file_but_a_named_one_must_exist(folder):
    (folder / "incasso.toml").unlink()
    (folder / "deb.csv").write_text(
        "Debiteurnummer;Naam;IBAN;Automatische incasso;Machtigingskenmerk;Datum machtiging\n"
        "10001;Jansen;NL91ABNA0417164300;ja;MDT-1;01-03-2024\n", encoding="utf-8")
    (folder / "upd.csv").write_text("Debiteurnummer;Naam\n10001;Jansen-de Vries\n", encoding="utf-8")
    assert run(COMMANDS["debtors update"]).exit_code == 0
    assert stops([*COMMANDS["debtors update"], "--config", "elders.toml"]) == (
        "incasso: File not found: elders.toml\n")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_a_settings_file_that_may_not_be_read(folder):
    (folder / "incasso.toml").chmod(0)
    try:
        assert stops(COMMANDS["status"]) == (
            "incasso: Cannot read the settings file: incasso.toml: Permission denied\n")
    finally:
        (folder / "incasso.toml").chmod(0o644)


def test_an_empty_settings_file_names_every_required_key(folder):
    (folder / "incasso.toml").write_text("", encoding="utf-8")
    lines = stops(COMMANDS["status"]).splitlines()
    assert [line.split()[0] for line in lines[:-1]] == [
        "incasso.toml:::creditor.name", "incasso.toml:::creditor.iban",
        "incasso.toml:::creditor.creditor_id", "incasso.toml:::accounts.receivables",
        "incasso.toml:::accounts.suspense", "incasso.toml:::accounts.bank",
        "incasso.toml:::accounts.bank_charges"]
    assert lines[-1] == "incasso: The settings file has 7 problems (listed above)"


@pytest.mark.parametrize(("old", "new", "line"), [
    # Regression: a horizon this far ahead made `collect` crash with OverflowError (a date
    # past the year 9999), and lead days this many looped for minutes first.
    ("horizon_days = 30", "horizon_days = 99999999999",
     "incasso.toml:::collection.horizon_days  settings-wrong-type  '99999999999'  Setting must "
     "be a whole number from 0 to 3660"),
    ("lead_days = 1", "lead_days = 5000000",
     "incasso.toml:::collection.lead_days  settings-wrong-type  '5000000'  Setting must be a "
     "whole number from 0 to 30"),
])
def test_days_beyond_reason_are_settings_problems(folder, old, new, line):
    edit_settings(folder, (old, new))
    (folder / "inv.csv").write_text(
        "Factuurnummer;Debiteurnummer;Factuurdatum;Vervaldatum;Bedrag\n"
        "2026-001;10001;01-11-2026;01-12-2026;12,50\n", encoding="utf-8")
    assert stops(COMMANDS["collect"]).splitlines()[0] == line


@pytest.mark.parametrize(("setting", "line"), [
    ("max_rows = 0", "incasso.toml:::limits.max_rows  settings-wrong-type  '0'  Setting must be a "
                     "whole number above 0"),
    ('max_cells = "many"', "incasso.toml:::limits.max_cells  settings-wrong-type  'many'  Setting "
                           "must be a whole number"),
    ("max_unpacked = 1", "incasso.toml:::limits.max_unpacked  settings-key-unknown  '1'  Unknown "
                         "setting; did you mean 'limits.max_unpacked_mb'?"),
])
def test_limits_are_checked(folder, setting, line):
    text = (folder / "incasso.toml").read_text(encoding="utf-8")
    head, _, _ = text.partition("[limits]")
    (folder / "incasso.toml").write_text(f"{head}[limits]\n{setting}\n", encoding="utf-8")
    assert stops(COMMANDS["status"]).splitlines()[0] == line
