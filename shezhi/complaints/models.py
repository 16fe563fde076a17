"""Complaints and reports from the public (投诉举报) about social organizations.

Anyone may complain, anonymously or with a name and phone. A complaint is routed to the
staff of its area (the town of the organization, with the city bureau overseeing), must be
answered within a time limit counted in working days, and ends in an outcome. The
complainant follows it with a tracking number and a query code that is shown once.

The categories, the outcomes and the numbers of the rules are rows the bureau edits in the
admin (data migration 0002 seeds the defaults).
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shezhi.privacy import EncryptedCharField


def _valid_day_list(value: str) -> None:
    if not re.fullmatch(r"\s*\d{1,2}(\s*,\s*\d{1,2})*\s*", value or ""):
        raise ValidationError(_("List whole numbers of working days separated by commas, e.g. 3,1."))


class ComplaintRules(models.Model):
    """The numbers of the complaint rules for one city, or the default when `city` is empty.

    The default answer time of 15 working days is the promise the issue asks for; the
    bureau sets its own (the 信访 rules allow longer, so this is a promise, not the law).
    The throttle numbers keep a flood of submissions from one address out of the queue.
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
    answer_workdays = models.PositiveSmallIntegerField(
        _("answer within (working days)"), default=15, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    remind_workdays = models.CharField(
        _("remind the handling office this many working days before the due date"),
        max_length=40,
        default="3,1",
        validators=[_valid_day_list],
    )
    max_attachments = models.PositiveSmallIntegerField(
        _("attachments per complaint, at most"), default=3, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    max_per_address_hour = models.PositiveSmallIntegerField(
        _("complaints from one network address per hour, at most"),
        default=10,
        validators=[MinValueValidator(1)],
        help_text=_("Offices behind one gateway share an address: keep this generous."),
    )
    max_per_address_day = models.PositiveSmallIntegerField(
        _("complaints from one network address per day, at most"), default=30, validators=[MinValueValidator(1)]
    )
    max_per_session_hour = models.PositiveSmallIntegerField(
        _("complaints from one browser session per hour, at most"), default=3, validators=[MinValueValidator(1)]
    )
    max_failed_lookups_hour = models.PositiveSmallIntegerField(
        _("wrong tracking codes from one address per hour, at most"), default=10, validators=[MinValueValidator(1)]
    )
    note = models.TextField(_("source and notes"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("complaint rules")
        verbose_name_plural = _("complaint rules")
        constraints = [
            models.UniqueConstraint(Coalesce(F("city"), Value(0)), name="complaint_rules_one_per_city"),
            models.CheckConstraint(condition=Q(answer_workdays__gte=1), name="complaint_rules_answer_positive"),
        ]

    def __str__(self) -> str:
        return str(self.city) if self.city_id else gettext("Default rules")

    @property
    def remind_list(self) -> list[int]:
        return sorted({int(x) for x in self.remind_workdays.split(",") if x.strip()}, reverse=True)


class ComplaintCategory(models.Model):
    """What a complaint is about (违规收费, 违法募捐, ...): data the bureau maintains."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=40, unique=True)
    active = models.BooleanField(_("offered on the form"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("complaint category")
        verbose_name_plural = _("complaint categories")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name


class ComplaintOutcome(models.Model):
    """How a complaint ended (查实并处理, 部分属实, 不属实, 转交其他部门, ...)."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=40, unique=True)
    action_required = models.BooleanField(
        _("needs a reference to the action taken"),
        default=False,
        help_text=_("E.g. the number of the penalty decision or rectification order that followed."),
    )
    active = models.BooleanField(_("offered when closing"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("complaint outcome")
        verbose_name_plural = _("complaint outcomes")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("Received")  # 已收到
    ACCEPTED = "accepted", _("Accepted")  # 已受理
    NOT_ACCEPTED = "not_accepted", _("Not accepted")  # 不予受理
    INVESTIGATING = "investigating", _("Under investigation")  # 调查核实中
    ANSWERED = "answered", _("Answered")  # 已答复
    CLOSED = "closed", _("Closed")  # 已办结


# The time limit runs (and the complaint can be overdue) in these states.
OPEN_STATUSES = (ComplaintStatus.RECEIVED, ComplaintStatus.ACCEPTED, ComplaintStatus.INVESTIGATING)
FINAL_STATUSES = (ComplaintStatus.NOT_ACCEPTED, ComplaintStatus.CLOSED)


class Complaint(models.Model):
    """One complaint or report. The contact is personal data: encrypted at rest, masked on
    screen, and shown in full only through an audited step."""

    number = models.CharField(_("tracking number"), max_length=20, unique=True)
    code_hash = models.CharField(max_length=128, editable=False)
    organization = models.ForeignKey(
        "registry.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("organization"),
    )
    organization_name = models.CharField(_("organization named"), max_length=100)
    city = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("city"))
    town = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("town / street"))
    handling_area = models.ForeignKey(
        "areas.Area",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("handling office"),
        help_text=_("The town whose officers handle it, or the city when the bureau handles it itself."),
    )
    category = models.ForeignKey(ComplaintCategory, on_delete=models.PROTECT, related_name="+", verbose_name=_("category"))
    description = models.TextField(_("what happened"))
    anonymous = models.BooleanField(_("anonymous"), default=True)
    contact_name = EncryptedCharField(_("contact name"), blank=True)
    contact_phone = EncryptedCharField(_("contact phone"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
        help_text=_("Only for a named complaint sent while signed in; an anonymous one keeps no account."),
    )
    status = models.CharField(_("status"), max_length=20, choices=ComplaintStatus.choices, default=ComplaintStatus.RECEIVED)
    received_on = models.DateField(_("received on"))
    due_on = models.DateField(_("answer due by"))
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for not accepting"), blank=True)
    reply = models.TextField(_("answer to the complainant"), blank=True)
    outcome = models.ForeignKey(
        ComplaintOutcome, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("outcome")
    )
    action_reference = models.CharField(
        _("action taken"), max_length=200, blank=True, help_text=_("E.g. a penalty decision number or a rectification order.")
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["city", "status", "due_on"], name="complaint_city_status_idx"),
            models.Index(fields=["handling_area", "status", "due_on"], name="complaint_office_status_idx"),
            models.Index(fields=["city", "town", "-received_on"], name="complaint_town_idx"),
            models.Index(fields=["organization", "-received_on"], name="complaint_org_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(anonymous=False) | Q(contact_name="", contact_phone="", submitted_by__isnull=True),
                name="complaint_anonymous_keeps_no_contact",
            ),
            models.CheckConstraint(condition=~Q(status="closed") | Q(outcome__isnull=False), name="complaint_closed_has_outcome"),
            models.CheckConstraint(condition=Q(due_on__gte=F("received_on")), name="complaint_due_after_receipt"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today) -> bool:
        """Not answered (nor decided) and the due date has passed: the due date itself is still on time."""
        return self.status in OPEN_STATUSES and self.due_on < today

    @property
    def answered_late(self) -> bool:
        return bool(self.answered_on and self.answered_on > self.due_on)


def office_label(area) -> str:
    """The name of the office behind an area, as the public sees it: the bureau for a city,
    the town or street for a town. Never a person."""
    if area is None:
        return ""
    if area.level == "city":
        return area.authority_name or gettext("%(city)s civil affairs bureau") % {"city": area.name}
    return area.name


class ComplaintAttachment(models.Model):
    """A file sent with a complaint (PDF, PNG or JPEG, checked from its bytes), stored under
    MEDIA_ROOT/complaints and served only to the staff handling it."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("complaint"))
    original_name = models.CharField(_("file name"), max_length=200)
    stored_name = models.CharField(max_length=200, unique=True)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class ComplaintReminder(models.Model):
    """A reminder sent about a complaint (before the due date, or once overdue). The unique
    key makes the daily job idempotent: each reminder goes out once."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="reminders")
    stage = models.CharField(_("stage"), max_length=20)  # "before-3", "before-1", "overdue"
    due_on = models.DateField(_("due on"))
    recipients = models.PositiveSmallIntegerField(_("recipients"), default=0)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("complaint reminder")
        verbose_name_plural = _("complaint reminders")
        ordering = ["-sent_at"]
        constraints = [models.UniqueConstraint(fields=["complaint", "stage"], name="complaint_reminder_once")]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.stage}"


class SubmissionMark(models.Model):
    """One submission from a network address, kept a day or two for the throttle. It holds a
    keyed hash of the address and the time only — nothing that links it to the complaint, so
    an anonymous complaint stays anonymous here."""

    key = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["key", "at"], name="complaint_mark_idx")]
