"""Reads of volunteers, scoped to the acting user; masking of ID numbers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from shezhi.accounts.models import Role
from shezhi.accounts.selectors import area_scope_q
from shezhi.areas.models import Area, AreaLevel
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


# --- the numbers: counts by area as of a date ----------------------------------------------


@dataclass
class AreaCounts:
    """The volunteer numbers of one area on one date."""

    area: Area | None  # None: volunteers with no community recorded (under a town)
    population: int | None = None
    registered: int = 0  # registered volunteers (not cancelled as of the date; merged records never count)
    active: int = 0  # with a confirmed service record in the 12 months up to the date
    organizations: int = 0  # registered volunteer service organizations
    teams: int = 0  # volunteer teams filed under them
    stations: int = 0  # stations open on the date
    hours_year: Decimal = Decimal(0)  # confirmed hours served in the 12 months up to the date
    hours_total: Decimal = Decimal(0)  # confirmed hours served up to the date
    has_children: bool = False

    @property
    def organizations_and_teams(self) -> int:
        return self.organizations + self.teams

    def _percent(self, n: int) -> Decimal | None:
        if not self.population:
            return None
        return (Decimal(n) * 100 / Decimal(self.population)).quantize(Decimal("0.001"))

    @property
    def registered_percent(self) -> Decimal | None:
        return self._percent(self.registered)

    @property
    def organizations_percent(self) -> Decimal | None:
        return self._percent(self.organizations_and_teams)

    def add(self, other: AreaCounts) -> None:
        for name in ("registered", "active", "organizations", "teams", "stations", "hours_year", "hours_total"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


# The child level of each level, and the column that holds the child on the counted rows.
CHILD_LEVEL = {AreaLevel.PROVINCE: AreaLevel.CITY, AreaLevel.CITY: AreaLevel.TOWN, AreaLevel.TOWN: AreaLevel.COMMUNITY}
LEVEL_COLUMN = {AreaLevel.CITY: "city_id", AreaLevel.TOWN: "town_id", AreaLevel.COMMUNITY: "community_id"}


def year_before(on: dt.date) -> dt.date:
    """The day that starts the 12 months ending on `on` is the day after this one."""
    try:
        return on.replace(year=on.year - 1)
    except ValueError:  # 29 February
        return on.replace(year=on.year - 1, day=28)


def registered_on_q(on: dt.date, prefix: str = "") -> Q:
    """Volunteers registered on or before `on` and not cancelled by then. Merged records
    never count: a merge corrects a duplicate, the person counts once, from the earliest
    registration (the merge gives the kept record that date)."""
    p = prefix
    return (
        Q(**{f"{p}registered_on__lte": on})
        & ~Q(**{f"{p}status": VolunteerStatus.MERGED})
        & (Q(**{f"{p}cancelled_on__isnull": True}) | Q(**{f"{p}cancelled_on__gt": on}))
    )


def _grouped(qs, column: str, **aggregates) -> dict:
    return {row[column]: row for row in qs.values(column).annotate(**aggregates).order_by()}


LEVEL_ORDER = [AreaLevel.PROVINCE, AreaLevel.CITY, AreaLevel.TOWN, AreaLevel.COMMUNITY]


def volunteer_counts(area: Area, on: dt.date, *, level: str | None = None) -> list[AreaCounts]:
    """The numbers of the areas one level below `area` (a province's cities, a city's towns,
    a town's communities) as of `on`; a community gives its own row. With `level`, the
    areas of that level anywhere inside `area` instead (e.g. every town of the province).

    A fixed number of grouped queries whatever the number of areas: the areas, then one
    each for volunteers, service records, organizations, teams and stations. Volunteers and
    records are placed by the volunteer's area of residence; organizations, teams and
    stations by their own area.
    """
    from shezhi.registry.models import Organization

    child_level = level or CHILD_LEVEL.get(area.level)
    if child_level is not None and LEVEL_ORDER.index(child_level) <= LEVEL_ORDER.index(area.level):
        raise ValueError(f"{child_level} is not below {area.level}")
    if child_level is None:  # a community: its own row
        children = [area]
        column = "community_id"
        scope = {"community_id": area.pk}
    else:
        column = LEVEL_COLUMN[child_level]
        if area.level == AreaLevel.PROVINCE:
            scope = {"city__parent_id": area.pk}
            inside = {"parent": area} if child_level == AreaLevel.CITY else {"city__parent": area}
        else:
            scope = {LEVEL_COLUMN[area.level]: area.pk}
            inside = {"parent": area} if child_level == CHILD_LEVEL[area.level] else {LEVEL_COLUMN[area.level].removesuffix("_id"): area}
        children = list(Area.objects.filter(level=child_level, **inside).order_by("code"))
    rows = {c.pk: AreaCounts(area=c, population=c.population, has_children=c.level != AreaLevel.COMMUNITY) for c in children}
    unplaced = AreaCounts(area=None)

    def row_for(key) -> AreaCounts:
        return rows.get(key, unplaced)

    volunteers = Volunteer.objects.filter(registered_on_q(on), **scope)
    for key, r in _grouped(volunteers, column, n=Count("id")).items():
        row_for(key).registered += r["n"]

    hours_model = _hours_model()
    if hours_model is not None:
        start = year_before(on)
        records = hours_model.objects.filter(
            registered_on_q(on, "volunteer__"), status="confirmed", served_on__lte=on, **{f"volunteer__{k}": v for k, v in scope.items()}
        )
        recent = Q(served_on__gt=start)
        for key, r in _grouped(
            records,
            f"volunteer__{column}",
            active=Count("volunteer_id", distinct=True, filter=recent),
            hours_year=Sum("hours", filter=recent),
            hours_total=Sum("hours"),
        ).items():
            row = row_for(key)
            row.active += r["active"]
            row.hours_year += r["hours_year"] or 0
            row.hours_total += r["hours_total"] or 0

    orgs = Organization.objects.filter(is_volunteer_org=True, founded_on__lte=on, **scope).exclude(
        status__in=("revoked", "deregistered"), status_changed_on__lte=on
    )
    for key, r in _grouped(orgs, column, n=Count("id")).items():
        row_for(key).organizations += r["n"]
    teams = VolunteerTeam.objects.filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=on), founded_on__lte=on, **scope)
    for key, r in _grouped(teams, column, n=Count("id")).items():
        row_for(key).teams += r["n"]
    stations = Station.objects.filter(Q(closed_on__isnull=True) | Q(closed_on__gt=on), opened_on__lte=on, **scope)
    for key, r in _grouped(stations, column, n=Count("id")).items():
        row_for(key).stations += r["n"]

    out = list(rows.values())
    if any(getattr(unplaced, n) for n in ("registered", "active", "organizations", "teams", "stations")):
        out.append(unplaced)
    return out


def counts_total(area: Area, rows: list[AreaCounts]) -> AreaCounts:
    """The area's own numbers: the sum of its children's rows, with the area's population."""
    total = AreaCounts(area=area, population=area.population)
    for row in rows:
        total.add(row)
    return total


def targets_on(on: dt.date):
    from shezhi.volunteers.models import VolunteerTargets

    return VolunteerTargets.objects.filter(valid_from__lte=on).order_by("-valid_from").first() or VolunteerTargets(valid_from=on)


def _hours_model():
    """The activities app's service records, if that app is installed (imported lazily: it
    depends on this app, not the other way round)."""
    try:
        from shezhi.activities.models import HoursRecord
    except ImportError:
        return None
    return HoursRecord


def counts_areas_for(user) -> QuerySet[Area]:
    """The areas whose numbers a staff user may open: their own area and those inside it."""
    from shezhi.accounts.selectors import areas_visible_to

    if not getattr(user, "is_authenticated", False) or user.role not in VOLUNTEER_STAFF_ROLES:
        return Area.objects.none()
    return areas_visible_to(user)


def volunteer_history(volunteer: Volunteer, *, limit: int = 100) -> list:
    """The record's audit entries, with field names as people read them."""
    from shezhi.audit.selectors import audit_entries_for

    entries = list(audit_entries_for(target_type="volunteers.volunteer", target_id=str(volunteer.pk))[:limit])
    fields = {f.name: f for f in Volunteer._meta.get_fields() if hasattr(f, "verbose_name")}
    for entry in entries:
        labelled = []
        for name, pair in (entry.changes or {}).items():
            field = fields.get(name)
            label = str(field.verbose_name) if field is not None else name
            old, new = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
            labelled.append((label, "—" if old in (None, "") else old, "—" if new in (None, "") else new))
        entry.labelled_changes = labelled
    return entries


def volunteer_organizations_visible_to(user):
    """Volunteer service organizations whose volunteer pages the user may open."""
    from shezhi.registry.models import Organization
    from shezhi.registry.selectors import organizations_visible_to

    if not getattr(user, "is_authenticated", False):
        return Organization.objects.none()
    if user.role not in (*VOLUNTEER_STAFF_ROLES, Role.ORGANIZATION):
        return Organization.objects.none()
    return organizations_visible_to(user).filter(is_volunteer_org=True)


def may_manage_organization(user, organization) -> bool:
    """Who keeps an organization's teams and members: its own account, and the bureau and
    town officers of its area. Community workers see them only."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.role == Role.ORGANIZATION:
        return user.organization_id == organization.pk
    if user.role not in (Role.BUREAU, Role.TOWN):
        return False
    return volunteer_organizations_visible_to(user).filter(pk=organization.pk).exists()


def may_manage_stations(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.role in VOLUNTEER_STAFF_ROLES and user.area_id is not None


def apply_volunteer_filters(qs: QuerySet[Volunteer], values: dict) -> QuerySet[Volunteer]:
    """The staff list's filters (already parsed): name prefix or volunteer number, town,
    community, status, registration dates. Newest registrations first."""
    q = (values.get("q") or "").strip()
    if q:
        qs = qs.filter(volunteer_number=q) if q.isdigit() else qs.filter(name__startswith=q)
    if values.get("town"):
        qs = qs.filter(town_id=values["town"])
    if values.get("community"):
        qs = qs.filter(community_id=values["community"])
    if values.get("status"):
        qs = qs.filter(status=values["status"])
    if values.get("registered_from"):
        qs = qs.filter(registered_on__gte=values["registered_from"])
    if values.get("registered_to"):
        qs = qs.filter(registered_on__lte=values["registered_to"])
    return qs.order_by("-registered_on", "-id")
