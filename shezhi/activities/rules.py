"""The rules of hours and star levels as functions of their data (HoursRules, StarLevel rows).

Pure functions: they take the rule row (or a list of levels) and plain values, so they are
tested at their edges without a database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from django.db.models import Q

from shezhi.activities.models import HoursRules, Rounding, StarLevel

ZERO = Decimal("0")
CENT = Decimal("0.01")
_MODES = {Rounding.DOWN: ROUND_FLOOR, Rounding.UP: ROUND_CEILING, Rounding.NEAREST: ROUND_HALF_UP}


def rules_for_city(city_id: int | None) -> HoursRules:
    """The city's rules, else the default row, else the built-in defaults."""
    rows = {r.city_id: r for r in HoursRules.objects.filter(Q(city_id=city_id) | Q(city__isnull=True))}
    return rows.get(city_id) or rows.get(None) or HoursRules()


def hours_between(start: dt.datetime, end: dt.datetime) -> Decimal:
    """Exact hours between two instants (to the second), never negative."""
    seconds = max(int((end - start).total_seconds()), 0)
    return Decimal(seconds) / Decimal(3600)


def round_hours(value: Decimal, rules: HoursRules) -> Decimal:
    """Round to the rules' step; below the minimum a session counts nothing."""
    if value <= ZERO:
        return ZERO
    step = Decimal(rules.step_hours)
    steps = (value / step).quantize(Decimal(1), rounding=_MODES[Rounding(rules.rounding)])
    rounded = (steps * step).quantize(CENT)
    if value < Decimal(rules.minimum_hours) or rounded <= ZERO:
        return ZERO
    return rounded


def activity_length(starts_at: dt.datetime, ends_at: dt.datetime) -> Decimal:
    return hours_between(starts_at, ends_at).quantize(CENT, rounding=ROUND_FLOOR)


def checkin_hours(
    *, signed_in: dt.datetime, signed_out: dt.datetime, starts_at: dt.datetime, ends_at: dt.datetime, rules: HoursRules
) -> Decimal:
    """Hours from a sign-in and a sign-out: the time between them (within the activity's
    window when the rules cap it), rounded by the rules, never more than the activity's
    length when capped."""
    start, end = signed_in, signed_out
    if rules.cap_to_activity:
        start, end = max(start, starts_at), min(end, ends_at)
    hours = round_hours(hours_between(start, end), rules)
    if rules.cap_to_activity:
        hours = min(hours, activity_length(starts_at, ends_at))
    return hours


@dataclass(frozen=True)
class Window:
    opens: dt.datetime
    closes: dt.datetime

    def contains(self, at: dt.datetime) -> bool:
        return self.opens <= at <= self.closes


def sign_in_window(*, starts_at: dt.datetime, ends_at: dt.datetime, rules: HoursRules) -> Window:
    """From the rules' margin before the start until the end of the activity."""
    return Window(starts_at - dt.timedelta(minutes=rules.sign_in_opens_minutes), ends_at)


def sign_out_window(*, starts_at: dt.datetime, ends_at: dt.datetime, rules: HoursRules) -> Window:
    """From the rules' margin before the start until the rules' margin after the end."""
    return Window(
        starts_at - dt.timedelta(minutes=rules.sign_in_opens_minutes), ends_at + dt.timedelta(minutes=rules.sign_out_closes_minutes)
    )


def self_submit_deadline(*, ends_at: dt.datetime, rules: HoursRules) -> dt.datetime:
    return ends_at + dt.timedelta(days=rules.self_submit_days)


def star_level(total: Decimal, levels: Sequence[StarLevel]) -> StarLevel | None:
    """The highest level whose threshold the total reaches (thresholds inclusive)."""
    reached = [level for level in levels if total >= level.min_hours]
    return max(reached, key=lambda level: level.min_hours) if reached else None


def next_star_level(total: Decimal, levels: Sequence[StarLevel]) -> StarLevel | None:
    ahead = [level for level in levels if total < level.min_hours]
    return min(ahead, key=lambda level: level.min_hours) if ahead else None
