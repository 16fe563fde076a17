"""Credit lists (活动异常名录 / 严重违法失信名单), administrative penalties, the review queue
of detected grounds, and the numbers of the credit rules as data.

Source: 社会组织信用信息管理办法 (民政部令第60号, 2018) and DESIGN.md "Supervision and
credit". The grounds of each list, the fine limit, the escalation and removal periods and
the eligibility rules of later modules are rows the bureau edits (admin), seeded by
0002_default_grounds_rules.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from shezhi.registry.models import Rating


class ListKind(models.TextChoices):
    ABNORMAL = "abnormal", _("Abnormal-activity list")  # 活动异常名录
    SERIOUS = "serious", _("Serious-violation list")  # 严重违法失信名单


class PenaltyKind(models.TextChoices):
    WARNING = "warning", _("Warning")  # 警告
    FINE = "fine", _("Fine")  # 罚款
    CONFISCATION = "confiscation", _("Confiscation")  # 没收违法所得、非法财物
    STOP_ACTIVITIES = "stop_activities", _("Order to stop activities")  # 限期停止活动
    REVOCATION = "revocation", _("Revocation of registration")  # 撤销登记 / 吊销登记证书


class CreditRules(models.Model):
    """The numbers of the credit rules for one city, or the default (city empty).

    Defaults (社会组织信用信息管理办法): a warning or a fine under 50,000 yuan is a ground of
    the abnormal-activity list, 50,000 or more one of the serious-violation list; two full
    years on the abnormal list moves an organization to the serious list; two or more
    warnings or small fines within three years are a serious ground; an organization leaves
    the serious list after five years without new grounds.
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
    small_fine_limit = models.DecimalField(
        _("fine limit (yuan)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("50000"),
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("A fine below this amount is a ground of the abnormal-activity list; at or above it, of the serious-violation list."),
    )
    escalate_after_years = models.PositiveSmallIntegerField(
        _("move to the serious list after (full years on the abnormal list)"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    serious_removal_years = models.PositiveSmallIntegerField(
        _("leave the serious list after (years without new grounds)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    repeat_penalties = models.PositiveSmallIntegerField(
        _("repeated small penalties: at least this many"), default=2, validators=[MinValueValidator(2), MaxValueValidator(20)]
    )
    repeat_window_years = models.PositiveSmallIntegerField(
        _("repeated small penalties: within (years)"), default=3, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    note = models.TextField(_("source and notes"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("credit rules")
        verbose_name_plural = _("credit rules")
        constraints = [
            models.UniqueConstraint(Coalesce(F("city"), Value(0)), name="credit_rules_one_per_city"),
            models.CheckConstraint(condition=Q(small_fine_limit__gt=0), name="credit_rules_fine_limit_positive"),
        ]

    def __str__(self) -> str:
        return str(self.city) if self.city_id else str(_("Default rules"))


class Ground(models.Model):
    """A ground for putting an organization on a list (列入情形), with its legal basis.
    `detectable` grounds are found by the daily detection; the others the bureau enters."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    list_kind = models.CharField(_("list"), max_length=10, choices=ListKind.choices)
    name = models.CharField(_("name"), max_length=120)
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)
    detectable = models.BooleanField(_("detected by the system"), default=False)
    active = models.BooleanField(_("in use"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("list ground")
        verbose_name_plural = _("list grounds")
        ordering = ["list_kind", "position", "code"]

    def __str__(self) -> str:
        return self.name


class Penalty(models.Model):
    """An administrative penalty (行政处罚) decided against an organization. Penalties are
    never deleted: one withdrawn or overturned (撤销, e.g. by reconsideration or a court) is
    marked with the date and reason and then no longer counts anywhere."""

    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.PROTECT, related_name="penalties", verbose_name=_("organization")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=PenaltyKind.choices)
    fine_amount = models.DecimalField(_("fine (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    confiscated = models.CharField(_("confiscated"), max_length=200, blank=True, help_text=_("What was confiscated, or its amount."))
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    facts = models.TextField(_("facts"), blank=True)
    decision_number = models.CharField(_("decision number"), max_length=60)
    decided_on = models.DateField(_("decided on"))
    authority = models.CharField(_("decided by (authority)"), max_length=100, blank=True)
    document = models.ForeignKey(
        "documents.Document", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decision document")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("administrative penalty")
        verbose_name_plural = _("administrative penalties")
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="fine") | Q(fine_amount__gt=0),
                name="penalty_fine_has_amount",
            ),
            models.CheckConstraint(condition=Q(fine_amount__isnull=True) | Q(fine_amount__gt=0), name="penalty_fine_positive"),
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=F("decided_on")), name="penalty_withdrawn_after_decision"
            ),
        ]
        indexes = [models.Index(fields=["organization", "decided_on"], name="penalty_org_date_idx")]

    def __str__(self) -> str:
        return f"{self.organization} {self.get_kind_display()} {self.decision_number}"

    @property
    def counts(self) -> bool:
        return self.withdrawn_on is None


class ProposalAction(models.TextChoices):
    INCLUDE = "include", _("Put on the list")
    ESCALATE = "escalate", _("Move to the serious-violation list")
    REMOVE = "remove", _("Take off the list")


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting decision")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Dismissed")


class Proposal(models.Model):
    """A case in the bureau's review queue: the system (or another module) found a ground
    and proposes to include, escalate or remove; the bureau decides. The unique
    (organization, source) key means the same ground is never proposed twice."""

    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.PROTECT, related_name="credit_proposals", verbose_name=_("organization")
    )
    action = models.CharField(_("proposed action"), max_length=10, choices=ProposalAction.choices, default=ProposalAction.INCLUDE)
    list_kind = models.CharField(_("list"), max_length=10, choices=ListKind.choices)
    ground = models.ForeignKey(Ground, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("ground"))
    # The entry acted on: the abnormal-list entry to escalate, or the entry to remove.
    entry = models.ForeignKey(
        "ListEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="proposals", verbose_name=_("list entry")
    )
    source = models.CharField(_("source"), max_length=100)
    evidence = models.TextField(_("evidence"))
    detected_on = models.DateField(_("detected on"))
    status = models.CharField(_("status"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("credit list proposal")
        verbose_name_plural = _("credit list proposals")
        ordering = ["detected_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "source"], name="credit_proposal_once_per_source"),
            models.CheckConstraint(condition=~Q(action="include") | Q(entry__isnull=True), name="credit_proposal_include_no_entry"),
            models.CheckConstraint(condition=Q(action="include") | Q(entry__isnull=False), name="credit_proposal_entry_given"),
        ]
        indexes = [models.Index(fields=["status", "detected_on"], name="credit_proposal_status_idx")]

    def __str__(self) -> str:
        return f"{self.organization} · {self.get_action_display()} · {self.ground}"


class ListEntry(models.Model):
    """One organization on one list for one ground, from the decision date until removal.
    Removal closes the entry (with its date, reason and decision); nothing is deleted."""

    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.PROTECT, related_name="list_entries", verbose_name=_("organization")
    )
    list_kind = models.CharField(_("list"), max_length=10, choices=ListKind.choices)
    ground = models.ForeignKey(Ground, on_delete=models.PROTECT, related_name="entries", verbose_name=_("ground"))
    reason = models.TextField(_("facts"), blank=True)
    included_on = models.DateField(_("decision date"))
    decision_number = models.CharField(_("decision number"), max_length=60)
    document = models.ForeignKey(
        "documents.Document", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decision document")
    )
    included_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    escalated_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="escalations", verbose_name=_("moved from")
    )
    proposal = models.ForeignKey(
        Proposal, on_delete=models.PROTECT, null=True, blank=True, related_name="entries", verbose_name=_("from proposal")
    )
    removed_on = models.DateField(_("removed on"), null=True, blank=True)
    removal_reason = models.TextField(_("reason for removal"), blank=True)
    removal_decision_number = models.CharField(_("removal decision number"), max_length=60, blank=True)
    removed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("list entry")
        verbose_name_plural = _("list entries")
        ordering = ["-included_on", "-id"]
        constraints = [
            # On a list once per ground at a time.
            models.UniqueConstraint(
                fields=["organization", "list_kind", "ground"], condition=Q(removed_on__isnull=True), name="credit_entry_open_once"
            ),
            models.CheckConstraint(
                condition=Q(removed_on__isnull=True) | Q(removed_on__gte=F("included_on")), name="credit_entry_removed_after_included"
            ),
            models.CheckConstraint(condition=Q(removed_on__isnull=True) | ~Q(removal_reason=""), name="credit_entry_removal_has_reason"),
        ]
        indexes = [
            models.Index(fields=["list_kind", "removed_on", "included_on"], name="credit_entry_list_idx"),
            models.Index(fields=["organization", "included_on"], name="credit_entry_org_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.get_list_kind_display()} · {self.ground}"

    @property
    def is_open(self) -> bool:
        return self.removed_on is None

    def clean(self) -> None:
        if self.ground_id and self.list_kind and self.ground.list_kind != self.list_kind:
            raise ValidationError({"ground": _("This ground belongs to the other list.")})


RATING_ORDER = {level: index for index, level in enumerate(Rating.values, start=1)}


class EligibilityRule(models.Model):
    """What the credit record must show for an organization to take part in something
    (承接目录, 政府购买服务, 公益创投, 慈善组织认定, 税前扣除资格, 公开募捐). Every
    condition is a column the bureau can change; a zero / empty value switches it off."""

    purpose = models.SlugField(_("purpose code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    legal_person_required = models.BooleanField(_("registered (legal person) only"), default=False)
    not_on_abnormal = models.BooleanField(_("not on the abnormal-activity list"), default=True)
    not_on_serious = models.BooleanField(_("not on the serious-violation list"), default=True)
    list_free_years = models.PositiveSmallIntegerField(
        _("on no list during the years before (years)"), default=0, help_text=_("0: only the day itself counts.")
    )
    penalty_free_years = models.PositiveSmallIntegerField(
        _("no penalty during the years before (years)"), default=0, help_text=_("0: penalties are not checked.")
    )
    tolerated_penalty_kinds = models.JSONField(
        _("penalty kinds tolerated"),
        default=list,
        blank=True,
        help_text=_('Codes of penalty kinds that do not count, e.g. ["warning"].'),
    )
    min_rating = models.CharField(_("rated at least"), max_length=2, choices=Rating.choices, blank=True)
    min_registered_years = models.PositiveSmallIntegerField(_("registered at least (years)"), default=0)
    annual_report_required = models.BooleanField(_("last due annual report filed"), default=False)
    inspection_results_accepted = models.JSONField(
        _("annual inspection results accepted"),
        default=list,
        blank=True,
        help_text=_('Result codes the last annual inspection must have, e.g. ["qualified", "basically_qualified"]; empty: any.'),
    )
    note = models.TextField(_("source and notes"), blank=True)
    active = models.BooleanField(_("in use"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("eligibility rule")
        verbose_name_plural = _("eligibility rules")
        ordering = ["purpose"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from shezhi.inspection.models import InspectionResult

        kinds = self.tolerated_penalty_kinds or []
        if not isinstance(kinds, list) or any(k not in PenaltyKind.values for k in kinds):
            raise ValidationError(
                {"tolerated_penalty_kinds": _("List penalty kinds among: %(kinds)s.") % {"kinds": ", ".join(PenaltyKind.values)}}
            )
        results = self.inspection_results_accepted or []
        if not isinstance(results, list) or any(r not in InspectionResult.values for r in results):
            raise ValidationError(
                {"inspection_results_accepted": _("List results among: %(results)s.") % {"results": ", ".join(InspectionResult.values)}}
            )
