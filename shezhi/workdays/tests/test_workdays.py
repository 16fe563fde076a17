import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shezhi.workdays import services
from shezhi.workdays.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    services.invalidate()
    yield
    services.invalidate()


def test_calendar_shipped_for_package_years():
    assert CalendarYear.objects.filter(year=2026).exists()
    # National Day 2026: Oct 1-7 off; Sep 20 and Oct 10 (weekends) are make-up working days.
    assert not services.is_workday(dt.date(2026, 10, 1))
    assert services.is_workday(dt.date(2026, 10, 10))
    assert not services.is_workday(dt.date(2026, 10, 11))  # an ordinary Sunday
    assert services.is_workday(dt.date(2026, 10, 9))  # an ordinary Friday


def test_add_workdays_skips_holidays_and_counts_makeup_days():
    # Submitted Wed 2026-09-30: Oct 1-7 are off, so the 1st working day after it is Thu
    # 10-08; Sat 10-10 is a make-up working day and Sun 10-11 is not.
    assert services.add_workdays(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 8)
    assert services.add_workdays(dt.date(2026, 9, 30), 3) == dt.date(2026, 10, 10)
    assert services.add_workdays(dt.date(2026, 9, 30), 4) == dt.date(2026, 10, 12)


def test_bureau_entered_year_is_used():
    CalendarYear.objects.create(year=2031, source="国务院办公厅通知")
    CalendarDay.objects.create(date=dt.date(2031, 1, 1), is_workday=False, name="元旦")
    services.invalidate()
    assert services.year_known(2031)
    assert not services.is_workday(dt.date(2031, 1, 1))  # a Wednesday
    assert not services.year_known(2032)


def test_reload_does_not_duplicate():
    before = CalendarDay.objects.count()
    assert services.calendar_load_package() == []
    assert CalendarDay.objects.count() == before


@given(start=st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2026, 6, 30)), n=st.integers(min_value=0, max_value=40))
def test_add_and_count_are_inverse(start, n):
    due = services.add_workdays(start, n)
    assert services.workdays_between(start, due) == n
    assert n == 0 or services.is_workday(due)
