"""The daily schedule as a background task, for the scheduler to enqueue."""

from __future__ import annotations

import datetime as dt

from django_tasks import task


@task()
def run_daily_tasks(on: str | None = None) -> list[int]:
    from shezhi.jobs.schedule import run_daily

    return [job.pk for job in run_daily(on=dt.date.fromisoformat(on) if on else None)]
