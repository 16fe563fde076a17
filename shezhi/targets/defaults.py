"""Pinghu's overall targets (平湖市社会组织参与社会治理实施方案, 总体目标): the defaults every
city starts from. Percent values are percentages (33.33 = one third)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from shezhi.targets.models import Indicator, Scope

MID = dt.date(2018, 12, 31)
END = dt.date(2020, 12, 31)
SOURCE = "平湖市社会组织参与社会治理实施方案（总体目标）"

# code, name, indicator, scope, {due date: value}
DEFAULT_TARGETS: list[tuple[str, str, str, str, dict[dt.date, Decimal]]] = [
    ("T1", "登记和备案的社区社会组织", Indicator.COMMUNITY_ORGS, Scope.CITY, {MID: Decimal(1800), END: Decimal(1980)}),
    ("T2", "平均每个城市社区社区社会组织数", Indicator.PER_URBAN_COMMUNITY, Scope.COMMUNITY, {MID: Decimal(20), END: Decimal(22)}),
    ("T3", "平均每个农村社区社区社会组织数", Indicator.PER_RURAL_COMMUNITY, Scope.COMMUNITY, {MID: Decimal(12), END: Decimal(15)}),
    ("T4", "建有枢纽型、支持型社会组织的镇街道和城乡社区", Indicator.HUB_COVERAGE, Scope.COMMUNITY, {MID: Decimal(100), END: Decimal(100)}),
    ("T5", "社会工作服务机构覆盖的城市社区", Indicator.SOCIAL_WORK_URBAN, Scope.COMMUNITY, {END: Decimal(100)}),
    ("T6", "社会工作服务机构覆盖的农村社区", Indicator.SOCIAL_WORK_RURAL, Scope.TOWN, {END: Decimal("33.33")}),
    ("T7", "标准化的社会组织党群服务中心", Indicator.PARTY_MASS_CENTRES, Scope.CITY, {END: Decimal(2)}),
    ("T8", "慈善基地", Indicator.CHARITY_BASES, Scope.CITY, {END: Decimal(3)}),
    ("T9", "注册的志愿服务组织占居民人口比例", Indicator.VOLUNTEER_ORGANIZATIONS, Scope.TOWN, {END: Decimal("0.3")}),
    ("T10", "注册志愿者占居民人口比例", Indicator.VOLUNTEERS, Scope.TOWN, {END: Decimal(20)}),
    ("T11", "完成“五分离五规范”的行业协会商会", Indicator.TRADE_DECOUPLING, Scope.CITY, {END: Decimal(100)}),
]


def install_defaults(Target, Milestone) -> int:
    """Create the default targets that are missing (by code); returns how many were added.
    Takes the model classes so a data migration can pass its historical models."""
    added = 0
    for position, (code, name, indicator, scope, milestones) in enumerate(DEFAULT_TARGETS, start=1):
        if Target.objects.filter(city__isnull=True, code=code).exists():
            continue
        target = Target.objects.create(code=code, name=name, indicator=indicator, scope=scope, position=position, source=SOURCE)
        Milestone.objects.bulk_create([Milestone(target=target, due_on=d, value=v) for d, v in milestones.items()])
        added += 1
    return added
