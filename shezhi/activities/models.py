"""Volunteer activities (志愿服务活动), sign-ups, sign-in/out and service hours (志愿服务时长).

The numbers the rules use — the rounding of hours, the minimum session, the margins around
an activity in which its codes work, the star-level thresholds — are rows the bureau edits
in the admin (HoursRules, StarLevel), one set per city with a global default.

Hours are records, never a counter: a volunteer's total is the sum of their confirmed
HoursRecord rows. Each record says where it came from (sign-in/out, an administrator, the
volunteer's own submission, an import) and goes through the workflow engine
(pending → confirmed / rejected); a rejected record is kept with its reason.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _


class Rounding(models.TextChoices):
    DOWN = "down", _("Round down")
    NEAREST = "nearest", _("Round to the nearest step")
    UP = "up", _("Round up")


class HoursRules(models.Model):
    """How hours are computed from sign-in and sign-out, for one city or (city empty) the
    default. 志愿服务记录与证明出具办法 (民政部 2020) art. 8: hours are the time actually spent
    serving, excluding travel; the rounding step and the minimum are local practice."""

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
    step_hours = models.DecimalField(
        _("round to steps of (hours)"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.5"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("8"))],
    )
    rounding = models.CharField(_("rounding"), max_length=10, choices=Rounding.choices, default=Rounding.DOWN)
    minimum_hours = models.DecimalField(
        _("sessions shorter than this count nothing (hours)"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.5"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    cap_to_activity = models.BooleanField(
        _("cap hours at the activity's length"),
        default=True,
        help_text=_("Time signed in before the start or after the end of the activity does not count."),
    )
    sign_in_opens_minutes = models.PositiveSmallIntegerField(_("sign-in opens this many minutes before the start"), default=60)
    sign_out_closes_minutes = models.PositiveSmallIntegerField(_("sign-out closes this many minutes after the end"), default=120)
    self_submit_days = models.PositiveSmallIntegerField(
        _("volunteers may submit their own hours up to this many days after the activity"), default=30
    )
    note = models.TextField(_("source and notes"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("hours rules")
        verbose_name_plural = _("hours rules")
        constraints = [
            models.UniqueConstraint(Coalesce(F("city"), Value(0)), name="hours_rules_one_per_city"),
            models.CheckConstraint(condition=Q(step_hours__gt=0), name="hours_rules_step_positive"),
        ]

    def __str__(self) -> str:
        return str(self.city) if self.city_id else str(_("Default rules"))


class StarLevel(models.Model):
    """A star level reached by cumulative confirmed hours (星级志愿者). Defaults: 中国注册志愿者
    管理办法 (共青团中央 2013) art. 21 — 100, 300, 600, 1000 and 1500 hours for one to five stars."""

    stars = models.PositiveSmallIntegerField(_("stars"), unique=True, validators=[MinValueValidator(1), MaxValueValidator(10)])
    min_hours = models.DecimalField(_("from cumulative hours"), max_digits=8, decimal_places=2, validators=[MinValueValidator(0)])
    name = models.CharField(_("name"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("star level")
        verbose_name_plural = _("star levels")
        ordering = ["stars"]
        constraints = [models.UniqueConstraint(fields=["min_hours"], name="star_level_unique_hours")]

    def __str__(self) -> str:
        return self.name or "★" * self.stars


class ActivityStatus(models.TextChoices):
    OPEN = "open", _("Recruiting")  # 招募中
    CLOSED = "closed", _("Recruitment closed")  # 停止招募
    CANCELLED = "cancelled", _("Cancelled")


class Activity(models.Model):
    """A volunteer service activity (志愿服务活动) with its recruitment.

    The organizer is a volunteer organization of the registry, one of its teams (then
    `organization` is the team's organization) or a service station (then `organization` may
    be empty and the station's community staff run it)."""

    title = models.CharField(_("title"), max_length=100)
    organization = models.ForeignKey(
        "registry.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="volunteer_activities",
        verbose_name=_("organizing organization"),
    )
    team = models.ForeignKey(
        "volunteers.VolunteerTeam", on_delete=models.PROTECT, null=True, blank=True, related_name="activities", verbose_name=_("team")
    )
    station = models.ForeignKey(
        "volunteers.Station", on_delete=models.PROTECT, null=True, blank=True, related_name="activities", verbose_name=_("station")
    )
    place = models.CharField(_("place"), max_length=200)
    city = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("city"))
    town = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("town / street"))
    community = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("community")
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    headcount = models.PositiveIntegerField(_("volunteers needed"), validators=[MinValueValidator(1), MaxValueValidator(10000)])
    requirements = models.TextField(_("requirements"), blank=True)
    description = models.TextField(_("description"), blank=True)
    contact = models.CharField(_("contact"), max_length=60, blank=True)
    status = models.CharField(_("recruitment"), max_length=10, choices=ActivityStatus.choices, default=ActivityStatus.OPEN)
    # Places taken, kept under the activity's row lock with each sign-up and cancellation
    # (see services.signup_create), so that "full" is one read, not a count.
    places_taken = models.PositiveIntegerField(_("places taken"), default=0, editable=False)
    # Codes shown by the organizer for sign-in and sign-out (one per direction).
    sign_in_code = models.CharField(_("sign-in code"), max_length=8, editable=False)
    sign_out_code = models.CharField(_("sign-out code"), max_length=8, editable=False)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("volunteer activity")
        verbose_name_plural = _("volunteer activities")
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["status", "starts_at"], name="activity_status_start_idx"),
            models.Index(fields=["town", "starts_at"], name="activity_town_start_idx"),
            models.Index(fields=["city", "starts_at"], name="activity_city_start_idx"),
            models.Index(fields=["organization", "starts_at"], name="activity_org_start_idx"),
            models.Index(fields=["station", "starts_at"], name="activity_station_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="activity_ends_after_start"),
            models.CheckConstraint(condition=Q(places_taken__lte=F("headcount")), name="activity_not_overfull"),
            models.CheckConstraint(condition=Q(organization__isnull=False) | Q(station__isnull=False), name="activity_has_organizer"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def organizer_label(self) -> str:
        if self.team_id:
            return f"{self.organization} · {self.team.name}" if self.organization_id else self.team.name
        if self.organization_id:
            return str(self.organization)
        return self.station.name if self.station_id else ""

    @property
    def length_hours(self) -> Decimal:
        seconds = (self.ends_at - self.starts_at).total_seconds()
        return (Decimal(int(seconds)) / Decimal(3600)).quantize(Decimal("0.01"))

    @property
    def places_left(self) -> int:
        return max(self.headcount - self.places_taken, 0)

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The activity must end after it starts.")})
        if self.starts_at and self.ends_at and self.ends_at - self.starts_at > dt.timedelta(days=31):
            raise ValidationError({"ends_at": _("An activity lasts at most 31 days; record longer service as several activities.")})
        if self.headcount is not None and self.places_taken > self.headcount:
            raise ValidationError({"headcount": _("%(n)s volunteers have places already.") % {"n": self.places_taken}})


class SignUpStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Place confirmed")
    WAITING = "waiting", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class SignUp(models.Model):
    """A volunteer's sign-up for an activity (报名), with their sign-in and sign-out times."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups", verbose_name=_("activity"))
    volunteer = models.ForeignKey(
        "volunteers.Volunteer", on_delete=models.PROTECT, related_name="activity_signups", verbose_name=_("volunteer")
    )
    status = models.CharField(_("status"), max_length=10, choices=SignUpStatus.choices)
    signed_up_at = models.DateTimeField(_("signed up"))
    promoted_at = models.DateTimeField(_("moved up from the waiting list"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    signed_in_at = models.DateTimeField(_("signed in"), null=True, blank=True)
    signed_out_at = models.DateTimeField(_("signed out"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["signed_up_at", "id"]
        constraints = [
            # One live sign-up per volunteer and activity; cancelled ones stay as history.
            models.UniqueConstraint(
                fields=["activity", "volunteer"], condition=~Q(status="cancelled"), name="signup_one_live_per_volunteer"
            ),
            models.CheckConstraint(
                condition=Q(signed_out_at__isnull=True) | Q(signed_in_at__isnull=False, signed_out_at__gte=F("signed_in_at")),
                name="signup_out_after_in",
            ),
        ]
        indexes = [
            models.Index(fields=["activity", "status", "signed_up_at"], name="signup_queue_idx"),
            models.Index(fields=["volunteer", "status"], name="signup_volunteer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id}/{self.volunteer_id} {self.status}"


class HoursSource(models.TextChoices):
    CHECKIN = "checkin", _("Sign-in and sign-out")
    ADMIN = "admin", _("Added by an administrator")
    SELF = "self", _("Submitted by the volunteer")
    IMPORTED = "imported", _("Imported")


class HoursStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class HoursRecord(models.Model):
    """One service record (志愿服务记录): who served, when, for how long, what, recorded by
    which organization. Only confirmed records count towards totals, star levels and
    certificates."""

    volunteer = models.ForeignKey(
        "volunteers.Volunteer", on_delete=models.PROTECT, related_name="hours_records", verbose_name=_("volunteer")
    )
    activity = models.ForeignKey(
        Activity, on_delete=models.PROTECT, null=True, blank=True, related_name="hours_records", verbose_name=_("activity")
    )
    signup = models.ForeignKey(
        SignUp, on_delete=models.SET_NULL, null=True, blank=True, related_name="hours_records", verbose_name=_("sign-up")
    )
    organization = models.ForeignKey(
        "registry.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="volunteer_hours_records",
        verbose_name=_("recording organization"),
    )
    # The service station that recorded it, for station activities (the organization above is
    # then the station's operator, if it has one).
    station = models.ForeignKey(
        "volunteers.Station",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hours_records",
        verbose_name=_("recording station"),
    )
    served_on = models.DateField(_("served on"))
    hours = models.DecimalField(
        _("hours"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("9999"))]
    )
    source = models.CharField(_("source"), max_length=10, choices=HoursSource.choices)
    status = models.CharField(_("status"), max_length=10, choices=HoursStatus.choices, default=HoursStatus.PENDING)
    content = models.CharField(_("service content"), max_length=300)
    started_at = models.DateTimeField(_("signed in"), null=True, blank=True)
    ended_at = models.DateTimeField(_("signed out"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("recorded by")
    )
    submitted_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("service hours record")
        verbose_name_plural = _("service hours records")
        ordering = ["-served_on", "-id"]
        indexes = [
            models.Index(fields=["volunteer", "status", "served_on"], name="hours_volunteer_idx"),
            models.Index(fields=["status", "served_on"], name="hours_status_date_idx"),
            models.Index(fields=["activity", "status"], name="hours_activity_idx"),
            models.Index(fields=["organization", "status", "served_on"], name="hours_org_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="hours_positive"),
            models.CheckConstraint(condition=~Q(status="rejected") | ~Q(reason=""), name="hours_rejected_has_reason"),
            # Sign-in/out gives one record per sign-up (a pending or confirmed one).
            models.UniqueConstraint(
                fields=["signup"], condition=Q(source="checkin") & ~Q(status="rejected"), name="hours_one_checkin_per_signup"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer_id} {self.served_on} {self.hours}h"


class IssuerProfile(models.Model):
    """Who signs an organization's or a station's volunteer service certificates: the person
    in charge (负责人), the handler (经办人) and the contact (联系方式). 志愿服务记录与证明出具办法
    art. 14: a certificate names them."""

    organization = models.OneToOneField(
        "registry.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="certificate_issuer",
        verbose_name=_("organization"),
    )
    station = models.OneToOneField(
        "volunteers.Station",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="certificate_issuer",
        verbose_name=_("station"),
    )
    person_in_charge = models.CharField(_("person in charge"), max_length=40)
    handler = models.CharField(_("handler"), max_length=40)
    contact = models.CharField(_("contact phone"), max_length=40)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("certificate signatories")
        verbose_name_plural = _("certificate signatories")
        constraints = [
            models.CheckConstraint(
                condition=Q(organization__isnull=False, station__isnull=True) | Q(organization__isnull=True, station__isnull=False),
                name="issuer_profile_one_issuer",
            ),
        ]

    def __str__(self) -> str:
        return str(self.organization or self.station)


class ServiceCertificate(models.Model):
    """A volunteer service record certificate (志愿服务记录证明) as issued: the period, the
    issuer, the total and the records behind it. The PDF and its verification code are the
    Document it points to."""

    volunteer = models.ForeignKey(
        "volunteers.Volunteer", on_delete=models.PROTECT, related_name="service_certificates", verbose_name=_("volunteer")
    )
    organization = models.ForeignKey(
        "registry.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="volunteer_certificates",
        verbose_name=_("issuing organization"),
    )
    station = models.ForeignKey(
        "volunteers.Station",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="volunteer_certificates",
        verbose_name=_("issuing station"),
    )
    issuer_name = models.CharField(_("issued by"), max_length=100)
    period_from = models.DateField(_("service from"))
    period_to = models.DateField(_("service until"))
    total_hours = models.DecimalField(_("total hours"), max_digits=8, decimal_places=2)
    records = models.ManyToManyField(HoursRecord, related_name="certificates", verbose_name=_("service records"))
    person_in_charge = models.CharField(_("person in charge"), max_length=40)
    handler = models.CharField(_("handler"), max_length=40)
    contact = models.CharField(_("contact phone"), max_length=40)
    document = models.OneToOneField(
        "documents.Document", on_delete=models.PROTECT, related_name="volunteer_certificate", verbose_name=_("document")
    )
    issued_on = models.DateField(_("issued on"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("requested by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("volunteer service certificate")
        verbose_name_plural = _("volunteer service certificates")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(period_to__gte=F("period_from")), name="certificate_period_order"),
            models.CheckConstraint(condition=Q(organization__isnull=False) | Q(station__isnull=False), name="certificate_has_issuer"),
        ]

    def __str__(self) -> str:
        return self.document.number if self.document_id else f"certificate {self.pk}"
