"""The debtors and invoices sheets: text columns -> typed columns, and the rules they obey.

`prepare_*` adds typed helper columns (prefixed `_`) next to the text the user typed;
`*_rules` describes every check as a Rule; `typed_*` selects the clean, typed frame the
rest of the program works with. The rules run through pandera in `sheets.validate`.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from incasso_sheets.core import money
from incasso_sheets.core.identity import identity_key_expr
from incasso_sheets.core.issues import WARNING
from incasso_sheets.sepa import identifiers, text
from incasso_sheets.sheets import parse
from incasso_sheets.sheets.read import ROW
from incasso_sheets.sheets.validate import Rule

# Codes 1/2 (scheme) and 1/2/3 (sequence) are the Visma eAccounting API's mandate_type and
# sequence_type, so an export reads as it is. Sequence 1 is "recurring": FRST or RCUR is
# derived from the history, as for an empty cell ("" here, null in the typed frame).
SCHEMES = {"CORE": "CORE", "B2B": "B2B", "STANDAARD": "CORE", "ZAKELIJK": "B2B", "1": "CORE", "2": "B2B"}
SEQUENCES = {**{s: s for s in ("FRST", "RCUR", "OOFF", "FNAL")}, "1": "", "2": "FNAL", "3": "OOFF"}
ATTEMPT_SUFFIX_MAX = 3  # "-2" .. "-99" for re-presentations
# The postal address's parts and their longest text: StrtNm Max70Text, PstCd Max16Text and
# TwnNm Max35Text in both pain.008 versions (docs/sepa.md §2). Longer text is shortened,
# with a warning; in pain.008.001.02 street (line 1) and postcode + town (line 2, at most
# 16 + 1 + 35) then always fit the two AdrLine of 70.
ADDRESS_LIMITS = {"street": 70, "postcode": 16, "city": 35}

DEBTOR_TEXT = ("debtor_id", "name", "iban", "bic", "direct_debit", "mandate_id", "mandate_date",
               "mandate_end_date", "scheme", "sequence", "street", "postcode", "city", "country",
               "email", "last_collection_date")
INVOICE_TEXT = ("invoice_number", "debtor_id", "invoice_date", "due_date", "amount", "currency",
                "description")


def with_columns(frame: pl.DataFrame, headers: dict[str, str], canonical: tuple[str, ...]) -> pl.DataFrame:
    """Rename the user's headers to canonical names; absent columns become null text."""
    return frame.select(
        pl.col(ROW),
        *[(pl.col(headers[c]) if c in headers else pl.lit(None, pl.Utf8)).alias(c) for c in canonical],
    )


def _over_distinct(frame: pl.DataFrame, keys: list[str], fn, out: dict[str, pl.DataType]) -> pl.DataFrame:
    """Apply a Python function once per distinct key tuple and join the results back."""
    distinct = frame.select(keys).unique().drop_nulls()
    results = [fn(*row) for row in distinct.iter_rows()]
    names = list(out)
    table = distinct.with_columns(
        pl.Series(name, [r[i] for r in results], dtype=dtype) for i, (name, dtype) in enumerate(out.items())
    )
    return frame.join(table, on=keys, how="left", maintain_order="left", nulls_equal=False).with_columns(
        *[pl.col(n) for n in names])


# --- debtors ----------------------------------------------------------------------------

def prepare_debtors(frame: pl.DataFrame, numeric: frozenset[str] = frozenset()) -> pl.DataFrame:
    f = frame.with_columns(
        _id=parse.text("debtor_id"),
        _name=parse.text("name"),
        _dd=parse.yes_no("direct_debit"),
        _iban=parse.text("iban").str.replace_all(r"[\s\u00a0.\-]", "").str.to_uppercase(),
        _bic=parse.text("bic").str.replace_all(r"\s", "").str.to_uppercase(),
        _mandate=parse.text("mandate_id"),
        _mandate_date=parse.date("mandate_date", "mandate_date" in numeric),
        _mandate_end=parse.date("mandate_end_date", "mandate_end_date" in numeric),
        _last_collection=parse.date("last_collection_date", "last_collection_date" in numeric),
        _scheme=parse.code("scheme", SCHEMES),
        _sequence=parse.code("sequence", SEQUENCES),
        _country_given=parse.text("country").str.to_uppercase(),
        _email=parse.text("email"),
    )
    f = f.with_columns(
        *[pl.Series(f"_{name}_sepa", text.sanitise_series(f[name].str.strip_chars()), dtype=pl.Utf8)
          for name in ADDRESS_LIMITS],
        _mandate_key=pl.col("_mandate").str.to_uppercase(),
        _name_sepa=pl.Series(text.sanitise_series(f["_name"])),
        _iban_country=pl.col("_iban").str.slice(0, 2),
    )
    f = parse.with_first_rows(f, _id_first=pl.col("_id"), _mandate_first=pl.col("_mandate_key"))
    checked = identifiers.check_ibans(f["_iban"]).rename(
        {"iban": "_iban", "problem": "_iban_problem", "derived_bic": "_derived_bic"})
    f = f.join(checked, on="_iban", how="left", maintain_order="left")
    f = _over_distinct(
        f, ["_bic", "_iban", "_derived_bic"], _bic_verdict,
        {"_bic_problem": pl.Utf8, "_bic_matches": pl.Boolean},
    ) if f["_bic"].null_count() < f.height else f.with_columns(
        _bic_problem=pl.lit(None, pl.Utf8), _bic_matches=pl.lit(None, pl.Boolean))
    return f.with_columns(_country=pl.coalesce("_country_given", "_iban_country"))


def _bic_verdict(bic: str, iban: str, derived: str | None) -> tuple[str | None, bool | None]:
    problem = identifiers.bic_problem(bic)
    if problem is not None:
        return problem, None
    return None, identifiers.bic_matches_iban(bic, derived, iban)


def id_rules(column: str, value: pl.Expr, code: str, *, required: pl.Expr | None = None,
             mandate: bool = False, limit: int | None = None) -> list[Rule]:
    """`<code>-missing` (where `required`), `<code>-too-long` and `<code>-invalid`: the
    rules of an identifier that travels in a SEPA file (docs/sepa.md §6.3)."""
    length = (("length", value.str.len_chars()),)
    rules = [] if required is None else [Rule(column, f"{code}-missing", ~required | value.is_not_null())]
    return [
        *rules,
        Rule(column, f"{code}-too-long", value.str.len_chars() <= (limit or text.ID_MAX),
             params=length if limit is None else (*length, ("limit", pl.lit(limit)))),
        Rule(column, f"{code}-invalid", text.sepa_id_expr(value, mandate=mandate)),
    ]


def amount_rules() -> list[Rule]:
    """An amount cell (money.with_amount_columns on `amount`): present, readable, in range."""
    c = pl.col
    problem = c("amount_problem")
    return [
        Rule("amount", "amount-missing", parse.text("amount").is_not_null()),
        *[Rule("amount", code, problem.is_null() | (problem != code))
          for code in (money.INVALID, money.AMBIGUOUS, money.TOO_MANY_DECIMALS)],
        Rule("amount", money.TOO_LARGE, ((problem.is_null() | (problem != money.TOO_LARGE))
                                         & (c("amount_cents") <= money.MAX_CENTS))),
    ]


def date_rule(column: str, parsed: str) -> Rule:
    """`date-invalid`: the cell has text that `parse.date` could not read."""
    return Rule(column, "date-invalid", ~parse.invalid(column, pl.col(parsed)))


def address_rules() -> list[Rule]:
    """`address-shortened`: a part of the address of a debtor outside the EEA (the only
    ones whose address is sent) that is longer than its element allows."""
    c = pl.col
    sent = identifiers.outside_eea(c("_country"), c("_iban_country"))
    return [Rule(name, "address-shortened", ~sent | (c(f"_{name}_sepa").str.len_chars() <= limit), WARNING,
                 params=(("after", c(f"_{name}_sepa").str.slice(0, limit)), ("limit", pl.lit(limit))))
            for name, limit in ADDRESS_LIMITS.items()]


def bic_required_rule(column: str) -> Rule:
    """`bic-required`: a debtor account in a SEPA country outside the EEA needs the debtor
    bank's BIC (EPC Core RB, AT-13; docs/sepa.md §2): given in the sheet, or derived from
    the IBAN by the bank registry. At the BIC cell, or at the IBAN cell in a sheet without
    a BIC column."""
    c = pl.col
    return Rule(column, "bic-required",
                ~c("_dd").fill_null(False) | c("_iban_problem").is_not_null()
                | ~c("_iban_country").is_in(sorted(identifiers.SEPA_NON_EEA))
                | pl.coalesce("_bic", "_derived_bic").is_not_null(),
                params=(("country", c("_iban_country")),))


def debtor_rules(today: dt.date, bic_column: bool = True) -> list[Rule]:
    c = pl.col
    dd = c("_dd").fill_null(False)
    return [
        bic_required_rule("bic" if bic_column else "iban"),
        *address_rules(),
        Rule("debtor_id", "debtor-id-missing", c("_id").is_not_null()),
        Rule("debtor_id", "debtor-id-duplicate", c("_id_first").is_null() | (c(ROW) == c("_id_first")),
             params=(("other_row", c("_id_first")),)),
        Rule("name", "name-missing", c("_name").is_not_null()),
        Rule("name", "name-empty-after-transliteration",
             c("_name").is_null() | (c("_name_sepa").str.len_chars() > 0)),
        Rule("name", "name-too-long", c("_name_sepa").str.len_chars() <= text.NAME_MAX,
             params=(("length", c("_name_sepa").str.len_chars()),)),
        Rule("name", "name-transliterated", c("_name") == c("_name_sepa"), WARNING,
             params=(("after", c("_name_sepa")),)),
        Rule("direct_debit", "direct-debit-invalid", ~parse.invalid("direct_debit", c("_dd"))),
        Rule("iban", "iban-missing", ~dd | c("_iban").is_not_null()),
        Rule("iban", "iban-invalid", ~dd | c("_iban").is_null() | c("_iban_problem").is_null(),
             params=(("reason", c("_iban_problem")),)),
        Rule("iban", "iban-not-sepa", ~dd | c("_iban_problem").is_not_null()
             | c("_iban_country").is_in(sorted(identifiers.SEPA)),
             params=(("country", c("_iban_country")),)),
        Rule("bic", "bic-invalid", ~dd | c("_bic_problem").is_null(),
             params=(("reason", c("_bic_problem")),)),
        Rule("bic", "bic-iban-mismatch", ~dd | c("_bic_matches").fill_null(True),
             params=(("expected", pl.coalesce("_derived_bic", c("_iban_country"))),)),
        *id_rules("mandate_id", c("_mandate"), "mandate-id", required=dd, mandate=True),
        Rule("mandate_id", "mandate-id-duplicate",
             c("_mandate_first").is_null() | (c(ROW) == c("_mandate_first")),
             params=(("other_row", c("_mandate_first")),)),
        Rule("mandate_date", "mandate-date-missing",
             ~dd | c("_mandate_date").is_not_null() | parse.text("mandate_date").is_not_null()),
        Rule("mandate_date", "date-invalid", ~parse.invalid("mandate_date", c("_mandate_date"))),
        Rule("mandate_date", "mandate-date-in-future", c("_mandate_date") <= today,
             params=(("today", pl.lit(today.isoformat())),)),
        Rule("mandate_end_date", "date-invalid", ~parse.invalid("mandate_end_date", c("_mandate_end"))),
        Rule("mandate_end_date", "mandate-end-before-start", c("_mandate_end") >= c("_mandate_date")),
        date_rule("last_collection_date", "_last_collection"),
        Rule("last_collection_date", "last-collection-date-in-future", c("_last_collection") <= today,
             params=(("today", pl.lit(today.isoformat())),)),
        # A collection before the signing date was made under an earlier mandate: this one
        # is still unused (typed_debtors drops the date), so its first collection is FRST.
        Rule("last_collection_date", "last-collection-before-mandate-date",
             c("_last_collection") >= c("_mandate_date"), WARNING,
             params=(("mandate_date", c("_mandate_date")),)),
        Rule("scheme", "scheme-invalid", ~parse.invalid("scheme", c("_scheme"))),
        Rule("sequence", "sequence-invalid", ~parse.invalid("sequence", c("_sequence"))),
        Rule("country", "country-invalid", c("_country_given").str.contains(r"^[A-Z]{2}$")),
        Rule("city", "address-missing",
             ~dd | ~c("_iban_country").is_in(sorted(identifiers.SEPA_NON_EEA))
             | parse.text("city").is_not_null(),
             params=(("country", c("_iban_country")),)),
        Rule("email", "email-invalid", c("_email").str.contains(r"^[^@\s]+@[^@\s]+\.[^@\s]+$"), WARNING),
    ]


def typed_debtors(prepared: pl.DataFrame, default_scheme: str = "CORE") -> pl.DataFrame:
    """The clean debtor frame: one row per debtor row of the sheet, typed and normalised."""
    c = pl.col
    return prepared.select(
        c(ROW),
        c("_id").alias("debtor_id"),
        c("_name_sepa").str.slice(0, text.NAME_MAX).alias("name"),
        c("_iban").alias("iban"),
        pl.coalesce("_bic", "_derived_bic").alias("bic"),
        c("_dd").fill_null(False).alias("direct_debit"),
        c("_mandate").alias("mandate_id"),
        c("_mandate_key").alias("mandate_key"),
        c("_mandate_date").alias("mandate_date"),
        c("_mandate_end").alias("mandate_end_date"),
        pl.when(c("_mandate_date").is_null() | (c("_last_collection") >= c("_mandate_date")))
        .then(c("_last_collection")).alias("last_collection_date"),
        c("_scheme").fill_null(default_scheme).alias("scheme"),
        pl.when(c("_sequence") != "").then(c("_sequence")).alias("sequence"),
        *[c(f"_{name}_sepa").str.slice(0, limit).alias(name) for name, limit in ADDRESS_LIMITS.items()],
        c("_country").alias("country"),
        c("_email").alias("email"),
    )


# --- invoices ---------------------------------------------------------------------------

def prepare_invoices(frame: pl.DataFrame, known_debtors: pl.Series,
                     numeric: frozenset[str] = frozenset()) -> pl.DataFrame:
    f = money.with_amount_columns(frame, "amount", "amount" in numeric).with_columns(
        _number=parse.text("invoice_number"),
        _debtor=parse.text("debtor_id"),
        _invoice_date=parse.date("invoice_date", "invoice_date" in numeric),
        _due_date=parse.date("due_date", "due_date" in numeric),
        _currency=parse.text("currency").str.to_uppercase().fill_null("EUR"),
        _description=parse.text("description"),
    )
    # One invoice identity: `INV-0001` and `inv-1` are the same number (identity.py).
    f = parse.with_first_rows(f, _number_first=identity_key_expr(pl.col("_number")))
    return f.with_columns(
        _debtor_known=pl.col("_debtor").is_in(known_debtors.drop_nulls().implode()),
        _description_sepa=pl.Series(text.sanitise_series(f["_description"])),
    )


def invoice_number_limit(prefix_length: int = 0) -> int:
    """How long an invoice number may be: it becomes the EndToEndId, plus "-n" on a retry."""
    return text.ID_MAX - prefix_length - ATTEMPT_SUFFIX_MAX


def invoice_rules(prefix_length: int = 0) -> list[Rule]:
    c = pl.col
    limit = invoice_number_limit(prefix_length)
    return [
        *id_rules("invoice_number", c("_number"), "invoice-number", required=pl.lit(True), limit=limit),
        Rule("invoice_number", "invoice-number-duplicate",
             c("_number_first").is_null() | (c(ROW) == c("_number_first")),
             params=(("other_row", c("_number_first")),)),
        Rule("debtor_id", "debtor-id-missing", c("_debtor").is_not_null()),
        Rule("debtor_id", "debtor-unknown", c("_debtor").is_null() | c("_debtor_known")),
        Rule("invoice_date", "invoice-date-missing", parse.text("invoice_date").is_not_null()),
        date_rule("invoice_date", "_invoice_date"),
        Rule("due_date", "due-date-missing", parse.text("due_date").is_not_null()),
        date_rule("due_date", "_due_date"),
        *amount_rules(),
        Rule("amount", "amount-not-positive", c("amount_cents") > 0, WARNING),
        Rule("currency", "currency-not-eur", c("_currency") == "EUR", WARNING,
             params=(("currency", c("_currency")),)),
        Rule("description", "description-transliterated", c("_description") == c("_description_sepa"),
             WARNING, params=(("after", c("_description_sepa")),)),
    ]


def typed_invoices(prepared: pl.DataFrame) -> pl.DataFrame:
    c = pl.col
    return prepared.select(
        c(ROW),
        c("_number").alias("invoice_number"),
        c("_debtor").alias("debtor_id"),
        c("_invoice_date").alias("invoice_date"),
        c("_due_date").alias("due_date"),
        c("amount_cents"),
        c("_currency").alias("currency"),
        c("_description_sepa").alias("description"),
    )
