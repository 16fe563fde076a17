"""Demo charities for seed_demo: a few registered organizations of the home city recognized as
charities, with campaigns and disclosures — one published late, one corrected, one missing
(late, not published). Deterministic for a seed; marks only demo organizations."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.charity import rules as R
from shezhi.charity.models import CampaignKind, Disclosure, DisclosureKind, DisclosureRules, DisclosureStatus, FundraisingCampaign
from shezhi.registry.models import Organization, OrganizationStatus, RegistrationKind
from shezhi.registry.services import organization_update

HOW_MANY = {"tiny": 2, "city": 5, "province": 8}
SOURCE = "seed_demo:charity"


def _candidates(city_code: str) -> list[Organization]:
    from shezhi.registry.demo import HOME_CITY_CODE

    qs = Organization.objects.filter(
        city__code=city_code or HOME_CITY_CODE, registration=RegistrationKind.REGISTERED, status=OrganizationStatus.NORMAL, is_demo=True
    ).exclude(founded_on=None)
    # The organization demo_accounts gives the "demo-org" log-in comes first, so that account
    # sees a charity's pages (see accounts/management/commands/demo_accounts.py).
    first = qs.filter(town__name="当湖街道").order_by("-is_demo", "-legal_form", "sort_key", "id").first()
    rest = list(qs.exclude(pk=getattr(first, "pk", None)).order_by("sort_key", "id")[:200])
    return ([first] if first else []) + rest


def seed_demo(scale_name: str, seed: int, log: Callable[[str], None] = lambda m: None) -> int:
    """A few demo charities of the home city with a story (campaigns, one item published
    late, one corrected, one periodic report missing), and the annual reports of every other
    demo charity the registry's demo data recognized, published on time — so that the late
    list shows the story, not years of reports nobody wrote."""
    from shezhi.registry.demo import HOME_CITY_CODE

    count = HOW_MANY.get(scale_name, 3)
    rng = random.Random(f"{seed}:charity")
    candidates = _candidates(HOME_CITY_CODE)
    if not candidates:
        log("no demo organization to make a charity of")
        return 0
    chosen = [candidates[0], *rng.sample(candidates[1:], min(count - 1, len(candidates) - 1))]
    today = timezone.localdate()
    rules = R.RulesBook.load(DisclosureRules)
    writer = None  # written by the system: no account stands behind demo items
    with transaction.atomic():
        for i, org in enumerate(chosen):
            recognized = max(org.founded_on, dt.date(today.year - 3, 1 + rng.randrange(12), 1 + rng.randrange(28)))
            organization_update(
                organization=org,
                data={"is_charity": True, "charity_recognized_on": recognized, "public_fundraising": i % 2 == 0},
                by=None,
                reason="演示数据：慈善组织",
                source=SOURCE,
            )
            org.refresh_from_db()
            _seed_story(org, rules=rules.for_city(org.city_id), writer=writer, rng=rng, today=today, first=i == 0)
        others = (
            Organization.objects.filter(is_demo=True, is_charity=True)
            .exclude(pk__in=[o.pk for o in chosen])
            .exclude(charity_recognized_on=None)
            .order_by("pk")
        )
        batch: list[Disclosure] = []
        for org in others.iterator(chunk_size=2000):
            batch += _annual_items(org, rules=rules.for_city(org.city_id), writer=writer, rng=rng, today=today)
            if len(batch) >= 5000:
                Disclosure.objects.bulk_create(batch, batch_size=2000)
                batch.clear()
        Disclosure.objects.bulk_create(batch, batch_size=2000)
    log(f"{len(chosen)} demo charities with campaigns and disclosures; annual reports of the other demo charities")
    return len(chosen)


def _published(d: Disclosure, day: dt.date, writer: User | None) -> Disclosure:
    d.status = DisclosureStatus.PUBLISHED
    d.published_by = writer
    d.published_at = timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))
    return d


def _annual_items(
    org: Organization, *, rules: DisclosureRules, writer: User | None, rng: random.Random, today: dt.date, late_year: int | None = None
) -> list[Disclosure]:
    """The annual work report and financial statements of each year from the recognition on
    whose due date has passed, published on time (the financial statements of `late_year`
    twenty days late)."""
    items = []
    for year in range(R.first_annual_year(org, today, rules), today.year):
        due = R.annual_due(year, rules)
        if due >= today:
            continue
        for kind in R.ANNUAL_KINDS:
            day = due - dt.timedelta(days=rng.randrange(5, 60))
            if year == late_year and kind == DisclosureKind.FINANCIAL_STATEMENTS:
                day = due + dt.timedelta(days=20)
            label = "年度工作报告" if kind == DisclosureKind.ANNUAL_WORK_REPORT else "财务会计报告"
            body = f"{year}年度{label}（演示数据）。全年开展慈善活动{rng.randrange(8, 60)}场，慈善活动支出{rng.randrange(20, 400)}万元。"
            item = Disclosure(
                organization=org, kind=kind, year=year, due_on=due, title=f"{org.name}{year}年度{label}", body=body, created_by=writer
            )
            items.append(_published(item, min(day, today), writer))
    return items


def _seed_story(org: Organization, *, rules: DisclosureRules, writer: User | None, rng: random.Random, today: dt.date, first: bool) -> None:
    items = _annual_items(org, rules=rules, writer=writer, rng=rng, today=today, late_year=today.year - 2 if first else None)
    campaign = FundraisingCampaign.objects.create(
        organization=org,
        name=f"{org.name[:20]}爱心助学项目",
        kind=CampaignKind.PUBLIC,
        record_number=f"DEMO{org.pk:08d}",
        starts_on=today - dt.timedelta(days=300),
        ends_on=today + dt.timedelta(days=120),
        purpose="资助困难家庭学生（演示数据）",
        created_by=writer,
    )
    for n in range(1, R.period_count(campaign, rules) + 1):
        due = R.period_due(campaign, n, rules)
        if due >= today:
            break
        if first and n == 2:
            continue  # one periodic report missing: late
        item = Disclosure(
            organization=org,
            kind=DisclosureKind.CAMPAIGN_QUARTERLY,
            campaign=campaign,
            period_number=n,
            due_on=due,
            title=f"{campaign.name}第{n}期募捐情况",
            body=f"本期募得善款{rng.randrange(2, 50)}万元，资助学生{rng.randrange(5, 80)}名（演示数据）。",
            created_by=writer,
        )
        items.append(_published(item, due - dt.timedelta(days=3), writer))
    Disclosure.objects.bulk_create(items)
    if first and items:
        original = items[0]
        correction = Disclosure(
            organization=org,
            kind=original.kind,
            year=original.year,
            corrects=original,
            title=f"更正：{original.title}",
            body="原公开内容中慈善活动场次有误，更正如下（演示数据）。",
            created_by=writer,
        )
        _published(correction, min(original.published_on + dt.timedelta(days=10), today), writer).save()
