"""Demo data for spot checks (`seed_demo`): an inspector pool and one published campaign of
the home city, drawn with the real draw function, with a few checks recorded.

Everything is fixed by the seed and by dates in 2025 (the registry demo's window ends on
2025-06-30), so the same seed gives the same campaign whatever day it runs, and a redraw
with the published seed ("demo-<seed>") gives the published sample. The rows are written
directly (not through the services, which date steps today) and marked as demo data.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from shezhi.areas.models import Area, AreaLevel
from shezhi.spotchecks import draw as drawing
from shezhi.spotchecks.models import (
    Aspect,
    Campaign,
    CampaignStatus,
    Check,
    CheckFinding,
    CheckResult,
    CheckStatus,
    Inspector,
    OrderStatus,
    RectificationOrder,
)
from shezhi.spotchecks.pools import pool_preview
from shezhi.spotchecks.services import sampling_rule_for

YEAR = 2025
DRAWN_AT = (dt.date(2025, 3, 3), dt.time(10, 0))
PUBLISHED_AT = (dt.date(2025, 3, 5), dt.time(9, 0))
FIRST_CHECK = dt.date(2025, 3, 17)
LAST_DAY = dt.date(2025, 6, 30)

INSPECTORS = [
    # (name, unit): staff of the bureau and of other departments, and external experts.
    ("陆文华", "平湖市民政局"),
    ("沈建明", "平湖市民政局"),
    ("顾晓燕", "平湖市民政局"),
    ("朱国平", "平湖市财政局"),
    ("钱慧", "平湖市市场监督管理局"),
    ("徐立新", "嘉兴某会计师事务所（示例）"),
    ("周敏", "平湖市社会组织服务中心（示例）"),
    ("吴海峰", "浙江某律师事务所（示例）"),
]
FINDINGS = {
    Aspect.ANNUAL_REPORT: "年度工作报告未按时报送。",
    Aspect.DISCLOSURE: "未在规定平台公开年度工作报告。",
    Aspect.GOVERNANCE: "理事会未按章程规定召开。",
    Aspect.FINANCE: "财务凭证不完整，部分支出缺少审批。",
    Aspect.ACTIVITIES: "开展活动超出登记的业务范围。",
}


def _aware(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=ZoneInfo(settings.TIME_ZONE))


def seed(scale_name: str, seed: int, log: Callable[[str], None]) -> None:
    from shezhi.registry.demo import HOME_CITY_CODE

    city = Area.objects.filter(code=HOME_CITY_CODE, level=AreaLevel.CITY).first()
    if city is None:
        log("no home city; nothing to do")
        return
    if Campaign.objects.filter(area=city, is_demo=True).exists():
        log("a demo campaign exists already; nothing to do")
        return
    rng = random.Random(f"shezhi-demo:spotchecks:{seed}")
    with transaction.atomic():
        Inspector.objects.bulk_create([Inspector(area=city, name=name, unit=unit, is_demo=True) for name, unit in INSPECTORS])
        campaign = _campaign(city, seed, rng)
    log(f"{len(INSPECTORS)} demo inspectors; campaign “{campaign.title}”: {campaign.sample_size} of {campaign.pool_size} drawn")


def _campaign(city: Area, seed: int, rng: random.Random) -> Campaign:
    rule = sampling_rule_for(city)
    preview = pool_preview(city, include_filed=False)
    size = drawing.sample_size(len(preview.org_ids), rule.min_ratio_percent)
    seed_text = f"demo-{seed}"
    pairs = preview.pairs
    sample = drawing.draw(preview.org_ids, preview.inspector_ids, set(pairs), seed_text, size) if size else []
    campaign = Campaign.objects.create(
        area=city,
        year=YEAR,
        title=f"{YEAR}年度社会组织“双随机、一公开”抽查（示例）",
        ratio_percent=rule.min_ratio_percent,
        min_ratio_percent=rule.min_ratio_percent,
        seed=seed_text,
        status=CampaignStatus.PUBLISHED,
        pool_organizations=preview.org_ids,
        pool_inspectors=preview.inspector_ids,
        pool_conflicts=[list(p) for p in pairs],
        pool_hash=drawing.pool_hash(preview.org_ids, preview.inspector_ids, pairs),
        sample_size=size,
        algorithm=drawing.ALGORITHM_VERSION,
        drawn_at=_aware(*DRAWN_AT),
        published_at=_aware(*PUBLISHED_AT),
        is_demo=True,
    )
    checks = Check.objects.bulk_create(
        [
            Check(campaign=campaign, organization_id=org, position=n, inspector_a_id=a, inspector_b_id=b)
            for n, (org, a, b) in enumerate(sample, start=1)
        ]
    )
    _record_some(checks, rng)
    return campaign


def _record_some(checks: list[Check], rng: random.Random) -> None:
    """About two thirds of the checks are recorded: most without problems, some with
    rectification orders (all completed but one, which is overdue), one address unreachable."""
    recorded = checks[: max(1, (len(checks) * 2) // 3)]
    findings: list[CheckFinding] = []
    orders: list[RectificationOrder] = []
    day = FIRST_CHECK
    for n, check in enumerate(recorded):
        day = min(LAST_DAY - dt.timedelta(days=40), day + dt.timedelta(days=rng.randint(1, 5)))
        check.status = CheckStatus.RECORDED
        check.checked_on = day
        check.inspector_a_present = check.inspector_b_present = True
        check.recorded_at = _aware(day, dt.time(17, 0))
        if n == 1:
            check.result = CheckResult.UNREACHABLE
            check.summary = "检查人员按登记住所实地核查，未能找到该组织，电话无人接听。"
            continue
        problems = rng.sample(list(Aspect.values), rng.choice([0, 0, 0, 1, 2])) if n != 0 else [Aspect.FINANCE]
        check.result = CheckResult.RECTIFICATION if problems else CheckResult.NO_PROBLEM
        for aspect in Aspect.values:
            findings.append(
                CheckFinding(
                    spot_check=check, aspect=aspect, problem=aspect in problems, text=FINDINGS[aspect] if aspect in problems else ""
                )
            )
        if problems:
            due = day + dt.timedelta(days=30)
            overdue = not orders  # the first order is left open: it is overdue
            completed = None if overdue else min(due, day + dt.timedelta(days=rng.randint(10, 30)))
            orders.append(
                RectificationOrder(
                    organization_id=check.organization_id,
                    spot_check=check,
                    requirement="\n".join(f"{FINDINGS[a]}请限期整改。" for a in problems),
                    issued_on=day,
                    due_on=due,
                    status=OrderStatus.OPEN if overdue else OrderStatus.COMPLETED,
                    completed_on=completed,
                    completion_note="" if overdue else "已按要求完成整改，相关材料已报送。",
                    verified_on=None if overdue else min(LAST_DAY, completed + dt.timedelta(days=3)),
                    is_demo=True,
                )
            )
    Check.objects.bulk_update(
        recorded, ["status", "checked_on", "inspector_a_present", "inspector_b_present", "recorded_at", "result", "summary"]
    )
    CheckFinding.objects.bulk_create(findings)
    RectificationOrder.objects.bulk_create(orders)
