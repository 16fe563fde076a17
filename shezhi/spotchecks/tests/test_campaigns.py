"""Campaigns: the minimum ratio, pools and conflicts, the draw, publication and redraw."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from shezhi.accounts.models import Role, User
from shezhi.audit.models import AuditAction, AuditEntry
from shezhi.notifications.models import Notification
from shezhi.registry.models import OrganizationStatus
from shezhi.spotchecks import services
from shezhi.spotchecks.draw import draw, pool_hash
from shezhi.spotchecks.models import Campaign, CampaignStatus, InspectorConflict, SamplingRule
from shezhi.spotchecks.pools import conflicts_between, organization_pool, pool_preview
from shezhi.testing import make_registered
from shezhi.workflow.engine import TransitionRefused

pytestmark = pytest.mark.django_db


# --- rules and creation ---------------------------------------------------------------------


def test_the_rules_are_seeded(seed_rules):
    assert {k: r.min_ratio_percent for k, r in seed_rules.items()} == {
        "county": Decimal("3.00"),
        "city": Decimal("4.00"),
        "province": Decimal("5.00"),
    }


def test_a_county_level_city_takes_the_county_minimum(areas, users, seed_rules):
    c = services.campaign_create(area=areas.city, year=2026, title="t", by=users.bureau)
    assert c.ratio_percent == Decimal("3.00") == c.min_ratio_percent
    assert AuditEntry.objects.filter(action=AuditAction.RECORD_CREATED, target_id=str(c.pk)).exists()


def test_the_ratio_cannot_go_below_the_minimum(areas, users, seed_rules):
    with pytest.raises(ValidationError) as info:
        services.campaign_create(area=areas.city, year=2026, title="t", ratio_percent="2.99", by=users.bureau)
    assert "cannot be below the minimum of 3.00%" in str(info.value.message_dict["ratio_percent"])
    assert services.campaign_create(area=areas.city, year=2026, title="t", ratio_percent="3", by=users.bureau).ratio_percent == 3
    assert services.campaign_create(area=areas.city, year=2026, title="t", ratio_percent="12.5", by=users.bureau).ratio_percent == Decimal(
        "12.5"
    )


def test_the_minimum_is_data(areas, users, seed_rules):
    SamplingRule.objects.filter(level="county").update(min_ratio_percent=Decimal("6"))
    c = services.campaign_create(area=areas.city, year=2026, title="t", by=users.bureau)
    assert c.ratio_percent == 6
    with pytest.raises(ValidationError):
        services.campaign_create(area=areas.city, year=2026, title="t", ratio_percent="5", by=users.bureau)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"ratio_percent": "abc"}, "ratio_percent"),
        ({"ratio_percent": "3.001"}, "ratio_percent"),
        ({"ratio_percent": "101"}, "ratio_percent"),
        ({"title": "  "}, "title"),
        ({"seed": "x" * 65}, "seed"),
        ({"seed": "a\x00b"}, "seed"),
        ({"year": 1999}, "year"),
    ],
)
def test_bad_input_is_refused_with_a_message(areas, users, seed_rules, data, field):
    args = {"area": areas.city, "year": 2026, "title": "t", "by": users.bureau, **data}
    with pytest.raises(ValidationError) as info:
        services.campaign_create(**args)
    assert field in info.value.message_dict


def test_no_rule_no_campaign(areas, users, seed_rules):
    SamplingRule.objects.all().delete()
    with pytest.raises(ValidationError, match="No spot-check sampling rule"):
        services.campaign_create(area=areas.city, year=2026, title="t", by=users.bureau)


# --- pools and conflicts ---------------------------------------------------------------------


def test_the_pool_holds_registered_organizations_in_normal_status(areas, orgs, seed_rules):
    suspended = make_registered(town=areas.town_a)
    suspended.status = OrganizationStatus.ABNORMAL
    suspended.save(update_fields=["status"])
    registered_only = set(organization_pool(areas.city).values_list("pk", flat=True))
    assert registered_only == {orgs.reg_a.pk, orgs.reg_b.pk}
    with_filed = set(organization_pool(areas.city, include_filed=True).values_list("pk", flat=True))
    assert with_filed == {orgs.reg_a.pk, orgs.reg_b.pk, orgs.filed_a.pk, orgs.filed_b.pk}
    assert set(organization_pool(areas.province).values_list("pk", flat=True)) == {orgs.reg_a.pk, orgs.reg_b.pk, orgs.reg_other.pk}


def test_automatic_conflicts_are_explained(areas, orgs, users, seed_rules):
    orgs.reg_b.supervising_unit = "平湖市 体育局"
    orgs.reg_b.save(update_fields=["supervising_unit"])
    staff = User.objects.create_user(username="insp", role=Role.TOWN, area=areas.town_a, organization=orgs.filed_a, display_name="王五")
    by_account = services.inspector_save(area=areas.city, data={"user": staff}, by=users.bureau)
    by_name = services.inspector_save(area=areas.city, data={"name": "赵六", "unit": "平湖市当湖养老服务中心"}, by=users.bureau)
    by_supervisor = services.inspector_save(area=areas.city, data={"name": "孙七", "unit": "平湖市体育局"}, by=users.bureau)
    unrelated = services.inspector_save(area=areas.city, data={"name": "周八", "unit": "某大学"}, by=users.bureau)
    found = conflicts_between(
        [by_account, by_name, by_supervisor, unrelated], organization_pool(areas.city, include_filed=True).select_related()
    )
    assert found == {
        (orgs.filed_a.pk, by_account.pk): "The inspector's account belongs to the organization.",
        (orgs.reg_a.pk, by_name.pk): "The inspector works for the organization.",
        (orgs.reg_b.pk, by_supervisor.pk): "The inspector works for the organization's supervising unit.",
    }
    assert by_account.name == "王五"


def test_a_declared_conflict_wins_and_is_audited(areas, orgs, users, inspectors):
    row = services.conflict_declare(
        inspector=inspectors[0], organization=orgs.reg_a, reason="配偶任该组织理事", declared_by="inspector", by=users.bureau
    )
    assert conflicts_between(inspectors, organization_pool(areas.city)) == {(orgs.reg_a.pk, inspectors[0].pk): "配偶任该组织理事"}
    with pytest.raises(ValidationError, match="already recorded"):
        services.conflict_declare(inspector=inspectors[0], organization=orgs.reg_a, reason="again", declared_by="bureau", by=users.bureau)
    with pytest.raises(ValidationError, match="not in the inspector's area"):
        services.conflict_declare(inspector=inspectors[0], organization=orgs.reg_other, reason="x", declared_by="bureau", by=users.bureau)
    with pytest.raises(ValidationError):
        services.conflict_declare(inspector=inspectors[1], organization=orgs.reg_a, reason=" ", declared_by="bureau", by=users.bureau)
    services.conflict_remove(conflict=row, by=users.bureau)
    assert not InspectorConflict.objects.exists()
    assert AuditEntry.objects.filter(target_id=str(inspectors[0].pk), changes__conflict__1=None).exists()


def test_an_inspector_account_must_be_active_staff(areas, users, seed_rules):
    with pytest.raises(ValidationError, match="staff account"):
        services.inspector_save(area=areas.city, data={"user": users.resident}, by=users.bureau)
    services.inspector_save(area=areas.city, data={"user": users.town_a}, by=users.bureau)
    with pytest.raises(ValidationError, match="already in the inspector pool"):
        services.inspector_save(area=areas.city, data={"user": users.town_a}, by=users.bureau)


# --- the draw --------------------------------------------------------------------------------


def test_the_draw_freezes_the_pool_and_creates_the_checks(users, orgs, many_orgs, inspectors, campaign_at):
    extra = many_orgs(99)  # 101 registered organizations in the pool with reg_a and reg_b
    c = campaign_at("drawn", seed="2026年第一次抽查")
    assert c.status == CampaignStatus.DRAWN
    assert c.pool_size == 101
    assert c.sample_size == 4  # 3% of 101 = 3.03, rounded up
    assert c.pool_organizations == sorted([orgs.reg_a.pk, orgs.reg_b.pk] + [o.pk for o in extra])
    assert c.pool_inspectors == sorted(i.pk for i in inspectors)
    assert c.pool_hash == pool_hash(c.pool_organizations, c.pool_inspectors, [])
    rows = list(c.checks.order_by("position").values_list("organization_id", "inspector_a_id", "inspector_b_id"))
    assert rows == draw(c.pool_organizations, c.pool_inspectors, set(), "2026年第一次抽查", 4)
    entry = AuditEntry.objects.filter(action=AuditAction.SPOTCHECK_DRAWN, target_id=str(c.pk), source="spotchecks:draw").get()
    assert entry.changes["seed"] == [None, "2026年第一次抽查"]


def test_a_seed_is_generated_when_none_is_given(campaign_at):
    c = campaign_at("drawn")
    assert len(c.seed) == 16


def test_the_draw_is_refused_twice(users, campaign_at):
    c = campaign_at("drawn")
    with pytest.raises(TransitionRefused):
        services.campaign_draw(campaign=Campaign.objects.get(pk=c.pk), by=users.bureau)
    assert c.checks.count() == 1


def test_an_empty_pool_is_refused(areas, orgs, users, inspectors, seed_rules):
    for org in (orgs.reg_a, orgs.reg_b):
        org.status = OrganizationStatus.ABNORMAL
        org.save(update_fields=["status"])
    c = services.campaign_create(area=areas.city, year=2026, title="t", by=users.bureau)
    with pytest.raises(ValidationError, match="pool of 平湖市 is empty"):
        services.campaign_draw(campaign=c, by=users.bureau)
    assert Campaign.objects.get(pk=c.pk).status == CampaignStatus.DRAFT


def test_too_few_inspectors_is_refused(users, orgs, inspectors, campaign_at):
    for i in inspectors[1:]:
        services.inspector_save(area=i.area, inspector=i, data={"active": False}, by=users.bureau)
    c = campaign_at("draft")
    with pytest.raises(ValidationError, match="has 1 active inspectors"):
        services.campaign_draw(campaign=c, by=users.bureau)


def test_a_pool_where_some_organization_lacks_two_eligible_inspectors_is_refused_for_every_seed(users, orgs, inspectors, campaign_at):
    for i in inspectors[:3]:
        services.conflict_declare(inspector=i, organization=orgs.reg_b, reason="关联", declared_by="bureau", by=users.bureau)
    c = campaign_at("draft")
    preview, _size = services.campaign_preview(c)
    assert preview.short == [(orgs.reg_b.pk, 1)]
    with pytest.raises(ValidationError) as info:
        services.campaign_draw(campaign=c, by=users.bureau)
    assert "乍浦镇老年协会 (1)" in info.value.messages[0]
    assert Campaign.objects.get(pk=c.pk).status == CampaignStatus.DRAFT
    assert not c.checks.exists()


def test_conflicts_are_excluded_from_the_draw(users, orgs, many_orgs, inspectors, campaign_at):
    many_orgs(40)
    for org in [orgs.reg_a, orgs.reg_b]:
        for i in inspectors[:2]:
            services.conflict_declare(inspector=i, organization=org, reason="关联", declared_by="inspector", by=users.bureau)
    c = campaign_at("drawn", ratio_percent="100")
    assert sorted(map(tuple, c.pool_conflicts)) == sorted((o.pk, i.pk) for o in [orgs.reg_a, orgs.reg_b] for i in inspectors[:2])
    for check in c.checks.filter(organization__in=[orgs.reg_a, orgs.reg_b]):
        assert {check.inspector_a_id, check.inspector_b_id} == {inspectors[2].pk, inspectors[3].pk}


def test_include_filed_widens_the_pool(orgs, campaign_at):
    assert campaign_at("drawn", include_filed=True).pool_size == 4


def test_publishing_tells_the_drawn_organizations(users, orgs, campaign_at, django_capture_on_commit_callbacks):
    c = campaign_at("drawn", ratio_percent="100")
    with django_capture_on_commit_callbacks(execute=True):
        c = services.campaign_publish(campaign=c, by=users.bureau)
    assert c.status == CampaignStatus.PUBLISHED and c.published_at
    assert Notification.objects.filter(recipient=users.org_a, title__contains="drawn for the spot check").exists()
    assert AuditEntry.objects.filter(action=AuditAction.RECORD_PUBLISHED, target_id=str(c.pk)).exists()
    with pytest.raises(TransitionRefused):
        services.campaign_publish(campaign=Campaign.objects.get(pk=c.pk), by=users.bureau)


def test_a_draft_can_be_cancelled_with_a_reason_but_not_a_drawn_campaign(users, campaign_at):
    draft = campaign_at("draft")
    with pytest.raises(ValidationError):
        services.campaign_cancel(campaign=draft, by=users.bureau, note="")
    assert services.campaign_cancel(campaign=draft, by=users.bureau, note="计划调整").status == CampaignStatus.CANCELLED
    drawn = campaign_at("drawn")
    with pytest.raises(TransitionRefused):
        services.campaign_cancel(campaign=drawn, by=users.bureau, note="不满意")


# --- redraw ---------------------------------------------------------------------------------


def test_redraw_with_the_published_seed_gives_the_same_sample_whatever_changed_since(
    areas, users, orgs, many_orgs, inspectors, campaign_at
):
    many_orgs(60)
    c = campaign_at("published", seed="seed-2026", ratio_percent="10")
    # The registry and the pools change after the draw: the frozen input does not.
    many_orgs(10)
    services.inspector_save(area=areas.city, data={"name": "新检查员", "unit": "x"}, by=users.bureau)
    orgs.reg_a.status = OrganizationStatus.ABNORMAL
    orgs.reg_a.save(update_fields=["status"])
    same = services.campaign_redraw(campaign=c, seed="seed-2026")
    assert same.matches and same.hash_ok
    assert len(same.sample) == c.sample_size == 7
    other = services.campaign_redraw(campaign=c, seed="seed-2027")
    assert not other.matches
    assert other.sample != same.sample


def test_a_tampered_pool_does_not_match_its_hash(campaign_at):
    c = campaign_at("published", seed="s")
    Campaign.objects.filter(pk=c.pk).update(pool_organizations=c.pool_organizations[:-1] + [999999])
    c.refresh_from_db()
    result = services.campaign_redraw(campaign=c, seed="s")
    assert not result.hash_ok and not result.matches


def test_pool_preview_counts(areas, orgs, inspectors):
    preview = pool_preview(areas.city, include_filed=False)
    assert preview.org_ids == sorted([orgs.reg_a.pk, orgs.reg_b.pk])
    assert len(preview.inspector_ids) == 4 and preview.short == []
