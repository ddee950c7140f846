"""`debtors update` on real workbooks: every edit in the row Excel shows, nothing written when
the sheet changed after it was read, and the workbook around the changed cells kept whole
(shared formulas, hyperlinks, hidden rows, validations, names, computed columns, the
sheet's own spelling of values). `check`'s cell references in such sheets too.

Every workbook written is unzipped and checked (`assert_whole`): each XML part parses,
[Content_Types].xml covers each part, and no shared formula lost its master.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path
from textwrap import dedent

import openpyxl
import pytest
from click.testing import CliRunner
from lxml import etree
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from incasso_sheets import api
from incasso_sheets.cli import main
from incasso_sheets.runtime import faults
from incasso_sheets.sheets.report import write_report

ENV = {"INCASSO_NOW": "2026-11-27T09:00", "LANG": "en_GB.UTF-8", "LC_ALL": "", "LC_MESSAGES": "",
       "INCASSO_FAULT": None}
CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
HEADERS = ["Debiteurnummer", "Naam", "IBAN", "Automatische incasso", "Machtigingskenmerk",
           "Datum machtiging", "E-mail"]
DEBTORS = [
    ["10001", "Jansen", "NL91ABNA0417164300", "ja", "MDT-1", dt.date(2024, 3, 1), "j@example.com"],
    ["10002", "Pietersen", "NL44RABO0123456789", "ja", "MDT-2", dt.date(2024, 3, 1), "p@example.com"],
    ["10003", "Bakker", "NL02ABNA0123456789", "nee", "MDT-3", dt.date(2023, 1, 5), "b@example.com"],
    ["10004", "De Vries", "NL20INGB0001234567", "ja", "MDT-4", dt.date(2023, 1, 5), "v@example.com"],
]


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(name: str, text: str) -> Path:
    path = Path(name)
    path.write_text(dedent(text).lstrip("\n"))
    return path


def update(*args: str):
    return CliRunner(env=ENV).invoke(main, ["debtors", "update", *args], catch_exceptions=False)


def workbook(path: Path, *, first_row: int = 1, first_col: int = 1, rows=DEBTORS,
             headers=HEADERS, gap_after: int | None = None, dates_as_text: bool = False):
    """The debtors at `first_row` (header) and `first_col`; the rows above it empty, the
    one just above formatted (a fill, no value); an empty row after row `gap_after`."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Debiteuren"
    if first_row > 1:
        ws.cell(first_row - 1, first_col).fill = PatternFill("solid", fgColor="FFFF00")
    for c, header in enumerate(headers):
        ws.cell(first_row, first_col + c, header)
    r = first_row
    for n, values in enumerate(rows):
        r += 1
        for c, value in enumerate(values):
            if isinstance(value, dt.date) and dates_as_text:
                value = value.strftime("%d-%m-%Y")
            cell = ws.cell(r, first_col + c, value)
            if isinstance(value, dt.date):
                cell.number_format = "dd-mm-yyyy"
            elif c == 0:
                cell.number_format = "@"
        if gap_after is not None and n == gap_after:
            r += 1
    save(wb, path)
    return wb


def save(wb, path) -> None:
    """Save as Excel does: openpyxl asks for recalculation on open in every workbook it
    writes, Excel only in one that needs it."""
    wb.save(path)
    patch_part(Path(path), "xl/workbook.xml", lambda xml: xml.replace(b' fullCalcOnLoad="1"', b""))


def patch_part(path: Path, name: str, change) -> None:
    """Rewrite one part of the package (what openpyxl cannot express)."""
    with zipfile.ZipFile(path) as zin:
        parts = {i.filename: zin.read(i.filename) for i in zin.infolist()}
    parts[name] = change(parts[name])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for part, data in parts.items():
            zout.writestr(part, data)


def assert_whole(path: Path) -> dict[str, bytes]:
    """Every XML part well-formed, every part's content type declared, no shared formula
    without its master. Returns the parts."""
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    for name, data in parts.items():
        if name.endswith((".xml", ".rels")):
            etree.fromstring(data, parser)  # raises when a part is broken
    types = etree.fromstring(parts["[Content_Types].xml"], parser)
    defaults = {d.get("Extension").lower() for d in types.iter(f"{CT}Default")}
    overrides = {o.get("PartName").lstrip("/") for o in types.iter(f"{CT}Override")}
    for name in parts:
        if name != "[Content_Types].xml" and not name.endswith("/"):
            assert name in overrides or name.rsplit(".", 1)[-1].lower() in defaults, name
    for name, data in parts.items():
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            masters = set(re.findall(rb'<f t="shared" ref="[^"]+" si="(\d+)"', data))
            users = set(re.findall(rb'<f t="shared" si="(\d+)"', data))
            assert users <= masters, (name, users - masters)
    return parts


def values(path: Path, row: int, first_col: int = 1, count: int = len(HEADERS)) -> list:
    ws = openpyxl.load_workbook(path)["Debiteuren"]
    return [ws.cell(row, c).value for c in range(first_col, first_col + count)]


# --- the right row ----------------------------------------------------------------------------

def test_fastexcel_counts_header_row_from_row_1_and_0_from_the_first_filled_row(folder):
    """What sheets.read relies on: `header_row=n` (n >= 1) is row n + 1 of the sheet, empty
    rows above included; 0 is the first row that holds a value; the rows after the header
    come one per sheet row, empty ones too."""
    import fastexcel

    workbook(Path("deb.xlsx"), first_row=3, gap_after=0)
    reader = fastexcel.read_excel("deb.xlsx")
    for header_row in (0, 2):
        frame = reader.load_sheet("Debiteuren", header_row=header_row, dtypes="string").to_polars()
        assert frame.columns[:2] == ["Debiteurnummer", "Naam"]
        assert frame["Debiteurnummer"].to_list() == ["10001", None, "10002", "10003", "10004"]
    first = reader.load_sheet("Debiteuren", header_row=3, dtypes="string").to_polars()
    assert first.columns[:2] == ["10001", "Jansen"]


@pytest.mark.parametrize(("first_row", "first_col"), [(1, 1), (3, 1), (6, 3)])
def test_every_edit_lands_in_its_own_row_below_empty_and_formatted_rows(folder, first_row, first_col):
    workbook(Path("deb.xlsx"), first_row=first_row, first_col=first_col, gap_after=1)
    data_rows = [first_row + n for n in (1, 2, 4, 5)]  # an empty row after the second debtor
    write("upd.csv", """
        Debiteurnummer;E-mail;Naam
        10003;nieuw3@example.com;Bakker 3
        10001;nieuw1@example.com;Jansen 1
        10004;nieuw4@example.com;De Vries 4
        10002;nieuw2@example.com;Pietersen 2
    """)
    result = update("deb.xlsx", "upd.csv", "-o", "new.xlsx")
    assert result.exit_code == 0, result.output
    assert_whole(Path("new.xlsx"))
    ws = openpyxl.load_workbook("new.xlsx")["Debiteuren"]
    c = first_col
    landed = {ws.cell(r, c).value: (ws.cell(r, c + 1).value, ws.cell(r, c + 6).value) for r in data_rows}
    assert landed == {
        "10001": ("Jansen 1", "nieuw1@example.com"), "10002": ("Pietersen 2", "nieuw2@example.com"),
        "10003": ("Bakker 3", "nieuw3@example.com"), "10004": ("De Vries 4", "nieuw4@example.com")}
    empty = [*range(1, first_row), first_row + 3]
    assert [ws.cell(r, k).value for r in empty for k in range(1, c + 7)] == [None] * (len(empty) * (c + 6))
    if first_row > 1:  # the formatted row above stays as it was
        assert ws.cell(first_row - 1, c).fill.fgColor.rgb == "00FFFF00"


def test_an_added_debtor_goes_below_the_last_row_when_the_table_starts_lower(folder):
    workbook(Path("deb.xlsx"), first_row=3, first_col=2)
    write("upd.csv", """
        Debiteurnummer;Naam;IBAN;Automatische incasso;Machtigingskenmerk;Datum machtiging
        10009;Nieuw Lid;NL39RABO0300065264;ja;MDT-9;20-11-2026
        10002;;NL20INGB0001234567;;;
    """)
    result = update("deb.xlsx", "upd.csv", "-o", "new.xlsx", "--add-new")
    assert result.exit_code == 0, result.output
    assert_whole(Path("new.xlsx"))
    assert values(Path("new.xlsx"), 5, first_col=2)[:3] == ["10002", "Pietersen", "NL20INGB0001234567"]
    assert values(Path("new.xlsx"), 8, first_col=2)[:6] == [
        "10009", "Nieuw Lid", "NL39RABO0300065264", "ja", "MDT-9", dt.datetime(2026, 11, 20)]
    assert values(Path("new.xlsx"), 8, first_col=1, count=1) == [None]


def test_check_reports_and_marks_the_cells_excel_shows(folder):
    rows = [list(r) for r in DEBTORS]
    rows[1][2] = "NL00RABO0123456789"  # a bad IBAN for 10002: row 5 (header in 3), column D
    workbook(Path("deb.xlsx"), first_row=3, first_col=2, rows=rows)
    write("inv.csv", "Factuurnummer;Debiteurnummer;Factuurdatum;Vervaldatum;Bedrag\n")
    result = api.check(Path("deb.xlsx"), Path("inv.csv"), dt.date(2026, 11, 27))
    bad = [i for i in result.report.errors if i.file == "deb.xlsx"]
    assert [(i.row, i.column) for i in bad] == [(5, "IBAN")]
    write_report(Path("marked.xlsx"), result)
    marked = openpyxl.load_workbook("marked.xlsx")
    ws = marked["Debiteuren"]
    assert ws["D5"].value == "NL00RABO0123456789" and ws["D5"].comment is not None
    assert ws["D5"].fill.fgColor.rgb == "FFFF8080"
    assert ws["B3"].value == "Debiteurnummer" and ws["A3"].value is None
    issues = marked["Issues"]
    link = next(r[5] for r in issues.iter_rows(min_row=2) if r[1].value == bad[0].code)
    assert link.hyperlink.location == "'Debiteuren'!D5"


def test_a_missing_column_is_reported_at_the_header_row(folder):
    workbook(Path("deb.xlsx"), first_row=4, headers=HEADERS[:4] + ["Kenmerk"] + HEADERS[5:])
    write("inv.csv", "Factuurnummer;Debiteurnummer;Factuurdatum;Vervaldatum;Bedrag\n")
    result = api.check(Path("deb.xlsx"), Path("inv.csv"), dt.date(2026, 11, 27))
    missing = [i for i in result.report.issues if i.code == "column-missing"]
    assert [(i.row, i.column) for i in missing] == [(4, "Machtigingskenmerk")]


# --- refusing when the sheet changed after it was read --------------------------------------------

def sorted_by_name(path: Path, first_row: int) -> None:
    """The sheet re-saved with its rows sorted by name (Bakker, De Vries, Jansen, Pietersen)."""
    workbook(path, first_row=first_row, rows=sorted(DEBTORS, key=lambda r: r[1]))


def at_point(monkeypatch, wanted: str, action) -> None:
    def point(name: str) -> None:
        if name == wanted:
            action()
    monkeypatch.setattr(faults, "point", point)


def test_a_repeated_header_is_reported_at_the_header_row_and_its_column(folder):
    workbook(Path("deb.xlsx"), first_row=3, first_col=2, headers=[*HEADERS, "Naam"])
    write("inv.csv", "Factuurnummer;Debiteurnummer;Factuurdatum;Vervaldatum;Bedrag\n")
    result = api.check(Path("deb.xlsx"), Path("inv.csv"), dt.date(2026, 11, 27))
    (repeated,) = [i for i in result.report.issues if i.code == "column-repeated"]
    assert repeated.row == 3 and dict(repeated.params) == {
        "first": "C", "header": "Naam", "letter": "I"}


@pytest.mark.parametrize("as_number", [False, True])
def test_a_row_that_no_longer_holds_its_debtor_stops_the_update(folder, monkeypatch, as_number):
    rows = [[int(r[0]) if as_number else r[0], *r[1:]] for r in DEBTORS]
    workbook(Path("deb.xlsx"), first_row=3, rows=rows)

    def sort_rows() -> None:
        workbook(Path("deb.xlsx"), first_row=3, rows=sorted(rows, key=lambda r: r[1]))
    write("upd.csv", "Debiteurnummer;IBAN\n10001;NL39RABO0300065264\n")
    at_point(monkeypatch, "after-reading", sort_rows)
    result = update("deb.xlsx", "upd.csv", "-o", "deb.xlsx")
    assert result.exit_code == 3
    assert result.output.endswith(
        "incasso: deb.xlsx changed after it was read: row 4 no longer holds debtor 10001 "
        "(it holds '10003'); nothing was written. Run the update again\n")
    assert values(Path("deb.xlsx"), 6)[1:3] == ["Jansen", "NL91ABNA0417164300"]
    assert sorted(p.name for p in folder.iterdir()) == ["deb.xlsx", "upd.csv"]


def test_a_csv_row_that_no_longer_holds_its_debtor_stops_the_update(folder, monkeypatch):
    header = "Debiteurnummer;Naam;IBAN;Automatische incasso;Machtigingskenmerk;Datum machtiging\n"
    first, second = ("10001;Jansen;NL91ABNA0417164300;ja;MDT-1;01-03-2024\n",
                     "10002;Pietersen;NL44RABO0123456789;ja;MDT-2;01-03-2024\n")
    write("deb.csv", header + first + second)
    write("upd.csv", "Debiteurnummer;IBAN\n10002;NL39RABO0300065264\n")
    swapped = header + second + first
    at_point(monkeypatch, "after-reading", lambda: Path("deb.csv").write_text(swapped))
    result = update("deb.csv", "upd.csv", "-o", "deb.csv")
    assert result.exit_code == 3
    assert "row 3 no longer holds debtor 10002 (it holds '10001')" in result.output
    assert Path("deb.csv").read_text() == swapped


def test_a_sheet_sorted_before_the_rename_is_not_overwritten(folder, monkeypatch):
    """Issue 19: re-saved with its rows sorted while the update ran, the sheet would give
    debtor 10002 the IBAN meant for 10001."""
    workbook(Path("deb.xlsx"))
    write("upd.csv", "Debiteurnummer;IBAN\n10001;NL39RABO0300065264\n")
    at_point(monkeypatch, "after-sheet", lambda: sorted_by_name(Path("deb.xlsx"), 1))
    sorted_bytes = []
    original = faults.point

    def point(name: str) -> None:
        original(name)
        if name == "after-sheet":
            sorted_bytes.append(Path("deb.xlsx").read_bytes())
    monkeypatch.setattr(faults, "point", point)
    result = update("deb.xlsx", "upd.csv", "-o", "deb.xlsx", "--log", "log.csv")
    assert result.exit_code == 3
    assert result.output.endswith("incasso: deb.xlsx changed while the update ran; nothing was "
                                  "written. Run the update again\n")
    assert Path("deb.xlsx").read_bytes() == sorted_bytes[0]
    assert sorted(p.name for p in folder.iterdir()) == ["deb.xlsx", "upd.csv"]


def test_a_sheet_touched_with_the_same_content_is_refused_too(folder, monkeypatch):
    workbook(Path("deb.xlsx"))
    write("upd.csv", "Debiteurnummer;Naam\n10002;P. Pietersen\n")
    data = Path("deb.xlsx").read_bytes()
    at_point(monkeypatch, "after-sheet", lambda: Path("deb.xlsx").write_bytes(data + b"\0"))
    assert update("deb.xlsx", "upd.csv", "-o", "new.xlsx").exit_code == 3
    assert not Path("new.xlsx").exists()


# --- the workbook around the changed cells ----------------------------------------------------------

COUNTRY = [*HEADERS, "Land"]


def test_an_overwritten_shared_formula_master_hands_its_formula_on(folder):
    rows = [[*r, f"=LEFT(C{n},2)"] for n, r in enumerate(DEBTORS, start=2)]
    workbook(Path("deb.xlsx"), rows=rows, headers=COUNTRY)

    def shared(xml: bytes) -> bytes:  # Excel stores a formula filled down as one shared formula
        xml = xml.replace(b"<f>LEFT(C2,2)</f>", b'<f t="shared" ref="H2:H5" si="0">LEFT(C2,2)</f>')
        return re.sub(rb"<f>LEFT\(C[345],2\)</f>", b'<f t="shared" si="0"/>', xml)
    patch_part(Path("deb.xlsx"), "xl/worksheets/sheet1.xml", shared)
    write("upd.csv", "Debiteurnummer;Land\n10001;BE\n10002;DE\n")
    result = update("deb.xlsx", "upd.csv", "-o", "new.xlsx")
    assert result.exit_code == 0, result.output
    parts = assert_whole(Path("new.xlsx"))
    sheet = parts["xl/worksheets/sheet1.xml"]
    assert b'<f t="shared" ref="H4:H5" si="0">LEFT(C4,2)</f>' in sheet
    ws = openpyxl.load_workbook("new.xlsx")["Debiteuren"]
    assert [ws.cell(r, 8).value for r in range(2, 6)] == ["BE", "DE", "=LEFT(C4,2)", "=LEFT(C5,2)"]
    assert b'fullCalcOnLoad="1"' in parts["xl/workbook.xml"]


def test_a_shared_formula_over_rows_and_columns_is_written_out(folder):
    rows = [[*r, f"=LEFT(C{n},2)", f"=LEN(C{n})"] for n, r in enumerate(DEBTORS, start=2)]
    workbook(Path("deb.xlsx"), rows=rows, headers=[*COUNTRY, "Lengte"])

    def shared(xml: bytes) -> bytes:
        xml = xml.replace(b"<f>LEFT(C2,2)</f>", b'<f t="shared" ref="H2:I3" si="0">LEFT(C2,2)</f>')
        return xml.replace(b"<f>LEN(C2)</f>", b'<f t="shared" si="0"/>').replace(
            b"<f>LEFT(C3,2)</f>", b'<f t="shared" si="0"/>').replace(b"<f>LEN(C3)</f>", b'<f t="shared" si="0"/>')
    patch_part(Path("deb.xlsx"), "xl/worksheets/sheet1.xml", shared)
    write("upd.csv", "Debiteurnummer;Land\n10001;BE\n")
    assert update("deb.xlsx", "upd.csv", "-o", "new.xlsx").exit_code == 0
    assert b't="shared"' not in assert_whole(Path("new.xlsx"))["xl/worksheets/sheet1.xml"]
    ws = openpyxl.load_workbook("new.xlsx")["Debiteuren"]
    assert [ws["H2"].value, ws["I2"].value, ws["H3"].value, ws["I3"].value] == [
        "BE", "=LEFT(D2,2)", "=LEFT(C3,2)", "=LEFT(D3,2)"]


def test_a_mailto_link_follows_the_new_address_and_a_cleared_one_goes(folder):
    wb = workbook(Path("deb.xlsx"))
    ws = wb.active
    for r in range(2, 6):
        ws.cell(r, 7).hyperlink = f"mailto:{ws.cell(r, 7).value}"
    ws["B2"].hyperlink = "https://example.com/jansen"
    save(wb, "deb.xlsx")
    write("upd.csv", "Debiteurnummer;E-mail;Naam\n10001;nieuw@example.com;Jansen-Smit\n10003;-;\n")
    assert update("deb.xlsx", "upd.csv", "-o", "new.xlsx").exit_code == 0
    assert_whole(Path("new.xlsx"))
    ws = openpyxl.load_workbook("new.xlsx")["Debiteuren"]
    assert ws["G2"].hyperlink.target == "mailto:nieuw@example.com"
    assert ws["G3"].hyperlink.target == "mailto:p@example.com"
    assert ws["G4"].value is None and ws["G4"].hyperlink is None
    assert ws["B2"].value == "Jansen-Smit" and ws["B2"].hyperlink.target == "https://example.com/jansen"


def test_new_rows_are_visible_and_inside_validations_formatting_names_and_computed_columns(folder):
    rows = [[*r, f"=LEN(B{n})"] for n, r in enumerate(DEBTORS, start=2)]
    wb = workbook(Path("deb.xlsx"), rows=rows, headers=[*HEADERS, "Lengte"])
    ws = wb.active
    ws.row_dimensions[5].hidden = True  # the last row filtered out
    ws.auto_filter.ref = "A1:H5"
    yes_no = DataValidation(type="list", formula1='"ja,nee"', allow_blank=True)
    ws.add_data_validation(yes_no)
    yes_no.add("D2:D5")
    ws.conditional_formatting.add("C2:C5", CellIsRule(operator="equal", formula=['""'],
                                                      fill=PatternFill("solid", fgColor="FF0000")))
    wb.defined_names["Rekeningen"] = DefinedName("Rekeningen", attr_text="Debiteuren!$C$2:$C$5")
    save(wb, "deb.xlsx")
    write("upd.csv", """
        Debiteurnummer;Naam;IBAN;Automatische incasso;Machtigingskenmerk;Datum machtiging
        10009;Nieuw Lid;NL39RABO0300065264;yes;MDT-9;20-11-2026
    """)
    result = update("deb.xlsx", "upd.csv", "-o", "new.xlsx", "--add-new")
    assert result.exit_code == 0, result.output
    assert_whole(Path("new.xlsx"))
    new = openpyxl.load_workbook("new.xlsx")
    ws = new["Debiteuren"]
    assert not ws.row_dimensions[6].hidden and ws.row_dimensions[5].hidden
    assert values(Path("new.xlsx"), 6)[:4] == ["10009", "Nieuw Lid", "NL39RABO0300065264", "ja"]
    assert ws["H6"].value == "=LEN(B6)"
    assert str(ws.data_validations.dataValidation[0].sqref) == "D2:D6"
    assert [str(r.sqref) for r in ws.conditional_formatting] == ["C2:C6"]
    assert new.defined_names["Rekeningen"].attr_text == "Debiteuren!$C$2:$C$6"
    assert ws.auto_filter.ref == "A1:H6"


def test_values_take_the_sheets_spelling_date_form_and_iban_style(folder):
    headers = [*HEADERS, "Type incasso"]
    rows = [[*r[:2], r[2][:4] + " " + " ".join(r[2][i:i + 4] for i in range(4, 18, 4)), *r[3:], "CORE"]
            for r in DEBTORS]
    wb = workbook(Path("deb.xlsx"), rows=rows, headers=headers, dates_as_text=True)
    ws = wb.active
    for formula, cells in (('"ja,nee"', "D2:D5"), ('"CORE,B2B"', "H2:H5")):
        rule = DataValidation(type="list", formula1=formula)
        ws.add_data_validation(rule)
        rule.add(cells)
    save(wb, "deb.xlsx")
    write("upd.csv", """
        Debiteurnummer;Automatische incasso;Type incasso;Datum machtiging;IBAN
        10001;no;Zakelijk;20-11-2026;nl58 bunq 0593 4954 61
        10002;JA;;2026-11-21;NL39RABO0300065264
    """)
    result = update("deb.xlsx", "upd.csv", "-o", "new.xlsx")
    assert result.exit_code == 0, result.output
    assert_whole(Path("new.xlsx"))
    assert values(Path("new.xlsx"), 2, count=8) == [
        "10001", "Jansen", "NL58 BUNQ 0593 4954 61", "nee", "MDT-1", "20-11-2026", "j@example.com", "B2B"]
    assert values(Path("new.xlsx"), 3, count=6)[2:] == ["NL39 RABO 0300 0652 64", "ja", "MDT-2", "21-11-2026"]


def test_an_iban_goes_into_a_compact_column_compact_and_in_capitals(folder):
    workbook(Path("deb.xlsx"))
    write("upd.csv", "Debiteurnummer;IBAN\n10001;nl58 bunq 0593 4954 61\n")
    assert update("deb.xlsx", "upd.csv", "-o", "new.xlsx").exit_code == 0
    assert values(Path("new.xlsx"), 2)[2] == "NL58BUNQ0593495461"
    parts = assert_whole(Path("new.xlsx"))
    with zipfile.ZipFile("deb.xlsx") as before:
        assert parts["xl/workbook.xml"] == before.read("xl/workbook.xml")  # no formula: no recalculation


def test_a_formula_on_another_sheet_asks_for_recalculation(folder):
    wb = workbook(Path("deb.xlsx"))
    wb.create_sheet("Totaal")["A1"] = "=COUNTA(Debiteuren!A2:A100)"
    save(wb, "deb.xlsx")
    write("upd.csv", "Debiteurnummer;Naam\n10001;Jansen-Smit\n")
    assert update("deb.xlsx", "upd.csv", "-o", "new.xlsx", "--sheet", "Debiteuren").exit_code == 0
    with zipfile.ZipFile("deb.xlsx") as before:
        assert b"fullCalcOnLoad" not in before.read("xl/workbook.xml")
    assert b'<calcPr calcId="124519" fullCalcOnLoad="1"/>' in assert_whole(Path("new.xlsx"))["xl/workbook.xml"]
