"""`make bench` figures of the targets dashboard at province scale: the city view (all
targets, 24-month trends, every town ranked) and a town view (with its communities),
through the full Django stack, beside the raw database time of the same queries."""

from __future__ import annotations

import time

from django.conf import settings
from django.db.models import Count

from shezhi.benchtools import percentile, replay, statements_of

CITY_TARGET_MS = 500
TOWN_TARGET_MS = 200


def _of_the_page(sql: str) -> bool:
    return not sql.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")) and "django_session" not in sql


def run(figure, say, rounds) -> None:
    from django.test import Client

    from shezhi.accounts.models import Role, User
    from shezhi.areas.models import Area, AreaLevel

    city = Area.objects.get(code=settings.SHEZHI_CITY_CODE)
    # The town with the most communities: the heaviest town view.
    town = Area.objects.filter(level=AreaLevel.TOWN, city=city).annotate(n=Count("children")).order_by("-n", "code").first()
    user, _ = User.objects.get_or_create(username="bench-bureau", defaults={"role": Role.BUREAU, "area": city})
    client = Client()
    client.force_login(user)
    say(f"targets: {city.name} ({Area.objects.filter(city=city, level=AreaLevel.COMMUNITY).count()} communities), town {town.name}")
    for name, area, target in (("city", city, CITY_TARGET_MS), ("town", town, TOWN_TARGET_MS)):
        url = f"/targets/area/{area.pk}/"
        if client.get(url).status_code != 200:
            raise RuntimeError(f"{url} did not answer 200")
        statements = statements_of(lambda url=url: client.get(url), keep=_of_the_page)
        django_ms, raw_ms = [], []
        for _ in range(max(5, rounds)):
            started = time.perf_counter()
            response = client.get(url)
            django_ms.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
            raw_ms.append(replay(statements))
        figure(f"targets_{name}_p50_ms", percentile(django_ms, 50))
        figure(f"targets_{name}_p95_ms", percentile(django_ms, 95))
        figure(f"targets_{name}_raw_p95_ms", percentile(raw_ms, 95))
        figure(f"targets_{name}_queries", len(statements))
        figure(f"targets_{name}_p95_target_ms", target)
    # As of a past day (history, not today's state).
    url = f"/targets/area/{city.pk}/?on=2018-12-31"
    times = []
    for _ in range(max(5, rounds // 2)):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    figure("targets_city_2018_p95_ms", percentile(times, 95))
