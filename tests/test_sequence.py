"""Sequence types and amendment details from the mandate history (docs/sepa.md §7, §3)."""

from __future__ import annotations

import polars as pl
import pytest

from incasso_sheets.sepa import sequence

IBAN_ABN = "NL91ABNA0417164300"
IBAN_ABN_2 = "NL02ABNA0123456789"
IBAN_RABO = "NL64RABO0260893498"

COLUMNS = {"mandate_key": pl.Utf8, "iban": pl.Utf8, "sequence": pl.Utf8,
           "prev_mandate_key": pl.Utf8, "prev_mandate_id": pl.Utf8, "prev_iban": pl.Utf8,
           "prev_used": pl.Boolean}


def row(mandate="M-1", iban=IBAN_ABN, asked=None, prev_mandate=None, prev_iban=None,
        used=False) -> dict:
    return {"mandate_key": mandate, "iban": iban, "sequence": asked,
            "prev_mandate_key": prev_mandate, "prev_mandate_id": prev_mandate,
            "prev_iban": prev_iban, "prev_used": used}


def derive(*rows: dict, first_as_frst: bool = True) -> list[dict]:
    frame = pl.DataFrame(list(rows), schema=COLUMNS)
    out = sequence.with_sequence(sequence.with_amendments(frame), first_as_frst)
    return out.select("sequence_type", "frst_overridden", "original_mandate_id", "original_iban",
                      "smnda").to_dicts()


def test_new_mandate_is_frst_then_rcur():
    new, used = derive(row(), row(prev_mandate="M-1", prev_iban=IBAN_ABN, used=True))
    assert (new["sequence_type"], used["sequence_type"]) == ("FRST", "RCUR")
    for r in (new, used):
        assert (r["original_mandate_id"], r["original_iban"], r["smnda"]) == (None, None, False)


def test_known_but_never_successfully_collected_mandate_stays_frst():
    # a rejected FRST: the ledger knows the mandate, but it is not `used`
    (r,) = derive(row(prev_mandate="M-1", prev_iban=IBAN_ABN, used=False))
    assert r["sequence_type"] == "FRST"


def test_first_as_frst_false_sends_rcur_from_the_start():
    (r,) = derive(row(), first_as_frst=False)
    assert r["sequence_type"] == "RCUR"


@pytest.mark.parametrize("asked", ["OOFF", "FNAL", "RCUR"])
def test_sequence_asked_in_the_sheet_is_kept(asked):
    new, used = derive(row(asked=asked), row(asked=asked, prev_mandate="M-1", prev_iban=IBAN_ABN,
                                             used=True))
    assert new["sequence_type"] == used["sequence_type"] == asked


def test_frst_asked_on_a_used_mandate_becomes_rcur_with_a_flag():
    new, used = derive(row(asked="FRST"), row(asked="FRST", prev_mandate="M-1", prev_iban=IBAN_ABN,
                                              used=True))
    assert (new["sequence_type"], new["frst_overridden"]) == ("FRST", False)
    assert (used["sequence_type"], used["frst_overridden"]) == ("RCUR", True)


def test_iban_at_another_bank_is_smnda_and_frst():
    (r,) = derive(row(iban=IBAN_RABO, prev_mandate="M-1", prev_iban=IBAN_ABN, used=True))
    assert (r["sequence_type"], r["smnda"], r["original_iban"]) == ("FRST", True, None)


def test_smnda_keeps_an_asked_frst():
    (r,) = derive(row(iban=IBAN_RABO, asked="FRST", prev_mandate="M-1", prev_iban=IBAN_ABN, used=True))
    assert (r["sequence_type"], r["frst_overridden"]) == ("FRST", False)


def test_iban_at_the_same_bank_sends_the_original_iban_and_rcur():
    (r,) = derive(row(iban=IBAN_ABN_2, prev_mandate="M-1", prev_iban=IBAN_ABN, used=True))
    assert (r["sequence_type"], r["smnda"], r["original_iban"]) == ("RCUR", False, IBAN_ABN)


def test_iban_change_on_an_unused_mandate_is_no_amendment():
    (r,) = derive(row(iban=IBAN_RABO, prev_mandate="M-1", prev_iban=IBAN_ABN, used=False))
    assert (r["sequence_type"], r["smnda"], r["original_iban"]) == ("FRST", False, None)


def test_changed_mandate_id_sends_the_original_id():
    (r,) = derive(row(mandate="M-1B", prev_mandate="M-1", prev_iban=IBAN_ABN, used=True))
    assert (r["sequence_type"], r["original_mandate_id"]) == ("RCUR", "M-1")


def test_same_bank():
    old = pl.Series([IBAN_ABN, IBAN_ABN, "BE68539007547034", "DE53370501982222222222", "XX00INVALID"])
    new = pl.Series([IBAN_ABN_2, IBAN_RABO, "NL68539007547034", "DE44370502999876543210", IBAN_ABN])
    # same BIC (ABNANL2A); ABNA/RABO; another country; COLSDE33/COKSDE33 (one 3705...
    # prefix, two banks); an unreadable IBAN is not known to be the same bank
    assert sequence.same_bank(old, new).to_list() == [True, False, False, False, False]


def test_same_bank_without_a_known_bic_compares_the_bank_codes():
    # Monaco: schwifty's registry knows no BIC; the bank code (5 digits) decides
    old = pl.Series(["MC5811222000010123456789030", "MC5811222000010123456789030"])
    new = pl.Series(["MC5811222000020987654321091", "MC5830002000010123456789017"])
    assert sequence.same_bank(old, new).to_list() == [True, False]


def test_same_bank_takes_a_given_bic_before_the_derived_one():
    old = pl.Series(["MC5811222000010123456789030"])
    new = pl.Series(["MC5811222000020987654321091"])
    # the same bank code, but the sheet names two banks
    assert sequence.same_bank(old, new, pl.Series(["AAAAMCM1"]), pl.Series(["BBBBMCM1XXX"])).to_list() == [False]
    assert sequence.same_bank(old, new, pl.Series(["AAAAMCM1"]), pl.Series(["AAAAMCM1XXX"])).to_list() == [True]
