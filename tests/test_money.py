"""money: amount text -> integer cents and back, exactly."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from incasso_sheets.core import money
from incasso_sheets.core.money import (
    AMBIGUOUS,
    INVALID,
    MAX_CENTS,
    TOO_LARGE,
    TOO_MANY_DECIMALS,
    AmountError,
    cents_text_expr,
    format_cents,
    parse_amount,
    parse_amounts,
    xml_amount_to_cents,
)

CENTS = st.integers(min_value=-MAX_CENTS, max_value=MAX_CENTS)
FEW = settings(max_examples=60, deadline=None)
BATCH = settings(max_examples=25, deadline=None)  # each example parses a whole column


def group_thousands(whole: int, sep: str) -> str:
    return f"{whole:,}".replace(",", sep)


def dutch(cents: int) -> str:
    """1234567 -> '12.345,67': Dutch thousands dots and decimal comma, built independently."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{group_thousands(whole, '.')},{frac:02d}"


def english(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{group_thousands(whole, ',')}.{frac:02d}"


def problem_of(text: str, numeric: bool = False) -> str | None:
    return parse_amounts(pl.Series([text]), numeric).row(0)[1]


# --- round trips ------------------------------------------------------------------------

@BATCH
@given(st.lists(CENTS, min_size=1, max_size=50))
def test_format_then_parse_round_trips_with_point_and_comma(amounts):
    for decimal in (".", ","):
        parsed = parse_amounts(pl.Series([format_cents(c, decimal) for c in amounts]))
        assert parsed["problem"].null_count() == len(amounts)
        assert parsed["cents"].to_list() == amounts


@BATCH
@given(st.lists(CENTS, min_size=1, max_size=50))
def test_thousands_separators_round_trip(amounts):
    assert parse_amounts(pl.Series([dutch(c) for c in amounts]))["cents"].to_list() == amounts
    assert parse_amounts(pl.Series([english(c) for c in amounts]))["cents"].to_list() == amounts


def test_dutch_helper_builds_what_users_type():
    assert dutch(123456) == "1.234,56"
    assert dutch(-99_999_999_999) == "-999.999.999,99"
    assert english(123456789) == "1,234,567.89"


@st.composite
def notations(draw):
    """(text, Decimal) for an amount written the way a user might write it; None: ambiguous."""
    whole = draw(st.integers(min_value=0, max_value=999_999_999))
    fraction = draw(st.text("0123456789", min_size=0, max_size=2))
    style = draw(st.sampled_from(["nl", "en", "comma", "point"]))
    if style in ("nl", "en") and whole >= 1000:
        thousands, decimal = (".", ",") if style == "nl" else (",", ".")
        body = group_thousands(whole, thousands)
    else:
        decimal = "," if style in ("nl", "comma") else "."
        body = str(whole)
    text = body + (decimal + fraction if fraction else "")
    negative = draw(st.booleans())
    if negative:
        text = draw(st.sampled_from(["-{}", "({})", "{}-"])).format(text)
    text = draw(st.sampled_from(["{}", "€ {}", "€{}", "EUR {}", "{} EUR", " {} "])).format(text)
    value = Decimal(f"{whole}.{fraction or '0'}")
    # one thousands separator and no decimals ('1.234', '123,456') is ambiguous on purpose
    ambiguous = style in ("nl", "en") and 1000 <= whole < 1_000_000 and not fraction
    return text, None if ambiguous else (-value if negative else value)


@FEW
@given(notations())
def test_parse_amount_agrees_with_decimal(case):
    text, value = case
    if value is None:
        with pytest.raises(AmountError) as exc:
            parse_amount(text)
        assert exc.value.code == AMBIGUOUS
    else:
        assert parse_amount(text) == int(value * 100)


@FEW
@given(st.integers())
def test_cents_text_expr_equals_format_cents(cents):
    assume(abs(cents) < 2**62)
    for decimal in (".", ","):
        out = pl.select(cents_text_expr(pl.lit(cents, pl.Int64), decimal)).item()
        assert out == format_cents(cents, decimal)


def test_format_cents_examples():
    assert format_cents(12100) == "121.00"
    assert format_cents(5, ",") == "0,05"
    assert format_cents(-1) == "-0.01"
    assert format_cents(0) == "0.00"


# --- notations ----------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["€ 1.234,56", "1234,56", "1234.56", "1,234.56", "1.234,56",
                                  "EUR 1234,56", "1234,56 EUR", " 1 234,56 ", "1234,560"])
def test_the_usual_notations_all_read_as_the_same_cents(text):
    assert parse_amount(text) == 123456


@pytest.mark.parametrize(("text", "cents"), [
    ("-12,50", -1250), ("(12,50)", -1250), ("12,50-", -1250), ("+5", 500), (",5", 50),
    ("0012,34", 1234), ("1.234.567", 123456700), ("1,234,567.5", 123456750), ("0,01", 1),
])
def test_signs_and_odd_but_clear_notations(text, cents):
    assert parse_amount(text) == cents


@pytest.mark.parametrize("text", ["12.345", "12,345", "1.234", "€ 1,500", "-999.000"])
def test_one_separator_and_three_digits_is_ambiguous(text):
    with pytest.raises(AmountError) as exc:
        parse_amount(text)
    assert exc.value.code == AMBIGUOUS


@pytest.mark.parametrize("text", ["12.3456", "1234,567", "0,001", "1.234,567", "1,234.567"])
def test_three_or_more_decimals_is_too_many(text):
    with pytest.raises(AmountError) as exc:
        parse_amount(text)
    assert exc.value.code == TOO_MANY_DECIMALS


@pytest.mark.parametrize("text", ["abc", "12,34,56", "1.2.3", ".", "12.34.56,7", "1,2.3", "-", "€",
                                  "EUR", "()"])
def test_not_an_amount(text):
    with pytest.raises(AmountError) as exc:
        parse_amount(text)
    assert exc.value.code == INVALID


def test_a_cell_without_digits_is_invalid_not_empty():
    """'-' or '€' in an amount cell is not an empty cell: it must not pass as 'no amount'."""
    parsed = parse_amounts(pl.Series(["-", "€", "EUR", "()"]))
    assert parsed["problem"].to_list() == [INVALID] * 4


def test_more_than_twelve_whole_digits_is_too_large():
    assert problem_of("9999999999999") == TOO_LARGE
    assert problem_of("999999999999") is None


def test_empty_and_null_cells_have_neither_cents_nor_problem():
    parsed = parse_amounts(pl.Series(["", "   ", None], dtype=pl.Utf8))
    assert parsed.rows() == [(None, None)] * 3


def test_parse_amount_of_empty_text_raises_invalid():
    with pytest.raises(AmountError) as exc:
        parse_amount("")
    assert exc.value.code == INVALID


# --- numbers from workbooks -------------------------------------------------------------

def test_numeric_mode_reads_a_point_as_decimals_never_thousands():
    with pytest.raises(AmountError) as exc:
        parse_amount("12.345", numeric=True)
    assert exc.value.code == TOO_MANY_DECIMALS
    assert parse_amount("0.3", numeric=True) == 30
    assert parse_amount("10001", numeric=True) == 1000100
    assert parse_amount("-12.5", numeric=True) == -1250


@pytest.mark.parametrize("text", ["1.234,56", "1,5", "12a"])
def test_numeric_mode_rejects_text_notations(text):
    assert problem_of(text, numeric=True) == INVALID


def test_amount_columns_are_added_next_to_the_frame():
    frame = pl.DataFrame({"amount": ["12,50", "12.345", None], "other": [1, 2, 3]})
    out = money.with_amount_columns(frame, "amount")
    assert out.columns == ["amount", "other", "amount_cents", "amount_problem"]
    assert out.select("amount_cents", "amount_problem").rows() == [(1250, None), (None, AMBIGUOUS), (None, None)]


# --- XML amounts --------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "cents"), [
    ("000000000087.71", 8771), ("12.5", 1250), ("100.00000", 10000), ("12.34000", 1234),
    (" 7 ", 700), ("0.01", 1), ("999999999.99", 99_999_999_999),
])
def test_xml_amount_to_cents(text, cents):
    assert xml_amount_to_cents(text) == cents


@pytest.mark.parametrize(("text", "code"), [
    ("12.34500", "amount-not-cents"), ("0.00001", "amount-not-cents"), ("abc", INVALID),
    ("NaN", INVALID), ("Infinity", INVALID), ("", INVALID),
])
def test_xml_amount_errors(text, code):
    with pytest.raises(AmountError) as exc:
        xml_amount_to_cents(text)
    assert exc.value.code == code


@FEW
@given(CENTS)
def test_xml_amount_round_trips_format_cents(cents):
    assert xml_amount_to_cents(format_cents(cents)) == cents
    assert xml_amount_to_cents(format_cents(cents).zfill(18) if cents >= 0 else format_cents(cents)) == cents
