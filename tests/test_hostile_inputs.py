"""Files that are not what they say, or are built to hurt: refused with one clear sentence.

Every case runs through the CLI (click's CliRunner) and ends in exit code 3 with one line
on stderr naming the file and what is wrong with it, or in exit 0/1 with the problems
listed as issues; never in a traceback. Zip bombs and DTDs are refused before anything is
unpacked or expanded (sheets.read, formats.xmlsafe).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from incasso_sheets.cli import main

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
ENV = {"INCASSO_NOW": "2026-11-27T10:00:00", "LANG": "en_GB.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""}

DEBTORS = ("Debiteurnummer;Naam;IBAN;Automatische incasso;Machtigingskenmerk;Datum machtiging\n"
           "10001;Jansen;NL91ABNA0417164300;ja;MDT-1;01-03-2024\n")
INVOICES = ("Factuurnummer;Debiteurnummer;Factuurdatum;Vervaldatum;Bedrag\n"
            "2026-001;10001;01-11-2026;01-12-2026;12,50\n")
UPDATES = "Debiteurnummer;Naam\n10001;Jansen-de Vries\n"


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    """An empty working folder with the sample settings and two clean CSV sheets."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(SAMPLES / "incasso.toml", tmp_path / "incasso.toml")
    (tmp_path / "deb.csv").write_text(DEBTORS, encoding="utf-8")
    (tmp_path / "inv.csv").write_text(INVOICES, encoding="utf-8")
    (tmp_path / "upd.csv").write_text(UPDATES, encoding="utf-8")
    return tmp_path


def run(*args: str):
    result = CliRunner(env=ENV).invoke(main, ["--lang", "en", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def refused(*args: str) -> str:
    """Run a command that must stop: exit 3, nothing on stdout, one line on stderr."""
    result = run(*args)
    assert result.exit_code == 3, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("incasso: "), result.stderr
    return lines[0]


def on_every_command(path: str) -> list[str]:
    """The stderr line of check, collect and debtors update, with `path` as the debtors sheet."""
    suffix = ".xlsx" if path.endswith((".xlsx", ".xls")) else ".csv"
    return [refused("check", path, "inv.csv"),
            refused("collect", path, "inv.csv", "-o", "out"),
            refused("debtors", "update", path, "upd.csv", "-o", f"new{suffix}")]


# --- files that are not what their name says --------------------------------------------------

def test_an_xlsx_that_is_a_csv(folder):
    (folder / "deb.xlsx").write_text(DEBTORS, encoding="utf-8")
    assert set(on_every_command("deb.xlsx")) == {
        "incasso: Cannot read deb.xlsx: it is a text file, not an Excel workbook; if it is CSV, "
        "name it .csv"}


def test_a_csv_that_is_a_zip(folder):
    wb = openpyxl.Workbook()
    wb.active.append(["Debiteurnummer"])
    wb.save(folder / "deb.csv")
    assert set(on_every_command("deb.csv")) == {
        "incasso: Cannot read deb.csv: it is an Excel workbook (a zip file), not CSV text; name "
        "it .xlsx, or save it from Excel as CSV"}


@pytest.mark.parametrize("name", ["deb.csv", "deb.xlsx"])
def test_a_png(folder, name):
    (folder / name).write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert set(on_every_command(name)) == {
        f"incasso: Cannot read {name}: it is a PNG file, not a sheet; use an .xlsx or .csv file"}


XLS_MESSAGE = ("it is an old Excel .xls workbook or a workbook protected with a password; open it "
               "in Excel and save it as an Excel Workbook (.xlsx) without a password")


def test_a_password_protected_workbook(folder):
    # Excel encrypts a protected .xlsx into an OLE2 compound file ("EncryptedPackage"):
    # its first bytes are those of an old .xls.
    (folder / "deb.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
                                      + "EncryptedPackage".encode("utf-16-le") + b"junk" * 300)
    assert set(on_every_command("deb.xlsx")) == {f"incasso: Cannot read deb.xlsx: {XLS_MESSAGE}"}


def test_an_old_xls(folder):
    (folder / "deb.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"Workbook" * 200)
    assert refused("check", "deb.xls", "inv.csv") == f"incasso: Cannot read deb.xls: {XLS_MESSAGE}"


def test_an_xls_named_csv(folder):
    (folder / "deb.csv").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"Workbook" * 200)
    assert refused("check", "deb.csv", "inv.csv") == f"incasso: Cannot read deb.csv: {XLS_MESSAGE}"


def test_an_empty_file(folder):
    (folder / "deb.csv").write_bytes(b"")
    (folder / "deb.xlsx").write_bytes(b"")
    assert set(on_every_command("deb.csv")) == {"incasso: Cannot read deb.csv: the file is empty"}
    assert set(on_every_command("deb.xlsx")) == {"incasso: Cannot read deb.xlsx: the file is empty"}


def test_a_broken_zip(folder):
    (folder / "deb.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 50)
    line = refused("check", "deb.xlsx", "inv.csv")
    assert line.startswith("incasso: Cannot read deb.xlsx: it is not a valid .xlsx workbook (")


def test_a_zip_that_is_not_a_workbook(folder):
    with zipfile.ZipFile(folder / "deb.xlsx", "w") as z:
        z.writestr("hello.txt", "not a workbook")
    line = refused("check", "deb.xlsx", "inv.csv")
    assert line.startswith("incasso: Cannot read deb.xlsx: it is not a valid .xlsx workbook (")


def test_utf16_text(folder):
    (folder / "deb.csv").write_bytes(DEBTORS.replace(";", "\t").encode("utf-16"))
    assert refused("check", "deb.csv", "inv.csv") == (
        "incasso: Cannot read deb.csv: it is UTF-16 text (Excel's 'Unicode Text'); save it from "
        "Excel as 'CSV UTF-8'")


# --- CSV rows with more or fewer fields than the header ------------------------------------------

RAGGED = DEBTORS + ("10002;Pietersen;NL91ABNA0417164300;ja;MDT-2;01-03-2024;extra;more\n"
                    "10003;Bakker\n")


def test_rows_with_more_fields_are_errors_and_fewer_warnings(folder):
    (folder / "deb.csv").write_text(RAGGED, encoding="utf-8")
    result = run("check", "deb.csv", "inv.csv")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:2] == [
        "deb.csv:deb:3:  csv-row-length  'extra;more'  Row has 8 fields, the header 6: the extra "
        "fields would be lost; check the separators and quotes on this row",
        "deb.csv:deb:4:  csv-row-short  Row has 2 fields, the header 6: the missing ones are read "
        "as empty",
    ]


def test_an_invoice_row_with_more_fields_is_not_collected(folder):
    (folder / "inv.csv").write_text(
        INVOICES + "2026-002;10001;01-11-2026;01-12-2026;7,50;EUR\n", encoding="utf-8")
    assert run("collect", "deb.csv", "inv.csv", "-o", "out").exit_code == 1
    assert not (folder / "out").exists()
    result = run("collect", "deb.csv", "inv.csv", "-o", "out", "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert "inv.csv:inv:3:  csv-row-length  'EUR'" in result.stdout
    journal = next((folder / "out").glob("*.journal.csv")).read_text(encoding="utf-8-sig")
    assert "2026-001" in journal and "2026-002" not in journal


def test_an_update_row_with_more_fields_stops_the_update(folder):
    (folder / "upd.csv").write_text(UPDATES + "10001;Jansen;extra\n", encoding="utf-8")
    result = run("debtors", "update", "deb.csv", "upd.csv", "-o", "new.csv")
    assert result.exit_code == 1
    assert "upd.csv:upd:3:  csv-row-length  'extra'" in result.stdout
    assert not (folder / "new.csv").exists()


def test_a_header_written_twice(folder):
    (folder / "deb.csv").write_text(DEBTORS.replace("Datum machtiging", "Naam"), encoding="utf-8")
    result = run("check", "deb.csv", "inv.csv")
    assert result.exit_code == 1
    assert ("deb.csv:deb:1:Naam_duplicated_0  column-repeated  'Naam'  Column header 'Naam' is "
            "written twice (columns B and F); only the first is read: keep one of them"
            in result.stdout)
    assert "column-unknown" not in result.stdout


def test_a_header_written_twice_in_a_workbook(folder):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Debiteuren"
    ws.append(["Debiteurnummer", "Naam", "IBAN", "Automatische incasso", "Machtigingskenmerk",
               "Datum machtiging", "IBAN"])
    ws.append([10001, "Jansen", "NL91ABNA0417164300", "ja", "MDT-1", dt.date(2024, 3, 1),
               "NL02ABNA0123456789"])
    wb.save(folder / "deb.xlsx")
    result = run("check", "deb.xlsx", "inv.csv")
    assert result.exit_code == 1
    assert "deb.xlsx:Debiteuren:1:IBAN_1  column-repeated  'IBAN'" in result.stdout
    assert "(columns C and G)" in result.stdout


def test_the_first_visible_sheet_is_read(folder):
    wb = openpyxl.Workbook()
    hidden = wb.active
    hidden.title = "Lijsten"
    hidden.append(["Code", "Omschrijving"])
    hidden.sheet_state = "hidden"
    ws = wb.create_sheet("Blad2")
    for line in DEBTORS.splitlines():
        ws.append(line.split(";"))
    wb.save(folder / "deb.xlsx")
    result = run("check", "deb.xlsx", "inv.csv")
    assert result.exit_code == 0, result.output


def test_formulas_and_error_values_in_a_workbook_are_reported_at_their_cells(folder):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Debiteuren"
    ws.append(["Debiteurnummer", "Naam", "IBAN", "Automatische incasso", "Machtigingskenmerk",
               "Datum machtiging"])
    ws.append([10001, "=1/0", "NL91ABNA0417164300", "ja", "MDT-1", "=TODAY()"])  # no cached value
    ws.append([10002, "#N/A", "#DIV/0!", "ja", "MDT-2", dt.date(2024, 3, 1)])
    ws["B3"].data_type = ws["C3"].data_type = "e"  # cached error values
    ws.merge_cells("D2:D3")
    wb.save(folder / "deb.xlsx")
    result = run("check", "deb.xlsx", "inv.csv", "--format", "json")
    assert result.exit_code == 1
    cells = {(i["row"], i["column"], i["code"]) for i in json.loads(result.stdout)}
    # A formula without a cached value and an error value read as empty cells, and are
    # reported as such at their cell; D3, merged into D2, reads as empty (no direct debit).
    assert cells == {(2, "Naam", "name-missing"), (2, "Datum machtiging", "mandate-date-missing"),
                     (3, "Naam", "name-missing")}


# --- zip bombs -------------------------------------------------------------------------------------

def raw_workbook(path: Path, sheet_xml: bytes, *, workbook_xml: bytes | None = None,
                 extra: dict[str, bytes] | None = None) -> Path:
    """A minimal .xlsx package around a hand-written worksheet."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
            b'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
            b'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
            b'"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.'
            b'openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/'
            b'worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            b'spreadsheetml.worksheet+xml"/></Types>'),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}"><Relationship '
            f'Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ).encode(),
        "xl/workbook.xml": workbook_xml or (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{rel}">'
            '<sheets><sheet name="Debiteuren" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ).encode(),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}"><Relationship '
            f'Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ).encode(),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}"><sheetData>'.encode()
            + sheet_xml + b"</sheetData></worksheet>"),
        **(extra or {}),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def cell(ref: str, text: str) -> bytes:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


def row(number: int, *cells: bytes) -> bytes:
    return b'<row r="%d">' % number + b"".join(cells) + b"</row>"


def test_two_cells_far_apart_are_refused_before_reading(folder):
    # 1.5 KB that would make the reader allocate 2^34 cells (and the process abort).
    bomb = raw_workbook(folder / "deb.xlsx", row(1, cell("A1", "Debiteurnummer"))
                        + row(1048576, cell("XFD1048576", "x")))
    assert bomb.stat().st_size < 2000
    assert set(on_every_command("deb.xlsx")) == {
        "incasso: Refused to read deb.xlsx: it holds 17,179,869,184 cells (1,048,576 rows x "
        "16,384 columns), more than the limit of 50,000,000 cells. A workbook this big can be a "
        "'zip bomb'; if yours really is, raise max_cells under [limits] in incasso.toml"}


def test_many_empty_rows_are_refused(folder):
    # 18 MB of empty rows in some 30 KB.
    bomb = raw_workbook(folder / "deb.xlsx", b"<row/>" * 3_000_000)
    assert bomb.stat().st_size < 50_000
    assert refused("check", "deb.xlsx", "inv.csv") == (
        "incasso: Refused to read deb.xlsx: it holds 3,000,000 rows, more than the limit of "
        "2,000,000 rows. A workbook this big can be a 'zip bomb'; if yours really is, raise "
        "max_rows under [limits] in incasso.toml")


def test_a_row_number_beyond_reason(folder):
    raw_workbook(folder / "deb.xlsx", row(1, cell("A1", "Naam"))
                 + b'<row r="99999999999999999999"><c r="A99999999999999999999"><v>1</v></c></row>')
    line = refused("check", "deb.xlsx", "inv.csv")
    assert "rows numbered over 999,999,999,999" in line and "max_rows" in line


def set_limit(folder: Path, key: str, value: int) -> None:
    """Set `[limits] key = value` in the folder's incasso.toml."""
    path = folder / "incasso.toml"
    text = path.read_text(encoding="utf-8")
    if "[limits]" not in text:
        text += "\n[limits]\n"
    head, _, tail = text.partition("[limits]")
    tail = re.sub(rf"(?m)^{key} = .*\n?", "", tail)
    path.write_text(f"{head}[limits]\n{key} = {value}{tail}", encoding="utf-8")


def test_the_unpacked_size_limit_is_a_setting(folder):
    rows = b"".join(row(n, cell(f"A{n}", "Jansen " * 20)) for n in range(1, 12_000))
    raw_workbook(folder / "deb.xlsx", rows)
    assert len(rows) > 1_500_000
    set_limit(folder, "max_unpacked_mb", 1)
    assert refused("check", "deb.xlsx", "inv.csv") == (
        "incasso: Refused to read deb.xlsx: it holds 2 MB, more than the limit of 1 MB. A "
        "workbook this big can be a 'zip bomb'; if yours really is, raise max_unpacked_mb "
        "under [limits] in incasso.toml")


def test_the_cell_limit_can_be_lowered_and_raised(folder):
    sheet = (row(1, cell("A1", "Debiteurnummer"), cell("C1", "Naam"))
             + b"".join(row(n, cell(f"A{n}", str(n))) for n in range(2, 20_001)))
    raw_workbook(folder / "deb.xlsx", sheet)
    set_limit(folder, "max_cells", 50_000)
    line = refused("check", "deb.xlsx", "inv.csv")
    assert "60,000 cells (20,000 rows x 3 columns)" in line
    set_limit(folder, "max_cells", 60_000)
    assert run("check", "deb.xlsx", "inv.csv").exit_code == 1  # read: columns are missing


def test_an_ordinary_workbook_passes_the_limits(folder):
    wb = openpyxl.Workbook()
    ws = wb.active
    for line in DEBTORS.splitlines():
        ws.append(line.split(";"))
    ws["AB2"] = "far, but not too far"
    wb.save(folder / "deb.xlsx")
    assert run("check", "deb.xlsx", "inv.csv").exit_code == 0


# --- DTDs in workbooks and bank files ---------------------------------------------------------------

LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                    for i in range(1, 10)) + "]>")


def test_a_workbook_part_with_a_dtd_is_refused(folder):
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    book = (f'<?xml version="1.0"?>{LAUGHS}<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
            '<sheet name="&lol9;" sheetId="1" r:id="rId1"/></sheets></workbook>').encode()
    raw_workbook(folder / "deb.xlsx", row(1, cell("A1", "Naam")), workbook_xml=book)
    assert set(on_every_command("deb.xlsx")) == {
        "incasso: Refused to read deb.xlsx: its part xl/workbook.xml contains <!DOCTYPE> "
        "<!ENTITY>. Excel never writes a DTD, and one can be used to attack the computer that "
        "reads it"}


def test_an_external_entity_in_a_workbook_is_refused(folder):
    secret = folder / "secret.txt"
    secret.write_text("TOP-SECRET-42", encoding="utf-8")
    strings = (f'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
               '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&x;'
               '</t></si></sst>').encode()
    raw_workbook(folder / "deb.xlsx", row(1, cell("A1", "Naam")),
                 extra={"xl/sharedStrings.xml": strings})
    result = run("check", "deb.xlsx", "inv.csv", "--report", "report.xlsx")
    assert result.exit_code == 3
    assert "xl/sharedStrings.xml contains <!DOCTYPE> <!ENTITY> SYSTEM/PUBLIC" in result.stderr
    assert "TOP-SECRET" not in result.output
    assert not (folder / "report.xlsx").exists()


CAMT = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"
BANK_MESSAGE = ("Bank files never have a DTD, and one can be used to attack the computer that "
                "reads it")


@pytest.mark.parametrize(("prolog", "found"), [
    ("<!DOCTYPE Document>", "<!DOCTYPE>"),
    (LAUGHS, "<!DOCTYPE> <!ENTITY>"),
    ('<!DOCTYPE Document [<!ENTITY x SYSTEM "{secret}">]>', "<!DOCTYPE> <!ENTITY> SYSTEM/PUBLIC"),
    ('<!DOCTYPE Document SYSTEM "http://attacker.invalid/evil.dtd">', "<!DOCTYPE> SYSTEM/PUBLIC"),
])
def test_clear_refuses_a_bank_file_with_a_dtd(folder, prolog, found):
    secret = folder / "secret.txt"
    secret.write_text("TOP-SECRET-42", encoding="utf-8")
    text = (f'<?xml version="1.0" encoding="UTF-8"?>{prolog.format(secret=secret.as_uri())}'
            f'<Document xmlns="{CAMT}"><BkToCstmrStmt><GrpHdr><MsgId>&x;&lol9;</MsgId></GrpHdr>'
            '</BkToCstmrStmt></Document>')
    (folder / "bank").mkdir()
    (folder / "bank" / "evil.xml").write_text(text, encoding="utf-8")
    for target in ("bank/evil.xml", "bank"):
        line = refused("clear", target, "-o", "out")
        assert line == f"incasso: Refused to read bank/evil.xml: it contains {found}. {BANK_MESSAGE}"
    assert not (folder / "out").exists()
    assert not (folder / "incasso.db").exists()


def test_clear_refuses_a_dtd_hidden_behind_a_long_comment(folder):
    text = ('<?xml version="1.0" encoding="UTF-16"?><!--' + " " * 200_000 + '-->'
            + LAUGHS + f'<Document xmlns="{CAMT}"/>')
    (folder / "evil.xml").write_bytes(text.encode("utf-16"))
    line = refused("clear", "evil.xml", "-o", "out")
    assert line == f"incasso: Refused to read evil.xml: it contains <!DOCTYPE> <!ENTITY>. {BANK_MESSAGE}"


def test_clear_of_a_file_that_is_not_xml(folder):
    (folder / "statement.xml").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    line = refused("clear", "statement.xml", "-o", "out")
    assert line.startswith("incasso: Cannot read statement.xml: ")


# --- regressions: crashes the property tests (test_broken_sheets.py) found ---------------------

def test_a_control_character_in_a_skipped_invoice_number_reaches_the_summary(folder):
    # Crashed with openpyxl's IllegalCharacterError while writing summary.xlsx.
    (folder / "inv.csv").write_text(INVOICES + "2026\x02-002;10001;01-11-2026;01-12-2026;7,50\n",
                                    encoding="utf-8")
    result = run("collect", "deb.csv", "inv.csv", "-o", "out", "--skip-invalid")
    assert result.exit_code == 0, result.output
    summary = openpyxl.load_workbook(next((folder / "out").glob("*.summary.xlsx")))
    skipped = [c.value for row in summary.worksheets[-1].iter_rows() for c in row]
    assert "2026\ufffd-002" in skipped


def test_a_control_character_in_the_change_log_workbook(folder):
    # Crashed with openpyxl's IllegalCharacterError while writing the --log workbook.
    (folder / "upd.csv").write_text("Debiteurnummer;E-mail\n10001;\x03jansen@example.nl\n",
                                    encoding="utf-8")
    result = run("debtors", "update", "deb.csv", "upd.csv", "-o", "new.csv", "--log", "log.xlsx")
    assert result.exit_code == 0, result.output
    log = openpyxl.load_workbook(folder / "log.xlsx").worksheets[0]
    assert "\ufffdjansen@example.nl" in [c.value for row in log.iter_rows() for c in row]
    assert "\x03jansen@example.nl" in (folder / "new.csv").read_text(encoding="utf-8")


def test_a_workbook_whose_compressed_data_is_damaged(folder):
    # Crashed with zlib.error from the size checks (fastexcel's own errors were handled).
    buffer = io.BytesIO()
    wb = openpyxl.Workbook()
    for line in DEBTORS.splitlines():
        wb.active.append(line.split(";"))
    wb.save(buffer)
    data = bytearray(buffer.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        member = z.getinfo("xl/worksheets/sheet1.xml")
    start = member.header_offset + 30 + len(member.filename.encode()) + len(member.extra)
    data[start:start + 8] = b"\xff" * 8
    (folder / "deb.xlsx").write_bytes(bytes(data))
    line = refused("check", "deb.xlsx", "inv.csv")
    assert line.startswith("incasso: Cannot read deb.xlsx: ")


@pytest.mark.parametrize("header", [
    ";Debiteurnummer;Factuurdatum;Vervaldatum;Bedrag",               # no header
    "Nummer;Debiteurnummer;Factuurdatum;Vervaldatum;Bedrag",         # an unknown one
    "Factuurnummer;Debiteurnummer;Factuurdatum;Vervaldatum;Factuurnummer",  # no amount
    "Debiteurnummer;Debiteurnummer;Factuurdatum;Vervaldatum;Bedrag",  # written twice
])
def test_skip_invalid_with_a_broken_header_collects_nothing_from_that_sheet(folder, header):
    # Crashed with "null in end_to_end_id": a required column was missing, so its rules
    # were not run and --skip-invalid let every invoice through without a number.
    rows = INVOICES.splitlines()[1:]
    (folder / "inv.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    result = run("collect", "deb.csv", "inv.csv", "-o", "out", "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert "inv.csv:inv:2:" in result.stdout and "invoice-invalid-skipped" in result.stdout
    # Not "use --skip-invalid to collect the rest": it was used, and there is no rest.
    assert result.stdout.endswith("\nNothing to collect.\n")
    assert not (folder / "out").exists()
