"""The rules of complaint handling as functions of their data (ComplaintRules rows)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from shezhi.complaints.models import ComplaintRules
from shezhi.workdays.services import add_workdays, workdays_between

OVERDUE = "overdue"


def rules_for(city_id: int | None) -> ComplaintRules:
    """The city's own rules, else the default row, else the built-in defaults (unsaved)."""
    q = Q(city__isnull=True) | Q(city_id=city_id) if city_id else Q(city__isnull=True)
    rows = {r.city_id: r for r in ComplaintRules.objects.filter(q)}
    return rows.get(city_id) or rows.get(None) or ComplaintRules()


def all_rules() -> dict[int | None, ComplaintRules]:
    return {r.city_id: r for r in ComplaintRules.objects.all()}


def due_date(received_on: dt.date, rules: ComplaintRules) -> dt.date:
    """The last day of the answer time: `answer_workdays` working days after the day of
    receipt (the day itself not counted). An answer on that day is on time."""
    return add_workdays(received_on, rules.answer_workdays)


def reminder_stage(today: dt.date, due_on: dt.date, remind: list[int]) -> str | None:
    """Which reminder is due today for a complaint still unanswered.

    Before the due date: the smallest configured lead time (in working days) that is at
    least the working days left, so a day the job did not run is caught up the next day and
    a later stage makes the earlier, missed one moot. On the due date itself the last stage
    applies. After it: "overdue", once.
    """
    if today > due_on:
        return OVERDUE
    left = workdays_between(today, due_on)
    fitting = [d for d in remind if d >= left]
    return f"before-{min(fitting)}" if fitting else None
