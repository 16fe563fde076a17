from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    """Every kind of event the audit log records. Add here, never free text."""

    AREA_CREATED = "area.created", _("Area created")
    AREA_CHANGED = "area.changed", _("Area changed")
    AREAS_IMPORTED = "area.imported", _("Areas imported")
    USER_CREATED = "user.created", _("Account created")
    USER_CHANGED = "user.changed", _("Account changed")
    LOGIN = "user.login", _("Logged in")
    LOGIN_FAILED = "user.login_failed", _("Failed log-in")
    ORG_CREATED = "organization.created", _("Organization registered")
    ORG_FILED = "organization.filed", _("Community organization filed")
    ORG_CHANGED = "organization.changed", _("Organization changed")
    ORG_STATUS_CHANGED = "organization.status_changed", _("Organization status changed")
    ORG_IMPORTED = "organization.imported", _("Organizations imported")
    ORG_EXPORTED = "organization.exported", _("Organizations exported")
    PERSONAL_DATA_VIEWED = "personal_data.viewed", _("Full personal data viewed")
    WORKFLOW_STEP = "workflow.step", _("Workflow step")
    INSPECTION_RECORDED = "inspection.recorded", _("Annual inspection result recorded")
    RATING_OPENED = "rating.opened", _("Rating assessment opened")
    RATING_REVIEWERS_CHANGED = "rating.reviewers_changed", _("Rating reviewers changed")
    RATING_SCORED = "rating.scored", _("Rating scores entered")
    RECORD_CREATED = "record.created", _("Record created")
    RECORD_CHANGED = "record.changed", _("Record changed")
    RECORD_PUBLISHED = "record.published", _("Record published")
    CREDIT_PROPOSED = "credit.proposed", _("Credit list case proposed")
    CREDIT_LISTED = "credit.listed", _("Entered on a credit list")
    CREDIT_REMOVED = "credit.removed", _("Removed from a credit list")
    PENALTY_RECORDED = "penalty.recorded", _("Administrative penalty recorded")
    SPOTCHECK_DRAWN = "spotcheck.drawn", _("Spot-check sample drawn")
    SPOTCHECK_RECORDED = "spotcheck.recorded", _("Spot-check findings recorded")
    RECTIFICATION_ORDERED = "rectification.ordered", _("Rectification ordered")
    COMPLAINT_RECEIVED = "complaint.received", _("Complaint received")
    CHARITY_DISCLOSED = "charity.disclosed", _("Charity disclosure published")
    TAX_STATUS_DECIDED = "tax_status.decided", _("Tax-deductible status decided")
    PARTY_STATUS_CHANGED = "party.status_changed", _("Party organization status changed")
    PLACE_SAVED = "place.saved", _("Place saved")
    VOLUNTEER_REGISTERED = "volunteer.registered", _("Volunteer registered")
    VOLUNTEER_CHANGED = "volunteer.changed", _("Volunteer changed")
    VOLUNTEERS_MERGED = "volunteer.merged", _("Volunteer records merged")
    VOLUNTEERS_IMPORTED = "volunteer.imported", _("Volunteers imported")
    HOURS_RECORDED = "hours.recorded", _("Volunteer hours recorded")
    HOURS_DECIDED = "hours.decided", _("Volunteer hours confirmed or rejected")


class AuditEntry(models.Model):
    """One append-only line of the audit log: who, when, what (old → new), why, from where.

    Rows are never updated or deleted; the migration installs database triggers that
    refuse both, so not even a raw query or the admin can rewrite history.
    """

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("actor")
    )
    actor_label = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=40, choices=AuditAction.choices)
    target_type = models.CharField(_("target type"), max_length=60, blank=True)
    target_id = models.CharField(_("target id"), max_length=40, blank=True)
    target_label = models.CharField(_("target"), max_length=300, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    source = models.CharField(
        _("source"), max_length=100, blank=True, help_text=_("What caused the change, e.g. an import job or a filing.")
    )
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id", "at"], name="audit_target_idx"),
            models.Index(fields=["actor", "at"], name="audit_actor_idx"),
            models.Index(fields=["action", "at"], name="audit_action_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.get_action_display()} {self.target_label}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("audit entries are append-only")
