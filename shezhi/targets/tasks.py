"""Background work of the targets dashboard (django-tasks): the whole dashboard of a city or a
town as of a day, written as an .xlsx workbook or a PDF report, with progress on its job.

The same work runs by hand with `manage.py targets_report`, which writes to a file of its
choice instead of the jobs folder.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django_tasks import task

from shezhi.areas.models import Area
from shezhi.jobs.models import Job, ProgressUnit
from shezhi.jobs.services import job_create, job_files_dir, job_finish, job_running
from shezhi.targets import exports, panels, report, selectors

JOB_KIND = "targets.export"
FORMATS = ("xlsx", "pdf")


def export_start(*, by, area: Area, on: dt.date, fmt: str) -> Job:
    """Queue the export of `area`'s dashboard as of `on`; returns the job to watch.

    Not written to the audit log: the file holds the dashboard's published figures and the
    names of communities, no organization's or person's records (as the volunteer counts
    export), and the job row keeps who asked for which area and day.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    job = job_create(
        kind=JOB_KIND,
        title=_("Targets of %(area)s as of %(day)s (.%(fmt)s)") % {"area": exports.area_title(area), "day": on.isoformat(), "fmt": fmt},
        by=by,
        params={"area": area.pk, "on": on.isoformat(), "fmt": fmt},
    )
    transaction.on_commit(lambda: export_dashboard.enqueue(job.pk))
    return job


def _area_for(job: Job) -> Area:
    """The job's area, as its creator may see it now (scope is checked again at the time of
    writing); a job started by hand (no creator) may export any area."""
    pk = job.params["area"]
    user = job.created_by
    if user is None:
        return Area.objects.get(pk=pk)
    area = selectors.dashboard_areas_for(user).filter(pk=pk).first()
    if area is None:
        raise PermissionDenied(_("You may no longer see this area's dashboard."))
    return area


def run_export(job: Job, *, out: Path | None = None) -> Path:
    """Compute the dashboard and write the file; `out` (by hand) replaces the jobs folder."""
    with job_running(job) as progress:
        progress.every = 1
        fmt = job.params["fmt"]
        on = dt.date.fromisoformat(job.params["on"])
        area = _area_for(job)
        progress.stage(_("Computing the figures"), 1, unit=ProgressUnit.STEPS)
        view = selectors.area_view(area, on)
        panel = panels.second_panel(area, on)
        progress.advance(1)
        name = f"targets-{job.pk}.{fmt}"
        path = Path(out) if out is not None else job_files_dir() / name
        done = 0

        def step() -> None:
            nonlocal done
            done += 1
            progress.advance(done)

        result = {"filename": f"{exports.file_basename(area, on)}.{fmt}", "area": area.pk, "on": on.isoformat()}
        if fmt == "xlsx":
            progress.stage(_("Writing the workbook"), exports.sheet_count(view, panel), unit=ProgressUnit.STEPS)
            result["sheets"] = exports.write_workbook(path, view, panel=panel, on_sheet=step)
        else:
            progress.stage(_("Drawing the report"), report.report_steps(panel), unit=ProgressUnit.STEPS)
            result["bytes"] = report.write_report(path, view, panel=panel, on_step=step)
        job_finish(job, result=result, output_file="" if out is not None else name)
    return path


@task()
def export_dashboard(job_id: int) -> None:
    run_export(Job.objects.select_related("created_by__area").get(pk=job_id))
