from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    ACCEPTANCE = "acceptance", _("Acceptance notice")  # 受理通知书
    CORRECTION = "correction", _("Notice to supply materials")  # 补正材料通知书
    NON_ACCEPTANCE = "non_acceptance", _("Notice of non-acceptance")  # 不予受理通知书
    APPROVAL = "approval", _("Approval decision")  # 准予（登记）决定书
    REFUSAL = "refusal", _("Refusal decision")  # 不予（登记）决定书
    FILING_CERTIFICATE = "filing_certificate", _("Filing certificate")  # 备案证明
    LIST_DECISION = "list_decision", _("Credit list decision")  # 列入/移出名录决定书
    PENALTY_DECISION = "penalty_decision", _("Administrative penalty decision")  # 行政处罚决定书
    RECTIFICATION_ORDER = "rectification_order", _("Rectification order")  # 责令整改通知书
    VOLUNTEER_CERTIFICATE = "volunteer_certificate", _("Volunteer service record certificate")  # 志愿服务记录证明


# The character in a document number that says what kind of document it is (社受〔2026〕12号).
NUMBER_MARK = {
    DocumentKind.ACCEPTANCE: "受",
    DocumentKind.CORRECTION: "补",
    DocumentKind.NON_ACCEPTANCE: "不受",
    DocumentKind.APPROVAL: "准",
    DocumentKind.REFUSAL: "不准",
    DocumentKind.FILING_CERTIFICATE: "备",
    DocumentKind.LIST_DECISION: "信",
    DocumentKind.PENALTY_DECISION: "罚",
    DocumentKind.RECTIFICATION_ORDER: "改",
    DocumentKind.VOLUNTEER_CERTIFICATE: "志",
}


class Document(models.Model):
    """A notice or decision issued as PDF. Its content is fixed when issued; the PDF is kept
    as issued, and the public can check it by its verification code."""

    kind = models.CharField(_("kind"), max_length=30, choices=DocumentKind.choices)
    number = models.CharField(_("document number"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=60)
    issued_on = models.DateField(_("issued on"))
    authority_name = models.CharField(_("issued by"), max_length=60)
    addressee = models.CharField(_("addressed to"), max_length=200)
    body = models.JSONField(_("text"), default=list)
    # What the verification page shows: facts of the decision without personal data.
    public_facts = models.JSONField(_("public facts"), default=list)
    verification_code = models.CharField(_("verification code"), max_length=16, unique=True)
    file = models.CharField(_("file"), max_length=200, blank=True)
    subject_type = models.CharField(max_length=60, blank=True)
    subject_id = models.CharField(max_length=40, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="document_subject_idx")]

    def __str__(self) -> str:
        return f"{self.title} {self.number}"


class DocumentSequence(models.Model):
    """The last number issued per kind and year; the row is locked while a number is taken."""

    kind = models.CharField(max_length=30, choices=DocumentKind.choices)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="document_sequence_unique")]
