"""pain.002 status reports (rejections at three levels) and the reason code table."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from incasso_sheets.formats.pain002 import Rejection, read_status_report, rejections
from incasso_sheets.sepa import reasons
from incasso_sheets.sepa.reasons import REASONS, reason

BANK = Path(__file__).parent / "fixtures" / "bank"


def status_report(body: str, namespace: str = "urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"):
    return (
        f'<Document xmlns="{namespace}"><CstmrPmtStsRpt>'
        "<GrpHdr><MsgId>STS-1</MsgId><CreDtTm>2026-12-01T10:00:00</CreDtTm></GrpHdr>"
        f"{body}</CstmrPmtStsRpt></Document>"
    )


@pytest.fixture
def read_inline(tmp_path):
    def read(xml: str):
        path = tmp_path / "inline.xml"
        path.write_text(xml, encoding="utf-8")
        return read_status_report(path)
    return read


def test_group_rejected_without_blocks():
    report = read_status_report(BANK / "pain002_v03_group_rejected.xml")
    assert (report.version, report.message_id, report.created) == (
        "001.03", "STS-20261201-000093", "2026-12-01T14:02:11")
    assert (report.original_message_id, report.original_message_type) == (
        "INCS-20261201-0002", "pain.008.001.02")
    assert (report.group_status, report.group_reasons, report.blocks) == ("RJCT", ("FF01",), ())
    assert report.group_reason_info == "Schema validation failed: element ReqdColltnDt"
    assert rejections(report) == (Rejection(
        "group", "INCS-20261201-0002", None, None, "FF01",
        "Schema validation failed: element ReqdColltnDt", None),)


def test_partial_report_with_block_and_transaction_rejects():
    report = read_status_report(BANK / "pain002_v03_partial.xml")
    assert (report.group_status, report.original_message_type) == ("PART", "PAIN.008.001.02")
    whole, part = report.blocks
    assert (whole.payment_info_id, whole.status, whole.reasons, whole.transactions) == (
        "INCS-20261201-0001-3", "RJCT", ("BE05",), ())
    assert whole.reason_info == "Creditor identifier not known for this contract"
    assert (part.payment_info_id, part.status) == ("INCS-20261201-0001-2", "PART")
    ac04, sl01, accepted = part.transactions
    assert (ac04.end_to_end_id, ac04.instr_id, ac04.status, ac04.reason_code) == (
        "2026-0008", "INCS-20261201-0001-2-3", "RJCT", "AC04")
    assert (ac04.amount_cents, ac04.collection_date, ac04.mandate_id, ac04.debtor_name,
            ac04.debtor_iban, ac04.problems) == (
        4500, dt.date(2026, 12, 2), "MNDT-0008", "T. Hendriks", "NL05INGB0008765432", ())
    assert (sl01.reason_code, sl01.reason_info, sl01.amount_cents) == (
        "SL01", "Debtor blocks direct debits from this creditor", 5500)  # Rsn/Prtry
    assert (accepted.status, accepted.reason_code) == ("ACCP", None)
    assert [(r.level, r.payment_info_id, r.end_to_end_id, r.reason_code, r.amount_cents)
            for r in rejections(report)] == [
        ("block", "INCS-20261201-0001-3", None, "BE05", None),
        ("transaction", "INCS-20261201-0001-2", "2026-0008", "AC04", 4500),
        ("transaction", "INCS-20261201-0001-2", "2026-0009", "SL01", 5500),
    ]


def test_rejected_block_covers_its_listed_transactions(read_inline):
    report = read_inline(status_report(
        "<OrgnlGrpInfAndSts><OrgnlMsgId>M</OrgnlMsgId><OrgnlMsgNmId>pain.008.001.08"
        "</OrgnlMsgNmId></OrgnlGrpInfAndSts>"
        "<OrgnlPmtInfAndSts><OrgnlPmtInfId>B</OrgnlPmtInfId><PmtInfSts>RJCT</PmtInfSts>"
        "<StsRsnInf><Rsn><Cd>CNOR</Cd></Rsn></StsRsnInf>"
        "<TxInfAndSts><OrgnlEndToEndId>E1</OrgnlEndToEndId><TxSts>RJCT</TxSts></TxInfAndSts>"
        "</OrgnlPmtInfAndSts>"
    ))
    assert report.group_status is None
    assert [(r.level, r.payment_info_id, r.reason_code) for r in rejections(report)] == [
        ("block", "B", "CNOR")]


def test_transaction_without_reason_takes_the_blocks(read_inline):
    report = read_inline(status_report(
        "<OrgnlGrpInfAndSts><OrgnlMsgId>M</OrgnlMsgId><OrgnlMsgNmId>pain.008.001.08"
        "</OrgnlMsgNmId><GrpSts>PART</GrpSts></OrgnlGrpInfAndSts>"
        "<OrgnlPmtInfAndSts><OrgnlPmtInfId>B</OrgnlPmtInfId><PmtInfSts>PART</PmtInfSts>"
        "<StsRsnInf><Rsn><Cd>MS03</Cd></Rsn></StsRsnInf>"
        "<TxInfAndSts><OrgnlEndToEndId>E1</OrgnlEndToEndId><TxSts>RJCT</TxSts></TxInfAndSts>"
        "</OrgnlPmtInfAndSts>"
    ))
    assert [(r.level, r.end_to_end_id, r.reason_code) for r in rejections(report)] == [
        ("transaction", "E1", "MS03")]


def test_later_version_and_odd_values(read_inline):
    report = read_inline(status_report(
        "<OrgnlGrpInfAndSts><OrgnlMsgId>M</OrgnlMsgId><OrgnlMsgNmId>pain.008.001.08"
        "</OrgnlMsgNmId><GrpSts>PART</GrpSts></OrgnlGrpInfAndSts>"
        "<OrgnlPmtInfAndSts><OrgnlPmtInfId>B</OrgnlPmtInfId>"
        "<TxInfAndSts><OrgnlEndToEndId>E1</OrgnlEndToEndId><TxSts>RJCT</TxSts>"
        "<StsRsnInf><Rsn><Cd>AM04</Cd></Rsn></StsRsnInf>"
        '<OrgnlTxRef><Amt><InstdAmt Ccy="EUR">10.001</InstdAmt></Amt>'
        "<ReqdColltnDt><Dt>2026-12-02</Dt></ReqdColltnDt>"
        "<Dbtr><Pty><Nm>X</Nm></Pty></Dbtr></OrgnlTxRef></TxInfAndSts>"
        "</OrgnlPmtInfAndSts>",
        namespace="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10",
    ))
    (tx,) = report.blocks[0].transactions
    assert report.version == "001.10"
    assert (tx.amount_cents, tx.problems, tx.collection_date, tx.debtor_name) == (
        None, ("amount-not-cents",), dt.date(2026, 12, 2), "X")


# --- reason codes ---------------------------------------------------------------------------

TABLE_11_3 = (
    "AC01 AC04 AC06 AC13 AG01 AG02 AM04 AM05 BE05 CNOR DNOR FF01 MD01 MD02 MD06 MD07 MS02 "
    "MS03 RC01 RR01 RR02 RR03 RR04 SL01"
).split()


def test_every_code_of_the_table_is_there():
    assert set(TABLE_11_3) <= set(REASONS)


def test_reason_entries_are_complete():
    for code, entry in REASONS.items():
        assert entry.code == code
        assert entry.mandate_effect in {"alive", "dead", "blocked", "disputed", "n/a"}
        assert entry.retry in {"retry", "fix", "stop"}
        assert all([entry.meaning_en, entry.meaning_nl, entry.advice_en, entry.advice_nl])
        assert entry.meaning_en != entry.meaning_nl


@pytest.mark.parametrize(
    ("code", "effect", "retry", "max_retries"),
    [
        ("AM04", "alive", "retry", None),
        ("MS03", "alive", "retry", 1),
        ("MD01", "dead", "stop", None),
        ("MD07", "dead", "stop", None),
        ("MD06", "disputed", "stop", None),
        ("MS02", "disputed", "stop", None),
        ("AC04", "dead", "fix", None),
        ("AC06", "blocked", "stop", None),
        ("SL01", "blocked", "stop", None),
        ("FF01", "n/a", "fix", None),
        ("CNOR", "n/a", "stop", None),
        ("DNOR", "dead", "stop", None),
        ("md06", "disputed", "stop", None),  # codes are read case-insensitively
    ],
)
def test_reason_advice(code, effect, retry, max_retries):
    entry = reason(code)
    assert (entry.mandate_effect, entry.retry, entry.max_retries, entry.known) == (
        effect, retry, max_retries, True)


def test_section_16_groups_agree_with_the_table():
    stopped = {c for c, r in REASONS.items() if r.mandate_effect in reasons.MANDATE_STOPPED}
    # docs/sepa.md §9.2: stopped, without CNOR (your own bank is no reason to stop a mandate).
    assert stopped >= {"MD01", "MD07", "AC04", "AC06", "AC13", "AG01", "SL01", "RR04", "DNOR"}
    assert {c for c, r in REASONS.items() if r.retry == "retry"} == {"AM04", "MS03"}
    assert {"MD06", "MS02", "AM05"} <= {c for c, r in REASONS.items() if r.retry == "stop"}
    assert {"AC01", "AG02", "BE05", "FF01", "MD02", "RC01", "RR01", "RR02", "RR03"} <= {
        c for c, r in REASONS.items() if r.retry == "fix"}


@pytest.mark.parametrize("code", ["XT99", "", None])
def test_unknown_reason_is_generic(code):
    entry = reason(code)
    assert (entry.known, entry.mandate_effect, entry.retry) == (False, "n/a", "stop")
    assert entry.meaning("nl").startswith("Onbekende redencode")
