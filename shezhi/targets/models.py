"""The plan's overall targets (总体目标) and the history the dashboard counts from.

- OrganizationFact: one fact about an organization that a target counts — that it is a
  community social organization located in an area, the hub or support organization of an
  area, a social work agency serving a community, a trade association — with the dates it
  held (since, until). The registry's services keep it (shezhi.targets.facts), so "as of
  2018-12-31" counts what held on that day, even after the organization has changed.
- Target and Milestone: the targets as data. Targets without a city are the defaults
  (Pinghu's T1–T11); a city's bureau that edits them gets its own copy. The formula of each
  indicator is code (shezhi.targets.indicators), the numbers are here.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class FactKind(models.TextChoices):
    COMMUNITY_ORG = "community_org", _("Community social organization")  # located in city/town/community
    HUB = "hub", _("Hub or support organization of an area")  # the area is the town or community it serves as hub
    SOCIAL_WORK = "social_work", _("Social work agency serving a community")  # the community it serves
    TRADE_ASSOCIATION = "trade_association", _("Trade association")  # done_on: all five separations done


class OrganizationFact(models.Model):
    """A fact that held from `since` up to the day before `until` (open while until is empty)."""

    organization = models.ForeignKey("registry.Organization", on_delete=models.CASCADE, related_name="target_facts")
    kind = models.CharField(max_length=20, choices=FactKind.choices)
    city = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    town = models.ForeignKey("areas.Area", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    community = models.ForeignKey("areas.Area", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    since = models.DateField()
    until = models.DateField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["city", "kind", "since"], name="fact_city_kind_idx"),
            models.Index(fields=["town", "kind", "since"], name="fact_town_kind_idx"),
            models.Index(fields=["community", "kind"], name="fact_community_kind_idx"),
            models.Index(fields=["organization", "kind"], name="fact_org_idx", condition=Q(until__isnull=True)),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(until__isnull=True) | Q(until__gt=models.F("since")), name="fact_until_after_since"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.kind} {self.since}–{self.until or ''}"


class Indicator(models.TextChoices):
    """The formulas. Each has one function in shezhi.targets.indicators."""

    COMMUNITY_ORGS = "community_orgs", _("Registered and filed community social organizations")
    PER_URBAN_COMMUNITY = "per_urban_community", _("Community social organizations per urban community, average")
    PER_RURAL_COMMUNITY = "per_rural_community", _("Community social organizations per rural community, average")
    HUB_COVERAGE = "hub_coverage", _("Towns and communities with a hub or support organization")
    SOCIAL_WORK_URBAN = "social_work_urban", _("Urban communities served by a social work agency")
    SOCIAL_WORK_RURAL = "social_work_rural", _("Rural communities served by a social work agency")
    PARTY_MASS_CENTRES = "party_mass_centres", _("Standardized party-mass service centres")
    CHARITY_BASES = "charity_bases", _("Charity bases")
    VOLUNTEER_ORGANIZATIONS = "volunteer_organizations", _("Volunteer organizations and teams per resident population")
    VOLUNTEERS = "volunteers", _("Registered volunteers per resident population")
    TRADE_DECOUPLING = "trade_decoupling", _("Trade associations with all five separations done")


class Scope(models.TextChoices):
    CITY = "city", _("City only")
    TOWN = "town", _("City and each town")
    COMMUNITY = "community", _("City, each town and each community")


class Target(models.Model):
    """One overall target: what is measured (the indicator's formula), where it applies,
    and the values to reach by each milestone date."""

    city = models.ForeignKey(
        "areas.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("city"),
        help_text=_("Empty: the default targets, for every city that has not set its own."),
    )
    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("target"), max_length=120)
    indicator = models.CharField(_("indicator"), max_length=30, choices=Indicator.choices)
    scope = models.CharField(_("applies to"), max_length=10, choices=Scope.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    source = models.CharField(_("source"), max_length=200, blank=True, help_text=_("The plan or document that sets the target."))
    active = models.BooleanField(_("in use"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["city", "code"], name="target_city_code_unique"),
            models.UniqueConstraint(fields=["code"], condition=Q(city__isnull=True), name="target_default_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Milestone(models.Model):
    """The value a target must reach by a date (e.g. ≥ 1,980 by 2020-12-31)."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("target"))
    due_on = models.DateField(_("by"))
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_on"]
        constraints = [models.UniqueConstraint(fields=["target", "due_on"], name="milestone_target_date_unique")]

    def __str__(self) -> str:
        return f"{self.target.code} {self.due_on:%Y-%m-%d} {self.value}"
