"""camt.053/054 reading: entries as values, streamed; and what kind of entry each is.

Run this module as a script to measure a camt.053 with a million TxDtls once:
    .venv/bin/python tests/test_camt.py [entries] [details_per_entry]
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incasso_sheets.core.errors import CannotContinue
from incasso_sheets.formats.camt import (
    TEXT_KEYS,
    iter_entries,
    read_statements,
    references_from_text,
)
from incasso_sheets.sepa.reasons import classify_entry

BANK = Path(__file__).parent / "fixtures" / "bank"
NS02 = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"


def entries(name: str):
    return list(iter_entries(BANK / name))


def camt053(body: str, namespace: str = NS02) -> str:
    """A camt.053 around `body` (the Ntry elements of one Stmt)."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="{namespace}"><BkToCstmrStmt>'
        "<GrpHdr><MsgId>M-1</MsgId><CreDtTm>2026-12-03T05:00:00</CreDtTm></GrpHdr>"
        "<Stmt><Id>S-1</Id><CreDtTm>2026-12-03T05:00:00</CreDtTm>"
        "<Acct><Id><IBAN>NL02ABNA0123456789</IBAN></Id></Acct>"
        f"{body}</Stmt></BkToCstmrStmt></Document>\n"
    )


def ntry(amount: str = "10.00", inner: str = "", direction: str = "CRDT", extra: str = "") -> str:
    return (
        f'<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{direction}</CdtDbtInd>'
        f"<Sts>BOOK</Sts><BookgDt><Dt>2026-12-02</Dt></BookgDt>{extra}{inner}</Ntry>"
    )


@pytest.fixture
def read_inline(tmp_path):
    def read(xml: str):
        path = tmp_path / "inline.xml"
        path.write_text(xml, encoding="utf-8")
        return list(iter_entries(path))
    return read


# --- fixtures from the banks ----------------------------------------------------------------


def test_abnamro_batch_payout():
    payout = entries("abnamro_camt053_v02.xml")[0]
    assert (payout.kind, payout.message_id, payout.statement_id, payout.account_iban) == (
        "camt.053", "0123456789.2026-12-02", "0123456789.2026-12-02", "NL02ABNA0123456789")
    assert (payout.amount_cents, payout.currency, payout.credit, payout.reversal) == (
        34550, "EUR", True, False)  # written 000000000000345.50
    assert (payout.status, payout.booked, payout.booking_date, payout.value_date) == (
        "BOOK", True, dt.date(2026, 12, 2), dt.date(2026, 12, 2))
    assert (payout.domain_code, payout.proprietary_code, payout.proprietary_issuer) == (
        "PMNT/IDDT/ESDD", "N245", "ABNAMRO")
    assert payout.bank_ref == "0102150009198545"
    assert (payout.batch.message_id, payout.batch.payment_info_id, payout.batch.count,
            payout.batch.total_cents, payout.batch.credit) == (
        "INCS-20261201-0001", "INCS-20261201-0001-1", 3, 34550, True)
    assert [(d.end_to_end_id, d.mandate_id, d.amount_cents) for d in payout.details] == [
        ("2026-0001", "MNDT-0001", 12050),
        ("2026-0002", "MNDT-0002", 8771),
        ("2026-0004", "MNDT-0004", 13729),
    ]
    first = payout.details[0]
    assert (first.payment_info_id, first.message_id, first.debtor_name, first.debtor_iban,
            first.remittance_info) == (
        "INCS-20261201-0001-1", "INCS-20261201-0001", "Bakkerij De Korenschoof",
        "NL91ABNA0417164300", "Factuur 2026-0001")
    assert sum(d.amount_cents for d in payout.details) == payout.batch.total_cents
    assert payout.reference("PREF") == "INCS-20261201-0001-1"
    assert (payout.problems, payout.charges_cents) == ((), None)
    assert classify_entry(payout) == "payout"


def test_abnamro_return_with_fee():
    ret = entries("abnamro_camt053_v02.xml")[1]
    assert (ret.credit, ret.reversal, ret.amount_cents, ret.domain_code) == (
        False, True, 8771, "PMNT/IDDT/UPDD")  # RvslInd kept as a flag, amount not negated
    assert ret.charges_cents == 45
    (detail,) = ret.details
    assert (detail.end_to_end_id, detail.mandate_id, detail.instr_id, detail.amount_cents,
            detail.reason_code, detail.reason_info, detail.charges_cents, detail.from_text) == (
        "2026-0003", "MNDT-0003", "RTRN-8812", 8771, "AM04", "/RTYP/RTRN", 45, ())
    assert (ret.reference("RTRN"), ret.reference("EREF"), ret.reference("NAME")) == (
        "AM04", "2026-0003", "P. Bakker")
    assert classify_entry(ret) == "return"


def test_abnamro_transfer_is_other_and_notprovided_is_absent():
    transfer = entries("abnamro_camt053_v02.xml")[2]
    assert transfer.details[0].end_to_end_id is None  # <EndToEndId>NOTPROVIDED</EndToEndId>
    assert transfer.reference("EREF") == "NOTPROVIDED"
    assert classify_entry(transfer) == "other"


def test_rabobank_payout_reference_only_in_text():
    payout, ret, own_transfer, debtor_transfer = entries("rabobank_camt053_v02.xml")
    assert (payout.domain_code, payout.proprietary_code, payout.proprietary_issuer) == (
        None, "586", "RABOBANK")
    assert (payout.batch, payout.details, payout.entry_ref) == (None, (), "2026120200000001")
    assert payout.reference("PREF") == "INCS-20261201-0001-1"
    assert payout.reference("NRTX") == "3"
    assert classify_entry(payout) == "payout"

    (detail,) = ret.details
    assert (detail.end_to_end_id, detail.reason_code, detail.mandate_id) == (
        "2026-0004", "MS03", "MNDT-0004")
    assert detail.from_text == ("end_to_end_id", "reason_code", "mandate_id")
    assert detail.bank_ref == "2026-12-03 07:12:44.000312"
    assert (ret.proprietary_code, ret.proprietary_issuer) == ("541", None)
    assert classify_entry(ret) == "return"

    assert own_transfer.details[0].end_to_end_id == "PAY-2026-118"
    assert classify_entry(own_transfer) == "other"  # a debit with an id is not a return
    assert classify_entry(debtor_transfer) == "payout"  # the Rabobank rule: a candidate


def test_rabobank_one_statement_per_day():
    first, second = read_statements(BANK / "rabobank_camt053_v02.xml")
    assert (first.statement_id, first.from_date, first.to_date, first.entry_count) == (
        "NL44RABO0123456789EUR2026-12-02", dt.date(2026, 12, 2), dt.date(2026, 12, 2), 1)
    assert (second.statement_id, second.entry_count, second.sequence_number) == (
        "NL44RABO0123456789EUR2026-12-03", 3, "20261203")
    assert [(b.type_code, b.amount_cents, b.credit, b.date) for b in second.balances] == [
        ("PRCD", 284550, True, dt.date(2026, 12, 2)),
        ("CLBD", 273521, True, dt.date(2026, 12, 3)),
    ]
    ids = [e.statement_id for e in entries("rabobank_camt053_v02.xml")]
    assert ids == [first.statement_id] + [second.statement_id] * 3


def test_statement_without_entries(tmp_path):
    path = tmp_path / "empty.xml"
    balance = ('<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">5.00</Amt>'
               "<CdtDbtInd>DBIT</CdtDbtInd><Dt><Dt>2026-12-02</Dt></Dt></Bal>")
    path.write_text(camt053(balance))
    (statement,) = read_statements(path)
    assert (statement.entry_count, statement.message_id, statement.account_iban) == (
        0, "M-1", "NL02ABNA0123456789")
    assert [(b.type_code, b.amount_cents, b.credit) for b in statement.balances] == [
        ("CLBD", 500, False)]
    assert list(iter_entries(path)) == []


def test_statement_balances_add_up():
    (statement,) = read_statements(BANK / "abnamro_camt053_v02.xml")
    opening, closing = (b.amount_cents for b in statement.balances)
    moved = sum(e.amount_cents if e.credit else -e.amount_cents
                for e in entries("abnamro_camt053_v02.xml"))
    assert opening + moved == closing
    assert (statement.account_iban, statement.currency, statement.entry_count) == (
        "NL02ABNA0123456789", "EUR", 3)


def test_camt054_returns():
    am04, md06 = entries("camt054_v02_returns.xml")
    assert (am04.kind, am04.statement_id, am04.account_iban) == (
        "camt.054", "NTF-20261209-000417-1", "NL02ABNA0123456789")
    assert [(e.credit, e.reversal, e.amount_cents, e.charges_cents) for e in (am04, md06)] == [
        (False, True, 12050, None), (False, False, 8771, 150)]
    assert [(d.end_to_end_id, d.reason_code, d.amount_cents) for e in (am04, md06)
            for d in e.details] == [("2026-0001", "AM04", 12050), ("2026-0002", "MD06", 8771)]
    assert am04.details[0].amount_cents == 12050  # AmtDtls/InstdAmt when there is no TxAmt
    assert am04.details[0].additional_info == "/SQTP/RCUR/DTOFSGNT/2025-03-14"
    assert am04.details[0].tx_id == "RT26120900001"
    assert [classify_entry(e) for e in (am04, md06)] == ["return", "return"]


def test_camt053_v08_booked_and_pending():
    booked, pending = entries("camt053_v08_booked_pending.xml")
    assert (booked.status, booked.booked, booked.amount_cents) == ("BOOK", True, 10000)
    assert booked.booking_date == dt.date(2026, 12, 2)  # from DtTm
    assert [(d.end_to_end_id, d.amount_cents, d.credit, d.debtor_name) for d in booked.details] == [
        ("2026-0006", 6000, True, "L. Smit"), ("2026-0007", 4000, True, "R. Mulder")]
    assert (pending.status, pending.booked, pending.amount_cents) == ("PDNG", False, 7525)
    assert pending.batch.payment_info_id == "INCS-20261201-0001-3"
    assert classify_entry(pending) == "payout"  # a payout, but not booked: the caller waits


# --- amounts, dates and other problems --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cents"),
    [("000000000000087.71", 8771), ("100.00000", 10000), ("12.5", 1250), ("7", 700),
     (" 1.10 ", 110)],
)
def test_amount_forms(read_inline, text, cents):
    (entry,) = read_inline(camt053(ntry(text)))
    assert (entry.amount_cents, entry.problems) == (cents, ())


@pytest.mark.parametrize(
    ("text", "problem"),
    [("12.345", "amount-not-cents"), ("1.00001", "amount-not-cents"),
     ("twelve", "bank-amount-invalid"), ("NaN", "bank-amount-invalid")],
)
def test_bad_amount_is_none_with_a_problem(read_inline, text, problem):
    (entry,) = read_inline(camt053(ntry(text)))
    assert (entry.amount_cents, entry.problems) == (None, (problem,))


def test_detail_problems_reach_the_entry(read_inline):
    inner = (
        "<NtryDtls><Btch><NbOfTxs>two</NbOfTxs></Btch>"
        '<TxDtls><AmtDtls><TxAmt><Amt Ccy="EUR">1.234</Amt></TxAmt></AmtDtls></TxDtls>'
        "</NtryDtls><NtryDtls><Btch><PmtInfId>X</PmtInfId></Btch></NtryDtls>"
    )
    (entry,) = read_inline(camt053(ntry(inner=inner).replace("2026-12-02", "2026-13-02")))
    assert entry.details[0].amount_cents is None
    assert entry.details[0].problems == ("amount-not-cents",)
    assert entry.booking_date is None
    assert entry.batch.count is None
    assert set(entry.problems) == {
        "amount-not-cents", "bank-date-invalid", "bank-count-invalid",
        "bank-entry-several-batches"}


def test_v08_charges_records_and_info_status(read_inline):
    ns = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"
    body = (
        '<Ntry><Amt Ccy="EUR">5.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>INFO</Cd></Sts>'
        "<BookgDt><Dt>2026-12-02</Dt></BookgDt>"
        '<Chrgs><Rcrd><Amt Ccy="EUR">0.30</Amt></Rcrd><Rcrd><Amt Ccy="EUR">0.20</Amt></Rcrd>'
        "</Chrgs></Ntry>"
    )
    (entry,) = read_inline(camt053(body, ns))
    assert (entry.status, entry.booked, entry.charges_cents) == ("INFO", False, 50)


def test_single_detail_takes_eref_from_entry_text(read_inline):
    inner = (
        '<NtryDtls><TxDtls><AmtDtls><TxAmt><Amt Ccy="EUR">10.00</Amt></TxAmt></AmtDtls>'
        "</TxDtls></NtryDtls><AddtlNtryInf>/TRTP/SEPA Incasso/EREF/2026-0042/</AddtlNtryInf>"
    )
    (entry,) = read_inline(camt053(ntry(inner=inner)))
    assert (entry.details[0].end_to_end_id, entry.details[0].from_text) == (
        "2026-0042", ("end_to_end_id",))


def test_padded_values_are_stripped(read_inline):
    inner = (
        "<NtryDtls><TxDtls><Refs><EndToEndId> 2026-0001 </EndToEndId><MndtId></MndtId></Refs>"
        "<RltdPties><Dbtr><Nm>JANSEN      </Nm></Dbtr></RltdPties></TxDtls></NtryDtls>"
    )
    (entry,) = read_inline(camt053(ntry(inner=inner)))
    detail = entry.details[0]
    assert (detail.end_to_end_id, detail.mandate_id, detail.debtor_name) == (
        "2026-0001", None, "JANSEN")


def test_prefixed_namespace(read_inline):
    prefixed = camt053(ntry("1.00")).replace(f'xmlns="{NS02}"', f'xmlns:c="{NS02}"')
    prefixed = prefixed.replace("<", "<c:").replace("<c:/", "</c:").replace("<c:?", "<?")
    (entry,) = read_inline(prefixed)
    assert (entry.amount_cents, entry.account_iban) == (100, "NL02ABNA0123456789")


# --- digests --------------------------------------------------------------------------------


def test_digest_recognises_the_same_entry_in_another_file(read_inline):
    first = entries("abnamro_camt053_v02.xml")
    again = entries("abnamro_camt053_v02.xml")
    assert [e.digest for e in first] == [e.digest for e in again]
    assert len({e.digest for e in first}) == 3
    # The same payout in a file laid out differently (no indentation, other page).
    text = (BANK / "abnamro_camt053_v02.xml").read_text()
    compact = "\n".join(line.strip() for line in text.splitlines())
    compact = compact.replace("<MsgId>0123456789.2026-12-02</MsgId>", "<MsgId>OTHER</MsgId>")
    assert [e.digest for e in read_inline(compact)] == [e.digest for e in first]


def test_identical_entries_in_one_file_are_told_apart(read_inline):
    fee = ntry("0.50", direction="DBIT")
    a, b, c = read_inline(camt053(fee + fee + ntry("0.51", direction="DBIT")))
    assert len({a.digest, b.digest, c.digest}) == 3
    again = read_inline(camt053(fee + fee))
    assert [e.digest for e in again] == [a.digest, b.digest]


def test_digest_changes_with_a_detail(read_inline):
    def payout(e2e: str) -> str:
        return camt053(ntry(inner=f"<NtryDtls><TxDtls><Refs><EndToEndId>{e2e}</EndToEndId>"
                                  "</Refs></TxDtls></NtryDtls>"))
    assert read_inline(payout("A"))[0].digest != read_inline(payout("B"))[0].digest


# --- free-text references -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/TRTP/SEPA Incasso batch/PREF/INCS-20261201-0001-1/NRTX/3/",
         {"TRTP": "SEPA Incasso batch", "PREF": "INCS-20261201-0001-1", "NRTX": "3"}),
        ("/EREF/2026/0001/MARF/M-1", {"EREF": "2026/0001", "MARF": "M-1"}),  # '/' in a value
        ("SEPA Incasso /RTRN/MS03/ ", {"RTRN": "MS03"}),
        ("/EREF//PREF/X/", {"PREF": "X"}),
        ("/EREF/first/EREF/second/", {"EREF": "first"}),
        ("Factuur 2026-0001", {}),
        ("", {}),
        (None, {}),
    ],
)
def test_references_from_text(text, expected):
    assert references_from_text(text) == expected


VALUE = st.text(alphabet="abcXYZ0129 -.:", min_size=1, max_size=20).filter(
    lambda v: v.strip() == v and v.strip())


@settings(max_examples=80, deadline=None)
@given(st.dictionaries(st.sampled_from(TEXT_KEYS), VALUE, min_size=1, max_size=6),
       st.booleans())
def test_references_round_trip(pairs, trailing_slash):
    text = "".join(f"/{k}/{v}" for k, v in pairs.items()) + ("/" if trailing_slash else "")
    assert references_from_text(text) == pairs


# --- streaming --------------------------------------------------------------------------------


def write_big_camt053(path: Path, entries: int = 100, details_per_entry: int = 10_000) -> None:
    """A camt.053.001.02 with `entries` batch payouts of `details_per_entry` TxDtls each,
    written as it goes (a million TxDtls is about 400 MB)."""
    tx = (
        "<TxDtls><Refs><MsgId>INCS-20261201-0001</MsgId>"
        "<PmtInfId>INCS-20261201-0001-{b}</PmtInfId><EndToEndId>2026-{n:07d}</EndToEndId>"
        "<MndtId>MNDT-{n:07d}</MndtId></Refs>"
        '<AmtDtls><TxAmt><Amt Ccy="EUR">12.34</Amt></TxAmt></AmtDtls>'
        "<RltdPties><Dbtr><Nm>Debiteur {n}</Nm></Dbtr>"
        "<DbtrAcct><Id><IBAN>NL91ABNA0417164300</IBAN></Id></DbtrAcct></RltdPties>"
        "<RmtInf><Ustrd>Factuur 2026-{n:07d}</Ustrd></RmtInf></TxDtls>\n"
    )
    total = details_per_entry * 1234
    with open(path, "w", encoding="utf-8") as f:
        f.write(camt053("@").split("@")[0])
        n = 0
        for b in range(1, entries + 1):
            f.write(
                f'<Ntry><Amt Ccy="EUR">{total // 100}.{total % 100:02d}</Amt>'
                "<CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>"
                "<BookgDt><Dt>2026-12-02</Dt></BookgDt><ValDt><Dt>2026-12-02</Dt></ValDt>"
                f"<AcctSvcrRef>REF{b:08d}</AcctSvcrRef><BkTxCd><Domn><Cd>PMNT</Cd><Fmly>"
                "<Cd>IDDT</Cd><SubFmlyCd>ESDD</SubFmlyCd></Fmly></Domn></BkTxCd><NtryDtls>"
                f"<Btch><PmtInfId>INCS-20261201-0001-{b}</PmtInfId>"
                f"<NbOfTxs>{details_per_entry}</NbOfTxs></Btch>\n"
            )
            lines = []
            for _ in range(details_per_entry):
                n += 1
                lines.append(tx.format(b=b, n=n))
            f.write("".join(lines))
            f.write("</NtryDtls></Ntry>\n")
        f.write(camt053("@").split("@")[1])


def test_generated_statement_reads_completely(tmp_path):
    path = tmp_path / "big.xml"
    write_big_camt053(path, entries=3, details_per_entry=700)
    read = list(iter_entries(path))
    assert [len(e.details) for e in read] == [700, 700, 700]
    assert all(sum(d.amount_cents for d in e.details) == e.amount_cents for e in read)
    assert read[2].details[-1].end_to_end_id == "2026-0002100"
    assert read_statements(path)[0].entry_count == 3


def test_entries_come_before_the_file_is_read_to_the_end(tmp_path):
    path = tmp_path / "cut.xml"
    write_big_camt053(path, entries=2, details_per_entry=3000)
    text = path.read_text()
    path.write_text(text[: len(text) - 2000])  # the second entry is cut off
    reader = iter_entries(path)
    assert len(next(reader).details) == 3000
    with pytest.raises(CannotContinue) as caught:
        next(reader)
    assert caught.value.code == "file-unreadable"


def measure(entries: int = 100, details_per_entry: int = 10_000) -> None:
    """Write a big statement to a temporary folder and read it once; print wall and CPU
    time and peak RSS, next to a bare lxml iterparse of the same file (the floor)."""
    import resource
    import tempfile
    import time

    from lxml import etree

    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.xml"
        write_big_camt053(path, entries, details_per_entry)
        size = path.stat().st_size
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        wall, used = time.perf_counter(), cpu()
        count = details = 0
        for entry in iter_entries(path):
            count += 1
            details += len(entry.details)
        wall, used = time.perf_counter() - wall, cpu() - used
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        bare_wall, bare_cpu = time.perf_counter(), cpu()
        for _, elem in etree.iterparse(str(path), tag=["{*}TxDtls", "{*}Ntry"]):
            elem.clear()
            previous = elem.getprevious()
            if previous is not None:
                elem.getparent().remove(previous)
        bare_wall, bare_cpu = time.perf_counter() - bare_wall, cpu() - bare_cpu
    print(f"{count} entries, {details} TxDtls, {size / 1e6:.0f} MB: {wall:.1f} s wall, "
          f"{used:.1f} s CPU, peak RSS {rss / 1024:.0f} MiB (before: {rss_before / 1024:.0f} "
          f"MiB); bare iterparse {bare_wall:.1f} s wall, {bare_cpu:.1f} s CPU")


if __name__ == "__main__":
    import sys

    measure(*(int(a) for a in sys.argv[1:3]))
