"""Background work of the volunteer section (django-tasks)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django_tasks import task

from shezhi.jobs.models import Job
from shezhi.jobs.services import job_files_dir, job_finish, job_running
from shezhi.tabular import csv_lines, write_xlsx
from shezhi.volunteers.exports import HEADERS, audit_full_export, filename, volunteer_rows
from shezhi.volunteers.forms import VolunteerFilters
from shezhi.volunteers.selectors import apply_volunteer_filters, volunteers_visible_to


@task()
def export_volunteers(job_id: int) -> None:
    """Write the volunteer list a job describes, as its creator may see it (scope and the
    right to full ID numbers are checked again here, at the time of writing)."""
    job = Job.objects.select_related("created_by__area").get(pk=job_id)
    user = job.created_by
    fmt, full = job.params["fmt"], bool(job.params.get("full")) and user.role in ("bureau", "town")
    with job_running(job) as progress:
        values = VolunteerFilters(job.params.get("filters") or {}).values()
        qs = apply_volunteer_filters(volunteers_visible_to(user), values)
        total = qs.count()
        progress.stage(_("Writing rows"), total)
        name = f"volunteers-{job.pk}.{fmt}"
        path = job_files_dir() / name

        def rows():
            for i, row in enumerate(volunteer_rows(user, qs, full=full), start=1):
                progress.advance(i)
                yield row

        if fmt == "csv":
            with path.open("w", encoding="utf-8", newline="") as fh:
                for line in csv_lines(HEADERS, rows()):
                    fh.write(line)
        else:
            write_xlsx(path, HEADERS, rows(), title="志愿者")
        if full:
            audit_full_export(user, total, values)
        job_finish(job, result={"filename": f"{filename(full)}.{fmt}", "rows": total}, output_file=name)
