from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City / county")
    TOWN = "town", _("Town / street")
    COMMUNITY = "community", _("Community")


class AreaKind(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("County-level city")
    STREET = "street", _("Street")  # 街道
    TOWN = "town", _("Town")  # 镇
    DEV_ZONE = "dev_zone", _("Development zone")  # 开发区, counted at town level
    URBAN = "urban", _("Urban community")  # 城市社区
    RURAL = "rural", _("Rural community")  # 农村社区·行政村


LEVEL_KINDS: dict[str, set[str]] = {
    AreaLevel.PROVINCE: {AreaKind.PROVINCE},
    AreaLevel.CITY: {AreaKind.CITY},
    AreaLevel.TOWN: {AreaKind.STREET, AreaKind.TOWN, AreaKind.DEV_ZONE},
    AreaLevel.COMMUNITY: {AreaKind.URBAN, AreaKind.RURAL},
}
PARENT_LEVEL: dict[str, str | None] = {
    AreaLevel.PROVINCE: None,
    AreaLevel.CITY: AreaLevel.PROVINCE,
    AreaLevel.TOWN: AreaLevel.CITY,
    AreaLevel.COMMUNITY: AreaLevel.TOWN,
}


class Area(models.Model):
    """An administrative area (行政区划): city → town/street → community.

    `city` and `town` point at the area's own ancestors (or itself) so that scope checks
    and per-town counts are single indexed filters instead of tree walks.
    """

    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=60)
    level = models.CharField(_("level"), max_length=10, choices=AreaLevel.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=AreaKind.choices)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent"))
    city = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("city"))
    town = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("town"))
    population = models.PositiveIntegerField(_("resident population"), null=True, blank=True)
    population_date = models.DateField(_("population as of"), null=True, blank=True)
    authority_name = models.CharField(
        _("registration authority"),
        max_length=60,
        blank=True,
        help_text=_("For a city: the civil affairs bureau's name printed on documents."),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    sort_key = models.CharField(max_length=40, blank=True, editable=False)

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["parent", "code"], name="area_parent_idx"),
            models.Index(fields=["city", "level", "kind"], name="area_city_level_idx"),
            models.Index(fields=["town", "level"], name="area_town_level_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(level="province", kind="province")
                    | models.Q(level="city", kind="city")
                    | models.Q(level="town", kind__in=["street", "town", "dev_zone"])
                    | models.Q(level="community", kind__in=["urban", "rural"])
                ),
                name="area_kind_matches_level",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_city(self) -> bool:
        return self.level == AreaLevel.CITY

    @property
    def is_town(self) -> bool:
        return self.level == AreaLevel.TOWN

    @property
    def is_community(self) -> bool:
        return self.level == AreaLevel.COMMUNITY


class PopulationCount(models.Model):
    """An area's resident population as counted on a day: the history behind
    Area.population, so that a figure per resident as of a past day divides by the
    population known for that day. Written by areas.services.area_save; `on` is empty for
    a count whose date was never given (it holds before every dated count)."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="population_counts", verbose_name=_("area"))
    on = models.DateField(_("population as of"), null=True, blank=True)
    population = models.PositiveIntegerField(_("resident population"))
    recorded_at = models.DateTimeField(_("recorded"), auto_now=True)

    class Meta:
        verbose_name = _("population count")
        verbose_name_plural = _("population counts")
        ordering = ["area", "on"]
        constraints = [
            models.UniqueConstraint(fields=["area", "on"], name="population_area_day_uniq"),
            models.UniqueConstraint(fields=["area"], condition=models.Q(on__isnull=True), name="population_area_undated_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.area_id} {self.on}: {self.population}"


def by_day(counts) -> list[tuple[dt.date | None, int]]:
    """An area's (day, population) counts in the order count_on reads them: undated first."""
    return sorted(counts, key=lambda c: (c[0] is not None, c[0] or dt.date.min))


def count_on(counts: list[tuple[dt.date | None, int]], day: dt.date) -> tuple[dt.date | None, int] | None:
    """The count that holds on `day` among an area's counts sorted by day (the undated one
    first): the latest counted on or before it, else the earliest (a day before any count is
    judged by the first one known)."""
    found = None
    for count in counts:
        if count[0] is None or count[0] <= day:
            found = count
        elif found is None:
            return count
        else:
            break
    return found


def population_on(counts: list[tuple[dt.date | None, int]], day: dt.date) -> int | None:
    """The population of the count that holds on `day` (count_on)."""
    count = count_on(counts, day)
    return None if count is None else count[1]
