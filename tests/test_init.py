"""`incasso init`: settings with the creditor's details, blank workbooks, an empty ledger; the
values as options or through prompts, checked as they are typed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from incasso_sheets import cli
from incasso_sheets.core.settings import load_settings

ENV = {"INCASSO_NOW": "2026-11-27T10:00:00", "LANG": "en_GB.UTF-8", "LC_ALL": None,
       "LC_MESSAGES": None}
OPTIONS = ["--name", "Sportvereniging Öbelix", "--iban", "nl91 abna 0417 1643 00",
           "--creditor-id", "NL69ZZZ123456780000", "--bank", "rabobank"]


@pytest.fixture(autouse=True)
def here(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def incasso(*args: str, input: str | None = None, terminal: bool = False, monkeypatch=None):
    if monkeypatch is not None:
        monkeypatch.setattr(cli, "stdin_is_terminal", lambda: terminal)
    return CliRunner(env=ENV).invoke(cli.main, list(args), input=input, catch_exceptions=False)


def test_init_with_options_writes_settings_workbooks_and_ledger(here, monkeypatch):
    result = incasso("init", "club", *OPTIONS)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "Written: club/debiteuren.xlsx",
        "Written: club/facturen.xlsx",
        "Written: club/incasso.toml",
        "Written: club/incasso.db",
        "Next: go to the folder (cd club), fill in debiteuren.xlsx and facturen.xlsx, "
        "then run: incasso check debiteuren.xlsx facturen.xlsx"]
    settings, issues = load_settings(here / "club" / "incasso.toml")
    assert issues == []
    assert (settings.creditor.name, settings.creditor.iban, settings.creditor.creditor_id) == (
        "Sportvereniging Obelix", "NL91ABNA0417164300", "NL69ZZZ123456780000")
    assert settings.creditor.bic == "ABNANL2A"  # derived
    assert (settings.collection.bank, settings.language) == ("rabobank", "")
    text = (here / "club" / "incasso.toml").read_text("utf-8")
    assert 'name = "Sportvereniging Öbelix"' in text
    assert "# bic = " in text  # left for the user, with its comment
    with sqlite3.connect(here / "club" / "incasso.db") as conn:
        assert conn.execute("SELECT count(*) FROM messages").fetchone() == (0,)
    # and the new folder works: an empty check and an empty status
    monkeypatch.chdir(here / "club")
    assert incasso("check", "debiteuren.xlsx", "facturen.xlsx").stdout == "No problems found in 0 rows.\n"
    assert incasso("status").stdout == "No batches in the ledger yet.\n"


def test_init_keeps_an_explicit_language_and_a_bic(here):
    result = incasso("--lang", "nl", "init", *OPTIONS, "--bic", "abnanl2a")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "Geschreven: debiteuren.xlsx"
    assert result.stdout.splitlines()[-1].startswith("Daarna: vul debiteuren.xlsx")
    settings, issues = load_settings(here / "incasso.toml")
    assert issues == []
    assert (settings.language, settings.creditor.bic) == ("nl", "ABNANL2A")


def test_refuses_to_overwrite_without_force(here):
    assert incasso("init", *OPTIONS).exit_code == 0
    before = (here / "incasso.toml").read_bytes()
    result = incasso("init", *OPTIONS[:4], "--creditor-id", "DE98ZZZ09999999999")
    assert result.exit_code == 3
    assert result.stderr == ("incasso: Nothing written; already there: debiteuren.xlsx, "
                             "facturen.xlsx, incasso.toml (use --force to overwrite)\n")
    assert (here / "incasso.toml").read_bytes() == before


def test_force_overwrites_the_settings_but_keeps_the_ledger(here):
    assert incasso("init", *OPTIONS).exit_code == 0
    with sqlite3.connect(here / "incasso.db") as conn:
        conn.execute("CREATE TABLE kept (x)")
    result = incasso("init", *OPTIONS[:4], "--creditor-id", "DE98ZZZ09999999999", "--force")
    assert result.exit_code == 0, result.output
    assert "Kept the existing ledger incasso.db: it remembers every collection" in result.stdout
    assert load_settings(here / "incasso.toml")[0].creditor.creditor_id == "DE98ZZZ09999999999"
    with sqlite3.connect(here / "incasso.db") as conn:
        assert conn.execute("SELECT count(*) FROM kept").fetchone() == (0,)


def test_a_wrong_option_is_a_usage_error_with_the_reason(here):
    result = incasso("init", *OPTIONS[:2], "--iban", "NL91ABNA0417164301",
                     "--creditor-id", "NL69ZZZ123456780000")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for --iban: Creditor IBAN is not valid: Invalid checksum digits")
    assert not (here / "incasso.toml").exists()


def test_without_a_terminal_missing_values_are_a_usage_error(here, monkeypatch):
    result = incasso("init", "--name", "Club", monkeypatch=monkeypatch, terminal=False)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: Missing --iban, --creditor-id: give them as options, or run 'incasso init' "
        "in a terminal to be asked")


def test_prompts_ask_again_with_the_reason(here, monkeypatch):
    answers = "\n".join([
        "Sportvereniging De Voorbeeldige",
        "NL91 ABNA 0417 1643 01",     # wrong check digits: asked again
        "NL91 ABNA 0417 1643 00",
        "NL69ZZZ123456780001",         # wrong check digits: asked again
        "nl69 zzz 123456780000",
        "",                            # BIC: derived
        "ing",
    ]) + "\n"
    result = incasso("init", "nieuw", input=answers, monkeypatch=monkeypatch, terminal=True)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:8] == [
        "Creditor name, as debtors see it on their statement: Sportvereniging De Voorbeeldige",
        "IBAN the collected money is paid into: NL91 ABNA 0417 1643 01",
        "Error: Creditor IBAN is not valid: Invalid checksum digits",
        "IBAN the collected money is paid into: NL91 ABNA 0417 1643 00",
        "Creditor identifier (like NL69ZZZ123456780000): NL69ZZZ123456780001",
        "Error: Creditor identifier is not valid: The number's checksum or check digit is invalid",
        "Creditor identifier (like NL69ZZZ123456780000): nl69 zzz 123456780000",
        "BIC (leave empty to derive it from the IBAN): ",
    ]
    settings, issues = load_settings(here / "nieuw" / "incasso.toml")
    assert issues == []
    assert (settings.creditor.iban, settings.creditor.creditor_id, settings.collection.bank) == (
        "NL91ABNA0417164300", "NL69ZZZ123456780000", "ing")


def test_prompts_in_dutch(here, monkeypatch):
    answers = "Club\nNL91ABNA0417164300\nNL69ZZZ123456780000\nXX\nABNANL2A\n\n"
    result = incasso("--lang", "nl", "init", input=answers, monkeypatch=monkeypatch, terminal=True)
    assert result.exit_code == 0, result.output
    assert "Naam van de incassant, zoals debiteuren die op hun afschrift zien: Club" in result.output
    assert "Fout: BIC van de incassant is ongeldig: " in result.output
    assert load_settings(here / "incasso.toml")[0].collection.bank == "other"


def test_existing_files_are_refused_before_asking(here, monkeypatch):
    (here / "incasso.toml").write_text("# mijn instellingen\n")
    result = incasso("init", monkeypatch=monkeypatch, terminal=True, input="")
    assert result.exit_code == 3
    assert result.stdout == ""
