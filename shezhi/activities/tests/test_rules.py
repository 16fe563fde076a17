"""The hours rules at their edges (pure functions of the rule rows)."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shezhi.activities.models import HoursRules, Rounding, StarLevel
from shezhi.activities.rules import (
    checkin_hours,
    next_star_level,
    round_hours,
    self_submit_deadline,
    sign_in_window,
    sign_out_window,
    star_level,
)

D = Decimal
T0 = dt.datetime(2026, 5, 9, 9, 0, tzinfo=dt.UTC)


def rules(**kw) -> HoursRules:
    return HoursRules(**{"step_hours": D("0.5"), "rounding": Rounding.DOWN, "minimum_hours": D("0.5"), "cap_to_activity": True, **kw})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", "0"),
        ("0.49", "0"),  # under the minimum
        ("0.5", "0.5"),  # exactly the minimum
        ("0.99", "0.5"),
        ("1", "1"),
        ("1.25", "1"),
        ("2.999", "2.5"),
        ("3", "3"),
    ],
)
def test_round_down_to_half_hours(value, expected):
    assert round_hours(D(value), rules()) == D(expected)


@pytest.mark.parametrize(("value", "expected"), [("1.24", "1"), ("1.25", "1.5"), ("1.74", "1.5"), ("1.75", "2")])
def test_round_to_nearest(value, expected):
    assert round_hours(D(value), rules(rounding=Rounding.NEAREST)) == D(expected)


@pytest.mark.parametrize(("value", "expected"), [("1.01", "1.5"), ("1.5", "1.5"), ("0.2", "0")])
def test_round_up_but_minimum_still_applies(value, expected):
    assert round_hours(D(value), rules(rounding=Rounding.UP)) == D(expected)


def test_quarter_hour_steps_and_no_minimum():
    r = rules(step_hours=D("0.25"), minimum_hours=D("0"))
    assert round_hours(D("0.3"), r) == D("0.25")
    assert round_hours(D("0.2"), r) == D("0")


def at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def test_checkin_hours_capped_to_the_activity_window():
    # Activity 09:00–12:00; signed in 08:10, out 12:40: only 09:00–12:00 counts.
    hours = checkin_hours(signed_in=at(-50), signed_out=at(220), starts_at=T0, ends_at=at(180), rules=rules())
    assert hours == D("3")


def test_checkin_hours_without_cap_counts_the_whole_stay():
    hours = checkin_hours(signed_in=at(-50), signed_out=at(220), starts_at=T0, ends_at=at(180), rules=rules(cap_to_activity=False))
    assert hours == D("4.5")  # 4 h 30 min


def test_checkin_hours_edges():
    r = rules()
    # 29 min 59 s is under the minimum; 30 min is exactly it.
    assert checkin_hours(signed_in=T0, signed_out=T0 + dt.timedelta(minutes=29, seconds=59), starts_at=T0, ends_at=at(180), rules=r) == 0
    assert checkin_hours(signed_in=T0, signed_out=at(30), starts_at=T0, ends_at=at(180), rules=r) == D("0.5")
    # Signed out before the activity started: nothing counts.
    assert checkin_hours(signed_in=at(-60), signed_out=at(-5), starts_at=T0, ends_at=at(180), rules=r) == 0
    # 1 h 59 min rounds down to 1.5.
    assert checkin_hours(signed_in=T0, signed_out=at(119), starts_at=T0, ends_at=at(180), rules=r) == D("1.5")


def test_nearest_rounding_never_exceeds_the_activity_length():
    # A 100-minute activity (1.67 h) with round-up: 2 h would exceed it; capped to 1.66.
    r = rules(rounding=Rounding.UP)
    hours = checkin_hours(signed_in=T0, signed_out=at(100), starts_at=T0, ends_at=at(100), rules=r)
    assert hours == D("1.66")


def test_windows_edges():
    r = rules(sign_in_opens_minutes=60, sign_out_closes_minutes=120)
    w = sign_in_window(starts_at=T0, ends_at=at(180), rules=r)
    assert not w.contains(at(-61)) and w.contains(at(-60)) and w.contains(at(180)) and not w.contains(at(181))
    w = sign_out_window(starts_at=T0, ends_at=at(180), rules=r)
    assert w.contains(at(300)) and not w.contains(at(301))
    assert self_submit_deadline(ends_at=at(180), rules=rules(self_submit_days=30)) == at(180) + dt.timedelta(days=30)


LEVELS = [StarLevel(stars=s, min_hours=D(h)) for s, h in [(1, 100), (2, 300), (3, 600), (4, 1000), (5, 1500)]]


@pytest.mark.parametrize(
    ("total", "stars", "next_stars"),
    [
        ("0", None, 1),
        ("99.99", None, 1),
        ("100", 1, 2),
        ("299.5", 1, 2),
        ("300", 2, 3),
        ("1499.99", 4, 5),
        ("1500", 5, None),
        ("9999", 5, None),
    ],
)
def test_star_levels_at_their_thresholds(total, stars, next_stars):
    level = star_level(D(total), LEVELS)
    assert (level.stars if level else None) == stars
    following = next_star_level(D(total), LEVELS)
    assert (following.stars if following else None) == next_stars


@given(
    value=st.decimals(min_value=0, max_value=200, places=4, allow_nan=False, allow_infinity=False),
    step=st.sampled_from([D("0.25"), D("0.5"), D("1")]),
    mode=st.sampled_from(list(Rounding)),
)
def test_rounding_properties(value, step, mode):
    r = rules(step_hours=step, rounding=mode, minimum_hours=D("0"))
    rounded = round_hours(value, r)
    assert rounded >= 0
    assert (rounded / step) == (rounded / step).to_integral_value()  # a whole number of steps
    assert abs(rounded - value) <= step  # never more than one step away
    if mode == Rounding.DOWN:
        assert rounded <= value
    if mode == Rounding.UP:
        assert rounded >= value or rounded == 0
