from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from shezhi.jobs.models import Job, JobStatus, ProgressUnit

log = logging.getLogger(__name__)


def job_create(*, kind: str, title: str, by, params: dict | None = None, input_file: str = "") -> Job:
    return Job.objects.create(
        kind=kind,
        title=title,
        created_by=by if getattr(by, "is_authenticated", False) else None,
        params=params or {},
        input_file=input_file,
    )


def job_files_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "jobs"
    path.mkdir(parents=True, exist_ok=True)
    return path


class Progress:
    """Writes progress to the job row, at most every `every` items, outside any transaction
    of the work itself (it uses a plain UPDATE so the page sees it while the work runs)."""

    def __init__(self, job: Job, *, every: int = 500):
        self.job = job
        self.every = every
        self._last = 0

    def stage(self, stage: str, total: int | None = None, *, unit: str = ProgressUnit.ROWS) -> None:
        fields = {"stage": stage, "done": 0, "unit": unit}
        if total is not None:
            fields["total"] = total
        Job.objects.filter(pk=self.job.pk).update(**fields)
        self._last = 0

    def advance(self, done: int) -> None:
        if done - self._last >= self.every:
            Job.objects.filter(pk=self.job.pk).update(done=done)
            self._last = done

    def total(self, total: int) -> None:
        Job.objects.filter(pk=self.job.pk).update(total=total)


@contextmanager
def job_running(job: Job):
    """Mark the job running; mark it failed with the error if the work raises."""
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=timezone.now())
    try:
        yield Progress(job)
    except Exception as exc:
        log.exception("job %s failed", job.pk)
        Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, finished_at=timezone.now(), error=str(exc)[:2000])
        raise


def job_finish(job: Job, *, result: dict, output_file: str = "") -> None:
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.DONE, finished_at=timezone.now(), result=result, output_file=output_file, done=F("total")
    )
