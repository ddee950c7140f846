"""`incasso ledger import` takes history as it was: identifiers that fail today's checks are
warnings and the collections are imported; only what would make the ledger wrong (a missing
invoice number, mandate or amount, a duplicate) stops the import."""

from __future__ import annotations

from textwrap import dedent

import pytest
from click.testing import CliRunner
from shared import ENV
from test_migrate import Folder, pain008

from incasso_sheets.cli import main
from incasso_sheets.formats import xsd

# A public example file's IBAN: its check digits (21) are right, its German national check
# digit is not, so schwifty refuses it today; the bank accepted the file all the same.
OLD_IBAN = "DE21500500009876543210"


@pytest.fixture
def folder(tmp_path) -> Folder:
    return Folder(tmp_path)


def cells(report) -> set[tuple]:
    return {(i.row, i.column, i.code, i.severity) for i in report.issues}


def write_old_pain008(folder: Folder):
    target = folder.path / "oud.xml"
    target.write_text(pain008(
        {"pid": "OLD-1", "seq": "FRST", "date": "2026-11-02", "e2e": "2026-0090",
         "amount": "95.00", "mandate": "MDT-10003", "iban": OLD_IBAN},
        {"pid": "OLD-2", "seq": "RCUR", "date": "2026-11-03", "e2e": "2026-0050",
         "amount": "35.00", "mandate": "MDT-10002", "iban": "NL64RABO0260893498"},
    ), encoding="utf-8")
    assert xsd.validate_file(target, "pain.008.001.02") == []  # the bank's own check passed
    return target


def test_a_pain008_iban_failing_its_national_check_is_a_warning_and_imported(folder):
    target = write_old_pain008(folder)
    result = folder.import_("oud.xml", debtors=folder.path / "deb.csv")
    line = next(n for n, text in enumerate(target.read_text().splitlines(), 1) if OLD_IBAN in text)
    assert [(i.file, i.sheet, i.column, i.code, i.severity, i.value) for i in result.report.issues] == [
        ("oud.xml", "OLD-2026-11", "DbtrAcct", "iban-invalid", "warning", OLD_IBAN)]
    assert result.report.issues[0].row < line  # the line of its DrctDbtTxInf
    assert result.written and result.imported == 2
    assert folder.ledger("SELECT end_to_end_id, iban FROM transactions ORDER BY 1") == [
        ("2026-0050", "NL64RABO0260893498"), ("2026-0090", OLD_IBAN)]
    assert folder.ledger("SELECT mandate_key, iban FROM mandates ORDER BY 1") == [
        ("MDT-10002", "NL64RABO0260893498"), ("MDT-10003", OLD_IBAN)]


def test_a_pain008_missing_amount_still_stops_the_import(folder):
    target = write_old_pain008(folder)
    target.write_text(target.read_text(encoding="utf-8").replace(
        '<InstdAmt Ccy="EUR">35.00</InstdAmt>', '<InstdAmt Ccy="EUR"></InstdAmt>'), encoding="utf-8")
    result = folder.import_("oud.xml")
    assert {(i.column, i.code, i.severity) for i in result.report.issues} == {
        ("DbtrAcct", "iban-invalid", "warning"), ("InstdAmt", "amount-missing", "error")}
    assert not result.written
    assert not (folder.path / "incasso.db").exists()


def test_sheet_identifiers_failing_todays_checks_are_warnings(folder):
    folder.write("historie.csv", f"""
        Factuurnummer;Debiteurnummer;Machtigingskenmerk;Bedrag;Incassodatum;EndToEndId;IBAN
        2025_0090;10003;MDT 10003;95,00;01-11-2025;E_1;{OLD_IBAN}
        2025-0091;10003;MDT-10003-{"X" * 30};95,00;01-12-2025;{"E" * 36};NL02ABNA0123456789
    """)
    result = folder.import_("historie.csv")
    assert cells(result.report) == {
        (2, "Factuurnummer", "invoice-number-invalid", "warning"),
        (2, "Machtigingskenmerk", "mandate-id-invalid", "warning"),
        (2, "EndToEndId", "end-to-end-id-invalid", "warning"),
        (2, "IBAN", "iban-invalid", "warning"),
        (3, "Machtigingskenmerk", "mandate-id-too-long", "warning"),
        (3, "EndToEndId", "end-to-end-id-too-long", "warning"),
    }
    assert result.written and result.imported == 2
    assert folder.ledger("SELECT invoice_number, mandate_id, iban FROM transactions ORDER BY 1") == [
        ("2025-0091", "MDT-10003-" + "X" * 30, "NL02ABNA0123456789"),
        ("2025_0090", "MDT 10003", OLD_IBAN)]


def test_what_would_make_the_ledger_wrong_stays_an_error(folder):
    folder.write("historie.csv", f"""
        Factuurnummer;Debiteurnummer;Machtigingskenmerk;Bedrag;Incassodatum;IBAN
        2025-0090;10003;MDT-10003;95,00;01-11-2025;{OLD_IBAN}
        ;10003;MDT-10003;95,00;01-11-2025;
        2025-0092;10003;MDT-10003;;01-11-2025;
        2025-0090;10003;MDT-10003;95,00;01-11-2025;
        2025-0093;10003;;95,00;01-11-2025;
    """)
    result = folder.import_("historie.csv")
    assert cells(result.report) == {
        (2, "IBAN", "iban-invalid", "warning"),
        (3, "Factuurnummer", "invoice-number-missing", "error"),
        (4, "Bedrag", "amount-missing", "error"),
        (5, "Factuurnummer", "import-row-duplicate", "error"),
        (6, "Machtigingskenmerk", "mandate-id-missing", "error"),
    }
    assert not result.written
    assert not (folder.path / "incasso.db").exists()


def incasso(*args: str):
    return CliRunner(env=ENV).invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize("lang, expected", [
    ("en", """\
        oud.xml:OLD-2026-11:{row}:DbtrAcct  iban-invalid  '{iban}'  IBAN is not valid: Invalid national checksum

        Imported 2 earlier collections from oud.xml.
        Taken over from the earlier system:
          Mandates counted as used through the ledger import, so RCUR and not FRST: 2 (MDT-10003, MDT-10002)
          Invoices collected before (ledger import), never collected again: 2 (2026-0090, 2026-0050)
        """),
    ("nl", """\
        oud.xml:OLD-2026-11:{row}:DbtrAcct  iban-invalid  '{iban}'  IBAN is ongeldig: Invalid national checksum

        2 eerdere incasso's geïmporteerd uit oud.xml.
        Overgenomen uit het vorige systeem:
          Machtigingen die als gebruikt tellen via de ledger-import, dus RCUR en geen FRST: 2 (MDT-10003, MDT-10002)
          Facturen al eerder geïncasseerd (ledger-import), nooit opnieuw geïncasseerd: 2 (2026-0090, 2026-0050)
        """),
])
def test_the_cli_warns_and_imports(tmp_path, monkeypatch, lang, expected):
    folder = Folder(tmp_path)
    write_old_pain008(folder)
    monkeypatch.chdir(tmp_path)
    result = incasso("--lang", lang, "ledger", "import", "oud.xml")
    assert result.exit_code == 0, result.output
    assert folder.ledger("SELECT count(*) FROM transactions WHERE source = 'import'") == [(2,)]
    first_row = next(n for n, text in enumerate((tmp_path / "oud.xml").read_text().splitlines(), 1)
                     if "<DrctDbtTxInf>" in text)
    assert result.output == dedent(expected).format(row=first_row, iban=OLD_IBAN)
