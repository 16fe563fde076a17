"""Charity organizations (慈善组织): the rules as data, fundraising campaigns, disclosures
(慈善组织信息公开) and the records behind tax-deductible donation status (公益性捐赠税前扣除资格).

Recognition and the public-fundraising qualification are procedures of the online-affairs
workflow (shezhi.affairs, see hooks.py); their result is written to the registry
(Organization.is_charity, charity_recognized_on, public_fundraising). Tax-deductible years
are registry rows (registry.TaxDeductibleYear) written by the bureau's confirmation here.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

MONTH_DAY = RegexValidator(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$", _("Write the date as MM-DD, e.g. 05-31."))


def _valid_month_day(value: str) -> None:
    import datetime as dt

    MONTH_DAY(value)
    month, day = (int(x) for x in value.split("-"))
    try:
        dt.date(2024, month, day)  # a leap year: 02-29 is allowed (it falls on 02-28 in other years)
    except ValueError:
        raise ValidationError(_("%(value)s is not a day of the year.") % {"value": value}) from None


def _valid_day_list(value: str) -> None:
    if not re.fullmatch(r"\s*\d{1,3}(\s*,\s*\d{1,3})*\s*", value or ""):
        raise ValidationError(_("List whole numbers of days separated by commas, e.g. 30,7,1."))


def _day_list(value: str) -> list[int]:
    return sorted({int(x) for x in (value or "").split(",") if x.strip()}, reverse=True)


class CityRules(models.Model):
    """One row per city, plus one global default (city empty)."""

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
    note = models.TextField(_("source and notes"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return str(self.city) if self.city_id else str(_("Default rules"))


class DisclosureRules(CityRules):
    """The numbers of the disclosure rules (慈善组织信息公开办法, 民政部令第61号, and 慈善法
    art. 77–80 as amended in 2023). Defaults:

    - the annual work report and the financial statements of a year are published by 31 May
      of the next year — the same day the annual report reaches the bureau (DESIGN.md only
      says "each year"; 31 May is the date the national rules use for the yearly report);
    - a fundraising campaign or charity project running more than six months reports at
      least every three months, and in full within three months of its end;
    - a major asset change, investment or related-party transaction is published within
      30 days.
    """

    annual_due = models.CharField(
        _("annual work report and financial statements: publish by (MM-DD of the next year)"),
        max_length=5,
        default="05-31",
        validators=[_valid_month_day],
    )
    long_campaign_months = models.PositiveSmallIntegerField(
        _("campaigns running more than this many months report periodically"), default=6, validators=[MinValueValidator(1)]
    )
    campaign_report_every_months = models.PositiveSmallIntegerField(
        _("periodic campaign report every (months)"), default=3, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    final_report_months = models.PositiveSmallIntegerField(
        _("final campaign report within (months of the end)"), default=3, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    major_transaction_days = models.PositiveSmallIntegerField(
        _("major transactions: publish within (days)"), default=30, validators=[MinValueValidator(1)]
    )
    reminder_days = models.CharField(
        _("remind organizations this many days before a due date"), max_length=40, default="30,7,1", validators=[_valid_day_list]
    )
    track_from_year = models.PositiveSmallIntegerField(
        _("annual disclosures tracked from year"),
        null=True,
        blank=True,
        help_text=_("Years before this one are not listed as obligations (the system holds no records of them). Empty: from recognition."),
    )

    class Meta:
        verbose_name = _("disclosure rules")
        verbose_name_plural = _("disclosure rules")
        constraints = [models.UniqueConstraint(Coalesce(F("city"), Value(0)), name="disclosure_rules_one_per_city")]

    @property
    def reminder_day_list(self) -> list[int]:
        return _day_list(self.reminder_days)


class CharityRules(CityRules):
    """The charity-specific numbers of recognition, the public-fundraising qualification and
    tax-deductible donation status. The credit conditions of the three (lists, penalties,
    years registered, rating) are the credit section's EligibilityRule rows, purposes
    "charity_recognition", "public_fundraising" and "tax_deductible". Defaults:

    - recognition and the fundraising qualification are decided within 20 days of
      acceptance (慈善法 art. 10 and 22: "自受理申请之日起二十日内作出决定" — calendar days;
      the online-affairs procedure counts working days, see the data migration);
    - the fundraising qualification also needs the charity's disclosures up to date
      (慈善组织公开募捐管理办法: "依法履行信息公开义务");
    - tax-deductible status is valid three years (财政部 税务总局 民政部公告2020年第27号)
      and needs the audited special report of the year before the first year.
    """

    decision_days = models.PositiveSmallIntegerField(
        _("recognition and fundraising qualification decided within (calendar days of acceptance)"), default=20
    )
    fundraising_requires_disclosures = models.BooleanField(
        _("public fundraising qualification: no disclosure may be late"),
        default=True,
        help_text=_("慈善组织公开募捐管理办法: the charity must have met its disclosure duties."),
    )
    tax_valid_years = models.PositiveSmallIntegerField(
        _("tax-deductible status valid for (years, the first included)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    tax_report_years = models.PositiveSmallIntegerField(
        _("tax-deductible status: audited special reports required for this many years before"),
        default=1,
        validators=[MinValueValidator(0), MaxValueValidator(5)],
    )

    class Meta:
        verbose_name = _("charity rules")
        verbose_name_plural = _("charity rules")
        constraints = [models.UniqueConstraint(Coalesce(F("city"), Value(0)), name="charity_rules_one_per_city")]


# --- fundraising campaigns -----------------------------------------------------------------


class CampaignKind(models.TextChoices):
    PUBLIC = "public", _("Public fundraising")  # 公开募捐
    DIRECTED = "directed", _("Directed fundraising")  # 定向募捐


class FundraisingCampaign(models.Model):
    """A fundraising campaign or charity project whose progress the charity must publish."""

    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.PROTECT, related_name="fundraising_campaigns", verbose_name=_("organization")
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=CampaignKind.choices, default=CampaignKind.PUBLIC)
    record_number = models.CharField(
        _("record number"), max_length=60, blank=True, help_text=_("备案编号 of the public fundraising plan.")
    )  # 备案编号
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    purpose = models.TextField(_("purpose"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("fundraising campaign")
        verbose_name_plural = _("fundraising campaigns")
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["organization", "-starts_on"], name="campaign_org_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="campaign_ends_after_start"),
            models.CheckConstraint(condition=Q(kind="directed") | ~Q(record_number=""), name="campaign_public_has_record_number"),
            models.UniqueConstraint(fields=["record_number"], condition=~Q(record_number=""), name="campaign_record_number_unique"),
        ]

    def __str__(self) -> str:
        return self.name


# --- disclosures ---------------------------------------------------------------------------


class DisclosureKind(models.TextChoices):
    ANNUAL_WORK_REPORT = "annual_work_report", _("Annual work report")  # 年度工作报告
    FINANCIAL_STATEMENTS = "financial_statements", _("Financial statements")  # 财务会计报告
    CAMPAIGN_QUARTERLY = "campaign_quarterly", _("Campaign progress report")  # 募捐/项目情况（每三个月）
    CAMPAIGN_FINAL = "campaign_final", _("Campaign final report")  # 结束后全面公开
    MAJOR_TRANSACTION = "major_transaction", _("Major transaction")  # 重大资产变动、投资、关联交易


ANNUAL_KINDS = (DisclosureKind.ANNUAL_WORK_REPORT, DisclosureKind.FINANCIAL_STATEMENTS)
CAMPAIGN_KINDS = (DisclosureKind.CAMPAIGN_QUARTERLY, DisclosureKind.CAMPAIGN_FINAL)


class TransactionKind(models.TextChoices):
    ASSET = "asset", _("Major change of assets")  # 重大资产变动
    INVESTMENT = "investment", _("Major investment")  # 重大投资
    RELATED_PARTY = "related_party", _("Related-party transaction")  # 关联交易


class DisclosureStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class PublishedDisclosureError(ValidationError):
    """A published disclosure is never changed: publish a correction instead."""


class Disclosure(models.Model):
    """One item a charity publishes (慈善组织信息公开).

    A draft belongs to the organization until it is published; a published item is never
    changed or deleted — save() and delete() refuse, and a database trigger refuses any
    UPDATE of a published row, whatever code runs (migrations/0003). A mistake is put right
    by a correction: a new published item whose `corrects` points at the item it corrects.
    """

    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.PROTECT, related_name="charity_disclosures", verbose_name=_("organization")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=DisclosureKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=DisclosureStatus.choices, default=DisclosureStatus.DRAFT)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    campaign = models.ForeignKey(
        FundraisingCampaign, on_delete=models.PROTECT, null=True, blank=True, related_name="disclosures", verbose_name=_("campaign")
    )
    period_number = models.PositiveSmallIntegerField(_("report number"), null=True, blank=True)
    transaction_kind = models.CharField(_("transaction"), max_length=16, choices=TransactionKind.choices, blank=True)
    transaction_date = models.DateField(_("transaction date"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    attachment_name = models.CharField(_("attachment"), max_length=200, blank=True)
    attachment_stored = models.CharField(max_length=200, blank=True)
    attachment_type = models.CharField(max_length=40, blank=True)
    attachment_size = models.PositiveIntegerField(null=True, blank=True)
    attachment_sha256 = models.CharField(max_length=64, blank=True)
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections", verbose_name=_("corrects")
    )
    # Empty only for items written by the system (demo data); every page and service sets it.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("written by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("published by")
    )

    class Meta:
        verbose_name = _("charity disclosure")
        verbose_name_plural = _("charity disclosures")
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "status", "kind"], name="disclosure_org_idx"),
            models.Index(fields=["status", "-published_at"], name="disclosure_published_idx"),
            models.Index(fields=["campaign", "kind"], name="disclosure_campaign_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft", published_at__isnull=True, published_by__isnull=True)
                | Q(status="published", published_at__isnull=False),
                name="disclosure_published_fields",
            ),
            models.CheckConstraint(condition=~Q(kind__in=ANNUAL_KINDS) | Q(year__isnull=False), name="disclosure_annual_has_year"),
            models.CheckConstraint(
                condition=~Q(kind__in=CAMPAIGN_KINDS) | Q(campaign__isnull=False), name="disclosure_campaign_report_has_campaign"
            ),
            models.CheckConstraint(
                condition=~Q(kind="campaign_quarterly") | Q(period_number__gte=1), name="disclosure_quarterly_has_period"
            ),
            models.CheckConstraint(
                condition=~Q(kind="major_transaction") | (Q(transaction_date__isnull=False) & ~Q(transaction_kind="")),
                name="disclosure_transaction_has_date",
            ),
            # One original item per obligation; corrections are as many as needed.
            models.UniqueConstraint(
                fields=["organization", "kind", "year"],
                condition=Q(corrects__isnull=True, kind__in=ANNUAL_KINDS),
                name="disclosure_one_annual_per_year",
            ),
            models.UniqueConstraint(
                fields=["campaign", "period_number"],
                condition=Q(corrects__isnull=True, kind="campaign_quarterly"),
                name="disclosure_one_report_per_period",
            ),
            models.UniqueConstraint(
                fields=["campaign"], condition=Q(corrects__isnull=True, kind="campaign_final"), name="disclosure_one_final_per_campaign"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if self._stored_published():
            raise PublishedDisclosureError(_("A published disclosure cannot be changed; publish a correction instead."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._stored_published():
            raise PublishedDisclosureError(_("A published disclosure cannot be deleted; publish a correction instead."))
        return super().delete(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.status == DisclosureStatus.PUBLISHED

    @property
    def is_correction(self) -> bool:
        return self.corrects_id is not None

    @property
    def published_on(self):
        from django.utils import timezone

        return timezone.localdate(self.published_at) if self.published_at else None

    @property
    def late(self) -> bool:
        """Published after its due date (a correction has no due date)."""
        return bool(self.published_at and self.due_on and self.published_on > self.due_on)

    def _stored_published(self) -> bool:
        return self.pk is not None and type(self).objects.filter(pk=self.pk, status=DisclosureStatus.PUBLISHED).exists()


class DisclosureNotice(models.Model):
    """A reminder before a due date, or the flag that an item is late, as sent by the daily
    job. The unique key makes the job idempotent: each goes out once."""

    LATE = "late"

    organization = models.ForeignKey("registry.Organization", on_delete=models.CASCADE, related_name="+")
    obligation = models.CharField(_("obligation"), max_length=80)
    stage = models.CharField(_("stage"), max_length=8, help_text=_("Days before the due date, or “late”."))
    due_on = models.DateField(_("due on"))
    sent_on = models.DateField(_("sent on"))
    recipients = models.PositiveSmallIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("disclosure reminder")
        verbose_name_plural = _("disclosure reminders")
        ordering = ["-sent_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["organization", "obligation", "stage"], name="disclosure_notice_once")]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.obligation} {self.stage}"


# --- tax-deductible donation status ---------------------------------------------------------


class TaxSpecialReport(models.Model):
    """The audited special report (审计专项报告) on one year that tax-deductible status
    requires, recorded by the organization or the bureau."""

    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.PROTECT, related_name="tax_special_reports", verbose_name=_("organization")
    )
    year = models.PositiveSmallIntegerField(_("year audited"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    auditor = models.CharField(_("audit firm"), max_length=100)
    report_number = models.CharField(_("report number"), max_length=60, blank=True)
    report_date = models.DateField(_("report date"))
    summary = models.TextField(_("summary"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("audited special report")
        verbose_name_plural = _("audited special reports")
        ordering = ["-year", "organization_id"]
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="tax_report_one_per_year")]

    def __str__(self) -> str:
        return f"{self.organization} {self.year}"


class TaxOutcome(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    REFUSED = "refused", _("Refused")


class TaxStatusDecision(models.Model):
    """The bureau's decision on tax-deductible donation status from a year on, with the rules
    as they were checked (each rule, its outcome and the dates used)."""

    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.PROTECT, related_name="tax_status_decisions", verbose_name=_("organization")
    )
    year = models.PositiveSmallIntegerField(_("first year"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=TaxOutcome.choices)
    checked_on = models.DateField(_("rules checked as of"))
    checks = models.JSONField(_("rules checked"), default=list)
    years = models.JSONField(_("years confirmed"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided"), auto_now_add=True)

    class Meta:
        verbose_name = _("tax-deductible status decision")
        verbose_name_plural = _("tax-deductible status decisions")
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year"], condition=Q(outcome="confirmed"), name="tax_decision_one_confirmation_per_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.year} {self.get_outcome_display()}"
