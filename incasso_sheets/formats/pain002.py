"""pain.002 payment status reports: what the bank accepted or rejected before settlement.

`read_status_report` turns a pain.002 (.001.03, and later versions: the paths are the
same) into a StatusReport value. No matching and no booking here.

ISO 20022 tags and the fields they fill (docs/sepa.md §10.1):

    GrpHdr/MsgId, GrpHdr/CreDtTm                 -> message_id, created
    OrgnlGrpInfAndSts/OrgnlMsgId, OrgnlMsgNmId   -> original_message_id, original_message_type
    OrgnlGrpInfAndSts/GrpSts, StsRsnInf          -> group_status, group_reasons, group_reason_info
    OrgnlPmtInfAndSts (one BlockStatus each):
      OrgnlPmtInfId, PmtInfSts, StsRsnInf        -> payment_info_id, status, reasons, reason_info
      TxInfAndSts (one TxStatus each):
        OrgnlEndToEndId, OrgnlInstrId, TxSts      -> end_to_end_id, instr_id, status
        StsRsnInf/Rsn/Cd | Rsn/Prtry, AddtlInf   -> reason_code (the first), reason_info
        OrgnlTxRef/Amt/InstdAmt                   -> amount_cents
        OrgnlTxRef/ReqdColltnDt                   -> collection_date
        OrgnlTxRef/MndtRltdInf/MndtId, Dbtr/Nm (or Dbtr/Pty/Nm), DbtrAcct/Id/IBAN

A rejection can sit at any of three levels: the whole file (GrpSts=RJCT, often with no
blocks listed), a block (PmtInfSts=RJCT, often with no transactions listed) or one
transaction (TxSts=RJCT). `rejections` lists them, each at its own level.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from lxml import etree

from incasso_sheets.core.money import AmountError, xml_amount_to_cents
from incasso_sheets.formats.bankfile import PAIN002, expect_kind
from incasso_sheets.formats.xmlsafe import iterparse_safe, release

REJECTED = "RJCT"


@dataclass(frozen=True, slots=True)
class TxStatus:
    end_to_end_id: str | None
    instr_id: str | None
    status: str | None          # TxSts; None: the block's or the group's status applies
    reason_code: str | None     # first StsRsnInf/Rsn/Cd (or Prtry)
    reason_info: str | None     # every StsRsnInf/AddtlInf, joined with spaces
    amount_cents: int | None
    collection_date: dt.date | None
    mandate_id: str | None
    debtor_name: str | None
    debtor_iban: str | None
    problems: tuple[str, ...]   # amount-not-cents, bank-amount-invalid, bank-date-invalid


@dataclass(frozen=True, slots=True)
class BlockStatus:
    payment_info_id: str | None
    status: str | None          # PmtInfSts; None: the group's status applies
    reasons: tuple[str, ...]
    reason_info: str | None
    transactions: tuple[TxStatus, ...]


@dataclass(frozen=True, slots=True)
class StatusReport:
    version: str                # "001.03"
    message_id: str | None
    created: str | None
    original_message_id: str | None
    original_message_type: str | None  # e.g. "pain.008.001.02" (case as the bank wrote it)
    group_status: str | None
    group_reasons: tuple[str, ...]
    group_reason_info: str | None
    blocks: tuple[BlockStatus, ...]


@dataclass(frozen=True, slots=True)
class Rejection:
    """One rejection at the level the bank reported it.

    level "group": every transaction of original_message_id is rejected;
    level "block": every transaction of payment_info_id;
    level "transaction": the one with end_to_end_id.
    """
    level: str
    original_message_id: str | None
    payment_info_id: str | None
    end_to_end_id: str | None
    reason_code: str | None
    reason_info: str | None
    amount_cents: int | None


class _Names:
    def __init__(self, namespace: str):
        def q(local: str) -> str:
            return f"{{{namespace}}}{local}" if namespace else local

        for local in (
            "GrpHdr OrgnlGrpInfAndSts OrgnlPmtInfAndSts MsgId CreDtTm OrgnlMsgId OrgnlMsgNmId "
            "GrpSts StsRsnInf Rsn Cd Prtry AddtlInf OrgnlPmtInfId PmtInfSts TxInfAndSts "
            "OrgnlEndToEndId OrgnlInstrId TxSts OrgnlTxRef Amt InstdAmt ReqdColltnDt Dt DtTm "
            "MndtRltdInf MndtId Dbtr Nm Pty DbtrAcct Id IBAN"
        ).split():
            setattr(self, local, q(local))


def _text(elem: etree._Element | None) -> str | None:
    if elem is None or elem.text is None:
        return None
    return elem.text.strip() or None


def _reasons(parent: etree._Element, n: _Names) -> tuple[tuple[str, ...], str | None]:
    codes, infos = [], []
    for info in parent.iterchildren(n.StsRsnInf):
        rsn = info.find(n.Rsn)
        if rsn is not None:
            code = _text(rsn.find(n.Cd)) or _text(rsn.find(n.Prtry))
            if code:
                codes.append(code)
        infos.extend(t for t in (_text(a) for a in info.iterchildren(n.AddtlInf)) if t)
    return tuple(codes), " ".join(infos) or None


def _transaction(tx: etree._Element, n: _Names) -> TxStatus:
    problems: list[str] = []
    codes, info = _reasons(tx, n)
    cents = collection_date = mandate = name = iban = None
    ref = tx.find(n.OrgnlTxRef)
    if ref is not None:
        amount = _text(ref.find(f"{n.Amt}/{n.InstdAmt}"))
        if amount is not None:
            try:
                cents = xml_amount_to_cents(amount)
            except AmountError as exc:
                problems.append(
                    exc.code if exc.code == "amount-not-cents" else "bank-amount-invalid"
                )
        date_el = ref.find(n.ReqdColltnDt)
        if date_el is not None:
            # ISODate in .03; later versions may wrap it as Dt or DtTm.
            text = _text(date_el) or _text(date_el.find(n.Dt)) or _text(date_el.find(n.DtTm))
            if text:
                try:
                    collection_date = dt.date.fromisoformat(text[:10])
                except ValueError:
                    problems.append("bank-date-invalid")
        mandate = _text(ref.find(f"{n.MndtRltdInf}/{n.MndtId}"))
        dbtr = ref.find(n.Dbtr)
        if dbtr is not None:
            name = _text(dbtr.find(n.Nm)) or _text(dbtr.find(f"{n.Pty}/{n.Nm}"))
        iban = _text(ref.find(f"{n.DbtrAcct}/{n.Id}/{n.IBAN}"))
    return TxStatus(
        end_to_end_id=_text(tx.find(n.OrgnlEndToEndId)),
        instr_id=_text(tx.find(n.OrgnlInstrId)),
        status=_text(tx.find(n.TxSts)),
        reason_code=codes[0] if codes else None,
        reason_info=info,
        amount_cents=cents,
        collection_date=collection_date,
        mandate_id=mandate,
        debtor_name=name,
        debtor_iban=iban,
        problems=tuple(problems),
    )


def _block(block: etree._Element, n: _Names) -> BlockStatus:
    codes, info = _reasons(block, n)
    return BlockStatus(
        payment_info_id=_text(block.find(n.OrgnlPmtInfId)),
        status=_text(block.find(n.PmtInfSts)),
        reasons=codes,
        reason_info=info,
        transactions=tuple(_transaction(tx, n) for tx in block.iterchildren(n.TxInfAndSts)),
    )


def read_status_report(path: str | os.PathLike) -> StatusReport:
    """The pain.002 at `path` as a StatusReport.

    Raises CannotContinue for a file that is not a pain.002 ('bank-file-wrong-kind',
    'bank-file-unknown'), has a DTD ('xml-refused') or is broken ('file-unreadable').
    """
    _kind, version, namespace = expect_kind(path, PAIN002)
    n = _Names(namespace)
    message_id = created = None
    original_id = original_type = group_status = None
    group_reasons: tuple[str, ...] = ()
    group_info = None
    blocks = []
    tags = (n.GrpHdr, n.OrgnlGrpInfAndSts, n.OrgnlPmtInfAndSts)
    for _event, elem in iterparse_safe(path, tags):
        if elem.tag == n.OrgnlPmtInfAndSts:
            blocks.append(_block(elem, n))
        elif elem.tag == n.OrgnlGrpInfAndSts:
            original_id = _text(elem.find(n.OrgnlMsgId))
            original_type = _text(elem.find(n.OrgnlMsgNmId))
            group_status = _text(elem.find(n.GrpSts))
            group_reasons, group_info = _reasons(elem, n)
        else:
            message_id = _text(elem.find(n.MsgId))
            created = _text(elem.find(n.CreDtTm))
        release(elem)
    return StatusReport(
        version=version,
        message_id=message_id,
        created=created,
        original_message_id=original_id,
        original_message_type=original_type,
        group_status=group_status,
        group_reasons=group_reasons,
        group_reason_info=group_info,
        blocks=tuple(blocks),
    )


def rejections(report: StatusReport) -> tuple[Rejection, ...]:
    """Every rejection in the report, at the highest level it applies to.

    A rejected group yields one "group" rejection and nothing below it; a rejected
    block one "block" rejection; otherwise each TxSts=RJCT is a "transaction" one.
    A transaction without its own reason takes its block's first reason.
    """
    original = report.original_message_id
    if report.group_status == REJECTED:
        return (Rejection(
            "group", original, None, None,
            report.group_reasons[0] if report.group_reasons else None,
            report.group_reason_info, None,
        ),)
    found = []
    for block in report.blocks:
        if block.status == REJECTED:
            found.append(Rejection(
                "block", original, block.payment_info_id, None,
                block.reasons[0] if block.reasons else None, block.reason_info, None,
            ))
            continue
        for tx in block.transactions:
            if tx.status == REJECTED:
                found.append(Rejection(
                    "transaction", original, block.payment_info_id, tx.end_to_end_id,
                    tx.reason_code or (block.reasons[0] if block.reasons else None),
                    tx.reason_info, tx.amount_cents,
                ))
    return tuple(found)
