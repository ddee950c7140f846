"""The identity of a number a person typed: an invoice number or a debtor number.

Two spellings are the same identity when they differ only in letter case or in leading
zeros of a run of digits: `INV-0001` and `inv-1`, `000123` and `123` (Excel drops the
leading zeros of a number typed into a General cell). Every comparison of identities
uses `identity_key` (one value) or `identity_key_expr` (a polars column); both give the
same key for the same text. The key is for comparing only: what is written to a file or
a bank message is always the spelling the user gave.
"""

from __future__ import annotations

import re

import polars as pl

# A run of zeros at the start of a run of digits, when a digit follows it ("007" -> "7",
# "0" stays "0"); the digit run starts at the text's start or after a non-digit.
_LEADING_ZEROS = re.compile(r"(^|[^0-9])0+([0-9])")


def identity_key(text: str) -> str:
    """The comparison key of an identifier: trimmed, lower case, no leading zeros."""
    return _LEADING_ZEROS.sub(r"\1\2", text.strip().lower())


def identity_key_expr(column: pl.Expr) -> pl.Expr:
    """`identity_key` as a polars expression (null stays null)."""
    return (
        column.str.strip_chars()
        .str.to_lowercase()
        .str.replace_all(r"(^|[^0-9])0+([0-9])", "${1}${2}")
    )
