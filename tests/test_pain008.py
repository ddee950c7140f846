"""write_pain008: golden files for both versions, XSD-valid output, exact control sums."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import polars as pl
import pytest
from golden_files import GOLDEN, assert_golden
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from incasso_sheets.core.model import TRANSACTION_SCHEMA, Block, Message
from incasso_sheets.core.settings import Creditor
from incasso_sheets.formats import pain008
from incasso_sheets.formats.pain008 import NAMESPACES, write_pain008
from incasso_sheets.formats.xsd import validate_file

VERSIONS = ("pain.008.001.02", "pain.008.001.08")
CREDITOR = Creditor("Voorbeeld BV", "NL91ABNA0417164300", "ABNANL2A", "NL69ZZZ123456780000")
CREATED = dt.datetime(2026, 3, 5, 10, 15, 42)
COLLECTION = dt.date(2026, 3, 10)


def tx(end_to_end_id: str, amount_cents: int, debtor_iban: str, **fields) -> dict:
    row = dict.fromkeys(TRANSACTION_SCHEMA)
    row.update(end_to_end_id=end_to_end_id, amount_cents=amount_cents, debtor_iban=debtor_iban,
               mandate_id="MDT-" + end_to_end_id[-4:], mandate_date=dt.date(2024, 3, 15),
               smnda=False, send_address=False, debtor_name="Debiteur " + end_to_end_id[-4:],
               remittance="Factuur " + end_to_end_id[-9:], invoice_number=end_to_end_id[-9:])
    row.update(fields)
    return row


def frame(*rows: dict) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=TRANSACTION_SCHEMA)


def message(creditor: Creditor = CREDITOR) -> Message:
    first = frame(
        # a new account at another bank: SMNDA
        tx("INC-20260305-1-2026-0041", 12100, "DE89370400440532013000", debtor_bic="COBADEFFXXX",
           debtor_name="Bakkerij Oost", smnda=True),
        # a new mandate reference; debtor BIC unknown
        tx("INC-20260305-1-2026-0042", 4250, "BE68539007547034", debtor_name="Jansen + Zonen",
           mandate_id="MDT-10002-02", original_mandate_id="MDT-10002-01"),
    )
    recurring = frame(
        # a new account at the same bank: the old IBAN
        tx("INC-20260305-2-2026-0043", 99_999_999_999, "NL02ABNA0123456789", debtor_bic="ABNANL2A",
           debtor_name="J. de Vries", original_iban="NL91ABNA0417164300"),
        # outside the EEA: the address goes along; no remittance text
        tx("INC-20260305-2-2026-0044", 1, "GB29NWBK60161331926819", debtor_bic="NWBKGB2L",
           debtor_name="Smith (UK) Ltd", send_address=True, street="1 High Street",
           postcode="SW1A 1AA", city="London", country="GB", remittance=None),
    )
    return Message(
        message_id="INCS-20260305-0001", created_at=CREATED, creditor=creditor,
        batch_booking=True,
        blocks=(Block("INCS-20260305-0001-1", "CORE", "FRST", COLLECTION, first),
                Block("INCS-20260305-0001-2", "CORE", "RCUR", COLLECTION, recurring)),
    )


def render(msg: Message, version: str) -> bytes:
    out = io.BytesIO()
    write_pain008(out, msg, version)
    return out.getvalue()


def parse(data: bytes, version: str) -> tuple[etree._Element, dict[str, str]]:
    return etree.fromstring(data), {"p": NAMESPACES[version]}


@pytest.mark.parametrize("version", VERSIONS)
def test_golden_and_valid(version, request, tmp_path):
    data = render(message(), version)
    assert_golden(f"pain008/two-blocks-{version}.xml", data, request)
    path = tmp_path / "out.xml"
    path.write_bytes(data)
    assert validate_file(path, version) == []


@pytest.mark.parametrize("version", VERSIONS)
def test_golden_file_is_valid(version):
    assert validate_file(GOLDEN / f"pain008/two-blocks-{version}.xml", version) == []


def test_declaration_utf8_without_bom():
    data = render(message(), "pain.008.001.08")
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:')
    assert data.endswith(b"</Document>\n")


@pytest.mark.parametrize("version", VERSIONS)
def test_control_sums_and_counts(version):
    root, ns = parse(render(message(), version), version)
    assert root.findtext("p:CstmrDrctDbtInitn/p:GrpHdr/p:NbOfTxs", namespaces=ns) == "4"
    assert root.findtext("p:CstmrDrctDbtInitn/p:GrpHdr/p:CtrlSum", namespaces=ns) == "1000000163.50"
    blocks = root.findall("p:CstmrDrctDbtInitn/p:PmtInf", ns)
    assert [(b.findtext("p:NbOfTxs", namespaces=ns), b.findtext("p:CtrlSum", namespaces=ns),
             b.findtext("p:PmtTpInf/p:SeqTp", namespaces=ns)) for b in blocks] == [
        ("2", "163.50", "FRST"), ("2", "1000000000.00", "RCUR")]
    amounts = root.xpath("//p:InstdAmt", namespaces=ns)
    assert [(a.text, a.get("Ccy")) for a in amounts] == [
        ("121.00", "EUR"), ("42.50", "EUR"), ("999999999.99", "EUR"), ("0.01", "EUR")]


@pytest.mark.parametrize("version", VERSIONS)
def test_amendments(version):
    root, ns = parse(render(message(), version), version)
    details = [t.find("p:DrctDbtTx/p:MndtRltdInf", ns) for t in root.iterfind(".//p:DrctDbtTxInf", ns)]
    assert [d.findtext("p:AmdmntInd", namespaces=ns) for d in details] == ["true", "true", "true", "false"]
    smnda, new_id, same_bank, plain = details
    assert smnda.findtext("p:AmdmntInfDtls/p:OrgnlDbtrAcct/p:Id/p:Othr/p:Id", namespaces=ns) == "SMNDA"
    assert smnda.find("p:AmdmntInfDtls/p:OrgnlMndtId", ns) is None
    assert new_id.findtext("p:AmdmntInfDtls/p:OrgnlMndtId", namespaces=ns) == "MDT-10002-01"
    assert new_id.findtext("p:MndtId", namespaces=ns) == "MDT-10002-02"
    assert new_id.find("p:AmdmntInfDtls/p:OrgnlDbtrAcct", ns) is None
    assert same_bank.findtext("p:AmdmntInfDtls/p:OrgnlDbtrAcct/p:Id/p:IBAN", namespaces=ns) == "NL91ABNA0417164300"
    assert plain.find("p:AmdmntInfDtls", ns) is None


@pytest.mark.parametrize(("version", "bic_tag"), [("pain.008.001.02", "BIC"), ("pain.008.001.08", "BICFI")])
def test_debtor_agents_and_address(version, bic_tag):
    root, ns = parse(render(message(), version), version)
    txs = root.findall(".//p:DrctDbtTxInf", ns)
    agents = [t.find("p:DbtrAgt/p:FinInstnId", ns) for t in txs]
    assert [[etree.QName(c).localname for c in a] for a in agents] == [[bic_tag], ["Othr"], [bic_tag], [bic_tag]]
    assert agents[1].findtext("p:Othr/p:Id", namespaces=ns) == "NOTPROVIDED"
    address = txs[3].find("p:Dbtr/p:PstlAdr", ns)
    # .02: only Ctry and two AdrLine (EPC usage rules); .08: structured (docs/sepa.md §2)
    assert [(etree.QName(c).localname, c.text) for c in address] == ([
        ("Ctry", "GB"), ("AdrLine", "1 High Street"), ("AdrLine", "SW1A 1AA London")]
        if version == "pain.008.001.02" else [
        ("StrtNm", "1 High Street"), ("PstCd", "SW1A 1AA"), ("TwnNm", "London"), ("Ctry", "GB")])
    assert [t.find("p:Dbtr/p:PstlAdr", ns) is not None for t in txs] == [False, False, False, True]
    assert [t.findtext("p:RmtInf/p:Ustrd", namespaces=ns) for t in txs] == [
        "Factuur 2026-0041", "Factuur 2026-0042", "Factuur 2026-0043", None]


@pytest.mark.parametrize("version", VERSIONS)
def test_creditor_without_bic(version, tmp_path):
    data = render(message(Creditor("Voorbeeld BV", "NL91ABNA0417164300", None, "NL69ZZZ123456780000")), version)
    root, ns = parse(data, version)
    for block in root.iterfind(".//p:PmtInf", ns):
        assert block.findtext("p:CdtrAgt/p:FinInstnId/p:Othr/p:Id", namespaces=ns) == "NOTPROVIDED"
    path = tmp_path / "no-bic.xml"
    path.write_bytes(data)
    assert validate_file(path, version) == []


def test_partial_address_keeps_xsd_order_and_skips_nulls():
    rows = frame(tx("E2E-0001", 500, "GB29NWBK60161331926819", send_address=True, city="London",
                    country="GB", debtor_bic="NWBKGB2L"),
                 tx("E2E-0002", 500, "GB29NWBK60161331926819", send_address=False, city="London",
                    country="GB", debtor_bic="NWBKGB2L"))
    msg = Message("M-1", CREATED, CREDITOR, False, (Block("M-1-1", "CORE", "OOFF", COLLECTION, rows),))
    root, ns = parse(render(msg, "pain.008.001.08"), "pain.008.001.08")
    addresses = [t.find("p:Dbtr/p:PstlAdr", ns) for t in root.iterfind(".//p:DrctDbtTxInf", ns)]
    assert [etree.QName(c).localname for c in addresses[0]] == ["TwnNm", "Ctry"]
    assert addresses[1] is None
    assert root.findtext(".//p:BtchBookg", namespaces=ns) == "false"


def test_markup_characters_are_escaped():
    rows = frame(tx("E2E-0001", 500, "NL91ABNA0417164300", debtor_name="A & B <C>",
                    remittance="x > y & z"))
    msg = Message("M-1", CREATED, Creditor("P & Q", "NL91ABNA0417164300", None, "NL69ZZZ123456780000"),
                  True, (Block("M-1-1", "CORE", "RCUR", COLLECTION, rows),))
    data = render(msg, "pain.008.001.08")
    assert b"<Nm>A &amp; B &lt;C&gt;</Nm>" in data
    root, ns = parse(data, "pain.008.001.08")
    assert root.findtext(".//p:Dbtr/p:Nm", namespaces=ns) == "A & B <C>"
    assert root.findtext(".//p:Ustrd", namespaces=ns) == "x > y & z"
    assert root.findtext(".//p:InitgPty/p:Nm", namespaces=ns) == "P & Q"


def test_empty_optional_text_counts_as_absent():
    rows = frame(tx("E2E-0001", 500, "NL91ABNA0417164300", remittance="", debtor_bic="",
                    original_mandate_id=""))
    msg = Message("M-1", CREATED, CREDITOR, True, (Block("M-1-1", "CORE", "RCUR", COLLECTION, rows),))
    data = render(msg, "pain.008.001.08")
    assert b"<RmtInf>" not in data
    assert b"<AmdmntInd>false</AmdmntInd>" in data
    assert b"<DbtrAgt><FinInstnId><Othr><Id>NOTPROVIDED</Id>" in data


def test_chunks_and_real_files_do_not_change_the_bytes(monkeypatch, tmp_path):
    whole = render(message(), "pain.008.001.08")
    monkeypatch.setattr(pain008, "CHUNK_ROWS", 1)
    assert render(message(), "pain.008.001.08") == whole
    with open(tmp_path / "out.xml", "wb") as out:
        write_pain008(out, message(), "pain.008.001.08")
    assert (tmp_path / "out.xml").read_bytes() == whole


def test_contract_violations_raise():
    with pytest.raises(ValueError, match="unknown pain.008 version"):
        render(message(), "pain.008.001.09")
    empty = Message("M-1", CREATED, CREDITOR, True,
                    (Block("M-1-1", "CORE", "RCUR", COLLECTION, frame()),))
    with pytest.raises(ValueError, match="M-1-1 has no transactions"):
        render(empty, "pain.008.001.08")
    no_name = frame(tx("E2E-0001", 500, "NL91ABNA0417164300", debtor_name=None))
    broken = Message("M-1", CREATED, CREDITOR, True, (Block("M-1-1", "CORE", "RCUR", COLLECTION, no_name),))
    with pytest.raises(ValueError, match="null in debtor_name"):
        render(broken, "pain.008.001.08")
    wrong = frame(tx("E2E-0001", 500, "NL91ABNA0417164300")).drop("remittance").with_columns(
        pl.col("amount_cents").cast(pl.Float64))
    typed = Message("M-1", CREATED, CREDITOR, True, (Block("M-1-1", "CORE", "RCUR", COLLECTION, wrong),))
    with pytest.raises(ValueError, match=r"amount_cents \(Float64, not Int64\), remittance \(missing"):
        render(typed, "pain.008.001.08")


SEPA_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-?:().,'+ "
ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-"
IBANS = ("NL91ABNA0417164300", "DE89370400440532013000", "BE68539007547034", "GB29NWBK60161331926819")


def names(limit: int) -> st.SearchStrategy[str]:
    return st.text(SEPA_CHARS, min_size=1, max_size=limit)


@st.composite
def messages(draw) -> Message:
    ids = st.text(ID_CHARS, min_size=1, max_size=35)
    n = draw(st.integers(1, 25))
    ibans = [draw(st.sampled_from(IBANS)) for _ in range(n)]
    rows = [
        tx(draw(ids), draw(st.integers(1, 99_999_999_999)), iban,
           mandate_id=draw(ids), debtor_name=draw(names(70)),
           # an account outside the EEA always has its BIC (check's bic-required)
           debtor_bic=draw(st.sampled_from(["NWBKGB2L"] if iban.startswith("GB")
                                           else [None, "RABONL2U", "COBADEFFXXX"])),
           remittance=draw(st.none() | names(140)),
           smnda=draw(st.booleans()), original_mandate_id=draw(st.none() | ids),
           original_iban=draw(st.none() | st.sampled_from(IBANS)),
           send_address=draw(st.booleans()), street=draw(st.none() | names(70)),
           postcode=draw(st.none() | names(16)), city=draw(st.none() | names(35)),
           country=draw(st.none() | st.sampled_from(["GB", "CH", "NL"])))
        for iban in ibans
    ]
    cuts = sorted(draw(st.sets(st.integers(1, n - 1), max_size=4)) if n > 1 else [])
    bounds = [0, *cuts, n]
    blocks = tuple(
        Block(f"MSG-{i}", draw(st.sampled_from(["CORE", "B2B"])),
              draw(st.sampled_from(["FRST", "RCUR", "OOFF", "FNAL"])), COLLECTION,
              frame(*rows[start:end]))
        for i, (start, end) in enumerate(zip(bounds, bounds[1:], strict=False))
    )
    return Message("MSG", CREATED, CREDITOR, True, blocks)


def cents(text: str) -> Decimal:
    return Decimal(text) * 100


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(msg=messages(), version=st.sampled_from(VERSIONS))
def test_any_message_is_valid_with_exact_sums(msg, version, tmp_path):
    data = render(msg, version)
    path = tmp_path / "prop.xml"
    path.write_bytes(data)
    assert validate_file(path, version) == []
    root, ns = parse(data, version)
    header = root.find("p:CstmrDrctDbtInitn/p:GrpHdr", ns)
    all_rows = pl.concat([b.transactions for b in msg.blocks])
    assert int(header.findtext("p:NbOfTxs", namespaces=ns)) == all_rows.height
    assert cents(header.findtext("p:CtrlSum", namespaces=ns)) == sum(all_rows["amount_cents"].to_list())
    blocks = root.findall("p:CstmrDrctDbtInitn/p:PmtInf", ns)
    assert len(blocks) == len(msg.blocks)
    for element, block in zip(blocks, msg.blocks, strict=True):
        amounts = block.transactions["amount_cents"].to_list()
        written = [cents(a.text) for a in element.iterfind(".//p:InstdAmt", ns)]
        assert int(element.findtext("p:NbOfTxs", namespaces=ns)) == len(amounts)
        assert cents(element.findtext("p:CtrlSum", namespaces=ns)) == sum(amounts) == sum(written)
        assert written == amounts
