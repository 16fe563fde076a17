"""The formulas of the indicators: one function per indicator, over the rows of one city or
town loaded once (`load`).

Every count here is "how many intervals contain the day": an organization's fact holds from
`since` up to the day before `until`, a place is open from its opening to the day before
its closing, a volunteer counts from registration to the day before cancellation. Each
indicator builds the intervals it counts once, sorts their starts and ends, and answers any
number of days by bisection — so a 24-month trend costs no more queries than one figure.

A figure is numerator / denominator × scale: a count has no denominator; an average over
communities has scale 1; a share has scale 100 (percent). The gap is how many more of the
counted things the target needs: organizations, communities, volunteers.
"""

from __future__ import annotations

import datetime as dt
import math
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count
from django.utils.translation import pgettext_lazy

from shezhi.accounts.selectors import inside_area_q
from shezhi.areas.models import Area, AreaKind, AreaLevel, PopulationCount, by_day, population_on
from shezhi.targets.models import FactKind, Indicator, OrganizationFact

ENDED = ("revoked", "deregistered")


@dataclass(frozen=True)
class Interval:
    since: dt.date
    until: dt.date | None  # exclusive; None: still holds
    town_id: int | None
    community_id: int | None
    ref: int  # the record behind it (organization, place, team…)


class Counter:
    """How many of a set of intervals contain a day, for any number of days."""

    def __init__(self, intervals: Iterable[Interval]):
        starts, ends = [], []
        for i in intervals:
            starts.append(i.since)
            if i.until is not None:
                ends.append(i.until)
        self.starts, self.ends = sorted(starts), sorted(ends)

    def on(self, day: dt.date) -> int:
        return bisect_right(self.starts, day) - bisect_right(self.ends, day)


def holds(i: Interval, day: dt.date) -> bool:
    return i.since <= day and (i.until is None or day < i.until)


def merged(intervals: Iterable[Interval]) -> list[tuple[dt.date, dt.date | None]]:
    """The days covered by any of the intervals, as disjoint (since, until) runs."""
    runs: list[list] = []
    for i in sorted(intervals, key=lambda i: i.since):
        if runs and (runs[-1][1] is None or i.since <= runs[-1][1]):
            if runs[-1][1] is not None and (i.until is None or i.until > runs[-1][1]):
                runs[-1][1] = i.until
        else:
            runs.append([i.since, i.until])
    return [(a, b) for a, b in runs]


@dataclass
class Figure:
    numerator: int
    denominator: int | None  # None: a plain count
    scale: int = 1

    @property
    def value(self) -> Decimal | None:
        if self.denominator is None:
            return Decimal(self.numerator)
        if not self.denominator:
            return None
        return (Decimal(self.numerator) * self.scale / Decimal(self.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)

    def needed_for(self, target: Decimal) -> int:
        """How many more of the counted things reach the target (0 when it is met)."""
        if self.denominator is None:
            return max(0, math.ceil(target - self.numerator))
        if not self.denominator:
            return 0
        return max(0, math.ceil(target * self.denominator / self.scale - Decimal("1e-9")) - self.numerator)

    def met(self, target: Decimal) -> bool | None:
        value = self.value
        return None if value is None else value >= target


@dataclass
class Rows:
    """Everything the indicators of one city or town count, loaded in a fixed number of queries."""

    area: Area
    towns: dict[int, Area]
    communities: dict[int, Area]
    facts: dict[str, list[Interval]]
    done: list[Interval]  # trade associations with all five separations done, from the day they were
    places: dict[str, list[Interval]]  # party_mass_centre (standardized, from that day), charity_base
    volunteer_units: list[Interval]  # volunteer organizations and teams
    volunteers: VolunteerSeries
    population: dict[int, int | None] = field(default_factory=dict)  # area id → resident population now
    # area id → its population counts by day (areas.PopulationCount), the undated one first
    population_counts: dict[int, list[tuple[dt.date | None, int]]] = field(default_factory=dict)


@dataclass
class VolunteerSeries:
    """Registered volunteers by town: a base count before `start`, then by day of
    registration and of cancellation."""

    start: dt.date
    base: dict[int | None, int]
    joined: dict[int | None, list[tuple[dt.date, int]]]
    left: dict[int | None, list[tuple[dt.date, int]]]

    def on(self, day: dt.date, towns: set[int] | None) -> int:
        total = 0
        for town, n in self.base.items():
            if towns is None or town in towns:
                total += n
        for series, sign in ((self.joined, 1), (self.left, -1)):
            for town, days in series.items():
                if towns is None or town in towns:
                    total += sign * sum(n for d, n in days if d <= day)
        return total


def _intervals(rows, *, ref: str = "id", since: str = "since", until: str = "until") -> list[Interval]:
    return [Interval(r[since], r[until], r["town_id"], r["community_id"], r[ref]) for r in rows]


def load(area: Area, *, start: dt.date, on: dt.date) -> Rows:
    """The rows of a city or a town (and its communities) that the indicators count, for the
    days from `start` to `on`."""
    from shezhi.places.models import Place, PlaceKind
    from shezhi.registry.models import Organization
    from shezhi.volunteers.models import Volunteer, VolunteerStatus, VolunteerTeam

    if area.level not in (AreaLevel.CITY, AreaLevel.TOWN):
        raise ValueError("targets are computed for a city or a town")
    inside = Area.objects.filter(city_id=area.pk) if area.level == AreaLevel.CITY else Area.objects.filter(town_id=area.pk)
    towns, communities = {}, {}
    for a in inside.exclude(pk=area.pk).only("pk", "code", "name", "level", "kind", "town_id", "city_id", "population", "sort_key"):
        (towns if a.level == AreaLevel.TOWN else communities)[a.pk] = a
    if area.level == AreaLevel.TOWN:
        towns[area.pk] = area
    population = {a.pk: a.population for a in [area, *towns.values(), *communities.values()]}
    population_counts: dict[int, list[tuple[dt.date | None, int]]] = defaultdict(list)
    for r in PopulationCount.objects.filter(area_id__in=[area.pk, *towns, *communities]).values("area_id", "on", "population"):
        population_counts[r["area_id"]].append((r["on"], r["population"]))

    facts: dict[str, list[Interval]] = defaultdict(list)
    done: list[Interval] = []
    for r in OrganizationFact.objects.filter(inside_area_q(area)).values(
        "kind", "since", "until", "town_id", "community_id", "organization_id", "done_on"
    ):
        i = Interval(r["since"], r["until"], r["town_id"], r["community_id"], r["organization_id"])
        facts[r["kind"]].append(i)
        if r["kind"] == FactKind.TRADE_ASSOCIATION and r["done_on"] is not None:
            begins = max(r["since"], r["done_on"])
            if r["until"] is None or begins < r["until"]:
                done.append(Interval(begins, r["until"], i.town_id, i.community_id, i.ref))

    places: dict[str, list[Interval]] = defaultdict(list)
    for r in Place.objects.filter(inside_area_q(area)).values(
        "id", "kind", "opened_on", "closed_on", "standardized_on", "town_id", "community_id"
    ):
        begins = r["opened_on"]
        if r["kind"] == PlaceKind.PARTY_MASS_CENTRE:
            if r["standardized_on"] is None:
                continue
            begins = max(begins, r["standardized_on"])
        if r["closed_on"] is None or begins < r["closed_on"]:
            places[r["kind"]].append(Interval(begins, r["closed_on"], r["town_id"], r["community_id"], r["id"]))

    units = []
    for r in Organization.objects.filter(inside_area_q(area), is_volunteer_org=True, founded_on__isnull=False).values(
        "id", "founded_on", "status", "status_changed_on", "town_id", "community_id"
    ):
        until = r["status_changed_on"] if r["status"] in ENDED else None
        if until is None or until > r["founded_on"]:
            units.append(Interval(r["founded_on"], until, r["town_id"], r["community_id"], r["id"]))
    for r in VolunteerTeam.objects.filter(inside_area_q(area)).values("id", "founded_on", "dissolved_on", "town_id", "community_id"):
        if r["dissolved_on"] is None or r["dissolved_on"] > r["founded_on"]:
            units.append(Interval(r["founded_on"], r["dissolved_on"], r["town_id"], r["community_id"], -r["id"]))

    people = Volunteer.objects.filter(inside_area_q(area)).exclude(status=VolunteerStatus.MERGED)
    base = {
        r["town_id"]: r["n"]
        for r in people.filter(registered_on__lt=start).exclude(cancelled_on__lt=start).values("town_id").annotate(n=Count("id")).order_by()
    }
    joined, left = defaultdict(list), defaultdict(list)
    for r in (
        people.filter(registered_on__gte=start, registered_on__lte=on).values("town_id", "registered_on").annotate(n=Count("id")).order_by()
    ):
        joined[r["town_id"]].append((r["registered_on"], r["n"]))
    for r in (
        people.filter(registered_on__lt=start, cancelled_on__gte=start, cancelled_on__lte=on)
        .values("town_id", "cancelled_on")
        .annotate(n=Count("id"))
        .order_by()
    ):
        left[r["town_id"]].append((r["cancelled_on"], r["n"]))
    for r in (
        people.filter(registered_on__gte=start, cancelled_on__lte=on).values("town_id", "cancelled_on").annotate(n=Count("id")).order_by()
    ):
        left[r["town_id"]].append((r["cancelled_on"], r["n"]))
    volunteers = VolunteerSeries(start=start, base=base, joined=dict(joined), left=dict(left))
    return Rows(
        area=area,
        towns=towns,
        communities=communities,
        facts=facts,
        done=done,
        places=places,
        volunteer_units=units,
        volunteers=volunteers,
        population=population,
        population_counts={pk: by_day(counts) for pk, counts in population_counts.items()},
    )


# --- one function per indicator ---------------------------------------------------------------
# Each takes the loaded rows, the area (the city, one of its towns, or one community) and the
# days, and returns one Figure per day.


def _in_area(rows: Rows, area: Area) -> Callable[[Interval], bool]:
    if area.pk == rows.area.pk and area.level == rows.area.level:
        return lambda i: True
    if area.level == AreaLevel.TOWN:
        return lambda i: i.town_id == area.pk
    return lambda i: i.community_id == area.pk


def _communities(rows: Rows, area: Area, kind: str | None = None) -> list[Area]:
    if area.level == AreaLevel.COMMUNITY:
        found = [area]
    elif area.level == AreaLevel.TOWN:
        found = [c for c in rows.communities.values() if c.town_id == area.pk]
    else:
        found = list(rows.communities.values())
    return [c for c in found if kind is None or c.kind == kind]


def _count(intervals: list[Interval], keep, days) -> list[Figure]:
    counter = Counter(i for i in intervals if keep(i))
    return [Figure(counter.on(d), None) for d in days]


def community_orgs(rows: Rows, area: Area, days: list[dt.date]) -> list[Figure]:
    """T1: registered and filed community social organizations (not revoked or deregistered)."""
    return _count(rows.facts[FactKind.COMMUNITY_ORG], _in_area(rows, area), days)


def _per_community(rows: Rows, area: Area, days, kind: str) -> list[Figure]:
    ids = {c.pk for c in _communities(rows, area, kind)}
    counter = Counter(i for i in rows.facts[FactKind.COMMUNITY_ORG] if i.community_id in ids)
    return [Figure(counter.on(d), len(ids)) for d in days]


def per_urban_community(rows: Rows, area: Area, days: list[dt.date]) -> list[Figure]:
    """T2: community organizations located in urban communities, divided by the urban communities."""
    return _per_community(rows, area, days, AreaKind.URBAN)


def per_rural_community(rows: Rows, area: Area, days: list[dt.date]) -> list[Figure]:
    """T3: the same for rural communities (villages)."""
    return _per_community(rows, area, days, AreaKind.RURAL)


def _coverage(intervals: list[Interval], units: list[tuple[int | None, int | None]], days, *, unit_of) -> list[Figure]:
    """The share of `units` with at least one interval holding on each day."""
    wanted = set(units)
    by_unit: dict = defaultdict(list)
    for i in intervals:
        key = unit_of(i)
        if key in wanted:
            by_unit[key].append(i)
    runs = [Interval(a, b, None, None, 0) for items in by_unit.values() for a, b in merged(items)]
    counter = Counter(runs)
    return [Figure(counter.on(d), len(wanted), 100) for d in days]


def hub_units(rows: Rows, area: Area) -> list[tuple[int | None, int | None]]:
    """The towns and communities that each need a hub or support organization."""
    communities = _communities(rows, area)
    if area.level == AreaLevel.COMMUNITY:
        towns = []
    elif area.level == AreaLevel.TOWN:
        towns = [area]
    else:
        towns = list(rows.towns.values())
    return [(t.pk, None) for t in towns] + [(c.town_id, c.pk) for c in communities]


def hub_coverage(rows: Rows, area: Area, days: list[dt.date]) -> list[Figure]:
    """T4: towns and communities with at least one hub or support organization, of all of them."""
    return _coverage(rows.facts[FactKind.HUB], hub_units(rows, area), days, unit_of=lambda i: (i.town_id, i.community_id))


def _social_work(rows: Rows, area: Area, days, kind: str) -> list[Figure]:
    units = [(None, c.pk) for c in _communities(rows, area, kind)]
    return _coverage(rows.facts[FactKind.SOCIAL_WORK], units, days, unit_of=lambda i: (None, i.community_id))


def social_work_urban(rows: Rows, area: Area, days: list[dt.date]) -> list[Figure]:
    """T5: urban communities served by at least one social work agency, of all urban communities."""
    return _social_work(rows, area, days, AreaKind.URBAN)


def social_work_rural(rows: Rows, area: Area, days: list[dt.date]) -> list[Figure]:
    """T6: the same for rural communities."""
    return _social_work(rows, area, days, AreaKind.RURAL)


def party_mass_centres(rows: Rows, area: Area, days: list[dt.date]) -> list[Figure]:
    """T7: party-mass service centres open and standardized on the day."""
    return _count(rows.places["party_mass_centre"], _in_area(rows, area), days)


def charity_bases(rows: Rows, area: Area, days: list[dt.date]) -> list[Figure]:
    """T8: charity bases open on the day."""
    return _count(rows.places["charity_base"], _in_area(rows, area), days)


def _population(rows: Rows, area: Area, day: dt.date) -> int | None:
    """The area's resident population on the day, from its counts; an area without any
    (its rows inserted directly) has its present figure."""
    counts = rows.population_counts.get(area.pk)
    return population_on(counts, day) if counts else rows.population.get(area.pk)


def volunteer_organizations(rows: Rows, area: Area, days: list[dt.date]) -> list[Figure]:
    """T9: registered volunteer organizations and the teams filed under them, per 100 residents."""
    counter = Counter(i for i in rows.volunteer_units if _in_area(rows, area)(i))
    return [Figure(counter.on(d), _population(rows, area, d) or 0, 100) for d in days]


def volunteers(rows: Rows, area: Area, days: list[dt.date]) -> list[Figure]:
    """T10: registered volunteers (not cancelled; merged duplicates never count) per 100 residents."""
    if area.level == AreaLevel.COMMUNITY:
        raise ValueError("volunteers are counted by town here")
    towns = None if area.pk == rows.area.pk and area.level == rows.area.level else {area.pk}
    return [Figure(rows.volunteers.on(d, towns), _population(rows, area, d) or 0, 100) for d in days]


def trade_decoupling(rows: Rows, area: Area, days: list[dt.date]) -> list[Figure]:
    """T11: trade associations with all five separations done, of all trade associations."""
    keep = _in_area(rows, area)
    all_ = Counter(i for i in rows.facts[FactKind.TRADE_ASSOCIATION] if keep(i))
    done = Counter(i for i in rows.done if keep(i))
    return [Figure(done.on(d), all_.on(d), 100) for d in days]


FORMULAS: dict[str, Callable[[Rows, Area, list[dt.date]], list[Figure]]] = {
    Indicator.COMMUNITY_ORGS: community_orgs,
    Indicator.PER_URBAN_COMMUNITY: per_urban_community,
    Indicator.PER_RURAL_COMMUNITY: per_rural_community,
    Indicator.HUB_COVERAGE: hub_coverage,
    Indicator.SOCIAL_WORK_URBAN: social_work_urban,
    Indicator.SOCIAL_WORK_RURAL: social_work_rural,
    Indicator.PARTY_MASS_CENTRES: party_mass_centres,
    Indicator.CHARITY_BASES: charity_bases,
    Indicator.VOLUNTEER_ORGANIZATIONS: volunteer_organizations,
    Indicator.VOLUNTEERS: volunteers,
    Indicator.TRADE_DECOUPLING: trade_decoupling,
}

# What a target's value is measured in, and what its gap counts.
UNITS: dict[str, tuple] = {
    Indicator.COMMUNITY_ORGS: (pgettext_lazy("unit", "organizations"), pgettext_lazy("unit", "organizations")),
    Indicator.PER_URBAN_COMMUNITY: (pgettext_lazy("unit", "per community"), pgettext_lazy("unit", "organizations")),
    Indicator.PER_RURAL_COMMUNITY: (pgettext_lazy("unit", "per community"), pgettext_lazy("unit", "organizations")),
    Indicator.HUB_COVERAGE: ("%", pgettext_lazy("unit", "towns or communities")),
    Indicator.SOCIAL_WORK_URBAN: ("%", pgettext_lazy("unit", "communities")),
    Indicator.SOCIAL_WORK_RURAL: ("%", pgettext_lazy("unit", "communities")),
    Indicator.PARTY_MASS_CENTRES: (pgettext_lazy("unit", "centres"), pgettext_lazy("unit", "centres")),
    Indicator.CHARITY_BASES: (pgettext_lazy("unit", "bases"), pgettext_lazy("unit", "bases")),
    Indicator.VOLUNTEER_ORGANIZATIONS: ("%", pgettext_lazy("unit", "organizations or teams")),
    Indicator.VOLUNTEERS: ("%", pgettext_lazy("unit", "volunteers")),
    Indicator.TRADE_DECOUPLING: ("%", pgettext_lazy("unit", "associations")),
}
# What each figure's numerator and denominator count, so that the target page can spell
# the computation out ("4,854 registered volunteers ÷ 680,000 residents × 100").
TERMS: dict[str, tuple] = {
    Indicator.COMMUNITY_ORGS: (pgettext_lazy("term", "community social organizations"), None),
    Indicator.PER_URBAN_COMMUNITY: (
        pgettext_lazy("term", "community social organizations in urban communities"),
        pgettext_lazy("term", "urban communities"),
    ),
    Indicator.PER_RURAL_COMMUNITY: (
        pgettext_lazy("term", "community social organizations in rural communities"),
        pgettext_lazy("term", "rural communities"),
    ),
    Indicator.HUB_COVERAGE: (
        pgettext_lazy("term", "towns and communities with a hub or support organization"),
        pgettext_lazy("term", "towns and communities"),
    ),
    Indicator.SOCIAL_WORK_URBAN: (
        pgettext_lazy("term", "urban communities served by a social work agency"),
        pgettext_lazy("term", "urban communities"),
    ),
    Indicator.SOCIAL_WORK_RURAL: (
        pgettext_lazy("term", "rural communities served by a social work agency"),
        pgettext_lazy("term", "rural communities"),
    ),
    Indicator.PARTY_MASS_CENTRES: (pgettext_lazy("term", "standardized party-mass service centres open"), None),
    Indicator.CHARITY_BASES: (pgettext_lazy("term", "charity bases open"), None),
    Indicator.VOLUNTEER_ORGANIZATIONS: (
        pgettext_lazy("term", "volunteer organizations and teams"),
        pgettext_lazy("term", "resident population"),
    ),
    Indicator.VOLUNTEERS: (pgettext_lazy("term", "registered volunteers"), pgettext_lazy("term", "resident population")),
    Indicator.TRADE_DECOUPLING: (
        pgettext_lazy("term", "trade associations with all five separations done"),
        pgettext_lazy("term", "trade associations"),
    ),
}
# Indicators whose denominator is the area's resident population.
PER_RESIDENT = {Indicator.VOLUNTEER_ORGANIZATIONS, Indicator.VOLUNTEERS}
# Indicators that can be computed for a single community (the community view).
PER_COMMUNITY = {
    Indicator.COMMUNITY_ORGS,
    Indicator.PER_URBAN_COMMUNITY,
    Indicator.PER_RURAL_COMMUNITY,
    Indicator.HUB_COVERAGE,
    Indicator.SOCIAL_WORK_URBAN,
    Indicator.SOCIAL_WORK_RURAL,
}
