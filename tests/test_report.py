"""The marked copy written by `incasso check --report`."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.styles import Font

from incasso_sheets import api
from incasso_sheets.cli import main
from incasso_sheets.core.errors import CannotContinue
from incasso_sheets.core.issues import issue
from incasso_sheets.sheets.report import (
    ERROR_COLOR,
    ISSUE_COLUMNS,
    ISSUES_SHEET,
    LINK_COLUMN,
    WARNING_COLOR,
    sheet_titles,
    write_report,
)

TODAY = dt.date(2026, 11, 27)
IBAN = "NL91ABNA0417164300"
LONG_NAME = "Édouard " + "x" * 73  # too long (error) and transliterated (warning)

DEBTORS_CSV = f"""\
Debiteurnummer;Naam;IBAN;Automatische incasso;Machtigingskenmerk;Datum machtiging;E-mail;Opmerking
D1;Jansen;{IBAN};ja;M-1;01-01-2024;a@b.nl;
D2;Pietersen;NL00BAD;ja;M-2;01-01-2024;geen-email;
D3;{LONG_NAME};{IBAN};ja;M-3;01-01-2024;;
"""

INVOICES_CSV = """\
Factuurnummer;Debiteurnummer;Factuurdatum;Vervaldatum;Bedrag;Omschrijving
F1;D1;01-11-2026;01-12-2026;10,00;=HYPERLINK("http://x")

F2;D9;01-11-2026;01-12-2026;12,3,4;-5 korting
"""


def checked(tmp_path: Path, debtors: str = DEBTORS_CSV, invoices: str = INVOICES_CSV):
    d, i = tmp_path / "debiteuren.csv", tmp_path / "facturen.csv"
    d.write_text(debtors, encoding="utf-8")
    i.write_text(invoices, encoding="utf-8")
    return api.check(d, i, TODAY)


def report_of(tmp_path: Path, result, lang: str = "en") -> openpyxl.Workbook:
    out = tmp_path / "out" / "report.xlsx"
    out.parent.mkdir(exist_ok=True)
    write_report(out, result, lang)
    return openpyxl.load_workbook(out)


def fill_of(cell) -> str | None:
    return cell.fill.fgColor.rgb if cell.fill.fill_type == "solid" else None


def linked_cell(wb: openpyxl.Workbook, location: str):
    match = re.fullmatch(r"'((?:[^']|'')+)'!([A-Z]+)([0-9]+)", location)
    assert match, location
    title, column, row = match.groups()
    return wb[title.replace("''", "'")][f"{column}{row}"]


# --- marks ----------------------------------------------------------------------------------

def test_error_cell_is_red_with_its_message_as_comment(tmp_path):
    wb = report_of(tmp_path, checked(tmp_path))
    cell = wb["debiteuren"]["C3"]  # IBAN of D2
    assert cell.value == "NL00BAD"
    assert fill_of(cell) == ERROR_COLOR == "FFFF8080"
    assert cell.comment.text == "IBAN is not valid: Invalid IBAN length"
    assert fill_of(wb["facturen"]["B4"]) == ERROR_COLOR  # D9 is no debtor
    assert fill_of(wb["facturen"]["E4"]) == ERROR_COLOR  # 12,3,4 is no amount


def test_warning_cell_is_orange(tmp_path):
    wb = report_of(tmp_path, checked(tmp_path))
    cell = wb["debiteuren"]["G3"]
    assert (cell.value, fill_of(cell)) == ("geen-email", WARNING_COLOR)
    assert WARNING_COLOR == "FFFFC000"
    assert cell.comment.text == "E-mail address looks wrong"
    header = wb["debiteuren"]["H1"]  # unknown column: a warning on the header cell
    assert (header.value, fill_of(header)) == ("Opmerking", WARNING_COLOR)


def test_error_and_warning_on_one_cell_is_red_with_both_messages(tmp_path):
    wb = report_of(tmp_path, checked(tmp_path))
    cell = wb["debiteuren"]["B4"]
    assert fill_of(cell) == ERROR_COLOR
    lines = cell.comment.text.split("\n")
    assert lines[0] == "Name is 81 characters after transliteration; SEPA allows 70"
    assert lines[1].startswith("Name contains characters outside the SEPA set; sent as 'Edouard x")
    assert len(lines) == 2


def test_comments_are_in_the_chosen_language(tmp_path):
    wb = report_of(tmp_path, checked(tmp_path), lang="nl")
    assert wb["debiteuren"]["C3"].comment.text == "IBAN is ongeldig: Invalid IBAN length"
    assert wb["Meldingen"]["H2"].value == "IBAN is ongeldig: Invalid IBAN length"
    assert [c.value for c in wb["Meldingen"][1]] == [
        "ernst", "code", "bestand", "werkblad", "regel", "kolom", "waarde", "melding"]
    assert wb["Meldingen"]["A2"].value == "fout"


def test_untouched_cells_have_no_fill_and_no_comment(tmp_path):
    wb = report_of(tmp_path, checked(tmp_path))
    for ref in ("A1", "C2", "B3", "A4"):
        cell = wb["debiteuren"][ref]
        assert (fill_of(cell), cell.comment) == (None, None), ref
    marked = {(ws.title, c.coordinate) for ws in wb.worksheets[:2]
              for row in ws.iter_rows() for c in row if c.comment or fill_of(c)}
    assert marked == {("debiteuren", "C3"), ("debiteuren", "G3"), ("debiteuren", "H1"),
                      ("debiteuren", "B4"), ("facturen", "B4"), ("facturen", "E4"),
                      ("facturen", "F2")}


# --- the Issues sheet -----------------------------------------------------------------------

def test_issues_sheet_has_one_linked_row_per_issue(tmp_path):
    result = checked(tmp_path)
    wb = report_of(tmp_path, result)
    assert wb.sheetnames == ["debiteuren", "facturen", ISSUES_SHEET]
    ws = wb[ISSUES_SHEET]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ISSUE_COLUMNS
    assert len(rows) - 1 == len(result.report.issues) == 8
    assert rows[1] == ("error", "iban-invalid", "debiteuren.csv", "debiteuren", 3, "IBAN",
                       "NL00BAD", "IBAN is not valid: Invalid IBAN length")
    for n, i in enumerate(result.report.sorted(), 2):
        link = ws.cell(n, LINK_COLUMN).hyperlink
        target = linked_cell(wb, link.location)
        assert (target.parent.title, target.row) == (i.sheet, i.row)
        assert i.message("en") in target.comment.text
        assert fill_of(ws.cell(n, 1)) == (ERROR_COLOR if i.is_error else WARNING_COLOR)


def test_missing_column_and_settings_issues_are_listed_not_marked(tmp_path):
    debtors = "Debiteurnummer;Naam;IBAN;Automatische incasso;Machtigingskenmerk\n" \
              f"D1;Jansen;{IBAN};ja;M-1\n"
    invoices = "Factuurnummer;Debiteurnummer;Factuurdatum;Vervaldatum;Bedrag\n" \
               "F1;D1;01-11-2026;01-12-2026;10,00\n"
    result = checked(tmp_path, debtors, invoices)
    result.report.issues.append(issue("settings-key-missing", file="incasso.toml",
                                       column="creditor.iban"))
    wb = report_of(tmp_path, result)
    rows = {r[1]: (n, r) for n, r in enumerate(wb[ISSUES_SHEET].iter_rows(values_only=True), 1)}
    n, missing = rows["column-missing"]
    assert missing[3:6] == ("debiteuren", 1, "Datum machtiging")
    assert wb[ISSUES_SHEET].cell(n, LINK_COLUMN).hyperlink.location == "'debiteuren'!A1"
    n, setting = rows["settings-key-missing"]
    assert setting[2:6] == ("incasso.toml", None, None, "creditor.iban")
    assert wb[ISSUES_SHEET].cell(n, LINK_COLUMN).hyperlink is None
    marked = [c for ws in wb.worksheets[:2] for row in ws.iter_rows() for c in row
              if c.comment or fill_of(c)]
    assert marked == []


# --- copying the input ----------------------------------------------------------------------

def test_csv_input_is_copied_as_text(tmp_path):
    wb = report_of(tmp_path, checked(tmp_path))
    for ws, text in ((wb["debiteuren"], DEBTORS_CSV), (wb["facturen"], INVOICES_CSV)):
        expected = [trimmed(row) for row in csv.reader(io.StringIO(text), delimiter=";")]
        assert [trimmed(c.value for c in row) for row in ws.iter_rows()] == expected
        assert {c.data_type for row in ws.iter_rows() for c in row if c.value is not None} == {"s"}


def trimmed(values) -> list[str | None]:
    values = [v or None for v in values]
    while values and values[-1] is None:
        values.pop()
    return values


def test_formula_looking_text_stays_text(tmp_path):
    wb = report_of(tmp_path, checked(tmp_path))
    cell = wb["facturen"]["F2"]
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://x")', "s")
    assert (wb["facturen"]["F4"].value, wb["facturen"]["F4"].data_type) == ("-5 korting", "s")
    issues = wb[ISSUES_SHEET]
    values = [c for c in issues["G"] if c.value == '=HYPERLINK("http://x")']
    assert [c.data_type for c in values] == ["s"]


def test_xlsx_input_keeps_values_formats_widths_and_bold_header(tmp_path):
    d, i = tmp_path / "debiteuren.xlsx", tmp_path / "facturen.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"  # both workbooks call their sheet "Sheet1"
    ws.append(["Debiteurnummer", "Naam", "IBAN", "Automatische incasso", "Machtigingskenmerk",
               "Datum machtiging"])
    ws.append(["D1", "Jansen", IBAN, "ja", "M-1", dt.datetime(2024, 1, 1)])
    ws["F2"].number_format = "dd-mm-yyyy"
    wb.save(d)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["Factuurnummer", "Debiteurnummer", "Factuurdatum", "Vervaldatum", "Bedrag",
               "Omschrijving"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.column_dimensions["F"].width = 42
    ws.append(["F1", "D1", dt.datetime(2026, 11, 1), dt.datetime(2026, 12, 1), 1234.5, None])
    ws.append(["F2", "D9", dt.datetime(2026, 11, 1), dt.datetime(2026, 12, 1), 10, None])
    ws["E2"].number_format = "#,##0.00"
    ws["F2"].value = '=HYPERLINK("http://x")'
    ws["F2"].data_type = "s"  # text that looks like a formula, as a user can type it
    wb.save(i)

    report = report_of(tmp_path, api.check(d, i, TODAY))
    assert report.sheetnames == ["Sheet1", "Sheet1 (2)", ISSUES_SHEET]
    invoices = report["Sheet1 (2)"]
    assert [c.value for c in invoices[2]] == ["F1", "D1", dt.datetime(2026, 11, 1),
                                               dt.datetime(2026, 12, 1), 1234.5, '=HYPERLINK("http://x")']
    assert invoices["E2"].number_format == "#,##0.00"
    assert invoices["F2"].data_type == "s"
    assert invoices.column_dimensions["F"].width == 42
    assert invoices["A1"].font.b and not invoices["A2"].font.b
    assert not report["Sheet1"]["A1"].font.b  # copied from the input, not made up
    assert report["Sheet1"]["F2"].number_format == "dd-mm-yyyy"
    assert fill_of(invoices["B3"]) == ERROR_COLOR
    assert invoices["B3"].comment.text == "Debtor number is not in the debtors sheet"
    link = report[ISSUES_SHEET].cell(2, LINK_COLUMN).hyperlink.location
    assert link == "'Sheet1 (2)'!B3"


# --- the file -------------------------------------------------------------------------------

def test_report_is_written_atomically_and_reproducibly(tmp_path):
    result = checked(tmp_path)
    out = tmp_path / "out" / "report.xlsx"
    out.parent.mkdir()
    out.write_bytes(b"old")
    write_report(out, result)
    first = out.read_bytes()
    write_report(out, result)
    assert out.read_bytes() == first
    assert [p.name for p in out.parent.iterdir()] == ["report.xlsx"]


def test_report_never_overwrites_an_input(tmp_path):
    result = checked(tmp_path)
    with pytest.raises(CannotContinue) as raised:
        write_report(tmp_path / "facturen.csv", result)
    assert raised.value.code == "output-overwrites"
    assert (tmp_path / "facturen.csv").read_text(encoding="utf-8") == INVOICES_CSV


def test_sheet_titles_are_valid_and_distinct():
    assert sheet_titles(["Sheet1", "sheet1"]) == ["Sheet1", "sheet1 (2)"]
    assert sheet_titles(["Issues", "a/b[c]"]) == ["Issues (2)", "a_b_c_"]
    long = sheet_titles(["x" * 40, "x" * 40])
    assert long == ["x" * 31, "x" * 27 + " (2)"]
    assert sheet_titles(["''", "'quoted'"]) == ["Sheet", "quoted"]


# --- the command ----------------------------------------------------------------------------

def test_cli_check_writes_the_report_and_exits_1(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # check reads ./incasso.toml when there is one; here there is none
    Path("debiteuren.csv").write_text(DEBTORS_CSV, encoding="utf-8")
    Path("facturen.csv").write_text(INVOICES_CSV, encoding="utf-8")
    out = tmp_path / "checked.xlsx"
    result = CliRunner().invoke(main, ["--lang", "en", "check", "debiteuren.csv", "facturen.csv",
                                       "--report", str(out)], env={"INCASSO_NOW": "2026-11-27"})
    assert result.exit_code == 1, result.output
    assert f"Marked copy written to {out}" in result.output
    wb = openpyxl.load_workbook(out)
    assert fill_of(wb["debiteuren"]["C3"]) == ERROR_COLOR
