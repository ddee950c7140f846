"""Write the bank's answer to the sample company's first collection: samples/bank/.

Runs `collect` on the samples in a temporary folder with the demo clock
(INCASSO_NOW=2026-11-27T10:00:00, as `make demo` uses), reads the pain.008 it wrote and
produces, in the shapes Dutch banks use:

* pain002-20261127.xml: one transaction of the first batch rejected before settlement (AC04);
* camt053-20261130.xml: the statement of the collection date, with the first batch paid
  out net of that reject (ABN AMRO style: Btch with PmtInfId, one TxDtls per collection);
* camt054-20261202.xml: two returns of the first batch: AM04 (insufficient funds, with
  EUR 2,50 charges) and MD06 (refund requested by the debtor).

After `clear` of these three files the first batch's suspense balance is zero.
Run: .venv/bin/python samples/make_bank_files.py
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

from lxml import etree

from incasso_sheets import api
from incasso_sheets.collect.run import CollectRequest

HERE = Path(__file__).parent
NOW = dt.datetime(2026, 11, 27, 10, 0, 0)
NS8 = "urn:iso:std:iso:20022:tech:xsd:pain.008.001.08"


def first_batch() -> tuple[str, str, str, list[tuple[str, Decimal, str, str, str]]]:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name in ("debiteuren.xlsx", "facturen.xlsx", "incasso.toml"):
            shutil.copy(HERE / name, work / name)
        result = api.collect(CollectRequest(work / "debiteuren.xlsx", work / "facturen.xlsx", work / "out",
                                            NOW, config=work / "incasso.toml"))
        xml = next(p for p in result.files if p.name.endswith(".pain008.xml"))
        tree = etree.parse(str(xml))
    q = {"p": NS8}
    msg_id = tree.findtext(".//p:GrpHdr/p:MsgId", namespaces=q)
    block = tree.find(".//p:PmtInf", namespaces=q)
    pid = block.findtext("p:PmtInfId", namespaces=q)
    day = block.findtext("p:ReqdColltnDt", namespaces=q)
    txs = []
    for tx in block.findall("p:DrctDbtTxInf", namespaces=q):
        txs.append((tx.findtext("p:PmtId/p:EndToEndId", namespaces=q),
                    Decimal(tx.findtext("p:InstdAmt", namespaces=q)),
                    tx.findtext("p:DrctDbtTx/p:MndtRltdInf/p:MndtId", namespaces=q),
                    tx.findtext("p:Dbtr/p:Nm", namespaces=q),
                    tx.findtext("p:DbtrAcct/p:Id/p:IBAN", namespaces=q)))
    return msg_id, pid, day, txs


def amount(value: Decimal) -> str:
    return f"{value:.2f}"


def pain002(msg_id: str, pid: str, rejected) -> str:
    e2e, value, mandate, name, iban = rejected
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03">
  <CstmrPmtStsRpt>
    <GrpHdr>
      <MsgId>ABNA-STS-20261127-000341</MsgId>
      <CreDtTm>2026-11-27T16:02:11</CreDtTm>
      <DbtrAgt><FinInstnId><BIC>ABNANL2A</BIC></FinInstnId></DbtrAgt>
    </GrpHdr>
    <OrgnlGrpInfAndSts>
      <OrgnlMsgId>{msg_id}</OrgnlMsgId>
      <OrgnlMsgNmId>pain.008.001.08</OrgnlMsgNmId>
      <GrpSts>PART</GrpSts>
    </OrgnlGrpInfAndSts>
    <OrgnlPmtInfAndSts>
      <OrgnlPmtInfId>{pid}</OrgnlPmtInfId>
      <PmtInfSts>PART</PmtInfSts>
      <TxInfAndSts>
        <StsId>ABNA-RJ-000341-01</StsId>
        <OrgnlEndToEndId>{e2e}</OrgnlEndToEndId>
        <TxSts>RJCT</TxSts>
        <StsRsnInf>
          <Orgtr><Id><OrgId><BICOrBEI>INGBNL2A</BICOrBEI></OrgId></Id></Orgtr>
          <Rsn><Cd>AC04</Cd></Rsn>
          <AddtlInf>Rekening opgeheven</AddtlInf>
        </StsRsnInf>
        <OrgnlTxRef>
          <Amt><InstdAmt Ccy="EUR">{amount(value)}</InstdAmt></Amt>
          <MndtRltdInf><MndtId>{mandate}</MndtId></MndtRltdInf>
          <Dbtr><Nm>{name}</Nm></Dbtr>
          <DbtrAcct><Id><IBAN>{iban}</IBAN></Id></DbtrAcct>
        </OrgnlTxRef>
      </TxInfAndSts>
    </OrgnlPmtInfAndSts>
  </CstmrPmtStsRpt>
</Document>
"""


def camt053(msg_id: str, pid: str, day: str, paid, total: Decimal) -> str:
    details = "".join(f"""
            <TxDtls>
              <Refs><EndToEndId>{e2e}</EndToEndId><MndtId>{mandate}</MndtId></Refs>
              <AmtDtls><TxAmt><Amt Ccy="EUR">{amount(value)}</Amt></TxAmt></AmtDtls>
              <RltdPties><Dbtr><Nm>{name}</Nm></Dbtr><DbtrAcct><Id><IBAN>{iban}</IBAN></Id></DbtrAcct></RltdPties>
            </TxDtls>""" for e2e, value, mandate, name, iban in paid)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>0417164300.{day}</MsgId><CreDtTm>{day}T23:59:00+01:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>0417164300.{day}</Id>
      <ElctrncSeqNb>211</ElctrncSeqNb>
      <CreDtTm>{day}T23:59:00+01:00</CreDtTm>
      <Acct><Id><IBAN>NL91ABNA0417164300</IBAN></Id><Ccy>EUR</Ccy></Acct>
      <Ntry>
        <Amt Ccy="EUR">{amount(total).zfill(18)}</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>{day}</Dt></BookgDt>
        <ValDt><Dt>{day}</Dt></ValDt>
        <AcctSvcrRef>0330{day.replace('-', '')}0001</AcctSvcrRef>
        <BkTxCd>
          <Domn><Cd>PMNT</Cd><Fmly><Cd>IDDT</Cd><SubFmlyCd>ESDD</SubFmlyCd></Fmly></Domn>
          <Prtry><Cd>N245</Cd><Issr>ABNAMRO</Issr></Prtry>
        </BkTxCd>
        <NtryDtls>
          <Btch><MsgId>{msg_id}</MsgId><PmtInfId>{pid}</PmtInfId><NbOfTxs>{len(paid)}</NbOfTxs>
            <TtlAmt Ccy="EUR">{amount(total)}</TtlAmt><CdtDbtInd>CRDT</CdtDbtInd></Btch>{details}
        </NtryDtls>
        <AddtlNtryInf>/TRTP/SEPA Incasso batch/PREF/{pid}/NRTX/{len(paid)}/</AddtlNtryInf>
      </Ntry>
      <Ntry>
        <Amt Ccy="EUR">000000000000045.00</Amt>
        <CdtDbtInd>DBIT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>{day}</Dt></BookgDt>
        <ValDt><Dt>{day}</Dt></ValDt>
        <AcctSvcrRef>0330{day.replace('-', '')}0002</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <AddtlNtryInf>/TRTP/SEPA OVERBOEKING/NAME/Zaalverhuur De Sporthal/REMI/Huur december/</AddtlNtryInf>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>
"""


def camt054(returns) -> str:
    entries = []
    for n, ((e2e, value, mandate, name, iban), code, fee) in enumerate(returns, start=1):
        charges = (f"<Chrgs><Amt Ccy=\"EUR\">{amount(fee)}</Amt></Chrgs>" if fee else "")
        entries.append(f"""
      <Ntry>
        <Amt Ccy="EUR">{amount(value + fee)}</Amt>
        <CdtDbtInd>DBIT</CdtDbtInd>
        <RvslInd>true</RvslInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>2026-12-02</Dt></BookgDt>
        <ValDt><Dt>2026-12-02</Dt></ValDt>
        <AcctSvcrRef>03302026120200{n:02d}</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>IDDT</Cd><SubFmlyCd>UPDD</SubFmlyCd></Fmly></Domn></BkTxCd>
        {charges}
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>{e2e}</EndToEndId><MndtId>{mandate}</MndtId></Refs>
          <AmtDtls><TxAmt><Amt Ccy="EUR">{amount(value)}</Amt></TxAmt></AmtDtls>
          <RltdPties><Dbtr><Nm>{name}</Nm></Dbtr><DbtrAcct><Id><IBAN>{iban}</IBAN></Id></DbtrAcct></RltdPties>
          <RtrInf><Rsn><Cd>{code}</Cd></Rsn><AddtlInf>/RTYP/RTRN</AddtlInf></RtrInf>
        </TxDtls></NtryDtls>
      </Ntry>""")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02">
  <BkToCstmrDbtCdtNtfctn>
    <GrpHdr><MsgId>0417164300.NTF.2026-12-02</MsgId><CreDtTm>2026-12-02T18:00:00+01:00</CreDtTm></GrpHdr>
    <Ntfctn>
      <Id>0417164300.NTF.2026-12-02</Id>
      <CreDtTm>2026-12-02T18:00:00+01:00</CreDtTm>
      <Acct><Id><IBAN>NL91ABNA0417164300</IBAN></Id><Ccy>EUR</Ccy></Acct>{''.join(entries)}
    </Ntfctn>
  </BkToCstmrDbtCdtNtfctn>
</Document>
"""


def main() -> None:
    msg_id, pid, day, txs = first_batch()
    rejected, paid = txs[0], txs[1:]
    total = sum((t[1] for t in paid), Decimal("0"))
    out = HERE / "bank"
    out.mkdir(exist_ok=True)
    (out / "pain002-20261127.xml").write_text(pain002(msg_id, pid, rejected), encoding="utf-8")
    (out / f"camt053-{day.replace('-', '')}.xml").write_text(camt053(msg_id, pid, day, paid, total),
                                                             encoding="utf-8")
    (out / "camt054-20261202.xml").write_text(
        camt054([(paid[0], "AM04", Decimal("2.50")), (paid[1], "MD06", Decimal("0"))]), encoding="utf-8")
    print(f"batch {pid}: {len(paid)} paid ({total}), 1 rejected, 2 returned -> {out}")


if __name__ == "__main__":
    main()
