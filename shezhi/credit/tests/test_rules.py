"""Date arithmetic of the credit rules (民法典 art. 201–202) and the fine limit, at their edges."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shezhi.credit.models import CreditRules, PenaltyKind
from shezhi.credit.rules import is_small_penalty, period_complete_on, period_end, serious_penalty_ground, window_start, years_later

D = dt.date


@pytest.mark.parametrize(
    ("start", "years", "end", "complete"),
    [
        (D(2024, 3, 10), 2, D(2026, 3, 10), D(2026, 3, 11)),
        # 29 February: no corresponding day in 2026, the period ends on the month's last day.
        (D(2024, 2, 29), 2, D(2026, 2, 28), D(2026, 3, 1)),
        (D(2024, 2, 28), 2, D(2026, 2, 28), D(2026, 3, 1)),
        (D(2024, 3, 1), 2, D(2026, 3, 1), D(2026, 3, 2)),
        # Four years from a leap day land on a leap day.
        (D(2024, 2, 29), 4, D(2028, 2, 29), D(2028, 3, 1)),
        (D(2021, 12, 31), 5, D(2026, 12, 31), D(2027, 1, 1)),
    ],
)
def test_period_end_and_completion(start, years, end, complete):
    assert period_end(start, years) == end
    assert period_complete_on(start, years) == complete


@pytest.mark.parametrize(
    ("end", "years", "start"),
    [
        (D(2026, 5, 10), 3, D(2023, 5, 11)),
        (D(2027, 2, 28), 3, D(2024, 2, 29)),  # 2024-02-28 + 1 day
        (D(2028, 2, 29), 3, D(2025, 3, 1)),  # 2025 has no 29 February: 28 February + 1 day
        (D(2026, 1, 1), 2, D(2024, 1, 2)),
    ],
)
def test_window_start(end, years, start):
    assert window_start(end, years) == start


@given(st.dates(min_value=D(1950, 1, 1), max_value=D(2090, 12, 31)), st.integers(min_value=1, max_value=10))
def test_window_and_period_agree(day, years):
    """A window of N years ending on the last day of an N-year period starts the day after its start."""
    assert window_start(period_end(day, years), years) >= day + dt.timedelta(days=1)
    assert period_complete_on(day, years) > day
    assert years_later(years_later(day, years), -years) <= day


RULES = CreditRules(small_fine_limit=Decimal("50000"))


@pytest.mark.parametrize(
    ("kind", "amount", "small", "serious"),
    [
        (PenaltyKind.WARNING, None, True, ""),
        (PenaltyKind.FINE, Decimal("49999.99"), True, ""),
        (PenaltyKind.FINE, Decimal("50000"), False, "large_fine"),
        (PenaltyKind.FINE, Decimal("50000.01"), False, "large_fine"),
        (PenaltyKind.FINE, Decimal("0.01"), True, ""),
        (PenaltyKind.CONFISCATION, None, False, ""),
        (PenaltyKind.STOP_ACTIVITIES, None, False, "stop_activities"),
        (PenaltyKind.REVOCATION, None, False, "revoked"),
    ],
)
def test_penalty_grounds(kind, amount, small, serious):
    assert is_small_penalty(kind, amount, RULES) is small
    assert serious_penalty_ground(kind, amount, RULES) == serious


def test_fine_limit_is_data():
    rules = CreditRules(small_fine_limit=Decimal("30000"))
    assert serious_penalty_ground(PenaltyKind.FINE, Decimal("30000"), rules) == "large_fine"
    assert is_small_penalty(PenaltyKind.FINE, Decimal("29999.99"), rules)
