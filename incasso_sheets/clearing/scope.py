"""Which statement entries are ours to book: the creditor's collection account, in euro.

A statement (camt.053 `Stmt`, camt.052 `Rpt`, camt.054 `Ntfctn`, an MT940 statement)
is booked only when its account is one of the creditor's (settings `creditor.iban` and
`creditor.extra_ibans`, compared by `formats.accounts.account_matches`) and only its
entries in euro: SEPA direct debits are collected in euro, and the ledger knows no other
currency. Anything else books nothing and is reported once per statement, with the
number of entries held back (docs/sepa.md §4.1). A statement that names no account at
all is held back too: nothing says it is ours.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from incasso_sheets.clearing.match import Unmatched
from incasso_sheets.formats.accounts import account_matches

CURRENCY = "EUR"
OTHER_ACCOUNT = "bank-statement-other-account"
NO_ACCOUNT = "bank-statement-no-account"
OTHER_CURRENCY = "bank-statement-other-currency"


@dataclass
class _Held:
    code: str
    file: str
    statement_id: str | None
    account: str | None
    currency: str | None
    count: int = 0


class Scope:
    """Decides per entry, remembers per statement what it held back."""

    def __init__(self, ibans: Iterable[str]):
        self.ibans = tuple(ibans)
        self._ours: dict[str, bool] = {}   # account as written -> one of ours (asked once)
        self._held: dict[tuple, _Held] = {}

    def admits(self, entry, file: str) -> bool:
        """True when `entry` (a formats.camt.Entry) may be booked; else it is counted
        against its statement."""
        account = entry.account_iban
        if not account:
            code = NO_ACCOUNT
        elif not self._is_ours(account):
            code = OTHER_ACCOUNT
        elif entry.currency != CURRENCY:
            code = OTHER_CURRENCY
        else:
            return True
        currency = entry.currency if code == OTHER_CURRENCY else None
        key = (code, file, entry.statement_id, account, currency)
        held = self._held.get(key)
        if held is None:
            held = self._held[key] = _Held(code, file, entry.statement_id, account, currency)
        held.count += 1
        return False

    def _is_ours(self, account: str) -> bool:
        ours = self._ours.get(account)
        if ours is None:
            ours = self._ours[account] = account_matches(account, self.ibans)
        return ours

    def held_back(self) -> list[Unmatched]:
        """One item per statement held back, in the order they were met."""
        items = []
        for h in self._held.values():
            params: tuple[tuple[str, object], ...] = (("statement", h.statement_id or "-"),
                                                      ("count", h.count))
            if h.code == OTHER_CURRENCY:
                params += (("currency", h.currency or "-"),)
            elif h.code == OTHER_ACCOUNT:
                params += (("ours", ", ".join(self.ibans)),)
            items.append(Unmatched(h.file, None, False, h.code, h.account or "", params=params))
        return items
