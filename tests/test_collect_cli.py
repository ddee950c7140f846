"""`incasso collect` through click's CliRunner: exit codes and the exact text a user sees."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest
from click.testing import CliRunner
from shared import ENV, SETTINGS

from incasso_sheets.cli import main
from incasso_sheets.runtime.output_plan import RECORD_NAME

DEBTORS = """
    Debiteurnummer;Naam;IBAN;Automatische incasso;Machtigingskenmerk;Datum machtiging;Type incasso
    10001;Jansen;NL91ABNA0417164300;ja;MDT-10001;01-03-2024;CORE
    10002;Bakkerij Oost;NL64RABO0260893498;ja;MDT-10002;01-03-2024;B2B
"""
INVOICES = """
    Factuurnummer;Debiteurnummer;Factuurdatum;Vervaldatum;Bedrag;Omschrijving
    2026-0001;10001;01-11-2026;01-12-2026;121,00;Contributie
    2026-0002;10001;01-11-2026;15-12-2026;25,50;Clubkleding
    2026-0003;10002;01-11-2026;01-12-2026;1250,00;Sponsorbijdrage
"""
INVALID_INVOICES = """
    Factuurnummer;Debiteurnummer;Factuurdatum;Vervaldatum;Bedrag;Omschrijving
    2026-0001;10001;01-11-2026;01-12-2026;121,00;Contributie
    2026-0002;10001;01-11-2026;15-12-2026;tien;Clubkleding
"""
FILES = [f"INCS-20261127-000{n}.{kind}" for n in (1, 2)
         for kind in ("journal.csv", "pain008.xml", "prenotification.csv", "summary.xlsx")]


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    for name, text in (("incasso.toml", SETTINGS), ("deb.csv", DEBTORS), ("inv.csv", INVOICES)):
        (tmp_path / name).write_text(dedent(text).lstrip(), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def incasso(*args: str, **env: str):
    return CliRunner(env={**ENV, **env}).invoke(main, list(args), catch_exceptions=False)


def written(folder: Path) -> list[str]:
    out = folder / "out"
    return sorted(p.name for p in out.iterdir() if p.name != RECORD_NAME) if out.exists() else []


def test_collect_prints_the_blocks_and_the_files(folder):
    result = incasso("collect", "deb.csv", "inv.csv", "-o", "out")
    assert result.exit_code == 0
    assert result.stdout == dedent("""
        batch                 scheme  seq   date        count    total
        INCS-20261127-0001-1  CORE    FRST  2026-12-01      1   121.00
        INCS-20261127-0001-2  CORE    FRST  2026-12-15      1    25.50
        INCS-20261127-0001                                  2   146.50
        INCS-20261127-0002-1  B2B     FRST  2026-12-01      1  1250.00
        INCS-20261127-0002                                  1  1250.00

        Written: out/INCS-20261127-0001.pain008.xml
        Written: out/INCS-20261127-0001.journal.csv
        Written: out/INCS-20261127-0001.prenotification.csv
        Written: out/INCS-20261127-0001.summary.xlsx
        Written: out/INCS-20261127-0002.pain008.xml
        Written: out/INCS-20261127-0002.journal.csv
        Written: out/INCS-20261127-0002.prenotification.csv
        Written: out/INCS-20261127-0002.summary.xlsx
    """).lstrip("\n")
    assert written(folder) == FILES
    assert (folder / "incasso.db").exists()


def test_dutch_messages_and_amounts(folder):
    result = incasso("--lang", "nl", "collect", "deb.csv", "inv.csv", "-o", "out", "--scheme", "B2B")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("inv.csv:inv:2:Factuurnummer  scheme-not-selected  '2026-0001'  Niet in")
    assert "batch                 type  volg  datum       aantal   totaal" in lines
    assert "INCS-20261127-0001                                 1  1250,00" in lines
    assert lines[-1] == "Geschreven: out/INCS-20261127-0001.summary.xlsx"


def test_a_second_run_collects_nothing(folder):
    incasso("collect", "deb.csv", "inv.csv", "-o", "out")
    before = {n: (folder / "out" / n).read_bytes() for n in written(folder)}
    result = incasso("collect", "deb.csv", "inv.csv", "-o", "out")
    assert result.exit_code == 0
    assert result.stdout == dedent("""
        inv.csv:inv:2:Factuurnummer  invoice-already-collected  '2026-0001'  Already collected in batch INCS-20261127-0001-1
        inv.csv:inv:3:Factuurnummer  invoice-already-collected  '2026-0002'  Already collected in batch INCS-20261127-0001-2
        inv.csv:inv:4:Factuurnummer  invoice-already-collected  '2026-0003'  Already collected in batch INCS-20261127-0002-1

              3  invoice-already-collected  warning
        Nothing to collect.
    """).lstrip("\n")
    assert {n: (folder / "out" / n).read_bytes() for n in written(folder)} == before


def test_errors_stop_the_run_with_exit_1(folder):
    (folder / "inv.csv").write_text(dedent(INVALID_INVOICES).lstrip(), encoding="utf-8")
    result = incasso("collect", "deb.csv", "inv.csv", "-o", "out")
    assert result.exit_code == 1
    assert "inv.csv:inv:3:Bedrag  amount-invalid  'tien'" in result.stdout
    assert result.stdout.endswith(
        "Nothing written: fix the 1 errors above, or use --skip-invalid to collect the rest.\n")
    assert written(folder) == []
    assert not (folder / "incasso.db").exists()


def test_skip_invalid_collects_the_rest(folder):
    (folder / "inv.csv").write_text(dedent(INVALID_INVOICES).lstrip(), encoding="utf-8")
    result = incasso("collect", "deb.csv", "inv.csv", "-o", "out", "--skip-invalid")
    assert result.exit_code == 0
    assert ("inv.csv:inv:3:Factuurnummer  invoice-invalid-skipped  '2026-0002'  "
            "Invoice has errors and is not collected") in result.stdout
    assert "INCS-20261127-0001                                  1  121.00" in result.stdout
    assert written(folder) == FILES[:4]


def test_date_before_the_earliest_exits_3(folder):
    result = incasso("collect", "deb.csv", "inv.csv", "-o", "out", "--date", "2026-11-27")
    assert result.exit_code == 3
    assert result.stderr == ("incasso: Collection date 2026-11-27 is too early: the earliest "
                             "possible date is 2026-11-30\n")
    assert written(folder) == []


def test_date_in_the_wrong_format_is_a_usage_error(folder):
    result = incasso("collect", "deb.csv", "inv.csv", "-o", "out", "--date", "27-11-2026")
    assert result.exit_code == 2
    assert "use YYYY-MM-DD, for example 2026-12-01" in result.stderr


def test_fixed_date_and_until(folder):
    result = incasso("collect", "deb.csv", "inv.csv", "-o", "out", "--date", "2026-12-04",
                     "--until", "2026-12-10")
    assert result.exit_code == 0
    assert "inv.csv:inv:3:Factuurnummer  invoice-not-due  '2026-0002'" in result.stdout
    assert "INCS-20261127-0001-1  CORE    FRST  2026-12-04      1   121.00" in result.stdout


def test_dry_run_writes_nothing(folder):
    result = incasso("collect", "deb.csv", "inv.csv", "-o", "out", "--dry-run")
    assert result.exit_code == 0
    assert result.stdout.endswith("\nDry run: nothing written.\n")
    assert "INCS-20261127-0002-1  B2B     FRST  2026-12-01      1  1250.00" in result.stdout
    assert not (folder / "out").exists()
    assert not (folder / "incasso.db").exists()


def test_format_and_journal_format_options(folder):
    result = incasso("collect", "deb.csv", "inv.csv", "-o", "out", "--format", "pain.008.001.02",
                     "--journal-format", "iso", "--scheme", "CORE")
    assert result.exit_code == 0
    xml = (folder / "out" / "INCS-20261127-0001.pain008.xml").read_text()
    assert 'xmlns="urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"' in xml
    journal = (folder / "out" / "INCS-20261127-0001.journal.csv").read_bytes()
    assert journal.startswith(b"Dagboek,Boekstuk,Datum,")
    assert b",2026-11-27,1290,Incasso factuur 2026-0001,121.00,," in journal


def test_missing_settings_exit_3(folder):
    (folder / "incasso.toml").unlink()
    result = incasso("collect", "deb.csv", "inv.csv", "-o", "out")
    assert result.exit_code == 3
    assert result.stderr.startswith("incasso: No incasso.toml in ")


def test_bad_settings_are_listed_with_exit_3(folder):
    (folder / "incasso.toml").write_text(
        dedent(SETTINGS).replace('bank = "abnamro"', 'bank = "knab"'), encoding="utf-8")
    result = incasso("collect", "deb.csv", "inv.csv", "-o", "out")
    assert result.exit_code == 3
    assert result.stderr.splitlines() == [
        "incasso.toml:::collection.bank  settings-value-invalid  'knab'  "
        "Setting must be one of: abnamro, rabobank, ing, other",
        "incasso: The settings file has 1 problems (listed above)",
    ]


def test_existing_output_exits_3_and_keeps_the_file(folder):
    (folder / "out").mkdir()
    (folder / "out" / "INCS-20261127-0001.pain008.xml").write_text("mine")
    result = incasso("collect", "deb.csv", "inv.csv", "-o", "out")
    assert result.exit_code == 3
    assert result.stderr == ("incasso: out/INCS-20261127-0001.pain008.xml already exists; "
                             "choose another output folder\n")
    assert written(folder) == ["INCS-20261127-0001.pain008.xml"]


def test_routine_warnings_show_five_examples_and_a_count(folder):
    """A large run has thousands of these: the first five, then how many more."""
    rows = [f"2026-{n:04d};10001;01-11-2026;01-12-2026;10,00;Café {n}" for n in range(1, 8)]
    (folder / "inv.csv").write_text("\n".join([INVOICES.split("\n")[1].strip(), *rows]) + "\n",
                                    encoding="utf-8")
    result = incasso("collect", "deb.csv", "inv.csv", "-o", "out")
    assert result.exit_code == 0, result.output
    examples = [f"inv.csv:inv:{n + 1}:Omschrijving  description-transliterated  'Café {n}'  Description "
                f"contains characters outside the SEPA set; sent as 'Cafe {n}'" for n in range(1, 6)]
    assert result.stdout.startswith("\n".join([
        *examples, "  ... 2 more description-transliterated", "",
        "      7  description-transliterated  warning", "",
        "batch "]))
