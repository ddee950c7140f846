"""sheets.read: CSV dialects and workbooks -> text frames with Excel row numbers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from incasso_sheets.core.errors import CannotContinue
from incasso_sheets.sheets.read import ROW, CsvDialect, excel_number_text, read_sheet, sniff_csv


def rows(sheet) -> list[tuple]:
    return sheet.frame.select(ROW, *sheet.headers).rows()


def workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, content in sheets.items():
        ws = wb.create_sheet(title)
        for line in content:
            ws.append(line)
    wb.save(path)
    return path


# --- CSV ----------------------------------------------------------------------------------

@pytest.mark.parametrize("sep", [";", ",", "\t"])
def test_csv_separator_is_detected(write_csv, sep):
    path = write_csv("deb.csv", f"Naam{sep}Bedrag{sep}Plaats\nJansen{sep}12{sep}Utrecht\n")
    sheet = read_sheet(path)
    assert sheet.dialect == CsvDialect(sep, "utf-8", False)
    assert sheet.headers == ["Naam", "Bedrag", "Plaats"]
    assert rows(sheet) == [(2, "Jansen", "12", "Utrecht")]
    assert sheet.file == "deb.csv" and sheet.sheet == "deb"
    assert sheet.numeric_columns == frozenset()


def test_semicolons_win_over_decimal_commas_in_the_header_count(write_csv):
    path = write_csv("inv.csv", "Naam;Bedrag\nJansen;1.234,56\n")
    assert rows(read_sheet(path)) == [(2, "Jansen", "1.234,56")]


def test_separators_inside_quotes_do_not_count(write_csv):
    path = write_csv("deb.csv", '"Naam; voluit",Plaats\n"Jansen; J.",Utrecht\n')
    sheet = read_sheet(path)
    assert sheet.dialect.separator == ","
    assert rows(sheet) == [(2, "Jansen; J.", "Utrecht")]


def test_utf8_bom_is_not_part_of_the_first_header(write_csv):
    path = write_csv("deb.csv", "\ufeffNaam;Plaats\nCafé Überweg;Zürich\n")
    sheet = read_sheet(path)
    assert sheet.dialect == CsvDialect(";", "utf-8", True)
    assert sheet.headers == ["Naam", "Plaats"]
    assert rows(sheet) == [(2, "Café Überweg", "Zürich")]


def test_windows_1252_is_read_correctly(write_csv):
    path = write_csv("deb.csv", "Naam;Omschrijving\nAndré;Contributie € 12\n", encoding="cp1252")
    sheet = read_sheet(path)
    assert sheet.dialect.encoding == "cp1252"
    assert rows(sheet) == [(2, "André", "Contributie € 12")]


def test_sniff_csv_returns_the_decoded_text():
    dialect, text = sniff_csv(b"a\tb\n1\t2\n")
    assert dialect == CsvDialect("\t", "utf-8", False)
    assert text == "a\tb\n1\t2\n"


def test_csv_blank_rows_are_skipped_but_keep_their_row_number(write_csv):
    path = write_csv("deb.csv", "Naam;Plaats\nJansen;Utrecht\n;\n \t; \nPietersen;Gouda\n")
    assert rows(read_sheet(path)) == [(2, "Jansen", "Utrecht"), (5, "Pietersen", "Gouda")]


def test_csv_cells_stay_text_exactly_as_typed(write_csv):
    path = write_csv("deb.csv", "Nummer;Bedrag;Datum\n00123;1.234,50;01-02-2026\n")
    assert rows(read_sheet(path)) == [(2, "00123", "1.234,50", "01-02-2026")]


def test_an_empty_csv_cannot_be_read(write_csv):
    with pytest.raises(CannotContinue) as exc:
        read_sheet(write_csv("deb.csv", "  \n"))
    assert exc.value.code == "file-unreadable"


def test_a_txt_file_is_read_as_csv(write_csv):
    assert read_sheet(write_csv("deb.txt", "Naam\nJansen\n")).headers == ["Naam"]


# --- files that cannot be read ------------------------------------------------------------

def test_missing_file(tmp_path):
    with pytest.raises(CannotContinue) as exc:
        read_sheet(tmp_path / "weg.xlsx")
    assert exc.value.code == "file-not-found"
    assert exc.value.message() == f"File not found: {tmp_path / 'weg.xlsx'}"


def test_an_xlsx_that_is_really_text(write_csv):
    with pytest.raises(CannotContinue) as exc:
        read_sheet(write_csv("deb.xlsx", "Naam;Plaats\nJansen;Utrecht\n"))
    assert exc.value.code == "file-is-text"  # says what the file is (test_hostile_inputs.py)


def test_a_broken_zip_named_xlsx(tmp_path):
    path = tmp_path / "deb.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 50)
    with pytest.raises(CannotContinue) as exc:
        read_sheet(path)
    assert exc.value.code == "file-unreadable"


def test_unknown_file_type(write_csv):
    with pytest.raises(CannotContinue) as exc:
        read_sheet(write_csv("deb.pdf", "%PDF-1.4"))
    assert exc.value.code == "file-type-unknown"


# --- workbooks ----------------------------------------------------------------------------

def test_workbook_numbers_dates_and_row_numbers(tmp_path):
    path = workbook(tmp_path / "facturen.xlsx", {"Facturen": [
        ["Factuurnummer", "Debiteurnummer", "Vervaldatum", "Bedrag"],
        ["2026-0001", 10001.0, dt.date(2026, 12, 1), 0.1 + 0.2],
        [None, None, None, None],
        ["2026-0002", 10002, dt.datetime(2026, 12, 15), 1234.5],
        ["2026-0003", 10003, dt.date(2027, 1, 2), 12.345],
    ]})
    sheet = read_sheet(path)
    assert sheet.sheet == "Facturen" and sheet.dialect is None
    assert sheet.headers == ["Factuurnummer", "Debiteurnummer", "Vervaldatum", "Bedrag"]
    assert rows(sheet) == [
        (2, "2026-0001", "10001", "2026-12-01", "0.3"),
        (4, "2026-0002", "10002", "2026-12-15", "1234.5"),
        (5, "2026-0003", "10003", "2027-01-02", "12.345"),
    ]
    assert sheet.numeric_columns == frozenset({"Debiteurnummer", "Bedrag"})


def test_workbook_column_of_text_and_numbers(tmp_path):
    path = workbook(tmp_path / "deb.xlsx", {"Blad1": [
        ["Debiteurnummer", "Naam"],
        [10001, "Jansen"],
        ["K-7", "Pietersen"],
        [10003.0, 42],
    ]})
    sheet = read_sheet(path)
    assert rows(sheet) == [(2, "10001", "Jansen"), (3, "K-7", "Pietersen"), (4, "10003", "42")]
    assert sheet.numeric_columns == frozenset()


def test_workbook_booleans_become_true_false(tmp_path):
    path = workbook(tmp_path / "deb.xlsx", {"Blad1": [["Incasso"], [True], [False]]})
    assert rows(read_sheet(path)) == [(2, "true"), (3, "false")]


def test_worksheet_by_name_by_preference_and_first(tmp_path):
    path = workbook(tmp_path / "boek.xlsx", {
        "Info": [["Toelichting"], ["lees mij"]],
        "Debiteuren": [["Naam"], ["Jansen"]],
        "Facturen": [["Factuurnummer"], ["2026-0001"]],
    })
    assert read_sheet(path).sheet == "Info"
    assert read_sheet(path, prefer=("facturen",)).sheet == "Facturen"
    chosen = read_sheet(path, "Debiteuren", prefer=("facturen",))
    assert chosen.sheet == "Debiteuren"
    assert rows(chosen) == [(2, "Jansen")]


def test_sheet_not_found(tmp_path):
    path = workbook(tmp_path / "boek.xlsx", {"Info": [["a"], [1]], "Debiteuren": [["b"], [2]]})
    with pytest.raises(CannotContinue) as exc:
        read_sheet(path, "Klanten")
    assert exc.value.code == "sheet-not-found"
    assert exc.value.params == {"sheet": "Klanten", "path": "boek.xlsx",
                                "available": "Info, Debiteuren"}


def test_empty_header_cells_get_placeholder_names(tmp_path):
    path = workbook(tmp_path / "deb.xlsx", {"Blad1": [["Naam", None, "Plaats"],
                                                      ["Jansen", "x", "Gouda"]]})
    headers = read_sheet(path).headers
    assert headers[0] == "Naam" and headers[2] == "Plaats"
    assert headers[1].startswith("__UNNAMED__")


@pytest.mark.parametrize(("value", "text"), [
    (0.1 + 0.2, "0.3"), (10001.0, "10001"), (1234.5, "1234.5"), (1e-7, "0.0000001"),
    (1e16, "10000000000000000"), (-12.5, "-12.5"), (100.0, "100"), (1 / 3, "0.333333333333333"),
])
def test_excel_number_text(value, text):
    assert excel_number_text(value) == text


def test_first_rows_point_later_duplicates_at_the_first_and_leave_the_rest_empty():
    import polars as pl

    from incasso_sheets.sheets import parse

    frame = pl.DataFrame({"_row": [2, 3, 4, 5, 6], "k": ["a", "b", "a", None, None]})
    out = parse.with_first_rows(frame, first=pl.col("k"), none=pl.col("k").str.to_uppercase() + "x")
    assert out["first"].to_list() == [2, None, 2, None, None]  # empty keys are never duplicates
    assert out["none"].to_list() == [2, None, 2, None, None]
    unique = parse.with_first_rows(frame.head(2), first=pl.col("k"))
    assert unique["first"].to_list() == [None, None] and unique["first"].dtype == pl.Int64
