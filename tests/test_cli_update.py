"""`incasso debtors update` through click's CliRunner: files in, files out, exit codes, text.

Round trips: an .xlsx keeps everything but the changed cells (read back with openpyxl);
a CSV keeps its dialect and every untouched line; the amendment reaches the next collect.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from copy import copy
from pathlib import Path
from textwrap import dedent

import openpyxl
import pytest
from click.testing import CliRunner
from lxml import etree
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.table import Table

from incasso_sheets.cli import main

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
ENV = {"INCASSO_NOW": "2026-11-27T09:00", "LANG": "en_GB.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""}

DEBTORS = """
    Debiteurnummer;Naam;IBAN;Automatische incasso;Machtigingskenmerk;Datum machtiging
    10001;Jansen;NL91ABNA0417164300;ja;MDT-1;01-03-2024
    10002;Pietersen;NL44RABO0123456789;ja;MDT-2;01-03-2024
"""


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(name: str, text: str, encoding: str = "utf-8", newline: str = "\n") -> Path:
    path = Path(name)
    path.write_bytes(dedent(text).lstrip("\n").replace("\n", newline).encode(encoding))
    return path


def incasso(*args: str, env: dict[str, str] | None = None):
    return CliRunner(env={**ENV, **(env or {})}).invoke(main, list(args), catch_exceptions=False)


def update(*args: str, env: dict[str, str] | None = None):
    return incasso("debtors", "update", *args, env=env)


# --- the command ------------------------------------------------------------------------------

def test_changes_are_listed_written_and_logged(folder):
    write("deb.csv", DEBTORS)
    write("upd.csv", """
        Debtor number;IBAN;Name
        10001;nl91 abna 0417 1643 00;Jansen-Bakker
        10002;NL91ABNA0417164300;
    """)
    result = update("deb.csv", "upd.csv", "-o", "new.csv", "--log", "log.csv")
    assert result.exit_code == 0, result.output
    assert result.output == (
        "10001  Naam  'Jansen' -> 'Jansen-Bakker'\n"
        "10002  IBAN  'NL44RABO0123456789' -> 'NL91ABNA0417164300'\n"
        "\n"
        "2 changes for 2 debtors, 0 of them new.\n"
        "Written: new.csv\n"
        "Written: log.csv\n")
    assert Path("new.csv").read_text() == dedent("""\
        Debiteurnummer;Naam;IBAN;Automatische incasso;Machtigingskenmerk;Datum machtiging
        10001;Jansen-Bakker;NL91ABNA0417164300;ja;MDT-1;01-03-2024
        10002;Pietersen;NL91ABNA0417164300;ja;MDT-2;01-03-2024
    """)
    assert Path("log.csv").read_bytes() == (
        "\ufeffDebiteurnummer;Kolom;Oud;Nieuw;Opmerking;Waarschuwingen;Regel in wijzigingen\r\n"
        "10001;Naam;Jansen;Jansen-Bakker;;;2\r\n"
        "10002;IBAN;NL44RABO0123456789;NL91ABNA0417164300;;;3\r\n").encode()


def test_the_change_log_as_a_workbook(folder):
    write("deb.csv", DEBTORS)
    write("upd.csv", """
        Debiteurnummer;Naam
        10002;=Pietersen
    """)
    assert update("deb.csv", "upd.csv", "-o", "new.csv", "--log", "log.xlsx").exit_code == 0
    ws = openpyxl.load_workbook("log.xlsx").active
    assert [[c.value for c in row] for row in ws.iter_rows()] == [
        ["Debtor number", "Column", "Old", "New", "Note", "Warnings", "Row in changes"],  # in the user's language
        ["10002", "Naam", "Pietersen", "=Pietersen", None,
         "name-transliterated: Name contains characters outside the SEPA set; sent as 'Pietersen'", 2]]
    assert ws["D2"].data_type == "s"  # text, never a formula


def test_dry_run_shows_the_changes_and_writes_nothing(folder):
    write("deb.csv", DEBTORS)
    write("upd.csv", """
        Debiteurnummer;Naam
        10001;Jansen-Bakker
    """)
    result = update("deb.csv", "upd.csv", "-o", "new.csv", "--dry-run")
    assert result.exit_code == 0
    assert result.output.endswith("1 changes for 1 debtors, 0 of them new.\nDry run: nothing written.\n")
    assert "'Jansen' -> 'Jansen-Bakker'" in result.output
    assert sorted(p.name for p in folder.iterdir()) == ["deb.csv", "upd.csv"]


def test_errors_point_at_the_update_cells_and_nothing_is_written(folder):
    write("deb.csv", DEBTORS)
    write("upd.csv", """
        Debiteurnummer;IBAN;Naam
        10001;NL91ABNA0417164399;
        10009;NL91ABNA0417164300;Nieuw
        10001;;Jansen
    """)
    result = update("deb.csv", "upd.csv", "-o", "new.csv", "--log", "log.csv")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "upd.csv:upd:2:IBAN  iban-invalid  'NL91ABNA0417164399'  IBAN is not valid: "
        "Invalid checksum digits",
        "upd.csv:upd:3:Debiteurnummer  update-debtor-unknown  '10009'  Debtor number is not in "
        "deb.csv, so the update stops and nothing is written; correct the number, or give "
        "--add-new to add it as a new debtor",
        "upd.csv:upd:4:Debiteurnummer  update-debtor-duplicate  '10001'  Debtor number is also "
        "listed on row 2 of upd.csv (leading zeros do not count); list each debtor once",
        "",
        "Nothing written: fix the 3 errors above.",
    ]
    assert sorted(p.name for p in folder.iterdir()) == ["deb.csv", "upd.csv"]


def test_add_new_appends_debtors(folder):
    write("deb.csv", DEBTORS)
    write("upd.csv", """
        Debiteurnummer;Naam;IBAN;Automatische incasso;Machtigingskenmerk;Datum machtiging
        10009;Nieuw Lid;NL02ABNA0123456789;ja;MDT-9;01-11-2026
    """)
    result = update("deb.csv", "upd.csv", "-o", "new.csv", "--add-new")
    assert result.exit_code == 0, result.output
    assert "10009  Naam                  '' -> 'Nieuw Lid'  (new debtor)" in result.output
    assert "6 changes for 1 debtors, 1 of them new." in result.output
    assert Path("new.csv").read_text().splitlines()[-1] == (
        "10009;Nieuw Lid;NL02ABNA0123456789;ja;MDT-9;01-11-2026")
    write("inv.csv", "Factuurnummer;Debiteurnummer;Factuurdatum;Vervaldatum;Bedrag\n"
                     "2026-1;10009;01-11-2026;01-12-2026;10,00\n")
    assert incasso("check", "new.csv", "inv.csv").exit_code == 0


def test_a_dash_clears_and_the_cleared_value_is_logged(folder):
    write("deb.csv", DEBTORS.replace("Datum machtiging", "Datum machtiging;E-mail")
          .replace("01-03-2024\n    10002", "01-03-2024;jansen@example.com\n    10002"))
    write("upd.csv", """
        Debiteurnummer;E-mail;Naam
        10001;-;
        10002;-;
    """)
    result = update("deb.csv", "upd.csv", "-o", "new.csv", "--log", "log.csv")
    assert result.exit_code == 0, result.output
    assert "10001  E-mail  'jansen@example.com' -> ''" in result.output
    assert Path("new.csv").read_text().splitlines()[1] == "10001;Jansen;NL91ABNA0417164300;ja;MDT-1;01-03-2024;"
    assert Path("log.csv").read_text(encoding="utf-8-sig").splitlines()[1:] == [
        "10001;E-mail;jansen@example.com;;;;2"]


def test_clearing_a_required_value_is_an_error(folder):
    write("deb.csv", DEBTORS)
    write("upd.csv", """
        Debiteurnummer;Naam
        10002;-
    """)
    result = update("deb.csv", "upd.csv", "-o", "new.csv")
    assert result.exit_code == 1
    assert result.output.startswith("upd.csv:upd:2:Naam  name-missing  Name is empty\n")


def test_the_same_update_twice_changes_nothing_the_second_time(folder):
    shutil.copy(SAMPLES / "debiteuren.xlsx", "debiteuren.xlsx")
    write("upd.csv", """
        Debiteurnummer;IBAN;Datum machtiging;Naam;E-mail
        10001;NL39 RABO 0300 0652 64;01-11-2026;;-
        10002;;;Anna Jansen-Visser;anna@example.com
    """)
    first = update("debiteuren.xlsx", "upd.csv", "-o", "een.xlsx")
    assert first.exit_code == 0, first.output
    assert "5 changes for 2 debtors" in first.output
    second = update("een.xlsx", "upd.csv", "-o", "twee.xlsx", "--log", "log.csv")
    assert second.exit_code == 0
    assert second.output == "No changes.\nWritten: twee.xlsx\nWritten: log.csv\n"
    assert Path("twee.xlsx").read_bytes() == Path("een.xlsx").read_bytes()
    assert Path("log.csv").read_bytes() == (
        "\ufeffDebiteurnummer;Kolom;Oud;Nieuw;Opmerking;Waarschuwingen;Regel in wijzigingen\r\n").encode()
    # ... also in place, and for a CSV
    assert update("een.xlsx", "upd.csv", "-o", "een.xlsx").exit_code == 0
    assert Path("een.xlsx").read_bytes() == Path("twee.xlsx").read_bytes()
    write("deb.csv", DEBTORS)
    write("upd2.csv", "Debiteurnummer;Naam\n10001;Jansen-Bakker\n")
    update("deb.csv", "upd2.csv", "-o", "een.csv")
    assert update("een.csv", "upd2.csv", "-o", "twee.csv").output.startswith("No changes.")
    assert Path("twee.csv").read_bytes() == Path("een.csv").read_bytes()


def test_cannot_read_is_exit_3(folder):
    write("deb.csv", DEBTORS)
    result = update("deb.csv", "missing.csv", "-o", "new.csv")
    assert result.exit_code == 3
    assert result.output == "incasso: File not found: missing.csv\n"


def test_the_output_keeps_the_format_of_the_debtors_sheet(folder):
    write("deb.csv", DEBTORS)
    write("upd.csv", "Debiteurnummer;Naam\n10001;Jansen-Bakker\n")
    result = update("deb.csv", "upd.csv", "-o", "new.xlsx")
    assert result.exit_code == 3
    assert result.output == ("incasso: new.xlsx: the updated debtors sheet keeps the format of "
                             "deb.csv; give it a .csv or .txt name\n")
    assert update("deb.csv", "upd.csv", "-o", "new.csv", "--log", "log.txt").exit_code == 3


def test_help_ends_with_an_example():
    result = incasso("debtors", "update", "--help")
    assert result.exit_code == 0
    assert ("incasso debtors update samples/debiteuren.xlsx wijzigingen.csv -o "
            "debiteuren-nieuw.xlsx") in result.output


def test_dutch_output(folder):
    write("deb.csv", DEBTORS)
    write("upd.csv", "Debiteurnummer;Naam\n10001;Jansen-Bakker\n")
    result = update("deb.csv", "upd.csv", "-o", "new.csv", "--dry-run", env={"LANG": "nl_NL.UTF-8"})
    assert result.output.splitlines()[-2:] == [
        "1 wijzigingen bij 1 debiteuren, waarvan 0 nieuw.", "Proefdraai: niets geschreven."]


# --- CSV round trip ---------------------------------------------------------------------------

def test_a_windows_1252_semicolon_csv_keeps_its_dialect_and_untouched_lines(folder):
    original = (
        'Debiteurnummer;Naam;IBAN;Automatische incasso;Machtigingskenmerk;Datum machtiging;Notitie\r\n'
        '10001;Hélène Willems;NL91ABNA0417164300;ja;MDT-1;01-03-2024;"zegt ""hallo""; altijd"\r\n'
        '10002;Pietersen;NL44RABO0123456789;ja;MDT-2;01-03-2024;\r\n'
        '\r\n'
        '10003;Bakker;NL02ABNA0123456789;nee;MDT-3;01-03-2024;"twee\r\nregels"\r\n'
    ).encode("cp1252")
    Path("deb.csv").write_bytes(original)
    write("upd.csv", """
        Debiteurnummer;Naam;Plaats
        10002;Zoë Pietersen;Utrecht
        10004;Renée;Gent
        10003;;Amsterdam
    """)
    result = update("deb.csv", "upd.csv", "-o", "new.csv", "--add-new")
    assert result.exit_code == 1  # a new debtor needs the required columns
    write("upd.csv", """
        Debiteurnummer;Naam;Plaats
        10002;Zoë Pietersen;Utrecht
        10003;;Amsterdam
    """)
    result = update("deb.csv", "upd.csv", "-o", "new.csv")
    assert result.exit_code == 0, result.output
    assert Path("new.csv").read_bytes() == (
        'Debiteurnummer;Naam;IBAN;Automatische incasso;Machtigingskenmerk;Datum machtiging;Notitie;Plaats\r\n'
        '10001;Hélène Willems;NL91ABNA0417164300;ja;MDT-1;01-03-2024;"zegt ""hallo""; altijd";\r\n'
        '10002;Zoë Pietersen;NL44RABO0123456789;ja;MDT-2;01-03-2024;;Utrecht\r\n'
        '\r\n'
        '10003;Bakker;NL02ABNA0123456789;nee;MDT-3;01-03-2024;"twee\r\nregels";Amsterdam\r\n'
    ).encode("cp1252")


def test_a_utf8_bom_comma_csv_keeps_its_dialect(folder):
    original = ("\ufeffDebiteurnummer,Naam,IBAN,Automatische incasso,Machtigingskenmerk,Datum machtiging\n"
                '10001,"Jansen, J.",NL91ABNA0417164300,ja,MDT-1,01-03-2024\n'
                "10002,Pietersen,NL44RABO0123456789,ja,MDT-2,01-03-2024\n")
    Path("deb.csv").write_text(original, encoding="utf-8")
    write("upd.csv", """
        Debiteurnummer;Naam;IBAN;Automatische incasso;Machtigingskenmerk;Datum machtiging
        10002;Pietersen, P.;;;;
        10009;Łukasz;NL02ABNA0123456789;ja;MDT-9;01-11-2026
    """)
    assert update("deb.csv", "upd.csv", "-o", "new.csv", "--add-new").exit_code == 0
    assert Path("new.csv").read_text(encoding="utf-8") == (
        "\ufeffDebiteurnummer,Naam,IBAN,Automatische incasso,Machtigingskenmerk,Datum machtiging\n"
        '10001,"Jansen, J.",NL91ABNA0417164300,ja,MDT-1,01-03-2024\n'
        '10002,"Pietersen, P.",NL44RABO0123456789,ja,MDT-2,01-03-2024\n'
        "10009,Łukasz,NL02ABNA0123456789,ja,MDT-9,01-11-2026\n")


def test_a_character_windows_1252_lacks_is_an_error(folder):
    Path("deb.csv").write_bytes(dedent(DEBTORS).lstrip().replace("Jansen", "Jansén").encode("cp1252"))
    write("upd.csv", "Debiteurnummer;Naam\n10002;Łukasz\n")
    result = update("deb.csv", "upd.csv", "-o", "new.csv")
    assert result.exit_code == 1
    assert "upd.csv:upd:2:Naam  update-not-encodable  'Łukasz'" in result.output


# --- .xlsx round trip -------------------------------------------------------------------------

HEADERS = ["Debiteurnummer", "Naam", "IBAN", "Automatische incasso", "Machtigingskenmerk",
           "Datum machtiging", "E-mail", "Opmerking"]
ROWS = [
    ["10001", "Jansen", "NL91ABNA0417164300", "ja", "MDT-1", dt.date(2024, 3, 1), "j@example.com", "vip"],
    ["10002", "Pietersen", "NL44RABO0123456789", "ja", "MDT-2", dt.date(2024, 3, 1), None, None],
    ["10003", "Bakker", "NL02ABNA0123456789", "nee", "MDT-3", dt.date(2023, 1, 5), "b@example.com", None],
]


def make_workbook(path: Path) -> None:
    """Debtors with fonts, fills, borders, number formats, widths, a formula, a second sheet."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Debiteuren"
    ws.append(HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="305496")
    thin = Side(style="thin", color="999999")
    for r, values in enumerate(ROWS, start=2):
        for c, value in enumerate(values, start=1):
            cell = ws.cell(r, c, value)
            cell.border = Border(bottom=thin)
            if c in (1, 3, 5):
                cell.number_format = "@"
            if c == 6:
                cell.number_format = "dd-mm-yyyy"
            if c == 2:
                cell.font = Font(italic=True, name="Arial")
                cell.alignment = Alignment(horizontal="left")
        ws.cell(r, 4).fill = PatternFill("solid", fgColor="E2EFDA")
    ws["H4"] = '=LEN(B4)&" tekens"'
    for letter, width in zip("ABCDEFGH", (16, 30, 24, 12, 20, 14, 26, 18), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    other = wb.create_sheet("Notities")
    other["A1"] = "Bijgewerkt door"
    other["A1"].font = Font(size=14, bold=True)
    other["B2"] = 42
    other["B2"].number_format = "0.00"
    other["B3"] = "=B2*2"
    other.merge_cells("A5:C5")
    other.column_dimensions["A"].width = 40
    wb.save(path)


def style(cell) -> tuple:
    """Font, fill, border, alignment, protection (copies: openpyxl's proxies never compare
    equal) and number format."""
    return (*(copy(getattr(cell, a)) for a in ("font", "fill", "border", "alignment", "protection")),
            cell.number_format)


def test_an_xlsx_keeps_everything_but_the_changed_cells(folder):
    make_workbook(Path("deb.xlsx"))
    write("upd.csv", """
        Debiteurnummer;IBAN;Datum machtiging;E-mail;Naam;Automatische incasso;Machtigingskenmerk
        10001;NL39RABO0300065264;15-11-2026;-;;;
        10003;;;;=Bakker;;
        10009;NL20INGB0001234567;20-11-2026;n@example.com;Nieuw Lid;ja;MDT-9
    """)
    result = update("deb.xlsx", "upd.csv", "-o", "new.xlsx", "--add-new")
    assert result.exit_code == 0, result.output
    before, after = openpyxl.load_workbook("deb.xlsx"), openpyxl.load_workbook("new.xlsx")
    old, new = before["Debiteuren"], after["Debiteuren"]
    changed = {"C2", "F2", "G2", "B4"}
    for row in old.iter_rows(min_row=1, max_row=4, max_col=8):
        for cell in row:
            twin = new[cell.coordinate]
            assert style(twin) == style(cell), cell.coordinate
            if cell.coordinate not in changed:
                assert twin.value == cell.value, cell.coordinate
    assert new["C2"].value == "NL39RABO0300065264" and new["C2"].data_type == "s"
    assert new["F2"].value == dt.datetime(2026, 11, 15) and new["F2"].number_format == "dd-mm-yyyy"
    assert new["G2"].value is None
    assert new["B4"].value == "=Bakker" and new["B4"].data_type == "s"  # text, not a formula
    assert new["H4"].value == '=LEN(B4)&" tekens"'                      # formulas elsewhere stay
    # the added debtor copies the style of the last data row
    assert [new.cell(5, c).value for c in range(1, 9)] == [
        "10009", "Nieuw Lid", "NL20INGB0001234567", "ja", "MDT-9", dt.datetime(2026, 11, 20),
        "n@example.com", None]
    for c in range(1, 9):
        assert style(new.cell(5, c)) == style(old.cell(4, c)), c
    assert new.cell(5, 1).data_type == "s"
    assert {k: d.width for k, d in new.column_dimensions.items()} == {
        k: d.width for k, d in old.column_dimensions.items()}
    assert new.freeze_panes == "A2"
    assert new.max_row == 5 and new.max_column == 8
    # the other sheet is untouched
    notes_before, notes_after = before["Notities"], after["Notities"]
    assert [(c.coordinate, c.value, style(c)) for row in notes_after.iter_rows() for c in row] == [
        (c.coordinate, c.value, style(c)) for row in notes_before.iter_rows() for c in row]
    assert notes_after.merged_cells.ranges == notes_before.merged_cells.ranges
    assert notes_after.column_dimensions["A"].width == 40
    # and incasso reads the result as the merged sheet
    write("inv.csv", "Factuurnummer;Debiteurnummer;Factuurdatum;Vervaldatum;Bedrag\n")
    assert incasso("check", "new.xlsx", "inv.csv").exit_code == 0


def test_an_xlsx_column_the_sheet_lacks_is_appended(folder):
    make_workbook(Path("deb.xlsx"))
    write("upd.csv", "Debiteurnummer;Plaats\n10002;Utrecht\n")
    assert update("deb.xlsx", "upd.csv", "-o", "new.xlsx").exit_code == 0
    ws = openpyxl.load_workbook("new.xlsx")["Debiteuren"]
    assert ws["I1"].value == "Plaats" and ws["I1"].font.b
    assert ws["I3"].value == "Utrecht"
    assert [ws.cell(r, 9).value for r in (2, 4)] == [None, None]


def test_a_sample_workbook_update_reads_back(folder):
    shutil.copy(SAMPLES / "debiteuren.xlsx", "debiteuren.xlsx")
    write("wijzigingen.csv", """
        Klantnummer;Rekeningnummer;Einddatum machtiging
        10005;NL20INGB0001234567;31-12-2027
    """)
    result = update("debiteuren.xlsx", "wijzigingen.csv", "-o", "debiteuren-nieuw.xlsx")
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook("debiteuren-nieuw.xlsx").active
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "10005")
    assert row[2].value == "NL20INGB0001234567" and row[2].number_format == "@"
    assert row[7].value == dt.datetime(2027, 12, 31)
    assert ws.data_validations.dataValidation[0].sqref == openpyxl.load_workbook(
        SAMPLES / "debiteuren.xlsx").active.data_validations.dataValidation[0].sqref


def to_shared_strings(path: Path) -> None:
    """Store the workbook's text cells as shared strings, as Excel does (openpyxl writes
    them inline)."""
    with zipfile.ZipFile(path) as zin:
        parts = {i.filename: zin.read(i.filename) for i in zin.infolist()}
    strings: list[bytes] = []

    def shared(m: re.Match) -> bytes:
        strings.append(m.group(3))
        return m.group(1) + b't="s"' + m.group(2) + b"><v>%d</v></c>" % (len(strings) - 1)

    pattern = re.compile(rb'(<c\b[^>]*?)t="inlineStr"([^>]*)><is><t[^>]*>(.*?)</t></is></c>', re.S)
    for name in [n for n in parts if n.startswith("xl/worksheets/sheet")]:
        parts[name] = pattern.sub(shared, parts[name])
    parts["xl/sharedStrings.xml"] = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" '
        b'uniqueCount="%d">' % (len(strings), len(strings))
        + b"".join(b"<si><t>" + s + b"</t></si>" for s in strings) + b"</sst>")
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(b"</Types>", (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'))
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rIdShared" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in parts.items():
            zout.writestr(name, data)


def test_an_excel_workbook_with_shared_strings_a_table_and_another_first_sheet(folder):
    wb = openpyxl.Workbook()
    wb.active.title = "Notities"
    wb.active["A1"] = "lees mij"
    ws = wb.create_sheet("Klanten 2026")
    ws.append(HEADERS)
    for values in ROWS:
        ws.append(values)
        ws.cell(ws.max_row, 6).number_format = "dd-mm-yyyy"
    ws.add_table(Table(displayName="Klanten", ref="A1:H4"))
    wb.save("deb.xlsx")
    to_shared_strings(Path("deb.xlsx"))
    write("upd.csv", """
        Debiteurnummer;Naam;IBAN;Automatische incasso;Machtigingskenmerk;Datum machtiging
        10002;P. Pietersen;;;;
        10009;Nieuw Lid;NL20INGB0001234567;ja;MDT-9;20-11-2026
    """)
    assert update("deb.xlsx", "upd.csv", "-o", "new.xlsx", "--add-new").exit_code == 1  # Notities
    result = update("deb.xlsx", "upd.csv", "-o", "new.xlsx", "--add-new", "--sheet", "Klanten 2026")
    assert result.exit_code == 0, result.output
    after = openpyxl.load_workbook("new.xlsx")
    new = after["Klanten 2026"]
    assert [c.value for c in new[1]] == HEADERS
    assert [c.value for c in new[3]][:3] == ["10002", "P. Pietersen", "NL44RABO0123456789"]
    assert [c.value for c in new[5]][:6] == ["10009", "Nieuw Lid", "NL20INGB0001234567", "ja",
                                             "MDT-9", dt.datetime(2026, 11, 20)]
    assert new.tables["Klanten"].ref == "A1:H5"
    assert after["Notities"]["A1"].value == "lees mij"
    with zipfile.ZipFile("deb.xlsx") as before, zipfile.ZipFile("new.xlsx") as now:
        assert now.read("xl/sharedStrings.xml") == before.read("xl/sharedStrings.xml")
        assert now.read("xl/worksheets/sheet1.xml") == before.read("xl/worksheets/sheet1.xml")


def test_a_formula_cell_that_changes_drops_the_calculation_chain(folder):
    make_workbook(Path("deb.xlsx"))
    wb = openpyxl.load_workbook("deb.xlsx")
    wb["Debiteuren"]["B3"] = '="Piet"&"ersen"'
    wb.save("deb.xlsx")
    with zipfile.ZipFile("deb.xlsx") as zin:
        parts = {i.filename: zin.read(i.filename) for i in zin.infolist()}
    parts["xl/calcChain.xml"] = (b'<calcChain xmlns="http://schemas.openxmlformats.org/'
                                 b'spreadsheetml/2006/main"><c r="B3" i="1"/></calcChain>')
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(b"</Types>", (
        b'<Override PartName="/xl/calcChain.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/></Types>'))
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rIdCalc" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/calcChain" Target="calcChain.xml"/></Relationships>')
    with zipfile.ZipFile("deb.xlsx", "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in parts.items():
            zout.writestr(name, data)
    write("upd.csv", "Debiteurnummer;Naam\n10002;Pietersen\n")
    result = update("deb.xlsx", "upd.csv", "-o", "new.xlsx")
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile("new.xlsx") as z:
        assert "xl/calcChain.xml" not in z.namelist()
        assert b"calcChain" not in z.read("[Content_Types].xml")
        assert b"calcChain" not in z.read("xl/_rels/workbook.xml.rels")
    ws = openpyxl.load_workbook("new.xlsx")["Debiteuren"]
    assert ws["B3"].value == "Pietersen" and ws["H4"].value == '=LEN(B4)&" tekens"'


# --- the amendment reaches the next collection -------------------------------------------------

INVOICES = """
    Factuurnummer;Debiteurnummer;Factuurdatum;Vervaldatum;Bedrag;Omschrijving
    2026-9001;10001;01-11-2026;01-12-2026;25,00;Contributie december
"""
SECOND_INVOICE = "    2026-9002;10001;27-11-2026;14-12-2026;25,00;Contributie januari\n"


def transaction(folder: Path, end_to_end_id: str) -> dict[str, str | None]:
    (xml,) = folder.glob("*.pain008.xml")
    root = etree.parse(str(xml)).getroot()
    for block in root.iter("{*}PmtInf"):
        for tx in block.iter("{*}DrctDbtTxInf"):
            if tx.findtext("{*}PmtId/{*}EndToEndId") == end_to_end_id:
                mandate = tx.find("{*}DrctDbtTx/{*}MndtRltdInf")
                return {"seq": block.findtext("{*}PmtTpInf/{*}SeqTp"),
                        "amended": mandate.findtext("{*}AmdmntInd"),
                        "original_account": mandate.findtext(
                            "{*}AmdmntInfDtls/{*}OrgnlDbtrAcct/{*}Id/{*}Othr/{*}Id"),
                        "iban": tx.findtext("{*}DbtrAcct/{*}Id/{*}IBAN")}
    raise AssertionError(f"{end_to_end_id} not in {xml}")


@pytest.fixture
def club(folder) -> Path:
    for name in ("incasso.toml", "debiteuren.xlsx"):
        shutil.copy(SAMPLES / name, name)
    write("facturen.csv", INVOICES)
    first = incasso("collect", "debiteuren.xlsx", "facturen.csv", "-o", "run1")
    assert first.exit_code == 0, first.output
    assert transaction(folder / "run1", "2026-9001")["seq"] == "FRST"
    return folder


def test_a_new_iban_at_another_bank_goes_out_as_smnda_with_frst(club):
    write("wijzigingen.csv", "Debiteurnummer;IBAN\n10001;NL39RABO0300065264\n")
    result = update("debiteuren.xlsx", "wijzigingen.csv", "-o", "debiteuren.xlsx")
    assert result.exit_code == 0, result.output
    assert ("10001  IBAN  'NL82ABNA0443043868' -> 'NL39RABO0300065264'  (amendment: SMNDA "
            "(new account at another bank) will be sent with the next collection, as FRST)") in result.output
    Path("facturen.csv").write_text(dedent(INVOICES).lstrip() + dedent(SECOND_INVOICE))
    second = incasso("collect", "debiteuren.xlsx", "facturen.csv", "-o", "run2")
    assert second.exit_code == 0, second.output
    assert transaction(club / "run2", "2026-9002") == {
        "seq": "FRST", "amended": "true", "original_account": "SMNDA", "iban": "NL39RABO0300065264"}


def test_direct_debit_off_keeps_the_history_and_on_again_continues(club):
    write("uit.csv", "Debiteurnummer;Automatische incasso\n10001;nee\n")
    assert update("debiteuren.xlsx", "uit.csv", "-o", "debiteuren.xlsx").exit_code == 0
    Path("facturen.csv").write_text(dedent(INVOICES).lstrip() + dedent(SECOND_INVOICE))
    off = incasso("collect", "debiteuren.xlsx", "facturen.csv", "-o", "run2")
    assert off.exit_code == 0
    assert "debtor-direct-debit-off" in off.output
    assert not list(club.glob("run2/*.pain008.xml"))
    write("aan.csv", "Debiteurnummer;Automatische incasso\n10001;ja\n")
    on = update("debiteuren.xlsx", "aan.csv", "-o", "debiteuren.xlsx")
    assert "(amendment" not in on.output
    assert incasso("collect", "debiteuren.xlsx", "facturen.csv", "-o", "run3").exit_code == 0
    assert transaction(club / "run3", "2026-9002") == {
        "seq": "RCUR", "amended": "false", "original_account": None, "iban": "NL82ABNA0443043868"}
