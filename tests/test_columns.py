"""sheets.columns: the headers users write -> canonical columns, and header issues."""

from __future__ import annotations

import pytest

from incasso_sheets.core.issues import ERROR, WARNING
from incasso_sheets.sheets.columns import (
    DEBTOR_COLUMNS,
    INVOICE_COLUMNS,
    header_key,
    map_headers,
)

DEBTOR_HEADERS = ["Debiteurnummer", "Naam", "IBAN", "Automatische incasso", "Machtigingskenmerk",
                  "Datum machtiging"]


def test_header_key_ignores_case_spaces_dashes_underscores_and_dots():
    assert header_key(" Machtigings-Kenmerk_. ") == "machtigingskenmerk"
    assert header_key("E-mail") == header_key("email") == "email"


def test_dutch_and_english_headers_in_any_spelling():
    mapping = map_headers(["machtigings-kenmerk", "IBAN ", "Debtor_number", "NAAM",
                           "automatische incasso", "Signing.date", "E-MAIL", "Type incasso"],
                          DEBTOR_COLUMNS)
    assert mapping.issues == []
    assert mapping.found == {
        "mandate_id": "machtigings-kenmerk", "iban": "IBAN ", "debtor_id": "Debtor_number",
        "name": "NAAM", "direct_debit": "automatische incasso", "mandate_date": "Signing.date",
        "email": "E-MAIL", "scheme": "Type incasso",
    }


def test_canonical_names_are_accepted_too():
    names = [c.name for c in INVOICE_COLUMNS]
    mapping = map_headers(names, INVOICE_COLUMNS)
    assert mapping.issues == []
    assert mapping.found == {n: n for n in names}


@pytest.mark.parametrize(("header", "suggestion"), [
    ("Machtigingskenmrk", "Machtigingskenmerk"), ("IBN", "IBAN"), ("Debiteurnumer", "Debiteurnummer"),
])
def test_unknown_header_gets_the_closest_known_name(header, suggestion):
    mapping = map_headers([header], DEBTOR_COLUMNS)
    unknown = [i for i in mapping.issues if i.code == "column-unknown"]
    assert len(unknown) == 1
    issue = unknown[0]
    assert (issue.row, issue.column, issue.value, issue.severity) == (1, header, header, WARNING)
    assert issue.message() == (f"Unknown column '{header}' is ignored; did you mean '{suggestion}'?")


def test_unknown_header_without_a_close_name():
    mapping = map_headers([*DEBTOR_HEADERS, "Opmerkingen"], DEBTOR_COLUMNS)
    assert [(i.row, i.column, i.code, i.severity) for i in mapping.issues] == [
        (1, "Opmerkingen", "column-unknown-no-suggestion", WARNING)]
    assert "Opmerkingen" not in mapping.found.values()


def test_empty_and_unnamed_headers_are_ignored():
    mapping = map_headers([*DEBTOR_HEADERS, "", "  ", "__UNNAMED__7"], DEBTOR_COLUMNS)
    assert mapping.issues == []


def test_missing_required_columns_are_one_issue_each():
    mapping = map_headers(["Naam", "IBAN", "BIC"], DEBTOR_COLUMNS)
    missing = {(i.row, i.column, i.code, i.severity) for i in mapping.issues}
    assert missing == {
        (1, "Debiteurnummer", "column-missing", ERROR),
        (1, "Automatische incasso", "column-missing", ERROR),
        (1, "Machtigingskenmerk", "column-missing", ERROR),
        (1, "Datum machtiging", "column-missing", ERROR),
    }
    first = next(i for i in mapping.issues if i.column == "Debiteurnummer")
    assert first.message().startswith(
        "Required column 'Debiteurnummer' is missing (accepted headers: Debiteurnummer, Klantnummer,")


def test_two_headers_with_one_meaning():
    mapping = map_headers([*DEBTOR_HEADERS, "Name"], DEBTOR_COLUMNS)
    assert [(i.row, i.column, i.code) for i in mapping.issues] == [(1, "Name", "column-duplicate")]
    assert mapping.found["name"] == "Naam"
    assert mapping.issues[0].message() == (
        "Column 'Name' means the same as column 'Naam'; keep one of them")


def test_missing_column_in_a_sheet_is_one_issue_and_its_row_rules_are_skipped(debtor_cells):
    # three debtors with direct debit on, without the mandate date column
    found = debtor_cells("""
        Debiteurnummer;Naam;IBAN;Automatische incasso;Machtigingskenmerk
        10001;Jansen;NL91ABNA0417164300;ja;MDT-1
        10002;Pietersen;NL20INGB0001234567;ja;MDT-2
        10003;De Vries;NL44RABO0123456789;ja;MDT-3
    """)
    assert found == {(1, "Datum machtiging", "column-missing")}


def test_missing_amount_column_in_invoices(invoice_cells):
    found = invoice_cells("""
        Factuurnummer;Debiteurnummer;Factuurdatum;Vervaldatum
        2026-0001;10001;01-11-2026;01-12-2026
        2026-0002;10001;01-11-2026;01-12-2026
    """)
    assert found == {(1, "Openstaand bedrag", "column-missing")}


def test_header_issues_in_a_sheet_carry_file_and_sheet(run_check):
    result = run_check(debtors="""
        Debiteurnummer;Naam;IBAN;Automatische incasso;Machtigingskenmrk;Datum machtiging;Name
        10001;Jansen;NL91ABNA0417164300;nee;;;
    """)
    found = {(i.file, i.sheet, i.row, i.column, i.code) for i in result.report.issues}
    assert found == {
        ("deb.csv", "deb", 1, "Machtigingskenmrk", "column-unknown"),
        ("deb.csv", "deb", 1, "Name", "column-duplicate"),
        ("deb.csv", "deb", 1, "Machtigingskenmerk", "column-missing"),
    }
