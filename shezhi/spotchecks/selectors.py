"""Reads of spot checks and rectification orders, scoped to the acting user; forbidden is "not found".

- The bureau: campaigns, inspectors, checks and orders of its area; it changes them.
- A town officer: the drawn and published campaigns of its city, with the checks and
  orders of its town's organizations, read only.
- An organization's account: its own rectification orders (it reports completion).
- Everyone: published campaigns, the pools' sizes and the inspectors' names and units.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from shezhi.accounts.models import Role
from shezhi.accounts.selectors import area_scope_q
from shezhi.areas.models import Area, AreaLevel
from shezhi.registry.models import Organization
from shezhi.spotchecks.models import (
    Campaign,
    CampaignStatus,
    Check,
    CheckFinding,
    Inspector,
    InspectorConflict,
    OrderStatus,
    RectificationOrder,
)

STAFF_ROLES = {Role.BUREAU, Role.TOWN}
ORDER_ROLES = {Role.BUREAU, Role.TOWN, Role.ORGANIZATION}


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_bureau(user) -> bool:
    return _signed_in(user) and user.role == Role.BUREAU and user.area_id is not None


def is_staff_reader(user) -> bool:
    return _signed_in(user) and user.role in STAFF_ROLES and user.area_id is not None


def _get(qs: QuerySet, pk):
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# --- campaigns ---------------------------------------------------------------------------


def campaigns_visible_to(user) -> QuerySet[Campaign]:
    qs = Campaign.objects.select_related("area")
    if not is_staff_reader(user):
        return qs.none()
    if user.role == Role.BUREAU:
        return qs.filter(Q(area_id=user.area_id) | Q(area__parent_id=user.area_id))
    if user.area.level != AreaLevel.TOWN:
        return qs.none()
    return qs.filter(area_id=user.area.city_id, status__in=[CampaignStatus.DRAWN, CampaignStatus.PUBLISHED])


def campaign_for(user, pk) -> Campaign:
    return _get(campaigns_visible_to(user), pk)


def campaign_list(user) -> QuerySet[Campaign]:
    """The staff list with the counts it shows, in one query."""
    return campaigns_visible_to(user).annotate(
        n_checks=Count("checks", distinct=True),
        n_recorded=Count("checks", filter=Q(checks__status="recorded"), distinct=True),
    )


def checks_visible_to(user) -> QuerySet[Check]:
    qs = Check.objects.select_related("campaign", "organization", "organization__town", "inspector_a", "inspector_b")
    if not is_staff_reader(user):
        return qs.none()
    qs = qs.filter(campaign__in=campaigns_visible_to(user))
    if user.role == Role.TOWN:
        qs = qs.filter(organization__town_id=user.area_id)
    return qs


def checks_of(user, campaign: Campaign) -> QuerySet[Check]:
    return checks_visible_to(user).filter(campaign=campaign).order_by("position")


def check_for(user, pk) -> Check:
    return _get(checks_visible_to(user), pk)


def may_manage(user, campaign: Campaign) -> bool:
    return is_bureau(user) and campaigns_visible_to(user).filter(pk=campaign.pk).exists()


# --- inspectors --------------------------------------------------------------------------


def inspectors_visible_to(user) -> QuerySet[Inspector]:
    if not is_bureau(user):
        return Inspector.objects.none()
    return Inspector.objects.filter(area_id=user.area_id).select_related("user", "area")


def inspector_for(user, pk) -> Inspector:
    return _get(inspectors_visible_to(user), pk)


def inspector_list(user) -> QuerySet[Inspector]:
    return inspectors_visible_to(user).annotate(n_conflicts=Count("conflicts")).order_by("-active", "name", "id")


def conflicts_of(inspector: Inspector) -> QuerySet[InspectorConflict]:
    return inspector.conflicts.select_related("organization", "recorded_by").order_by("organization__sort_key", "id")


# --- rectification orders ---------------------------------------------------------------------


def orders_visible_to(user) -> QuerySet[RectificationOrder]:
    qs = RectificationOrder.objects.select_related("organization", "organization__town", "spot_check__campaign")
    if not _signed_in(user):
        return qs.none()
    if user.role == Role.ORGANIZATION:
        return qs.filter(organization_id=user.organization_id)
    if user.role not in STAFF_ROLES:
        return qs.none()
    q = area_scope_q(user, city="organization__city_id", town="organization__town_id", community="organization__community_id")
    return qs.none() if q is None else qs.filter(q)


def order_for(user, pk) -> RectificationOrder:
    return _get(orders_visible_to(user), pk)


def open_q(on: dt.date) -> Q:
    """Orders not completed at the start of day `on` (a completion reported and not yet
    rejected counts as completed on the day it was reported)."""
    return ~Q(status=OrderStatus.CANCELLED) & (Q(completed_on__isnull=True) | Q(completed_on__gte=on))


def overdue_rectifications(on: dt.date) -> QuerySet[RectificationOrder]:
    """Orders open on `on` whose due date is before `on`: the day after the due date is the
    first day late; the due date itself is in time."""
    return RectificationOrder.objects.filter(open_q(on), due_on__lt=on).select_related("organization")


# --- public ------------------------------------------------------------------------------


def published_campaigns() -> QuerySet[Campaign]:
    return (
        Campaign.objects.filter(status=CampaignStatus.PUBLISHED)
        .select_related("area")
        .annotate(
            n_checks=Count("checks", distinct=True),
            n_recorded=Count("checks", filter=Q(checks__status="recorded"), distinct=True),
        )
        .order_by("-year", "-published_at", "-id")
    )


def public_campaign(pk) -> Campaign:
    return _get(Campaign.objects.filter(status=CampaignStatus.PUBLISHED).select_related("area"), pk)


def public_checks(campaign: Campaign) -> QuerySet[Check]:
    return (
        campaign.checks.select_related("organization", "organization__town", "inspector_a", "inspector_b")
        .prefetch_related(Prefetch("findings", queryset=CheckFinding.objects.order_by("id")), "orders")
        .order_by("position")
    )


def public_checks_of(organization: Organization) -> list[Check]:
    """The organization's checks in published campaigns, latest first (its public page)."""
    return list(
        Check.objects.filter(organization=organization, campaign__status=CampaignStatus.PUBLISHED)
        .select_related("campaign")
        .prefetch_related(Prefetch("findings", queryset=CheckFinding.objects.order_by("id")), "orders")
        .order_by("-campaign__year", "-campaign_id")
    )


def pool_areas() -> QuerySet[Area]:
    """Areas with a published pool: some inspector in the pool or a published campaign."""
    with_inspectors = Inspector.objects.filter(active=True).values("area_id")
    with_campaigns = Campaign.objects.filter(status=CampaignStatus.PUBLISHED).values("area_id")
    return Area.objects.filter(Q(pk__in=with_inspectors) | Q(pk__in=with_campaigns)).order_by("code")


def public_inspectors(area: Area) -> QuerySet[Inspector]:
    """Names and units only: the public page shows nothing else about a person."""
    return Inspector.objects.filter(area=area, active=True).only("id", "name", "unit", "user_id", "is_demo").order_by("id")
