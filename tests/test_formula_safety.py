"""No file the tool writes makes a spreadsheet run a formula the user's data smuggled in.

Texts such as '=HYPERLINK("http://x","y")', '+31...', '-...', '@SUM(A1)' and '\\t=1+1' go
through the whole command (check --report, collect, clear, debtors update) and every
output is read back: a CSV report holds them with a leading `'`; a workbook holds them as
text cells (openpyxl data type 's', no <f> formula element in the sheet's XML). The
updated debtors CSV is the user's own data and keeps them exactly as given (the decision
is in formats/safe_text.py).
"""

from __future__ import annotations

import csv
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from lxml import etree

from incasso_sheets.cli import main
from incasso_sheets.formats.safe_text import FORMULA_STARTS, formula_safe, worksheet_text

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
COLLECT_ENV = {"INCASSO_NOW": "2026-11-27T10:00:00", "LANG": "en_GB.UTF-8", "LC_ALL": "",
               "LC_MESSAGES": ""}
CLEAR_ENV = {**COLLECT_ENV, "INCASSO_NOW": "2026-11-30T10:00:00"}

LINK = '=HYPERLINK("http://x","y")'
# Debtor numbers are free text; mandate ids and invoice numbers may start with + or -.
DEBTORS = [
    ["Debiteurnummer", "Naam", "IBAN", "Automatische incasso", "Machtigingskenmerk",
     "Datum machtiging", "E-mail"],
    [LINK, "+Plus BV", "NL91ABNA0417164300", "ja", "+M-1", "01-03-2024", LINK],
    ["@SUM(A1)", "-Min en Co", "NL91ABNA0417164300", "ja", "-M-2", "01-03-2024", "@x.nl"],
    ["+31612345678", "Jansen", "NL91ABNA0417164300", "ja", "M-3", "01-03-2024", "-"],
]
INVOICES = [
    ["Factuurnummer", "Debiteurnummer", "Factuurdatum", "Vervaldatum", "Bedrag", "Omschrijving"],
    ["+31-001", LINK, "01-11-2026", "01-12-2026", "12,50", "+1 maand"],
    ["-002", "@SUM(A1)", "01-11-2026", "01-12-2026", "7,50", "-korting"],
    ["2026-003", "+31612345678", "01-11-2026", "01-12-2026", "5,00", "@home"],
    [LINK, "+31612345678", "01-11-2026", "01-12-2026", "5,00", "=1+1"],  # skipped: invalid number
]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=";", lineterminator="\r\n").writerows(rows)
    return path


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    shutil.copy(SAMPLES / "incasso.toml", tmp_path / "incasso.toml")
    write_csv(tmp_path / "deb.csv", DEBTORS)
    write_csv(tmp_path / "inv.csv", INVOICES)
    return tmp_path


def run(env: dict, *args: str):
    result = CliRunner(env=env).invoke(main, ["--lang", "en", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


# --- reading the outputs back ---------------------------------------------------------------

def csv_fields(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8-sig")
    separator = ";" if text.split("\n", 1)[0].count(";") else ","
    return [field for record in csv.reader(text.splitlines(), delimiter=separator)
            for field in record]


def assert_csv_is_formula_safe(path: Path) -> list[str]:
    fields = csv_fields(path)
    risky = [f for f in fields if f.startswith(FORMULA_STARTS)]
    assert risky == [], f"{path.name}: {risky}"
    return fields


def workbook_texts(path: Path) -> list[str]:
    """Every text cell of every sheet; fails on a formula cell or an <f> element."""
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                root = etree.fromstring(z.read(name))
                assert root.find(".//{*}f") is None, f"{path.name}:{name} holds a formula"
    texts = []
    for ws in openpyxl.load_workbook(path).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{path.name}:{ws.title}!{cell.coordinate}"
                if isinstance(cell.value, str):
                    assert cell.data_type in ("s", "inlineStr"), cell.coordinate
                    texts.append(cell.value)
    return texts


# --- collect and clear ----------------------------------------------------------------------

def test_collect_and_clear_write_formulas_as_text(folder):
    result = run(COLLECT_ENV, "collect", "deb.csv", "inv.csv", "-o", "out", "--skip-invalid")
    assert result.exit_code == 0, result.output
    out = folder / "out"
    journal = assert_csv_is_formula_safe(next(out.glob("*.journal.csv")))
    assert {"'" + LINK, "'@SUM(A1)", "'+31612345678", "'+31-001", "'-002", "'+M-1",
            "'-M-2"} <= set(journal)
    notices = assert_csv_is_formula_safe(next(out.glob("*.prenotification.csv")))
    assert {"'" + LINK, "'+Plus BV", "'-Min en Co", "'@x.nl", "'-"} <= set(notices)
    summary = workbook_texts(next(out.glob("*.summary.xlsx")))
    assert LINK in summary  # the skipped invoice number, as a text cell

    pain008 = etree.parse(str(next(out.glob("*.pain008.xml"))))
    ns = {"p": etree.QName(pain008.getroot()).namespace}
    message_id = pain008.findtext(".//p:GrpHdr/p:MsgId", namespaces=ns)
    (folder / "bank").mkdir()
    (folder / "bank" / "pain002.xml").write_text(f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03">
  <CstmrPmtStsRpt>
    <GrpHdr><MsgId>STS-1</MsgId><CreDtTm>2026-11-27T16:00:00</CreDtTm></GrpHdr>
    <OrgnlGrpInfAndSts>
      <OrgnlMsgId>{message_id}</OrgnlMsgId><OrgnlMsgNmId>pain.008.001.08</OrgnlMsgNmId>
      <GrpSts>RJCT</GrpSts><StsRsnInf><Rsn><Cd>AC04</Cd></Rsn></StsRsnInf>
    </OrgnlGrpInfAndSts>
  </CstmrPmtStsRpt>
</Document>
""", encoding="utf-8")
    result = run(CLEAR_ENV, "clear", "bank", "-o", "cleared")
    assert result.exit_code == 0, result.output
    cleared = folder / "cleared"
    assert_csv_is_formula_safe(next(cleared.glob("*.journal.csv")))
    reopened = assert_csv_is_formula_safe(next(cleared.glob("*.reopened-invoices.csv")))
    assert {"'" + LINK, "'+31-001", "'-002", "'@SUM(A1)"} <= set(reopened)
    returns = workbook_texts(next(cleared.glob("*.returns.xlsx")))
    assert {LINK, "+31-001", "-002", "@SUM(A1)"} <= set(returns)


# --- check --report -------------------------------------------------------------------------

def test_the_marked_copy_keeps_formulas_as_text(folder):
    rows = [row[:] for row in DEBTORS]
    rows[3][1] = "\t=1+1"
    rows[2][6] = "=" + "A" * 40_000  # longer than a cell holds, and an error on the way
    write_csv(folder / "deb.csv", rows)
    result = run(COLLECT_ENV, "check", "deb.csv", "inv.csv", "--report", "report.xlsx")
    assert result.exit_code == 1, result.output
    texts = workbook_texts(folder / "report.xlsx")
    assert {LINK, "@SUM(A1)", "+31-001", "-002", "\t=1+1"} <= set(texts)
    assert "=" + "A" * 32765 + "\u2026" in texts


# --- debtors update -------------------------------------------------------------------------

UPDATES = [["Debiteurnummer", "Naam", "E-mail", "Straat"],
           ["+31612345678", LINK, "@SUM(A1)", "-1 hoog"]]


def debtors_workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Debiteuren"
    for row in [*DEBTORS, ]:
        ws.append(row)
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.data_type = "s"  # the sheet's own texts, as the user typed them
    wb.save(path)
    return path


def test_debtors_update_workbook_and_log_hold_texts(folder):
    debtors_workbook(folder / "deb.xlsx")
    write_csv(folder / "upd.csv", UPDATES)
    result = run(COLLECT_ENV, "debtors", "update", "deb.xlsx", "upd.csv", "-o", "new.xlsx",
                 "--log", "log.xlsx")
    assert result.exit_code == 0, result.output
    texts = workbook_texts(folder / "new.xlsx")
    assert {LINK, "@SUM(A1)", "-1 hoog"} <= set(texts)
    assert {LINK, "@SUM(A1)", "-1 hoog"} <= set(workbook_texts(folder / "log.xlsx"))


def test_debtors_update_csv_keeps_the_users_values_and_its_log_is_safe(folder):
    write_csv(folder / "upd.csv", UPDATES)
    result = run(COLLECT_ENV, "debtors", "update", "deb.csv", "upd.csv", "-o", "new.csv",
                 "--log", "log.csv")
    assert result.exit_code == 0, result.output
    with open(folder / "new.csv", encoding="utf-8", newline="") as fh:
        records = list(csv.reader(fh, delimiter=";"))
    changed = next(r for r in records if r[0] == "+31612345678")
    assert changed[1] == LINK and changed[6] == "@SUM(A1)" and changed[7] == "-1 hoog"
    assert records[1][0] == LINK  # untouched rows exactly as they were
    log = assert_csv_is_formula_safe(folder / "log.csv")
    assert {"'" + LINK, "'@SUM(A1)", "'-1 hoog"} <= set(log)


# --- the helpers themselves -----------------------------------------------------------------

# "'=1" gets one quote more, so that reading it back takes off only the quote added
# (tests/test_identity.py).
@pytest.mark.parametrize("text", [LINK, "+31", "-5", "@SUM(A1)", "\t=1+1", "\r=1+1", "'=1"])
def test_formula_safe_quotes_every_formula_start(text):
    assert formula_safe(text) == "'" + text


@pytest.mark.parametrize("text", ["Jansen", "12,50", " =1", "'1", "", "＝1"])
def test_formula_safe_leaves_other_text(text):
    assert formula_safe(text) == text


def test_worksheet_text_shows_control_characters_and_fits_a_cell():
    assert worksheet_text("a\x00b\x1fc\td\ne") == "a\ufffdb\ufffdc\td\ne"
    assert len(worksheet_text("x" * 100_000)) == 32767
    assert re.fullmatch("x+\u2026", worksheet_text("x" * 100_000))
