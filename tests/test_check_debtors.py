"""Every debtor rule of sheets/schemas.py, on small inline sheets, as (row, column, code)."""

from __future__ import annotations

import datetime as dt

import pytest

from incasso_sheets.core.issues import WARNING

H = "Debiteurnummer;Naam;IBAN;Automatische incasso;Machtigingskenmerk;Datum machtiging"


def sheet(*lines: str, header: str = H) -> str:
    return "\n".join([header, *lines]) + "\n"


def test_clean_sheets_have_no_issues(debtor_cells):
    full = ("Debiteurnummer;Naam;IBAN;BIC;Automatische incasso;Machtigingskenmerk;Datum machtiging;"
            "Einddatum machtiging;Type incasso;Volgordetype;Straat;Postcode;Plaats;Land;E-mail")
    assert debtor_cells(sheet(
        "10001;Jansen;NL91ABNA0417164300;ABNANL2A;ja;MDT-10001;01-03-2024;31-12-2027;CORE;;"
        "Dorpsstraat 1;1234 AB;Utrecht;NL;jansen@voorbeeld.nl",
        "10002;Pietersen BV;nl20 ingb 0001 2345 67;;ja;MDT-10002;2024-03-01;;B2B;FRST;;;;;",
        "10003;Smith;GB29NWBK60161331926819;NWBKGB2L;ja;MDT-10003;1-3-2024;;;RCUR;"
        "1 High St;SW1A 1AA;London;GB;",
        "10004;De Vries;;;nee;;;;;;;;;;",
        header=full)) == set()


def test_the_partner_sheets_of_the_fixtures_are_clean(run_check):
    assert run_check().report.issues == []


# --- debtor number and name -----------------------------------------------------------------

def test_debtor_id_missing(debtor_cells):
    assert debtor_cells(sheet(
        "10001;Jansen;NL91ABNA0417164300;ja;MDT-1;01-03-2024",
        "  ;Pietersen;NL20INGB0001234567;ja;MDT-2;01-03-2024",
    )) == {(3, "Debiteurnummer", "debtor-id-missing")}


def test_debtor_id_duplicate_points_at_the_later_rows(run_check):
    result = run_check(sheet(
        "10001;Jansen;NL91ABNA0417164300;ja;MDT-1;01-03-2024",
        "10002;Pietersen;NL20INGB0001234567;ja;MDT-2;01-03-2024",
        "10001;Jansen;NL44RABO0123456789;ja;MDT-3;01-03-2024",
        "10001;Jansen;NL93RABO0123456780;ja;MDT-4;01-03-2024",
    ))
    issues = result.report.issues
    assert {(i.row, i.column, i.code) for i in issues} == {
        (4, "Debiteurnummer", "debtor-id-duplicate"), (5, "Debiteurnummer", "debtor-id-duplicate")}
    assert {i.message() for i in issues} == {"Debtor number also appears on row 2"}


def test_name_missing(debtor_cells):
    assert debtor_cells(sheet("10001;;NL91ABNA0417164300;ja;MDT-1;01-03-2024")) == {
        (2, "Naam", "name-missing")}


def test_name_length_is_counted_after_transliteration(debtor_cells):
    assert debtor_cells(sheet(
        f"10001;{'A' * 70};NL91ABNA0417164300;ja;MDT-1;01-03-2024",
        f"10002;{'A' * 71};NL20INGB0001234567;ja;MDT-2;01-03-2024",
        f"10003;{'ß' * 36};NL44RABO0123456789;ja;MDT-3;01-03-2024",  # 36 -> 72 characters
    )) == {
        (3, "Naam", "name-too-long"),
        (4, "Naam", "name-too-long"),
        (4, "Naam", "name-transliterated"),
    }


def test_name_transliterated_is_a_warning_showing_the_result(run_check):
    result = run_check(sheet("10001;Bäcker & Söhne;NL91ABNA0417164300;ja;MDT-1;01-03-2024"))
    (issue,) = result.report.issues
    assert (issue.row, issue.column, issue.code, issue.severity) == (
        2, "Naam", "name-transliterated", WARNING)
    assert issue.value == "Bäcker & Söhne"
    assert issue.message() == (
        "Name contains characters outside the SEPA set; sent as 'Backer + Sohne'")
    assert result.report.valid
    assert result.debtors.typed["name"].to_list() == ["Backer + Sohne"]


# --- direct debit, IBAN, BIC ------------------------------------------------------------

def test_direct_debit_accepts_the_usual_words(debtor_cells):
    words = ["ja", "Nee", "YES", "no", "true", "FALSE", "1", "0", "x", "", "j", "n", "Waar", "aan"]
    ibans = ["NL91ABNA0417164300", "NL20INGB0001234567", "NL44RABO0123456789",
             "NL93RABO0123456780", "NL66RABO0123456781", "NL71INGB0009876543", "BE68539007547034"]
    lines = [f"{n};Naam {n};{ibans[n % len(ibans)]};{w};MDT-{n};01-03-2024"
             for n, w in enumerate(words)]
    assert debtor_cells(sheet(*lines)) == set()


def test_direct_debit_invalid_and_then_the_account_is_not_checked(debtor_cells):
    assert debtor_cells(sheet("10001;Jansen;;misschien;;")) == {
        (2, "Automatische incasso", "direct-debit-invalid")}


def test_direct_debit_off_skips_iban_and_mandate_checks(debtor_cells):
    assert debtor_cells(sheet(
        "10001;Jansen;;nee;;",
        "10002;Pietersen;NL91ABNA0417164301;;;",
        "10003;De Vries;BR1800360305000010009795493C1;0;;",
    )) == set()


def test_iban_missing(debtor_cells):
    assert debtor_cells(sheet("10001;Jansen; ;ja;MDT-1;01-03-2024")) == {
        (2, "IBAN", "iban-missing")}


def test_iban_invalid_shows_the_value_and_the_reason(run_check):
    result = run_check(sheet(
        "10001;Jansen;NL91ABNA0417164300;ja;MDT-1;01-03-2024",
        "10002;Pietersen;NL91ABNA0417164301;ja;MDT-2;01-03-2024",
        "10003;Smith;US64SVBKUS6S3300958879;ja;MDT-3;01-03-2024",
        "10004;De Vries;NL91 ABNA 0417;ja;MDT-4;01-03-2024",
    ))
    found = {(i.row, i.column, i.code, i.value) for i in result.report.issues}
    assert found == {
        (3, "IBAN", "iban-invalid", "NL91ABNA0417164301"),
        (4, "IBAN", "iban-invalid", "US64SVBKUS6S3300958879"),
        (5, "IBAN", "iban-invalid", "NL91 ABNA 0417"),
    }
    row3 = next(i for i in result.report.issues if i.row == 3)
    assert row3.message() == "IBAN is not valid: Invalid checksum digits"


def test_iban_outside_sepa(run_check):
    result = run_check(sheet("10001;Silva;BR1800360305000010009795493C1;ja;MDT-1;01-03-2024"))
    assert [(i.row, i.column, i.code) for i in result.report.issues] == [
        (2, "IBAN", "iban-not-sepa")]
    assert result.report.issues[0].message() == (
        "IBAN country BR is not in the SEPA zone; it cannot be collected")


def test_iban_with_spaces_and_lower_case_is_normalised(run_check):
    result = run_check(sheet("10001;Jansen;nl91 abna 0417.1643-00;ja;MDT-1;01-03-2024"))
    assert result.report.issues == []
    typed = result.debtors.typed
    assert typed.select("iban", "bic", "scheme", "direct_debit").row(0) == (
        "NL91ABNA0417164300", "ABNANL2A", "CORE", True)


def test_bic_invalid_and_bic_of_another_bank(debtor_cells):
    header = H + ";BIC"
    assert debtor_cells(sheet(
        "10001;Jansen;NL91ABNA0417164300;ja;MDT-1;01-03-2024;abnanl2a",
        "10002;Pietersen;NL91ABNA0417164300;ja;MDT-2;01-03-2024;ABNANL2",
        "10003;De Vries;NL91ABNA0417164300;ja;MDT-3;01-03-2024;INGBNL2A",
        "10004;Smit;NL91ABNA0417164300;ja;MDT-4;01-03-2024;COBADEFF",
        "10005;Bakker;NL91ABNA0417164300;nee;MDT-5;01-03-2024;INGBNL2A",
        "10006;Visser;BE68539007547034;ja;MDT-6;01-03-2024;GEBABEBB",
        header=header,
    )) == {
        (3, "BIC", "bic-invalid"),
        (4, "BIC", "bic-iban-mismatch"),
        (5, "BIC", "bic-iban-mismatch"),
    }


def test_bic_mismatch_names_the_expected_bic(run_check):
    result = run_check(sheet("10001;Jansen;NL91ABNA0417164300;ja;MDT-1;01-03-2024;INGBNL2A",
                             header=H + ";BIC"))
    (issue,) = result.report.issues
    assert issue.message() == ("BIC does not belong to the bank of the IBAN (expected ABNANL2A); "
                               "correct it or leave it empty")


# --- mandate --------------------------------------------------------------------------------

def test_mandate_id_missing(debtor_cells):
    assert debtor_cells(sheet("10001;Jansen;NL91ABNA0417164300;ja;;01-03-2024")) == {
        (2, "Machtigingskenmerk", "mandate-id-missing")}


def test_mandate_id_too_long(debtor_cells):
    assert debtor_cells(sheet(
        f"10001;Jansen;NL91ABNA0417164300;ja;{'M' * 35};01-03-2024",
        f"10002;Pietersen;NL20INGB0001234567;ja;{'N' * 36};01-03-2024",
    )) == {(3, "Machtigingskenmerk", "mandate-id-too-long")}


def test_mandate_id_invalid(debtor_cells):
    assert debtor_cells(sheet(
        "10001;Jansen;NL91ABNA0417164300;ja;MDT 1;01-03-2024",
        "10002;Pietersen;NL20INGB0001234567;ja;/MDT2;01-03-2024",
        "10003;De Vries;NL44RABO0123456789;ja;MDT//3;01-03-2024",
        "10004;Smit;NL93RABO0123456780;ja;MDT4/;01-03-2024",
        "10005;Bakker;NL66RABO0123456781;ja;MDT_5;01-03-2024",
        "10006;Visser;NL71INGB0009876543;ja;K/2024/6(a).,'+?:;01-03-2024",
    )) == {
        (2, "Machtigingskenmerk", "mandate-id-invalid"),
        (3, "Machtigingskenmerk", "mandate-id-invalid"),
        (4, "Machtigingskenmerk", "mandate-id-invalid"),
        (5, "Machtigingskenmerk", "mandate-id-invalid"),
        (6, "Machtigingskenmerk", "mandate-id-invalid"),
    }


def test_mandate_id_duplicate_is_case_insensitive(run_check):
    result = run_check(sheet(
        "10001;Jansen;NL91ABNA0417164300;ja;mdt-1;01-03-2024",
        "10002;Pietersen;NL20INGB0001234567;ja;MDT-2;01-03-2024",
        "10003;De Vries;NL44RABO0123456789;ja;MDT-1;01-03-2024",
    ))
    (issue,) = result.report.issues
    assert (issue.row, issue.column, issue.code, issue.value) == (
        4, "Machtigingskenmerk", "mandate-id-duplicate", "MDT-1")
    assert issue.message() == (
        "Mandate reference is also used on row 2 (references are not case-sensitive)")


def test_mandate_date_missing(debtor_cells):
    assert debtor_cells(sheet("10001;Jansen;NL91ABNA0417164300;ja;MDT-1;")) == {
        (2, "Datum machtiging", "mandate-date-missing")}


def test_mandate_date_notations(debtor_cells):
    assert debtor_cells(sheet(
        "10001;Jansen;NL91ABNA0417164300;ja;MDT-1;1-3-2024",
        "10002;Pietersen;NL20INGB0001234567;ja;MDT-2;01/03/2024",
        "10003;De Vries;NL44RABO0123456789;ja;MDT-3;01.03.2024",
        "10004;Smit;NL93RABO0123456780;ja;MDT-4;2024-03-01",
        "10005;Bakker;NL66RABO0123456781;ja;MDT-5;2024-03-01 00:00:00",
    )) == set()


def test_mandate_date_invalid_is_not_also_missing(debtor_cells):
    assert debtor_cells(sheet(
        "10001;Jansen;NL91ABNA0417164300;ja;MDT-1;31-02-2024",
        "10002;Pietersen;NL20INGB0001234567;ja;MDT-2;2024/03/01",
        "10003;De Vries;NL44RABO0123456789;ja;MDT-3;gisteren",
        "10004;Smit;NL93RABO0123456780;ja;MDT-4;01-03-24",
    )) == {
        (2, "Datum machtiging", "date-invalid"),
        (3, "Datum machtiging", "date-invalid"),
        (4, "Datum machtiging", "date-invalid"),
        (5, "Datum machtiging", "date-invalid"),
    }


def test_mandate_date_in_the_future_depends_on_today(run_check):
    debtors = sheet(
        "10001;Jansen;NL91ABNA0417164300;ja;MDT-1;27-11-2026",
        "10002;Pietersen;NL20INGB0001234567;ja;MDT-2;28-11-2026",
    )
    result = run_check(debtors, today=dt.date(2026, 11, 27))
    (issue,) = result.report.issues
    assert (issue.row, issue.column, issue.code) == (3, "Datum machtiging", "mandate-date-in-future")
    assert issue.message() == "Mandate date lies in the future (today is 2026-11-27)"
    assert run_check(debtors, today=dt.date(2026, 11, 28)).report.issues == []


def test_mandate_end_date(debtor_cells):
    assert debtor_cells(sheet(
        "10001;Jansen;NL91ABNA0417164300;ja;MDT-1;01-03-2024;01-03-2024",
        "10002;Pietersen;NL20INGB0001234567;ja;MDT-2;01-03-2024;29-02-2024",
        "10003;De Vries;NL44RABO0123456789;ja;MDT-3;01-03-2024;nooit",
        header=H + ";Einddatum machtiging",
    )) == {
        (3, "Einddatum machtiging", "mandate-end-before-start"),
        (4, "Einddatum machtiging", "date-invalid"),
    }


# --- scheme, sequence, address, e-mail --------------------------------------------------------

def test_scheme(run_check):
    result = run_check(sheet(
        "10001;Jansen;NL91ABNA0417164300;ja;MDT-1;01-03-2024;Standaard",
        "10002;Pietersen;NL20INGB0001234567;ja;MDT-2;01-03-2024;zakelijk",
        "10003;De Vries;NL44RABO0123456789;ja;MDT-3;01-03-2024;b2b",
        "10004;Smit;NL93RABO0123456780;ja;MDT-4;01-03-2024;",
        "10005;Bakker;NL66RABO0123456781;ja;MDT-5;01-03-2024;COR1",
        header=H + ";Type incasso",
    ))
    assert {(i.row, i.column, i.code) for i in result.report.issues} == {
        (6, "Type incasso", "scheme-invalid")}
    assert result.debtors.typed["scheme"].to_list() == ["CORE", "B2B", "B2B", "CORE", "CORE"]


def test_sequence(debtor_cells):
    assert debtor_cells(sheet(
        "10001;Jansen;NL91ABNA0417164300;ja;MDT-1;01-03-2024;FRST",
        "10002;Pietersen;NL20INGB0001234567;ja;MDT-2;01-03-2024;rcur",
        "10003;De Vries;NL44RABO0123456789;ja;MDT-3;01-03-2024;OOFF",
        "10004;Smit;NL93RABO0123456780;ja;MDT-4;01-03-2024;FNAL",
        "10005;Bakker;NL66RABO0123456781;ja;MDT-5;01-03-2024;",
        "10006;Visser;NL71INGB0009876543;ja;MDT-6;01-03-2024;eenmalig",
        header=H + ";Volgordetype",
    )) == {(7, "Volgordetype", "sequence-invalid")}


def test_country(debtor_cells):
    assert debtor_cells(sheet(
        "10001;Jansen;NL91ABNA0417164300;ja;MDT-1;01-03-2024;nl",
        "10002;Pietersen;NL20INGB0001234567;ja;MDT-2;01-03-2024;Nederland",
        "10003;De Vries;NL44RABO0123456789;ja;MDT-3;01-03-2024;NLD",
        header=H + ";Land",
    )) == {(3, "Land", "country-invalid"), (4, "Land", "country-invalid")}


def test_address_required_for_a_debtor_outside_the_eea(run_check):
    result = run_check(sheet(
        "10001;Smith;GB29NWBK60161331926819;ja;MDT-1;01-03-2024;",
        "10002;Jones;GB29NWBK60161331926819;ja;MDT-2;01-03-2024;London",
        "10003;Brown;GB29NWBK60161331926819;nee;;;",
        "10004;Jansen;NL91ABNA0417164300;ja;MDT-4;01-03-2024;",
        header=H + ";Plaats",
    ))
    (issue,) = result.report.issues
    assert (issue.row, issue.column, issue.code) == (2, "Plaats", "address-missing")
    assert issue.message() == (
        "The IBAN is outside the EEA (GB): the town is required (the country defaults to the IBAN's)")


def test_address_missing_points_at_the_usual_header_when_there_is_no_city_column(debtor_cells):
    assert debtor_cells(sheet("10001;Smith;GB29NWBK60161331926819;ja;MDT-1;01-03-2024")) == {
        (2, "Plaats", "address-missing")}


def test_email_invalid_is_a_warning(run_check):
    result = run_check(sheet(
        "10001;Jansen;NL91ABNA0417164300;ja;MDT-1;01-03-2024;jansen@voorbeeld.nl",
        "10002;Pietersen;NL20INGB0001234567;ja;MDT-2;01-03-2024;pietersen@",
        "10003;De Vries;NL44RABO0123456789;ja;MDT-3;01-03-2024;de vries@x.nl",
        header=H + ";E-mail",
    ))
    assert {(i.row, i.column, i.code, i.severity) for i in result.report.issues} == {
        (3, "E-mail", "email-invalid", WARNING), (4, "E-mail", "email-invalid", WARNING)}
    assert result.report.valid


# --- collecting -------------------------------------------------------------------------------

def test_every_bad_row_is_reported_in_one_run(debtor_cells):
    lines = [f"{10001 + n};Naam;NL91ABNA0417164301;ja;MDT-{n};01-03-2024" for n in range(40)]
    assert debtor_cells(sheet(*lines)) == {(row, "IBAN", "iban-invalid") for row in range(2, 42)}


def test_one_row_with_many_problems(debtor_cells):
    header = H + ";Type incasso;Volgordetype;E-mail"
    assert debtor_cells(sheet(
        ";;NL91ABNA0417164301;ja;/x;morgen;COR1;EENS;geen",
        header=header,
    )) == {
        (2, "Debiteurnummer", "debtor-id-missing"),
        (2, "Naam", "name-missing"),
        (2, "IBAN", "iban-invalid"),
        (2, "Machtigingskenmerk", "mandate-id-invalid"),
        (2, "Datum machtiging", "date-invalid"),
        (2, "Type incasso", "scheme-invalid"),
        (2, "Volgordetype", "sequence-invalid"),
        (2, "E-mail", "email-invalid"),
    }


def test_row_numbers_count_blank_rows(debtor_cells):
    assert debtor_cells(sheet(
        "10001;Jansen;NL91ABNA0417164300;ja;MDT-1;01-03-2024",
        ";;;;;",
        "",
        "10002;Pietersen;NL91ABNA0417164301;ja;MDT-2;01-03-2024",
    )) == {(5, "IBAN", "iban-invalid")}


@pytest.mark.parametrize("header", [
    "Klantnummer;Naam rekeninghouder;Rekeningnummer;Incasso;Mandaatnummer;Ondertekend op",
    "Customer number;Account holder;Account number;Direct debit;Mandate ID;Signing date",
])
def test_issues_name_the_header_as_the_user_wrote_it(debtor_cells, header):
    columns = header.split(";")
    assert debtor_cells(sheet(";;NL91ABNA0417164301;ja;;", header=header)) == {
        (2, columns[0], "debtor-id-missing"),
        (2, columns[1], "name-missing"),
        (2, columns[2], "iban-invalid"),
        (2, columns[4], "mandate-id-missing"),
        (2, columns[5], "mandate-date-missing"),
    }


def test_a_name_that_transliterates_to_nothing_is_an_error(run_check):
    result = run_check(sheet("10001;***;NL91ABNA0417164300;ja;MDT-1;01-03-2024"))
    assert not result.report.valid
