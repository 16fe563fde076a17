"""Demo charities for seed_demo: a few registered organizations of the home city recognized as
charities, with campaigns and disclosures — one published late, one corrected, one missing
(late, not published). Deterministic for a seed; marks only demo organizations."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from shezhi.accounts.models import Role, User
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


def _system_user() -> User:
    """The author of the demo items: a demo organization account is not always there, so the
    items are written by a dedicated inactive account."""
    user, _ = User.objects.get_or_create(
        username="demo-charity-writer", defaults={"role": Role.ORGANIZATION, "display_name": "慈善信息公开（演示数据）", "is_active": False}
    )
    return user


def seed_demo(scale_name: str, seed: int, log: Callable[[str], None] = lambda m: None) -> int:
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
    writer = _system_user()
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
            _seed_items(org, rules=rules.for_city(org.city_id), writer=writer, rng=rng, today=today, first=i == 0)
    log(f"{len(chosen)} demo charities with disclosures")
    return len(chosen)


def _published(d: Disclosure, day: dt.date, writer: User) -> Disclosure:
    d.status = DisclosureStatus.PUBLISHED
    d.published_by = writer
    d.published_at = timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))
    return d


def _seed_items(org: Organization, *, rules: DisclosureRules, writer: User, rng: random.Random, today: dt.date, first: bool) -> None:
    items: list[Disclosure] = []
    start_year = org.charity_recognized_on.year
    late_year = today.year - 2 if first else None
    for year in range(start_year, today.year - 1):
        due = R.annual_due(year, rules)
        for kind in R.ANNUAL_KINDS:
            day = due - dt.timedelta(days=rng.randrange(5, 60))
            if year == late_year and kind == DisclosureKind.FINANCIAL_STATEMENTS:
                day = due + dt.timedelta(days=20)  # one published late
            label = "年度工作报告" if kind == DisclosureKind.ANNUAL_WORK_REPORT else "财务会计报告"
            items.append(
                _published(
                    Disclosure(
                        organization=org,
                        kind=kind,
                        year=year,
                        due_on=due,
                        title=f"{org.name}{year}年度{label}",
                        body=(
                            f"{year}年度{label}（演示数据）。"
                            f"全年开展慈善活动{rng.randrange(8, 60)}场，慈善活动支出{rng.randrange(20, 400)}万元。"
                        ),
                        created_by=writer,
                    ),
                    min(day, today),
                    writer,
                )
            )
    # Last year's reports: not yet published (due, or late after the due day).
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
        if due >= today - dt.timedelta(days=5):
            break
        if first and n == 2:
            continue  # one periodic report missing: late
        items.append(
            _published(
                Disclosure(
                    organization=org,
                    kind=DisclosureKind.CAMPAIGN_QUARTERLY,
                    campaign=campaign,
                    period_number=n,
                    due_on=due,
                    title=f"{campaign.name}第{n}期募捐情况",
                    body=f"本期募得善款{rng.randrange(2, 50)}万元，资助学生{rng.randrange(5, 80)}名（演示数据）。",
                    created_by=writer,
                ),
                due - dt.timedelta(days=3),
                writer,
            )
        )
    Disclosure.objects.bulk_create(items)
    if first and items:
        original = items[0]
        correction = _published(
            Disclosure(
                organization=org,
                kind=original.kind,
                year=original.year,
                corrects=original,
                title=f"更正：{original.title}",
                body="原公开内容中慈善活动场次有误，更正如下（演示数据）。",
                created_by=writer,
            ),
            min(original.published_on + dt.timedelta(days=10), today),
            writer,
        )
        correction.save()
