"""Reads of the targets: which targets a city has, and the dashboard's figures as of a day —
for the city with its towns ranked, for a town with its communities, and the communities
below the line — with the records behind each number."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from shezhi.accounts.models import Role
from shezhi.accounts.selectors import inside_area_q
from shezhi.areas.models import Area, AreaKind, AreaLevel, PopulationCount, by_day, count_on
from shezhi.targets import indicators as ind
from shezhi.targets.models import FactKind, Indicator, Milestone, OrganizationFact, Scope, Target

TREND_MONTHS = 24
STAFF_ROLES = {Role.BUREAU, Role.DEPARTMENT, Role.TOWN, Role.COMMUNITY}


# --- targets --------------------------------------------------------------------------------


def targets_for(city: Area | None) -> list[Target]:
    """The targets in use for a city: its own, or the defaults when it has set none."""
    milestones = Prefetch("milestones", queryset=Milestone.objects.order_by("due_on"))
    own = list(Target.objects.filter(city=city, active=True).prefetch_related(milestones)) if city is not None else []
    if own or (city is not None and Target.objects.filter(city=city).exists()):
        return own
    return list(Target.objects.filter(city__isnull=True, active=True).prefetch_related(milestones))


def targets_to_edit(city: Area) -> tuple[list[Target], bool]:
    """The targets the city's bureau edits — in use or not — and whether they are the city's
    own (False: the defaults, copied for the city on its first change)."""
    milestones = Prefetch("milestones", queryset=Milestone.objects.order_by("due_on"))
    own = list(Target.objects.filter(city=city).prefetch_related(milestones))
    if own:
        return own, True
    return list(Target.objects.filter(city__isnull=True).prefetch_related(milestones)), False


def target_to_edit(city: Area, pk: int) -> Target:
    try:
        return next(t for t in targets_to_edit(city)[0] if t.pk == pk)
    except StopIteration:
        raise Http404 from None


def milestone_for(target: Target, on: dt.date) -> Milestone | None:
    """The milestone that judges a day: the first due on or after it, else the last one."""
    items = list(target.milestones.all())
    for m in items:
        if m.due_on >= on:
            return m
    return items[-1] if items else None


def scope_includes(target: Target, level: str) -> bool:
    if level == AreaLevel.CITY:
        return True
    if level == AreaLevel.TOWN:
        return target.scope in (Scope.TOWN, Scope.COMMUNITY)
    return target.scope == Scope.COMMUNITY


# --- who sees what ----------------------------------------------------------------------------


def can_view_dashboard(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.role in STAFF_ROLES and user.area_id is not None


def can_edit_targets(user, city: Area | None = None) -> bool:
    """The bureau of a city edits that city's targets (of `city`, when given)."""
    return (
        getattr(user, "is_authenticated", False)
        and user.role == Role.BUREAU
        and user.area is not None
        and user.area.level == AreaLevel.CITY
        and (city is None or user.area_id == city.pk)
    )


def city_of(user) -> Area | None:
    area = user.area
    if area is None:
        return None
    if area.level == AreaLevel.CITY:
        return area
    if area.level == AreaLevel.PROVINCE:
        return None
    return Area.objects.get(pk=area.city_id)


def dashboard_areas_for(user) -> QuerySet[Area]:
    """The cities and towns whose dashboard a staff user may open: the targets' figures are
    published, so every staff member of a city sees the whole city; a province account sees
    every city."""
    if not can_view_dashboard(user):
        return Area.objects.none()
    levels = Q(level__in=[AreaLevel.CITY, AreaLevel.TOWN])
    if user.area.level == AreaLevel.PROVINCE:
        return Area.objects.filter(levels, Q(parent=user.area) | Q(city__parent=user.area))
    city = city_of(user)
    return Area.objects.filter(levels, Q(pk=city.pk) | Q(city=city))


def dashboard_area_for(user, pk: int) -> Area:
    try:
        return dashboard_areas_for(user).get(pk=pk)
    except Area.DoesNotExist:
        raise Http404 from None


def default_area_for(user) -> Area | None:
    area = user.area
    if area is None:
        return None
    if area.level == AreaLevel.COMMUNITY:
        return Area.objects.get(pk=area.town_id)
    if area.level == AreaLevel.PROVINCE:
        return Area.objects.filter(parent=area, level=AreaLevel.CITY).order_by("code").first()
    return area


# --- the figures --------------------------------------------------------------------------------


def month_ends(on: dt.date, months: int = TREND_MONTHS) -> list[dt.date]:
    """The last day of each of the `months` months up to `on`, with `on` itself as the last."""
    days = []
    year, month = on.year, on.month
    for _ in range(months):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        days.append(dt.date(year, month, calendar.monthrange(year, month)[1]))
    days.reverse()
    return [*days, on]


@dataclass
class Projection:
    """When the target would be met if the last twelve months' pace went on."""

    pace: Decimal | None  # per month
    reached_on: dt.date | None
    on_time: bool | None  # reached by the milestone's date


@dataclass
class TargetRow:
    target: Target
    area: Area
    milestone: Milestone | None
    applies: bool
    figure: ind.Figure
    trend: list[tuple[dt.date, Decimal | None]] = field(default_factory=list)
    projection: Projection | None = None

    @property
    def code(self) -> str:
        return self.target.code

    @property
    def goal(self) -> Decimal | None:
        return self.milestone.value if self.milestone is not None and self.applies else None

    @property
    def actual(self) -> Decimal | None:
        return self.figure.value

    @property
    def met(self) -> bool | None:
        return None if self.goal is None else self.figure.met(self.goal)

    @property
    def gap(self) -> int | None:
        return None if self.goal is None or self.actual is None else self.figure.needed_for(self.goal)

    @property
    def attainment(self) -> Decimal | None:
        """Actual over goal, capped at 100%: how the towns are ranked."""
        if self.goal is None or self.actual is None:
            return None
        if not self.goal:
            return Decimal(100)
        return min(Decimal(100), (self.actual * 100 / self.goal).quantize(Decimal("0.1")))

    @property
    def unit(self):
        return ind.UNITS[self.target.indicator][0]

    @property
    def gap_unit(self):
        return ind.UNITS[self.target.indicator][1]


def _project(row: TargetRow, on: dt.date) -> Projection | None:
    if row.goal is None or row.met is not False or len(row.trend) < 2:
        return None
    values = [(d, v) for d, v in row.trend if v is not None]
    if len(values) < 2:
        return None
    (d0, v0), (d1, v1) = values[max(0, len(values) - 13)], values[-1]
    months = Decimal((d1 - d0).days) / Decimal("30.4375")
    if months <= 0:
        return None
    pace = ((v1 - v0) / months).quantize(Decimal("0.01"))
    if pace <= 0:
        return Projection(pace=pace, reached_on=None, on_time=False)
    ahead = (row.goal - v1) / pace
    reached = on + dt.timedelta(days=int(ahead * Decimal("30.4375")) + 1)
    return Projection(pace=pace, reached_on=reached, on_time=reached <= row.milestone.due_on)


@dataclass
class AreaView:
    """The dashboard of a city or a town as of a day."""

    area: Area
    on: dt.date
    rows: list[TargetRow]
    children: list[ChildRow]  # the city's towns (ranked) or the town's communities
    data: ind.Rows

    @property
    def met_count(self) -> int:
        return sum(1 for r in self.rows if r.met)

    @property
    def judged_count(self) -> int:
        return sum(1 for r in self.rows if r.met is not None)


@dataclass
class ChildRow:
    area: Area
    cells: list[TargetRow]
    rank: int = 0

    @property
    def met_count(self) -> int:
        return sum(1 for c in self.cells if c.met)

    @property
    def judged_count(self) -> int:
        return sum(1 for c in self.cells if c.met is not None)

    @property
    def attainment(self) -> Decimal:
        values = [c.attainment for c in self.cells if c.attainment is not None]
        return (sum(values) / len(values)).quantize(Decimal("0.1")) if values else Decimal(0)


def _rows_for(targets: list[Target], data: ind.Rows, area: Area, on: dt.date, *, trend: bool) -> list[TargetRow]:
    days = month_ends(on) if trend else [on]
    out = []
    for target in targets:
        figures = ind.FORMULAS[target.indicator](data, area, days)
        row = TargetRow(
            target=target,
            area=area,
            milestone=milestone_for(target, on),
            applies=scope_includes(target, area.level),
            figure=figures[-1],
        )
        if trend:
            row.trend = [(d, f.value) for d, f in zip(days, figures, strict=True)]
            row.projection = _project(row, on)
        out.append(row)
    return out


def area_view(area: Area, on: dt.date, *, trend: bool = True) -> AreaView:
    """A city's or a town's targets as of `on`: each with actual, goal, met, gap, the monthly
    trend and the projection; and the same (without trend) for each town of a city, ranked by
    targets met and then by attainment, or for each community of a town."""
    city = area if area.level == AreaLevel.CITY else Area.objects.get(pk=area.city_id)
    targets = targets_for(city)
    data = ind.load(area, start=month_ends(on)[0] if trend else on, on=on)
    rows = _rows_for(targets, data, area, on, trend=trend)
    if area.level == AreaLevel.CITY:
        towns = sorted(data.towns.values(), key=lambda t: t.code)
        children = [
            ChildRow(area=t, cells=_rows_for([x for x in targets if scope_includes(x, AreaLevel.TOWN)], data, t, on, trend=False))
            for t in towns
        ]
        children.sort(key=lambda c: (-c.met_count, -c.attainment, c.area.code))
        for i, child in enumerate(children, start=1):
            child.rank = i
    else:
        community_targets = [x for x in targets if x.indicator in ind.PER_COMMUNITY]
        children = [
            ChildRow(area=c, cells=_rows_for(community_targets, data, c, on, trend=False))
            for c in sorted(data.communities.values(), key=lambda c: c.code)
        ]
    return AreaView(area=area, on=on, rows=rows, children=children, data=data)


# --- the communities below the line ----------------------------------------------------------


@dataclass
class Shortfall:
    area: Area  # a community, or a town (hub coverage)
    actual: int
    line: Decimal | None
    short_by: int


def below_the_line(view: AreaView, target: Target) -> list[Shortfall]:
    """For T2–T6 (and any target of the same indicators): the communities — and for hub
    coverage the towns — below the line on the view's day, and by how much. For an average
    per community the line is the target itself (e.g. 22 organizations); for coverage the line
    is one organization."""
    data, on, area = view.data, view.on, view.area
    indicator = target.indicator
    milestone = milestone_for(target, on)
    out: list[Shortfall] = []
    if indicator in (Indicator.PER_URBAN_COMMUNITY, Indicator.PER_RURAL_COMMUNITY):
        kind = AreaKind.URBAN if indicator == Indicator.PER_URBAN_COMMUNITY else AreaKind.RURAL
        line = milestone.value if milestone else None
        counts: dict[int, int] = {}
        for i in data.facts[FactKind.COMMUNITY_ORG]:
            if i.community_id is not None and ind.holds(i, on):
                counts[i.community_id] = counts.get(i.community_id, 0) + 1
        for c in ind._communities(data, area, kind):
            n = counts.get(c.pk, 0)
            if line is not None and n < line:
                out.append(Shortfall(area=c, actual=n, line=line, short_by=int(-(-(line - n) // 1))))
        out.sort(key=lambda s: (-s.short_by, s.area.code))
        return out
    if indicator == Indicator.HUB_COVERAGE:
        covered = {(i.town_id, i.community_id) for i in data.facts[FactKind.HUB] if ind.holds(i, on)}
        units = ind.hub_units(data, area)
        for town_id, community_id in units:
            if (town_id, community_id) not in covered:
                a = data.communities[community_id] if community_id else data.towns[town_id]
                out.append(Shortfall(area=a, actual=0, line=Decimal(1), short_by=1))
        return out
    if indicator in (Indicator.SOCIAL_WORK_URBAN, Indicator.SOCIAL_WORK_RURAL):
        kind = AreaKind.URBAN if indicator == Indicator.SOCIAL_WORK_URBAN else AreaKind.RURAL
        covered = {i.community_id for i in data.facts[FactKind.SOCIAL_WORK] if ind.holds(i, on)}
        for c in ind._communities(data, area, kind):
            if c.pk not in covered:
                out.append(Shortfall(area=c, actual=0, line=Decimal(1), short_by=1))
        return out
    return out


COMMUNITY_VIEW_INDICATORS = {
    Indicator.PER_URBAN_COMMUNITY,
    Indicator.PER_RURAL_COMMUNITY,
    Indicator.HUB_COVERAGE,
    Indicator.SOCIAL_WORK_URBAN,
    Indicator.SOCIAL_WORK_RURAL,
}


# --- the records behind a number ---------------------------------------------------------------

RECORD_FACT_KIND = {
    Indicator.COMMUNITY_ORGS: FactKind.COMMUNITY_ORG,
    Indicator.PER_URBAN_COMMUNITY: FactKind.COMMUNITY_ORG,
    Indicator.PER_RURAL_COMMUNITY: FactKind.COMMUNITY_ORG,
    Indicator.HUB_COVERAGE: FactKind.HUB,
    Indicator.SOCIAL_WORK_URBAN: FactKind.SOCIAL_WORK,
    Indicator.SOCIAL_WORK_RURAL: FactKind.SOCIAL_WORK,
    Indicator.TRADE_DECOUPLING: FactKind.TRADE_ASSOCIATION,
}


def facts_behind(target: Target, area: Area, on: dt.date) -> QuerySet[OrganizationFact]:
    """The organization facts a figure counts on a day, with their organizations and areas."""
    kind = RECORD_FACT_KIND[target.indicator]
    qs = OrganizationFact.objects.filter(inside_area_q(area), kind=kind, since__lte=on).filter(Q(until__isnull=True) | Q(until__gt=on))
    if target.indicator in (Indicator.PER_URBAN_COMMUNITY, Indicator.SOCIAL_WORK_URBAN):
        qs = qs.filter(community__kind=AreaKind.URBAN)
    elif target.indicator in (Indicator.PER_RURAL_COMMUNITY, Indicator.SOCIAL_WORK_RURAL):
        qs = qs.filter(community__kind=AreaKind.RURAL)
    return qs.select_related("organization", "town", "community").order_by("organization__sort_key", "organization_id", "id")


@dataclass
class Records:
    """The records behind a figure: organization facts, places, volunteer organizations and
    teams — or, for registered volunteers (personal data), none here: the volunteers'
    own counts pages hold them, scoped to the officer's area."""

    kind: str  # "facts", "places", "units", "volunteers"
    items: object = None


def records_behind(target: Target, area: Area, on: dt.date) -> Records:
    from shezhi.places.models import PlaceKind
    from shezhi.places.selectors import places_open_on

    indicator = target.indicator
    if indicator in RECORD_FACT_KIND:
        return Records("facts", facts_behind(target, area, on))
    if indicator == Indicator.PARTY_MASS_CENTRES:
        qs = places_open_on(area, on, kind=PlaceKind.PARTY_MASS_CENTRE).filter(standardized=True, standardized_on__lte=on)
        return Records("places", qs.order_by("name", "id"))
    if indicator == Indicator.CHARITY_BASES:
        return Records("places", places_open_on(area, on, kind=PlaceKind.CHARITY_BASE).order_by("name", "id"))
    if indicator == Indicator.VOLUNTEER_ORGANIZATIONS:
        return Records("units", volunteer_units_on(area, on))
    return Records("volunteers", None)


@dataclass
class Unit:
    kind: str  # "organization" or "team"
    pk: int
    name: str
    town: str
    community: str
    since: dt.date


def volunteer_units_on(area: Area, on: dt.date) -> list[Unit]:
    """The volunteer organizations and teams T9 counts in an area on a day."""
    from shezhi.registry.models import Organization
    from shezhi.volunteers.models import VolunteerTeam

    scope = inside_area_q(area)
    orgs = (
        Organization.objects.filter(scope, is_volunteer_org=True, founded_on__lte=on)
        .exclude(status__in=ind.ENDED, status_changed_on__lte=on)
        .select_related("town", "community")
        .order_by("sort_key", "id")
    )
    teams = (
        VolunteerTeam.objects.filter(scope, founded_on__lte=on)
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=on))
        .select_related("town", "community")
        .order_by("name", "id")
    )
    units = [Unit("organization", o.pk, o.name, o.town.name, o.community.name if o.community_id else "", o.founded_on) for o in orgs]
    units += [Unit("team", t.pk, t.name, t.town.name, t.community.name if t.community_id else "", t.founded_on) for t in teams]
    return units


@dataclass(frozen=True)
class PopulationBasis:
    """The resident population a per-resident figure divides by, and the day it was counted."""

    population: int
    counted_on: dt.date | None


def population_basis(area: Area, on: dt.date) -> PopulationBasis | None:
    """The population count that holds for `area` on `on` (areas.PopulationCount, as the
    indicators take it), or the area's present figure when it has no counts."""
    counts = by_day(PopulationCount.objects.filter(area=area).values_list("on", "population"))
    if not counts:
        return PopulationBasis(area.population, area.population_date) if area.population is not None else None
    counted_on, population = count_on(counts, on)
    return PopulationBasis(population, counted_on)
