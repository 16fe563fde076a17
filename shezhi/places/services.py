"""Writes of party building and places. The staff pages, the demo data and any import call these."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shezhi.accounts.models import Role
from shezhi.areas.models import AreaLevel
from shezhi.audit.models import AuditAction
from shezhi.audit.services import actor_label, audit_record, diff
from shezhi.places.models import PartyStatusChange, Place, PlaceKind
from shezhi.registry.models import Organization, PartyOrganization
from shezhi.registry.services import organization_update

PLACE_FIELDS = [
    "kind",
    "name",
    "address",
    "town",
    "community",
    "operator",
    "operator_name",
    "opened_on",
    "closed_on",
    "standardized",
    "standardized_on",
    "phone",
    "note",
]
PHONE = re.compile(r"^[0-9][0-9\-\s]{5,28}$")


# --- who may --------------------------------------------------------------------------


def _is_province(user) -> bool:
    return user.area is not None and user.area.level == AreaLevel.PROVINCE


def may_record_party(user, organization: Organization) -> bool:
    """The bureau for its city's organizations; a town officer for its town's (registered
    ones included: party building is organized by the town's party committee)."""
    if not getattr(user, "is_authenticated", False) or user.area_id is None:
        return False
    if user.role == Role.BUREAU:
        return _is_province(user) or organization.city_id == user.area_id
    if user.role == Role.TOWN:
        return organization.town_id == user.area_id
    return False


def may_edit_place(user, place: Place) -> bool:
    if not getattr(user, "is_authenticated", False) or user.area_id is None:
        return False
    if user.role == Role.BUREAU:
        return _is_province(user) or place.city_id == user.area_id
    if user.role == Role.TOWN:
        return place.town_id is not None and place.town_id == user.area_id
    return False


# --- party organization ---------------------------------------------------------------


@transaction.atomic
def party_status_change(
    *, organization: Organization, status: str, since: dt.date, details: str = "", by, reason: str, is_demo: bool = False
) -> PartyStatusChange:
    """Record a change of an organization's party organization (单独建立 / 联合建立 /
    选派党建指导员 / 无) and make it the registry's current value.

    The history is kept in order: a change cannot be dated before the last one recorded
    (a correction is a new change that says so). Recording the same status with the same
    details again is refused; the same status with new details (a new instructor, a
    renamed branch) is a change.
    """
    if not may_record_party(by, organization):
        raise PermissionDenied(_("You may not record the party organization of this organization."))
    errors: dict[str, list[str]] = {}
    details = " ".join((details or "").split())[:200]
    reason = (reason or "").strip()
    if status not in PartyOrganization.values:
        errors["status"] = [_("Choose the party organization status.")]
    today = timezone.localdate()
    if not isinstance(since, dt.date):
        errors["since"] = [_("Enter the date from which it applies.")]
    elif since > today:
        errors["since"] = [_("The date cannot be in the future.")]
    if not reason:
        errors["reason"] = [_("Say why, or on what document, the status changes.")]
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    last = PartyStatusChange.objects.filter(organization=org).order_by("-since", "-id").first()
    if last is not None and "since" not in errors and since < last.since:
        errors.setdefault("since", []).append(
            _("The last recorded change is dated %(date)s; record changes in order.") % {"date": last.since.isoformat()}
        )
    if last is not None and last.status == status and last.details == details and "status" not in errors:
        errors.setdefault("status", []).append(_("This is already the recorded status."))
    if org.founded_on and isinstance(since, dt.date) and since < org.founded_on and "since" not in errors:
        errors["since"] = [_("The organization was registered or filed on %(date)s.") % {"date": org.founded_on.isoformat()}]
    if errors:
        raise ValidationError(errors)
    row = PartyStatusChange(
        organization=org,
        status=status,
        since=since,
        details=details,
        reason=reason,
        recorded_by=by if getattr(by, "is_authenticated", False) else None,
        recorded_by_label=actor_label(by),
        is_demo=is_demo,
    )
    row.full_clean()
    row.save()
    old = org.party_organization
    if old != status:
        organization_update(organization=org, data={"party_organization": status}, by=by, reason=reason, source="places")
    audit_record(
        action=AuditAction.PARTY_STATUS_CHANGED,
        by=by,
        target=row,
        changes={
            "party_organization": [old, status],
            "since": [None, since.isoformat()],
            "details": [last.details if last else "", details],
        },
        reason=reason,
        source="places",
    )
    return row


# --- places ---------------------------------------------------------------------------


def _snapshot(place: Place) -> dict[str, Any]:
    data = {f: getattr(place, f) for f in PLACE_FIELDS if f not in ("town", "community", "operator")}
    data["town"] = place.town.name if place.town_id else None
    data["community"] = place.community.name if place.community_id else None
    data["operator"] = place.operator.name if place.operator_id else None
    data["city"] = place.city.name if place.city_id else None
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in data.items()}


def _check(place: Place, by) -> None:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    today = timezone.localdate()
    if place.kind not in PlaceKind.values:
        add("kind", _("Choose the kind of place."))
    if place.town_id and place.town.level != AreaLevel.TOWN:
        add("town", _("Choose a town or street."))
    if place.community_id:
        if place.community.level != AreaLevel.COMMUNITY:
            add("community", _("Choose a community."))
        elif place.community.parent_id != place.town_id:
            add("community", _("The community must be in the town chosen."))
    if by.role == Role.TOWN and place.town_id != by.area_id:
        add("town", _("A town officer records the places of their own town."))
    if not place.operator_id and not place.operator_name:
        add("operator_name", _("Choose the operating organization, or write the operator's name."))
    if place.operator_id and place.operator_name:
        place.operator_name = ""  # the registry's name is the one shown
    if place.opened_on and place.opened_on > today:
        add("opened_on", _("Record a place once it has opened."))
    if place.closed_on:
        if place.closed_on > today:
            add("closed_on", _("The date cannot be in the future."))
        elif place.opened_on and place.closed_on <= place.opened_on:
            add("closed_on", _("A place closes after the day it opened."))
    if place.standardized and not place.standardized_on:
        add("standardized_on", _("Enter the date the standardization assessment was passed."))
    if not place.standardized and place.standardized_on:
        add("standardized", _("Tick “standardized”, or clear the date of the assessment."))
    if place.standardized_on:
        if place.standardized_on > today:
            add("standardized_on", _("The date cannot be in the future."))
        elif place.opened_on and place.standardized_on < place.opened_on:
            add("standardized_on", _("A place is assessed after it opens."))
    if place.phone and not PHONE.match(place.phone):
        add("phone", _("Write the office number with its area code, e.g. 0573-85012345."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def place_save(*, place: Place | None = None, data: Mapping[str, Any], by) -> Place:
    """Create (place=None) or change a place. The bureau records places anywhere in its city
    (with no town for a city-level place); a town officer only in its town. Every save is
    audited with what changed."""
    if not (getattr(by, "is_authenticated", False) and by.role in (Role.BUREAU, Role.TOWN) and by.area_id):
        raise PermissionDenied(_("Only the bureau and town officers record places."))
    unknown = set(data) - set(PLACE_FIELDS)
    if unknown:
        raise TypeError(f"unknown place fields: {sorted(unknown)}")
    if place is None:
        target = Place(created_by=by)
        old: dict[str, Any] = {}
    else:
        target = Place.objects.select_for_update().get(pk=place.pk)
        if not may_edit_place(by, target):
            raise PermissionDenied(_("You may not change this place."))
        old = _snapshot(target)
    for field in PLACE_FIELDS:
        if field in data:
            value = data[field]
            if isinstance(value, str):
                value = " ".join(value.split()) if field != "note" else value.strip()
            if value is None and field in ("operator_name", "phone", "note", "address", "name"):
                value = ""
            setattr(target, field, value)
    if target.town_id:
        target.city_id = target.town.city_id
    elif by.role == Role.BUREAU and by.area.level == AreaLevel.CITY:
        target.city_id = by.area_id
    elif not target.city_id:
        raise ValidationError({"town": _("Choose the town or street.")})
    if by.role == Role.BUREAU and not _is_province(by) and target.city_id != by.area_id:
        raise ValidationError({"town": _("Choose a town or street of your city.")})
    _check(target, by)
    target.full_clean(exclude=["created_by"])
    target.save()
    changes = diff(old, _snapshot(target))
    if not old:
        changes = {k: v for k, v in changes.items() if v[1] not in (None, "", False)}
    audit_record(
        action=AuditAction.PLACE_SAVED,
        by=by,
        target=target,
        changes=changes,
        reason=_("New place") if not old else "",
        source="places",
    )
    return target
