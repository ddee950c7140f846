"""The values that flow from batching onward: Message, Block, the transactions frame and
the journal lines frame.

A Block (one PmtInf) holds its transactions as a polars frame with TRANSACTION_SCHEMA, so
a million transactions stay columnar from selection to the XML and the journal. All text
in it is already sanitised to the SEPA character set and cut to its limit; amounts are
integer cents.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

import polars as pl

from incasso_sheets.core.settings import Creditor

TRANSACTION_SCHEMA: dict[str, pl.DataType] = {
    "end_to_end_id": pl.Utf8,        # PmtId/EndToEndId, <= 35, SEPA id characters
    "amount_cents": pl.Int64,        # InstdAmt, 1 .. 99_999_999_999
    "mandate_id": pl.Utf8,           # MndtRltdInf/MndtId
    "mandate_date": pl.Date,         # MndtRltdInf/DtOfSgntr
    "original_mandate_id": pl.Utf8,  # AmdmntInfDtls/OrgnlMndtId (null: unchanged)
    "original_iban": pl.Utf8,        # AmdmntInfDtls/OrgnlDbtrAcct/Id/IBAN (same bank)
    "smnda": pl.Boolean,             # AmdmntInfDtls/OrgnlDbtrAcct/Id/Othr/Id = SMNDA
    "debtor_bic": pl.Utf8,           # DbtrAgt BIC; null -> Othr/Id NOTPROVIDED
    "debtor_name": pl.Utf8,          # Dbtr/Nm, <= 70
    "debtor_iban": pl.Utf8,          # DbtrAcct/Id/IBAN
    "send_address": pl.Boolean,      # Dbtr/PstlAdr only when true (non-EEA debtors)
    "street": pl.Utf8,
    "postcode": pl.Utf8,
    "city": pl.Utf8,
    "country": pl.Utf8,
    "remittance": pl.Utf8,           # RmtInf/Ustrd, <= 140; null -> no RmtInf
    "invoice_number": pl.Utf8,       # for the journal and the ledger
    "debtor_id": pl.Utf8,
}


class TransactionStatus(StrEnum):
    """Where a collected transaction stands: the one list the ledger's CHECK, its queries,
    the selection's filters and `ledger check` are made from."""
    COLLECTED = "collected"  # in a pain.008 the bank has not answered yet
    SETTLED = "settled"      # paid out on the statement
    REJECTED = "rejected"    # refused before settlement (pain.002, camt)
    RETURNED = "returned"    # returned or refunded after settlement

    @classmethod
    def done(cls) -> tuple[TransactionStatus, ...]:
        """The states in which the invoice counts as collected (never collected again)."""
        return (cls.COLLECTED, cls.SETTLED)

    @classmethod
    def failed(cls) -> tuple[TransactionStatus, ...]:
        """The states in which the invoice came back and may be collected again."""
        return (cls.REJECTED, cls.RETURNED)


class MandateStatus(StrEnum):
    """A mandate's state in the ledger (sepa/reasons.py: a reason code's mandate effect)."""
    ACTIVE = "active"
    DEAD = "dead"          # cancelled, closed, deceased: stop for good
    BLOCKED = "blocked"    # the account or the debtor blocks direct debits
    DISPUTED = "disputed"  # the debtor objected: contact first

    @classmethod
    def inactive(cls) -> tuple[MandateStatus, ...]:
        return (cls.DEAD, cls.BLOCKED, cls.DISPUTED)


# One journal line (debit or credit) as the journal CSV and the ledger hold it.
JOURNAL_SCHEMA: dict[str, pl.DataType] = {
    "journal": pl.Utf8,         # Dagboek: the journal code from the settings (MEM)
    "entry": pl.Utf8,           # Boekstuk: one balanced entry
    "date": pl.Date,            # Datum
    "account": pl.Utf8,         # Rekening
    "description": pl.Utf8,     # Omschrijving
    "debit_cents": pl.Int64,    # Debet; null on a credit line
    "credit_cents": pl.Int64,   # Credit; null on a debit line
    "debtor_id": pl.Utf8,       # Relatie
    "invoice_number": pl.Utf8,  # Factuur
    "batch": pl.Utf8,           # Batch: the PmtInfId
    "mandate_id": pl.Utf8,      # Machtiging
    "end_to_end_id": pl.Utf8,   # EndToEndId
}


def empty_transactions() -> pl.DataFrame:
    return pl.DataFrame(schema=TRANSACTION_SCHEMA)


@dataclass(frozen=True)
class Block:
    """One payment-information block: one scheme, sequence type and collection date."""
    payment_info_id: str
    scheme: str              # CORE or B2B
    sequence_type: str       # FRST, RCUR, OOFF, FNAL
    collection_date: dt.date
    transactions: pl.DataFrame

    @property
    def count(self) -> int:
        return self.transactions.height

    @property
    def total_cents(self) -> int:
        return int(self.transactions["amount_cents"].sum() or 0)


@dataclass(frozen=True)
class Message:
    """One pain.008 file."""
    message_id: str
    created_at: dt.datetime
    creditor: Creditor
    batch_booking: bool
    blocks: tuple[Block, ...]

    @property
    def count(self) -> int:
        return sum(b.count for b in self.blocks)

    @property
    def total_cents(self) -> int:
        return sum(b.total_cents for b in self.blocks)
