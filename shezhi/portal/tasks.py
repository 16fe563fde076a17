"""Background work of the public portal (django-tasks)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django_tasks import task

from shezhi.exporting import csv_lines, xlsx_write
from shezhi.jobs.models import Job
from shezhi.jobs.services import job_files_dir, job_finish, job_running
from shezhi.portal.exports import COLUMNS, export_filename, export_rows
from shezhi.portal.selectors import search_queryset
from shezhi.registry.selectors import OrganizationFilters


@task()
def export_search_results(job_id: int) -> None:
    """Write the search results a job describes to a file the job's owner can download."""
    job = Job.objects.get(pk=job_id)
    filters = OrganizationFilters(**job.params["filters"])
    fmt = job.params["fmt"]
    with job_running(job) as progress:
        qs = search_queryset(filters)
        progress.stage(_("Writing rows"), qs.count())
        name = f"export-{job.pk}.{fmt}"
        path = job_files_dir() / name
        if fmt == "csv":
            rows = 0
            with path.open("w", encoding="utf-8", newline="") as fh:
                for rows, line in enumerate(csv_lines(COLUMNS, export_rows(qs))):
                    fh.write(line)
                    progress.advance(rows)
        else:
            rows = xlsx_write(path, COLUMNS, export_rows(qs), sheet_title="社会组织", on_row=progress.advance)
        job_finish(job, result={"filename": export_filename(fmt), "rows": rows}, output_file=name)
