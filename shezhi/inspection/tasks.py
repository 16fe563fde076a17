"""Background work of annual inspection: the reminder run, for a queue worker or a schedule."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.utils.translation import gettext as _
from django_tasks import task

from shezhi.inspection.services import annual_report_reminders_send

EXPORT_JOB = "inspection.not_reported_export"


@task()
def send_annual_report_reminders(on: str | None = None) -> dict:
    """Send the annual-report reminders due on `on` (ISO date; today if empty). Safe to run
    any number of times: a reminder already sent is never sent again."""
    outcome = annual_report_reminders_send(today=dt.date.fromisoformat(on) if on else None)
    return dataclasses.asdict(outcome)


@task()
def export_not_reported(job_id: int) -> None:
    """Write a large list of organizations that have not reported for its job, as the job's
    creator sees it (the same scope as the page)."""
    from shezhi.inspection.exports import export_filename, write_not_reported
    from shezhi.jobs.models import Job
    from shezhi.jobs.services import job_files_dir, job_finish, job_running

    job = Job.objects.select_related("created_by__area").get(pk=job_id)
    params = job.params
    as_of = dt.date.fromisoformat(params["as_of"])
    name = f"inspection-not-reported-{job.pk}.xlsx"
    from shezhi.inspection.selectors import organizations_not_reported

    total = organizations_not_reported(
        job.created_by, year=params["year"], as_of=as_of, town=params.get("town"), overdue_only=bool(params.get("overdue"))
    ).count()
    with job_running(job) as progress:
        progress.stage(_("Writing rows"), total=total)
        count = write_not_reported(
            str(job_files_dir() / name),
            job.created_by,
            year=params["year"],
            as_of=as_of,
            town=params.get("town"),
            overdue=bool(params.get("overdue")),
            on_row=progress.advance,
        )
        job_finish(job, result={"rows": count, "filename": export_filename(params["year"], as_of)}, output_file=name)
