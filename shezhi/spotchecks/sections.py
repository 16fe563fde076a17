"""The spot-check sections of an organization's pages (registered in apps.py)."""

from __future__ import annotations

from django.utils import timezone

from shezhi.accounts.models import Role
from shezhi.spotchecks import selectors
from shezhi.spotchecks.models import CampaignStatus, Check, RectificationOrder


def public_section(organization, request) -> dict | None:
    """Spot-check results on the public page: checks of published campaigns, the aspects
    with problems and the state of the rectification orders (not the inspectors' notes)."""
    checks = selectors.public_checks_of(organization)
    if not checks:
        return None
    return {"checks": checks, "today": timezone.localdate()}


def staff_section(organization, request) -> dict | None:
    """Checks and rectification orders on the registry page: for the bureau and the town
    (the page has already checked that they may see the organization) and for the
    organization's own account."""
    user = request.user
    role = getattr(user, "role", None)
    if role == Role.ORGANIZATION:
        if user.organization_id != organization.pk:
            return None
        statuses = [CampaignStatus.PUBLISHED]
    elif role in (Role.BUREAU, Role.TOWN) and selectors.is_staff_reader(user):
        statuses = [CampaignStatus.DRAWN, CampaignStatus.PUBLISHED]
    else:
        return None
    checks = list(
        Check.objects.filter(organization=organization, campaign__status__in=statuses)
        .select_related("campaign", "inspector_a", "inspector_b")
        .order_by("-campaign__year", "-campaign_id")
    )
    orders = list(RectificationOrder.objects.filter(organization=organization).order_by("-issued_on", "-id"))
    if not checks and not orders:
        return None
    return {
        "checks": checks,
        "orders": orders,
        "today": timezone.localdate(),
        "staff": role in (Role.BUREAU, Role.TOWN),
        "bureau": role == Role.BUREAU,
        "org_id": organization.pk,
    }
