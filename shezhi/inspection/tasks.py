"""Background work of annual inspection: the reminder run, for a queue worker or a schedule."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django_tasks import task

from shezhi.inspection.services import annual_report_reminders_send


@task()
def send_annual_report_reminders(on: str | None = None) -> dict:
    """Send the annual-report reminders due on `on` (ISO date; today if empty). Safe to run
    any number of times: a reminder already sent is never sent again."""
    outcome = annual_report_reminders_send(today=dt.date.fromisoformat(on) if on else None)
    return dataclasses.asdict(outcome)
