"""Oslo civil time (R10): weeks, planned times as aware datetimes, the horizon, public holidays."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holiday_calendars
from django.conf import settings
from django.utils.formats import date_format

OSLO = ZoneInfo("Europe/Oslo")


def week_start(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


def local_datetime(day: date, at: time) -> datetime:
    """`at` o'clock on `day` in Europe/Oslo civil time, as an aware datetime (R10)."""
    return datetime.combine(day, at, tzinfo=OSLO)


def local_day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The aware instants from local midnight of `start` to local midnight after `end`."""
    return local_datetime(start, time(0)), local_datetime(end + timedelta(days=1), time(0))


def date_span(first: date, last: date) -> str:
    """A period of days as people write it: "3.–17. mars", "28. februar–3. mars", "5. mai"."""
    if first == last:
        return date_format(first, "j. F")
    if first.year != last.year:
        return f"{date_format(first, 'j. F Y')}–{date_format(last, 'j. F Y')}"
    if first.month == last.month:
        return f"{first.day}.–{date_format(last, 'j. F')}"
    return f"{date_format(first, 'j. F')}–{date_format(last, 'j. F')}"


def plan_dates(
    *,
    weekdays: Iterable[int],
    every_n_weeks: int,
    first_date: date,
    last_date: date | None,
    start: date,
    end: date,
) -> list[date]:
    """The local dates of a plan within [start, end], in order.

    Weeks are counted from the Monday of `first_date`'s week, so "every 2nd week"
    keeps its rhythm whatever window is asked for.
    """
    days = set(weekdays)
    lo = max(start, first_date)
    hi = end if last_date is None else min(end, last_date)
    anchor = week_start(first_date)
    found = []
    day = lo
    while day <= hi:
        weeks = (week_start(day) - anchor).days // 7
        if day.weekday() in days and weeks % every_n_weeks == 0:
            found.append(day)
        day += timedelta(days=1)
    return found


def horizon_end(today: date) -> date:
    """The last local date that expansion fills (VISIT_HORIZON_WEEKS ahead)."""
    return today + timedelta(days=7 * settings.VISIT_HORIZON_WEEKS - 1)


@lru_cache(maxsize=32)
def _holidays_of_year(year: int) -> dict[date, str]:
    return dict(holiday_calendars.country_holidays("NO", years=year, language="no"))


def public_holidays(start: date, end: date) -> dict[date, str]:
    """Norwegian public holidays (Bokmål names) between `start` and `end`, inclusive."""
    found: dict[date, str] = {}
    for year in range(start.year, end.year + 1):
        found.update({d: n for d, n in _holidays_of_year(year).items() if start <= d <= end})
    return found
