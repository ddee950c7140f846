"""`incasso clear`: what is booked from the bank's files, per event, in the ledger and journal.

Every test collects small inline sheets with a fixed clock, reads the batch and
EndToEndIds from the pain.008 that collect wrote (as the bank does), and answers with
bank files built from the templates below, in the shapes Dutch banks use:

* ABN AMRO camt.053.001.02: ISO domain code plus `N245`/`ABNAMRO`, amounts padded with
  leading zeros, `Btch` with MsgId/PmtInfId/NbOfTxs/TtlAmt, one TxDtls per collection,
  `/TRTP/.../PREF/<PmtInfId>/` in AddtlNtryInf (docs/sepa.md §10.2, §10.3);
* Rabobank camt.053.001.02 (older export): only a bare numeric `Prtry/Cd`, no `Domn`, no
  `Btch`; references as `/EREF/.../RTRN/...` text in returns;
* camt.053.001.08: `<Sts><Cd>BOOK</Cd></Sts>`, `TxDtls/Amt`, `Dbtr/Pty/Nm`;
* camt.054.001.02 returns: DBIT, `RvslInd=true`, `PMNT/IDDT/UPDD`, `RtrInf/Rsn/Cd`;
* pain.002.001.03 with rejects at file (GrpSts), batch (PmtInfSts) and transaction
  (TxSts) level (docs/sepa.md §10.1).

The other clear/status test modules import `Books` and the templates from here.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from textwrap import dedent

import openpyxl
import polars as pl
import pytest
from golden_files import assert_golden
from lxml import etree
from shared import SETTINGS

from incasso_sheets import api
from incasso_sheets.clearing.run import ClearRequest, ClearResult
from incasso_sheets.collect.run import CollectRequest
from incasso_sheets.core import bookings
from incasso_sheets.ledger.status import batch_balances
from incasso_sheets.sepa import reasons

COLLECT_NOW = dt.datetime(2026, 11, 27, 10, 0, 0)
CLEAR_NOW = dt.datetime(2026, 12, 2, 20, 0, 0)
ACCOUNTS = {"receivables": "1300", "suspense": "1290", "bank": "1100", "bank_charges": "4610"}
OUR_IBAN = "NL91ABNA0417164300"

# Five CORE debtors and one B2B debtor, each with a mandate of their own.
DEBTORS = """
    Debiteurnummer;Naam;IBAN;Automatische incasso;Machtigingskenmerk;Datum machtiging;Type incasso
    10001;Jansen;NL54ABNA0000123457;ja;MDT-10001;01-03-2024;CORE
    10002;Bakker;NL65RABO0000246914;ja;MDT-10002;01-03-2024;CORE
    10003;De Vries;NL59INGB0000370371;ja;MDT-10003;01-03-2024;CORE
    10004;Visser;NL68SNSB0000493828;ja;MDT-10004;01-03-2024;CORE
    10005;Smit;NL82ASNB0000617285;ja;MDT-10005;01-03-2024;CORE
    10006;Bakkerij Oost B.V.;NL64TRIO0000740742;ja;MDT-10006;01-03-2024;B2B
"""
# Collected on 2026-11-27: message INCS-20261127-0001 (CORE) with batch -1 (2026-12-01,
# invoices 0001-0005) and batch -2 (2026-12-15, invoice 0006); message
# INCS-20261127-0002 (B2B) with batch -1 (2026-12-01, invoice 0007).
INVOICES = """
    Factuurnummer;Debiteurnummer;Factuurdatum;Vervaldatum;Bedrag;Omschrijving
    2026-0001;10001;01-11-2026;01-12-2026;121,00;Contributie
    2026-0002;10002;01-11-2026;01-12-2026;59,95;Clubkleding
    2026-0003;10003;01-11-2026;01-12-2026;25,00;Contributie
    2026-0004;10004;01-11-2026;01-12-2026;42,50;Lesgeld
    2026-0005;10005;01-11-2026;01-12-2026;10,00;Bardienst
    2026-0006;10001;01-11-2026;15-12-2026;30,00;Toernooi
    2026-0007;10006;01-11-2026;01-12-2026;1250,00;Sponsorbijdrage
"""
CORE = "INCS-20261127-0001"
B2B = "INCS-20261127-0002"

NS_PAIN008 = "urn:iso:std:iso:20022:tech:xsd:pain.008.001.08"


# --- the collection, as the bank sees it -----------------------------------------------------

@dataclass(frozen=True)
class Tx:
    end_to_end_id: str
    amount_cents: int
    mandate_id: str
    debtor_name: str
    debtor_iban: str


@dataclass(frozen=True)
class Batch:
    message_id: str
    payment_info_id: str
    collection_date: dt.date
    transactions: tuple[Tx, ...]

    @property
    def total_cents(self) -> int:
        return sum(t.amount_cents for t in self.transactions)

    def tx(self, end_to_end_id: str) -> Tx:
        return next(t for t in self.transactions if t.end_to_end_id == end_to_end_id)


def read_pain008(path: Path) -> list[Batch]:
    """The batches of a pain.008 file, read as the bank reads them."""
    root = etree.parse(str(path)).getroot()
    ns = {"p": etree.QName(root).namespace}
    message_id = root.findtext(".//p:GrpHdr/p:MsgId", namespaces=ns)
    batches = []
    for block in root.iterfind(".//p:PmtInf", namespaces=ns):
        txs = tuple(
            Tx(tx.findtext("p:PmtId/p:EndToEndId", namespaces=ns),
               cents(tx.findtext("p:InstdAmt", namespaces=ns)),
               tx.findtext("p:DrctDbtTx/p:MndtRltdInf/p:MndtId", namespaces=ns),
               tx.findtext("p:Dbtr/p:Nm", namespaces=ns),
               tx.findtext("p:DbtrAcct/p:Id/p:IBAN", namespaces=ns))
            for tx in block.iterfind("p:DrctDbtTxInf", namespaces=ns))
        day = block.findtext("p:ReqdColltnDt/p:Dt", namespaces=ns) or block.findtext(
            "p:ReqdColltnDt", namespaces=ns)
        batches.append(Batch(message_id, block.findtext("p:PmtInfId", namespaces=ns),
                             dt.date.fromisoformat(day), txs))
    return batches


def cents(text: str) -> int:
    whole, _, fraction = text.partition(".")
    return int(whole) * 100 + int((fraction + "00")[:2])


def amount(value: int, pad: int = 0) -> str:
    return f"{value // 100}.{value % 100:02d}".zfill(pad)


# --- bank file templates -----------------------------------------------------------------------

def tx_details(txs, *, v08: bool = False, mandate: bool = True) -> str:
    """TxDtls of collected transactions inside a payout entry."""
    out = []
    for t in txs:
        refs = f"<EndToEndId>{t.end_to_end_id}</EndToEndId>"
        if mandate:
            refs += f"<MndtId>{t.mandate_id}</MndtId>"
        if v08:
            money = f'<Amt Ccy="EUR">{amount(t.amount_cents)}</Amt><CdtDbtInd>CRDT</CdtDbtInd>'
            debtor = f"<Dbtr><Pty><Nm>{t.debtor_name}</Nm></Pty></Dbtr>"
        else:
            money = f'<AmtDtls><TxAmt><Amt Ccy="EUR">{amount(t.amount_cents)}</Amt></TxAmt></AmtDtls>'
            debtor = f"<Dbtr><Nm>{t.debtor_name}</Nm></Dbtr>"
        out.append(f"<TxDtls><Refs>{refs}</Refs>{money}<RltdPties>{debtor}<DbtrAcct><Id>"
                   f"<IBAN>{t.debtor_iban}</IBAN></Id></DbtrAcct></RltdPties></TxDtls>")
    return "".join(out)


def abn_payout(batch: Batch, amount_cents: int, ref: str, day: dt.date | None = None,
               paid=None, status: str = "BOOK") -> str:
    """ABN AMRO: one CRDT entry per batch (BtchBookg=true), N245, padded amounts, Btch."""
    paid = batch.transactions if paid is None else paid
    day = day or batch.collection_date
    return f"""
      <Ntry>
        <Amt Ccy="EUR">{amount(amount_cents, 18)}</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts>{status}</Sts>
        <BookgDt><Dt>{day}</Dt></BookgDt>
        <ValDt><Dt>{day}</Dt></ValDt>
        <AcctSvcrRef>{ref}</AcctSvcrRef>
        <BkTxCd>
          <Domn><Cd>PMNT</Cd><Fmly><Cd>IDDT</Cd><SubFmlyCd>ESDD</SubFmlyCd></Fmly></Domn>
          <Prtry><Cd>N245</Cd><Issr>ABNAMRO</Issr></Prtry>
        </BkTxCd>
        <NtryDtls>
          <Btch><MsgId>{batch.message_id}</MsgId><PmtInfId>{batch.payment_info_id}</PmtInfId>
            <NbOfTxs>{len(paid)}</NbOfTxs><TtlAmt Ccy="EUR">{amount(amount_cents)}</TtlAmt>
            <CdtDbtInd>CRDT</CdtDbtInd></Btch>{tx_details(paid)}
        </NtryDtls>
        <AddtlNtryInf>/TRTP/SEPA Incasso batch/PREF/{batch.payment_info_id}/NRTX/{len(paid)}/</AddtlNtryInf>
      </Ntry>"""


def bare_payout(amount_cents: int, ref: str, day: dt.date, info: str = "SEPA Incasso") -> str:
    """A payout with nothing to identify its batch but its amount and date."""
    return f"""
      <Ntry>
        <Amt Ccy="EUR">{amount(amount_cents)}</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>{day}</Dt></BookgDt>
        <ValDt><Dt>{day}</Dt></ValDt>
        <AcctSvcrRef>{ref}</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>IDDT</Cd><SubFmlyCd>ESDD</SubFmlyCd></Fmly></Domn></BkTxCd>
        <AddtlNtryInf>{info}</AddtlNtryInf>
      </Ntry>"""


def transfer(amount_cents: int, ref: str, day: dt.date, credit: bool = True) -> str:
    """A SEPA credit transfer (not a direct debit): left alone by clear."""
    return f"""
      <Ntry>
        <Amt Ccy="EUR">{amount(amount_cents)}</Amt>
        <CdtDbtInd>{"CRDT" if credit else "DBIT"}</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>{day}</Dt></BookgDt>
        <AcctSvcrRef>{ref}</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <AddtlNtryInf>/TRTP/SEPA OVERBOEKING/NAME/Zaalverhuur/REMI/Huur december/</AddtlNtryInf>
      </Ntry>"""


def abn_return(txs, codes, ref: str, day: dt.date, charges_cents: int = 0,
               amounts=None) -> str:
    """A DBIT UPDD entry (RvslInd=true) for one or more returned collections; charges, if
    any, in the entry's Chrgs and included in its amount."""
    txs, codes = list(txs), list(codes)
    amounts = list(amounts) if amounts is not None else [t.amount_cents for t in txs]
    charges = (f'<Chrgs><Amt Ccy="EUR">{amount(charges_cents)}</Amt></Chrgs>'
               if charges_cents else "")
    details = "".join(f"""
          <TxDtls>
            <Refs><EndToEndId>{t.end_to_end_id}</EndToEndId><MndtId>{t.mandate_id}</MndtId></Refs>
            <AmtDtls><TxAmt><Amt Ccy="EUR">{amount(a)}</Amt></TxAmt></AmtDtls>
            <RltdPties><Dbtr><Nm>{t.debtor_name}</Nm></Dbtr><DbtrAcct><Id><IBAN>{t.debtor_iban}</IBAN></Id></DbtrAcct></RltdPties>
            <RtrInf><Rsn><Cd>{code}</Cd></Rsn><AddtlInf>/RTYP/RTRN</AddtlInf></RtrInf>
          </TxDtls>""" for t, code, a in zip(txs, codes, amounts, strict=True))
    return f"""
      <Ntry>
        <Amt Ccy="EUR">{amount(sum(amounts) + charges_cents)}</Amt>
        <CdtDbtInd>DBIT</CdtDbtInd>
        <RvslInd>true</RvslInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>{day}</Dt></BookgDt>
        <ValDt><Dt>{day}</Dt></ValDt>
        <AcctSvcrRef>{ref}</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>IDDT</Cd><SubFmlyCd>UPDD</SubFmlyCd></Fmly></Domn></BkTxCd>
        {charges}
        <NtryDtls>{details}
        </NtryDtls>
      </Ntry>"""


def rabo_payout(txs, ref: str, day: dt.date, code: str = "586") -> str:
    """Older Rabobank export: only a bare numeric Prtry/Cd, no Domn, no Btch, no batch id;
    each collected transaction as TxDtls with its EndToEndId."""
    total = sum(t.amount_cents for t in txs)
    return f"""
      <Ntry>
        <NtryRef>{ref}</NtryRef>
        <Amt Ccy="EUR">{amount(total)}</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>{day}</Dt></BookgDt>
        <ValDt><Dt>{day}</Dt></ValDt>
        <AcctSvcrRef>{day} 09:31:07.{ref[-6:]}</AcctSvcrRef>
        <BkTxCd><Prtry><Cd>{code}</Cd></Prtry></BkTxCd>
        <NtryDtls>{tx_details(txs, mandate=False)}</NtryDtls>
      </Ntry>"""


def rabo_return(t: Tx, code: str, ref: str, day: dt.date) -> str:
    """Older Rabobank return: bare code 541, references only as /EREF/.../RTRN/... text."""
    return f"""
      <Ntry>
        <NtryRef>{ref}</NtryRef>
        <Amt Ccy="EUR">{amount(t.amount_cents)}</Amt>
        <CdtDbtInd>DBIT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>{day}</Dt></BookgDt>
        <ValDt><Dt>{day}</Dt></ValDt>
        <AcctSvcrRef>{day} 07:12:44.{ref[-6:]}</AcctSvcrRef>
        <BkTxCd><Prtry><Cd>541</Cd></Prtry></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><AcctSvcrRef>{day} 07:12:44.{ref[-6:]}</AcctSvcrRef></Refs>
          <AmtDtls><TxAmt><Amt Ccy="EUR">{amount(t.amount_cents)}</Amt></TxAmt></AmtDtls>
          <RltdPties><Dbtr><Nm>{t.debtor_name}</Nm></Dbtr><DbtrAcct><Id><IBAN>{t.debtor_iban}</IBAN></Id></DbtrAcct></RltdPties>
          <RmtInf><Ustrd>/RTRN/{code}/EREF/{t.end_to_end_id}/MARF/{t.mandate_id}/CSID/NL69ZZZ123456780000/</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
        <AddtlNtryInf>/TRTP/SEPA Incasso storno/RTRN/{code}/EREF/{t.end_to_end_id}/</AddtlNtryInf>
      </Ntry>"""


def v08_payout(batch: Batch, amount_cents: int, ref: str, status: str = "BOOK",
               day: dt.date | None = None) -> str:
    """camt.053.001.08: Sts is a choice (<Sts><Cd>BOOK</Cd></Sts>), TxDtls/Amt, Dbtr/Pty."""
    day = day or batch.collection_date
    return f"""
      <Ntry>
        <Amt Ccy="EUR">{amount(amount_cents)}</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts><Cd>{status}</Cd></Sts>
        <BookgDt><Dt>{day}</Dt></BookgDt>
        <ValDt><Dt>{day}</Dt></ValDt>
        <AcctSvcrRef>{ref}</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>IDDT</Cd><SubFmlyCd>ESDD</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls>
          <Btch><PmtInfId>{batch.payment_info_id}</PmtInfId><NbOfTxs>{len(batch.transactions)}</NbOfTxs></Btch>
          {tx_details(batch.transactions, v08=True)}
        </NtryDtls>
      </Ntry>"""


def camt053(*entries: str, version: str = "02", day: dt.date = dt.date(2026, 12, 1)) -> str:
    namespace = f"urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version}"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="{namespace}">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>0417164300.{day}</MsgId><CreDtTm>{day}T23:59:00+01:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>0417164300.{day}</Id>
      <ElctrncSeqNb>211</ElctrncSeqNb>
      <CreDtTm>{day}T23:59:00+01:00</CreDtTm>
      <Acct><Id><IBAN>{OUR_IBAN}</IBAN></Id><Ccy>EUR</Ccy></Acct>{"".join(entries)}
    </Stmt>
  </BkToCstmrStmt>
</Document>
"""


def camt054(*entries: str, day: dt.date = dt.date(2026, 12, 2)) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02">
  <BkToCstmrDbtCdtNtfctn>
    <GrpHdr><MsgId>0417164300.NTF.{day}</MsgId><CreDtTm>{day}T18:00:00+01:00</CreDtTm></GrpHdr>
    <Ntfctn>
      <Id>0417164300.NTF.{day}</Id>
      <CreDtTm>{day}T18:00:00+01:00</CreDtTm>
      <Acct><Id><IBAN>{OUR_IBAN}</IBAN></Id><Ccy>EUR</Ccy></Acct>{"".join(entries)}
    </Ntfctn>
  </BkToCstmrDbtCdtNtfctn>
</Document>
"""


def pain002(message_id: str, *, group: tuple[str, str] | None = None,
            blocks: tuple = (), status_id: str = "ABNA-STS-20261127-000341") -> str:
    """A status report on message `message_id`.

    group: (GrpSts, reason) for a file-level status (RJCT with no blocks: all rejected);
    blocks: (PmtInfId, PmtInfSts, reason or None, ((Tx, reason), ...)) per batch.
    """
    group_status, group_reason = group or ("PART", None)
    group_reason_xml = (f"<StsRsnInf><Orgtr><Id><OrgId><BICOrBEI>ABNANL2A</BICOrBEI></OrgId></Id>"
                        f"</Orgtr><Rsn><Cd>{group_reason}</Cd></Rsn></StsRsnInf>"
                        if group_reason else "")
    parts = []
    for pid, block_status, block_reason, rejected in blocks:
        block_reason_xml = (f"<StsRsnInf><Rsn><Cd>{block_reason}</Cd></Rsn></StsRsnInf>"
                            if block_reason else "")
        txs = "".join(f"""
      <TxInfAndSts>
        <StsId>ABNA-RJ-{n:04d}</StsId>
        <OrgnlEndToEndId>{t.end_to_end_id}</OrgnlEndToEndId>
        <TxSts>RJCT</TxSts>
        <StsRsnInf>
          <Orgtr><Id><OrgId><BICOrBEI>INGBNL2A</BICOrBEI></OrgId></Id></Orgtr>
          <Rsn><Cd>{code}</Cd></Rsn>
          <AddtlInf>{reasons.reason(code).meaning_nl}</AddtlInf>
        </StsRsnInf>
        <OrgnlTxRef>
          <Amt><InstdAmt Ccy="EUR">{amount(t.amount_cents)}</InstdAmt></Amt>
          <MndtRltdInf><MndtId>{t.mandate_id}</MndtId></MndtRltdInf>
          <Dbtr><Nm>{t.debtor_name}</Nm></Dbtr>
          <DbtrAcct><Id><IBAN>{t.debtor_iban}</IBAN></Id></DbtrAcct>
        </OrgnlTxRef>
      </TxInfAndSts>""" for n, (t, code) in enumerate(rejected, start=1))
        parts.append(f"""
    <OrgnlPmtInfAndSts>
      <OrgnlPmtInfId>{pid}</OrgnlPmtInfId>
      <PmtInfSts>{block_status}</PmtInfSts>{block_reason_xml}{txs}
    </OrgnlPmtInfAndSts>""")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03">
  <CstmrPmtStsRpt>
    <GrpHdr>
      <MsgId>{status_id}</MsgId>
      <CreDtTm>2026-11-27T16:02:11</CreDtTm>
      <DbtrAgt><FinInstnId><BIC>ABNANL2A</BIC></FinInstnId></DbtrAgt>
    </GrpHdr>
    <OrgnlGrpInfAndSts>
      <OrgnlMsgId>{message_id}</OrgnlMsgId>
      <OrgnlMsgNmId>pain.008.001.08</OrgnlMsgNmId>
      <GrpSts>{group_status}</GrpSts>{group_reason_xml}
    </OrgnlGrpInfAndSts>{"".join(parts)}
  </CstmrPmtStsRpt>
</Document>
"""


def reject(batch: Batch, *pairs: tuple[Tx, str], status_id: str = "ABNA-STS-20261127-000341") -> str:
    """A pain.002 rejecting single transactions of one batch: (Tx, reason) pairs."""
    return pain002(batch.message_id, blocks=((batch.payment_info_id, "PART", None, pairs),),
                   status_id=status_id)


# --- a folder with settings, sheets, ledger and bank files -----------------------------------

class Books:
    """One creditor's folder: incasso.toml, the sheets, incasso.db, out/ and bank/."""

    def __init__(self, folder: Path, settings: str = SETTINGS):
        self.folder = folder
        self.out = folder / "out"
        self.bank_dir = folder / "bank"
        self.bank_dir.mkdir(parents=True, exist_ok=True)
        self.write("incasso.toml", settings)
        self.write("deb.csv", DEBTORS)
        self.write("inv.csv", INVOICES)

    def write(self, name: str, text: str) -> Path:
        path = self.folder / name
        path.write_text(dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    @property
    def db(self) -> Path:
        return self.folder / "incasso.db"

    def collect(self, now: dt.datetime = COLLECT_NOW, debtors: str = "deb.csv",
                invoices: str = "inv.csv", **options) -> list[Batch]:
        result = api.collect(CollectRequest(self.folder / debtors, self.folder / invoices,
                                            self.out, now, config=self.folder / "incasso.toml",
                                            validate_xsd=False, **options))
        self.last_collect = result
        return [b for p in result.files if p.name.endswith(".pain008.xml") for b in read_pain008(p)]

    def bank(self, name: str, xml: str) -> Path:
        path = self.bank_dir / name
        path.write_text(xml, encoding="utf-8")
        return path

    def clear(self, *files: Path, now: dt.datetime = CLEAR_NOW, **options) -> ClearResult:
        return api.clear(ClearRequest(files=tuple(files), outdir=self.out, now=now,
                                      config=self.folder / "incasso.toml", **options))

    def query(self, sql: str, *params) -> list[tuple]:
        with closing(sqlite3.connect(self.db)) as conn:
            return conn.execute(sql, params).fetchall()

    def journal(self) -> pl.DataFrame:
        """The clearing journal in the ledger, in booking order."""
        rows = self.query("SELECT event, entry, account, debit_cents, credit_cents, invoice_number, "
                          "batch, end_to_end_id FROM journal ORDER BY line_id")
        return pl.DataFrame(rows, orient="row", schema={
            "event": pl.Utf8, "entry": pl.Utf8, "account": pl.Utf8, "debit_cents": pl.Int64,
            "credit_cents": pl.Int64, "invoice_number": pl.Utf8, "batch": pl.Utf8,
            "end_to_end_id": pl.Utf8})

    def pairs(self) -> set[tuple]:
        """Each booking as (event, debit account, credit account, amount, batch, EndToEndId)."""
        lines = self.journal().rows(named=True)
        out = []
        for debit, credit in zip(lines[::2], lines[1::2], strict=True):
            assert debit["debit_cents"] == credit["credit_cents"]
            assert debit["event"] == credit["event"] and debit["entry"] == credit["entry"]
            out.append((debit["event"], debit["account"], credit["account"], debit["debit_cents"],
                        debit["batch"], debit["end_to_end_id"]))
        return sorted(out, key=repr)

    def statuses(self) -> dict[str, tuple[str, str | None]]:
        return {e2e: (status, code) for e2e, status, code in self.query(
            "SELECT end_to_end_id, status, reason_code FROM transactions")}

    def mandate(self, mandate_id: str) -> tuple[str, str | None]:
        return self.query("SELECT status, status_reason FROM mandates WHERE mandate_id = ?",
                          mandate_id)[0]

    def balances(self) -> dict[str, int]:
        from incasso_sheets.ledger.store import Ledger

        with Ledger.open_read_only(self.db) as led:
            return dict(batch_balances(led, ACCOUNTS["suspense"]))

    def snapshot(self) -> tuple:
        """Everything a clear run may change: ledger tables and output files."""
        tables = ("journal", "statement_entries", "transactions", "mandates", "runs", "counters")
        rows = tuple(tuple(self.query(f"SELECT * FROM {t} ORDER BY 1")) for t in tables)
        files = tuple(sorted((p.name, p.read_bytes()) for p in self.out.iterdir()))
        return rows, files


@pytest.fixture
def books(tmp_path) -> Books:
    return Books(tmp_path)


@pytest.fixture
def collected(books) -> tuple[Books, Batch, Batch, Batch]:
    """The collection of INVOICES: (books, CORE batch -1, CORE batch -2, B2B batch -1)."""
    first, second, b2b = books.collect()
    assert (first.payment_info_id, second.payment_info_id, b2b.payment_info_id) == (
        f"{CORE}-1", f"{CORE}-2", f"{B2B}-1")
    assert [t.end_to_end_id for t in first.transactions] == [f"2026-000{n}" for n in range(1, 6)]
    return books, first, second, b2b


DEC1, DEC2 = dt.date(2026, 12, 1), dt.date(2026, 12, 2)
S, R, B, C = ACCOUNTS["suspense"], ACCOUNTS["receivables"], ACCOUNTS["bank"], ACCOUNTS["bank_charges"]


# --- the banks' shapes ---------------------------------------------------------------------------

def test_abnamro_statement_books_a_net_payout_after_a_pain002_reject(collected):
    books, first, _, _ = collected
    rejected, paid = first.transactions[1], first.transactions[:1] + first.transactions[2:]
    status = books.bank("pain002.xml", reject(first, (rejected, "AM04")))
    net = first.total_cents - rejected.amount_cents
    statement = books.bank("camt053.xml", camt053(
        abn_payout(first, net, "033020261201000001", paid=paid),
        transfer(4500, "033020261201000002", DEC1)))
    result = books.clear(statement, status)  # the pain.002 is read first, whatever the order
    assert [(e.kind, e.payment_info_id, e.amount_cents, e.end_to_end_id, e.probable)
            for e in result.booked] == [
        ("reject", first.payment_info_id, 5995, "2026-0002", False),
        ("payout", first.payment_info_id, net, None, False)]
    assert result.outcome.ignored == 1 and result.outcome.unmatched == []
    assert books.pairs() == sorted([
        ("reject", R, S, 5995, first.payment_info_id, "2026-0002"),
        ("payout", B, S, net, first.payment_info_id, None)], key=repr)
    assert set(books.journal()["entry"]) == {first.payment_info_id}  # Boekstuk = PmtInfId
    assert books.statuses() == {
        "2026-0001": ("settled", None), "2026-0002": ("rejected", "AM04"),
        "2026-0003": ("settled", None), "2026-0004": ("settled", None),
        "2026-0005": ("settled", None), "2026-0006": ("collected", None),
        "2026-0007": ("collected", None)}
    assert books.balances() == {first.payment_info_id: 0, f"{CORE}-2": 3000, f"{B2B}-1": 125000}
    assert result.balances == [(first.payment_info_id, 0)]


def test_rabobank_statement_with_numeric_codes_only_matches_on_end_to_end_ids(collected):
    books, first, _, _ = collected
    returned = first.tx("2026-0004")
    day_after = dt.date(2026, 12, 3)
    statement = books.bank("rabo.xml", camt053(
        rabo_payout(first.transactions, "2026120100000001", DEC1),
        rabo_return(returned, "MS03", "2026120300000001", day_after)))
    result = books.clear(statement)
    assert [(e.kind, e.amount_cents, e.end_to_end_id, e.reason_code, e.probable)
            for e in result.booked] == [
        ("payout", first.total_cents, None, None, False),
        ("return", 4250, "2026-0004", "MS03", False)]
    assert books.pairs() == sorted([
        ("payout", B, S, first.total_cents, first.payment_info_id, None),
        ("return", R, B, 4250, first.payment_info_id, "2026-0004")], key=repr)
    assert books.statuses()["2026-0004"] == ("returned", "MS03")
    assert books.balances()[first.payment_info_id] == 0


def test_camt054_return_with_charges_reopens_the_invoice_against_the_bank(collected):
    books, first, _, _ = collected
    books.clear(books.bank("camt053.xml", camt053(abn_payout(first, first.total_cents, "P1"))))
    t = first.tx("2026-0001")
    result = books.clear(books.bank("camt054.xml", camt054(abn_return([t], ["AM04"], "N1", DEC2, 250))))
    assert [(e.kind, e.amount_cents, e.end_to_end_id) for e in result.booked] == [
        ("return", 12100, "2026-0001"), ("charges", 250, "2026-0001")]
    assert [p for p in books.pairs() if p[0] != "payout"] == [
        ("charges", C, B, 250, first.payment_info_id, "2026-0001"),
        ("return", R, B, 12100, first.payment_info_id, "2026-0001")]
    assert books.statuses()["2026-0001"] == ("returned", "AM04")
    # A return after the payout moves money between receivables and bank only.
    assert books.balances()[first.payment_info_id] == 0


def test_pain002_rejects_at_file_batch_and_transaction_level(collected):
    books, first, second, b2b = collected
    whole_file = books.bank("p-group.xml", pain002(B2B, group=("RJCT", "FF01"), status_id="S-1"))
    mixed = books.bank("p-mixed.xml", pain002(CORE, status_id="S-2", blocks=(
        (first.payment_info_id, "PART", None, ((first.tx("2026-0003"), "MD01"),)),
        (second.payment_info_id, "RJCT", "AG02", ()))))
    result = books.clear(whole_file, mixed)
    assert sorted((e.end_to_end_id, e.reason_code) for e in result.booked) == [
        ("2026-0003", "MD01"), ("2026-0006", "AG02"), ("2026-0007", "FF01")]
    assert books.pairs() == sorted([
        ("reject", R, S, 2500, first.payment_info_id, "2026-0003"),
        ("reject", R, S, 3000, second.payment_info_id, "2026-0006"),
        ("reject", R, S, 125000, b2b.payment_info_id, "2026-0007")], key=repr)
    statuses = books.statuses()
    assert statuses["2026-0003"] == ("rejected", "MD01")
    assert statuses["2026-0006"] == ("rejected", "AG02")
    assert statuses["2026-0007"] == ("rejected", "FF01")
    assert books.balances() == {first.payment_info_id: first.total_cents - 2500,
                                second.payment_info_id: 0, b2b.payment_info_id: 0}


def test_camt053_v08_books_only_booked_entries(collected):
    books, first, _, b2b = collected
    statement = books.bank("v08.xml", camt053(
        v08_payout(first, first.total_cents, "V08-1"),
        v08_payout(b2b, b2b.total_cents, "V08-2", status="PDNG"),
        version="08"))
    result = books.clear(statement)
    assert [(e.kind, e.payment_info_id) for e in result.booked] == [("payout", first.payment_info_id)]
    assert result.outcome.not_booked == 1
    assert books.balances()[first.payment_info_id] == 0
    assert books.balances()[b2b.payment_info_id] == b2b.total_cents


# --- net and gross payouts ----------------------------------------------------------------------

@pytest.mark.parametrize("style", ["net", "gross"])
def test_net_and_gross_payouts_both_clear_the_batch(collected, style):
    books, first, _, _ = collected
    rejected = first.tx("2026-0005")
    books.clear(books.bank("p.xml", reject(first, (rejected, "MS02"))))
    assert books.balances()[first.payment_info_id] == first.total_cents - 1000
    if style == "net":
        statement = camt053(abn_payout(first, first.total_cents - 1000, "P1"))
    else:  # the whole batch credited, the rejected collection debited again
        statement = camt053(abn_payout(first, first.total_cents, "P1"),
                            abn_return([rejected], ["MS02"], "P2", DEC1))
    result = books.clear(books.bank("camt053.xml", statement))
    kinds = [(e.kind, e.amount_cents) for e in result.booked]
    if style == "net":
        assert kinds == [("payout", first.total_cents - 1000)]
    else:
        assert kinds == [("payout", first.total_cents), ("reject-debited", 1000)]
        assert ("reject-debited", S, B, 1000, first.payment_info_id, "2026-0005") in books.pairs()
    assert books.balances()[first.payment_info_id] == 0
    assert books.statuses()["2026-0005"] == ("rejected", "MS02")


# --- reading the same thing twice ---------------------------------------------------------------

def test_the_same_return_in_camt054_and_later_in_camt053_is_booked_once(collected):
    books, first, _, _ = collected
    t = first.tx("2026-0002")
    books.clear(books.bank("c53-1.xml", camt053(abn_payout(first, first.total_cents, "P1"))))
    books.clear(books.bank("c54.xml", camt054(abn_return([t], ["AM04"], "NTF-1", DEC2, 250))))
    before = books.snapshot()
    # The statement books the same return under the bank's statement reference.
    later = books.clear(books.bank("c53-2.xml", camt053(abn_return([t], ["AM04"], "STM-9", DEC2, 250),
                                                        day=DEC2)))
    assert later.booked == [] and later.outcome.duplicates == 1
    assert books.snapshot() == before


def test_the_same_return_in_both_files_of_one_run_is_booked_once(collected):
    books, first, _, _ = collected
    t = first.tx("2026-0002")
    payout = books.bank("c53-1.xml", camt053(abn_payout(first, first.total_cents, "P1")))
    notification = books.bank("c54.xml", camt054(abn_return([t], ["AM04"], "NTF-1", DEC2)))
    statement = books.bank("c53-2.xml", camt053(abn_return([t], ["AM04"], "STM-9", DEC2), day=DEC2))
    result = books.clear(payout, notification, statement)
    assert [e.kind for e in result.booked] == ["payout", "return"]
    assert result.outcome.duplicates == 1


def test_a_gross_payouts_debit_of_a_rejected_collection_is_booked_once(collected):
    books, first, _, _ = collected
    rejected = first.tx("2026-0005")
    status = books.bank("p.xml", reject(first, (rejected, "MS02")))
    statement = books.bank("c53.xml", camt053(abn_payout(first, first.total_cents, "P1"),
                                              abn_return([rejected], ["MS02"], "P2", DEC1)))
    books.clear(status, statement)
    assert books.balances()[first.payment_info_id] == 0
    before = books.snapshot()
    again = books.clear(status, statement)
    assert again.booked == []
    # The same debit reported again in a notification, under another reference.
    notified = books.clear(books.bank("c54.xml", camt054(abn_return([rejected], ["MS02"], "N7", DEC2))))
    assert notified.booked == []
    assert books.snapshot() == before
    assert books.balances()[first.payment_info_id] == 0


def test_entry_level_charges_of_a_batched_return_are_booked_once(collected):
    books, first, _, _ = collected
    books.clear(books.bank("c53.xml", camt053(abn_payout(first, first.total_cents, "P1"))))
    both = [first.tx("2026-0001"), first.tx("2026-0002")]
    returns = books.bank("c54.xml", camt054(abn_return(both, ["AM04", "MS03"], "N1", DEC2, 500)))
    first_run = books.clear(returns)
    assert [(e.kind, e.amount_cents) for e in first_run.booked] == [
        ("return", 12100), ("return", 5995), ("charges", 500)]
    before = books.snapshot()
    assert books.clear(returns).booked == []
    assert books.snapshot() == before


# --- probable and unmatched ---------------------------------------------------------------------

def test_a_payout_found_only_by_amount_and_date_is_probable(collected):
    books, first, _, _ = collected
    statement = books.bank("c53.xml", camt053(bare_payout(first.total_cents, "P1", DEC1)))
    result = books.clear(statement)
    assert result.booked == [] and result.files == []
    assert [(e.kind, e.payment_info_id, e.probable) for e in result.probable] == [
        ("payout", first.payment_info_id, True)]
    assert books.journal().height == 0
    accepted = books.clear(statement, accept_probable=True)
    assert [(e.kind, e.payment_info_id, e.probable) for e in accepted.booked] == [
        ("payout", first.payment_info_id, True)]
    assert books.balances()[first.payment_info_id] == 0


def test_a_net_payout_found_by_amount_after_a_reject_is_probable(collected):
    books, first, _, _ = collected
    rejected = first.tx("2026-0004")
    status = books.bank("p.xml", reject(first, (rejected, "AC01")))
    # One business day after the collection date still counts (docs/sepa.md §10.3, step 3).
    statement = books.bank("c53.xml", camt053(
        bare_payout(first.total_cents - rejected.amount_cents, "P1", DEC2)))
    result = books.clear(status, statement, accept_probable=True)
    assert [(e.kind, e.probable) for e in result.booked] == [("reject", False), ("payout", True)]
    assert books.balances()[first.payment_info_id] == 0


def test_entries_that_match_nothing_are_listed_with_their_reason(collected):
    books, first, _, b2b = collected
    stranger = Tx("NOT-OURS-1", 1999, "X-1", "Onbekend", "NL31KNAB0000864199")
    statement = books.bank("c53.xml", camt053(
        abn_payout(first, first.total_cents, "P1"),
        abn_payout(first, first.total_cents, "P1-AGAIN"),          # the same batch twice
        bare_payout(77700, "P2", DEC1),                               # no batch has this amount
        abn_return([stranger], ["AM04"], "P3", DEC1),                 # not our EndToEndId
        bare_payout(12345, "P4", dt.date(2026, 12, 20), info="incasso"),  # no batch that day
        abn_return([first.tx("2026-0001")], ["AM04"], "P5", DEC2).replace(  # no reference
            "<EndToEndId>2026-0001</EndToEndId>", ""),
        abn_payout(b2b, b2b.total_cents, "P6").replace(                   # two batch ids
            f"/PREF/{b2b.payment_info_id}/", f"/PREF/{first.payment_info_id}/")))
    status = books.bank("p.xml", pain002("INCS-20991231-0001", group=("RJCT", "FF01")))
    unknown_block = books.bank("p2.xml", pain002(CORE, status_id="S-2", blocks=(
        (f"{CORE}-99", "RJCT", "AG02", ()),)))
    result = books.clear(statement, status, unknown_block)
    assert [(u.code, u.amount_cents, u.detail) for u in result.outcome.unmatched] == [
        ("bank-status-unknown-message", None, "INCS-20991231-0001"),
        ("bank-status-unknown-block", None, f"{CORE}-99"),
        ("bank-payout-twice", first.total_cents, first.payment_info_id),
        ("bank-payout-unmatched", 77700, ""),
        ("bank-return-unknown", 1999, "NOT-OURS-1"),
        ("bank-payout-unmatched", 12345, ""),
        ("bank-return-no-reference", 12100, ""),
        ("bank-payout-several-blocks", b2b.total_cents,
         f"{first.payment_info_id}, {b2b.payment_info_id}")]
    assert [e.kind for e in result.booked] == ["payout"]
    assert books.balances()[b2b.payment_info_id] == b2b.total_cents


def test_two_batches_with_the_same_amount_and_date_are_ambiguous(books):
    books.write("inv.csv", """
        Factuurnummer;Debiteurnummer;Factuurdatum;Vervaldatum;Bedrag;Omschrijving
        2026-0001;10001;01-11-2026;01-12-2026;50,00;Contributie
        2026-0007;10006;01-11-2026;01-12-2026;50,00;Sponsorbijdrage
    """)
    core, b2b = books.collect()
    result = books.clear(books.bank("c53.xml", camt053(bare_payout(5000, "P1", DEC1))))
    assert [(u.code, u.detail) for u in result.outcome.unmatched] == [
        ("bank-payout-ambiguous", f"{core.payment_info_id}, {b2b.payment_info_id}")]
    assert result.probable == [] and result.booked == []


def test_a_batch_id_in_free_text_is_not_mistaken_for_a_longer_one(books):
    """INCS-...-1 is a prefix of INCS-...-10: naming batch -10 does not name batch -1."""
    lines = ["Factuurnummer;Debiteurnummer;Factuurdatum;Vervaldatum;Bedrag;Omschrijving"]
    lines += [f"2026-{n:04d};10001;01-11-2026;{day:02d}-12-2026;10,00;Les {n}"
              for n, day in enumerate((1, 2, 3, 4, 7, 8, 9, 10, 11, 14), start=1)]
    books.write("inv.csv", "\n".join(lines) + "\n")
    batches = books.collect()
    tenth = batches[9]
    assert tenth.payment_info_id == f"{CORE}-10"
    entry = bare_payout(1000, "P1", tenth.collection_date,
                        info=f"SEPA Incasso batch {tenth.payment_info_id} 1 post")
    result = books.clear(books.bank("c53.xml", camt053(entry)))
    assert [(e.payment_info_id, e.probable) for e in result.booked] == [(tenth.payment_info_id, False)]


# --- mandates by reason code -------------------------------------------------------------------

def skipped(books: Books) -> dict[str, tuple[str, str | None]]:
    frame = books.last_collect.skipped
    return {n: (code, detail) for _row, n, code, detail in frame.iter_rows()} if frame is not None else {}


def collected_ids(batches: list[Batch]) -> list[str]:
    return [t.end_to_end_id for b in batches for t in b.transactions]


NEXT_RUN = dt.datetime(2026, 12, 3, 10, 0, 0)
NEW_INVOICE = "2026-0101;{debtor};20-11-2026;10-12-2026;15,00;Nieuwe factuur\n"


@pytest.mark.parametrize("code", ["MD01", "AC04", "MD07"])
def test_a_dead_mandate_is_not_collected_again(collected, code):
    books, first, _, _ = collected
    books.clear(books.bank("p.xml", reject(first, (first.tx("2026-0002"), code))))
    assert books.mandate("MDT-10002") == ("dead", code)
    assert books.mandate("MDT-10003") == ("active", None)
    header = INVOICES.strip().splitlines()[0].strip()
    books.write("new.csv", header + "\n" + NEW_INVOICE.format(debtor="10002")
                + NEW_INVOICE.replace("0101", "0102").format(debtor="10003"))
    assert collected_ids(books.collect(NEXT_RUN, invoices="new.csv")) == ["2026-0102"]
    assert skipped(books)["2026-0101"] == ("mandate-inactive", f"dead {code}")


def test_an_insufficient_funds_return_flows_into_the_next_collection(collected):
    books, first, _, _ = collected
    books.clear(books.bank("c53.xml", camt053(abn_payout(first, first.total_cents, "P1"))))
    result = books.clear(books.bank("c54.xml", camt054(
        abn_return([first.tx("2026-0001")], ["AM04"], "N1", DEC2))))
    reopened = next(p for p in result.files if p.name.endswith(".reopened-invoices.csv"))
    shutil.copy(reopened, books.folder / "reopened.csv")
    assert books.mandate("MDT-10001") == ("active", None)
    again = books.collect(NEXT_RUN, invoices="reopened.csv")
    assert [(t.end_to_end_id, t.amount_cents) for b in again for t in b.transactions] == [
        ("2026-0001-2", 12100)]
    assert books.statuses()["2026-0001-2"] == ("collected", None)


def test_ms03_is_retried_once_then_needs_contact(collected):
    books, first, _, _ = collected
    status = reject(first, (first.tx("2026-0004"), "MS03"), status_id="S-1")
    result = books.clear(books.bank("p1.xml", status))
    shutil.copy(result.files[1], books.folder / "reopened.csv")
    retry = books.collect(NEXT_RUN, invoices="reopened.csv")
    assert collected_ids(retry) == ["2026-0004-2"]
    books.clear(books.bank("p2.xml", reject(retry[0], (retry[0].tx("2026-0004-2"), "MS03"),
                                            status_id="S-2")), now=dt.datetime(2026, 12, 4, 9))
    assert collected_ids(books.collect(dt.datetime(2026, 12, 7, 10), invoices="reopened.csv")) == []
    assert skipped(books)["2026-0004"] == ("invoice-needs-contact", "MS03")


@pytest.mark.parametrize("code", ["MD06", "MS02", "AM05"])
def test_a_refund_or_refusal_needs_contact_before_collecting_again(collected, code):
    books, first, _, _ = collected
    books.clear(books.bank("c53.xml", camt053(abn_payout(first, first.total_cents, "P1"))))
    result = books.clear(books.bank("c54.xml", camt054(
        abn_return([first.tx("2026-0003")], [code], "N1", DEC2))))
    shutil.copy(result.files[1], books.folder / "reopened.csv")
    assert collected_ids(books.collect(NEXT_RUN, invoices="reopened.csv")) == []
    assert skipped(books)["2026-0003"] == ("invoice-needs-contact", code)
    assert books.mandate("MDT-10003")[0] == "active"


def test_a_wrong_iban_is_collected_again_only_after_the_iban_changed(collected):
    books, first, _, _ = collected
    result = books.clear(books.bank("p.xml", reject(first, (first.tx("2026-0005"), "AC01"))))
    shutil.copy(result.files[1], books.folder / "reopened.csv")
    assert collected_ids(books.collect(NEXT_RUN, invoices="reopened.csv")) == []
    assert skipped(books)["2026-0005"] == ("invoice-fix-first", "AC01")
    books.write("deb.csv", DEBTORS.replace("NL82ASNB0000617285", "NL31KNAB0000864199"))
    assert collected_ids(books.collect(NEXT_RUN, invoices="reopened.csv")) == ["2026-0005-2"]


# --- the reports -----------------------------------------------------------------------------------

def test_the_returns_report_explains_each_reason_in_dutch_and_english(collected):
    books, first, _, _ = collected
    status = books.bank("p.xml", reject(first, (first.tx("2026-0002"), "AC04")))
    books.clear(books.bank("c53.xml", camt053(abn_payout(first, first.total_cents - 5995, "P1"))))
    result = books.clear(status, books.bank("c54.xml", camt054(
        abn_return([first.tx("2026-0001")], ["MD06"], "N1", DEC2))))
    report = next(p for p in result.files if p.name.endswith(".returns.xlsx"))
    assert report.name == "CLR-20261202-0002.returns.xlsx"
    sheet = openpyxl.load_workbook(report).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:6] == ("Factuur", "Debiteur", "EndToEndId", "Bedrag", "Soort", "Reden")
    found = {r[header.index("Factuur")]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert set(found) == {"2026-0001", "2026-0002"}
    for invoice, code, kind in (("2026-0002", "AC04", "geweigerd"), ("2026-0001", "MD06", "storno")):
        row, info = found[invoice], reasons.REASONS[code]
        assert (row["Reden"], row["Soort"], row["Batch"]) == (code, kind, first.payment_info_id)
        assert (row["Betekenis"], row["Meaning"]) == (info.meaning_nl, info.meaning_en)
        assert (row["Advies"], row["Advice"]) == (info.advice_nl, info.advice_en)


def test_reopened_invoices_have_the_invoices_sheet_columns(collected):
    books, first, _, _ = collected
    result = books.clear(books.bank("p.xml", reject(
        first, (first.tx("2026-0001"), "AM04"), (first.tx("2026-0004"), "MS03"))))
    assert [p.name for p in result.files] == [
        "CLR-20261202-0001.journal.csv", "CLR-20261202-0001.reopened-invoices.csv",
        "CLR-20261202-0001.returns.xlsx"]
    text = result.files[1].read_bytes().decode("utf-8-sig")
    assert text.split("\r\n") == [
        "Factuurnummer;Debiteurnummer;Factuurdatum;Vervaldatum;Bedrag;Valuta;Omschrijving",
        "2026-0001;10001;01-11-2026;01-12-2026;121,00;EUR;Contributie",
        "2026-0004;10004;01-11-2026;01-12-2026;42,50;EUR;Lesgeld",
        ""]
    check = api.check(books.folder / "deb.csv", result.files[1], CLEAR_NOW.date())
    assert check.report.valid and check.invoices.rows == 2


def test_a_payout_alone_writes_only_the_journal(collected):
    books, first, _, _ = collected
    result = books.clear(books.bank("c53.xml", camt053(abn_payout(first, first.total_cents, "P1"))))
    assert [p.name for p in result.files] == ["CLR-20261202-0001.journal.csv"]


def test_every_clearing_journal_balances(collected):
    books, first, second, b2b = collected
    books.clear(
        books.bank("p.xml", reject(first, (first.tx("2026-0005"), "MS02"))),
        books.bank("c53.xml", camt053(abn_payout(first, first.total_cents, "P1"),
                                      abn_return([first.tx("2026-0005")], ["MS02"], "P2", DEC1),
                                      abn_payout(b2b, b2b.total_cents, "P3"))),
        books.bank("c54.xml", camt054(abn_return([first.tx("2026-0001")], ["AM04"], "N1", DEC2, 250))))
    lines = books.journal()
    assert bookings.unbalanced_entries(lines) == []
    assert lines["debit_cents"].sum() == lines["credit_cents"].sum()


def test_a_dry_run_books_and_writes_nothing(collected):
    books, first, _, _ = collected
    before = books.snapshot()
    result = books.clear(books.bank("c53.xml", camt053(abn_payout(first, first.total_cents, "P1"))),
                         dry_run=True)
    assert [e.kind for e in result.booked] == ["payout"] and result.files == []
    assert books.snapshot() == before


# --- golden files ---------------------------------------------------------------------------------

def golden_run(books: Books, journal_format: str) -> ClearResult:
    first, _, b2b = books.collect()
    return books.clear(
        books.bank("pain002.xml", reject(first, (first.tx("2026-0002"), "AC04"))),
        books.bank("camt053.xml", camt053(
            abn_payout(first, first.total_cents - 5995, "033020261201000001"),
            abn_payout(b2b, b2b.total_cents, "033020261201000002"))),
        books.bank("camt054.xml", camt054(
            abn_return([first.tx("2026-0001")], ["AM04"], "033020261202000001", DEC2, 250),
            abn_return([first.tx("2026-0004")], ["MD06"], "033020261202000002", DEC2))),
        journal_format=journal_format)


@pytest.mark.parametrize("fmt", ["nl", "iso"])
def test_clearing_outputs_match_the_golden_files(books, request, fmt):
    result = golden_run(books, fmt)
    by_kind = {p.name.split(".", 1)[1]: p for p in result.files}
    assert_golden(f"clear/clearing.journal-{fmt}.csv", by_kind["journal.csv"].read_bytes(), request)
    assert_golden(f"clear/clearing.reopened-invoices-{fmt}.csv",
                  by_kind["reopened-invoices.csv"].read_bytes(), request)


def single_payout(batch: Batch, t: Tx, ref: str, echo_batch_id: bool) -> str:
    """BtchBookg=false: one CRDT entry per collected transaction."""
    pid = f"<PmtInfId>{batch.payment_info_id}</PmtInfId>" if echo_batch_id else ""
    return f"""
      <Ntry>
        <Amt Ccy="EUR">{amount(t.amount_cents)}</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>{batch.collection_date}</Dt></BookgDt>
        <AcctSvcrRef>{ref}</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>IDDT</Cd><SubFmlyCd>ESDD</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs>{pid}<EndToEndId>{t.end_to_end_id}</EndToEndId><MndtId>{t.mandate_id}</MndtId></Refs>
          <AmtDtls><TxAmt><Amt Ccy="EUR">{amount(t.amount_cents)}</Amt></TxAmt></AmtDtls>
        </TxDtls></NtryDtls>
      </Ntry>"""


@pytest.mark.parametrize("echo_batch_id", [False, True])
def test_one_entry_per_transaction_when_batch_booking_is_off(collected, echo_batch_id):
    books, first, _, _ = collected
    entries = [single_payout(first, t, f"T{n}", echo_batch_id)
               for n, t in enumerate(first.transactions)]
    result = books.clear(books.bank("c53.xml", camt053(*entries)))
    assert result.outcome.unmatched == []
    assert [(e.kind, e.end_to_end_id) for e in result.booked] == [
        ("payout", t.end_to_end_id) for t in first.transactions]
    assert books.balances()[first.payment_info_id] == 0
    assert {books.statuses()[t.end_to_end_id][0] for t in first.transactions} == {"settled"}


def test_a_single_transaction_payout_notified_twice_is_booked_once(collected):
    books, first, _, _ = collected
    t = first.tx("2026-0003")
    notification = books.bank("c54.xml", camt054(single_payout(first, t, "NTF-1", True), day=DEC1))
    statement = books.bank("c53.xml", camt053(single_payout(first, t, "STM-1", True)))
    assert [e.kind for e in books.clear(notification, statement).booked] == ["payout"]
    before = books.snapshot()
    assert books.clear(notification, statement).booked == []
    assert books.snapshot() == before


def test_a_whole_file_rejected_reopens_every_invoice_in_it(books):
    """1,200 collections rejected at file level: every one booked back and reopened, in
    invoice order (the ledger is asked in chunks)."""
    lines = ["Factuurnummer;Debiteurnummer;Factuurdatum;Vervaldatum;Bedrag;Omschrijving"]
    lines += [f"2026-{n:05d};{10001 + n % 5};01-11-2026;01-12-2026;{1 + n % 50},00;Les"
              for n in range(1200, 0, -1)]
    books.write("inv.csv", "\n".join(lines) + "\n")
    [batch] = books.collect()
    assert len(batch.transactions) == 1200
    result = books.clear(books.bank("p.xml", pain002(CORE, group=("RJCT", "FF01"))))
    assert len(result.booked) == 1200 and {e.reason_code for e in result.booked} == {"FF01"}
    assert books.balances() == {batch.payment_info_id: 0}
    reopened = pl.read_csv(result.files[1], separator=";", infer_schema=False)
    assert reopened["Factuurnummer"].to_list() == [f"2026-{n:05d}" for n in range(1, 1201)]
