"""Demo places and party organization history for seed_demo (home city only, deterministic).

Each town of the home city gets a party-mass service centre (some standardized) and every
other town a charity base, operated by one of the town's registered demo organizations when
it has one; the city gets its own centre. For a few dozen demo organizations that have a
party organization, the history is written: none when registered, then the current status.
Rows are bulk-created and marked is_demo; nothing is audited as a staff action.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable

from django.db import transaction

from shezhi.areas.models import Area, AreaLevel
from shezhi.places.models import PartyStatusChange, Place, PlaceKind
from shezhi.registry.models import Organization, PartyOrganization, RegistrationKind

HOME_CITY_CODE = "330482"
FIRST_OPENING = dt.date(2017, 1, 1)
LAST_OPENING = dt.date(2024, 12, 31)
PARTY_HISTORIES = 40
DETAILS = {
    PartyOrganization.INDEPENDENT: "{name}党支部",
    PartyOrganization.JOINT: "{town}社会组织联合党支部",
    PartyOrganization.INSTRUCTOR: "{town}社会组织党委选派党建指导员",
}


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def seed_places(*, scale_name: str, seed: int, log: Callable[[str], None]) -> None:
    city = Area.objects.filter(code=HOME_CITY_CODE, level=AreaLevel.CITY).first()
    if city is None or Place.objects.filter(is_demo=True, city=city).exists():
        return
    rng = random.Random(f"shezhi-demo:places:{seed}")
    towns = list(Area.objects.filter(city=city, level=AreaLevel.TOWN).order_by("code"))
    operators = defaultdict(list)
    for org_id, town_id in (
        Organization.objects.filter(city=city, registration=RegistrationKind.REGISTERED, is_demo=True)
        .order_by("id")
        .values_list("id", "town_id")
    ):
        operators[town_id].append(org_id)
    communities = defaultdict(list)
    for area_id, town_id in Area.objects.filter(city=city, level=AreaLevel.COMMUNITY).order_by("code").values_list("id", "town_id"):
        communities[town_id].append(area_id)

    places = [
        Place(
            kind=PlaceKind.PARTY_MASS_CENTRE,
            name=f"{city.name}社会组织党群服务中心",
            address=f"{city.name}新华中路{rng.randrange(1, 300)}号",
            city=city,
            operator_name=f"{city.name}社会组织服务中心",
            opened_on=dt.date(2018, 7, 1),
            standardized=True,
            standardized_on=dt.date(2019, 12, 20),
            phone=f"0573-8{rng.randrange(10**6, 10**7)}",
            is_demo=True,
        )
    ]
    for i, town in enumerate(towns):
        opened = _day(rng, FIRST_OPENING, LAST_OPENING)
        standardized = rng.random() < 0.4
        town_ops = operators.get(town.pk, [])
        places.append(
            Place(
                kind=PlaceKind.PARTY_MASS_CENTRE,
                name=f"{town.name}社会组织党群服务中心",
                address=f"{town.name}人民路{rng.randrange(1, 200)}号",
                city=city,
                town=town,
                operator_id=rng.choice(town_ops) if town_ops else None,
                operator_name="" if town_ops else f"{town.name}社会事务办",
                opened_on=opened,
                standardized=standardized,
                standardized_on=min(opened + dt.timedelta(days=rng.randrange(180, 720)), LAST_OPENING) if standardized else None,
                phone=f"0573-8{rng.randrange(10**6, 10**7)}",
                is_demo=True,
            )
        )
        if i % 2 == 0:
            closed = rng.random() < 0.15
            opened = _day(rng, FIRST_OPENING, LAST_OPENING - dt.timedelta(days=400))
            places.append(
                Place(
                    kind=PlaceKind.CHARITY_BASE,
                    name=f"{town.name}慈善基地",
                    address=f"{town.name}兴平路{rng.randrange(1, 200)}号",
                    city=city,
                    town=town,
                    community_id=rng.choice(communities[town.pk]) if communities.get(town.pk) else None,
                    operator_id=rng.choice(town_ops) if town_ops else None,
                    operator_name="" if town_ops else f"{town.name}慈善分会",
                    opened_on=opened,
                    closed_on=opened + dt.timedelta(days=rng.randrange(200, 380)) if closed else None,
                    phone=f"0573-8{rng.randrange(10**6, 10**7)}",
                    is_demo=True,
                )
            )

    candidates = list(
        Organization.objects.filter(city=city, is_demo=True)
        .exclude(party_organization=PartyOrganization.NONE)
        .select_related("town")
        .order_by("id")[:2000]
    )
    chosen = rng.sample(candidates, min(PARTY_HISTORIES, len(candidates)))
    changes = []
    for org in sorted(chosen, key=lambda o: o.pk):
        start = org.founded_on or FIRST_OPENING
        details = DETAILS[org.party_organization].format(name=org.name, town=org.town.name)[:200]
        since = start + dt.timedelta(days=rng.randrange(90, 1500))
        if since <= LAST_OPENING:  # founded without one, set up later
            changes.append(
                PartyStatusChange(
                    organization=org, status=PartyOrganization.NONE, since=start, reason="成立时未建立党组织（演示数据）", is_demo=True
                )
            )
        else:  # a young organization: set up with it
            since = start
        changes.append(
            PartyStatusChange(
                organization=org,
                status=org.party_organization,
                since=since,
                details=details,
                reason="党组织组建情况核实（演示数据）",
                is_demo=True,
            )
        )
    with transaction.atomic():
        Place.objects.bulk_create(places)
        PartyStatusChange.objects.bulk_create(changes)
    log(f"{len(places)} places, {len(changes)} party organization changes for {len(chosen)} organizations")
