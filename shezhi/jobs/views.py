from __future__ import annotations

from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render

from shezhi.jobs.models import JobStatus
from shezhi.jobs.selectors import job_for
from shezhi.jobs.services import job_files_dir


@login_required
def job_detail(request, pk: int):
    """The progress page; htmx polls it and swaps in the progress fragment until the job ends."""
    job = job_for(request.user, pk)
    template = "jobs/_progress.html" if request.htmx else "jobs/detail.html"
    return render(request, template, {"job": job})


@login_required
def job_download(request, pk: int):
    job = job_for(request.user, pk)
    if job.status != JobStatus.DONE or not job.output_file:
        raise Http404
    path = (job_files_dir() / job.output_file).resolve()
    if job_files_dir().resolve() not in path.parents or not path.exists():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.result.get("filename") or Path(path).name)
