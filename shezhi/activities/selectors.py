"""Reads of activities, sign-ups and hours, scoped to the acting user; forbidden is "not found".

Who manages an activity (its organizer): the account of the organizing organization (an
activity of one of its teams or of a station it operates included), and the bureau, town and
community staff of the area where it takes place. City departments and reviewers do not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from shezhi.accounts.models import Role
from shezhi.accounts.selectors import area_scope_q
from shezhi.activities.models import (
    Activity,
    ActivityStatus,
    HoursRecord,
    HoursStatus,
    ServiceCertificate,
    SignUp,
    SignUpStatus,
    StarLevel,
)
from shezhi.activities.rules import ZERO, next_star_level, star_level
from shezhi.activities.services import Issuer
from shezhi.registry.models import Organization
from shezhi.registry.selectors import organizations_visible_to
from shezhi.volunteers.models import Station, Volunteer, VolunteerTeam
from shezhi.volunteers.selectors import stations_visible_to, teams_visible_to

STAFF_MANAGER_ROLES = (Role.BUREAU, Role.TOWN, Role.COMMUNITY)


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


# --- public -----------------------------------------------------------------------------------


def activities_public() -> QuerySet[Activity]:
    return Activity.objects.select_related("organization", "team", "station", "town", "community")


def activities_open(*, town_id: int | None = None, on: dt.date | None = None, now: dt.datetime | None = None) -> QuerySet[Activity]:
    """Activities recruiting now and not yet ended, soonest first; optionally in a town and
    taking place on a day."""
    now = now or timezone.now()
    qs = activities_public().filter(status=ActivityStatus.OPEN, ends_at__gt=now)
    if town_id:
        qs = qs.filter(town_id=town_id)
    if on is not None:
        start = timezone.make_aware(dt.datetime.combine(on, dt.time.min))
        qs = qs.filter(starts_at__lt=start + dt.timedelta(days=1), ends_at__gt=start)
    return qs.order_by("starts_at", "id")


def activity_public(pk) -> Activity:
    try:
        return activities_public().get(pk=pk)
    except (Activity.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# --- organizers -------------------------------------------------------------------------------


def may_organize(user) -> bool:
    """Who may create activities: a volunteer organization's account, and area staff."""
    if not _signed_in(user):
        return False
    if user.role == Role.ORGANIZATION:
        return bool(user.organization_id) and Organization.objects.filter(pk=user.organization_id, is_volunteer_org=True).exists()
    return user.role in STAFF_MANAGER_ROLES and user.area_id is not None


def activities_managed_by(user) -> QuerySet[Activity]:
    if not _signed_in(user):
        return Activity.objects.none()
    base = activities_public()
    if user.role == Role.ORGANIZATION and user.organization_id:
        return base.filter(organization_id=user.organization_id)
    if user.role not in STAFF_MANAGER_ROLES:
        return Activity.objects.none()
    q = area_scope_q(user)
    return Activity.objects.none() if q is None else base.filter(q)


def activity_managed(user, pk) -> Activity:
    try:
        return activities_managed_by(user).get(pk=pk)
    except (Activity.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def may_manage(user, activity: Activity) -> bool:
    return activities_managed_by(user).filter(pk=activity.pk).exists()


@dataclass
class OrganizerChoices:
    organizations: QuerySet[Organization]
    teams: QuerySet[VolunteerTeam]
    stations: QuerySet[Station]


def organizer_choices(user) -> OrganizerChoices:
    """What the user may choose as organizer of a new activity."""
    if not may_organize(user):
        return OrganizerChoices(Organization.objects.none(), VolunteerTeam.objects.none(), Station.objects.none())
    orgs = organizations_visible_to(user).filter(is_volunteer_org=True, status="normal").order_by("sort_key", "id")
    teams = teams_visible_to(user).filter(dissolved_on__isnull=True, organization__is_volunteer_org=True)
    stations = stations_visible_to(user).filter(closed_on__isnull=True)
    return OrganizerChoices(orgs, teams, stations)


def hours_of_activity(activity: Activity) -> QuerySet[HoursRecord]:
    return HoursRecord.objects.filter(activity=activity).select_related("volunteer", "decided_by", "submitted_by").order_by("status", "-id")


def pending_counts(activity_ids: list[int]) -> dict[int, int]:
    rows = (
        HoursRecord.objects.filter(activity_id__in=activity_ids, status=HoursStatus.PENDING)
        .values("activity_id")
        .annotate(n=Count("id"))
        .values_list("activity_id", "n")
    )
    return dict(rows)


def record_managed(user, pk) -> HoursRecord:
    """An hours record of an activity the user manages, or 404."""
    try:
        record = HoursRecord.objects.select_related("activity", "volunteer").get(pk=pk, activity__isnull=False)
    except (HoursRecord.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not may_manage(user, record.activity):
        raise Http404
    return record


# --- the volunteer's own record ------------------------------------------------------------------


def own_signup(volunteer: Volunteer | None, activity: Activity) -> SignUp | None:
    if volunteer is None:
        return None
    return SignUp.objects.filter(activity=activity, volunteer=volunteer).exclude(status=SignUpStatus.CANCELLED).first()


def waiting_position(signup: SignUp) -> int | None:
    if signup.status != SignUpStatus.WAITING:
        return None
    ahead = SignUp.objects.filter(activity_id=signup.activity_id, status=SignUpStatus.WAITING).filter(
        Q(signed_up_at__lt=signup.signed_up_at) | Q(signed_up_at=signup.signed_up_at, id__lt=signup.pk)
    )
    return ahead.count() + 1


@dataclass
class HoursSummary:
    confirmed: Decimal
    pending: Decimal
    records: int
    star: StarLevel | None
    next_star: StarLevel | None

    @property
    def to_next(self) -> Decimal | None:
        return None if self.next_star is None else self.next_star.min_hours - self.confirmed


def hours_summary(volunteer: Volunteer) -> HoursSummary:
    """Cumulative confirmed hours (the only ones that count), hours awaiting confirmation,
    and the star level they reach (thresholds are StarLevel rows)."""
    rows = dict(
        HoursRecord.objects.filter(volunteer=volunteer, status__in=[HoursStatus.CONFIRMED, HoursStatus.PENDING])
        .values("status")
        .annotate(t=Sum("hours"))
        .values_list("status", "t")
    )
    confirmed = rows.get(HoursStatus.CONFIRMED) or ZERO
    levels = list(StarLevel.objects.all())
    count = HoursRecord.objects.filter(volunteer=volunteer, status=HoursStatus.CONFIRMED).count()
    return HoursSummary(
        confirmed=confirmed,
        pending=rows.get(HoursStatus.PENDING) or ZERO,
        records=count,
        star=star_level(confirmed, levels),
        next_star=next_star_level(confirmed, levels),
    )


def records_of(volunteer: Volunteer) -> QuerySet[HoursRecord]:
    return (
        HoursRecord.objects.filter(volunteer=volunteer).select_related("activity", "organization", "station").order_by("-served_on", "-id")
    )


def signups_of(volunteer: Volunteer) -> QuerySet[SignUp]:
    return SignUp.objects.filter(volunteer=volunteer).select_related("activity").order_by("-activity__starts_at", "-id")


def certificates_of(volunteer: Volunteer) -> QuerySet[ServiceCertificate]:
    return ServiceCertificate.objects.filter(volunteer=volunteer).select_related("document").order_by("-issued_on", "-id")


def issuers_for(volunteer: Volunteer) -> list[Issuer]:
    """The organizations and stations that recorded confirmed hours of the volunteer: those
    who may certify them ("who records certifies")."""
    confirmed = HoursRecord.objects.filter(volunteer=volunteer, status=HoursStatus.CONFIRMED)
    org_ids = set(confirmed.filter(organization__isnull=False).values_list("organization_id", flat=True))
    station_ids = set(confirmed.filter(organization__isnull=True, station__isnull=False).values_list("station_id", flat=True))
    issuers = [
        Issuer(key=f"o{o.pk}", name=o.name, organization=o) for o in Organization.objects.filter(pk__in=org_ids).order_by("sort_key")
    ]
    issuers += [Issuer(key=f"s{s.pk}", name=s.name, station=s) for s in Station.objects.filter(pk__in=station_ids).order_by("name")]
    return issuers


def issuer_for(volunteer: Volunteer, key: str) -> Issuer | None:
    return next((i for i in issuers_for(volunteer) if i.key == key), None)


def certificate_for(volunteer: Volunteer | None, pk) -> ServiceCertificate:
    """One of the volunteer's own certificates, or 404."""
    if volunteer is None:
        raise Http404
    try:
        return ServiceCertificate.objects.select_related("document").get(pk=pk, volunteer=volunteer)
    except (ServiceCertificate.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
