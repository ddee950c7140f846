"""IBAN, BIC and creditor identifier checks; SEPA and EEA country lists.

IBAN and BIC rules come from schwifty (checksum, country length and BBAN format, bank
registry); the creditor identifier check is ISO 7064 MOD 97-10 over the identifier with
the business code skipped (docs/sepa.md §6.4), via python-stdnum's `eu.at_02`.
Column-wise callers use `check_ibans`, which runs schwifty once per distinct IBAN.
"""

from __future__ import annotations

import re

import polars as pl
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.eu import at_02
from stdnum.exceptions import ValidationError

EU = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()
)
EEA = EU | {"IS", "LI", "NO"}
# The SEPA countries and territories outside the EEA, after EPC409-09 "EPC List of SEPA
# Scheme Countries" (as extended by the EPC Board up to Serbia, 22 May 2025). A debtor whose
# IBAN is in one of them needs the debtor bank's BIC and a postal address in the collection
# (docs/sepa.md §1 and §2). The one list of them: every rule reads it from here.
SEPA_NON_EEA = frozenset(
    "CH GB GI GG JE IM "   # Switzerland; the United Kingdom, Gibraltar and the Crown Dependencies
    "MC SM VA AD PM "      # Monaco, San Marino, Vatican City, Andorra, Saint-Pierre-et-Miquelon
    "AL ME MD MK RS"       # Albania, Montenegro (Nov 2024); Moldova, North Macedonia (Mar 2025); Serbia
    .split())
SEPA = EEA | SEPA_NON_EEA

NOTPROVIDED = "NOTPROVIDED"


def outside_eea(country: pl.Expr, iban_country: pl.Expr) -> pl.Expr:
    """True where the debtor (its country, or its IBAN's) is in a SEPA country outside the
    EEA: its postal address goes into the collection (docs/sepa.md §2)."""
    non_eea = sorted(SEPA_NON_EEA)
    return (country.is_in(non_eea) | iban_country.is_in(non_eea)).fill_null(False)
_BIC_RE = re.compile(r"^[A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?$")


def normalise_iban(text: str) -> str:
    return re.sub(r"[\s\u00a0.\-]", "", text).upper()


def inspect_iban(iban: str, bics: dict[tuple[str, str, str], str | None] | None = None,
                 ) -> tuple[str | None, str | None]:
    """(problem, derived BIC): problem is None when `iban` (normalised) is valid; the BIC
    is the one the bank registry knows for the IBAN's bank, or None. `bics` remembers the
    BIC per bank (country, bank code, branch code) across calls: a registry lookup costs
    as much as half the rest of the check, and a hundred thousand debtors bank at a few
    dozen banks."""
    try:
        parsed = IBAN(iban, validate_bban=True)
    except SchwiftyException as exc:
        return str(exc).rstrip("."), None
    if bics is None:
        return None, _bic_text(parsed.bic)
    bank = (parsed.country_code, parsed.bank_code, parsed.branch_code)
    if bank not in bics:
        bics[bank] = _bic_text(parsed.bic)
    return None, bics[bank]


def _bic_text(bic: BIC | None) -> str | None:
    if bic is None:
        return None
    text = str(bic)
    return text[:8] if text.endswith("XXX") else text


def iban_problem(iban: str) -> str | None:
    return inspect_iban(iban)[0]


def check_ibans(ibans: pl.Series) -> pl.DataFrame:
    """For each distinct normalised IBAN: `iban`, `problem` (reason or null), `derived_bic`."""
    distinct = ibans.drop_nulls().unique().to_list()
    bics: dict[tuple[str, str, str], str | None] = {}
    inspected = [inspect_iban(value, bics) for value in distinct]
    problems = [p for p, _ in inspected]
    bics = [b for _, b in inspected]
    return pl.DataFrame(
        {"iban": distinct, "problem": problems, "derived_bic": bics},
        schema={"iban": pl.Utf8, "problem": pl.Utf8, "derived_bic": pl.Utf8},
    )


def bank_of(iban: str) -> tuple[str | None, str | None]:
    """(BIC's first 8 characters, country + bank code) of the bank that holds `iban`.

    The BIC comes from schwifty's bank registry (None when the registry does not know the
    bank); the bank code is the part of the BBAN the country's IBAN format calls the bank
    code (schwifty's IBAN.bank_code), with the country in front. (None, None) for an
    invalid IBAN. `same_bank` in sepa.sequence compares these.
    """
    try:
        parsed = IBAN(iban, validate_bban=True)
    except SchwiftyException:
        return None, None
    bic = _bic_text(parsed.bic)
    return (bic[:8] if bic else None), f"{parsed.country_code}:{parsed.bank_code}"


def bic_problem(bic: str) -> str | None:
    if not _BIC_RE.match(bic):
        return "8 or 11 letters and digits: bank (4), country (2), location (2), branch (3, optional)"
    try:
        BIC(bic)
    except SchwiftyException as exc:
        return str(exc).rstrip(".")
    return None


def bic_matches_iban(bic: str, derived: str | None, iban: str) -> bool:
    """True when `bic` can belong to the IBAN's bank: same country, same bank where known."""
    if bic[4:6] != iban[:2] and not (iban[:2] in {"GF", "GP", "MQ", "RE", "YT"} and bic[4:6] == "FR"):
        return False
    return derived is None or derived[:6] == bic[:6]


def creditor_id_problem(creditor_id: str) -> str | None:
    """None when the SEPA creditor identifier is valid (docs/sepa.md §6.4), else the reason."""
    try:
        at_02.validate(creditor_id)
    except ValidationError as exc:
        return str(exc).rstrip(".")
    return None


def normalise_creditor_id(text: str) -> str:
    return re.sub(r"\s", "", text).upper()
