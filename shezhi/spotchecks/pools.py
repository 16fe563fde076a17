"""The two pools of a spot-check campaign and the conflicts between them.

- Organization pool: the organizations of the area in normal status; registered ones
  (legal persons) only, unless the campaign includes filed community organizations.
- Inspector pool: the area's inspectors marked as in the pool.
- Conflicts (an inspector may not check an organization they are linked to): the rows
  declared by an inspector or recorded by the bureau, plus three the system sees itself,
  each with a reason a person can check:
  1. the inspector's account belongs to the organization;
  2. the inspector's unit is the organization itself (same name);
  3. the inspector's unit is the organization's supervising unit (业务主管单位).
  Names are compared after removing spaces and unifying full-width brackets.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from shezhi.areas.models import Area, AreaLevel
from shezhi.registry.models import Organization, OrganizationStatus, RegistrationKind
from shezhi.spotchecks.draw import INSPECTORS_PER_CHECK
from shezhi.spotchecks.models import Inspector, InspectorConflict


def organization_pool(area: Area, *, include_filed: bool = False) -> QuerySet[Organization]:
    qs = Organization.objects.filter(status=OrganizationStatus.NORMAL)
    if area.level == AreaLevel.CITY:
        qs = qs.filter(city_id=area.pk)
    elif area.level == AreaLevel.PROVINCE:
        qs = qs.filter(city__parent_id=area.pk)
    else:
        return qs.none()
    if not include_filed:
        qs = qs.filter(registration=RegistrationKind.REGISTERED)
    return qs


def organization_pool_ids(area: Area, *, include_filed: bool = False) -> list[int]:
    return list(organization_pool(area, include_filed=include_filed).order_by("pk").values_list("pk", flat=True))


def inspector_pool(area: Area) -> QuerySet[Inspector]:
    return Inspector.objects.filter(area=area, active=True).order_by("pk")


def unit_key(name: str) -> str:
    return "".join((name or "").split()).replace("（", "(").replace("）", ")")


def conflicts_between(inspectors: list[Inspector], orgs: QuerySet[Organization]) -> dict[tuple[int, int], str]:
    """{(organization id, inspector id): reason} for the given inspectors and organizations.
    A declared row's reason wins over the automatic ones."""
    found: dict[tuple[int, int], str] = {}
    if not inspectors:
        return found
    rows = list(orgs.order_by().values_list("pk", "name", "supervising_unit"))
    wanted = {row[0] for row in rows}
    by_id = {i.pk: i for i in inspectors}
    declared = InspectorConflict.objects.filter(inspector_id__in=list(by_id)).values_list("inspector_id", "organization_id", "reason")
    for inspector_id, organization_id, reason in declared:
        if organization_id in wanted:
            found[(organization_id, inspector_id)] = reason
    for inspector in inspectors:
        account_org = inspector.user.organization_id if inspector.user_id else None
        if account_org in wanted:
            found.setdefault((account_org, inspector.pk), _("The inspector's account belongs to the organization."))
    units: dict[str, list[int]] = {}
    for inspector in inspectors:
        key = unit_key(inspector.unit)
        if key:
            units.setdefault(key, []).append(inspector.pk)
    if units:
        for org_id, name, supervising_unit in rows:
            for inspector_id in units.get(unit_key(name), []):
                found.setdefault((org_id, inspector_id), _("The inspector works for the organization."))
            for inspector_id in units.get(unit_key(supervising_unit), []) if supervising_unit else []:
                found.setdefault((org_id, inspector_id), _("The inspector works for the organization's supervising unit."))
    return found


@dataclass
class PoolPreview:
    """What a draw on this area would take as input, before it is frozen."""

    org_ids: list[int]
    inspector_ids: list[int]
    conflicts: dict[tuple[int, int], str]
    short: list[tuple[int, int]] = field(default_factory=list)  # (organization id, eligible inspectors) below two

    @property
    def pairs(self) -> list[tuple[int, int]]:
        return sorted(self.conflicts)


def pool_preview(area: Area, *, include_filed: bool) -> PoolPreview:
    org_ids = organization_pool_ids(area, include_filed=include_filed)
    inspectors = list(inspector_pool(area).select_related("user"))
    conflicts = conflicts_between(inspectors, organization_pool(area, include_filed=include_filed))
    per_org = Counter(org for org, _i in conflicts)
    eligible_of = {org: len(inspectors) - per_org.get(org, 0) for org in org_ids}
    short = [(org, n) for org, n in eligible_of.items() if n < INSPECTORS_PER_CHECK]
    return PoolPreview(org_ids=org_ids, inspector_ids=[i.pk for i in inspectors], conflicts=conflicts, short=short)
