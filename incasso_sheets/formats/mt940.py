"""MT940 "structured" statements (ABN AMRO, ING, Rabobank, ...) read into camt Entry values.

The SWIFT fields come from the `mt-940` package (WoLpH/mt940): the `:61:` subfields, the
dates, the amounts (Decimal, converted to cents exactly) and the balances. This module
only decides which lines go to the package together, and then reads what the Dutch banks
put in the fields (docs/sepa.md §4.5):

* Framing. The package gives every `:86:` to the booking before it, so a statement-level
  `:86:` after `:62F:` (ING's `/SUM/` totals), and with it the `-}` and the next message's
  `{1:...}{2:...}{4:` header, would end up in the day's last booking. Lines are therefore
  sorted here by the tag that starts them (the package's own tag set): a `:86:` belongs
  to a booking only right after its `:61:`; envelope lines (ABN AMRO's `ABNANL2A` / `940`,
  Rabobank's `:940:`, ING's `{1:` ... `-}`, a lone `-`) never reach the package. Bookings
  go to the package in chunks, each with its statement's header, so a statement of a
  million bookings is never held whole, and each booking keeps the line of its `:61:`.
* Every statement must close with `:62F:`/`:62M:`, and opening balance plus bookings must
  equal the closing balance: a truncated or garbled download is refused, not half booked.
* Each booking becomes one `camt.Entry` (kind "mt940", status BOOK) with the ISO bank
  transaction code the camt path classifies (PMNT/IDDT/ESDD batch credit, .../UPDD
  return or reject, .../CHRG charges naming a collection), derived from the `:61:` type,
  ABN AMRO's mutatiecode, Rabobank's code or ING's `/TRCD/`; the `:86:` fields become the
  entry's references, its batch (`/PREF/`) and its one transaction (`/EREF/`, `/MARF/`,
  `/RTRN/`).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

import mt940
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from incasso_sheets.core.errors import CannotContinue
from incasso_sheets.core.money import AmountError, decimal_to_cents, format_cents
from incasso_sheets.formats.camt import (
    AMOUNT_INVALID,
    AMOUNT_NOT_CENTS,
    NOTPROVIDED,
    TEXT_KEYS,
    BatchRef,
    Entry,
    TxDetail,
    references_from_text,
)

# The package logs a line it cannot match at ERROR level; the CannotContinue raised here
# says it once, in the user's language.
logging.getLogger("mt940").addHandler(logging.NullHandler())

KIND = "mt940"
ABNAMRO, RABOBANK, ING = "ABNAMRO", "RABOBANK", "ING"
CHUNK = 2000  # bookings handed to the package at a time

# Bump when the canonical form of a booking changes: stored digests would no longer match.
DIGEST_VERSION = b"incasso-sheets mt940 booking v1\n"

# The :86: keys each bank documents (docs/sepa.md §4.5). Only these split the text, so a
# value may itself hold a '/' (remittance text often does).
KEYS = {
    ABNAMRO: ("TRTP", "RTYP", "PREF", "NRTX", "PIND", "EREF", "MARF", "CSID", "RTRN", "REMI",
              "NAME", "IBAN", "BIC", "ORDP", "BENM", "ID", "ULTD", "ULTC", "ULTB", "RREF",
              "SWOD"),
    RABOBANK: ("MARF", "EREF", "PREF", "RTRN", "BENM", "ORDP", "NAME", "ID", "ADDR", "REMI",
               "CSID", "ISDT"),
    ING: ("PREF", "CSID", "REMI", "RTRN", "EREF", "MARF", "CNTP", "ULTD", "ULTC", "ULTB",
          "CREF", "IREF", "PURP", "EXCH", "CHGS", "NAME", "BIC", "SUM"),
}

BATCH_CORE, BATCH_B2B = "PMNT/IDDT/ESDD", "PMNT/IDDT/BBDD"
RETURNED, REVERSED = "PMNT/IDDT/UPDD", "PMNT/IDDT/PRDD"
CHARGES = "PMNT/IDDT/CHRG"           # charges that name a collection (reasons.BTC_CHARGES)
OTHER_CHARGES = "ACMT/MDOP/CHRG"     # account charges: not the matcher's business

# Bank codes -> (code for a credit, code for a debit); None: the entry's content decides.
_ABN_CODES = {  # mutatiecodes, ABN AMRO Formaatverschillen v1.4 Bijlage A
    "247": (BATCH_CORE, None), "249": (BATCH_B2B, None), "245": (None, RETURNED),
    "244": (None, RETURNED), "246": (None, RETURNED), "242": (None, REVERSED),
    "243": (None, CHARGES),
}
_RABO_CODES = {  # Rabobank Transactiesoortcodes v2.6
    **dict.fromkeys(("680", "681", "629"), (BATCH_CORE, None)),
    **dict.fromkeys(("682", "683", "651", "630"), (BATCH_B2B, None)),
    **dict.fromkeys(("631", "632", "633", "165", "166", "167", "168", "169", "170"),
                    (None, RETURNED)),
    **dict.fromkeys(("634", "635"), (None, REVERSED)),
    "093": (None, CHARGES),
}
_SWIFT_CODES = {  # SWIFT transaction types, as ING (and ABN AMRO's form A) write them
    "DDT": (BATCH_CORE, None), "RTI": (None, RETURNED), "CHG": (None, CHARGES),
}

_TAG = re.compile(r"^:(\d{2})[A-Z]?:")
_KNOWN_TAGS = {t for t in mt940.tags.TAG_BY_ID if isinstance(t, int)}
_HEADER_TAGS = {13, 20, 21, 25, 28, 34, 60}
_CLOSING_TAGS = {62, 64, 65, 90}
_TRCD = re.compile(r"/TRCD/(\d{5})")
_REASON = re.compile(r"^([A-Z0-9]{4})")  # older ING layouts append the R-type
_REFERENCE_NAMES = {"NONREF", "EREF", "PREF", "MARF"}


@dataclass
class _Booking:
    line: int
    lines: list[str]                 # the :61: and its continuation
    details: list[str] = field(default_factory=list)  # its :86:, when one follows


@dataclass
class _Statement:
    line: int
    header: list[str] = field(default_factory=list)
    bookings: list[_Booking] = field(default_factory=list)
    closing: list[str] = field(default_factory=list)
    phase: str = "header"            # header, bookings, closing
    last: list[str] | None = None    # the record continuation lines belong to
    booking_count: int = 0
    moved_cents: int = 0             # sum of the signed bookings so far
    opening_cents: int | None = None
    currency: str | None = None


def split_details(text: str | None, bank: str | None) -> dict[str, str]:
    """The `/KEY/value/` fields of a rebuilt `:86:` text, split only on `bank`'s keys.

    ABN AMRO writes `/KEY/value` and may drop the final slash, Rabobank uses a fixed
    order, ING ends every code word with `/` so keys are separated by `//` (docs/sepa.md
    §4.5). Values are trimmed of spaces and of a trailing slash; an empty value counts
    as absent; the first value of a key wins.
    """
    return references_from_text(text, KEYS.get(bank, TEXT_KEYS))


def rebuild_details(lines: str | None) -> str | None:
    """A `:86:` as the package returns it (the bank's lines, hard-wrapped at 65
    characters even mid-key) as one text: the lines joined with no separator."""
    if lines is None:
        return None
    return "".join(lines.splitlines()) or None


def iter_entries(path: str | os.PathLike) -> Iterator[Entry]:
    """Every booking (`:61:`) of an MT940 file as an Entry, streamed.

    Raises CannotContinue('mt940-unreadable') for a record the package cannot read, a
    statement without closing balance or whose balances do not add up (this can happen
    after some entries were yielded, since the file is read as it goes).
    """
    reader = _Reader(path)
    yield from reader.entries()


class _Reader:
    def __init__(self, path: str | os.PathLike):
        self.path = path
        self.name = os.fspath(path)
        self.bank_hint: str | None = None
        self.seen: dict[bytes, int] = {}

    def fail(self, line: int, reason: str) -> CannotContinue:
        return CannotContinue("mt940-unreadable", path=self.name, line=line, reason=reason)

    def entries(self) -> Iterator[Entry]:
        statement: _Statement | None = None
        try:
            handle = open(self.path, "rb")
        except OSError as exc:
            raise CannotContinue("file-unreadable", path=self.path, reason=exc.strerror or exc) from exc
        with handle:
            number = 0
            for number, raw in enumerate(handle, start=1):
                line = _decode(raw).rstrip("\r\n")
                if number == 1:
                    line = line.removeprefix("\ufeff")
                if not line.strip():
                    continue
                found = _TAG.match(line)
                tag = int(found[1]) if found and int(found[1]) in _KNOWN_TAGS else None
                if tag == 20:
                    if statement is not None:
                        yield from self.parse(statement, final=True)
                    statement = _Statement(number, header=[line])
                    statement.last = statement.header
                elif statement is None:
                    self.note_envelope(line, number, tag)
                elif tag is None:
                    self.continuation(statement, line)
                else:
                    yield from self.record(statement, tag, line, number)
            if statement is None:
                raise self.fail(number, "no statement (:20:) in the file")
            yield from self.parse(statement, final=True)

    def note_envelope(self, line: str, number: int, tag: int | None) -> None:
        if tag is not None:
            raise self.fail(number, f":{line[1:3]}: before the first :20:")
        text = line.strip().upper()
        if text.startswith("ABNANL2A"):
            self.bank_hint = ABNAMRO
        elif text.startswith(":940:"):
            self.bank_hint = RABOBANK
        elif "INGBNL2A" in text:
            self.bank_hint = ING

    def continuation(self, statement: _Statement, line: str) -> None:
        stripped = line.strip()
        if stripped == "-" or stripped.startswith("-}") or stripped.startswith("{1:"):
            statement.last = None  # the end of a message: what follows is envelope
        elif statement.last is not None:
            statement.last.append(line)

    def record(self, statement: _Statement, tag: int, line: str, number: int) -> Iterator[Entry]:
        if tag == 61:
            if statement.phase == "closing":
                raise self.fail(number, ":61: after the closing balance")
            if len(statement.bookings) >= CHUNK:
                yield from self.parse(statement, final=False)
            statement.phase = "bookings"
            booking = _Booking(number, [line])
            statement.bookings.append(booking)
            statement.last = booking.lines
        elif tag == 86:
            booking = statement.bookings[-1] if statement.bookings else None
            if statement.phase == "bookings" and booking is not None and not booking.details \
                    and statement.last is booking.lines:
                booking.details.append(line)
                statement.last = booking.details
            else:
                statement.last = None  # statement-level information (ING /SUM/): not a booking
        elif tag in _CLOSING_TAGS:
            statement.phase = "closing"
            statement.closing.append(line)
            statement.last = None
        elif tag in _HEADER_TAGS and statement.phase == "header":
            statement.header.append(line)
            statement.last = statement.header
        else:
            statement.last = None  # :NS: and the like: not read

    def parse(self, statement: _Statement, final: bool) -> Iterator[Entry]:
        """Hand the header, a chunk of bookings (and at the end the closing balances)
        to the package, and turn what it read into Entry values."""
        lines = list(statement.header)
        for booking in statement.bookings:
            lines += booking.lines + booking.details
        if final:
            lines += statement.closing
        transactions = mt940.models.Transactions(options=_OPTIONS)
        try:
            transactions.parse("\n".join(lines))
        except (RuntimeError, ValueError, ArithmeticError, KeyError, TypeError) as exc:
            raise self.fail(self.culprit(statement, exc), _reason(exc)) from exc
        data = transactions.data
        if statement.opening_cents is None:
            statement.opening_cents = _balance_cents(
                data.get("final_opening_balance") or data.get("intermediate_opening_balance")
                or data.get("opening_balance"))
            statement.currency = transactions.currency
            if statement.opening_cents is None:
                raise self.fail(statement.line, "no opening balance (:60F: or :60M:)")
        parsed = list(transactions)
        if len(parsed) != len(statement.bookings):
            raise self.fail(statement.line, f"{len(statement.bookings)} bookings (:61:) but "
                                            f"{len(parsed)} read")
        account = "".join(str(data.get("account_identification") or "").split()) or None
        bank = self.bank_hint or _bank_of(account, data.get("transaction_reference"))
        for booking, transaction in zip(statement.bookings, parsed, strict=True):
            entry = self.entry(booking, transaction.data, data, account, bank, statement)
            if entry.amount_cents is not None:
                statement.moved_cents += entry.amount_cents if entry.credit else -entry.amount_cents
            yield entry
        statement.bookings = []
        if final:
            self.check_balance(statement, data)

    def culprit(self, statement: _Statement, exc: Exception) -> int:
        """The line of the record the package could not read, found by its text."""
        first = (str(exc.args[2]).splitlines() or [""])[0] if len(exc.args) > 2 else ""
        for booking in statement.bookings:
            if first and first in booking.lines[0]:
                return booking.line
        return statement.line

    def check_balance(self, statement: _Statement, data: dict) -> None:
        closing = _balance_cents(data.get("final_closing_balance")
                                 or data.get("intermediate_closing_balance")
                                 or data.get("closing_balance"))
        if closing is None:
            raise self.fail(statement.line, "the statement has no closing balance (:62F:), "
                                            "so the file may be cut short")
        expected = statement.opening_cents + statement.moved_cents
        if closing != expected:
            raise self.fail(statement.line, "opening balance plus bookings is "
                            f"{format_cents(expected)}, the closing balance says {format_cents(closing)}")

    def entry(self, booking: _Booking, fields: dict, head: dict, account: str | None,
              bank: str | None, statement: _Statement) -> Entry:
        problems: list[str] = []
        mark = str(fields.get("status") or "").upper()
        credit = mark in ("C", "RD")
        amount = fields.get("amount")
        cents = None
        if amount is not None:
            try:
                cents = decimal_to_cents(abs(Decimal(amount.amount)))
            except AmountError as exc:
                problems.append(AMOUNT_NOT_CENTS if exc.code == AMOUNT_NOT_CENTS else AMOUNT_INVALID)
        else:
            problems.append(AMOUNT_INVALID)
        type_code = (fields.get("id") or "").strip() or None
        customer_ref = (fields.get("customer_reference") or "").strip() or None
        bank_ref = (fields.get("bank_reference") or "").strip() or None
        supplementary = (fields.get("extra_details") or "").strip() or None
        text = rebuild_details(fields.get("transaction_details"))
        refs = split_details(text, bank)
        value_date = _date(fields.get("date"))
        booking_date = _date(fields.get("entry_date"))
        currency = fields.get("currency") or statement.currency
        domain = _domain_code(bank, type_code, bank_ref, supplementary, credit, refs)
        pref = refs.get("PREF")
        batch = None
        if pref and pref.upper() != "NOT PROVIDED":
            count = refs.get("NRTX")
            batch = BatchRef(None, pref, int(count) if count and count.isdigit() else None,
                             None, credit)
        details: tuple[TxDetail, ...] = ()
        eref = refs.get("EREF")
        if eref == NOTPROVIDED:
            eref = None
        reason = _REASON.match(refs.get("RTRN") or "")
        if eref or reason:
            details = (TxDetail(
                end_to_end_id=eref, mandate_id=refs.get("MARF"), instr_id=None,
                payment_info_id=None, message_id=None, tx_id=None, bank_ref=None,
                amount_cents=None, credit=None, reason_code=reason[1] if reason else None,
                reason_info=None, debtor_name=refs.get("NAME"), debtor_iban=refs.get("IBAN"),
                charges_cents=None, remittance_info=refs.get("REMI"), additional_info=None,
                from_text=(), problems=(),
            ),)
        canonical = repr((
            _without_currency(account), currency, mark, cents, _iso(value_date),
            _iso(booking_date), type_code, customer_ref, bank_ref, supplementary, text,
        )).encode()
        return Entry(
            kind=KIND,
            message_id=head.get("transaction_reference"),
            statement_id=head.get("statement_number"),
            account_iban=account,
            line=booking.line,
            # Rabobank and ING write the name of the :86: key that holds the reference.
            entry_ref=None if customer_ref in _REFERENCE_NAMES else customer_ref,
            bank_ref=None,  # ABN AMRO puts its mutatiecode here: not a reference
            amount_cents=cents,
            currency=currency,
            credit=credit,
            reversal=mark.startswith("R"),
            status="BOOK",
            booking_date=booking_date,
            value_date=value_date,
            domain_code=domain,
            proprietary_code=type_code,
            proprietary_issuer=bank,
            batch=batch,
            details=details,
            charges_cents=None,
            additional_info=text,
            references=tuple(refs.items()),
            digest=self.digest(canonical),
            problems=tuple(problems),
        )

    def digest(self, canonical: bytes) -> str:
        digest = hashlib.sha256(DIGEST_VERSION + canonical)
        # Two identical bookings in one file (two equal charges on one day) are two
        # bookings: the n-th repeat gets its own digest, as in camt.
        base = digest.digest()
        repeat = self.seen.get(base, 0)
        self.seen[base] = repeat + 1
        if repeat:
            digest.update(b"\n#%d" % repeat)
        return digest.hexdigest()


_OPTIONS = mt940.Options(unbounded_details=True, case_insensitive_marks=True, strip_bom=True)


def _decode(raw: bytes) -> str:
    """No bank states its byte encoding (docs/sepa.md §4.5): UTF-8, else Windows-1252."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _reason(exc: Exception) -> str:
    if isinstance(exc, RuntimeError) and len(exc.args) > 2:
        tag = getattr(exc.args[1], "id", "?")
        first = (str(exc.args[2]).splitlines() or [""])[0]
        return f"field :{tag}: {first!r} is not valid MT940"
    return f"{type(exc).__name__}: {exc}"


def _balance_cents(balance) -> int | None:
    amount = getattr(getattr(balance, "amount", None), "amount", None)
    if amount is None:
        return None
    try:
        return decimal_to_cents(Decimal(amount))
    except AmountError:
        return None


def _date(value) -> dt.date | None:
    if value is None:
        return None
    return _day(value.year, value.month, value.day)


@functools.lru_cache(maxsize=1024)
def _day(year: int, month: int, day: int) -> dt.date:
    """One date object per day: a statement of a million bookings has a few dozen days."""
    return dt.date(year, month, day)


def _iso(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _without_currency(account: str | None) -> str | None:
    """`:25:` with ING's or Rabobank's currency suffix dropped, for the digest."""
    if account and len(account) > 3 and account[-3:].isalpha() and account[-4].isdigit():
        return account[:-3]
    return account


def _bank_of(account: str | None, reference: str | None) -> str | None:
    """The bank whose codes and :86: keys apply: from the IBAN in `:25:`, else from the
    `:20:` ABN AMRO (`ABN AMRO BANK NV`) and Rabobank (`940S` + date) write."""
    if account:
        for candidate in (account, _without_currency(account)):
            try:
                code = IBAN(candidate).bank_code
            except SchwiftyException:
                continue
            return {"ABNA": ABNAMRO, "RABO": RABOBANK, "INGB": ING}.get(code)
    text = (reference or "").upper()
    if text.startswith("ABN AMRO"):
        return ABNAMRO
    if re.match(r"^940S\d{6}", text):
        return RABOBANK
    return None


def _domain_code(bank: str | None, type_code: str | None, bank_ref: str | None,
                 supplementary: str | None, credit: bool, refs: dict[str, str]) -> str | None:
    """The ISO bank transaction code of a booking (docs/sepa.md §4.5), or None when its
    codes say nothing and the content must decide (reasons.classify_entry)."""
    code = (type_code or "")[1:].strip().upper()  # N247 -> 247, NDDT -> DDT
    found: tuple[str | None, str | None] | None = None
    if bank == ING:
        trcd = _TRCD.search(supplementary or "")
        found = _ing_code(trcd[1]) if trcd else None
    elif bank == ABNAMRO:
        mutation = bank_ref.strip() if bank_ref and bank_ref.strip().isdigit() else code
        found = _ABN_CODES.get(mutation)
    elif bank == RABOBANK:
        found = _RABO_CODES.get(code)
    if found is None:
        found = _SWIFT_CODES.get(code)
    if found is None:
        return None
    domain = found[0] if credit else found[1]
    if domain == CHARGES and not ({"EREF", "PREF"} & refs.keys()):
        return OTHER_CHARGES  # a charge that names no collection is left alone
    return domain


def _ing_code(trcd: str) -> tuple[str | None, str | None] | None:
    """ING transaction codes (Mijn ING Zakelijk 2014 p.14-17; ING 2018 Appendix A)."""
    if trcd in ("01000", "01010"):
        return BATCH_CORE, None
    if trcd == "01020":
        return BATCH_B2B, None
    if trcd[:3] in ("011", "012", "013", "015"):
        return None, RETURNED
    if trcd[:3] == "014":
        return None, REVERSED
    if trcd in ("09001", "09002"):
        return None, CHARGES
    return None
