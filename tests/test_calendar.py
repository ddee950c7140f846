"""TargetCalendar: TARGET closing days, cut-offs and the earliest collection date (docs/sepa.md §8)."""

from __future__ import annotations

import datetime as dt

import pytest

from incasso_sheets.core.settings import Collection
from incasso_sheets.sepa.calendar import TargetCalendar

CAL = TargetCalendar()
ABN_CUTOFF = dt.time(12, 30)


@pytest.mark.parametrize("day", ["2026-01-01", "2026-04-03", "2026-04-06", "2026-05-01",
                                 "2026-12-25", "2026-12-26", "2027-03-26", "2027-03-29"])
def test_target_closing_days(day):
    assert not CAL.is_business_day(dt.date.fromisoformat(day))


@pytest.mark.parametrize("day", [
    "2026-04-27",  # King's Day
    "2026-05-05",  # Liberation Day
    "2026-05-14",  # Ascension Day
    "2026-05-25",  # Whit Monday
    "2026-12-24", "2026-12-31", "2026-04-02", "2026-04-07",
])
def test_dutch_holidays_and_eves_are_business_days(day):
    assert CAL.is_business_day(dt.date.fromisoformat(day))


def test_weekends_are_closed():
    assert not CAL.is_business_day(dt.date(2026, 11, 28))  # Saturday
    assert not CAL.is_business_day(dt.date(2026, 11, 29))  # Sunday
    assert CAL.is_business_day(dt.date(2026, 11, 30))


# docs/sepa.md §8.2, cut-off 12:30, one lead day
@pytest.mark.parametrize(("now", "earliest"), [
    ("2026-04-02T11:00", "2026-04-07"),  # Good Friday and Easter Monday are closed
    ("2026-04-02T13:00", "2026-04-08"),  # after the cut-off: received on 04-07
    ("2026-04-02T12:30", "2026-04-08"),  # the cut-off itself is too late
    ("2026-12-24T09:00", "2026-12-28"),  # 25/26 December closed
    ("2026-12-31T09:00", "2027-01-04"),  # 1 January closed
    ("2027-04-30T14:00", "2027-05-04"),  # after the cut-off; 1 May is a Saturday
    ("2026-11-28T09:00", "2026-12-01"),  # delivered on a Saturday: received Monday
    ("2026-11-27T10:00", "2026-11-30"),  # Friday before the cut-off: Monday
])
def test_earliest_collection_date(now, earliest):
    got = CAL.earliest_collection_date(dt.datetime.fromisoformat(now), ABN_CUTOFF, lead_days=1)
    assert got == dt.date.fromisoformat(earliest)


def test_more_lead_days():
    got = CAL.earliest_collection_date(dt.datetime(2026, 4, 2, 11), ABN_CUTOFF, lead_days=2)
    assert got == dt.date(2026, 4, 8)


def test_extra_closing_days_from_the_settings():
    cal = TargetCalendar.with_extra([dt.date(2026, 12, 28)])
    assert not cal.is_business_day(dt.date(2026, 12, 28))
    assert cal.earliest_collection_date(dt.datetime(2026, 12, 24, 9), ABN_CUTOFF) == dt.date(2026, 12, 29)


def test_next_business_day():
    assert CAL.next_business_day(dt.date(2026, 4, 3)) == dt.date(2026, 4, 7)
    assert CAL.next_business_day(dt.date(2026, 4, 7)) == dt.date(2026, 4, 7)
    assert CAL.next_business_day(dt.date(2026, 12, 25)) == dt.date(2026, 12, 28)


def test_add_business_days_both_ways():
    assert CAL.add_business_days(dt.date(2026, 4, 2), 1) == dt.date(2026, 4, 7)
    assert CAL.add_business_days(dt.date(2026, 4, 7), -1) == dt.date(2026, 4, 2)
    assert CAL.add_business_days(dt.date(2026, 4, 7), 0) == dt.date(2026, 4, 7)


@pytest.mark.parametrize(("bank", "cutoff", "expected"), [
    ("abnamro", "", dt.time(12, 30)),
    ("rabobank", "", dt.time(7, 0)),
    ("ing", "", dt.time(12, 0)),
    ("other", "", dt.time(12, 0)),
    ("abnamro", "08:30", dt.time(8, 30)),  # an explicit cut-off wins
])
def test_cutoff_per_bank(bank, cutoff, expected):
    assert Collection(bank=bank, cutoff=cutoff).cutoff_time == expected
