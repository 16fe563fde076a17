"""Reads of party building and places: scoped staff lists, public lists and the counts the
targets dashboard uses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from shezhi.accounts.models import Role
from shezhi.accounts.selectors import area_scope_q, inside_area_q
from shezhi.areas.models import Area, AreaLevel
from shezhi.places.models import PartyStatusChange, Place, PlaceKind


def open_on_q(on: dt.date, prefix: str = "") -> Q:
    """Places open on a day: opened that day or before, and not closed by then (a place
    closed on day D is no longer open on D)."""
    return Q(**{f"{prefix}opened_on__lte": on}) & (Q(**{f"{prefix}closed_on__isnull": True}) | Q(**{f"{prefix}closed_on__gt": on}))


def _area_q(area: Area) -> Q:
    return inside_area_q(area, province="city__parent_id")


def places_count(kind: str, area: Area, on: dt.date, *, standardized: bool | None = None) -> int:
    """The number of places of `kind` in `area` (province, city, town or community) open on
    `on`. With standardized=True only those standardized by that day (T7 counts standardized
    party-mass service centres); with False only those not (yet) standardized then."""
    qs = Place.objects.filter(_area_q(area), open_on_q(on), kind=kind)
    if standardized is True:
        qs = qs.filter(standardized=True, standardized_on__lte=on)
    elif standardized is False:
        qs = qs.filter(Q(standardized=False) | Q(standardized_on__gt=on))
    return qs.count()


def places_open_on(area: Area, on: dt.date, *, kind: str | None = None) -> QuerySet[Place]:
    """The records behind places_count (for the dashboard's "list behind the number")."""
    qs = Place.objects.filter(_area_q(area), open_on_q(on)).select_related("town", "community", "operator")
    return qs.filter(kind=kind) if kind else qs


# --- staff ------------------------------------------------------------------------------


def can_manage_places(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.role in (Role.BUREAU, Role.TOWN) and user.area_id is not None


def places_visible_to(user) -> QuerySet[Place]:
    """The bureau sees its city's places, a town officer its town's; nobody else has a staff view."""
    if not can_manage_places(user):
        return Place.objects.none()
    q = area_scope_q(user, city="city_id", town="town_id", community="community_id")
    if q is None:
        return Place.objects.none()
    return Place.objects.filter(q)


def place_for(user, pk) -> Place:
    try:
        return places_visible_to(user).select_related("town", "community", "operator", "city").get(pk=pk)
    except (Place.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# --- public -----------------------------------------------------------------------------


def public_city() -> Area | None:
    """The city the public list shows: this deployment's (settings.SHEZHI_CITY_CODE)."""
    city = Area.objects.filter(level=AreaLevel.CITY, code=settings.SHEZHI_CITY_CODE).first()
    return city or Area.objects.filter(level=AreaLevel.CITY).order_by("code").first()


@dataclass(frozen=True)
class TownCount:
    town: Area | None  # None: places of the whole city
    centres: int
    standardized: int
    charity_bases: int


def counts_by_town(city: Area, on: dt.date) -> list[TownCount]:
    """Per town of the city (and a row for city-level places): open centres, standardized
    centres and charity bases on `on`. One grouped query plus the towns."""
    centre = Q(kind=PlaceKind.PARTY_MASS_CENTRE)
    rows = {
        r["town_id"]: r
        for r in Place.objects.filter(open_on_q(on), city=city)
        .values("town_id")
        .annotate(
            centres=Count("id", filter=centre),
            standardized=Count("id", filter=centre & Q(standardized=True, standardized_on__lte=on)),
            charity_bases=Count("id", filter=Q(kind=PlaceKind.CHARITY_BASE)),
        )
    }
    out = []
    if None in rows:
        r = rows[None]
        out.append(TownCount(None, r["centres"], r["standardized"], r["charity_bases"]))
    for town in Area.objects.filter(level=AreaLevel.TOWN, city=city).order_by("code"):
        r = rows.get(town.pk, {"centres": 0, "standardized": 0, "charity_bases": 0})
        out.append(TownCount(town, r["centres"], r["standardized"], r["charity_bases"]))
    return out


# --- party organization -----------------------------------------------------------------


def party_history(organization, *, limit: int = 50) -> list[PartyStatusChange]:
    return list(PartyStatusChange.objects.filter(organization=organization).order_by("-since", "-id")[:limit])
