"""Daily scheduled work (credit detection, reminders, ...), run through the job mechanism.

An app registers a task with `daily(key, label, func)` in its AppConfig.ready(); `func(on)`
does the day's work for the date `on` and returns a small dict for the job's result. Each
task must itself be idempotent (running it twice for a day changes nothing the second
time); the schedule also records a DailyRun so the scheduler starts each task once a day.

- `manage.py run_daily [--on DATE] [--only KEY] [--force]` runs the due tasks by hand.
- `manage.py scheduler` (started by `make run`) enqueues the day's run at SCHEDULE_DAILY_AT.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from shezhi.jobs.models import DailyRun, Job
from shezhi.jobs.services import job_create, job_finish, job_running


@dataclass(frozen=True)
class DailyTask:
    key: str
    label: str
    func: Callable[[dt.date], dict]
    order: int


_tasks: dict[str, DailyTask] = {}


def daily(key: str, label: str, func: Callable[[dt.date], dict], *, order: int = 100) -> None:
    _tasks[key] = DailyTask(key, label, func, order)


def daily_tasks() -> list[DailyTask]:
    return sorted(_tasks.values(), key=lambda t: (t.order, t.key))


def due_tasks(on: dt.date) -> list[DailyTask]:
    done = set(DailyRun.objects.filter(day=on).values_list("key", flat=True))
    return [t for t in daily_tasks() if t.key not in done]


def run_daily(*, on: dt.date | None = None, only: str | None = None, force: bool = False) -> list[Job]:
    """Run each registered task not yet run for `on` (or all with force). Returns the jobs."""
    on = on or timezone.localdate()
    tasks = daily_tasks() if force else due_tasks(on)
    if only is not None:
        if only not in _tasks:
            raise KeyError(only)
        tasks = [t for t in tasks if t.key == only]
    jobs = []
    for task in tasks:
        job = job_create(kind=f"daily:{task.key}", title=f"{task.label} ({on.isoformat()})", by=None, params={"on": on.isoformat()})
        with job_running(job):
            result = task.func(on)
            job_finish(job, result=result or {})
        try:
            with transaction.atomic():
                DailyRun.objects.update_or_create(key=task.key, day=on, defaults={"job": job})
        except IntegrityError:  # another runner recorded the same day at the same moment
            pass
        job.refresh_from_db()
        jobs.append(job)
    return jobs
