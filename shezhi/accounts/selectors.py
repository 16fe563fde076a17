"""Who may see what. Every scoped read in the project starts from these functions."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from shezhi.accounts.models import Role
from shezhi.areas.models import Area, AreaLevel


def area_scope_q(user, *, city: str = "city_id", town: str = "town_id", community: str = "community_id") -> Q | None:
    """The filter that limits rows with city/town/community columns to the user's area.

    None means "nothing": the user has no staff scope. The column names let other models
    (volunteers, projects) reuse the same rule.
    """
    if not getattr(user, "is_authenticated", False) or user.role not in (Role.BUREAU, Role.DEPARTMENT, Role.TOWN, Role.COMMUNITY):
        return None
    area = user.area
    if area is None:
        return None
    return inside_area_q(area, city=city, town=town, community=community)


def inside_area_q(
    area: Area, *, city: str = "city_id", town: str = "town_id", community: str = "community_id", province: str | None = None
) -> Q:
    """The filter for rows with city/town/community columns that lie inside `area`. For a
    province, the rows of every city, or those whose `province` column is the province."""
    if area.level == AreaLevel.PROVINCE:
        return Q(**{province: area.pk}) if province else Q()
    if area.level == AreaLevel.CITY:
        return Q(**{city: area.pk})
    if area.level == AreaLevel.TOWN:
        return Q(**{town: area.pk})
    return Q(**{community: area.pk})


def areas_visible_to(user) -> QuerySet[Area]:
    """Areas inside the user's own area (including it)."""
    q = area_scope_q(user, community="id")
    if q is None:
        return Area.objects.none()
    area = user.area
    if area.level == AreaLevel.CITY or area.level == AreaLevel.TOWN:
        q = q | Q(pk=area.pk)
    return Area.objects.filter(q)


def towns_for_filing(user) -> QuerySet[Area]:
    """Towns in which the user may file community organizations."""
    if not getattr(user, "is_authenticated", False):
        return Area.objects.none()
    if user.role == Role.TOWN and user.area and user.area.level == AreaLevel.TOWN:
        return Area.objects.filter(pk=user.area_id)
    if user.role == Role.BUREAU and user.area:
        return Area.objects.filter(level=AreaLevel.TOWN, city=user.area if user.area.level == AreaLevel.CITY else None)
    return Area.objects.none()
