"""Reads of volunteers, scoped to the acting user; masking of ID numbers."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from shezhi.accounts.models import Role
from shezhi.accounts.selectors import area_scope_q
from shezhi.volunteers.models import Membership, Station, Volunteer, VolunteerStatus, VolunteerTeam

# Staff roles that keep volunteer records. City departments do not: they have no need for
# residents' personal data.
VOLUNTEER_STAFF_ROLES = (Role.BUREAU, Role.TOWN, Role.COMMUNITY)


def mask_id_number(value: str | None, id_type: str | None = None) -> str:
    """Show as little as lets a person recognise their own number.

    18-character numbers (ID card, residence permit, new permanent residence card) and other
    long ones keep the first 6 (address code) and the last 4: 330482********123X. Shorter
    document numbers (travel permits, passports) keep the first 2 and last 2: H1*****78.
    """
    if not value:
        return ""
    n = len(value)
    if n >= 15:
        return f"{value[:6]}{'*' * (n - 10)}{value[-4:]}"
    if n >= 7:
        return f"{value[:2]}{'*' * (n - 4)}{value[-2:]}"
    return "*" * n


def volunteer_of(user) -> Volunteer | None:
    """The user's own volunteer record (never a merged one), or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Volunteer.objects.filter(user=user).exclude(status=VolunteerStatus.MERGED).select_related("city", "town", "community").first()


def _organization_members_q(organization_id: int) -> Q:
    return Q(memberships__organization_id=organization_id) | Q(memberships__team__organization_id=organization_id)


def volunteers_visible_to(user) -> QuerySet[Volunteer]:
    """Volunteer records whose (masked) data the user may see.

    Bureau, town and community staff: the volunteers living in their area. An organization's
    account: its members and its teams' members (current and past: it certifies their
    service). Everyone else: none.
    """
    if not getattr(user, "is_authenticated", False):
        return Volunteer.objects.none()
    base = Volunteer.objects.select_related("city", "town", "community")
    if user.role == Role.ORGANIZATION and user.organization_id:
        member_ids = Membership.objects.filter(
            Q(organization_id=user.organization_id) | Q(team__organization_id=user.organization_id)
        ).values("volunteer_id")
        return base.filter(pk__in=member_ids)
    if user.role not in VOLUNTEER_STAFF_ROLES:
        return Volunteer.objects.none()
    q = area_scope_q(user)
    if q is None:
        return Volunteer.objects.none()
    return base.filter(q)


def volunteer_for(user, pk) -> Volunteer:
    """A volunteer the user may see, or 404 (missing and forbidden look the same)."""
    try:
        return volunteers_visible_to(user).get(pk=pk)
    except (Volunteer.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def may_see_full_id(user, volunteer: Volunteer) -> bool:
    """The full ID number is for the staff who keep the record: the bureau of the volunteer's
    city and the officers of the volunteer's town. Nobody else (community workers,
    organizations, the volunteer's own account) sees more than the masked number."""
    if not getattr(user, "is_authenticated", False) or user.area_id is None:
        return False
    if user.role == Role.BUREAU:
        area = user.area
        return area.level == "province" or volunteer.city_id == user.area_id
    if user.role == Role.TOWN:
        return volunteer.town_id == user.area_id
    return False


def may_manage_volunteer(user, volunteer: Volunteer) -> bool:
    """Staff of the volunteer's area may change the record (not organizations)."""
    if not getattr(user, "is_authenticated", False) or user.role not in VOLUNTEER_STAFF_ROLES:
        return False
    return volunteers_visible_to(user).filter(pk=volunteer.pk).exists()


def teams_visible_to(user) -> QuerySet[VolunteerTeam]:
    if not getattr(user, "is_authenticated", False):
        return VolunteerTeam.objects.none()
    base = VolunteerTeam.objects.select_related("organization", "town", "community")
    if user.role == Role.ORGANIZATION and user.organization_id:
        return base.filter(organization_id=user.organization_id)
    if user.role not in VOLUNTEER_STAFF_ROLES:
        return VolunteerTeam.objects.none()
    q = area_scope_q(user)
    return base.none() if q is None else base.filter(q)


def stations_visible_to(user) -> QuerySet[Station]:
    if not getattr(user, "is_authenticated", False):
        return Station.objects.none()
    base = Station.objects.select_related("town", "community", "operator")
    if user.role == Role.ORGANIZATION and user.organization_id:
        return base.filter(operator_id=user.organization_id)
    if user.role not in VOLUNTEER_STAFF_ROLES:
        return Station.objects.none()
    q = area_scope_q(user)
    return base.none() if q is None else base.filter(q)
