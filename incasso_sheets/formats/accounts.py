"""Is this bank file's account one of ours?

Statements name their account in several ways: camt `Acct/Id/IBAN` (or `Othr/Id`), MT940
`:25:` as an IBAN, an IBAN followed by its currency (ING: `NL..INGB..EUR`, Rabobank:
`NL..RABO.. EUR`), or the bank's own account number without the IBAN around it (ABN AMRO's
default: 9 or 10 digits; Triodos: `TRIODOSBANK/` + the number). See docs/sepa.md §4.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

_CURRENCY_SUFFIX = re.compile(r"^(.*?)[ /]?([A-Z]{3})$")
_PREFIX = re.compile(r"^[A-Z]+/")  # TRIODOSBANK/0123456789


def _compact(text: str) -> str:
    return re.sub(r"[\s.\-]", "", text).upper()


def _iban(text: str) -> IBAN | None:
    try:
        return IBAN(text)
    except SchwiftyException:
        return None


def account_matches(account: str | None, ibans: Iterable[str]) -> bool:
    """True when `account` (as a bank file writes it) is one of `ibans` (normalised IBANs)."""
    if not account:
        return False
    ours = [i for i in (_iban(_compact(x)) for x in ibans) if i is not None]
    text = _compact(account)
    candidates = [text]
    suffix = _CURRENCY_SUFFIX.match(text)
    if suffix and suffix.group(1):
        candidates.append(suffix.group(1))
    for candidate in candidates:
        found = _iban(candidate)
        if found is not None:
            return any(found.compact == mine.compact for mine in ours)
    for candidate in candidates:
        number = _PREFIX.sub("", candidate)
        if number.isdigit():
            number = number.lstrip("0")
            return any(number and mine.account_code.lstrip("0") == number for mine in ours)
    return False
