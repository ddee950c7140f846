"""camt.053 statements, camt.052 reports and camt.054 notifications, streamed into Entry values.

No matching and no booking here: this module reads what the bank wrote and nothing else.
`iter_entries` yields one `Entry` per `Ntry` (camt.053 `Stmt/Ntry`, camt.052 `Rpt/Ntry`,
camt.054 `Ntfctn/Ntry`), for any version (.001.02, .04, .08, ...): children are looked up by local
name in the file's own namespace. `read_statements` gives the header of each statement
(account, balances).

ISO 20022 tags and the fields they fill (docs/sepa.md §4.2, §10):

    Ntry/NtryRef -> entry_ref             Ntry/AcctSvcrRef -> bank_ref
    Ntry/Amt, @Ccy -> amount_cents, currency (always positive; CdtDbtInd gives direction)
    Ntry/CdtDbtInd = CRDT -> credit       Ntry/RvslInd = true -> reversal (amount not negated)
    Ntry/Sts | Sts/Cd -> status           BookgDt|ValDt / Dt|DtTm -> booking_date, value_date
    BkTxCd/Domn/Cd + Fmly/Cd + Fmly/SubFmlyCd -> domain_code "PMNT/IDDT/ESDD"
    BkTxCd/Prtry/Cd, Prtry/Issr -> proprietary_code, proprietary_issuer
    Ntry/Chrgs -> charges_cents           Ntry/AddtlNtryInf -> additional_info, references
    NtryDtls/Btch/{MsgId, PmtInfId, NbOfTxs, TtlAmt, CdtDbtInd} -> batch
    NtryDtls/TxDtls -> details:
      Refs/{EndToEndId, MndtId, InstrId, PmtInfId, MsgId, TxId, AcctSvcrRef}
      Amt (.08) | AmtDtls/TxAmt/Amt | AmtDtls/InstdAmt/Amt -> amount_cents
      RtrInf/Rsn/Cd | Rsn/Prtry, RtrInf/AddtlInf -> reason_code, reason_info
      RltdPties/Dbtr/Nm | Dbtr/Pty/Nm (.08), RltdPties/DbtrAcct/Id/IBAN -> debtor_*
      RmtInf/Ustrd -> remittance_info     AddtlTxInf -> additional_info
      no EndToEndId / RtrInf / MndtId: /EREF/, /RTRN/, /MARF/ in Ustrd or AddtlTxInf
      (the field is named in from_text); a single TxDtls also takes /EREF/ from
      AddtlNtryInf. EndToEndId NOTPROVIDED (the ISO placeholder) is read as absent.

Memory stays flat: each TxDtls is turned into a value and dropped as soon as it ends, and
each Ntry once its Entry has been handed out. Only the details of the entry being read
are held, as small values.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from lxml import etree

from incasso_sheets.core.money import AmountError, xml_amount_to_cents
from incasso_sheets.formats.bankfile import CAMT052, CAMT053, CAMT054, expect_kind
from incasso_sheets.formats.xmlsafe import iterparse_safe, release

# Problem codes on Entry/TxDetail.problems (the value concerned is set to None).
AMOUNT_NOT_CENTS = "amount-not-cents"
AMOUNT_INVALID = "bank-amount-invalid"
DATE_INVALID = "bank-date-invalid"
COUNT_INVALID = "bank-count-invalid"
SEVERAL_BATCHES = "bank-entry-several-batches"

NOTPROVIDED = "NOTPROVIDED"  # ISO placeholder for "no EndToEndId"; read as absent

# Keys of the "/KEY/value/" strings Dutch banks write in AddtlNtryInf, Ustrd and
# AddtlTxInf (the MT940 :86: structure kept in camt). Only these split a text, so a
# value may itself hold a '/'.
TEXT_KEYS = (
    "TRTP", "EREF", "PREF", "MARF", "CSID", "RTRN", "RTYP", "REMI", "NAME", "IBAN", "BIC",
    "ORDP", "BENM", "ID", "ADDR", "CNTP", "SVCL", "NRTX", "ISDT", "SQTP", "DTOFSGNT",
    "PURP", "ULTC", "ULTD", "ULTB", "CDTRREF", "CDTRREFTP", "INFO", "EXCH", "CHGS", "OCMT",
)
_REASON_CODE = re.compile(r"^[A-Z0-9]{4}$")


@functools.lru_cache(maxsize=8)
def _key_pattern(keys: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"/(" + "|".join(sorted(keys, key=len, reverse=True)) + r")/")


# Bump when the canonical form below changes: stored digests would no longer match.
DIGEST_VERSION = b"incasso-sheets camt entry v1\n"


@dataclass(frozen=True, slots=True)
class BatchRef:
    """NtryDtls/Btch: the batch the bank booked as one entry."""
    message_id: str | None
    payment_info_id: str | None
    count: int | None
    total_cents: int | None
    credit: bool | None


@dataclass(frozen=True, slots=True)
class TxDetail:
    """One NtryDtls/TxDtls: a transaction inside an entry."""
    end_to_end_id: str | None
    mandate_id: str | None
    instr_id: str | None
    payment_info_id: str | None
    message_id: str | None
    tx_id: str | None
    bank_ref: str | None
    amount_cents: int | None
    credit: bool | None  # TxDtls/CdtDbtInd (.08); None when the entry's direction applies
    reason_code: str | None
    reason_info: str | None
    debtor_name: str | None
    debtor_iban: str | None
    charges_cents: int | None
    remittance_info: str | None
    additional_info: str | None
    from_text: tuple[str, ...]  # fields read from "/EREF/.../RTRN/.../MARF/..." free text
    problems: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Entry:
    """One Ntry: a booking (or pending/info line) on the account."""
    kind: str                 # camt.053 | camt.052 | camt.054
    message_id: str | None    # GrpHdr/MsgId of the file
    statement_id: str | None  # Stmt/Id or Ntfctn/Id
    account_iban: str | None
    line: int | None          # line of the Ntry start tag in the file
    entry_ref: str | None
    bank_ref: str | None
    amount_cents: int | None
    currency: str | None
    credit: bool
    reversal: bool
    status: str | None        # BOOK | PDNG | INFO
    booking_date: dt.date | None
    value_date: dt.date | None
    domain_code: str | None   # "PMNT/IDDT/ESDD"
    proprietary_code: str | None
    proprietary_issuer: str | None
    batch: BatchRef | None
    details: tuple[TxDetail, ...]
    charges_cents: int | None
    additional_info: str | None
    references: tuple[tuple[str, str], ...]  # from AddtlNtryInf: (("PREF", "..."), ...)
    digest: str
    problems: tuple[str, ...]

    @property
    def booked(self) -> bool:
        """Only BOOK entries move money (docs/sepa.md §4.2: book only Sts=BOOK)."""
        return self.status == "BOOK"

    def reference(self, key: str) -> str | None:
        """A /KEY/ value from AddtlNtryInf, e.g. entry.reference("PREF")."""
        for k, v in self.references:
            if k == key:
                return v
        return None


@dataclass(frozen=True, slots=True)
class Balance:
    type_code: str | None     # OPBD, CLBD, PRCD, CLAV, ...
    amount_cents: int | None
    credit: bool
    date: dt.date | None


@dataclass(frozen=True, slots=True)
class Statement:
    """The header of one Stmt (camt.053), Rpt (camt.052) or Ntfctn (camt.054)."""
    kind: str
    version: str
    message_id: str | None
    statement_id: str | None
    account_iban: str | None
    currency: str | None
    created: str | None           # CreDtTm as written (a timestamp with offset)
    sequence_number: str | None   # ElctrncSeqNb
    from_date: dt.date | None
    to_date: dt.date | None
    balances: tuple[Balance, ...]
    entry_count: int
    problems: tuple[str, ...]


def references_from_text(text: str | None, keys: tuple[str, ...] = TEXT_KEYS) -> dict[str, str]:
    """The /KEY/value/ pairs in a bank text: '/TRTP/SEPA Incasso/PREF/X-1/' ->
    {'TRTP': 'SEPA Incasso', 'PREF': 'X-1'}. Only `keys` split the text (MT940 passes
    the keys of the bank that wrote it). The first value of a key wins; empty values are
    left out."""
    if not text or "/" not in text:
        return {}
    found: dict[str, str] = {}
    matches = list(_key_pattern(keys).finditer(text))
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        value = text[match.end():end].strip().rstrip("/").strip()
        if value and match[1] not in found:
            found[match[1]] = value
    return found


def _qualifier(namespace: str) -> Callable[[str], str]:
    if namespace:
        return lambda local: f"{{{namespace}}}{local}"
    return lambda local: local


_CENTS_CACHE: dict[str, int] = {}
_CENTS_CACHE_MAX = 1 << 16


def _cents(text: str | None, problems: list[str]) -> int | None:
    """xml_amount_to_cents, remembered: a batch repeats the same few amounts a million
    times, and Decimal arithmetic is the slowest step of reading a TxDtls."""
    if text is None:
        return None
    cents = _CENTS_CACHE.get(text)
    if cents is not None:
        return cents
    try:
        cents = xml_amount_to_cents(text)
    except AmountError as exc:
        problems.append(AMOUNT_NOT_CENTS if exc.code == AMOUNT_NOT_CENTS else AMOUNT_INVALID)
        return None
    if len(_CENTS_CACHE) >= _CENTS_CACHE_MAX:
        _CENTS_CACHE.clear()
    _CENTS_CACHE[text] = cents
    return cents


def _text(elem: etree._Element | None) -> str | None:
    if elem is None or elem.text is None:
        return None
    return elem.text.strip() or None


def _child(elem: etree._Element | None, tag: str) -> etree._Element | None:
    """The first child with this tag. A plain loop: `find` runs lxml's path engine,
    several times slower on the small elements of a statement."""
    if elem is not None:
        for child in elem:
            if child.tag == tag:
                return child
    return None


class _Reader:
    """Element names of one namespace, and the readers that use them."""

    def __init__(self, namespace: str):
        q = _qualifier(namespace)
        for local in (
            "Ntry TxDtls GrpHdr Stmt Rpt Ntfctn MsgId Id IBAN Othr Ccy Acct Bal Tp CdOrPrtry Cd "
            "Prtry Amt CdtDbtInd Dt DtTm CreDtTm ElctrncSeqNb FrToDt FrDtTm ToDtTm NtryRef "
            "RvslInd Sts BookgDt ValDt AcctSvcrRef BkTxCd Domn Fmly SubFmlyCd Issr Chrgs "
            "TtlChrgsAndTaxAmt Rcrd NtryDtls Btch PmtInfId NbOfTxs TtlAmt AddtlNtryInf"
        ).split():
            setattr(self, local, q(local))
        self.read_detail = _detail_reader(q, self.charges)

    def date(self, elem: etree._Element | None, problems: list[str]) -> dt.date | None:
        """A date from a DateAndDateTimeChoice (Dt or DtTm; the DtTm's own calendar day)."""
        if elem is None:
            return None
        text = None
        for child in elem:
            if child.tag == self.Dt or child.tag == self.DtTm:
                text = _text(child)
                break
        else:
            text = _text(elem)  # a bare ISODate or ISODateTime (FrDtTm, ToDtTm)
        if text is None:
            return None
        try:
            return dt.date.fromisoformat(text[:10])
        except ValueError:
            problems.append(DATE_INVALID)
            return None

    def charges(self, elems: list[etree._Element], problems: list[str]) -> int | None:
        """Sum of Chrgs amounts: .02 repeats Chrgs/Amt; .04+ has one Chrgs with
        TtlChrgsAndTaxAmt and/or Rcrd/Amt. Charges are reported positive."""
        if not elems:
            return None
        total = 0
        for chrgs in elems:
            whole = _child(chrgs, self.TtlChrgsAndTaxAmt)
            if whole is not None:
                parts = [whole]
            else:
                parts = [_child(r, self.Amt) for r in chrgs.iterchildren(self.Rcrd)]
                parts.append(_child(chrgs, self.Amt))
            for part in parts:
                cents = _cents(_text(part), problems)
                if cents is not None:
                    total += cents
        return total

    def account(self, container: etree._Element) -> tuple[str | None, str | None]:
        acct = container.find(self.Acct)
        if acct is None:
            return None, None
        ident = acct.find(self.Id)
        iban = None
        if ident is not None:
            iban = _text(ident.find(self.IBAN)) or _text(ident.find(f"{self.Othr}/{self.Id}"))
        return iban, _text(acct.find(self.Ccy))

    def statement(
        self, container: etree._Element, kind: str, version: str, message_id: str | None
    ) -> Statement:
        problems: list[str] = []
        iban, currency = self.account(container)
        balances = []
        for bal in container.iterchildren(self.Bal):
            code = bal.find(f"{self.Tp}/{self.CdOrPrtry}")
            amount = bal.find(self.Amt)
            balances.append(Balance(
                type_code=(_text(code.find(self.Cd)) or _text(code.find(self.Prtry)))
                if code is not None else None,
                amount_cents=_cents(_text(amount), problems),
                credit=_text(bal.find(self.CdtDbtInd)) == "CRDT",
                date=self.date(bal.find(self.Dt), problems),
            ))
        period = container.find(self.FrToDt)
        from_date = to_date = None
        if period is not None:
            from_date = self.date(period.find(self.FrDtTm), problems)
            to_date = self.date(period.find(self.ToDtTm), problems)
        return Statement(
            kind=kind, version=version, message_id=message_id,
            statement_id=_text(container.find(self.Id)), account_iban=iban,
            currency=currency, created=_text(container.find(self.CreDtTm)),
            sequence_number=_text(container.find(self.ElctrncSeqNb)),
            from_date=from_date, to_date=to_date, balances=tuple(balances), entry_count=0,
            problems=tuple(problems),
        )

    def batch(self, detail_blocks: list[etree._Element], problems: list[str]) -> BatchRef | None:
        found = []
        for dtls in detail_blocks:
            for child in dtls:
                if child.tag == self.Btch:
                    found.append(child)
                    break  # Btch comes first in NtryDtls, before the TxDtls
        if not found:
            return None
        if len(found) > 1:
            problems.append(SEVERAL_BATCHES)
        values = {}
        for child in found[0]:
            values[child.tag] = _text(child)
        count_text = values.get(self.NbOfTxs)
        count = None
        if count_text is not None:
            if count_text.isdigit():
                count = int(count_text)
            else:
                problems.append(COUNT_INVALID)
        direction = values.get(self.CdtDbtInd)
        return BatchRef(
            message_id=values.get(self.MsgId),
            payment_info_id=values.get(self.PmtInfId),
            count=count,
            total_cents=_cents(values.get(self.TtlAmt), problems),
            credit=None if direction is None else direction == "CRDT",
        )

    def transaction_code(
        self, btc: etree._Element | None
    ) -> tuple[str | None, str | None, str | None]:
        """(domain code "PMNT/IDDT/ESDD", proprietary code, its issuer) from BkTxCd."""
        if btc is None:
            return None, None, None
        cd, sub_family_cd = self.Cd, self.SubFmlyCd
        domain = family = sub_family = proprietary = issuer = None
        for part in btc:
            tag = part.tag
            if tag == self.Domn:
                for d in part:
                    if d.tag == cd:
                        domain = d.text
                    elif d.tag == self.Fmly:
                        for f in d:
                            if f.tag == cd:
                                family = f.text
                            elif f.tag == sub_family_cd:
                                sub_family = f.text
            elif tag == self.Prtry:
                for p in part:
                    if p.tag == cd:
                        proprietary = _text(p)
                    elif p.tag == self.Issr:
                        issuer = _text(p)
        codes = [c.strip() for c in (domain, family, sub_family) if c and c.strip()]
        return "/".join(codes) or None, proprietary, issuer

    def entry(
        self,
        ntry: etree._Element,
        kind: str,
        message_id: str | None,
        statement: Statement | None,
        details: list[TxDetail],
        digest_of: Callable[[bytes], str],
    ) -> Entry:
        problems: list[str] = []
        kids: dict[str, etree._Element] = {}
        charge_elems, detail_blocks = [], []
        for child in ntry:
            tag = child.tag
            if tag == self.Chrgs:
                charge_elems.append(child)
            elif tag == self.NtryDtls:
                detail_blocks.append(child)
            elif tag not in kids:
                kids[tag] = child
        amount = kids.get(self.Amt)
        sts = kids.get(self.Sts)
        status = None
        if sts is not None:
            status = _text(sts) if len(sts) == 0 else _text(sts[0])  # .08: Sts/Cd
        domain, proprietary, issuer = self.transaction_code(kids.get(self.BkTxCd))
        info = _text(kids.get(self.AddtlNtryInf))
        references = references_from_text(info)
        eref = references.get("EREF")
        if len(details) == 1 and details[0].end_to_end_id is None and eref and eref != NOTPROVIDED:
            # A single transaction whose EndToEndId the bank only wrote in the entry text.
            first = details[0]
            details = [replace(
                first, end_to_end_id=eref, from_text=(*first.from_text, "end_to_end_id")
            )]
        batch = self.batch(detail_blocks, problems)
        account_iban = statement.account_iban if statement else None
        amount_cents = _cents(_text(amount), problems)
        currency = amount.get("Ccy") if amount is not None else None
        entry_ref = _text(kids.get(self.NtryRef))
        bank_ref = _text(kids.get(self.AcctSvcrRef))
        credit = _text(kids.get(self.CdtDbtInd)) == "CRDT"
        reversal = (_text(kids.get(self.RvslInd)) or "").lower() in ("true", "1")
        booking_date = self.date(kids.get(self.BookgDt), problems)
        value_date = self.date(kids.get(self.ValDt), problems)
        charges = self.charges(charge_elems, problems)
        for detail in details:
            problems.extend(detail.problems)
        canonical = repr((
            account_iban, currency, entry_ref, bank_ref, amount_cents, credit, reversal,
            status, _iso(booking_date), _iso(value_date), domain, proprietary, issuer,
            None if batch is None else (
                batch.message_id, batch.payment_info_id, batch.count, batch.total_cents
            ),
            charges, info,
        )).encode()
        return Entry(
            kind=kind,
            message_id=message_id,
            statement_id=statement.statement_id if statement else None,
            account_iban=account_iban,
            line=ntry.sourceline,
            entry_ref=entry_ref,
            bank_ref=bank_ref,
            amount_cents=amount_cents,
            currency=currency,
            credit=credit,
            reversal=reversal,
            status=status,
            booking_date=booking_date,
            value_date=value_date,
            domain_code=domain,
            proprietary_code=proprietary,
            proprietary_issuer=issuer,
            batch=batch,
            details=tuple(details),
            charges_cents=charges,
            additional_info=info,
            references=tuple(references.items()),
            digest=digest_of(canonical + repr(_detail_keys(details)).encode()),
            problems=tuple(dict.fromkeys(problems)),
        )


def _iso(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _detail_keys(details: list[TxDetail]) -> list[tuple]:
    """The canonical form of the details in the entry digest (DIGEST_VERSION 1)."""
    return [
        (
            d.end_to_end_id, d.mandate_id, d.instr_id, d.payment_info_id, d.message_id,
            d.tx_id, d.bank_ref, d.amount_cents, d.credit, d.reason_code, d.debtor_iban,
            d.remittance_info,
        )
        for d in details
    ]


def _detail_reader(
    q: Callable[[str], str], charges: Callable[[list, list[str]], int | None]
) -> Callable[[etree._Element], TxDetail]:
    """A reader for TxDtls with its element names bound as closure constants.

    This is the hot path (a million TxDtls in one file). lxml's cost is one proxy object
    per element touched and `find` runs a path engine per call, so the reader walks each
    level's children once and dispatches on the tag instead of querying per field.
    """
    REFS, AMT, AMTDTLS, TXAMT, INSTDAMT = q("Refs"), q("Amt"), q("AmtDtls"), q("TxAmt"), q("InstdAmt")
    CDTDBTIND, RLTDPTIES, DBTR, PTY, NM = (
        q("CdtDbtInd"), q("RltdPties"), q("Dbtr"), q("Pty"), q("Nm")
    )
    DBTRACCT, ID, IBAN, RMTINF, USTRD = q("DbtrAcct"), q("Id"), q("IBAN"), q("RmtInf"), q("Ustrd")
    RTRINF, RSN, CD, PRTRY, ADDTLINF = q("RtrInf"), q("Rsn"), q("Cd"), q("Prtry"), q("AddtlInf")
    ADDTLTXINF, CHRGS = q("AddtlTxInf"), q("Chrgs")
    E2E, MNDT, INSTR, PMTINF, MSGID, TXID, SVCRREF = (
        q("EndToEndId"), q("MndtId"), q("InstrId"), q("PmtInfId"), q("MsgId"), q("TxId"),
        q("AcctSvcrRef"),
    )

    def child_text(elem: etree._Element, tag: str) -> str | None:
        for c in elem:
            if c.tag == tag:
                return c.text
        return None

    def read(tx: etree._Element) -> TxDetail:
        e2e = mandate = instr = pmtinf = msgid = txid = svcr = None
        amount = tx_amount = instd_amount = direction = None
        reason = reason_info = name = iban = remittance = extra = None
        fees: list[etree._Element] = []
        for child in tx:
            tag = child.tag
            if tag == REFS:
                for r in child:
                    t = r.tag
                    if t == E2E:
                        e2e = r.text
                    elif t == MNDT:
                        mandate = r.text
                    elif t == PMTINF:
                        pmtinf = r.text
                    elif t == MSGID:
                        msgid = r.text
                    elif t == INSTR:
                        instr = r.text
                    elif t == TXID:
                        txid = r.text
                    elif t == SVCRREF:
                        svcr = r.text
            elif tag == AMTDTLS:
                for wrapper in child:
                    t = wrapper.tag
                    if t == TXAMT:
                        tx_amount = child_text(wrapper, AMT)
                    elif t == INSTDAMT:
                        instd_amount = child_text(wrapper, AMT)
                    if tx_amount is not None:
                        break
            elif tag == AMT:
                amount = child.text
            elif tag == RLTDPTIES:
                for party in child:
                    t = party.tag
                    if t == DBTR:
                        for p in party:
                            if p.tag == NM:
                                name = p.text
                            elif p.tag == PTY:  # .08: Dbtr/Pty/Nm
                                name = child_text(p, NM)
                    elif t == DBTRACCT:
                        for a in party:
                            if a.tag == ID:
                                iban = child_text(a, IBAN)
            elif tag == RMTINF:
                for u in child:
                    if u.tag == USTRD and u.text:
                        line = u.text.strip()
                        if line:
                            remittance = f"{remittance} {line}" if remittance else line
            elif tag == RTRINF:
                infos = []
                for r in child:
                    t = r.tag
                    if t == RSN:
                        reason = _text(_child(r, CD)) or _text(_child(r, PRTRY))
                    elif t == ADDTLINF and r.text and r.text.strip():
                        infos.append(r.text.strip())
                reason_info = " ".join(infos) or None
            elif tag == CDTDBTIND:
                direction = child.text
            elif tag == ADDTLTXINF:
                extra = _text(child)
            elif tag == CHRGS:
                fees.append(child)
        problems: list[str] = []
        if amount is None:
            amount = tx_amount if tx_amount is not None else instd_amount
        cents = _cents(amount, problems) if amount is not None else None
        # Fixed-width exports pad values with spaces; an empty element means absent.
        e2e, mandate, instr, pmtinf, msgid, txid, svcr, name, iban = (
            (v.strip() or None) if v else None
            for v in (e2e, mandate, instr, pmtinf, msgid, txid, svcr, name, iban)
        )
        if e2e == NOTPROVIDED:
            e2e = None
        from_text: tuple[str, ...] = ()
        if (remittance or extra) and (
            e2e is None
            or (reason is None and "/RTRN/" in f"{remittance or ''} {extra or ''}")
        ):
            # Older exports carry the references only as "/EREF/.../RTRN/..." text.
            refs = references_from_text(f"{remittance or ''} {extra or ''}")
            eref, rtrn, marf = refs.get("EREF"), refs.get("RTRN"), refs.get("MARF")
            if e2e is None and eref and eref != NOTPROVIDED:
                e2e, from_text = eref, (*from_text, "end_to_end_id")
            if reason is None and rtrn and _REASON_CODE.match(rtrn):
                reason, from_text = rtrn, (*from_text, "reason_code")
            if mandate is None and marf:
                mandate, from_text = marf, (*from_text, "mandate_id")
        return TxDetail(
            e2e, mandate, instr, pmtinf, msgid, txid, svcr, cents,
            None if direction is None else direction.strip() == "CRDT",
            reason, reason_info, name, iban,
            charges(fees, problems) if fees else None,
            remittance, extra, from_text, tuple(problems) if problems else (),
        )

    return read


def _walk(
    path: str | os.PathLike, with_details: bool
) -> Iterator[Entry | Statement]:
    """Entries as they end, and each Statement header once its container ends."""
    kind, version, namespace = expect_kind(path, CAMT053, CAMT052, CAMT054)
    n = _Reader(namespace)
    # The entries of a report (camt.052) sit in Rpt as a statement's sit in Stmt: the
    # same account, balances and Ntry (ISO 20022 camt.052 message definition).
    container_tag = {CAMT053: n.Stmt, CAMT052: n.Rpt, CAMT054: n.Ntfctn}[kind]
    ntry_tag, txdtls_tag = n.Ntry, n.TxDtls
    read_detail = n.read_detail
    message_id = None
    container = statement = None
    count = 0
    details: list[TxDetail] = []
    seen: dict[bytes, int] = {}

    def digest_of(canonical: bytes) -> str:
        digest = hashlib.sha256(DIGEST_VERSION + canonical)
        # Identical entries in one file (two equal fees on one day, no reference) are
        # different bookings: the n-th repeat gets its own digest.
        base = digest.digest()
        repeat = seen.get(base, 0)
        seen[base] = repeat + 1
        if repeat:
            digest.update(b"\n#%d" % repeat)
        return digest.hexdigest()

    tags = (n.GrpHdr, container_tag, ntry_tag, txdtls_tag)
    for _event, elem in iterparse_safe(path, tags):
        tag = elem.tag
        if tag == txdtls_tag:
            if with_details:
                details.append(read_detail(elem))
            # Drop the TxDtls read before this one, but keep Btch (a sibling before them).
            elem.clear(keep_tail=False)
            previous = elem.getprevious()
            if previous is not None and previous.tag == txdtls_tag:
                elem.getparent().remove(previous)
        elif tag == ntry_tag:
            parent = elem.getparent()
            if parent is not container:
                container = parent
                statement = n.statement(parent, kind, version, message_id)
                count = 0
            count += 1
            if with_details:
                entry = n.entry(elem, kind, message_id, statement, details, digest_of)
                details = []
                yield entry
            release(elem)
        elif tag == container_tag:
            if elem is not container:
                statement = n.statement(elem, kind, version, message_id)
            else:
                statement = replace(statement, entry_count=count)
            yield statement
            container = statement = None
            count = 0
            release(elem)
        else:  # GrpHdr
            message_id = _text(elem.find(n.MsgId))


def iter_entries(path: str | os.PathLike) -> Iterator[Entry]:
    """Every Ntry of a camt.053, camt.052 or camt.054 file as an Entry, streamed.

    Raises CannotContinue for a file that is not camt.052/053/054 ('bank-file-wrong-kind',
    'bank-file-unknown'), has a DTD ('xml-refused') or is broken ('file-unreadable'; this
    can happen after some entries were yielded, since the file is read as it goes).
    """
    for item in _walk(path, with_details=True):
        if isinstance(item, Entry):
            yield item


def read_statements(path: str | os.PathLike) -> tuple[Statement, ...]:
    """The header of every statement (camt.053 Stmt), report (camt.052 Rpt) or
    notification (camt.054 Ntfctn):
    account, period, balances and the number of entries. Reads the whole file, streamed,
    without building the entries."""
    return tuple(item for item in _walk(path, with_details=False) if isinstance(item, Statement))
