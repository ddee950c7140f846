"""`collect` through api.collect: golden files, sequence types across runs, amendments,
collection dates, file splitting, invalid rows, reruns and the journal.

Each test writes tiny CSV sheets and an incasso.toml into its own folder; the ledger
(incasso.db) lands beside the settings, the outputs in out/.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import tempfile
import zipfile
from contextlib import closing
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from textwrap import dedent

import openpyxl
import polars as pl
import pytest
from golden_files import GOLDEN, assert_golden
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from shared import CLUB

from incasso_sheets import api
from incasso_sheets.collect.run import CollectRequest, CollectResult, collection_journal
from incasso_sheets.core import bookings
from incasso_sheets.core.errors import CannotContinue
from incasso_sheets.core.settings import load_settings
from incasso_sheets.formats import xsd
from incasso_sheets.runtime.output_plan import RECORD_NAME

NOW = dt.datetime(2026, 11, 27, 10, 0)        # Friday, before ABN AMRO's 12:30 cut-off
NEXT_DAY = dt.datetime(2026, 11, 28, 10, 0)   # Saturday: received Monday, earliest Tuesday
VERSIONS = ("pain.008.001.08", "pain.008.001.02")

SETTINGS = CLUB  # the collection keys are Books.settings's

HEADER = "Debiteurnummer;Naam;IBAN;Automatische incasso;Machtigingskenmerk;Datum machtiging"
INVOICE_HEADER = "Factuurnummer;Debiteurnummer;Factuurdatum;Vervaldatum;Bedrag;Omschrijving"
ONE_DEBTOR = f"""
    {HEADER}
    10001;Jansen;NL91ABNA0417164300;ja;MDT-10001;01-03-2024
"""


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def invoices(*rows: str) -> str:
    return "\n".join([INVOICE_HEADER, *rows])


class Books:
    """One creditor's folder: deb.csv, inv.csv, incasso.toml, incasso.db and out/."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.out = folder / "out"
        self.settings()

    def settings(self, **collection) -> None:
        collection = {"bank": "abnamro", **collection}
        extra = "".join(f"\n    {k} = {toml_value(v)}" for k, v in collection.items())
        (self.folder / "incasso.toml").write_text(dedent(SETTINGS + extra).lstrip(), encoding="utf-8")

    def sheets(self, debtors: str, invoices: str) -> None:
        for name, text in (("deb.csv", debtors), ("inv.csv", invoices)):
            (self.folder / name).write_text(dedent(text).strip() + "\n", encoding="utf-8")

    def collect(self, now: dt.datetime = NOW, **options) -> CollectResult:
        request = CollectRequest(debtors=self.folder / "deb.csv", invoices=self.folder / "inv.csv",
                                 outdir=self.out, now=now, config=self.folder / "incasso.toml",
                                 **options)
        return api.collect(request)

    def files(self) -> list[str]:
        """The output folder's files, but its record of who wrote them (test_output_plan)."""
        return sorted(p.name for p in self.out.iterdir() if p.name != RECORD_NAME) if self.out.exists() else []

    def ledger(self, sql: str, params=()) -> list[tuple]:
        """Run one statement on the ledger (committed) and return its rows."""
        with closing(sqlite3.connect(self.folder / "incasso.db")) as conn, conn:
            return conn.execute(sql, params).fetchall()


@pytest.fixture
def books(tmp_path) -> Books:
    return Books(tmp_path)


@dataclass(frozen=True)
class Tx:
    """One DrctDbtTxInf with its block's values, read back from the XML."""
    message_id: str
    scheme: str
    sequence_type: str
    collection_date: str
    amount: Decimal
    mandate_id: str
    original_mandate_id: str | None
    original_iban: str | None
    original_account_other: str | None
    amended: str
    debtor_agent: str
    remittance: str | None


def _text(element, path: str) -> str | None:
    found = element.find(path)
    return None if found is None else found.text


def read_transactions(paths: list[Path]) -> dict[str, Tx]:
    """EndToEndId -> Tx over the given pain.008 files, each first validated against its XSD."""
    txs: dict[str, Tx] = {}
    for path in paths:
        root = etree.parse(str(path)).getroot()
        version = etree.QName(root).namespace.rsplit(":", 1)[1]
        assert xsd.validate_file(path, version) == [], path
        msg_id = _text(root, "{*}CstmrDrctDbtInitn/{*}GrpHdr/{*}MsgId")
        for block in root.iter("{*}PmtInf"):
            info = block.find("{*}PmtTpInf")
            for tx in block.iter("{*}DrctDbtTxInf"):
                mandate = tx.find("{*}DrctDbtTx/{*}MndtRltdInf")
                agent = tx.find("{*}DbtrAgt/{*}FinInstnId")
                txs[_text(tx, "{*}PmtId/{*}EndToEndId")] = Tx(
                    message_id=msg_id,
                    scheme=_text(info, "{*}LclInstrm/{*}Cd"),
                    sequence_type=_text(info, "{*}SeqTp"),
                    collection_date=_text(block, "{*}ReqdColltnDt"),
                    amount=Decimal(_text(tx, "{*}InstdAmt")),
                    mandate_id=_text(mandate, "{*}MndtId"),
                    original_mandate_id=_text(mandate, "{*}AmdmntInfDtls/{*}OrgnlMndtId"),
                    original_iban=_text(mandate, "{*}AmdmntInfDtls/{*}OrgnlDbtrAcct/{*}Id/{*}IBAN"),
                    original_account_other=_text(
                        mandate, "{*}AmdmntInfDtls/{*}OrgnlDbtrAcct/{*}Id/{*}Othr/{*}Id"),
                    amended=_text(mandate, "{*}AmdmntInd"),
                    debtor_agent="".join(agent.itertext()),
                    remittance=_text(tx, "{*}RmtInf/{*}Ustrd"),
                )
    return txs


def xml_files(result: CollectResult) -> list[Path]:
    return [p for p in result.files if p.name.endswith(".pain008.xml")]


def collected(result: CollectResult) -> dict[str, Tx]:
    return read_transactions(xml_files(result))


def skipped(result: CollectResult) -> dict[str, str]:
    """invoice number -> reason code of every invoice left out."""
    frame = result.skipped if result.skipped is not None else pl.DataFrame(
        schema={"invoice_number": pl.Utf8, "code": pl.Utf8})
    return dict(frame.select("invoice_number", "code").iter_rows())


def codes(result: CollectResult) -> set[tuple[str, str | None]]:
    return {(i.code, i.value) for i in result.report.issues}


# --- golden files -----------------------------------------------------------------------

GOLDEN_DEBTORS = """
    Debiteurnummer;Naam;IBAN;BIC;Automatische incasso;Machtigingskenmerk;Datum machtiging;Type incasso;Volgordetype;Straat;Postcode;Plaats;Land;E-mail
    10001;Jansen;NL91ABNA0417164300;ABNANL2A;ja;MDT-10001;01-03-2024;;;;;;;jansen@example.com
    10002;Bakkerij Oost B.V.;NL64RABO0260893498;;ja;MDT-10002;15-01-2025;B2B;;;;;;
    10003;Smith (UK) Ltd;GB29NWBK60161331926819;NWBKGB2L;ja;MDT-10003;01-06-2025;;;1 High Street;SW1A 1AA;London;GB;
    10004;Peeters;BE68539007547034;;ja;MDT-10004;01-02-2025;;OOFF;;;;;
    10005;De Vries;NL53ABNA0766873846;;ja;MDT-10005;01-04-2025;;;;;;;
    10006;Geen Incasso;NL32INGB0477636853;;nee;;;;;;;;;
"""
GOLDEN_INVOICES = invoices(
    "2026-0001;10001;01-11-2026;01-12-2026;121,00;Contributie december",
    "2026-0002;10001;01-11-2026;15-12-2026;25,50;Clubkleding",
    "2026-0003;10002;01-11-2026;01-12-2026;1250,00;Sponsorbijdrage",
    "2026-0004;10003;01-11-2026;01-12-2026;42,00;Toernooi & kantine",
    "2026-0005;10004;01-11-2026;01-12-2026;15,00;Eenmalige bijdrage",
    "2026-0006;10005;01-11-2026;20-11-2026;60,00;Contributie november",
    "2026-0007;10006;01-11-2026;01-12-2026;10,00;Niet te incasseren",
)
# The second run, a day later: 10001 moved to another account at the same bank, 10003 got a
# new mandate reference with the same signing date, 10005 moved to another bank, 10007 is new.
SECOND_DEBTORS = """
    Debiteurnummer;Naam;IBAN;BIC;Automatische incasso;Machtigingskenmerk;Datum machtiging;Type incasso;Volgordetype;Straat;Postcode;Plaats;Land;E-mail
    10001;Jansen;NL02ABNA0123456789;;ja;MDT-10001;01-03-2024;;;;;;;jansen@example.com
    10002;Bakkerij Oost B.V.;NL64RABO0260893498;;ja;MDT-10002;15-01-2025;B2B;;;;;;
    10003;Smith (UK) Ltd;GB29NWBK60161331926819;NWBKGB2L;ja;MDT-10003-B;01-06-2025;;;1 High Street;SW1A 1AA;London;GB;
    10004;Peeters;BE68539007547034;;ja;MDT-10004;01-02-2025;;OOFF;;;;;
    10005;De Vries;NL06TRIO0511442130;;ja;MDT-10005;01-04-2025;;;;;;;
    10006;Geen Incasso;NL32INGB0477636853;;nee;;;;;;;;;
    10007;Bos;NL34ASNB0383159377;;ja;MDT-10007;01-11-2026;;;;;;;
"""
SECOND_INVOICES = GOLDEN_INVOICES + "\n" + "\n".join([
    "2026-0101;10001;15-11-2026;15-12-2026;121,00;Contributie januari",
    "2026-0102;10002;15-11-2026;15-12-2026;1250,00;Sponsorbijdrage",
    "2026-0103;10003;15-11-2026;15-12-2026;42,00;Toernooi",
    "2026-0104;10004;15-11-2026;15-12-2026;15,00;Nog een keer",
    "2026-0105;10005;15-11-2026;15-12-2026;60,00;Contributie januari",
    "2026-0106;10007;15-11-2026;15-12-2026;30,00;Inschrijving",
])


@pytest.mark.parametrize(("version", "journal_format"), [("pain.008.001.08", "nl"),
                                                         ("pain.008.001.02", "iso")])
def test_golden_first_run(books, request, version, journal_format):
    books.sheets(GOLDEN_DEBTORS, GOLDEN_INVOICES)
    result = books.collect(format=version, journal_format=journal_format)
    assert books.files() == [
        "INCS-20261127-0001.journal.csv", "INCS-20261127-0001.pain008.xml",
        "INCS-20261127-0001.prenotification.csv", "INCS-20261127-0001.summary.xlsx",
        "INCS-20261127-0002.journal.csv", "INCS-20261127-0002.pain008.xml",
        "INCS-20261127-0002.prenotification.csv", "INCS-20261127-0002.summary.xlsx",
    ]
    for path in xml_files(result):
        assert xsd.validate_file(path, version) == []
    out = books.out
    assert_golden(f"collect/first-run-core.{version}.xml",
                  (out / "INCS-20261127-0001.pain008.xml").read_bytes(), request)
    assert_golden(f"collect/first-run-b2b.{version}.xml",
                  (out / "INCS-20261127-0002.pain008.xml").read_bytes(), request)
    assert_golden(f"collect/first-run-core.journal-{journal_format}.csv",
                  (out / "INCS-20261127-0001.journal.csv").read_bytes(), request)
    assert_golden(f"collect/first-run-core.prenotification-{journal_format}.csv",
                  (out / "INCS-20261127-0001.prenotification.csv").read_bytes(), request)
    assert skipped(result) == {"2026-0007": "debtor-direct-debit-off"}


@pytest.mark.parametrize("version", VERSIONS)
def test_golden_second_run_with_amendments(books, request, version):
    books.sheets(GOLDEN_DEBTORS, GOLDEN_INVOICES)
    books.collect(format=version)
    books.sheets(SECOND_DEBTORS, SECOND_INVOICES)
    result = books.collect(now=NEXT_DAY, format=version)
    core = books.out / "INCS-20261128-0001.pain008.xml"
    assert xsd.validate_file(core, version) == []
    assert_golden(f"collect/second-run-core.{version}.xml", core.read_bytes(), request)
    assert_golden("collect/second-run-core.journal-nl.csv",
                  (books.out / "INCS-20261128-0001.journal.csv").read_bytes(), request)
    txs = collected(result)
    assert {e2e: (t.sequence_type, t.original_mandate_id, t.original_iban, t.original_account_other)
            for e2e, t in txs.items()} == {
        "2026-0101": ("RCUR", None, "NL91ABNA0417164300", None),  # same bank: the old IBAN
        "2026-0102": ("RCUR", None, None, None),                  # B2B, unchanged
        "2026-0103": ("RCUR", "MDT-10003", None, None),           # new reference, same date
        "2026-0105": ("FRST", None, None, "SMNDA"),               # another bank
        "2026-0106": ("FRST", None, None, None),                  # a new debtor
    }
    left_out = skipped(result)
    assert left_out["2026-0104"] == "mandate-used-up"
    assert {left_out[n] for n in ("2026-0001", "2026-0003", "2026-0005", "2026-0006")} == {
        "invoice-already-collected"}


@pytest.mark.parametrize("path", sorted((GOLDEN / "collect").glob("*.xml")), ids=lambda p: p.name)
def test_golden_xml_files_are_valid(path):
    assert xsd.validate_file(path, path.name.split(".", 1)[1].removesuffix(".xml")) == []


def test_golden_outputs_are_the_same_on_every_run(tmp_path):
    """Same sheets, settings and clock in two folders: byte-identical outputs, xlsx included."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = Books(tmp_path / "a"), Books(tmp_path / "b")
    for b in (first, second):
        b.sheets(GOLDEN_DEBTORS, GOLDEN_INVOICES)
        b.collect()
    assert first.files() == second.files()
    for name in first.files():
        assert (first.out / name).read_bytes() == (second.out / name).read_bytes(), name


ADDRESS_HEADER = "Debiteurnummer;Naam;IBAN;Automatische incasso;Machtigingskenmerk;Datum machtiging;Straat;Postcode;Plaats;Land"
NL_WITH_ADDRESS = "10001;Jansen;NL91ABNA0417164300;ja;MDT-10001;01-03-2024;Dorpsstraat 1;1234 AB;Utrecht;NL"
GB_WITH_ADDRESS = "10003;Smith (UK) Ltd;GB29NWBK60161331926819;ja;MDT-10003;01-06-2025;1 High Street;SW1A 1AA;London;GB"


def addresses(result: CollectResult) -> dict[str, str | None]:
    """EndToEndId -> the debtor's PstlAdr as 'StrtNm|PstCd|TwnNm|Ctry', None when not sent."""
    found = {}
    for path in xml_files(result):
        for tx in etree.parse(str(path)).getroot().iter("{*}DrctDbtTxInf"):
            address = tx.find("{*}Dbtr/{*}PstlAdr")
            found[_text(tx, "{*}PmtId/{*}EndToEndId")] = None if address is None else "|".join(
                _text(address, f"{{*}}{tag}") for tag in ("StrtNm", "PstCd", "TwnNm", "Ctry"))
    return found


@pytest.mark.parametrize("with_gb", [False, True])
def test_only_a_debtor_outside_the_eea_sends_an_address(books, with_gb):
    rows = [NL_WITH_ADDRESS, GB_WITH_ADDRESS] if with_gb else [NL_WITH_ADDRESS]
    books.sheets("\n".join([ADDRESS_HEADER, *rows]),
                 invoices("A-1;10001;01-11-2026;01-12-2026;10,00;Contributie",
                          *(["A-2;10003;01-11-2026;01-12-2026;20,00;Contributie"] if with_gb else [])))
    sent = addresses(books.collect())
    assert sent == ({"A-1": None, "A-2": "1 High Street|SW1A 1AA|London|GB"} if with_gb else {"A-1": None})


def test_summary_workbook(books):
    books.sheets(GOLDEN_DEBTORS, GOLDEN_INVOICES)
    books.collect()
    path = books.out / "INCS-20261127-0001.summary.xlsx"
    # fixed stamps inside and on every zip entry: the same run gives the same bytes
    with zipfile.ZipFile(path) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2026, 1, 1, 0, 0, 0)}
    wb = openpyxl.load_workbook(path)
    assert wb.properties.modified == wb.properties.created == dt.datetime(2026, 1, 1)
    assert wb.sheetnames == ["Samenvatting", "Overgeslagen"]
    assert list(wb["Samenvatting"].values) == [
        ("Batch (PmtInfId)", "Type incasso", "Volgordetype", "Incassodatum", "Aantal", "Totaal"),
        ("INCS-20261127-0001-1", "CORE", "FRST", dt.datetime(2026, 11, 30), 1, 60),
        ("INCS-20261127-0001-2", "CORE", "FRST", dt.datetime(2026, 12, 1), 2, 163),
        ("INCS-20261127-0001-3", "CORE", "OOFF", dt.datetime(2026, 12, 1), 1, 15),
        ("INCS-20261127-0001-4", "CORE", "FRST", dt.datetime(2026, 12, 15), 1, 25.5),
        ("Totaal INCS-20261127-0001", None, None, None, 5, 263.5),
    ]
    assert list(wb["Overgeslagen"].values) == [
        ("Regel", "Factuurnummer", "Reden", "Toelichting"),
        (8, "2026-0007", "debtor-direct-debit-off", None),
    ]


# --- sequence types across runs ---------------------------------------------------------

def test_frst_then_rcur_on_a_second_run(books):
    books.sheets(ONE_DEBTOR, invoices("A-1;10001;01-11-2026;01-12-2026;10,00;"))
    first = collected(books.collect())
    assert first["A-1"].sequence_type == "FRST"
    assert first["A-1"].message_id == "INCS-20261127-0001"
    books.sheets(ONE_DEBTOR, invoices("A-1;10001;01-11-2026;01-12-2026;10,00;",
                                      "A-2;10001;15-11-2026;15-12-2026;20,00;"))
    second = books.collect(now=NEXT_DAY)
    txs = collected(second)
    assert list(txs) == ["A-2"]
    assert (txs["A-2"].sequence_type, txs["A-2"].amended) == ("RCUR", "false")
    assert txs["A-2"].message_id == "INCS-20261128-0001"
    assert skipped(second) == {"A-1": "invoice-already-collected"}
    assert books.ledger("SELECT end_to_end_id, sequence_type FROM transactions ORDER BY 1") == [
        ("A-1", "FRST"), ("A-2", "RCUR")]


def test_rejected_frst_is_collected_again_as_frst(books):
    books.sheets(ONE_DEBTOR, invoices("A-1;10001;01-11-2026;01-12-2026;10,00;"))
    books.collect()
    # a pain.002 reject before settlement for insufficient funds: retried automatically
    books.ledger("UPDATE transactions SET status = 'rejected', reason_code = 'AM04' "
                 "WHERE end_to_end_id = 'A-1'")
    txs = collected(books.collect(now=NEXT_DAY))
    assert list(txs) == ["A-1-2"]
    assert txs["A-1-2"].sequence_type == "FRST"
    assert books.ledger("SELECT end_to_end_id, attempt, status FROM transactions ORDER BY 1") == [
        ("A-1", 1, "rejected"), ("A-1-2", 2, "collected")]


def test_first_as_frst_false_sends_rcur(books):
    books.settings(first_as_frst=False)
    books.sheets(ONE_DEBTOR, invoices("A-1;10001;01-11-2026;01-12-2026;10,00;"))
    assert collected(books.collect())["A-1"].sequence_type == "RCUR"


def test_frst_asked_after_use_is_sent_as_rcur_with_a_warning(books):
    debtors = f"""
        {HEADER};Volgordetype
        10001;Jansen;NL91ABNA0417164300;ja;MDT-10001;01-03-2024;FRST
    """
    books.sheets(debtors, invoices("A-1;10001;01-11-2026;01-12-2026;10,00;"))
    assert collected(books.collect())["A-1"].sequence_type == "FRST"
    books.sheets(debtors, invoices("A-2;10001;01-11-2026;15-12-2026;10,00;"))
    result = books.collect(now=NEXT_DAY)
    assert collected(result)["A-2"].sequence_type == "RCUR"
    assert ("sequence-frst-after-use", "A-2") in codes(result)


@pytest.mark.parametrize("sequence", ["OOFF", "FNAL"])
def test_one_off_and_final_mandates_are_used_once(books, sequence):
    debtors = f"""
        {HEADER};Volgordetype
        10001;Jansen;NL91ABNA0417164300;ja;MDT-10001;01-03-2024;{sequence}
    """
    books.sheets(debtors, invoices("A-1;10001;01-11-2026;01-12-2026;10,00;"))
    assert collected(books.collect())["A-1"].sequence_type == sequence
    books.sheets(debtors, invoices("A-1;10001;01-11-2026;01-12-2026;10,00;",
                                   "A-2;10001;01-11-2026;15-12-2026;10,00;"))
    before = books.files()
    result = books.collect(now=NEXT_DAY)
    assert skipped(result) == {"A-1": "invoice-already-collected", "A-2": "mandate-used-up"}
    assert ("mandate-used-up", "A-2") in codes(result)
    assert result.messages == [] and not result.written
    assert books.files() == before


def test_one_off_mandate_with_two_invoices_in_one_run(books):
    books.sheets(f"""
        {HEADER};Volgordetype
        10001;Jansen;NL91ABNA0417164300;ja;MDT-10001;01-03-2024;OOFF
    """, invoices("A-1;10001;01-11-2026;01-12-2026;10,00;", "A-2;10001;01-11-2026;15-12-2026;10,00;"))
    result = books.collect()
    assert list(collected(result)) == ["A-1"]
    assert skipped(result) == {"A-2": "mandate-used-up"}


def test_mandate_unused_for_36_months_has_expired(books):
    books.sheets(ONE_DEBTOR, invoices("A-1;10001;01-11-2026;01-12-2026;10,00;"))
    books.collect()
    books.ledger("UPDATE mandates SET last_collection_date = '2023-11-30'")
    books.sheets(ONE_DEBTOR, invoices("A-2;10001;01-11-2026;15-12-2026;10,00;"))
    result = books.collect(now=NEXT_DAY)
    assert skipped(result) == {"A-2": "mandate-expired"}
    assert result.messages == []


def test_blocked_mandate_is_not_collected(books):
    books.sheets(ONE_DEBTOR, invoices("A-1;10001;01-11-2026;01-12-2026;10,00;"))
    books.collect()
    books.ledger("UPDATE mandates SET status = 'blocked', status_reason = 'MD01'")
    books.sheets(ONE_DEBTOR, invoices("A-2;10001;01-11-2026;15-12-2026;10,00;"))
    result = books.collect(now=NEXT_DAY)
    assert skipped(result) == {"A-2": "mandate-inactive"}
    (issue,) = [i for i in result.report.issues if i.code == "mandate-inactive"]
    assert dict(issue.params)["detail"] == "blocked MD01"


def test_mandate_end_date_before_the_collection_date(books):
    debtors = f"""
        {HEADER};Einddatum machtiging
        10001;Jansen;NL91ABNA0417164300;ja;MDT-10001;01-03-2024;05-12-2026
    """
    books.sheets(debtors, invoices("A-1;10001;01-11-2026;01-12-2026;10,00;",
                                   "A-2;10001;01-11-2026;15-12-2026;20,00;"))
    result = books.collect()
    assert list(collected(result)) == ["A-1"]
    assert skipped(result) == {"A-2": "mandate-ended"}
    (issue,) = [i for i in result.report.issues if i.code == "mandate-ended"]
    assert (issue.row, issue.column, issue.value) == (3, "Factuurnummer", "A-2")
    assert dict(issue.params)["detail"] == "2026-12-05"


# --- amendments (docs/sepa.md §3) ---------------------------------------------------------

def _collect_then_change(books, changed_debtor_row: str) -> dict[str, Tx]:
    books.sheets(ONE_DEBTOR, invoices("A-1;10001;01-11-2026;01-12-2026;10,00;"))
    books.collect()
    books.sheets(f"{HEADER}\n{changed_debtor_row}",
                 invoices("A-1;10001;01-11-2026;01-12-2026;10,00;",
                          "A-2;10001;15-11-2026;15-12-2026;20,00;"))
    return collected(books.collect(now=NEXT_DAY))


def test_new_mandate_id_with_the_same_date_is_an_amendment(books):
    txs = _collect_then_change(books, "10001;Jansen;NL91ABNA0417164300;ja;MDT-10001-B;01-03-2024")
    a2 = txs["A-2"]
    assert (a2.sequence_type, a2.mandate_id, a2.original_mandate_id, a2.amended) == (
        "RCUR", "MDT-10001-B", "MDT-10001", "true")
    assert (a2.original_iban, a2.original_account_other) == (None, None)


def test_new_mandate_id_with_a_new_date_is_a_new_mandate(books):
    txs = _collect_then_change(books, "10001;Jansen;NL91ABNA0417164300;ja;MDT-10001-B;01-11-2026")
    a2 = txs["A-2"]
    assert (a2.sequence_type, a2.mandate_id, a2.original_mandate_id, a2.amended) == (
        "FRST", "MDT-10001-B", None, "false")


def test_iban_at_another_bank_is_smnda_with_frst(books):
    txs = _collect_then_change(books, "10001;Jansen;NL64RABO0260893498;ja;MDT-10001;01-03-2024")
    a2 = txs["A-2"]
    assert (a2.sequence_type, a2.original_account_other, a2.original_iban, a2.amended) == (
        "FRST", "SMNDA", None, "true")
    assert a2.debtor_agent == "RABONL2U"


def test_iban_at_the_same_bank_sends_the_original_iban(books):
    txs = _collect_then_change(books, "10001;Jansen;NL02ABNA0123456789;ja;MDT-10001;01-03-2024")
    a2 = txs["A-2"]
    assert (a2.sequence_type, a2.original_iban, a2.original_account_other, a2.amended) == (
        "RCUR", "NL91ABNA0417164300", None, "true")


def test_an_amendment_is_sent_once(books):
    _collect_then_change(books, "10001;Jansen;NL02ABNA0123456789;ja;MDT-10001;01-03-2024")
    books.sheets(f"{HEADER}\n10001;Jansen;NL02ABNA0123456789;ja;MDT-10001;01-03-2024",
                 invoices("A-3;10001;15-11-2026;16-12-2026;30,00;"))
    a3 = collected(books.collect(now=dt.datetime(2026, 11, 30, 10)))["A-3"]
    assert (a3.sequence_type, a3.amended, a3.original_iban) == ("RCUR", "false", None)


# --- collection dates -------------------------------------------------------------------

@pytest.mark.parametrize(("now", "due", "expected"), [
    ("2026-04-02T11:00:00", "02-04-2026", "2026-04-07"),  # over Good Friday and Easter Monday
    ("2026-04-02T13:00:00", "02-04-2026", "2026-04-08"),  # after ABN AMRO's 12:30 cut-off
    ("2026-12-24T09:00:00", "24-12-2026", "2026-12-28"),  # over Christmas
    ("2026-12-24T09:00:00", "25-12-2026", "2026-12-28"),  # due on a closing day
    ("2026-04-02T11:00:00", "10-04-2026", "2026-04-10"),  # far enough ahead: the due date
])
def test_earliest_collection_date(books, now, due, expected):
    books.sheets(ONE_DEBTOR, invoices(f"A-1;10001;01-01-2026;{due};10,00;"))
    assert collected(books.collect(now=dt.datetime.fromisoformat(now)))["A-1"].collection_date == expected


def test_cutoff_comes_from_the_bank_setting(books):
    books.settings(bank="rabobank")  # 07:00: 11:00 is too late for 04-02
    books.sheets(ONE_DEBTOR, invoices("A-1;10001;01-01-2026;02-04-2026;10,00;"))
    tx = collected(books.collect(now=dt.datetime(2026, 4, 2, 11)))["A-1"]
    assert tx.collection_date == "2026-04-08"


def test_date_earlier_than_the_earliest_stops(books):
    books.sheets(ONE_DEBTOR, invoices("A-1;10001;01-11-2026;01-12-2026;10,00;"))
    with pytest.raises(CannotContinue) as caught:
        books.collect(collection_date=dt.date(2026, 11, 27))
    assert caught.value.code == "collection-date-too-early"
    assert caught.value.params == {"date": "2026-11-27", "earliest": "2026-11-30"}
    assert books.files() == []


def test_fixed_date_for_every_invoice(books):
    books.sheets(ONE_DEBTOR, invoices("A-1;10001;01-11-2026;01-12-2026;10,00;",
                                      "A-2;10001;01-11-2026;20-12-2026;10,00;"))
    result = books.collect(collection_date=dt.date(2026, 12, 10))
    assert {t.collection_date for t in collected(result).values()} == {"2026-12-10"}
    assert [len(m.blocks) for m in result.messages] == [1]


def test_fixed_date_on_a_closing_day_moves_to_the_next_business_day(books):
    books.sheets(ONE_DEBTOR, invoices("A-1;10001;01-11-2026;01-12-2026;10,00;"))
    result = books.collect(collection_date=dt.date(2026, 12, 25))
    assert collected(result)["A-1"].collection_date == "2026-12-28"


def test_until_leaves_later_invoices_for_later(books):
    books.sheets(ONE_DEBTOR, invoices("A-1;10001;01-11-2026;01-12-2026;10,00;",
                                      "A-2;10001;01-11-2026;20-12-2026;10,00;"))
    result = books.collect(until=dt.date(2026, 12, 10))
    assert list(collected(result)) == ["A-1"]
    assert skipped(result) == {"A-2": "invoice-not-due"}
    later = books.collect(now=NEXT_DAY)
    assert list(collected(later)) == ["A-2"]


# --- files: splitting and schemes ------------------------------------------------------

def test_max_transactions_per_file_splits_into_files(books):
    books.settings(max_transactions_per_file=2)
    books.sheets(ONE_DEBTOR, invoices(*[f"A-{n};10001;01-11-2026;01-12-2026;{n},00;"
                                        for n in range(1, 6)]))
    result = books.collect()
    paths = xml_files(result)
    assert [p.name for p in paths] == [f"INCS-20261127-000{n}.pain008.xml" for n in (1, 2, 3)]
    counts, ids = [], []
    for path in paths:
        root = etree.parse(str(path)).getroot()
        counts.append(int(_text(root, "{*}CstmrDrctDbtInitn/{*}GrpHdr/{*}NbOfTxs")))
        ids.append(_text(root, "{*}CstmrDrctDbtInitn/{*}GrpHdr/{*}MsgId"))
        ids += [e.text for e in root.iter("{*}PmtInfId")]
    assert counts == [2, 2, 1]
    assert len(ids) == len(set(ids)) == 6
    assert sorted(collected(result)) == [f"A-{n}" for n in range(1, 6)]
    assert books.ledger("SELECT count(*) FROM messages") == [(3,)]


def test_core_and_b2b_go_to_separate_files(books):
    books.sheets(f"""
        {HEADER};Type incasso
        10001;Jansen;NL91ABNA0417164300;ja;MDT-10001;01-03-2024;CORE
        10002;Bakkerij Oost;NL64RABO0260893498;ja;MDT-10002;01-03-2024;B2B
    """, invoices("A-1;10001;01-11-2026;01-12-2026;10,00;", "B-1;10002;01-11-2026;01-12-2026;20,00;"))
    txs = collected(books.collect())
    assert {(t.message_id, t.scheme) for t in txs.values()} == {
        ("INCS-20261127-0001", "CORE"), ("INCS-20261127-0002", "B2B")}


def test_scheme_option_collects_one_scheme(books):
    books.sheets(f"""
        {HEADER};Type incasso
        10001;Jansen;NL91ABNA0417164300;ja;MDT-10001;01-03-2024;CORE
        10002;Bakkerij Oost;NL64RABO0260893498;ja;MDT-10002;01-03-2024;B2B
    """, invoices("A-1;10001;01-11-2026;01-12-2026;10,00;", "B-1;10002;01-11-2026;01-12-2026;20,00;"))
    result = books.collect(scheme="B2B")
    assert list(collected(result)) == ["B-1"]
    assert skipped(result) == {"A-1": "scheme-not-selected"}


# --- invalid rows, reruns, dry runs ----------------------------------------------------

INVALID = invoices("A-1;10001;01-11-2026;01-12-2026;10,00;",
                   "A-2;10001;01-11-2026;01-12-2026;tien euro;",
                   "A-3;10009;01-11-2026;01-12-2026;30,00;")


def test_errors_stop_the_run_and_nothing_is_written(books):
    books.sheets(ONE_DEBTOR, INVALID)
    result = books.collect()
    assert not result.report.valid and not result.written
    assert {(i.row, i.code) for i in result.report.errors} == {(3, "amount-invalid"),
                                                               (4, "debtor-unknown")}
    assert result.messages == []
    assert not books.out.exists()
    assert not (books.folder / "incasso.db").exists()


def test_skip_invalid_collects_the_rest_and_lists_what_was_left_out(books):
    books.sheets(ONE_DEBTOR, INVALID)
    result = books.collect(skip_invalid=True)
    assert list(collected(result)) == ["A-1"]
    assert skipped(result) == {"A-2": "invoice-invalid-skipped", "A-3": "invoice-invalid-skipped"}
    left_out = {(i.row, i.code, i.severity) for i in result.report.issues if i.code.endswith("-skipped")}
    assert left_out == {(3, "invoice-invalid-skipped", "warning"), (4, "invoice-invalid-skipped", "warning")}
    assert books.ledger("SELECT invoice_number FROM transactions") == [("A-1",)]


def test_skip_invalid_leaves_out_the_invoices_of_an_invalid_debtor(books):
    books.sheets(f"""
        {HEADER}
        10001;Jansen;NL91ABNA0417164300;ja;MDT-10001;01-03-2024
        10002;Fout;NL00ABNA0000000000;ja;MDT-10002;01-03-2024
    """, invoices("A-1;10001;01-11-2026;01-12-2026;10,00;", "B-1;10002;01-11-2026;01-12-2026;20,00;"))
    result = books.collect(skip_invalid=True)
    assert list(collected(result)) == ["A-1"]
    assert skipped(result) == {"B-1": "debtor-invalid-skipped"}


def test_a_second_run_on_the_same_sheets_collects_nothing(books):
    books.sheets(ONE_DEBTOR, invoices("A-1;10001;01-11-2026;01-12-2026;10,00;"))
    books.collect()
    before = {name: (books.out / name).read_bytes() for name in books.files()}
    again = books.collect()
    assert again.report.valid and again.messages == [] and not again.written
    assert skipped(again) == {"A-1": "invoice-already-collected"}
    (issue,) = [i for i in again.report.issues if i.code == "invoice-already-collected"]
    assert (issue.severity, dict(issue.params)["detail"]) == ("warning", "INCS-20261127-0001-1")
    assert {name: (books.out / name).read_bytes() for name in books.files()} == before
    assert books.ledger("SELECT count(*) FROM transactions") == [(1,)]


TWO_DEBTORS = f"""
    {HEADER}
    10001;Jansen;NL91ABNA0417164300;ja;MDT-10001;01-03-2024
    10002;Bakker;NL64RABO0260893498;ja;MDT-10002;01-03-2024
"""
A_YEAR_LATER = dt.datetime(2027, 11, 26, 10, 0)


def test_an_invoice_number_used_again_for_another_invoice_is_an_error(books):
    """Numbering that restarts every year: 0001 of 2027 is not 0001 of 2026. Taken for
    collected, it would never be collected; it is an error at its cell instead."""
    books.sheets(TWO_DEBTORS, invoices("0001;10001;01-11-2026;01-12-2026;10,00;"))
    assert books.collect().written
    books.sheets(TWO_DEBTORS, invoices("0001;10002;01-11-2027;01-12-2027;30,00;",
                                       "0002;10002;01-11-2027;01-12-2027;20,00;"))
    again = books.collect(now=A_YEAR_LATER)
    assert not again.report.valid and not again.written and again.messages == []
    (issue,) = [i for i in again.report.issues if i.is_error]
    assert (issue.code, issue.file, issue.row, issue.column, issue.value) == (
        "invoice-number-reused", "inv.csv", 2, "Factuurnummer", "0001")
    assert issue.message() == (
        "This invoice number was collected before for another invoice (batch, debtor, invoice date: "
        "INCS-20261127-0001-1, 10001, 2026-11-01); invoice numbers must stay unique, also across years: "
        "give this invoice a new number (for example with the year in front)")
    assert books.ledger("SELECT count(*) FROM transactions") == [(1,)]

    rest = books.collect(now=A_YEAR_LATER, skip_invalid=True)
    assert skipped(rest) == {"0001": "invoice-number-reused"}
    assert sorted(collected(rest)) == ["0002"]


@pytest.mark.parametrize(("row", "why"), [
    ("0001;10001;01-11-2026;01-12-2026;10,00;", "the same invoice"),
    ("0001;10002;01-11-2026;01-12-2026;10,00;", "the same date: the debtor was renumbered"),
    ("0001;10001;01-11-2026;01-12-2026;12,50;", "the open amount changed"),
])
def test_the_same_invoice_again_is_already_collected(books, row, why):
    books.sheets(TWO_DEBTORS, invoices("0001;10001;01-11-2026;01-12-2026;10,00;"))
    assert books.collect().written
    books.sheets(TWO_DEBTORS, invoices(row))
    again = books.collect()
    assert again.report.valid, why
    assert skipped(again) == {"0001": "invoice-already-collected"}, why


def test_dry_run_writes_nothing(books):
    books.sheets(ONE_DEBTOR, invoices("A-1;10001;01-11-2026;01-12-2026;10,00;"))
    result = books.collect(dry_run=True)
    assert result.dry_run and not result.written and result.files == []
    assert [m.message_id for m in result.messages] == ["INCS-20261127-0001"]
    assert not books.out.exists()
    assert not (books.folder / "incasso.db").exists()


def test_dry_run_reads_an_existing_ledger_without_changing_it(books):
    books.sheets(ONE_DEBTOR, invoices("A-1;10001;01-11-2026;01-12-2026;10,00;"))
    books.collect()
    db = (books.folder / "incasso.db").read_bytes()
    books.sheets(ONE_DEBTOR, invoices("A-1;10001;01-11-2026;01-12-2026;10,00;",
                                      "A-2;10001;01-11-2026;15-12-2026;10,00;"))
    result = books.collect(now=NEXT_DAY, dry_run=True)
    (message,) = result.messages
    assert [b.sequence_type for b in message.blocks] == ["RCUR"]
    assert message.message_id == "INCS-20261128-0001"
    assert (books.folder / "incasso.db").read_bytes() == db
    assert len(books.files()) == 4


def test_existing_output_file_stops_the_run(books):
    books.sheets(ONE_DEBTOR, invoices("A-1;10001;01-11-2026;01-12-2026;10,00;"))
    books.out.mkdir()
    (books.out / "INCS-20261127-0001.pain008.xml").write_text("mine")
    with pytest.raises(CannotContinue) as caught:
        books.collect()
    assert caught.value.code == "output-exists"
    assert books.files() == ["INCS-20261127-0001.pain008.xml"]
    assert (books.out / "INCS-20261127-0001.pain008.xml").read_text() == "mine"
    assert books.ledger("SELECT count(*) FROM transactions") == [(0,)]


# --- text and the journal ---------------------------------------------------------------

def test_long_remittance_is_shortened_with_a_warning(books):
    description = "Contributie seizoen 2026-2027 " + "en nog veel meer tekst " * 8
    books.sheets(ONE_DEBTOR, invoices(f"A-1;10001;01-11-2026;01-12-2026;10,00;{description}"))
    result = books.collect()
    ustrd = collected(result)["A-1"].remittance
    assert len(ustrd) <= 140
    (issue,) = [i for i in result.report.issues if i.code == "remittance-shortened"]
    params = dict(issue.params)
    assert (issue.severity, issue.row, issue.value) == ("warning", 2, "A-1")
    assert params["after"] == ustrd
    assert params["before"] == f"Factuur A-1 {description}".strip()
    assert len(params["before"]) > 140


def test_journal_balances_and_equals_the_control_sum(books):
    books.sheets(GOLDEN_DEBTORS, GOLDEN_INVOICES)
    result = books.collect(journal_format="iso")
    loaded, _ = load_settings(books.folder / "incasso.toml")
    for message in result.messages:
        lines = pl.concat(collection_journal(message, loaded, NOW.date()))
        assert bookings.unbalanced_entries(lines) == []
        journal = pl.read_csv(books.out / f"{message.message_id}.journal.csv",
                              schema_overrides={"Debet": pl.Utf8, "Credit": pl.Utf8})
        debit = sum(Decimal(v) for v in journal["Debet"].drop_nulls())
        credit = sum(Decimal(v) for v in journal["Credit"].drop_nulls())
        root = etree.parse(str(books.out / f"{message.message_id}.pain008.xml")).getroot()
        ctrl_sum = Decimal(_text(root, "{*}CstmrDrctDbtInitn/{*}GrpHdr/{*}CtrlSum"))
        assert debit == credit == ctrl_sum == Decimal(message.total_cents) / 100
        assert set(journal.filter(pl.col("Debet").is_not_null())["Rekening"].cast(pl.Utf8)) == {"1290"}
        assert set(journal.filter(pl.col("Credit").is_not_null())["Rekening"].cast(pl.Utf8)) == {"1300"}


# --- property: any small set of invoices -> valid XML, exact sums, a balanced journal ----

POOL = [("10001", "NL91ABNA0417164300"), ("10002", "NL64RABO0260893498"),
        ("10003", "BE68539007547034"), ("10004", "DE89370400440532013000"),
        ("10005", "NL06TRIO0511442130")]


def _amount_text(cents: int) -> str:
    return f"{cents // 100},{cents % 100:02d}"


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(b2b=st.lists(st.booleans(), min_size=len(POOL), max_size=len(POOL)),
       rows=st.lists(st.tuples(st.integers(0, len(POOL) - 1), st.integers(1, 10**9),
                               st.integers(-5, 25)), min_size=1, max_size=12),
       version=st.sampled_from(VERSIONS))
def test_any_invoices_give_valid_files_with_exact_sums(b2b, rows, version):
    due = [dt.date(2026, 11, 27) + dt.timedelta(days=d) for _, _, d in rows]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        b = Books(folder)
        b.sheets(
            f"{HEADER};Type incasso\n" + "\n".join(
                f"{d};Debiteur {d};{iban};ja;MDT-{d};01-03-2024;{'B2B' if flag else 'CORE'}"
                for (d, iban), flag in zip(POOL, b2b, strict=True)),
            invoices(*[f"F-{n};{POOL[i][0]};01-10-2026;{day:%d-%m-%Y};{_amount_text(c)};Factuur"
                       for n, ((i, c, _), day) in enumerate(zip(rows, due, strict=True))]))
        result = b.collect(format=version)
        assert result.report.valid and result.written
        loaded, _ = load_settings(folder / "incasso.toml")
        total = 0
        for message in result.messages:
            path = b.out / f"{message.message_id}.pain008.xml"
            assert xsd.validate_file(path, version) == []
            root = etree.parse(str(path)).getroot()
            header = root.find("{*}CstmrDrctDbtInitn/{*}GrpHdr")
            amounts = [Decimal(e.text) for e in root.iter("{*}InstdAmt")]
            assert int(_text(header, "{*}NbOfTxs")) == len(amounts) == message.count
            assert Decimal(_text(header, "{*}CtrlSum")) == sum(amounts) == Decimal(message.total_cents) / 100
            schemes = set()
            for block in root.iter("{*}PmtInf"):
                block_amounts = [Decimal(e.text) for e in block.iter("{*}InstdAmt")]
                assert int(_text(block, "{*}NbOfTxs")) == len(block_amounts)
                assert Decimal(_text(block, "{*}CtrlSum")) == sum(block_amounts)
                schemes.add(_text(block, "{*}PmtTpInf/{*}LclInstrm/{*}Cd"))
            assert len(schemes) == 1
            assert bookings.unbalanced_entries(pl.concat(collection_journal(message, loaded, NOW.date()))) == []
            total += message.total_cents
        assert total == sum(c for _, c, _ in rows)
        assert sum(m.count for m in result.messages) == len(rows)
