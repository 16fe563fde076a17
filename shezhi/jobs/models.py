from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ProgressUnit(models.TextChoices):
    """What the job's counts count: rows of a file, or the steps of a piece of work."""

    ROWS = "rows", _("rows")
    STEPS = "steps", _("steps")


class Job(models.Model):
    """A piece of long work (an import, an export, a report) with progress people can watch.

    The work itself runs in the background worker (django-tasks); this row is what pages
    poll and what management commands update when they run the same work by hand.
    """

    kind = models.CharField(_("kind"), max_length=40, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    total = models.PositiveIntegerField(_("total"), default=0)
    done = models.PositiveIntegerField(_("processed"), default=0)
    stage = models.CharField(_("stage"), max_length=40, blank=True)
    unit = models.CharField(_("unit"), max_length=10, choices=ProgressUnit.choices, default=ProgressUnit.ROWS)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    input_file = models.CharField(max_length=300, blank=True)
    output_file = models.CharField(max_length=300, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_by", "kind", "created_at"], name="job_owner_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, int(self.done * 100 / self.total))

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)


class DailyRun(models.Model):
    """One day's run of one scheduled daily task: the schedule runs each task once a day."""

    key = models.CharField(_("task"), max_length=60)
    day = models.DateField(_("day"))
    job = models.ForeignKey(Job, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("daily run")
        verbose_name_plural = _("daily runs")
        constraints = [models.UniqueConstraint(fields=["key", "day"], name="daily_run_once")]

    def __str__(self) -> str:
        return f"{self.key} {self.day}"
