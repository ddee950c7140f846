"""Statement entries and status reports -> clearing events (docs/sepa.md §9, §10).

Payouts (CRDT) are matched to a collection block, in this order:
1. the block id (PmtInfId) in the entry's batch details, transaction references or free
   text (`/PREF/...`, or the id anywhere in AddtlNtryInf);
2. the entry's EndToEndIds all belonging to one block;
3. the amount equal to the block total (gross) or the total minus known rejects (net),
   booked within one TARGET day of the collection date: a *probable* match, booked only
   when the user accepts probable matches.
Returns, refunds and reversals (DBIT) match per transaction on EndToEndId; charges booked
on their own (MT940) on the batch or transaction they name. pain.002
rejects apply at file, block or transaction level. An entry that matches nothing is
reported with the reason. The ledger is reached through the `Lookup` passed in, so this
module reads no files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from incasso_sheets.core.model import TransactionStatus
from incasso_sheets.formats.pain002 import rejections
from incasso_sheets.sepa import reasons
from incasso_sheets.sepa.calendar import TargetCalendar


@dataclass(frozen=True)
class BlockState:
    payment_info_id: str
    message_id: str
    collection_date: dt.date
    total_cents: int
    rejected_cents: int       # rejects known before this run (pain.002)
    payout_booked: bool


@dataclass(frozen=True, slots=True)
class TxState:
    end_to_end_id: str
    payment_info_id: str
    invoice_number: str
    debtor_id: str | None
    mandate_id: str | None
    mandate_key: str | None
    amount_cents: int
    status: str               # collected, settled, rejected, returned


@dataclass(frozen=True)
class Lookup:
    blocks: dict[str, BlockState]
    transactions: Callable[[Iterable[str]], dict[str, TxState]]   # by EndToEndId
    block_transactions: Callable[[str], list[str]]                 # EndToEndIds of a block
    booked: Callable[[str], bool]                                  # entry key seen before


@dataclass(frozen=True, slots=True)
class Event:
    kind: str                 # payout, reject, reject-debited, return, charges
    entry_key: str
    payment_info_id: str
    amount_cents: int
    date: dt.date
    end_to_end_id: str | None = None
    reason_code: str | None = None
    probable: bool = False
    source: str = ""          # file:line, for reports


@dataclass(frozen=True)
class Unmatched:
    source: str
    amount_cents: int | None
    credit: bool
    code: str                 # why, as a message code
    detail: str = ""
    params: tuple[tuple[str, object], ...] = ()   # more fields of the message (count, ...)


@dataclass
class Outcome:
    events: list[Event] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)
    duplicates: int = 0       # entries booked in an earlier run
    not_booked: int = 0       # PDNG / INFO entries
    ignored: int = 0          # entries that are not direct debits


def entry_key(account: str | None, bank_ref: str | None, digest: str) -> str:
    """Statement entries are keyed by the bank's reference, else by a digest of the entry."""
    return f"ref:{account or ''}:{bank_ref}" if bank_ref else f"digest:{digest}"


def _names(text: str, ident: str) -> bool:
    """`ident` occurs in `text` as a whole id, not as the start or end of a longer one:
    batch INCS-20261127-0001-1 is not named by a text about INCS-20261127-0001-10."""
    start = text.find(ident)
    while start >= 0:
        end = start + len(ident)
        glued_before = start > 0 and text[start - 1].isalnum()
        glued_after = end < len(text) and text[end].isalnum()
        if not glued_before and not glued_after:
            return True
        start = text.find(ident, start + 1)
    return False


def _starts(blocks: dict[str, BlockState]) -> tuple[frozenset[str], frozenset[str]]:
    """The first few characters of every block id and message id: a text without any of
    them names none, which spares the search per block for every statement entry."""
    key = (*blocks, *(b.message_id for b in blocks.values()))
    found = _STARTS.get(key)
    if found is None:
        if len(_STARTS) > 8:
            _STARTS.clear()
        found = _STARTS[key] = (frozenset(pid[:_START] for pid in blocks),
                                frozenset((b.message_id or "")[:_START] for b in blocks.values()))
    return found


_STARTS: dict[tuple, tuple[frozenset[str], frozenset[str]]] = {}
_START = 5


def _block_ids_in(entry, blocks: dict[str, BlockState]) -> set[str]:
    ids: set[str] = set()
    if entry.batch and entry.batch.payment_info_id in blocks:
        ids.add(entry.batch.payment_info_id)
    for d in entry.details:
        if d.payment_info_id in blocks:
            ids.add(d.payment_info_id)
    for _key, value in entry.references:
        if value in blocks:
            ids.add(value)
    if not ids and entry.additional_info:
        pid_starts, msg_starts = _starts(blocks)
        text = entry.additional_info
        if any(start in text for start in pid_starts):
            ids |= {pid for pid in blocks if _names(text, pid)}
        # MsgId in free text with a single block in that message
        if not ids and any(start in text for start in msg_starts):
            by_msg = {}
            for b in blocks.values():
                by_msg.setdefault(b.message_id, []).append(b.payment_info_id)
            for msg, pids in by_msg.items():
                if len(pids) == 1 and _names(entry.additional_info, msg):
                    ids.add(pids[0])
    return ids


def match_entry(entry, source: str, lookup: Lookup, calendar: TargetCalendar,
                pending_rejects: dict[str, int], outcome: Outcome) -> None:
    """Decide what one camt entry means; append events or an Unmatched to `outcome`."""
    if entry.status is None:
        # No Sts: the bank did not say whether it booked the entry, so it is not "pending".
        if reasons.classify_entry(entry) == reasons.OTHER:
            outcome.ignored += 1
        else:
            outcome.unmatched.append(Unmatched(source, entry.amount_cents, entry.credit,
                                               "bank-entry-no-status"))
        return
    if entry.status != "BOOK":
        outcome.not_booked += 1
        return
    kind = reasons.classify_entry(entry)
    if kind == reasons.OTHER:
        outcome.ignored += 1
        return
    key = entry_key(entry.account_iban, entry.bank_ref, entry.digest)
    if lookup.booked(key):
        outcome.duplicates += 1
        return
    if entry.amount_cents is None:
        outcome.unmatched.append(Unmatched(source, None, entry.credit, "bank-entry-amount-unreadable"))
        return
    date = entry.booking_date or entry.value_date
    if kind == reasons.PAYOUT:
        _match_payout(entry, key, date, source, lookup, calendar, pending_rejects, outcome)
    elif kind == reasons.CHARGES:
        _match_charges(entry, key, date, source, lookup, outcome)
    else:
        _match_returns(entry, key, date, source, lookup, outcome)


def _match_payout(entry, key, date, source, lookup, calendar, pending_rejects, outcome) -> None:
    blocks = lookup.blocks
    ids = _block_ids_in(entry, blocks)
    probable = False
    e2e = [d.end_to_end_id for d in entry.details if d.end_to_end_id]
    # Look the ids up only when they can decide: a batch of a million is named by its Btch.
    found = lookup.transactions(e2e) if e2e and (len(e2e) == 1 or not ids) else {}
    if len(e2e) == 1 and e2e[0] in found:
        tx = found[e2e[0]]
        pid = tx.payment_info_id
        if (not ids or ids == {pid}) and tx.amount_cents == entry.amount_cents \
                and blocks[pid].total_cents != entry.amount_cents:
            # One transaction paid out on its own (BtchBookg=false). Its Refs may echo
            # the PmtInfId, which must not make it the payout of the whole batch.
            if tx.status == TransactionStatus.SETTLED:  # the same credit reported again (camt.054, camt.053)
                outcome.duplicates += 1
                return
            outcome.events.append(Event("payout", key, pid, entry.amount_cents, date,
                                        end_to_end_id=tx.end_to_end_id, source=source))
            return
    if not ids and e2e:
        pids = {t.payment_info_id for t in found.values()}
        if len(found) == len(set(e2e)) and len(pids) == 1:
            ids = {pids.pop()}
    if not ids:
        candidates = []
        for b in blocks.values():
            if b.payout_booked or date is None:
                continue
            net = b.total_cents - b.rejected_cents - pending_rejects.get(b.payment_info_id, 0)
            near = (calendar.add_business_days(b.collection_date, -1) <= date
                    <= calendar.add_business_days(b.collection_date, 1))
            if near and entry.amount_cents in (b.total_cents, net):
                candidates.append(b.payment_info_id)
        if len(candidates) == 1:
            ids, probable = set(candidates), True
        else:
            code = "bank-payout-ambiguous" if candidates else "bank-payout-unmatched"
            outcome.unmatched.append(Unmatched(source, entry.amount_cents, True, code, ", ".join(candidates)))
            return
    if len(ids) > 1:
        outcome.unmatched.append(Unmatched(source, entry.amount_cents, True, "bank-payout-several-blocks",
                                           ", ".join(sorted(ids))))
        return
    pid = ids.pop()
    if blocks[pid].payout_booked:
        outcome.unmatched.append(Unmatched(source, entry.amount_cents, True, "bank-payout-twice", pid))
        return
    outcome.events.append(Event("payout", key, pid, entry.amount_cents, date, probable=probable,
                                source=source))
    if entry.charges_cents:
        outcome.events.append(Event("charges", key + ":charges", pid, entry.charges_cents, date,
                                    source=source))


def _match_returns(entry, key, date, source, lookup, outcome) -> None:
    details = [d for d in entry.details if d.end_to_end_id]
    if not details:
        outcome.unmatched.append(Unmatched(source, entry.amount_cents, False, "bank-return-no-reference"))
        return
    found = lookup.transactions(d.end_to_end_id for d in details)
    single = len(details) == 1
    booked_any = False
    for n, d in enumerate(details):
        tx = found.get(d.end_to_end_id)
        if tx is None:
            outcome.unmatched.append(Unmatched(source, d.amount_cents, False, "bank-return-unknown",
                                               d.end_to_end_id))
            continue
        amount = d.amount_cents if d.amount_cents is not None else (entry.amount_cents if single else None)
        if amount is None:
            outcome.unmatched.append(Unmatched(source, None, False, "bank-entry-amount-unreadable",
                                               d.end_to_end_id))
            continue
        if tx.status == TransactionStatus.RETURNED:
            outcome.duplicates += 1
            continue
        sub = f"{key}:{n}"
        if tx.status == TransactionStatus.REJECTED:
            # Rejected, credited anyway in a gross payout, now debited: that happens once
            # per transaction, so the key is the EndToEndId; the same debit may come in a
            # camt.054 and again in the camt.053 under another bank reference.
            kind, event_key = "reject-debited", f"reject-debited:{tx.end_to_end_id}"
        else:
            kind, event_key = "return", sub
        if lookup.booked(event_key):
            outcome.duplicates += 1
            continue
        booked_any = True
        outcome.events.append(Event(kind, event_key, tx.payment_info_id, amount, date,
                                    end_to_end_id=tx.end_to_end_id, reason_code=d.reason_code,
                                    source=source))
        charges = d.charges_cents if d.charges_cents else (entry.charges_cents if single else None)
        if charges:
            outcome.events.append(Event("charges", sub + ":charges", tx.payment_info_id, charges, date,
                                        end_to_end_id=tx.end_to_end_id, source=source))
    # Charges of the whole entry: only with a return booked now, not when every return in
    # it was booked before (reading the same file again).
    if booked_any and not single and entry.charges_cents and not any(d.charges_cents for d in details):
        first = found.get(details[0].end_to_end_id)
        if first is not None:
            outcome.events.append(Event("charges", key + ":charges", first.payment_info_id,
                                        entry.charges_cents, date, source=source))


def _match_charges(entry, key, date, source, lookup, outcome) -> None:
    """Charges booked on their own (MT940): on the batch they name by /PREF/, or on the
    batch of the transaction they name by /EREF/."""
    pids = _block_ids_in(entry, lookup.blocks)
    e2e = [d.end_to_end_id for d in entry.details if d.end_to_end_id]
    found = lookup.transactions(e2e) if e2e and not pids else {}
    pids |= {tx.payment_info_id for tx in found.values()}
    if len(pids) != 1:
        named = sorted(pids) or e2e or [v for k, v in entry.references if k == "PREF"]
        outcome.unmatched.append(Unmatched(source, entry.amount_cents, False, "bank-charges-unmatched",
                                           ", ".join(named)))
        return
    tx = next(iter(found.values()), None)
    outcome.events.append(Event("charges", key, pids.pop(), entry.amount_cents, date,
                                end_to_end_id=tx.end_to_end_id if tx else None, source=source))


def match_status_report(report, source: str, lookup: Lookup, date: dt.date,
                        outcome: Outcome, pending_rejects: dict[str, int]) -> None:
    """pain.002: rejects at file (GrpSts), block (PmtInfSts) or transaction (TxSts) level."""
    blocks = lookup.blocks
    ours = [b.payment_info_id for b in blocks.values() if b.message_id == report.original_message_id]
    if not ours:
        outcome.unmatched.append(Unmatched(source, None, False, "bank-status-unknown-message",
                                           report.original_message_id or ""))
        return
    rejected: dict[str, str | None] = {}  # EndToEndId -> reason
    for r in rejections(report):
        if r.level == "group":
            pids = ours
        elif r.level == "block":
            pids = [r.payment_info_id] if r.payment_info_id in blocks else []
        else:
            rejected[r.end_to_end_id] = r.reason_code
            continue
        if not pids:
            outcome.unmatched.append(Unmatched(source, None, False, "bank-status-unknown-block",
                                               r.payment_info_id or ""))
        for pid in pids:
            rejected.update(dict.fromkeys(lookup.block_transactions(pid), r.reason_code))
    found = lookup.transactions(rejected)
    for e2e, reason in rejected.items():
        tx = found.get(e2e)
        if tx is None:
            outcome.unmatched.append(Unmatched(source, None, False, "bank-return-unknown", e2e or ""))
            continue
        key = f"pain002:{report.original_message_id}:{e2e}"
        if tx.status in TransactionStatus.failed() or lookup.booked(key):
            outcome.duplicates += 1
            continue
        outcome.events.append(Event("reject", key, tx.payment_info_id, tx.amount_cents, date,
                                    end_to_end_id=e2e, reason_code=reason, source=source))
        pending_rejects[tx.payment_info_id] = pending_rejects.get(tx.payment_info_id, 0) + tx.amount_cents
