"""The date arithmetic and the numbers of the credit rules.

How periods are counted (民法典 art. 201–202, the rule Chinese administrative periods
follow): the day an event happens is not counted; a period of N years ends on the day of
the N-th year that corresponds to the start date, or — with no such day (29 February in a
common year) — on the last day of that month. The period is *complete* ("满N年") once that
last day has passed, i.e. from the following day.

- Two full years on the abnormal list from 2024-03-10: the period ends on 2026-03-10, the
  escalation is proposed from 2026-03-11.
- From 2024-02-29: 2026 has no 29 February, the period ends on 2026-02-28 (the month's last
  day), the escalation is proposed from 2026-03-01 — the same day as for an entry from
  2024-02-28.
- "Within three years" before a day D: the period of three years that ends on D, i.e. from
  the day after (D minus three years) up to and including D.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from shezhi.credit.models import CreditRules, PenaltyKind

ONE_DAY = dt.timedelta(days=1)


def years_later(day: dt.date, years: int) -> dt.date:
    """The corresponding day `years` later (or earlier, with a negative number); 29 February
    becomes 28 February in a common year (the month's last day, 民法典 art. 202)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def period_end(start: dt.date, years: int) -> dt.date:
    """The last day of a period of `years` years counted from the event on `start`."""
    return years_later(start, years)


def period_complete_on(start: dt.date, years: int) -> dt.date:
    """The first day on which `years` full years have passed since `start`."""
    return period_end(start, years) + ONE_DAY


def window_start(end: dt.date, years: int) -> dt.date:
    """The first day of the period of `years` years that ends on `end` (inclusive)."""
    return years_later(end, -years) + ONE_DAY


class CreditRulesBook:
    """All credit rule rows, loaded once: a city's rules, else the default, else the
    built-in defaults when the bureau has entered nothing."""

    def __init__(self, rows: list[CreditRules]):
        self.by_city = {r.city_id: r for r in rows if r.city_id is not None}
        self.default = next((r for r in rows if r.city_id is None), None) or CreditRules()

    @classmethod
    def load(cls) -> CreditRulesBook:
        return cls(list(CreditRules.objects.all()))

    def for_city(self, city_id: int | None) -> CreditRules:
        return self.by_city.get(city_id, self.default)


def credit_rules_for(organization) -> CreditRules:
    return CreditRules.objects.filter(city_id=organization.city_id).first() or CreditRulesBook.load().default


def is_small_penalty(kind: str, fine_amount: Decimal | None, rules: CreditRules) -> bool:
    """A warning or a fine under the limit (an abnormal-list ground, 社会组织信用信息管理办法)."""
    if kind == PenaltyKind.WARNING:
        return True
    return kind == PenaltyKind.FINE and fine_amount is not None and fine_amount < rules.small_fine_limit


def serious_penalty_ground(kind: str, fine_amount: Decimal | None, rules: CreditRules) -> str:
    """The serious-list ground code a penalty is by itself, or ""."""
    if kind == PenaltyKind.STOP_ACTIVITIES:
        return "stop_activities"
    if kind == PenaltyKind.REVOCATION:
        return "revoked"
    if kind == PenaltyKind.FINE and fine_amount is not None and fine_amount >= rules.small_fine_limit:
        return "large_fine"
    return ""
