"""Writes to the area tree. Areas come from the bureau's spreadsheet; these functions keep
the tree consistent (a community's parent is a town, a town's a city) and audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shezhi.areas.models import LEVEL_KINDS, PARENT_LEVEL, Area, AreaKind, AreaLevel, PopulationCount
from shezhi.audit.models import AuditAction
from shezhi.audit.services import audit_record, diff

KIND_LEVEL = {kind: level for level, kinds in LEVEL_KINDS.items() for kind in kinds}
# The Chinese words a spreadsheet may use for each kind.
KIND_WORDS = {
    "省": AreaKind.PROVINCE,
    "县级市": AreaKind.CITY,
    "市": AreaKind.CITY,
    "县": AreaKind.CITY,
    "区": AreaKind.CITY,
    "街道": AreaKind.STREET,
    "镇": AreaKind.TOWN,
    "乡": AreaKind.TOWN,
    "开发区": AreaKind.DEV_ZONE,
    "城市社区": AreaKind.URBAN,
    "社区": AreaKind.URBAN,
    "农村社区": AreaKind.RURAL,
    "行政村": AreaKind.RURAL,
    "村": AreaKind.RURAL,
}
FIELDS = ["code", "name", "kind", "parent", "population", "population_date", "authority_name", "is_demo"]


def _derive(area: Area) -> None:
    area.level = KIND_LEVEL[area.kind]
    parent = area.parent
    # A city or town points at itself; before its first save it has no key to point with.
    me = area if area.pk else None
    area.city = me if area.level == AreaLevel.CITY else (parent.city if parent else None)
    area.town = me if area.level == AreaLevel.TOWN else (parent.town if parent else None)


def _check(area: Area) -> None:
    errors: dict[str, str] = {}
    if area.kind not in KIND_LEVEL:
        errors["kind"] = _("Unknown area kind.")
    elif not area.code.isdigit():
        errors["code"] = _("An area code has digits only.")
    else:
        want_parent = PARENT_LEVEL[KIND_LEVEL[area.kind]]
        if want_parent is None and area.parent_id:
            errors["parent"] = _("A province has no parent area.")
        elif want_parent and want_parent != AreaLevel.PROVINCE and (area.parent is None or area.parent.level != want_parent):
            errors["parent"] = _("The parent of a %(kind)s must be a %(level)s.") % {
                "kind": AreaKind(area.kind).label,
                "level": AreaLevel(want_parent).label,
            }
        elif want_parent == AreaLevel.PROVINCE and area.parent is not None and area.parent.level != AreaLevel.PROVINCE:
            errors["parent"] = _("The parent of a city must be a province.")
        elif area.parent is not None and not area.code.startswith(area.parent.code.rstrip("0") or area.parent.code):
            errors["code"] = _("The code %(code)s does not start with its parent's code %(parent)s.") % {
                "code": area.code,
                "parent": area.parent.code,
            }
    if area.population_date and area.population_date > timezone.localdate():
        errors["population_date"] = _("The population date cannot be in the future.")
    if errors:
        raise ValidationError(errors)


def _snapshot(area: Area) -> dict[str, Any]:
    return {f: (getattr(area, f).code if f == "parent" and area.parent_id else getattr(area, f)) for f in FIELDS}


def _count_population(area: Area, old: dict[str, Any]) -> None:
    """Keep the population history (PopulationCount) in step with the area's figure.

    An area that had a population but no history yet (its rows were inserted directly, as
    the demo data's are) first gets the figure it had, so the days before the new count
    keep it. A cleared population removes nothing: it was true when it was counted.
    """
    if area.population is None:
        return
    first_count = old.get("population") is not None and not PopulationCount.objects.filter(area=area).exists()
    if first_count and old.get("population_date") != area.population_date:
        PopulationCount.objects.create(area=area, on=old.get("population_date"), population=old["population"])
    # A figure given without its date is taken as of the day it is entered, once there is
    # history for it to follow; the very first one holds for every day before.
    on = area.population_date
    if on is None and PopulationCount.objects.filter(area=area).exists():
        on = timezone.localdate()
    PopulationCount.objects.update_or_create(area=area, on=on, defaults={"population": area.population})


@transaction.atomic
def area_save(*, code: str, data: dict[str, Any], by, source: str = "") -> tuple[Area, bool]:
    """Create the area with this code or update it; returns (area, created)."""
    area = Area.objects.select_for_update().filter(code=code).first()
    created = area is None
    old = {} if created else _snapshot(area)
    if created:
        area = Area(code=code)
    for key, value in data.items():
        if key not in FIELDS or key == "code":
            raise TypeError(f"unknown area field {key}")
        setattr(area, key, value)
    _check(area)
    _derive(area)
    area.full_clean(exclude=["city", "town", "parent", "level"])
    area.save()
    if created and area.level in (AreaLevel.CITY, AreaLevel.TOWN):
        _derive(area)
        area.save(update_fields=["city", "town"])
    changes = diff(old, _snapshot(area))
    if "population" in changes or "population_date" in changes:
        _count_population(area, old)
    if changes:
        audit_record(
            action=AuditAction.AREA_CREATED if created else AuditAction.AREA_CHANGED, by=by, target=area, changes=changes, source=source
        )
    return area, created
