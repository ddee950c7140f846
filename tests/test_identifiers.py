"""sepa.identifiers: IBAN, BIC and creditor identifier checks."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from schwifty import IBAN

from incasso_sheets.sepa.identifiers import (
    EEA,
    SEPA,
    SEPA_NON_EEA,
    bic_matches_iban,
    bic_problem,
    check_ibans,
    creditor_id_problem,
    inspect_iban,
    normalise_creditor_id,
    normalise_iban,
)

FEW = settings(max_examples=60, deadline=None)


def creditor_id(country: str, business: str, national: str) -> str:
    """docs/sepa.md §6.4, computed independently of stdnum."""
    digits = "".join(str(int(c, 36)) for c in (national + country + "00").upper())
    return f"{country}{98 - int(digits) % 97:02d}{business}{national}"


# --- creditor identifier ----------------------------------------------------------------

@pytest.mark.parametrize("value", ["NL69ZZZ123456780000", "DE98ZZZ09999999999",
                                   "NL57ZZZ999999999999", "NL57ABC999999999999"])
def test_valid_creditor_ids(value):
    assert creditor_id_problem(value) is None


@pytest.mark.parametrize("value", ["NL98ZZZ999999999999", "NL00ZZZ123456780000",
                                   "NL69ZZZ123456780001", "NL69", ""])
def test_invalid_creditor_ids(value):
    assert creditor_id_problem(value)


def test_worked_example_of_the_rules():
    assert creditor_id("NL", "ZZZ", "123456780000") == "NL69ZZZ123456780000"
    assert creditor_id("NL", "ZZZ", "999999999999") == "NL57ZZZ999999999999"


@FEW
@given(st.text("0123456789", min_size=12, max_size=12), st.sampled_from(["NL", "BE", "DE"]),
       st.text("ABCXYZ", min_size=3, max_size=3))
def test_computed_creditor_ids_validate_and_a_changed_check_digit_does_not(national, country, code):
    good = creditor_id(country, code, national)
    assert creditor_id_problem(good) is None
    wrong = good[:2] + f"{(int(good[2:4]) + 1) % 100:02d}" + good[4:]
    assert creditor_id_problem(wrong) is not None


def test_normalise_creditor_id():
    assert normalise_creditor_id(" nl69 zzz 1234 5678 0000\n") == "NL69ZZZ123456780000"


# --- IBAN ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("iban", "bic"), [
    ("NL91ABNA0417164300", "ABNANL2A"),
    ("NL20INGB0001234567", "INGBNL2A"),
    ("DE89370400440532013000", "COBADEFF"),  # registry says COBADEFFXXX: XXX is dropped
    ("GB29NWBK60161331926819", "NWBKGB2L"),
])
def test_valid_iban_and_its_derived_bic(iban, bic):
    assert inspect_iban(iban) == (None, bic)


def test_valid_iban_whose_bank_is_not_in_the_registry_has_no_bic():
    assert inspect_iban("BE68539007547034") == (None, None)


@pytest.mark.parametrize(("iban", "reason"), [
    ("NL91ABNA0417164301", "Invalid checksum digits"),
    ("NL92ABNA0417164300", "Invalid checksum digits"),
])
def test_iban_checksum_errors(iban, reason):
    assert inspect_iban(iban) == (reason, None)


@pytest.mark.parametrize("iban", ["NL91ABNA041716430", "NL91ABNA04171643000", "XX91ABNA0417164300",
                                  "US64SVBKUS6S3300958879", "NL91"])
def test_other_iban_errors_have_a_reason(iban):
    problem, bic = inspect_iban(iban)
    assert problem and bic is None


@FEW
@given(st.text("0123456789", min_size=10, max_size=10), st.sampled_from(["RABO", "INGB", "ABNA"]),
       st.integers(min_value=0, max_value=17))
def test_generated_nl_ibans_are_valid_and_a_changed_digit_is_not(account, bank, position):
    iban = str(IBAN.generate("NL", bank_code=bank, account_code=account))
    assert inspect_iban(iban)[0] is None
    i = 8 + position % 10
    wrong = iban[:i] + str((int(iban[i]) + 1) % 10) + iban[i + 1:]
    assert inspect_iban(wrong)[0] is not None


def test_normalise_iban():
    assert normalise_iban(" nl91 abna\u00a00417.1643-00 ") == "NL91ABNA0417164300"


def test_check_ibans_runs_once_per_distinct_value_and_skips_nulls():
    out = check_ibans(pl.Series(["NL91ABNA0417164300", None, "NL91ABNA0417164301",
                                 "NL91ABNA0417164300"]))
    assert sorted(out.rows()) == [
        ("NL91ABNA0417164300", None, "ABNANL2A"),
        ("NL91ABNA0417164301", "Invalid checksum digits", None),
    ]


def test_check_ibans_remembers_the_bic_per_bank_and_gives_what_each_iban_alone_gives():
    """The BIC is looked up once per bank; IBANs of the same bank, of another bank in the
    same country, of a bank the registry lacks and of other countries each get their own."""
    ibans = ["NL91ABNA0417164300", "NL02ABNA0123456789", "NL20INGB0001234567", "BE68539007547034",
             "DE89370400440532013000", "GB29NWBK60161331926819", "NL91ABNA0417164301"]
    out = dict((iban, (problem, bic)) for iban, problem, bic in check_ibans(pl.Series(ibans)).rows())
    assert out == {iban: inspect_iban(iban) for iban in ibans}
    assert out["NL02ABNA0123456789"] == (None, "ABNANL2A") and out["NL20INGB0001234567"] == (None, "INGBNL2A")


def test_check_ibans_of_an_empty_column():
    out = check_ibans(pl.Series([None], dtype=pl.Utf8))
    assert out.height == 0
    assert out.schema == {"iban": pl.Utf8, "problem": pl.Utf8, "derived_bic": pl.Utf8}


# --- BIC ----------------------------------------------------------------------------------

@pytest.mark.parametrize("bic", ["ABNANL2A", "ABNANL2AXXX", "INGBNL2A", "COBADEFFXXX", "RABONL2U"])
def test_valid_bics(bic):
    assert bic_problem(bic) is None


@pytest.mark.parametrize("bic", ["ABNANL2", "ABNANL2AXX", "abnanl2a", "ABNA NL2A", "1BNANL2A",
                                 "ABNANL1A", "ABNAXX2A"])
def test_invalid_bics(bic):
    assert bic_problem(bic)


@pytest.mark.parametrize(("bic", "derived", "iban", "matches"), [
    ("ABNANL2A", "ABNANL2A", "NL91ABNA0417164300", True),
    ("ABNANL2AXXX", "ABNANL2A", "NL91ABNA0417164300", True),
    ("INGBNL2A", "ABNANL2A", "NL91ABNA0417164300", False),   # other bank
    ("COBADEFF", None, "NL91ABNA0417164300", False),         # other country
    ("GEBABEBB", None, "BE68539007547034", True),            # bank unknown: country decides
    ("BNPAFRPP", None, "GP1120041010050500013M02606", True),  # French overseas use FR BICs
    ("BNPAFRPP", None, "BE68539007547034", False),
])
def test_bic_matches_iban(bic, derived, iban, matches):
    assert bic_matches_iban(bic, derived, iban) is matches


def test_country_lists():
    assert {"NL", "BE", "DE", "NO", "IS", "LI"} <= EEA
    assert {"GB", "CH"} <= SEPA_NON_EEA
    assert not SEPA_NON_EEA & EEA
    assert "US" not in SEPA and "BR" not in SEPA
