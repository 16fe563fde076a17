"""Demo volunteers, teams, memberships and stations for `seed_demo` (a demo_seeder).

Deterministic (one random.Random stream per city, seeded from the run's seed), marked
is_demo, and fast: rows are written with the registry demo's executemany/COPY insert, which
prepares each column once per type (the encrypted ID and phone columns through the field's
own get_prep_value, so they are encrypted exactly as the app writes them).

Sizes. Zhejiang has some 15 million registered volunteers; the province scale writes a
fixed fraction of that, PROVINCE_FRACTION = 1/50 (300,000), spread over the demo cities by
population. The city scale writes a few thousand for Pinghu. Synthetic ID numbers are
valid GB 11643 numbers whose address code is the demo city's own code (339xxx for the
generated cities: no real prefecture uses it), so they cannot be anyone's real number.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import defaultdict
from collections.abc import Callable

from django.core.management.color import no_style
from django.db import connection, transaction

from shezhi.areas.models import Area, AreaLevel
from shezhi.audit.models import AuditAction
from shezhi.audit.services import audit_record
from shezhi.privacy import keyed_hash
from shezhi.registry.demo import GIVEN, PHONE_PREFIXES, SURNAMES, _allocate, _fast_insert, _next_id
from shezhi.registry.models import Organization, ServiceDomain
from shezhi.volunteers.models import Membership, Skill, Station, Volunteer, VolunteerSequence, VolunteerTeam
from shezhi.volunteers.validators import compose_mainland_id

PROVINCE_REAL_VOLUNTEERS = 15_000_000
PROVINCE_FRACTION = 50  # the province scale writes 1/50 of the real number
SIZES = {"tiny": 300, "city": 5_000, "province": PROVINCE_REAL_VOLUNTEERS // PROVINCE_FRACTION}
FIRST_DAY = dt.date(2012, 1, 1)
LAST_DAY = dt.date(2025, 6, 30)  # as the registry demo: the data never depends on the day it is made
SOURCE = "seed_demo"
TEAM_KINDS = [
    "红马甲志愿服务队",
    "邻里守望志愿队",
    "文明劝导志愿队",
    "助老志愿服务队",
    "环保志愿队",
    "平安巡防志愿队",
    "青年志愿服务队",
    "巾帼志愿服务队",
]
AVAILABILITY = ["anytime", "weekends", "weekends", "weekdays", "evenings", "by_arrangement"]


def _rng(seed: int, *labels: object) -> random.Random:
    return random.Random("shezhi-volunteers-demo:" + ":".join(str(x) for x in (seed, *labels)))


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(max(1, (end - start).days + 1)))


def _registration_day(rng: random.Random) -> dt.date:
    # More registrations in later years (the programme grew): square-root skew.
    span = (LAST_DAY - FIRST_DAY).days
    return FIRST_DAY + dt.timedelta(days=int(span * (rng.random() ** 0.6)))


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _phone(rng: random.Random) -> str:
    return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def demo_volunteers_exist() -> bool:
    return Volunteer.objects.filter(is_demo=True).exists()


class CityVolunteers:
    """The rows of one city: volunteers (with ids), their skills and preferences, teams,
    memberships and stations."""

    def __init__(self, city: Area, *, seed: int, count: int, towns: list[Area], communities: dict[int, list[Area]], orgs: list, ids: dict):
        self.city = city
        self.rng = _rng(seed, city.code)
        self.count = count
        self.towns = towns
        self.communities = communities
        self.orgs = orgs  # (id, town_id, community_id) of the city's volunteer organizations
        self.ids = ids  # next id per model
        self.skill_ids = list(Skill.objects.order_by("id").values_list("id", flat=True))
        self.domain_ids = list(ServiceDomain.objects.order_by("id").values_list("id", flat=True))
        self.volunteers: list[dict] = []
        self.skills: list[tuple[int, int]] = []
        self.preferences: list[tuple[int, int]] = []
        self.teams: list[dict] = []
        self.memberships: list[dict] = []
        self.stations: list[dict] = []

    def _next(self, key: str) -> int:
        value = self.ids[key]
        self.ids[key] += 1
        return value

    def build(self) -> None:
        rng = self.rng
        places = [(t, c) for t in self.towns for c in self.communities.get(t.pk, [])] or [(t, None) for t in self.towns]
        weights = [float((c.population if c is not None else t.population) or 3000) for t, c in places]
        per_place = _allocate(self.count, weights)
        used: set[str] = set()
        number = 0
        area6 = self.city.code[:6]
        for (town, community), n in zip(places, per_place, strict=True):
            for _ in range(n):
                number += 1
                self.volunteers.append(self._volunteer(rng, town, community, number, area6, used))
        self._teams_and_members(rng)
        self._stations(rng)

    def _volunteer(self, rng: random.Random, town: Area, community: Area | None, number: int, area6: str, used: set[str]) -> dict:
        registered_on = _registration_day(rng)
        minor = rng.random() < 0.04
        if minor:
            born = registered_on - dt.timedelta(days=rng.randrange(14 * 366, 17 * 365))
        else:
            born = _day(rng, dt.date(1945, 1, 1), min(registered_on - dt.timedelta(days=18 * 366), dt.date(2006, 12, 31)))
        male = rng.random() < 0.45
        while True:
            seq = rng.randrange(0, 500) * 2 + (1 if male else 0)
            id_number = compose_mainland_id(area6, born, seq)
            if id_number not in used:
                used.add(id_number)
                break
            born += dt.timedelta(days=1)
        phone = _phone(rng)
        pk = self._next("volunteer")
        status, cancelled_on = "active", None
        if rng.random() < 0.03:
            status, cancelled_on = "cancelled", _day(rng, registered_on, LAST_DAY)
        row = {
            "id": pk,
            "volunteer_number": f"{area6}{number:08d}",
            "name": _name(rng),
            "id_type": "id_card",
            "id_number": id_number,
            "id_hash": keyed_hash(id_number),
            "birth_date": born,
            "gender": "male" if male else "female",
            "phone": phone,
            "phone_hash": keyed_hash(phone),
            "city_id": self.city.pk,
            "town_id": town.pk,
            "community_id": community.pk if community is not None else None,
            "availability": rng.choice(AVAILABILITY),
            "registered_on": registered_on,
            "status": status,
            "cancelled_on": cancelled_on,
            "is_demo": True,
        }
        if minor:
            row.update(guardian_name=_name(rng), guardian_phone=_phone(rng), guardian_consent_on=registered_on)
        if self.skill_ids and rng.random() < 0.45:
            for skill in rng.sample(self.skill_ids, rng.choice((1, 1, 2))):
                self.skills.append((pk, skill))
        if self.domain_ids and rng.random() < 0.5:
            for domain in rng.sample(self.domain_ids, min(len(self.domain_ids), rng.choice((1, 2)))):
                self.preferences.append((pk, domain))
        return row

    def _teams_and_members(self, rng: random.Random) -> None:
        if not self.orgs:
            return
        by_town: dict[int, list] = defaultdict(list)
        for org in self.orgs:
            by_town[org[1]].append(org)
        team_of_place: dict[tuple[int, int | None], list[dict]] = defaultdict(list)
        names_taken: set[tuple[int, str]] = set()
        for town in self.towns:
            for community in [None, *self.communities.get(town.pk, [])]:
                if community is not None and rng.random() > 0.75:
                    continue
                org = rng.choice(by_town.get(town.pk) or self.orgs)
                place = community.name if community is not None else town.name
                for _attempt in range(5):
                    name = place + rng.choice(TEAM_KINDS)
                    if (org[0], name) not in names_taken:
                        break
                else:
                    continue
                names_taken.add((org[0], name))
                team = {
                    "id": self._next("team"),
                    "organization_id": org[0],
                    "name": name,
                    "city_id": self.city.pk,
                    "town_id": town.pk,
                    "community_id": community.pk if community is not None else None,
                    "founded_on": _day(rng, FIRST_DAY, LAST_DAY - dt.timedelta(days=200)),
                    "is_demo": True,
                }
                self.teams.append(team)
                team_of_place[(town.pk, team["community_id"])].append(team)
        for v in self.volunteers:
            if v["status"] != "active" or rng.random() > 0.4:
                continue
            choices = team_of_place.get((v["town_id"], v["community_id"])) or team_of_place.get((v["town_id"], None))
            if not choices:
                continue
            team = rng.choice(choices)
            joined = max(v["registered_on"], team["founded_on"])
            self.memberships.append(
                {
                    "id": self._next("membership"),
                    "volunteer_id": v["id"],
                    "organization_id": team["organization_id"],
                    "team_id": team["id"],
                    "joined_on": joined,
                }
            )

    def _stations(self, rng: random.Random) -> None:
        operators = [o[0] for o in self.orgs]
        for town in self.towns:
            self.stations.append(self._station(rng, town, None, f"{town.name}志愿服务中心", operators))
            for community in self.communities.get(town.pk, []):
                if rng.random() < 0.9:
                    self.stations.append(self._station(rng, town, community, f"{community.name}志愿服务站", operators))

    def _station(self, rng: random.Random, town: Area, community: Area | None, name: str, operators: list[int]) -> dict:
        opened = _day(rng, dt.date(2014, 1, 1), LAST_DAY)
        return {
            "id": self._next("station"),
            "name": name,
            "city_id": self.city.pk,
            "town_id": town.pk,
            "community_id": community.pk if community is not None else None,
            "address": f"{(community or town).name}党群服务中心",
            "operator_id": rng.choice(operators) if operators and rng.random() < 0.3 else None,
            "opened_on": opened,
            "closed_on": _day(rng, opened, LAST_DAY) if rng.random() < 0.03 else None,
            "is_demo": True,
        }

    def insert(self) -> None:
        _fast_insert(Volunteer, self.volunteers, with_ids=True)
        skills_through = Volunteer.skills.through
        prefs_through = Volunteer.preferences.through
        _fast_insert(skills_through, [{"volunteer_id": v, "skill_id": s} for v, s in self.skills])
        _fast_insert(prefs_through, [{"volunteer_id": v, "servicedomain_id": d} for v, d in self.preferences])
        _fast_insert(VolunteerTeam, self.teams, with_ids=True)
        _fast_insert(Membership, self.memberships, with_ids=True)
        _fast_insert(Station, self.stations, with_ids=True)
        VolunteerSequence.objects.update_or_create(city=self.city, defaults={"last": len(self.volunteers)})


def _reset_sequences() -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), [Volunteer, VolunteerTeam, Membership, Station])
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def seed_volunteers(*, scale: str, seed: int, log: Callable[[str], None] = lambda message: None, cities: list[Area] | None = None) -> dict:
    """Write the demo volunteers of `scale` over the demo cities (those with towns)."""
    started = time.perf_counter()
    total = SIZES.get(scale, SIZES["city"])
    if cities is None:
        from django.conf import settings

        city_ids = Area.objects.filter(level=AreaLevel.TOWN).values("city_id")
        cities = list(Area.objects.filter(level=AreaLevel.CITY, pk__in=city_ids).order_by("code"))
        if scale != "province":
            cities = [c for c in cities if c.code == settings.SHEZHI_CITY_CODE] or cities[:1]
    counts = _allocate(total, [float(c.population or 500_000) for c in cities])
    towns_by_city: dict[int, list[Area]] = defaultdict(list)
    for town in Area.objects.filter(level=AreaLevel.TOWN, city__in=cities).order_by("code"):
        towns_by_city[town.city_id].append(town)
    orgs_by_city: dict[int, list] = defaultdict(list)
    for pk, city_id, town_id, community_id in (
        Organization.objects.filter(is_volunteer_org=True, city__in=cities, status="normal")
        .order_by("id")
        .values_list("id", "city_id", "town_id", "community_id")
    ):
        orgs_by_city[city_id].append((pk, town_id, community_id))
    result = {"volunteers": 0, "teams": 0, "memberships": 0, "stations": 0}
    for i, (city, count) in enumerate(zip(cities, counts, strict=True)):
        communities: dict[int, list[Area]] = defaultdict(list)
        for c in Area.objects.filter(level=AreaLevel.COMMUNITY, city=city).order_by("code"):
            communities[c.parent_id].append(c)
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(
                        "LOCK TABLE volunteers_volunteer, volunteers_volunteerteam, volunteers_membership, volunteers_station "
                        "IN SHARE ROW EXCLUSIVE MODE"
                    )
            ids = {
                "volunteer": _next_id(Volunteer),
                "team": _next_id(VolunteerTeam),
                "membership": _next_id(Membership),
                "station": _next_id(Station),
            }
            builder = CityVolunteers(
                city, seed=seed, count=count, towns=towns_by_city[city.pk], communities=communities, orgs=orgs_by_city[city.pk], ids=ids
            )
            builder.build()
            builder.insert()
            _reset_sequences()
            audit_record(
                action=AuditAction.VOLUNTEERS_IMPORTED,
                by=None,
                target=city,
                changes={"demo_volunteers": [None, len(builder.volunteers)], "demo_teams": [None, len(builder.teams)]},
                reason=f"demo data: seed_demo --scale {scale} --seed {seed}",
                source=SOURCE,
            )
        result["volunteers"] += len(builder.volunteers)
        result["teams"] += len(builder.teams)
        result["memberships"] += len(builder.memberships)
        result["stations"] += len(builder.stations)
        if len(cities) < 10 or (i + 1) % 10 == 0 or i + 1 == len(cities):
            log(f"{i + 1}/{len(cities)} cities, {result['volunteers']} volunteers, {time.perf_counter() - started:.0f} s")
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result


def run(scale_name: str, seed: int, log: Callable[[str], None]) -> None:
    """The demo_seeder entry point: seed once (nothing if demo volunteers exist)."""
    if demo_volunteers_exist():
        log("demo volunteers already present; nothing to do")
        return
    result = seed_volunteers(scale=scale_name, seed=seed, log=log)
    fraction = f" (1/{PROVINCE_FRACTION} of Zhejiang's ~15 million)" if scale_name == "province" else ""
    log(
        f"{result['volunteers']} volunteers{fraction}, {result['teams']} teams, {result['memberships']} memberships, "
        f"{result['stations']} stations in {result['seconds']} s"
    )
