"""`incasso status`: every batch with its state and suspense balance, from the ledger.

The suspense balance of a batch is what collect booked onto it (the block total, debit)
plus the debits and minus the credits of the clearing journal on the suspense account for
that batch. It reaches zero when the payout and every reject have been booked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from incasso_sheets.core.model import TransactionStatus
from incasso_sheets.ledger.store import Ledger

OVERDUE_DAYS = 0  # the payout is booked on the collection date itself


@dataclass(frozen=True)
class BatchStatus:
    payment_info_id: str
    message_id: str
    collection_date: dt.date
    scheme: str
    sequence_type: str
    count: int
    total_cents: int
    settled: int
    rejected: int
    returned: int
    suspense_cents: int
    overdue: bool
    why: str | None = None    # message code: why the balance is not zero


    def as_dict(self) -> dict:
        d = dict(self.__dict__)
        d["collection_date"] = self.collection_date.isoformat()
        return d


def batch_balances(led: Ledger, suspense: str, pids: set[str] | None = None) -> list[tuple[str, int]]:
    rows = led.conn.execute(
        """SELECT b.payment_info_id,
                  b.total_cents + coalesce((SELECT sum(coalesce(j.debit_cents, 0) - coalesce(j.credit_cents, 0))
                                            FROM journal j WHERE j.batch = b.payment_info_id
                                            AND j.account = ?), 0)
           FROM blocks b ORDER BY b.collection_date, b.payment_info_id""", (suspense,)).fetchall()
    return [(pid, bal) for pid, bal in rows if pids is None or pid in pids]


def batch_statuses(led: Ledger, suspense: str, today: dt.date) -> list[BatchStatus]:
    balances = dict(batch_balances(led, suspense))
    rows = led.conn.execute(
        """SELECT b.payment_info_id, b.message_id, b.collection_date, b.scheme, b.sequence_type, b.count,
                  b.total_cents,
                  sum(t.status = ?), sum(t.status = ?), sum(t.status = ?),
                  EXISTS (SELECT 1 FROM journal j WHERE j.batch = b.payment_info_id AND j.event = 'payout')
           FROM blocks b LEFT JOIN transactions t ON t.payment_info_id = b.payment_info_id
           GROUP BY b.payment_info_id ORDER BY b.collection_date, b.payment_info_id""",
        (TransactionStatus.SETTLED, TransactionStatus.REJECTED, TransactionStatus.RETURNED)).fetchall()
    out = []
    for pid, mid, day, scheme, seq, count, total, settled, rejected, returned, paid in rows:
        date = dt.date.fromisoformat(day)
        balance = balances.get(pid, total)
        out.append(BatchStatus(pid, mid, date, scheme, seq, count, total, settled or 0, rejected or 0,
                               returned or 0, balance,
                               balance != 0 and today > date + dt.timedelta(days=OVERDUE_DAYS),
                               _why(balance, bool(paid))))
    return out


def _why(balance: int, paid: bool) -> str | None:
    """Why a batch is not cleared, as a message code."""
    if balance == 0:
        return None
    if not paid:
        return "status-why-no-payout"
    return "status-why-short" if balance > 0 else "status-why-over"
