"""The demo seeder: a published campaign of the home city that redraws with its seed."""

from __future__ import annotations

import pytest

from shezhi.registry import demo as registry_demo
from shezhi.spotchecks import demo, services
from shezhi.spotchecks.models import Campaign, CampaignStatus, CheckStatus, Inspector, RectificationOrder

pytestmark = pytest.mark.django_db


def test_demo_campaign(seed_rules):
    registry_demo.seed(scale=registry_demo.SCALES["tiny"], seed=3)
    lines: list[str] = []
    demo.seed("tiny", 3, lines.append)
    c = Campaign.objects.get()
    assert c.is_demo and c.status == CampaignStatus.PUBLISHED and c.seed == "demo-3"
    assert c.sample_size >= 1 and c.checks.count() == c.sample_size
    assert c.checks.filter(status=CheckStatus.RECORDED).exists()
    assert services.campaign_redraw(campaign=c, seed="demo-3").matches
    assert Inspector.objects.filter(is_demo=True).count() == len(demo.INSPECTORS)
    assert all(o.is_demo for o in RectificationOrder.objects.all())
    sample = list(c.checks.values_list("organization_id", "inspector_a_id", "inspector_b_id"))
    demo.seed("tiny", 3, lines.append)  # a second run adds nothing
    assert Campaign.objects.count() == 1
    assert list(c.checks.values_list("organization_id", "inspector_a_id", "inspector_b_id")) == sample
    assert "exists already" in lines[-1]
