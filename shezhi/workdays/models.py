from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    """A year whose holidays and make-up working days have been entered (the State
    Council's yearly notice). Time limits falling in a year not entered are computed on
    weekends alone and flagged."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    entered_at = models.DateTimeField(_("entered"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """An exception to the Monday–Friday rule: a public holiday on a weekday, or a
    make-up working day (调休上班) on a weekend."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"
