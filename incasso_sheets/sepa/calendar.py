"""TARGET closing days and the earliest and latest collection dates (docs/sepa.md §8).

TARGET2 is closed on Saturdays, Sundays, 1 January, Good Friday, Easter Monday, 1 May,
25 and 26 December (`holidays`' XECB calendar), plus any extra closing days the settings
name. Dutch public holidays are not TARGET closing days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _target_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.financial_holidays("XECB", years=year))


@dataclass(frozen=True)
class TargetCalendar:
    extra_closing_days: frozenset[dt.date] = field(default_factory=frozenset)

    @classmethod
    def with_extra(cls, days: Iterable[dt.date]) -> TargetCalendar:
        return cls(frozenset(days))

    def is_business_day(self, day: dt.date) -> bool:
        return (day.weekday() < 5 and day not in _target_holidays(day.year)
                and day not in self.extra_closing_days)

    def add_business_days(self, day: dt.date, n: int) -> dt.date:
        step = 1 if n >= 0 else -1
        while n:
            day += dt.timedelta(days=step)
            if self.is_business_day(day):
                n -= step
        return day

    def next_business_day(self, day: dt.date) -> dt.date:
        """`day` itself when it is a TARGET business day, else the next one."""
        while not self.is_business_day(day):
            day += dt.timedelta(days=1)
        return day

    def earliest_collection_date(self, now: dt.datetime, cutoff: dt.time, lead_days: int = 1) -> dt.date:
        """Earliest ReqdColltnDt for a file delivered at `now` (bank's local time).

        A file delivered after the cut-off, or on a closing day, counts as received on the
        next business day; the debtor bank must have it `lead_days` business days before D.
        """
        received = now.date()
        if not self.is_business_day(received) or now.time() >= cutoff:
            received = self.add_business_days(received, 1)
        return self.add_business_days(received, lead_days)
