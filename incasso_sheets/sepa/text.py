"""SEPA character set: transliteration into it, and length limits.

EPC IG: only `a-z A-Z 0-9 / - ? : ( ) . , ' + space` is guaranteed to reach the debtor
(docs/sepa.md §6.1). `&` is not in the set even when escaped, so it becomes `+`.
After `sanitise`, text needs no XML escaping at all: the set has no `<`, `>`, `&` or `"`.
"""

from __future__ import annotations

import re

import polars as pl
from text_unidecode import unidecode

NAME_MAX = 70        # EPC IG: every Nm element, 70 characters
REMITTANCE_MAX = 140  # EPC IG: RmtInf/Ustrd, one occurrence of 140
ID_MAX = 35          # Max35Text: MsgId, PmtInfId, EndToEndId, MndtId

SEPA_TEXT = r"^[A-Za-z0-9/\-?:().,'+ ]*$"
# docs/sepa.md §6.3: no leading or trailing '/', no '//'; mandate ids also no spaces.
SEPA_ID = r"^[A-Za-z0-9/\-?:().,'+ ]+$"
SEPA_MANDATE_ID = r"^[A-Za-z0-9/\-?:().,'+]+$"

_SPECIFIC = str.maketrans({
    "&": "+", '"': "'", "\u201c": "'", "\u201d": "'", "\u201e": "'", "\u2018": "'",
    "\u2019": "'", "\u201a": "'", "`": "'", "\u00b4": "'", "\u2013": "-", "\u2014": "-",
    "\u2212": "-", "\t": " ", "\n": " ", "\r": " ", "_": "-", ";": ",", "!": ".",
    "@": " ", "#": " ", "*": " ", "=": " ", "\u20ac": "EUR",
})
_OUTSIDE = re.compile(r"[^A-Za-z0-9/\-?:().,'+ ]")
_SPACES = re.compile(r" {2,}")
_SEPA_TEXT_RE = re.compile(SEPA_TEXT)


def sanitise(text: str) -> str:
    """Text in the SEPA character set: specific replacements, transliteration, cleanup."""
    if _SEPA_TEXT_RE.match(text) and "  " not in text and text == text.strip():
        return text
    out = unidecode(text.translate(_SPECIFIC))
    out = _OUTSIDE.sub("", out.translate(_SPECIFIC))
    return _SPACES.sub(" ", out).strip()


def sanitise_series(values: pl.Series) -> pl.Series:
    """`sanitise` over a column, running Python only on the distinct values that need it."""
    s = values.cast(pl.Utf8)
    clean = s.str.contains(SEPA_TEXT) & ~s.str.contains("  ") & (s == s.str.strip_chars(" "))
    needing = s.filter(~clean.fill_null(True)).unique()
    if needing.len() == 0:
        return s
    mapping = pl.DataFrame({"from": needing, "to": [sanitise(v) for v in needing.to_list()]})
    joined = pl.DataFrame({"from": s}).join(mapping, on="from", how="left", maintain_order="left")
    return joined["to"].fill_null(joined["from"]).rename(s.name)


def shorten(text: str, limit: int) -> str:
    """Cut to `limit` characters at a word boundary where one is near, else hard."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space >= limit - 15 else cut).rstrip()


def is_sepa_id(value: str, mandate: bool = False) -> bool:
    """SEPA identifier rules (docs/sepa.md §6.3): set, 1-35, no leading/trailing '/', no '//'."""
    pattern = SEPA_MANDATE_ID if mandate else SEPA_ID
    return (
        0 < len(value) <= ID_MAX
        and re.fullmatch(pattern, value) is not None  # re.match's '$' passes a final newline
        and not value.startswith("/") and not value.endswith("/") and "//" not in value
    )


def sepa_id_expr(expr: pl.Expr, mandate: bool = False) -> pl.Expr:
    """Column-wise character rules of `is_sepa_id` (length is checked separately)."""
    pattern = SEPA_MANDATE_ID if mandate else SEPA_ID
    return (
        expr.str.contains(pattern)
        & ~expr.str.starts_with("/") & ~expr.str.ends_with("/") & ~expr.str.contains("//", literal=True)
    )
