"""Party building and places (党建和阵地).

- PartyStatusChange: the history of an organization's party organization status. The
  registry's Organization.party_organization is the current value; every change recorded
  here updates it through the registry's own service.
- Place: a party-mass service centre for social organizations (社会组织党群服务中心,
  standardized 规范化 or not) or a charity base (慈善基地), with its area, operator and
  opening (and closing) date. The targets dashboard counts them as of a date
  (selectors.places_count).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from shezhi.registry.models import PartyOrganization


class PartyStatusChange(models.Model):
    """One change of an organization's party organization: what it became, since when,
    the branch or the instructor's assignment, who recorded it and why."""

    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.PROTECT, related_name="party_changes", verbose_name=_("organization")
    )
    status = models.CharField(_("party organization"), max_length=12, choices=PartyOrganization.choices)
    since = models.DateField(_("since"))
    details = models.CharField(
        _("details"), max_length=200, blank=True, help_text=_("E.g. the name of the branch, or the unit that assigned the instructor.")
    )
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("recorded by")
    )
    recorded_by_label = models.CharField(_("recorded by"), max_length=150, blank=True)
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("party organization change")
        verbose_name_plural = _("party organization changes")
        ordering = ["-since", "-id"]
        indexes = [models.Index(fields=["organization", "-since", "-id"], name="party_change_org_idx")]

    def __str__(self) -> str:
        return f"{self.organization} {self.since:%Y-%m-%d} {self.get_status_display()}"


class PlaceKind(models.TextChoices):
    PARTY_MASS_CENTRE = "party_mass_centre", _("Party-mass service centre")  # 社会组织党群服务中心
    CHARITY_BASE = "charity_base", _("Charity base")  # 慈善基地


class Place(models.Model):
    """A party-mass service centre for social organizations or a charity base.

    It is open from `opened_on` up to the day before `closed_on`. A centre is counted as
    standardized (规范化) from the date its assessment was passed (`standardized_on`).
    """

    kind = models.CharField(_("kind"), max_length=20, choices=PlaceKind.choices)
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("street address"), max_length=200)
    city = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("city"))
    town = models.ForeignKey(
        "areas.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("town / street"),
        help_text=_("Empty for a place of the whole city."),
    )
    community = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("community")
    )
    operator = models.ForeignKey(
        "registry.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="places_operated",
        verbose_name=_("operator (registered organization)"),
    )
    operator_name = models.CharField(
        _("operator (other)"), max_length=100, blank=True, help_text=_("When the operator is not in the registry, e.g. a town office.")
    )
    opened_on = models.DateField(_("in service since"))
    closed_on = models.DateField(_("closed down on"), null=True, blank=True)
    standardized = models.BooleanField(_("standardized"), default=False)  # 规范化
    standardized_on = models.DateField(_("standardized: assessed on"), null=True, blank=True)
    phone = models.CharField(_("office phone"), max_length=30, blank=True, help_text=_("A public office number, not a person's mobile."))
    note = models.TextField(_("note"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("service site")
        verbose_name_plural = _("service sites")
        ordering = ["kind", "name", "id"]
        indexes = [
            models.Index(fields=["city", "kind", "opened_on"], name="place_city_kind_idx"),
            models.Index(fields=["town", "kind", "opened_on"], name="place_town_kind_idx"),
            models.Index(fields=["community", "kind"], name="place_community_kind_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gt=F("opened_on")), name="place_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=Q(standardized=True, standardized_on__isnull=False) | Q(standardized=False, standardized_on__isnull=True),
                name="place_standardized_has_date",
            ),
            models.CheckConstraint(condition=Q(operator__isnull=False) | ~Q(operator_name=""), name="place_has_operator"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def operator_label(self) -> str:
        return self.operator.name if self.operator_id else self.operator_name

    def is_open_on(self, day) -> bool:
        return self.opened_on <= day and (self.closed_on is None or day < self.closed_on)
