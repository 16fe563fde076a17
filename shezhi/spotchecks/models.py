"""Random spot checks (双随机一公开) and rectification orders (责令整改).

A campaign (抽查计划) draws a sample of the organizations of an area from the published
pool and pairs each drawn organization with two inspectors from the published inspector
pool, excluding conflicts. The draw is a pure function of the frozen pool and a recorded
seed (shezhi/spotchecks/draw.py), so anyone can redraw it. Each drawn organization gets a
Check with findings on five aspects; problems lead to rectification orders with due dates.

The minimum sample ratios are rows of SamplingRule (seeded by a data migration, editable
in the admin): 3% for a county (Pinghu is a county-level city), 4% for a city with
districts, 5% for a province.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from shezhi.areas.models import AreaLevel


class SamplingLevel(models.TextChoices):
    COUNTY = "county", _("County level")  # 县级 (county-level cities included)
    CITY = "city", _("City with districts")  # 设区的市级
    PROVINCE = "province", _("Province level")  # 省级


# Every area of level "city" in Shezhi is a county-level city (AreaKind.CITY); a province
# runs province-level campaigns. Cities with districts are not areas of the system yet:
# their rule row waits for them.
AREA_SAMPLING_LEVEL = {AreaLevel.CITY: SamplingLevel.COUNTY, AreaLevel.PROVINCE: SamplingLevel.PROVINCE}


class SamplingRule(models.Model):
    """The numbers of the spot-check rules for one level of authority."""

    level = models.CharField(_("level of the authority"), max_length=10, choices=SamplingLevel.choices, unique=True)
    min_ratio_percent = models.DecimalField(
        _("minimum annual sample (percent of the organizations)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )
    rectification_days = models.PositiveSmallIntegerField(
        _("default rectification period (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("Suggested due date of a rectification order, counted from its issue; each order can set its own."),
    )
    note = models.TextField(_("source and notes"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("spot-check sampling rule")
        verbose_name_plural = _("spot-check sampling rules")
        ordering = ["min_ratio_percent"]
        constraints = [
            models.CheckConstraint(condition=Q(min_ratio_percent__gt=0) & Q(min_ratio_percent__lte=100), name="sampling_ratio_range"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()}: {self.min_ratio_percent}%"


class Inspector(models.Model):
    """A member of an area's inspector pool (执法检查人员名录库): a staff member with an
    account, or a named external expert with their unit. The public sees names and units."""

    area = models.ForeignKey(
        "areas.Area",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("area"),
        limit_choices_to={"level__in": ["city", "province"]},
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inspector_records",
        verbose_name=_("staff account"),
        help_text=_("Leave empty for an external expert."),
    )
    name = models.CharField(_("name"), max_length=60)
    unit = models.CharField(_("unit"), max_length=100, blank=True, help_text=_("The department or organization the person works for."))
    active = models.BooleanField(_("in the pool"), default=True)
    note = models.TextField(_("note"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("inspector")
        verbose_name_plural = _("inspectors")
        ordering = ["area", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["area", "user"], condition=Q(user__isnull=False), name="inspector_one_per_account"),
            models.CheckConstraint(condition=~Q(name=""), name="inspector_has_name"),
        ]
        indexes = [models.Index(fields=["area", "active", "id"], name="inspector_pool_idx")]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）" if self.unit else self.name

    @property
    def is_external(self) -> bool:
        return self.user_id is None


class ConflictDeclaredBy(models.TextChoices):
    INSPECTOR = "inspector", _("the inspector")
    BUREAU = "bureau", _("the bureau")


class InspectorConflict(models.Model):
    """An inspector who may not check an organization (a relative works there, a former
    employer, a member...), declared by the inspector or recorded by the bureau. Conflicts
    the system can see by itself (the inspector's account belongs to the organization, the
    inspector's unit is the organization or its supervising unit) need no row."""

    inspector = models.ForeignKey(Inspector, on_delete=models.CASCADE, related_name="conflicts", verbose_name=_("inspector"))
    organization = models.ForeignKey("registry.Organization", on_delete=models.CASCADE, related_name="+", verbose_name=_("organization"))
    reason = models.CharField(_("reason"), max_length=200)
    declared_by = models.CharField(
        _("declared by"), max_length=10, choices=ConflictDeclaredBy.choices, default=ConflictDeclaredBy.INSPECTOR
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        ordering = ["inspector", "organization"]
        constraints = [models.UniqueConstraint(fields=["inspector", "organization"], name="conflict_once")]

    def __str__(self) -> str:
        return f"{self.inspector} × {self.organization}"


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    DRAWN = "drawn", _("Drawn")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


class Campaign(models.Model):
    """A spot-check campaign (抽查计划) of an area for a year.

    The draw freezes its input in the row — the sorted ids of the organization pool, of the
    inspector pool and the excluded (organization, inspector) pairs, with their hash — so
    that a redraw with the published seed reproduces the published sample, whatever has
    changed in the registry since."""

    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    title = models.CharField(_("title"), max_length=120)
    include_filed = models.BooleanField(
        _("include filed community organizations"),
        default=False,
        help_text=_("By default the pool holds the registered organizations (legal persons) of the area in normal status."),
    )
    ratio_percent = models.DecimalField(_("sample (percent of the pool)"), max_digits=5, decimal_places=2)
    min_ratio_percent = models.DecimalField(_("minimum sample (percent) when created"), max_digits=5, decimal_places=2)
    seed = models.CharField(
        _("seed"), max_length=64, blank=True, help_text=_("Recorded and published with the result; generated at the draw when empty.")
    )
    status = models.CharField(_("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    pool_organizations = models.JSONField(_("organization pool (ids)"), default=list, blank=True)
    pool_inspectors = models.JSONField(_("inspector pool (ids)"), default=list, blank=True)
    pool_conflicts = models.JSONField(_("excluded pairs (organization id, inspector id)"), default=list, blank=True)
    pool_hash = models.CharField(_("pool hash (SHA-256)"), max_length=64, blank=True)
    sample_size = models.PositiveIntegerField(_("sample size"), null=True, blank=True)
    algorithm = models.PositiveSmallIntegerField(_("draw algorithm version"), null=True, blank=True)
    drawn_at = models.DateTimeField(_("drawn"), null=True, blank=True)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("spot-check campaign")
        verbose_name_plural = _("spot-check campaigns")
        ordering = ["-year", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ratio_percent__gt=0) & Q(ratio_percent__lte=100), name="campaign_ratio_range"),
            models.CheckConstraint(condition=Q(ratio_percent__gte=F("min_ratio_percent")), name="campaign_ratio_not_below_minimum"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "cancelled"]) | (Q(sample_size__isnull=False) & ~Q(seed="") & ~Q(pool_hash="")),
                name="campaign_drawn_has_input",
            ),
        ]
        indexes = [
            models.Index(fields=["area", "status", "year"], name="campaign_area_status_idx"),
            models.Index(fields=["status", "year"], name="campaign_status_year_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"

    @property
    def is_drawn(self) -> bool:
        return self.status in (CampaignStatus.DRAWN, CampaignStatus.PUBLISHED)

    @property
    def pool_size(self) -> int:
        return len(self.pool_organizations or [])


class Aspect(models.TextChoices):
    """What a spot check looks at (DESIGN.md "Supervision and credit")."""

    ANNUAL_REPORT = "annual_report", _("Annual work report")  # 年度报告
    DISCLOSURE = "disclosure", _("Information disclosure")  # 信息公开
    GOVERNANCE = "governance", _("Internal governance")  # 内部治理
    FINANCE = "finance", _("Finance")  # 财务管理
    ACTIVITIES = "activities", _("Activities")  # 业务活动


class CheckStatus(models.TextChoices):
    PENDING = "pending", _("To be checked")
    RECORDED = "recorded", _("Findings recorded")


class CheckResult(models.TextChoices):
    NO_PROBLEM = "no_problem", _("No problem found")  # 未发现问题
    RECTIFICATION = "rectification", _("Problems found, rectification ordered")  # 发现问题已责令整改
    UNREACHABLE = "unreachable", _("Cannot be contacted at its registered address")  # 通过登记的住所无法联系


class Check(models.Model):
    """The check of one drawn organization by its two inspectors."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="checks", verbose_name=_("spot-check campaign"))
    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.PROTECT, related_name="spot_checks", verbose_name=_("organization")
    )
    position = models.PositiveIntegerField(_("draw order"))
    inspector_a = models.ForeignKey(Inspector, on_delete=models.PROTECT, related_name="+", verbose_name=_("first inspector"))
    inspector_b = models.ForeignKey(Inspector, on_delete=models.PROTECT, related_name="+", verbose_name=_("second inspector"))
    status = models.CharField(_("status"), max_length=10, choices=CheckStatus.choices, default=CheckStatus.PENDING)
    checked_on = models.DateField(_("checked on site on"), null=True, blank=True)
    inspector_a_present = models.BooleanField(_("first inspector present"), default=False)
    inspector_b_present = models.BooleanField(_("second inspector present"), default=False)
    result = models.CharField(_("check result"), max_length=16, choices=CheckResult.choices, blank=True)
    summary = models.TextField(_("notes on the check"), blank=True)
    recorded_at = models.DateTimeField(_("recorded"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("spot check")
        verbose_name_plural = _("spot checks")
        ordering = ["campaign", "position"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "organization"], name="check_once_per_campaign"),
            models.UniqueConstraint(fields=["campaign", "position"], name="check_position_unique"),
            models.CheckConstraint(condition=~Q(inspector_a=F("inspector_b")), name="check_two_inspectors"),
            # 双随机: at least two inspectors on site, so a recorded check has both present.
            models.CheckConstraint(
                condition=Q(status="pending")
                | (Q(inspector_a_present=True, inspector_b_present=True, checked_on__isnull=False) & ~Q(result="")),
                name="check_recorded_complete",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "campaign"], name="check_org_idx"),
            models.Index(fields=["result"], condition=Q(result="unreachable"), name="check_unreachable_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.organization}"


class CheckFinding(models.Model):
    """The finding of one check on one aspect: no problem, or a problem described."""

    spot_check = models.ForeignKey(Check, on_delete=models.CASCADE, related_name="findings", verbose_name=_("spot check"))
    aspect = models.CharField(_("aspect"), max_length=20, choices=Aspect.choices)
    problem = models.BooleanField(_("problem found"), default=False)
    text = models.TextField(_("finding"), blank=True)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["spot_check", "id"]
        constraints = [
            models.UniqueConstraint(fields=["spot_check", "aspect"], name="finding_once_per_aspect"),
            models.CheckConstraint(condition=Q(problem=False) | ~Q(text=""), name="finding_problem_described"),
        ]

    def __str__(self) -> str:
        return f"{self.spot_check_id} {self.aspect}"


class OrderStatus(models.TextChoices):
    OPEN = "open", _("To rectify")
    REPORTED = "reported", _("Completion reported")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Withdrawn")


class RectificationOrder(models.Model):
    """An order to rectify by a due date (责令限期整改). The organization reports completion;
    the bureau verifies it. An order not completed by its due date is a ground for the
    abnormal-activity list (社会组织信用信息管理办法), which the credit app is told about."""

    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.PROTECT, related_name="rectification_orders", verbose_name=_("organization")
    )
    spot_check = models.ForeignKey(
        Check, on_delete=models.PROTECT, null=True, blank=True, related_name="orders", verbose_name=_("spot check")
    )
    requirement = models.TextField(_("what to rectify"))
    issued_on = models.DateField(_("issued on"))
    due_on = models.DateField(_("due on"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.OPEN)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    completion_note = models.TextField(_("completion report"), blank=True)
    attachment_name = models.CharField(_("attachment"), max_length=200, blank=True)
    attachment_stored = models.CharField(max_length=200, blank=True, editable=False)
    attachment_type = models.CharField(max_length=40, blank=True, editable=False)
    reported_at = models.DateTimeField(_("completion reported"), null=True, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    verified_on = models.DateField(_("verified on"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("verified by")
    )
    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("rectification order")
        verbose_name_plural = _("rectification orders")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(due_on__gte=F("issued_on")), name="order_due_after_issue"),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | Q(completed_on__gte=F("issued_on")), name="order_completed_after_issue"
            ),
            models.CheckConstraint(
                condition=~Q(status="completed") | (Q(completed_on__isnull=False) & Q(verified_on__isnull=False)),
                name="order_completed_is_verified",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_on"], name="order_status_due_idx"),
            models.Index(fields=["organization", "issued_on"], name="order_org_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.issued_on:%Y-%m-%d}"

    def is_overdue(self, on: dt.date) -> bool:
        """Not completed at the start of `on`, and `on` is after the due date (the due date
        itself is still in time)."""
        if self.status == OrderStatus.CANCELLED or on <= self.due_on:
            return False
        return self.completed_on is None or self.completed_on >= on

    @property
    def completed_late(self) -> bool:
        return self.completed_on is not None and self.completed_on > self.due_on
