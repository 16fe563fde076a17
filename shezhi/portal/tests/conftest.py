"""Fixtures for the public portal: a small registry with names chosen to test search."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache

from shezhi.registry.models import HubKind
from shezhi.registry.services import organization_set_status
from shezhi.testing import make_filed, make_registered


@pytest.fixture(autouse=True)
def fresh_cache():
    # The home page caches its counts; each test starts from the database.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def registry(areas, orgs):
    """The shared fixture organizations plus rows chosen for search, filters and sorting."""
    a, b = areas.town_a, areas.town_b
    extra = dict(
        pinghu_elder=make_registered(
            town=a,
            name="平湖市阳光养老服务中心",
            legal_form="social_service_agency",
            business_scope="为老年人提供养老服务",
            rated_on=dt.date(2022, 5, 1),
            rating="4A",
        ),
        pinghu_punct=make_filed(town=a, community=areas.community_a1, name="东湖社区“平·湖”读书会", business_scope="读书交流"),
        fullwidth=make_registered(town=b, name="乍浦镇ＡＢＣ科普协会２号", business_scope="科普宣传 Science 123"),
        boundary=make_filed(town=b, community=areas.community_b1, name="乍浦社区太平", business_scope="湖畔健身"),
        scope_only=make_filed(
            town=a,
            community=areas.community_a2,
            name="虹霓村腰鼓队",
            business_scope="参加平湖市文艺汇演",
            community_category="culture_sports",
        ),
        charity=make_registered(
            town=a,
            name="当湖慈善基金会",
            legal_form="foundation",
            is_charity=True,
            charity_recognized_on=dt.date(2019, 1, 1),
            business_scope="慈善救助",
        ),
        hub=make_filed(
            town=a, community=areas.community_a1, name="东湖社区社会组织联合会", hub_kind=HubKind.HUB, hub_area=areas.community_a1
        ),
        swa=make_registered(
            town=b,
            name="乍浦镇阳光社会工作服务中心",
            legal_form="social_service_agency",
            is_social_work_agency=True,
            served_communities=[areas.community_b1],
        ),
        alpha=make_filed(town=a, community=areas.community_a2, name="阿里山舞蹈队", founded_on=dt.date(2011, 1, 1)),
        zeta=make_filed(town=a, community=areas.community_a2, name="左岸舞蹈队", founded_on=dt.date(2024, 1, 1)),
    )
    organization_set_status(organization=orgs.reg_b, status="abnormal", by=None, reason="未按规定报送年度工作报告", on=dt.date(2024, 6, 1))
    return type("Registry", (), {**extra, "orgs": orgs, "areas": areas})
