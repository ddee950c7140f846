"""Broken sheets never crash a command: hypothesis builds them, the CLI must answer.

Sheets start from valid rows (so the run gets past the checks into collecting and
writing) and hypothesis breaks them: junk in any cell, every Unicode plane, control
characters, NUL and right-to-left marks, very long texts, amounts and dates in every
notation, formulas and error values, headers missing, repeated or unknown, rows with too
many or too few fields, separators and encodings, .xlsx cells of every type, merged
cells and hidden sheets, and plain random bytes. Each sheet goes through `check`,
`collect` and `debtors update` (and junk bank files through `clear`); every run must end in

* exit 0, or exit 1 with at least one error reported, or
* exit 3 with one sentence on stderr,

and never in a traceback.

Examples per property: INCASSO_FUZZ_EXAMPLES (`make fuzz` sets 2000), else a few, so
that the whole suite stays quick.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import shutil
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path

import openpyxl
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from incasso_sheets.cli import main

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
ENV = {"INCASSO_NOW": "2026-11-27T10:00:00", "LANG": "en_GB.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""}
FUZZ = int(os.environ.get("INCASSO_FUZZ_EXAMPLES") or 0)


def examples(default: int):
    """Hypothesis settings: `default` examples, or INCASSO_FUZZ_EXAMPLES."""
    return settings(max_examples=FUZZ or default, deadline=None, derandomize=not FUZZ,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.large_base_example])


# --- what a run may end in -------------------------------------------------------------------

ERROR_COUNT = re.compile(r"^ +\d+ +[a-z0-9-]+ +error$", re.M)
UPDATE_STOPPED = re.compile(r"^Nothing written: fix the [1-9]\d* errors above\.$", re.M)
CLEAR_ATTENTION = re.compile(r"^\S+  [a-z0-9]+(-[a-z0-9]+)+  \S", re.M)  # file  code  ...


def assert_handled(result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {result.exception}")
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1, 3), result.output
    if result.exit_code == 1:
        assert ERROR_COUNT.search(result.stdout) or UPDATE_STOPPED.search(result.stdout), (
            f"exit 1 with no error reported:\n{result.output}")
    if result.exit_code == 3:
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("incasso: "), result.stderr


def run(*args: str) -> None:
    assert_handled(CliRunner(env=ENV).invoke(main, ["--lang", "en", *args]))


@contextmanager
def workspace():
    """A fresh folder with the sample settings, as the current folder."""
    before = Path.cwd()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        shutil.copy(SAMPLES / "incasso.toml", folder / "incasso.toml")
        os.chdir(folder)
        try:
            yield folder
        finally:
            os.chdir(before)


def every_command(debtors: str, invoices: str, updates: str) -> None:
    run("check", debtors, invoices)
    run("collect", debtors, invoices, "-o", "out")
    run("collect", debtors, invoices, "-o", "out2", "--skip-invalid")
    suffix = Path(debtors).suffix
    run("debtors", "update", debtors, updates, "-o", f"new{suffix}", "--log", "log.xlsx",
        "--add-new")


# --- cell values -------------------------------------------------------------------------------

DEBTOR_HEADERS = ["Debiteurnummer", "Naam", "IBAN", "Automatische incasso", "Machtigingskenmerk",
                  "Datum machtiging", "Type incasso", "Volgordetype", "Plaats", "E-mail"]
DEBTOR_ROWS = [
    ["10001", "Jansen", "NL91ABNA0417164300", "ja", "MDT-1", "01-03-2024", "CORE", "", "Utrecht",
     "jansen@example.nl"],
    ["10002", "Café Überweg", "DE89370400440532013000", "ja", "MDT-2", "2024-03-01", "B2B", "RCUR",
     "Köln", ""],
    ["10003", "Pietersen", "NL02ABNA0123456789", "nee", "", "", "", "", "", ""],
]
INVOICE_HEADERS = ["Factuurnummer", "Debiteurnummer", "Factuurdatum", "Vervaldatum", "Bedrag",
                   "Valuta", "Omschrijving"]
INVOICE_ROWS = [
    ["2026-001", "10001", "01-11-2026", "01-12-2026", "121,00", "EUR", "Contributie"],
    ["2026-002", "10002", "01-11-2026", "15-12-2026", "1.234,56", "", "Bestelling 7"],
    ["2026-003", "10003", "01-11-2026", "01-12-2026", "5", "EUR", ""],
]

SPECIAL = [
    "", " ", "\x00", "\ufeff", "\u202e", "\u200f", "\u00a0", "-", "'", '"', '""', "\r", "\n",
    "\r\n", ";", ",", "\t", "=1/0", "=HYPERLINK(\"http://x\",\"y\")", "@SUM(A1)", "+31", "#N/A",
    "#DIV/0!", "#VALUE!", "null", "None", "NaN", "true", "ja", "nee", "x", "0", "-0", "__UNNAMED__0",
    "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"), "\\ud800", "😀",
    "\U00020000", "\U000e0001", "\U000f0000", "\U0010fffd", "e\u0301", "Ⅻ", "ß", "ﬁ",
]
AMOUNTS = ["12,50", "1.234,56", "1,234.56", "12.345", "1e3", "-0,01", "€ 12,50", "12,50 EUR",
           "１２", "inf", "-inf", "0x1F", "0,005", "999999999,99", "1000000000,00", "  7 ",
           "1 234,56", "(12,50)", "12,-", "12.50.1", ".5", "5.", "+5", "0", "00012", "1_000"]
DATES = ["31-12-2026", "2026-12-31", "45000", "45000.5", "29-02-2025", "29-02-2028", "1/1/26",
         "2026-13-01", "00-00-0000", "31.12.2026", "2026-12-31 00:00:00", "9999-12-31",
         "0001-01-01", "31-12-99999", "12/31/2026", "-1", "20000", "80001"]
IBANS = ["NL91ABNA0417164300", "nl91 abna 0417 1643 00", "NL91ABNA0417164301", "GB82WEST12345698765432",
         "US12345", "NL91-ABNA-0417-1643-00", "NL91ABNA041716430０"]


def long_text(draw) -> str:
    piece = draw(st.sampled_from(["x", "é", "😀", "\u202e", "0", "A1;", '"']))
    return piece * draw(st.sampled_from([36, 71, 141, 5000, 100_000]))


@st.composite
def cell_text(draw) -> str:
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return draw(st.text(st.characters(codec="utf-8"), max_size=12))
    if kind == 1:
        return draw(st.text(st.characters(codec="utf-8", categories=["Cc", "Cf", "Zs", "Zl", "Zp",
                                                                     "Mn", "Co"]), max_size=6))
    if kind == 2:
        return long_text(draw)
    return draw(st.sampled_from([SPECIAL, AMOUNTS, DATES, IBANS, SPECIAL, AMOUNTS, DATES][kind - 3]))


@st.composite
def table(draw, headers: list[str], rows: list[list[str]]) -> list[list[str]]:
    """`headers` and `rows`, broken: cells replaced, headers changed, rows cut or extended."""
    headers = list(headers)
    body = [list(r) for r in draw(st.lists(st.sampled_from(rows), max_size=5))]
    for _ in range(draw(st.integers(0, 3))):
        change = draw(st.integers(0, 4))
        if change == 0 and headers:
            del headers[draw(st.integers(0, len(headers) - 1))]
        elif change == 1 and headers:
            headers.append(draw(st.sampled_from(headers)))
        elif change == 2:
            headers.insert(draw(st.integers(0, len(headers))), draw(cell_text()))
        elif change == 3:
            headers = draw(st.permutations(headers))
        elif headers:
            headers[draw(st.integers(0, len(headers) - 1))] = draw(
                st.sampled_from(["naam", " IBAN ", "Name", "Mandate ID", "Bedrag", "Amount", ""]))
    for row in body:
        for _ in range(draw(st.integers(0, 3))):
            if row:
                row[draw(st.integers(0, len(row) - 1))] = draw(cell_text())
        if draw(st.integers(0, 5)) == 0:
            row[:] = row[:draw(st.integers(0, len(row)))] + draw(st.lists(cell_text(), max_size=2))
    return [headers, *body]


# --- CSV ---------------------------------------------------------------------------------------

@st.composite
def csv_bytes(draw, headers, rows) -> bytes:
    records = draw(table(headers, rows))
    separator = draw(st.sampled_from([";", ",", "\t"]))
    newline = draw(st.sampled_from(["\r\n", "\n"]))
    if draw(st.booleans()):
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=separator, lineterminator=newline).writerows(records)
        text = buffer.getvalue()
    else:  # no quoting at all: separators and quotes inside cells break the rows
        text = "".join(separator.join(r) + newline for r in records)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    return text.encode(encoding, errors="replace")


@examples(25)
@given(debtors=csv_bytes(DEBTOR_HEADERS, DEBTOR_ROWS),
       invoices=csv_bytes(INVOICE_HEADERS, INVOICE_ROWS),
       updates=csv_bytes(DEBTOR_HEADERS, DEBTOR_ROWS))
def test_broken_csv_sheets_are_reported_not_crashed_on(debtors, invoices, updates):
    with workspace() as folder:
        (folder / "deb.csv").write_bytes(debtors)
        (folder / "inv.csv").write_bytes(invoices)
        (folder / "upd.csv").write_bytes(updates)
        every_command("deb.csv", "inv.csv", "upd.csv")


# --- XLSX --------------------------------------------------------------------------------------

@st.composite
def xlsx_value(draw, text: str):
    """The cell as the user's Excel might hold it: the text, or a number, date, formula..."""
    kind = draw(st.integers(0, 12))
    if kind <= 4:
        return ("text", ILLEGAL_CHARACTERS_RE.sub("", text)[:32767])
    return [
        ("number", draw(st.floats(allow_nan=False, allow_infinity=False, width=64))),
        ("number", draw(st.integers(-(2**53), 2**53))),
        ("date", draw(st.dates(dt.date(1900, 3, 1), dt.date(9999, 12, 31)))),
        ("date", draw(st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(9999, 12, 31)))),
        ("bool", draw(st.booleans())),
        ("formula", draw(st.sampled_from(["=1/0", "=NA()", "=A1", "=SUM(A:A)", '="x"&"y"']))),
        ("error", draw(st.sampled_from(["#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?"]))),
        ("empty", None),
    ][kind - 5]


@st.composite
def xlsx_bytes(draw, headers, rows, title: str) -> bytes:
    records = draw(table(headers, rows))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    if draw(st.booleans()):  # a hidden sheet first, or after
        hidden = wb.create_sheet("Lijsten", draw(st.integers(0, 1)))
        hidden.append(["Code"])
        hidden.sheet_state = draw(st.sampled_from(["hidden", "veryHidden"]))
    for r, record in enumerate(records, start=1):
        for c, text in enumerate(record, start=1):
            kind, value = draw(xlsx_value(text)) if r > 1 else ("text", text)
            cell = ws.cell(r, c)
            cell.value = ILLEGAL_CHARACTERS_RE.sub("", value) if kind == "text" else value
            if kind == "error":
                cell.data_type = "e"
            elif kind == "text":
                cell.data_type = "s"
    if draw(st.integers(0, 3)) == 0 and ws.max_row >= 2:
        ws.merge_cells(start_row=1, start_column=1, end_row=draw(st.integers(1, ws.max_row)),
                       end_column=draw(st.integers(1, 3)))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@examples(15)
@given(debtors=xlsx_bytes(DEBTOR_HEADERS, DEBTOR_ROWS, "Debiteuren"),
       invoices=xlsx_bytes(INVOICE_HEADERS, INVOICE_ROWS, "Facturen"),
       updates=xlsx_bytes(DEBTOR_HEADERS, DEBTOR_ROWS, "Wijzigingen"))
def test_broken_workbooks_are_reported_not_crashed_on(debtors, invoices, updates):
    with workspace() as folder:
        (folder / "deb.xlsx").write_bytes(debtors)
        (folder / "inv.xlsx").write_bytes(invoices)
        (folder / "upd.xlsx").write_bytes(updates)
        every_command("deb.xlsx", "inv.xlsx", "upd.xlsx")


# --- bytes that are no sheet at all -------------------------------------------------------------

MAGIC = [b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\x89PNG\r\n\x1a\n", b"%PDF-",
         b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x1f\x8b", b"<?xml version='1.0'?>"]


@examples(40)
@given(head=st.sampled_from(MAGIC), body=st.binary(max_size=300),
       suffix=st.sampled_from([".csv", ".xlsx", ".txt", ".xlsm", ".xls"]))
def test_random_bytes_are_refused_or_reported(head, body, suffix):
    with workspace() as folder:
        (folder / f"deb{suffix}").write_bytes(head + body)
        (folder / "inv.csv").write_text("\n".join(";".join(r) for r in
                                                  [INVOICE_HEADERS, *INVOICE_ROWS]), encoding="utf-8")
        run("check", f"deb{suffix}", "inv.csv")


def valid_workbook() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Debiteuren"
    for record in [DEBTOR_HEADERS, *DEBTOR_ROWS]:
        ws.append(record)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


VALID_WORKBOOK = valid_workbook()


@st.composite
def damaged_workbook(draw) -> bytes:
    """A valid workbook with bytes flipped, cut short, or a part rewritten."""
    data = bytearray(VALID_WORKBOOK)
    kind = draw(st.integers(0, 2))
    if kind == 0:
        for _ in range(draw(st.integers(1, 8))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        return bytes(data)
    if kind == 1:
        return bytes(data[:draw(st.integers(0, len(data)))])
    source = zipfile.ZipFile(io.BytesIO(VALID_WORKBOOK))
    names = source.namelist()
    victim = draw(st.sampled_from(names))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            content = source.read(name)
            if name == victim:
                content = draw(st.sampled_from([
                    b"", b"<x/>", content[: len(content) // 2], content.replace(b'r="', b'r="Z'),
                    content.replace(b"<sheetData>", b'<sheetData><row r="0"><c r="A0"/></row>'),
                    content + b"\x00", draw(st.binary(max_size=64))]))
            target.writestr(name, content)
    return out.getvalue()


@examples(40)
@given(workbook=damaged_workbook())
def test_damaged_workbooks_are_refused_or_reported(workbook):
    with workspace() as folder:
        (folder / "deb.xlsx").write_bytes(workbook)
        (folder / "inv.csv").write_text("\n".join(";".join(r) for r in
                                                  [INVOICE_HEADERS, *INVOICE_ROWS]), encoding="utf-8")
        run("check", "deb.xlsx", "inv.csv")
        run("debtors", "update", "deb.xlsx", "inv.csv", "-o", "new.xlsx")


# --- bank files that are not what clear expects --------------------------------------------------

NAMESPACES = ["urn:iso:std:iso:20022:tech:xsd:camt.053.001.02",
              "urn:iso:std:iso:20022:tech:xsd:camt.054.001.08",
              "urn:iso:std:iso:20022:tech:xsd:pain.002.001.03", "urn:x", ""]
ELEMENTS = ["Stmt", "Ntry", "Amt", "CdtDbtInd", "BookgDt", "Dt", "NtryDtls", "TxDtls", "Refs",
            "EndToEndId", "RtrInf", "Rsn", "Cd", "Btch", "PmtInfId", "NbOfTxs", "TtlAmt",
            "OrgnlGrpInfAndSts", "OrgnlMsgId", "GrpSts", "TxInfAndSts", "OrgnlEndToEndId", "TxSts"]


@st.composite
def xml_tree(draw, depth: int = 0) -> str:
    name = draw(st.sampled_from(ELEMENTS))
    attrs = ' Ccy="EUR"' if name == "Amt" and draw(st.booleans()) else ""
    if depth >= 4 or draw(st.integers(0, 2)) == 0:
        text = draw(st.one_of(cell_text(), st.sampled_from(AMOUNTS + DATES + ["CRDT", "DBIT",
                                                                              "RJCT", "AC04"])))
        text = text.replace("&", "&amp;").replace("<", "&lt;")
        return f"<{name}{attrs}>{text}</{name}>"
    children = "".join(draw(st.lists(xml_tree(depth + 1), max_size=3)))
    return f"<{name}{attrs}>{children}</{name}>"


@st.composite
def bank_file(draw) -> bytes:
    if draw(st.integers(0, 4)) == 0:
        return draw(st.sampled_from(MAGIC)) + draw(st.binary(max_size=200))
    namespace = draw(st.sampled_from(NAMESPACES))
    body = "".join(draw(st.lists(xml_tree(), max_size=4)))
    xml = f'<?xml version="1.0" encoding="UTF-8"?><Document xmlns="{namespace}">{body}</Document>'
    data = xml.encode("utf-8", errors="surrogatepass")
    if draw(st.integers(0, 5)) == 0:
        data = data[:draw(st.integers(0, len(data)))]
    return data


@examples(30)
@given(files=st.lists(bank_file(), min_size=1, max_size=3))
def test_broken_bank_files_are_refused_or_booked(files):
    with workspace() as folder:
        (folder / "bank").mkdir()
        for n, data in enumerate(files):
            (folder / "bank" / f"file{n}.xml").write_bytes(data)
        result = CliRunner(env=ENV).invoke(main, ["--lang", "en", "clear", "bank", "-o", "out"])
        if result.exit_code == 1:
            # clear's 1: what matched is booked, and each thing that needs a person is listed
            assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output
            assert CLEAR_ATTENTION.search(result.stdout), result.output
        else:
            assert_handled(result)
            assert result.exit_code in (0, 3)
