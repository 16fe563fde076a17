"""The rule validators (dates written MM-DD, lists of days) accept exactly what they say."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shezhi.charity.models import DisclosureRules, _day_list, _valid_day_list, _valid_month_day

FAST = settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)


@FAST
@given(st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2024, 12, 31)))
def test_every_day_of_a_leap_year_is_accepted(day):
    _valid_month_day(day.strftime("%m-%d"))


@FAST
@given(st.integers(min_value=0, max_value=99), st.integers(min_value=0, max_value=99))
def test_month_day_accepted_only_if_a_real_day(month, day):
    text = f"{month:02d}-{day:02d}"
    try:
        dt.date(2024, month, day)
    except ValueError:
        with pytest.raises(ValidationError):
            _valid_month_day(text)
    else:
        _valid_month_day(text)


@pytest.mark.parametrize("text", ["5-31", "05/31", "0531", "", "13-01", "02-30", "05-31 "])
def test_month_day_refused(text):
    with pytest.raises(ValidationError):
        _valid_month_day(text)


@FAST
@given(st.lists(st.integers(min_value=0, max_value=999), min_size=1, max_size=6))
def test_day_lists_round_trip(days):
    text = ",".join(str(d) for d in days)
    _valid_day_list(text)
    assert _day_list(text) == sorted(set(days), reverse=True)


@pytest.mark.parametrize("text", ["", "30;7", "a,b", "30,,7", "-1", "1000"])
def test_day_list_refused(text):
    with pytest.raises(ValidationError):
        _valid_day_list(text)


@pytest.mark.django_db
def test_rules_full_clean_reports_the_field():
    rules = DisclosureRules(annual_due="02-30", reminder_days="x")
    with pytest.raises(ValidationError) as err:
        rules.full_clean()
    assert {"annual_due", "reminder_days"} <= set(err.value.message_dict)
