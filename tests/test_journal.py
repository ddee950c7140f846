"""write_journal / check_balanced / formula safety: the journal CSV for the bookkeeping."""

from __future__ import annotations

import csv
import datetime as dt
import io

import polars as pl
import pytest
from golden_files import assert_golden
from hypothesis import given, settings
from hypothesis import strategies as st

from incasso_sheets.core.bookings import unbalanced_entries as check_balanced
from incasso_sheets.formats import journal
from incasso_sheets.formats.journal import JOURNAL_SCHEMA, write_journal
from incasso_sheets.formats.safe_text import FORMULA_STARTS, formula_safe, formula_safe_expr

DAY = dt.date(2026, 3, 5)


def line(account: str, debit: int | None, credit: int | None, invoice: str = "2026-0042",
         description: str | None = None, entry: str = "INC-20260305-1", **fields) -> dict:
    row = {"journal": "MEM", "entry": entry, "date": DAY, "account": account,
           "description": description or f"Incasso factuur {invoice}",
           "debit_cents": debit, "credit_cents": credit, "debtor_id": "10007",
           "invoice_number": invoice, "batch": "INC-20260305-1", "mandate_id": "MDT-10007-01",
           "end_to_end_id": f"INC-20260305-1-{invoice}"}
    row.update(fields)
    return row


def lines(*rows: dict) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=JOURNAL_SCHEMA)


def render(frame: pl.DataFrame, fmt: str = "nl") -> bytes:
    out = io.BytesIO()
    write_journal(out, frame, fmt)
    return out.getvalue()


def sample() -> pl.DataFrame:
    return lines(
        line("1290", 12100, None),
        line("1300", None, 12100),
        line("1290", 123456789, None, invoice="2026-0043", description="Contributie; maart \"2026\"",
             debtor_id="10008"),
        line("1300", None, 123456789, invoice="2026-0043", description="=HYPERLINK(\"x\")",
             debtor_id="-10008"),
        line("1290", 5, None, invoice="2026-0044", entry="INC-20260305-2", description="regel 1\nregel 2",
             mandate_id="+31", end_to_end_id=None),
        line("1300", None, 5, invoice="2026-0044", entry="INC-20260305-2", description="@SUM(A1)",
             mandate_id=None, end_to_end_id="\tINC-2"),
    )


@pytest.mark.parametrize("fmt", ["nl", "iso"])
def test_golden(fmt, request):
    assert_golden(f"journal/collection-{fmt}.csv", render(sample(), fmt), request)


def test_the_documented_example():
    """docs/sheets.md §3, byte for byte (plus BOM and CRLF)."""
    expected = (
        "Dagboek;Boekstuk;Datum;Rekening;Omschrijving;Debet;Credit;Relatie;Factuur;Batch;Machtiging;EndToEndId\r\n"
        "MEM;INC-20260305-1;05-03-2026;1290;Incasso factuur 2026-0042;121,00;;10007;2026-0042;INC-20260305-1;MDT-10007-01;INC-20260305-1-2026-0042\r\n"
        "MEM;INC-20260305-1;05-03-2026;1300;Incasso factuur 2026-0042;;121,00;10007;2026-0042;INC-20260305-1;MDT-10007-01;INC-20260305-1-2026-0042\r\n"
    )
    assert render(lines(line("1290", 12100, None), line("1300", None, 12100))) == (
        b"\xef\xbb\xbf" + expected.encode())


def test_nl_has_bom_and_crlf_iso_has_neither():
    nl, iso = render(sample(), "nl"), render(sample(), "iso")
    assert nl.startswith(b"\xef\xbb\xbfDagboek;Boekstuk;")
    assert nl.count(b"\r\n") == 7 and nl.replace(b"\r\n", b"").count(b"\n") == 1  # the quoted one
    assert iso.startswith(b"Dagboek,Boekstuk,Datum,")
    assert b"\r" not in iso


@pytest.mark.parametrize(("fmt", "separator", "date", "amount"),
                         [("nl", ";", "05-03-2026", "1234567,89"), ("iso", ",", "2026-03-05", "1234567.89")])
def test_round_trip_through_a_csv_reader(fmt, separator, date, amount):
    text = render(sample(), fmt).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
    assert rows[0] == list(journal.HEADER)
    assert len(rows) == 7
    assert rows[3][2:7] == [date, "1290", 'Contributie; maart "2026"', amount, ""]
    assert rows[4][4] == "'=HYPERLINK(\"x\")"
    assert rows[4][7] == "'-10008"
    assert rows[5][4] == "regel 1\nregel 2"
    assert rows[5][10:] == ["'+31", ""]
    assert rows[6][4] == "'@SUM(A1)"
    assert rows[6][10:] == ["", "'\tINC-2"]


def test_field_with_separator_is_quoted():
    nl = render(lines(line("1290", 100, None, description="a;b")), "nl")
    iso = render(lines(line("1290", 100, None, description="a,b")), "iso")
    assert b';"a;b";' in nl
    assert b',"a,b",' in iso
    assert b";a,b;" in render(lines(line("1290", 100, None, description="a,b")), "nl")


def test_empty_journal_is_just_the_header():
    assert render(journal.empty_journal(), "iso") == (",".join(journal.HEADER) + "\n").encode()


def test_real_files_get_the_same_bytes(tmp_path):
    whole = render(sample())
    with open(tmp_path / "journal.csv", "wb") as out:
        write_journal(out, sample())
    assert (tmp_path / "journal.csv").read_bytes() == whole


def test_unknown_format_and_wrong_columns():
    with pytest.raises(ValueError, match="unknown journal format"):
        render(sample(), "xlsx")
    with pytest.raises(ValueError, match=r"date \(String, not Date\)"):
        render(sample().with_columns(pl.col("date").cast(pl.Utf8)))


def test_check_balanced():
    assert check_balanced(sample()) == []
    unbalanced = sample().vstack(lines(line("1300", None, 50, entry="INC-20260305-2")))
    assert check_balanced(unbalanced) == ["entry INC-20260305-2: debit 0.05 != credit 0.55"]
    only_debit = lines(line("1290", 100, None, entry="B"), line("1290", 100, None, entry="A"))
    assert check_balanced(only_debit) == ["entry A: debit 1.00 != credit 0.00",
                                          "entry B: debit 1.00 != credit 0.00"]


def test_formula_safe_examples():
    assert [formula_safe(t) for t in ["=1+1", "+31", "-5", "@x", "\tx", "\rx", "x=1", "", "'a"]] == [
        "'=1+1", "'+31", "'-5", "'@x", "'\tx", "'\rx", "x=1", "", "'a"]


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_formula_safe_never_starts_a_formula(text):
    safe = formula_safe(text)
    assert not safe.startswith(FORMULA_STARTS)
    assert safe in (text, "'" + text)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.none() | st.text(alphabet=st.characters(codec="utf-8")), max_size=20))
def test_formula_safe_expr_matches_the_scalar(values):
    out = pl.DataFrame({"t": values}, schema={"t": pl.Utf8}).select(formula_safe_expr(pl.col("t")))
    assert out["t"].to_list() == [None if v is None else formula_safe(v) for v in values]


@pytest.mark.parametrize("fmt", ["nl", "iso"])
def test_a_journal_written_in_parts_is_the_same_file(fmt):
    whole = sample()
    parts = [whole.slice(0, 1), whole.slice(1, 0), whole.slice(1, 2), whole.slice(3)]
    out = io.BytesIO()
    write_journal(out, iter(parts), fmt)
    assert out.getvalue() == render(whole, fmt)


def test_a_journal_of_no_parts_is_just_the_header():
    out = io.BytesIO()
    write_journal(out, iter([]), "iso")
    assert out.getvalue() == (",".join(journal.HEADER) + "\n").encode()
