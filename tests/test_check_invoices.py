"""Every invoice rule of sheets/schemas.py, on small inline sheets, as (row, column, code).

The debtors sheet holds one clean debtor, 10001 (conftest.CLEAN_DEBTORS).
"""

from __future__ import annotations

import pytest

from incasso_sheets.core.issues import WARNING

H = "Factuurnummer;Debiteurnummer;Factuurdatum;Vervaldatum;Bedrag"


def sheet(*lines: str, header: str = H) -> str:
    return "\n".join([header, *lines]) + "\n"


def test_clean_invoices(run_check):
    result = run_check(invoices=sheet(
        "2026-0001;10001;01-11-2026;01-12-2026;121,00",
        "2026-0002;10001;2026-11-01;2026-12-01;1.234,56",
        "F/2026/3;10001;1/11/2026;1/12/2026;€ 12.50",
        "2026-0004;10001;01-11-2026;01-12-2026;999.999.999,99",
    ))
    assert result.report.issues == []
    assert result.invoices.typed["amount_cents"].to_list() == [12100, 123456, 1250, 99_999_999_999]
    assert result.invoices.typed["currency"].to_list() == ["EUR"] * 4


# --- invoice number ----------------------------------------------------------------------------

def test_invoice_number_missing(invoice_cells):
    assert invoice_cells(sheet(";10001;01-11-2026;01-12-2026;10,00")) == {
        (2, "Factuurnummer", "invoice-number-missing")}


def test_invoice_number_duplicate(run_check):
    result = run_check(invoices=sheet(
        "2026-0001;10001;01-11-2026;01-12-2026;10,00",
        "2026-0002;10001;01-11-2026;01-12-2026;10,00",
        "2026-0001;10001;01-11-2026;01-12-2026;10,00",
    ))
    (issue,) = result.report.issues
    assert (issue.row, issue.column, issue.code) == (4, "Factuurnummer", "invoice-number-duplicate")
    assert issue.message() == "Invoice number also appears on row 2"


def test_invoice_number_too_long_leaves_room_for_the_attempt_suffix(run_check):
    result = run_check(invoices=sheet(
        f"{'F' * 32};10001;01-11-2026;01-12-2026;10,00",
        f"{'G' * 33};10001;01-11-2026;01-12-2026;10,00",
    ))
    (issue,) = result.report.issues
    assert (issue.row, issue.column, issue.code) == (3, "Factuurnummer", "invoice-number-too-long")
    assert issue.message() == (
        "Invoice number is 33 characters; at most 32 fit in the EndToEndId")


def test_invoice_number_invalid(invoice_cells):
    assert invoice_cells(sheet(
        "2026 0001;10001;01-11-2026;01-12-2026;10,00",   # a space is allowed in an EndToEndId
        "/2026-2;10001;01-11-2026;01-12-2026;10,00",
        "2026//3;10001;01-11-2026;01-12-2026;10,00",
        "2026-4/;10001;01-11-2026;01-12-2026;10,00",
        "2026_5;10001;01-11-2026;01-12-2026;10,00",
        "Fâcture6;10001;01-11-2026;01-12-2026;10,00",
    )) == {
        (3, "Factuurnummer", "invoice-number-invalid"),
        (4, "Factuurnummer", "invoice-number-invalid"),
        (5, "Factuurnummer", "invoice-number-invalid"),
        (6, "Factuurnummer", "invoice-number-invalid"),
        (7, "Factuurnummer", "invoice-number-invalid"),
    }


# --- debtor -------------------------------------------------------------------------------

def test_debtor_missing_and_unknown(run_check):
    result = run_check(invoices=sheet(
        "2026-0001;;01-11-2026;01-12-2026;10,00",
        "2026-0002;10009;01-11-2026;01-12-2026;10,00",
        "2026-0003; 10001 ;01-11-2026;01-12-2026;10,00",
    ))
    assert {(i.row, i.column, i.code, i.value) for i in result.report.issues} == {
        (2, "Debiteurnummer", "debtor-id-missing", None),
        (3, "Debiteurnummer", "debtor-unknown", "10009"),
    }


# --- dates ----------------------------------------------------------------------------------

def test_dates_missing(invoice_cells):
    assert invoice_cells(sheet(
        "2026-0001;10001;;01-12-2026;10,00",
        "2026-0002;10001;01-11-2026; ;10,00",
    )) == {(2, "Factuurdatum", "invoice-date-missing"), (3, "Vervaldatum", "due-date-missing")}


def test_dates_invalid(invoice_cells):
    assert invoice_cells(sheet(
        "2026-0001;10001;32-11-2026;01-12-2026;10,00",
        "2026-0002;10001;01-11-2026;2026/12/01;10,00",
        "2026-0003;10001;1 nov 2026;volgende week;10,00",
    )) == {
        (2, "Factuurdatum", "date-invalid"),
        (3, "Vervaldatum", "date-invalid"),
        (4, "Factuurdatum", "date-invalid"),
        (4, "Vervaldatum", "date-invalid"),
    }


# --- amounts --------------------------------------------------------------------------------

def test_amount_missing_is_one_issue(invoice_cells):
    assert invoice_cells(sheet(
        "2026-0001;10001;01-11-2026;01-12-2026;",
        "2026-0002;10001;01-11-2026;01-12-2026;  ",
    )) == {(2, "Bedrag", "amount-missing"), (3, "Bedrag", "amount-missing")}


@pytest.mark.parametrize(("amount", "code"), [
    ("tien euro", "amount-invalid"),
    ("-", "amount-invalid"),
    ("€", "amount-invalid"),
    ("12,34,56", "amount-invalid"),
    ("12.345", "amount-ambiguous"),
    ("12,345", "amount-ambiguous"),
    ("12,345 EUR", "amount-ambiguous"),
    ("1234,567", "amount-too-many-decimals"),
    ("0,001", "amount-too-many-decimals"),
    ("1.000.000.000,00", "amount-too-large"),
    ("9999999999999", "amount-too-large"),
])
def test_amount_errors(invoice_cells, amount, code):
    assert invoice_cells(sheet(f"2026-0001;10001;01-11-2026;01-12-2026;{amount}")) == {
        (2, "Bedrag", code)}


def test_amount_not_positive_is_a_warning(run_check):
    result = run_check(invoices=sheet(
        "2026-0001;10001;01-11-2026;01-12-2026;0,00",
        "2026-0002;10001;01-11-2026;01-12-2026;-12,50",
        "2026-0003;10001;01-11-2026;01-12-2026;0,01",
    ))
    assert {(i.row, i.column, i.code, i.severity) for i in result.report.issues} == {
        (2, "Bedrag", "amount-not-positive", WARNING),
        (3, "Bedrag", "amount-not-positive", WARNING),
    }
    assert result.report.valid


# --- currency and description ---------------------------------------------------------------

def test_currency_not_eur_is_a_warning(run_check):
    result = run_check(invoices=sheet(
        "2026-0001;10001;01-11-2026;01-12-2026;10,00;EUR",
        "2026-0002;10001;01-11-2026;01-12-2026;10,00;eur",
        "2026-0003;10001;01-11-2026;01-12-2026;10,00;",
        "2026-0004;10001;01-11-2026;01-12-2026;10,00;usd",
        header=H + ";Valuta",
    ))
    (issue,) = result.report.issues
    assert (issue.row, issue.column, issue.code, issue.severity) == (
        5, "Valuta", "currency-not-eur", WARNING)
    assert issue.message() == "Currency USD is not EUR; the invoice is skipped"


def test_description_transliterated_is_a_warning(run_check):
    result = run_check(invoices=sheet(
        "2026-0001;10001;01-11-2026;01-12-2026;10,00;Contributie 2026",
        "2026-0002;10001;01-11-2026;01-12-2026;10,00;Café & bar",
        "2026-0003;10001;01-11-2026;01-12-2026;10,00;",
        header=H + ";Omschrijving",
    ))
    (issue,) = result.report.issues
    assert (issue.row, issue.column, issue.code, issue.severity, issue.value) == (
        3, "Omschrijving", "description-transliterated", WARNING, "Café & bar")
    assert issue.message() == (
        "Description contains characters outside the SEPA set; sent as 'Cafe + bar'")
    assert result.invoices.typed["description"].to_list() == [
        "Contributie 2026", "Cafe + bar", None]


# --- collecting -------------------------------------------------------------------------------

def test_english_headers_and_many_problems_in_one_row(invoice_cells):
    header = "Invoice number;Customer number;Invoice date;Due date;Amount due;Currency"
    assert invoice_cells(sheet("/x;10009;;31-02-2026;12.345;GBP", header=header)) == {
        (2, "Invoice number", "invoice-number-invalid"),
        (2, "Customer number", "debtor-unknown"),
        (2, "Invoice date", "invoice-date-missing"),
        (2, "Due date", "date-invalid"),
        (2, "Amount due", "amount-ambiguous"),
        (2, "Currency", "currency-not-eur"),
    }


def test_an_invoice_of_a_debtor_with_a_bad_row_is_still_known(run_check):
    """A debtor row with problems still defines the debtor number (no double reporting)."""
    result = run_check(
        debtors="""
            Debiteurnummer;Naam;IBAN;Automatische incasso;Machtigingskenmerk;Datum machtiging
            10001;Jansen;NL91ABNA0417164301;ja;MDT-1;01-03-2024
        """,
        invoices=sheet("2026-0001;10001;01-11-2026;01-12-2026;10,00"),
    )
    assert {(i.file, i.row, i.code) for i in result.report.issues} == {
        ("deb.csv", 2, "iban-invalid")}
