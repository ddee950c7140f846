"""sepa.text: transliteration into the SEPA character set, limits and identifier rules."""

from __future__ import annotations

import re

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incasso_sheets.sepa.text import (
    ID_MAX,
    SEPA_TEXT,
    is_sepa_id,
    sanitise,
    sanitise_series,
    sepa_id_expr,
    shorten,
)

FEW = settings(max_examples=200, deadline=None)
# Text that hits the interesting parts: the SEPA set, accents, the specific replacements,
# whitespace of every kind, and anything else unicode has.
TRICKY = st.text(
    st.one_of(
        st.sampled_from("aZ09/-?:().,'+ &\"“”’‘–—€_;!@#*=\t\n\r\u00a0ßøÆŁĳäöü漢字"),
        st.characters(exclude_categories=("Cs",)),  # sheets never hold lone surrogates
    ),
    max_size=40,
)
ID_CHARS = st.text(st.sampled_from("aZ09/-?:().,'+ _é\n"), min_size=1, max_size=ID_MAX)


# docs/sepa.md §6.1 and its examples
@pytest.mark.parametrize(("before", "after"), [
    ("Café Überweg", "Cafe Uberweg"),
    ("Straße", "Strasse"),
    ("Ærøskøbing", "AEroskobing"),
    ("Łódź", "Lodz"),
    ("ĳsselmeer", "ijsselmeer"),
    ("Bäcker & Söhne", "Backer + Sohne"),
    ("€ 12,50", "EUR 12,50"),
    ("O’Brien", "O'Brien"),
])
def test_transliteration_table(before, after):
    assert sanitise(before) == after


@pytest.mark.parametrize(("before", "after"), [
    ('Zeg "hallo"', "Zeg 'hallo'"),
    ("2020–2021", "2020-2021"),
    ("a_b;c!", "a-b,c."),
    ("  veel   spaties\ten\nregels  ", "veel spaties en regels"),
    ("info@voorbeeld.nl", "info voorbeeld.nl"),
    ("<b>", "b"),
    ("Gewoon tekst 1/2 (a) + b?", "Gewoon tekst 1/2 (a) + b?"),
])
def test_specific_replacements_and_cleanup(before, after):
    assert sanitise(before) == after


@FEW
@given(TRICKY)
def test_sanitise_output_is_in_the_sepa_set_and_idempotent(value):
    out = sanitise(value)
    assert re.fullmatch(SEPA_TEXT, out)
    assert out == out.strip() and "  " not in out
    assert sanitise(out) == out


@FEW
@given(st.lists(st.one_of(st.none(), TRICKY, st.sampled_from(["Jansen", "Café", " x "])),
                max_size=20))
def test_sanitise_series_is_sanitise_elementwise(values):
    out = sanitise_series(pl.Series("naam", values, dtype=pl.Utf8))
    assert out.name == "naam"
    assert out.to_list() == [None if v is None else sanitise(v) for v in values]


@FEW
@given(TRICKY, st.integers(min_value=1, max_value=50))
def test_shorten_never_exceeds_the_limit_and_keeps_a_prefix(value, limit):
    out = shorten(value, limit)
    assert len(out) <= limit
    assert value.startswith(out)
    if len(value) <= limit:
        assert out == value


def test_shorten_cuts_at_a_nearby_word_boundary():
    assert shorten("Factuur 2026-0001 contributie seizoen", 30) == "Factuur 2026-0001 contributie"
    # no space within 15 characters of the limit: a hard cut
    assert shorten("a" * 40, 35) == "a" * 35
    assert shorten("a b" + "c" * 40, 35) == "a b" + "c" * 32


@pytest.mark.parametrize(("value", "ok"), [
    ("MDT-10001", True), ("a/b", True), ("(x).,'+?:", True), ("x" * 35, True),
    ("", False), ("x" * 36, False), ("/abc", False), ("abc/", False), ("a//b", False),
    ("café", False), ("a_b", False), ("ABC\n", False),
])
def test_is_sepa_id(value, ok):
    assert is_sepa_id(value) is ok


def test_mandate_ids_may_not_hold_spaces_but_other_ids_may():
    assert is_sepa_id("MDT 1")
    assert not is_sepa_id("MDT 1", mandate=True)
    assert is_sepa_id("MDT-1", mandate=True)


@FEW
@given(ID_CHARS, st.booleans())
def test_is_sepa_id_and_sepa_id_expr_agree(value, mandate):
    column = pl.Series([value], dtype=pl.Utf8)
    by_expr = pl.select(sepa_id_expr(pl.lit(column), mandate)).item()
    assert by_expr == is_sepa_id(value, mandate)
