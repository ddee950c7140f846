"""`incasso ledger import` and the migration report of `collect`, through click's CliRunner:
exit codes and the exact text a user sees."""

from __future__ import annotations

import shutil
from pathlib import Path
from textwrap import dedent

import pytest
from click.testing import CliRunner
from shared import ENV
from test_migrate import DEBTORS, INVOICES, SAMPLE_SETTINGS

from incasso_sheets.cli import main

HISTORY = """
    Factuurnummer;Debiteurnummer;Machtigingskenmerk;Bedrag;Incassodatum;Status
    2026-0090;10003;MDT-10003;90,00;01-11-2026;
    2026-0080;10009;MDT-10009;50,00;01-10-2026;betaald
    2026-0070;10002;MDT-10002;25,50;01-10-2026;geweigerd
"""


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    shutil.copy(SAMPLE_SETTINGS, tmp_path / "incasso.toml")
    for name, text in (("deb.csv", DEBTORS), ("inv.csv", INVOICES), ("historie.csv", HISTORY)):
        (tmp_path / name).write_text(dedent(text).lstrip(), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def incasso(*args: str, **env: str):
    return CliRunner(env={**ENV, **env}).invoke(main, list(args), catch_exceptions=False)


def test_import_prints_what_it_took_over_and_what_does_not_fit(folder):
    result = incasso("ledger", "import", "historie.csv", "--debtors", "deb.csv", "--invoices", "inv.csv")
    assert result.exit_code == 0, result.output
    assert result.output == dedent("""\
        historie.csv:historie:2:Bedrag  import-amount-differs  '90.00'  Invoice 2026-0090 was collected before the migration for 90.00, but the invoices sheet has it open for 95.00; it is not collected again: check which is right
        historie.csv:historie:3:Machtigingskenmerk  import-mandate-unknown  'MDT-10009'  Mandate MDT-10009 of the imported collections is in no row of the debtors sheet; if the debtor has it under another reference, the next collection would wrongly be a FRST

        Imported 3 earlier collections from historie.csv.
        Taken over from the earlier system:
          Mandates counted as used through the ledger import, so RCUR and not FRST: 2 (MDT-10003, MDT-10009)
          Invoices collected before (ledger import), never collected again: 2 (2026-0090, 2026-0080)
        """)


def test_importing_again_reports_already_imported(folder):
    incasso("ledger", "import", "historie.csv")
    again = incasso("ledger", "import", "historie.csv")
    assert again.exit_code == 0
    assert again.output == "Nothing new: every collection in historie.csv is already imported.\n"


def test_the_first_collect_after_the_import_lists_what_was_taken_over(folder):
    incasso("ledger", "import", "historie.csv")
    result = incasso("collect", "deb.csv", "inv.csv", "-o", "out", "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(dedent("""\
        Taken over from the earlier system:
          Mandates counted as used through the debtors sheet (column Laatste incasso), so RCUR and not FRST: 1 (MDT-10001)
          Mandates counted as used through the ledger import, so RCUR and not FRST: 1 (MDT-10003)
          Invoices collected before (ledger import), never collected again: 1 (2026-0090)

        deb.csv:deb::Machtigingskenmerk  import-mandate-unknown  'MDT-10009'  Mandate MDT-10009 of the imported collections is in no row of the debtors sheet; if the debtor has it under another reference, the next collection would wrongly be a FRST
        inv.csv:inv:5:Bedrag  import-amount-differs  '95.00'  Invoice 2026-0090 was collected before the migration for 90.00, but the invoices sheet has it open for 95.00; it is not collected again: check which is right
        inv.csv:inv:5:Factuurnummer  invoice-already-collected  '2026-0090'  Already collected in batch import 2026-11-01
        """)), result.output
    assert "INCS-20261127-0001-1  CORE    FRST  2026-12-01      1   25.50" in result.output
    assert "INCS-20261127-0001-2  CORE    RCUR  2026-12-01      2  221.00" in result.output
    written = incasso("collect", "deb.csv", "inv.csv", "-o", "out")
    assert written.output.startswith("Taken over from the earlier system:\n")
    later = incasso("collect", "deb.csv", "inv.csv", "-o", "out2", INCASSO_NOW="2026-11-30T10:00:00")
    assert "Taken over" not in later.output and "import-" not in later.output


def test_errors_stop_the_import(folder):
    (folder / "historie.csv").write_text(
        "Factuurnummer;Debiteurnummer;Machtigingskenmerk;Bedrag;Incassodatum\n"
        "2026-0090;10003;MDT-10003;negentig;01-11-2026\n", encoding="utf-8")
    result = incasso("ledger", "import", "historie.csv")
    assert result.exit_code == 1
    assert result.output == dedent("""\
        historie.csv:historie:2:Bedrag  amount-invalid  'negentig'  Not an amount; write it like 1234,56 or 1.234,56 or 1234.56

        Nothing imported: fix the 1 errors above.
        """)
    assert not (folder / "incasso.db").exists()


def test_a_dry_run_in_dutch(folder):
    result = incasso("--lang", "nl", "ledger", "import", "historie.csv", "--dry-run")
    assert result.exit_code == 0
    assert result.output == dedent("""\
        Zou 3 eerdere incasso's importeren uit historie.csv.
        Overgenomen uit het vorige systeem:
          Machtigingen die als gebruikt tellen via de ledger-import, dus RCUR en geen FRST: 2 (MDT-10003, MDT-10009)
          Facturen al eerder geïncasseerd (ledger-import), nooit opnieuw geïncasseerd: 2 (2026-0090, 2026-0080)
        Proefdraai: niets geschreven.
        """)


def test_a_missing_column_is_named(folder):
    (folder / "historie.csv").write_text("Factuurnummer;Bedrag\n2026-0090;90,00\n", encoding="utf-8")
    result = incasso("ledger", "import", "historie.csv")
    assert result.exit_code == 1
    assert "column-missing" in result.output and "Incassodatum" in result.output


def test_a_row_with_too_many_fields_in_the_import_is_reported(tmp_path, monkeypatch):
    import shutil
    from pathlib import Path

    from click.testing import CliRunner

    from incasso_sheets.cli import main

    monkeypatch.chdir(tmp_path)
    shutil.copy(Path(__file__).parents[1] / "samples" / "incasso.toml", tmp_path / "incasso.toml")
    (tmp_path / "historie.csv").write_text(
        "Factuurnummer;Debiteurnummer;Machtigingskenmerk;Bedrag;Incassodatum\n"
        "2026-0090;10003;MDT-10003;90,00;01-11-2026;extra\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["ledger", "import", "historie.csv"],
                                env={"INCASSO_NOW": "2026-11-27T10:00:00"})
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        "historie.csv:historie:2:  csv-row-length  'extra'  Row has 6 fields, the header 5: the extra "
        "fields would be lost; check the separators and quotes on this row")
    assert not (tmp_path / "incasso.db").exists()
