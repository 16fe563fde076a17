"""Demo activities, sign-ups and confirmed hours for the demo volunteers (seed_demo).

Runs after the volunteers seeder (order 210). Deterministic (random.Random seeded), written
with bulk_create, everything marked is_demo. Activities are organized by the demo volunteer
organizations; hours records are confirmed sign-in hours of past activities.

Sizes: "tiny" and "city" give every demo volunteer a chance of service (30% of them get 1–6
records); "province" gives 2% of the demo volunteers 1–3 records each (15 million volunteers
at 2% is 300,000 people and about 600,000 records), with at most 40 activities per city.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from shezhi.activities.models import Activity, ActivityStatus, HoursRecord, HoursSource, HoursStatus, SignUp, SignUpStatus
from shezhi.registry.models import Organization
from shezhi.volunteers.models import Volunteer, VolunteerStatus

TITLES = [
    "社区环境整治",
    "敬老院陪伴探访",
    "文明交通劝导",
    "垃圾分类宣传",
    "图书馆阅读推广",
    "社区义诊协助",
    "防诈骗宣传进社区",
    "河道巡护",
    "助残志愿服务",
    "关爱留守儿童课堂",
    "文明城市创建",
    "疫苗接种现场引导",
]
PLACES = ["社区服务中心", "新时代文明实践站", "敬老院", "社区广场", "图书馆", "邻里中心"]


@dataclass(frozen=True)
class Sizes:
    share: float  # of the demo volunteers who get records
    max_records: int
    activities_per_org: int
    max_activities_per_city: int


SIZES = {
    "tiny": Sizes(0.3, 6, 2, 20),
    "city": Sizes(0.3, 6, 3, 200),
    "province": Sizes(0.02, 3, 2, 40),
}
BATCH = 5000


def _codes(rng: random.Random) -> tuple[str, str]:
    a = f"{rng.randrange(10**6):06d}"
    b = f"{(int(a) + rng.randrange(1, 10**6)) % 10**6:06d}"
    return a, b


def seed(scale: str, seed: int, log: Callable[[str], None]) -> None:
    sizes = SIZES.get(scale, SIZES["city"])
    rng = random.Random(f"activities:{seed}")
    if Activity.objects.filter(is_demo=True).exists():
        log("demo activities exist already; nothing to do")
        return
    orgs = list(
        Organization.objects.filter(is_demo=True, is_volunteer_org=True)
        .order_by("id")
        .values_list("pk", "city_id", "town_id", "community_id")
    )
    if not orgs:
        log("no demo volunteer organizations; no activities")
        return
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    per_city: dict[int, int] = defaultdict(int)
    activities: list[Activity] = []
    for org_id, city_id, town_id, community_id in orgs:
        for _ in range(sizes.activities_per_org):
            if per_city[city_id] >= sizes.max_activities_per_city:
                break
            per_city[city_id] += 1
            days = rng.randint(-300, 45)
            starts = timezone.localtime(now + dt.timedelta(days=days)).replace(hour=rng.choice([8, 9, 14, 15]))
            length = rng.choice([2, 2, 3, 4])
            sign_in, sign_out = _codes(rng)
            activities.append(
                Activity(
                    title=rng.choice(TITLES),
                    organization_id=org_id,
                    place=rng.choice(PLACES),
                    city_id=city_id,
                    town_id=town_id,
                    community_id=community_id,
                    starts_at=starts,
                    ends_at=starts + dt.timedelta(hours=length),
                    headcount=rng.choice([10, 20, 30, 50]),
                    requirements="年满16周岁，身体健康。",
                    description="（演示数据）",
                    status=ActivityStatus.OPEN if starts > now else ActivityStatus.CLOSED,
                    sign_in_code=sign_in,
                    sign_out_code=sign_out,
                    is_demo=True,
                )
            )
    with transaction.atomic():
        Activity.objects.bulk_create(activities, batch_size=BATCH)
    past_by_city: dict[int, list[Activity]] = defaultdict(list)
    for a in Activity.objects.filter(is_demo=True, ends_at__lt=now).only(
        "pk", "city_id", "starts_at", "ends_at", "title", "organization_id"
    ):
        past_by_city[a.city_id].append(a)
    log(f"{len(activities)} activities ({sum(len(v) for v in past_by_city.values())} past)")

    volunteers = (
        Volunteer.objects.filter(is_demo=True, status=VolunteerStatus.ACTIVE)
        .order_by("id")
        .values_list("pk", "city_id")
        .iterator(chunk_size=BATCH)
    )
    signups: list[SignUp] = []
    taken: dict[int, int] = defaultdict(int)
    records_total = 0
    people = 0
    pending_records: list[tuple[SignUp, Activity]] = []

    def flush() -> None:
        nonlocal records_total
        if not signups:
            return
        with transaction.atomic():
            SignUp.objects.bulk_create(signups, batch_size=BATCH)
            records = []
            for signup, activity in pending_records:
                hours = Decimal(int((activity.ends_at - activity.starts_at).total_seconds() // 1800)) / 2
                records.append(
                    HoursRecord(
                        volunteer_id=signup.volunteer_id,
                        activity_id=activity.pk,
                        signup_id=signup.pk,
                        organization_id=activity.organization_id,
                        served_on=timezone.localtime(activity.starts_at).date(),
                        hours=hours,
                        source=HoursSource.CHECKIN,
                        status=HoursStatus.CONFIRMED,
                        content=activity.title,
                        started_at=activity.starts_at,
                        ended_at=activity.ends_at,
                        decided_at=activity.ends_at,
                        is_demo=True,
                    )
                )
            HoursRecord.objects.bulk_create(records, batch_size=BATCH)
        records_total += len(records)
        signups.clear()
        pending_records.clear()

    for volunteer_id, city_id in volunteers:
        choices = past_by_city.get(city_id)
        if not choices or rng.random() >= sizes.share:
            continue
        people += 1
        for activity in rng.sample(choices, min(len(choices), rng.randint(1, sizes.max_records))):
            signup = SignUp(
                activity_id=activity.pk,
                volunteer_id=volunteer_id,
                status=SignUpStatus.CONFIRMED,
                signed_up_at=activity.starts_at - dt.timedelta(days=3),
                signed_in_at=activity.starts_at,
                signed_out_at=activity.ends_at,
            )
            signups.append(signup)
            pending_records.append((signup, activity))
            taken[activity.pk] += 1
        if len(signups) >= BATCH:
            flush()
    flush()
    # Places taken as the sign-ups say; past demo activities may have more volunteers than
    # the headcount drawn above, as if the organizer had raised it.
    headcounts = dict(Activity.objects.filter(pk__in=list(taken)).values_list("pk", "headcount"))
    updates = [Activity(pk=pk, places_taken=n, headcount=max(headcounts[pk], n)) for pk, n in taken.items()]
    Activity.objects.bulk_update(updates, ["places_taken", "headcount"], batch_size=BATCH)
    log(f"{people} volunteers with {records_total} confirmed service records")
