"""update.merge_updates: the merge, the checks on the merged sheet, the change list, notes."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from incasso_sheets.collect.select import HISTORY_MANDATES
from incasso_sheets.sheets.read import read_sheet
from incasso_sheets.update.merge import merge_updates

TODAY = dt.date(2026, 11, 27)

DEBTORS = """
    Debiteurnummer;Naam;IBAN;Automatische incasso;Machtigingskenmerk;Datum machtiging;Opmerking
    10001;Jansen;NL91ABNA0417164300;ja;MDT-1;01-03-2024;vaste klant
    10002;Pietersen;NL44RABO0123456789;ja;MDT-2;01-03-2024;
    10003;De Vries;;nee;;;
"""


@pytest.fixture
def merge(write_csv):
    """merge(updates_csv, debtors_csv=DEBTORS, **options) -> UpdateResult of deb.csv + upd.csv."""
    def run(updates: str, debtors: str = DEBTORS, **options):
        return merge_updates(read_sheet(write_csv("deb.csv", debtors)),
                             read_sheet(write_csv("upd.csv", updates)), TODAY, **options)
    return run


def cells(result) -> set[tuple[str, int | None, str | None, str]]:
    return {(i.file, i.row, i.column, i.code) for i in result.issues}


def changed(result) -> list[tuple[str, str, str | None, str | None]]:
    return [(d, c, o, n) for d, c, o, n in result.changes.select("debtor_id", "column", "old", "new").iter_rows()]


def merged_value(result, row: int, header: str) -> str | None:
    return result.merged.frame.filter(pl.col("_row") == row)[header].item()


# --- merging --------------------------------------------------------------------------------

def test_a_value_replaces_and_an_empty_cell_leaves_it(merge):
    result = merge("""
        Debiteurnummer;Naam
        10001;Jansen-Bakker
        10002;
    """)
    assert result.valid
    assert changed(result) == [("10001", "name", "Jansen", "Jansen-Bakker")]
    assert merged_value(result, 2, "Naam") == "Jansen-Bakker"
    assert merged_value(result, 3, "Naam") == "Pietersen"


def test_unknown_update_columns_are_warned_and_not_applied(merge):
    result = merge("""
        Debiteurnummer;Opmerking;Naam
        10001;weg;Jansen-Bakker
    """)
    assert cells(result) == {("upd.csv", 1, "Opmerking", "column-unknown-no-suggestion")}
    assert result.valid
    assert changed(result) == [("10001", "name", "Jansen", "Jansen-Bakker")]
    assert merged_value(result, 2, "Opmerking") == "vaste klant"


def test_a_dash_clears_a_value(merge):
    result = merge("""
        Debiteurnummer;Machtigingskenmerk;Datum machtiging;IBAN;Automatische incasso
        10002;-;-;-;nee
    """)
    assert result.valid
    assert changed(result) == [("10002", "iban", "NL44RABO0123456789", None),
                               ("10002", "direct_debit", "ja", "nee"),
                               ("10002", "mandate_id", "MDT-2", None),
                               ("10002", "mandate_date", "01-03-2024", None)]
    assert merged_value(result, 3, "IBAN") is None


def test_a_respelled_value_is_no_change(merge):
    result = merge("""
        Debtor number;IBAN;Direct debit;Mandate date;Name
        10001;nl91 abna 0417 1643 00;yes;2024-03-01; Jansen
        10003;;NO;;
    """)
    assert result.valid
    assert result.changes.height == 0
    assert merged_value(result, 2, "IBAN") == "NL91ABNA0417164300"  # the sheet keeps its text


def test_english_headers_update_dutch_columns(merge):
    result = merge("""
        Customer number;Account holder;Account number
        10002;P. Pietersen;NL91 ABNA 0417 1643 00
    """)
    assert result.valid
    assert [(c, h, u) for c, h, u in result.changes.select("column", "header", "update_header").iter_rows()] == [
        ("name", "Naam", "Account holder"), ("iban", "IBAN", "Account number")]


def test_a_column_the_debtors_sheet_lacks_is_appended_only_when_filled(merge):
    result = merge("""
        Debiteurnummer;E-mail;Plaats
        10001;jansen@example.com;
        10002;;
    """)
    assert result.valid
    assert result.added_headers == ("E-mail",)
    assert result.merged.headers[-1] == "E-mail"
    assert "Plaats" not in result.merged.headers
    assert changed(result) == [("10001", "email", None, "jansen@example.com")]


# --- the update sheet's own problems ----------------------------------------------------------

def test_an_unknown_debtor_is_an_error_at_its_cell(merge):
    result = merge("""
        Debiteurnummer;Naam
        10001;Jansen-Bakker
        19999;Onbekend
    """)
    assert cells(result) == {("upd.csv", 3, "Debiteurnummer", "update-debtor-unknown")}
    assert not result.valid


def test_a_debtor_listed_twice_is_an_error(merge):
    result = merge("""
        Debiteurnummer;Naam
        10001;Jansen-Bakker
        10002;P. Pietersen
        10001;Jansen
    """)
    assert cells(result) == {("upd.csv", 4, "Debiteurnummer", "update-debtor-duplicate")}
    assert dict(result.issues[0].params)["other_row"] == "2"


def test_an_update_row_without_debtor_number_is_an_error(merge):
    result = merge("""
        Debiteurnummer;Naam
        ;Jansen-Bakker
    """)
    assert cells(result) == {("upd.csv", 2, "Debiteurnummer", "debtor-id-missing")}


def test_the_debtor_number_column_is_required(merge):
    result = merge("""
        Naam;IBAN
        Jansen;NL91ABNA0417164300
    """)
    assert cells(result) == {("upd.csv", 1, "Debiteurnummer", "column-missing")}
    assert result.merged is None


# --- the merged sheet is checked with the rules of `incasso check` ---------------------------

def test_an_invalid_new_value_is_reported_at_the_update_cell(merge):
    result = merge("""
        Debiteurnummer;IBAN;Naam;Datum machtiging
        10001;NL91ABNA0417164399;-;31-02-2024
    """)
    assert cells(result) == {("upd.csv", 2, "IBAN", "iban-invalid"),
                             ("upd.csv", 2, "Naam", "name-missing"),
                             ("upd.csv", 2, "Datum machtiging", "date-invalid")}
    values = {i.code: i.value for i in result.issues}
    assert values["iban-invalid"] == "NL91ABNA0417164399"


def test_an_error_from_the_combination_points_at_the_debtors_row(merge):
    # Direct debit switched on for a debtor without IBAN or mandate: the update is fine, the
    # debtor's row is not.
    result = merge("""
        Debiteurnummer;Automatische incasso
        10003;ja
    """)
    assert cells(result) == {("deb.csv", 4, "IBAN", "iban-missing"),
                             ("deb.csv", 4, "Machtigingskenmerk", "mandate-id-missing"),
                             ("deb.csv", 4, "Datum machtiging", "mandate-date-missing")}


def test_a_mandate_id_taken_by_another_debtor_is_reported(merge):
    result = merge("""
        Debiteurnummer;Machtigingskenmerk
        10002;mdt-1
    """)
    assert cells(result) == {("upd.csv", 2, "Machtigingskenmerk", "update-mandate-id-duplicate")}


def test_warnings_about_untouched_cells_are_left_to_check(merge):
    debtors = DEBTORS + "    10004;Zoë Bakker;;nee;;;\n"
    result = merge("""
        Debiteurnummer;Naam
        10001;Renée Jansen
    """, debtors)
    assert cells(result) == {("upd.csv", 2, "Naam", "name-transliterated")}
    assert result.valid


def test_errors_already_in_the_debtors_sheet_block_the_update(merge):
    debtors = DEBTORS + "    10004;Bakker;NL00ABNA0417164300;ja;MDT-4;01-03-2024;\n"
    result = merge("""
        Debiteurnummer;Naam
        10001;Jansen-Bakker
    """, debtors)
    assert cells(result) == {("deb.csv", 5, "IBAN", "iban-invalid")}
    assert not result.valid


# --- adding debtors ---------------------------------------------------------------------------

NEW_DEBTOR = """
    Debiteurnummer;Naam;IBAN;Automatische incasso;Machtigingskenmerk;Datum machtiging
    10001;;;;;
    10009;Nieuw;NL91ABNA0417164300;ja;MDT-9;01-11-2026
"""


def test_add_new_appends_the_unknown_debtors(merge):
    result = merge(NEW_DEBTOR, add_new=True)
    assert result.valid, result.issues
    assert result.last_row == 4
    assert result.merged.frame.filter(pl.col("_row") == 5).row(0) == (
        5, "10009", "Nieuw", "NL91ABNA0417164300", "ja", "MDT-9", "01-11-2026", None)
    assert result.changes["added"].all()
    assert result.changes["note"].unique().to_list() == ["update-debtor-added"]
    assert result.added_debtors == 1


def test_an_added_debtor_is_checked_at_its_update_row(merge):
    result = merge(NEW_DEBTOR.replace("NL91ABNA0417164300", "NL91ABNA041716430X")
                   .replace("01-11-2026", "01-12-2026"), add_new=True)
    assert cells(result) == {("upd.csv", 3, "IBAN", "iban-invalid"),
                             ("upd.csv", 3, "Datum machtiging", "mandate-date-in-future")}


def test_add_new_needs_every_required_column(merge):
    result = merge("""
        Debiteurnummer;Naam;IBAN
        10009;Nieuw;NL02ABNA0123456789
    """, add_new=True)
    assert cells(result) == {
        ("upd.csv", 1, "Automatische incasso", "update-column-missing-for-new"),
        ("upd.csv", 1, "Machtigingskenmerk", "update-column-missing-for-new"),
        ("upd.csv", 1, "Datum machtiging", "update-column-missing-for-new")}


def test_add_new_without_new_debtors_needs_no_other_columns(merge):
    result = merge("""
        Debiteurnummer;Naam
        10001;Jansen-Bakker
    """, add_new=True)
    assert result.valid


# --- csv encodings ----------------------------------------------------------------------------

def test_a_character_the_csv_encoding_cannot_hold_is_an_error(write_csv):
    debtors = read_sheet(write_csv("deb.csv", DEBTORS.replace("Jansen", "Jansén"), "cp1252"))
    updates = read_sheet(write_csv("upd.csv", """
        Debiteurnummer;Naam
        10001;Łukasz Jansen
        10002;Pietersén
    """))
    result = merge_updates(debtors, updates, TODAY)
    assert {(i.row, i.column, i.code) for i in result.issues} >= {(2, "Naam", "update-not-encodable")}
    assert (3, "Naam", "update-not-encodable") not in {(i.row, i.column, i.code) for i in result.issues}


# --- amendments (docs/sepa.md §3), as collect will detect them ----------------------------

def history(*rows) -> pl.DataFrame:
    """Mandates as the ledger remembers them: (mandate_id, debtor_id, iban, mandate_date)."""
    return pl.DataFrame([
        {"mandate_key": m.upper(), "mandate_id": m, "debtor_id": d, "iban": i,
         "mandate_date": dt.date.fromisoformat(md), "last_collection_date": dt.date(2026, 10, 1),
         "status": "active", "status_reason": None, "used": True, "used_up": False,
         "history_source": "incasso"} for m, d, i, md in rows], schema=HISTORY_MANDATES)


COLLECTED = history(("MDT-1", "10001", "NL91ABNA0417164300", "2024-03-01"),
                    ("MDT-2", "10002", "NL44RABO0123456789", "2024-03-01"))


def notes(result) -> dict[tuple[str, str], tuple[str | None, str | None]]:
    return {(d, c): (n, nd) for d, c, n, nd in
            result.changes.select("debtor_id", "column", "note", "note_detail").iter_rows()}


def test_a_new_iban_at_another_bank_is_an_smnda_amendment(merge):
    result = merge("""
        Debiteurnummer;IBAN
        10001;NL39RABO0300065264
    """, mandates=COLLECTED)
    assert notes(result) == {("10001", "iban"): ("update-amendment-smnda", None)}


def test_a_new_iban_at_the_same_bank_sends_the_original_iban(merge):
    result = merge("""
        Debiteurnummer;IBAN
        10001;NL64 ABNA 0417 1643 01
    """, mandates=COLLECTED)
    assert result.valid, result.issues
    assert notes(result) == {("10001", "iban"): ("update-amendment-iban", "NL91ABNA0417164300")}


def test_a_new_mandate_id_with_the_same_date_sends_the_original_id(merge):
    result = merge("""
        Debiteurnummer;Machtigingskenmerk
        10002;MDT-2B
    """, mandates=COLLECTED)
    assert notes(result) == {("10002", "mandate_id"): ("update-amendment-mandate-id", "MDT-2")}


def test_a_new_mandate_id_with_a_new_date_is_a_new_mandate(merge):
    result = merge("""
        Debiteurnummer;Machtigingskenmerk;Datum machtiging;IBAN
        10002;MDT-2B;01-11-2026;NL02ABNA0123456789
    """, mandates=COLLECTED)
    assert notes(result) == {("10002", "iban"): (None, None),
                             ("10002", "mandate_id"): ("update-new-mandate", None),
                             ("10002", "mandate_date"): (None, None)}


def test_a_debtor_never_collected_gets_no_amendment(merge):
    result = merge("""
        Debiteurnummer;IBAN
        10001;NL39RABO0300065264
    """, mandates=history())
    assert notes(result) == {("10001", "iban"): (None, None)}


def test_switching_direct_debit_off_and_on_is_no_amendment(merge):
    off = merge("""
        Debiteurnummer;Automatische incasso
        10001;nee
    """, mandates=COLLECTED)
    assert notes(off) == {("10001", "direct_debit"): (None, None)}
