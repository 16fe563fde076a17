"""Every target's figure against a count computed here, independently, from the raw rows —
for the city and both towns, today and as of past days.

The data is written through the same services the app uses (registrations, filings, status
changes, places, volunteers, teams), from a seeded random generator, so the history the
dashboard counts from is the one the running system keeps. The expected numbers below read
only the registry's, the places' and the volunteers' own rows.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.utils import timezone

from shezhi.accounts.models import Role, User
from shezhi.areas.models import Area, AreaKind, AreaLevel
from shezhi.areas.services import area_save
from shezhi.places.models import Place
from shezhi.places.services import place_save
from shezhi.registry.models import DirectCategory, HubKind, LegalForm, Organization
from shezhi.registry.services import organization_set_status
from shezhi.targets.models import Indicator
from shezhi.targets.selectors import area_view
from shezhi.testing import make_filed, make_registered
from shezhi.volunteers.models import Volunteer, VolunteerTeam
from shezhi.volunteers.services import team_create, volunteer_cancel
from shezhi.volunteers.testing import make_id_number, make_volunteer

DECOUPLING = (
    "decoupled_institution_on",
    "decoupled_functions_on",
    "decoupled_finances_on",
    "decoupled_personnel_on",
    "decoupled_party_affairs_on",
)
ENDED = ("revoked", "deregistered")


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


@pytest.fixture
def world(areas):
    """A seeded mix of organizations, places, volunteers and teams in the city's two towns."""
    rng = random.Random(20180101)
    bureau = User.objects.create_user(username="bureau-fig", password="x-Shezhi-2026", role=Role.BUREAU, area=areas.city)
    today = timezone.localdate()
    towns = [areas.town_a, areas.town_b]
    communities = {areas.town_a: [areas.community_a1, areas.community_a2], areas.town_b: [areas.community_b1]}
    units = [areas.town_a, areas.town_b, areas.community_a1, areas.community_a2, areas.community_b1]
    all_communities = [areas.community_a1, areas.community_a2, areas.community_b1]
    orgs = []
    for n in range(70):
        town = rng.choice(towns)
        community = rng.choice([*communities[town], None])
        founded = _day(rng, dt.date(2016, 1, 1), today)
        extra = {}
        if rng.random() < 0.25:
            extra.update(hub_kind=rng.choice([HubKind.HUB, HubKind.SUPPORT]), hub_area=rng.choice(units))
        if rng.random() < 0.15:
            extra.update(is_volunteer_org=True)
        if n % 3 == 0:
            org = make_filed(town=town, community=community, founded_on=founded, **extra)
        else:
            if rng.random() < 0.3:
                extra.update(is_social_work_agency=True, served_communities=rng.sample(all_communities, rng.randint(1, 2)))
            elif rng.random() < 0.3:
                extra.update(direct_category=DirectCategory.TRADE_ASSOCIATION)
                for field in DECOUPLING:
                    if rng.random() < 0.85:
                        extra[field] = _day(rng, founded, today)
            org = make_registered(
                town=town,
                community=community,
                founded_on=founded,
                legal_form=rng.choice([LegalForm.SOCIAL_GROUP, LegalForm.SOCIAL_SERVICE_AGENCY]),
                **({"is_community_org": True, "community_category": "culture_sports"} if rng.random() < 0.4 else {}),
                **extra,
            )
        if rng.random() < 0.2 and founded < today:
            organization_set_status(
                organization=org,
                status=rng.choice(ENDED),
                by=bureau,
                reason="测试",
                on=_day(rng, founded + dt.timedelta(days=1), today),
            )
        orgs.append(org)
    # A community organization of the other city must count for neither town.
    make_filed(town=areas.other_town, founded_on=dt.date(2017, 5, 1))
    for n in range(8):
        opened = _day(rng, dt.date(2016, 1, 1), today - dt.timedelta(days=2))
        closed = _day(rng, opened + dt.timedelta(days=1), today) if rng.random() < 0.3 else None
        kind = rng.choice(["party_mass_centre", "charity_base"])
        standardized_on = _day(rng, opened, today) if kind == "party_mass_centre" and rng.random() < 0.7 else None
        place_save(
            data={
                "kind": kind,
                "name": f"测试场所{n}",
                "address": "平湖市测试路",
                "town": rng.choice([*towns, None]),
                "operator_name": "镇政府",
                "opened_on": opened,
                "closed_on": closed,
                "standardized": standardized_on is not None,
                "standardized_on": standardized_on,
            },
            by=bureau,
        )
    for n in range(40):
        town = rng.choice(towns)
        v = make_volunteer(
            town=town,
            community=rng.choice(communities[town]),
            id_number=make_id_number(born=dt.date(1980, 1, 1) + dt.timedelta(days=n * 97), sequence=n),
            registered_on=_day(rng, dt.date(2017, 1, 1), today),
        )
        if rng.random() < 0.25 and v.registered_on < today:
            volunteer_cancel(volunteer=v, by=bureau, on=_day(rng, v.registered_on + dt.timedelta(days=1), today), reason="测试")
    # New population counts for the city and one town: a figure per resident as of a day
    # divides by the population counted for that day.
    areas.populations = {a.pk: [(a.population_date, a.population)] for a in (areas.city, areas.town_a, areas.town_b)}
    for area, days_back, population in ((areas.city, 1000, 700_000), (areas.town_a, 300, 160_000)):
        counted = today - dt.timedelta(days=days_back)
        area_save(code=area.code, data={"population": population, "population_date": counted}, by=bureau)
        areas.populations[area.pk].append((counted, population))
    volunteer_orgs = [o for o in orgs if o.is_volunteer_org and o.status not in ENDED]
    for n, org in enumerate(volunteer_orgs[:4]):
        team_create(
            organization=org,
            data={"name": f"测试志愿服务队{n}", "town": org.town, "founded_on": _day(rng, org.founded_on, today)},
            by=bureau,
        )
    return areas


# --- the independent counts ---------------------------------------------------------------------


def alive(org: Organization, on: dt.date) -> bool:
    return org.founded_on <= on and not (org.status in ENDED and org.status_changed_on <= on)


def inside(area: Area, *, town_id, community_id=None, city_id=None) -> bool:
    if area.level == AreaLevel.CITY:
        return city_id == area.pk
    return town_id == area.pk


def ratio(n: int, d: int, scale: int) -> Decimal | None:
    if not d:
        return None
    return (Decimal(n) * scale / Decimal(d)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def population_on(populations: dict[int, list], area: Area, on: dt.date) -> int:
    """The last population counted on or before the day, else the first one counted."""
    counts = sorted(populations[area.pk])
    return next((p for d, p in reversed(counts) if d <= on), counts[0][1])


def expected(area: Area, on: dt.date, populations: dict[int, list]) -> dict[str, Decimal | None]:
    orgs = [o for o in Organization.objects.prefetch_related("served_communities") if alive(o, on)]
    here = [o for o in orgs if inside(area, town_id=o.town_id, city_id=o.city_id)]
    if area.level == AreaLevel.CITY:
        communities = list(Area.objects.filter(level=AreaLevel.COMMUNITY, city=area))
        towns = list(Area.objects.filter(level=AreaLevel.TOWN, parent=area))
    else:
        communities = list(Area.objects.filter(level=AreaLevel.COMMUNITY, town=area))
        towns = [area]
    urban = {c.pk for c in communities if c.kind == AreaKind.URBAN}
    rural = {c.pk for c in communities if c.kind == AreaKind.RURAL}
    community_orgs = [o for o in here if o.is_community_org]
    hub_areas = {o.hub_area_id for o in orgs if o.hub_kind and o.hub_area_id}
    hub_units = [t.pk for t in towns] + [c.pk for c in communities]
    served = {c.pk for o in orgs if o.is_social_work_agency for c in o.served_communities.all()}
    places = [p for p in Place.objects.all() if p.opened_on <= on and (p.closed_on is None or p.closed_on > on)]
    places = [p for p in places if inside(area, town_id=p.town_id, city_id=p.city_id)]
    centres = [p for p in places if p.kind == "party_mass_centre" and p.standardized_on and p.standardized_on <= on]
    bases = [p for p in places if p.kind == "charity_base"]
    teams = [
        t
        for t in VolunteerTeam.objects.all()
        if t.founded_on <= on and (t.dissolved_on is None or t.dissolved_on > on) and inside(area, town_id=t.town_id, city_id=t.city_id)
    ]
    units = len([o for o in here if o.is_volunteer_org]) + len(teams)
    people = [
        v
        for v in Volunteer.objects.all()
        if v.status != "merged"
        and v.registered_on <= on
        and (v.cancelled_on is None or v.cancelled_on > on)
        and inside(area, town_id=v.town_id, city_id=v.city_id)
    ]
    trade = [o for o in here if o.registration == "registered" and o.direct_category == DirectCategory.TRADE_ASSOCIATION]
    trade_done = [o for o in trade if all(getattr(o, f) and getattr(o, f) <= on for f in DECOUPLING)]
    return {  # (numerator, denominator); no denominator: a plain count
        Indicator.COMMUNITY_ORGS: (len(community_orgs), None),
        Indicator.PER_URBAN_COMMUNITY: (len([o for o in community_orgs if o.community_id in urban]), len(urban)),
        Indicator.PER_RURAL_COMMUNITY: (len([o for o in community_orgs if o.community_id in rural]), len(rural)),
        Indicator.HUB_COVERAGE: (len([u for u in hub_units if u in hub_areas]), len(hub_units)),
        Indicator.SOCIAL_WORK_URBAN: (len(urban & served), len(urban)),
        Indicator.SOCIAL_WORK_RURAL: (len(rural & served), len(rural)),
        Indicator.PARTY_MASS_CENTRES: (len(centres), None),
        Indicator.CHARITY_BASES: (len(bases), None),
        Indicator.VOLUNTEER_ORGANIZATIONS: (units, population_on(populations, area, on)),
        Indicator.VOLUNTEERS: (len(people), population_on(populations, area, on)),
        Indicator.TRADE_DECOUPLING: (len(trade_done), len(trade)),
    }


SCALE = {Indicator.PER_URBAN_COMMUNITY: 1, Indicator.PER_RURAL_COMMUNITY: 1}


def value_of(indicator: str, pair: tuple[int, int | None]) -> Decimal | None:
    n, d = pair
    return Decimal(n) if d is None else ratio(n, d, SCALE.get(indicator, 100))


@pytest.mark.parametrize("days_back", [0, 400, 1500, 2600])
def test_every_figure_equals_an_independent_count(world, days_back):
    on = timezone.localdate() - dt.timedelta(days=days_back)
    for area in (world.city, world.town_a, world.town_b):
        view = area_view(area, on)
        want = expected(area, on, world.populations)
        got = {r.target.indicator: (r.figure.numerator, r.figure.denominator) for r in view.rows}
        assert set(got) == set(Indicator.values)
        assert got == want, (area.name, on)
        assert {r.target.indicator: r.actual for r in view.rows} == {k: value_of(k, v) for k, v in want.items()}


def test_the_trend_is_the_figure_of_each_month_end(world):
    on = timezone.localdate()
    view = area_view(world.city, on)
    for day, value in view.rows[0].trend[::6]:
        assert value == value_of(Indicator.COMMUNITY_ORGS, expected(world.city, day, world.populations)[Indicator.COMMUNITY_ORGS])


def test_town_rows_of_the_city_view_equal_the_town_views(world):
    on = timezone.localdate() - dt.timedelta(days=700)
    city = area_view(world.city, on)
    for child in city.children:
        town = {r.target.code: r.actual for r in area_view(child.area, on).rows}
        for cell in child.cells:
            assert cell.actual == town[cell.target.code]


def test_the_world_is_not_trivial(world):
    """The comparison above means something only if the figures move and differ."""
    on = timezone.localdate()
    city = expected(world.city, on, world.populations)
    past = expected(world.city, on - dt.timedelta(days=1500), world.populations)
    assert city[Indicator.COMMUNITY_ORGS][0] > past[Indicator.COMMUNITY_ORGS][0] > 0
    assert Organization.objects.filter(status__in=ENDED).exists()
    for indicator in (Indicator.HUB_COVERAGE, Indicator.SOCIAL_WORK_URBAN, Indicator.TRADE_DECOUPLING, Indicator.PER_URBAN_COMMUNITY):
        n, d = city[indicator]
        assert n > 0 and d, indicator
    assert city[Indicator.VOLUNTEERS][0] > past[Indicator.VOLUNTEERS][0] > 0
    assert city[Indicator.VOLUNTEER_ORGANIZATIONS][0] > 0
    assert city[Indicator.VOLUNTEERS][1] != past[Indicator.VOLUNTEERS][1], "the population changed in between"
    assert city[Indicator.PARTY_MASS_CENTRES][0] + city[Indicator.CHARITY_BASES][0] > 0
