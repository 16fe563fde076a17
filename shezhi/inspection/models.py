"""Annual inspection (年检年报) and rating assessment (等级评估): the rules as data and the records.

The numbers the rules use — deadlines, the exemption period, the score thresholds of the
rating levels, the validity of a rating, the indicator scale — are rows the bureau edits in
the admin, one set per city with a global default, so that another county runs the same
code with its own numbers.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from shezhi.registry.models import Rating

MONTH_DAY = RegexValidator(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$", _("Write the date as MM-DD, e.g. 05-31."))


def month_day_in(year: int, month_day: str) -> dt.date:
    """The date of a yearly deadline written as MM-DD in a given year; 02-29 falls on 02-28
    in a common year."""
    month, day = (int(x) for x in month_day.split("-"))
    if (month, day) == (2, 29) and not calendar.isleap(year):
        day = 28
    return dt.date(year, month, day)


def _valid_month_day(value: str) -> None:
    MONTH_DAY(value)
    month, day = (int(x) for x in value.split("-"))
    try:
        dt.date(2024, month, day)  # a leap year: 02-29 is allowed
    except ValueError:
        raise ValidationError(_("%(value)s is not a day of the year.") % {"value": value}) from None


def _valid_day_list(value: str) -> None:
    if not re.fullmatch(r"\s*\d{1,3}(\s*,\s*\d{1,3})*\s*", value or ""):
        raise ValidationError(_("List whole numbers of days separated by commas, e.g. 30,7,1."))


class InspectionRules(models.Model):
    """The numbers of the annual-inspection and rating rules for one city, or the global
    default when `city` is empty. Defaults follow DESIGN.md and the national rules:

    - deadlines: 社会团体登记管理条例 art. 31 (report to the supervising unit by 03-31, to
      the registration authority by 05-31 of the following year); 民办非企业单位 and
      基金会 report to the registration authority (default 05-31 for both here; the bureau
      can set 03-31 for foundations, as 基金会年度检查办法 does);
    - exemption: organizations registered less than six months before the year's end do not
      take part in that year's inspection (e.g. 嘉兴市民政局's yearly notices: "6月30日前
      ... 批准成立的" take part);
    - rating: 社会组织评估管理办法 (民政部令第39号): registered two full years (art. 6),
      levels by score out of 1000, valid five years (art. 28).
    """

    city = models.OneToOneField(
        "areas.Area",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"level": "city"},
        verbose_name=_("city"),
        help_text=_("Leave empty for the default that applies to every city without its own rules."),
    )
    social_group_supervisor_due = models.CharField(
        _("social groups: report to the supervising unit by (MM-DD)"), max_length=5, default="03-31", validators=[_valid_month_day]
    )
    social_group_bureau_due = models.CharField(
        _("social groups: report to the bureau by (MM-DD)"), max_length=5, default="05-31", validators=[_valid_month_day]
    )
    social_service_agency_bureau_due = models.CharField(
        _("social service agencies: report to the bureau by (MM-DD)"), max_length=5, default="05-31", validators=[_valid_month_day]
    )
    foundation_bureau_due = models.CharField(
        _("foundations: report to the bureau by (MM-DD)"), max_length=5, default="05-31", validators=[_valid_month_day]
    )
    extend_to_workday = models.BooleanField(
        _("move a deadline on a rest day to the next working day"),
        default=False,
        help_text=_("民法典 art. 203: a period whose last day is a holiday ends on the day after the holiday."),
    )
    exemption_months = models.PositiveSmallIntegerField(
        _("exempt if registered less than this many months before the year's end"),
        default=6,
        validators=[MinValueValidator(0), MaxValueValidator(12)],
    )
    records_complete_from = models.PositiveSmallIntegerField(
        _("inspection results complete from year"),
        null=True,
        blank=True,
        help_text=_(
            "The first year whose results are all in the system. From that year on, a year without a report counts as "
            "missed (and calls for a rectification report); earlier years are judged only by the results recorded."
        ),
    )
    reminder_days = models.CharField(
        _("remind organizations this many days before a deadline"), max_length=40, default="30,7,1", validators=[_valid_day_list]
    )
    rating_min_5a = models.PositiveSmallIntegerField(_("5A from score"), default=950)
    rating_min_4a = models.PositiveSmallIntegerField(_("4A from score"), default=901)
    rating_min_3a = models.PositiveSmallIntegerField(_("3A from score"), default=851)
    rating_min_2a = models.PositiveSmallIntegerField(_("2A from score"), default=801)
    rating_min_1a = models.PositiveSmallIntegerField(_("1A from score"), default=751)
    rating_validity_years = models.PositiveSmallIntegerField(
        _("rating valid for (years)"), default=5, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    rating_min_years_registered = models.PositiveSmallIntegerField(_("rating: registered at least (years)"), default=2)
    note = models.TextField(_("source and notes"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("inspection and rating rules")
        verbose_name_plural = _("inspection and rating rules")
        constraints = [
            # One row per city, and a single global default (NULL is never equal to NULL,
            # so the plain unique key alone would allow several defaults).
            models.UniqueConstraint(Coalesce(F("city"), Value(0)), name="inspection_rules_one_per_city"),
            models.CheckConstraint(
                condition=Q(rating_min_5a__gt=F("rating_min_4a"))
                & Q(rating_min_4a__gt=F("rating_min_3a"))
                & Q(rating_min_3a__gt=F("rating_min_2a"))
                & Q(rating_min_2a__gt=F("rating_min_1a")),
                name="inspection_rules_thresholds_descend",
            ),
        ]

    def __str__(self) -> str:
        return str(self.city) if self.city_id else str(_("Default rules"))

    def clean(self) -> None:
        mins = [self.rating_min_5a, self.rating_min_4a, self.rating_min_3a, self.rating_min_2a, self.rating_min_1a]
        if any(m is None for m in mins):
            return
        if any(a <= b for a, b in itertools.pairwise(mins)):
            raise ValidationError(_("Each level must start at a higher score than the level below it."))
        if self.rating_min_5a > 1000:
            raise ValidationError({"rating_min_5a": _("The scale has 1000 points.")})

    @property
    def reminder_day_list(self) -> list[int]:
        return sorted({int(x) for x in self.reminder_days.split(",") if x.strip()}, reverse=True)

    @property
    def level_thresholds(self) -> list[tuple[str, int]]:
        """(level, minimum score), highest level first."""
        return [
            (Rating.A5, self.rating_min_5a),
            (Rating.A4, self.rating_min_4a),
            (Rating.A3, self.rating_min_3a),
            (Rating.A2, self.rating_min_2a),
            (Rating.A1, self.rating_min_1a),
        ]


class InspectionResult(models.TextChoices):
    QUALIFIED = "qualified", _("Qualified")  # 合格
    BASICALLY_QUALIFIED = "basically_qualified", _("Basically qualified")  # 基本合格
    UNQUALIFIED = "unqualified", _("Unqualified")  # 不合格


# The Chinese terms a decision may carry instead of the codes (data, not UI strings).
RESULT_BY_CHINESE = {
    "合格": InspectionResult.QUALIFIED,
    "基本合格": InspectionResult.BASICALLY_QUALIFIED,
    "不合格": InspectionResult.UNQUALIFIED,
}
RESULT_CHINESE = {v: k for k, v in RESULT_BY_CHINESE.items()}
# Results after which the next year's report must include a rectification report (整改报告).
RECTIFICATION_RESULTS = {InspectionResult.BASICALLY_QUALIFIED, InspectionResult.UNQUALIFIED}


class AnnualInspection(models.Model):
    """The result of one organization's annual inspection for one year (年检结论)."""

    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.PROTECT, related_name="annual_inspections", verbose_name=_("organization")
    )
    year = models.PositiveSmallIntegerField(_("year reported on"))
    result = models.CharField(_("result"), max_length=20, choices=InspectionResult.choices)
    reported_on = models.DateField(_("report submitted on"))
    late = models.BooleanField(_("reported after the deadline"), default=False)
    decided_on = models.DateField(_("decided on"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    filing_number = models.CharField(_("filing"), max_length=40, blank=True, help_text=_("The online filing that produced it."))
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("annual inspection")
        verbose_name_plural = _("annual inspections")
        ordering = ["-year", "organization_id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="inspection_one_per_org_year"),
            models.CheckConstraint(condition=Q(year__gte=1949), name="inspection_year_sane"),
            models.CheckConstraint(condition=Q(decided_on__gte=F("reported_on")), name="inspection_decided_after_report"),
        ]
        indexes = [models.Index(fields=["year", "result"], name="inspection_year_result_idx")]

    def __str__(self) -> str:
        return f"{self.organization} {self.year} {self.get_result_display()}"


class ReminderDeadline(models.TextChoices):
    SUPERVISOR = "supervisor", _("to the supervising unit")
    BUREAU = "bureau", _("to the bureau")


class ReminderSent(models.Model):
    """A reminder sent to an organization before an annual-report deadline. The unique key
    makes sending idempotent: the same reminder never goes out twice."""

    organization = models.ForeignKey("registry.Organization", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("year reported on"))
    deadline = models.CharField(_("deadline"), max_length=12, choices=ReminderDeadline.choices)
    days_before = models.PositiveSmallIntegerField(_("days before"))
    due_on = models.DateField(_("due on"))
    recipients = models.PositiveSmallIntegerField(_("recipients"), default=0)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("annual report reminder")
        verbose_name_plural = _("annual report reminders")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year", "deadline", "days_before"], name="reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.year} {self.deadline} -{self.days_before}"


class IndicatorScale(models.Model):
    """A rating indicator scale (评估指标体系): top-level indicators with sub-indicators, each
    with its maximum points. An assessment keeps the scale it was scored on."""

    name = models.CharField(_("name"), max_length=100)
    total_points = models.PositiveSmallIntegerField(_("total points"), default=1000)
    active = models.BooleanField(_("used for new assessments"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("indicator scale")
        verbose_name_plural = _("indicator scales")
        ordering = ["-active", "-created_at"]
        constraints = [models.UniqueConstraint(fields=["active"], condition=Q(active=True), name="one_active_scale")]

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    scale = models.ForeignKey(IndicatorScale, on_delete=models.CASCADE, related_name="indicators")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")
    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("name"), max_length=60)
    max_points = models.PositiveSmallIntegerField(_("maximum points"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["scale", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["scale", "code"], name="indicator_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class AssessmentStatus(models.TextChoices):
    SCORING = "scoring", _("Being scored")
    DECIDED = "decided", _("Decided")
    CANCELLED = "cancelled", _("Cancelled")


class RatingAssessment(models.Model):
    """One rating assessment of one organization: reviewers score it, the bureau decides the level."""

    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.PROTECT, related_name="rating_assessments", verbose_name=_("organization")
    )
    scale = models.ForeignKey(IndicatorScale, on_delete=models.PROTECT, related_name="+", verbose_name=_("indicator scale"))
    status = models.CharField(_("status"), max_length=12, choices=AssessmentStatus.choices, default=AssessmentStatus.SCORING)
    filing_number = models.CharField(_("filing"), max_length=40, blank=True, help_text=_("The online application, if any."))
    under_investigation = models.BooleanField(
        _("under investigation"), default=False, help_text=_("Being investigated by a government department or judicial authority.")
    )
    opened_on = models.DateField(_("opened on"))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reviewers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="rating_assessments", verbose_name=_("reviewers"))
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)
    level = models.CharField(_("level"), max_length=2, choices=Rating.choices, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("rating assessment")
        verbose_name_plural = _("rating assessments")
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization"], condition=Q(status="scoring"), name="one_open_assessment_per_org"),
            models.UniqueConstraint(fields=["filing_number"], condition=~Q(filing_number=""), name="assessment_filing_unique"),
            models.CheckConstraint(condition=Q(score__isnull=True) | Q(score__gte=0), name="assessment_score_positive"),
        ]
        indexes = [models.Index(fields=["status", "opened_on"], name="assessment_status_idx")]

    def __str__(self) -> str:
        return f"{self.organization} · {self.opened_on:%Y-%m-%d}"


class RatingReview(models.Model):
    """One reviewer's score sheet for one assessment."""

    assessment = models.ForeignKey(RatingAssessment, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("reviewer"))
    no_conflict_declared = models.BooleanField(_("no conflict of interest declared"), default=False)
    total = models.DecimalField(_("total"), max_digits=6, decimal_places=2)
    submitted_at = models.DateTimeField(_("submitted"), auto_now=True)

    class Meta:
        verbose_name = _("rating score sheet")
        verbose_name_plural = _("rating score sheets")
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "reviewer"], name="one_review_per_reviewer"),
            models.CheckConstraint(condition=Q(no_conflict_declared=True), name="review_declares_no_conflict"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id} {self.reviewer}"


class RatingScore(models.Model):
    review = models.ForeignKey(RatingReview, on_delete=models.CASCADE, related_name="scores")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("indicator score")
        verbose_name_plural = _("indicator scores")
        constraints = [
            models.UniqueConstraint(fields=["review", "indicator"], name="one_score_per_indicator"),
            models.CheckConstraint(condition=Q(points__gte=0), name="score_points_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}: {self.points}"
