"""Working days as Chinese administrative time limits count them (工作日).

Monday to Friday are working days except public holidays; some weekends are make-up
working days. The exceptions are data (CalendarDay), shipped for the years the
chinese_calendar package covers and entered by the bureau for later years.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from django.db import transaction

from shezhi.workdays.models import CalendarDay, CalendarYear


@lru_cache(maxsize=1)
def _exceptions(version: int) -> tuple[dict[dt.date, bool], frozenset[int]]:
    days = dict(CalendarDay.objects.values_list("date", "is_workday"))
    years = frozenset(CalendarYear.objects.values_list("year", flat=True))
    return days, years


_version = 0


def invalidate() -> None:
    """Call after changing the calendar (the admin and the loader do)."""
    global _version
    _version += 1
    _exceptions.cache_clear()


def _table():
    return _exceptions(_version)


def is_workday(day: dt.date) -> bool:
    days, _ = _table()
    if day in days:
        return days[day]
    return day.weekday() < 5


def year_known(year: int) -> bool:
    return year in _table()[1]


def add_workdays(start: dt.date, n: int) -> dt.date:
    """The date n working days after `start` (start itself not counted): the due date of a
    time limit of n working days that starts running on `start`."""
    day = start
    counted = 0
    while counted < n:
        day += dt.timedelta(days=1)
        if is_workday(day):
            counted += 1
    return day


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (0 if end <= start)."""
    if end <= start:
        return 0
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_workday(day):
            count += 1
    return count


HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def package_calendar() -> tuple[list[int], list[tuple[dt.date, bool, str]]]:
    """Years covered by the chinese_calendar package and their exceptions to Mon–Fri."""
    from chinese_calendar import constants

    years = sorted({d.year for d in constants.holidays} | {d.year for d in constants.workdays})
    rows = [(d, False, HOLIDAY_NAMES.get(n, n)[:40]) for d, n in constants.holidays.items() if d.weekday() < 5]
    rows += [(d, True, (HOLIDAY_NAMES.get(n, n) + "调休")[:40]) for d, n in constants.workdays.items() if d.weekday() >= 5]
    return years, rows


@transaction.atomic
def calendar_load_package(*, replace: bool = False) -> list[int]:
    """Enter the package's years that are not entered yet (or all, with replace)."""
    years, rows = package_calendar()
    known = set(CalendarYear.objects.values_list("year", flat=True))
    wanted = [y for y in years if replace or y not in known]
    if replace:
        CalendarDay.objects.filter(date__year__in=wanted).delete()
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=d, is_workday=w, name=n) for d, w, n in rows if d.year in wanted], ignore_conflicts=True
    )
    CalendarYear.objects.bulk_create([CalendarYear(year=y, source="chinese_calendar") for y in wanted], ignore_conflicts=True)
    transaction.on_commit(invalidate)
    return wanted
