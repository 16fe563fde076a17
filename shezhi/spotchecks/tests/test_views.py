"""Every page for every role (forbidden is 404, anonymous staff pages go to the log-in),
bad input with a clear message, and fixed query counts on the lists."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from shezhi.spotchecks import services
from shezhi.spotchecks.models import (
    Campaign,
    CampaignStatus,
    Check,
    CheckStatus,
    Inspector,
    InspectorConflict,
    OrderStatus,
    RectificationOrder,
)
from shezhi.testing import make_registered

pytestmark = pytest.mark.django_db

ROLES = ["bureau", "department", "town_a", "town_b", "community_a1", "org_a", "reviewer", "resident", "other_bureau"]


@pytest.fixture
def world(users, orgs, campaign_at):
    """A published campaign that drew both registered organizations, a draft, and an order
    for reg_a (town A)."""
    published = campaign_at("published", ratio_percent="100", seed="world")
    draft = campaign_at("draft", title="draft")
    check_a = published.checks.get(organization=orgs.reg_a)
    check_b = published.checks.get(organization=orgs.reg_b)
    order = services.rectification_issue(
        organization=orgs.reg_a, by=users.bureau, requirement="整改", due_on=timezone.localdate() + dt.timedelta(days=10)
    )
    return type("World", (), dict(published=published, draft=draft, check_a=check_a, check_b=check_b, order=order))


def get_as(client, users, role, url):
    if role:
        client.force_login(getattr(users, role))
    return client.get(url)


# --- public pages -------------------------------------------------------------------------


@pytest.mark.parametrize("role", [None, *ROLES])
def test_public_pages_for_everyone(client, users, world, role):
    for url in (
        reverse("spotchecks:public_list"),
        reverse("spotchecks:campaign", args=[world.published.pk]),
        reverse("spotchecks:campaign_input", args=[world.published.pk]),
        reverse("spotchecks:pools"),
        reverse("spotchecks:redraw"),
    ):
        assert get_as(client, users, role, url).status_code == 200, url


@pytest.mark.parametrize("role", [None, "bureau", "resident"])
def test_unpublished_campaigns_are_not_public(client, users, world, role):
    assert get_as(client, users, role, reverse("spotchecks:campaign", args=[world.draft.pk])).status_code == 404
    assert get_as(client, users, role, reverse("spotchecks:campaign_input", args=[world.draft.pk])).status_code == 404
    assert get_as(client, users, role, reverse("spotchecks:campaign", args=[999999])).status_code == 404


def test_public_campaign_page_shows_seed_hash_and_sample(client, world, orgs):
    page = client.get(reverse("spotchecks:campaign", args=[world.published.pk])).content.decode()
    assert "world" in page and world.published.pool_hash in page
    assert orgs.reg_a.name in page and orgs.reg_b.name in page
    assert "SHA-256" in page  # the algorithm in plain words


def test_input_json_redraws_anywhere(client, world):
    from shezhi.spotchecks.draw import draw, pool_hash

    data = client.get(reverse("spotchecks:campaign_input", args=[world.published.pk])).json()
    assert pool_hash(data["organizations"], data["inspectors"], data["conflicts"]) == data["pool_hash"]
    redrawn = draw(data["organizations"], data["inspectors"], {tuple(p) for p in data["conflicts"]}, data["seed"], data["sample_size"])
    assert [list(r) for r in redrawn] == data["sample"]


def test_pools_page_shows_names_and_units_only(client, areas, users, world, inspectors):
    from shezhi.accounts.models import Role, User

    staff = User.objects.create_user(
        username="zhangwei01", email="zw@example.cn", role=Role.TOWN, area=areas.town_a, display_name="张伟", unit_name="当湖街道办事处"
    )
    services.inspector_save(area=areas.city, data={"user": staff}, by=users.bureau)
    page = client.get(reverse("spotchecks:pools")).content.decode()
    assert "检查员甲" in page and "平湖市财政局" in page and "张伟" in page and "当湖街道办事处" in page
    assert "zw@example.cn" not in page and "zhangwei01" not in page
    assert client.get(reverse("spotchecks:pools") + "?area=999999").status_code == 404


def test_redraw_matches_with_the_published_seed(client, world):
    url = reverse("spotchecks:redraw")
    page = client.get(url, {"campaign": world.published.pk, "seed": "world"}).content.decode()
    assert 'data-matches="yes"' in page
    page = client.get(url, {"campaign": world.published.pk, "seed": "wrong"}).content.decode()
    assert 'data-matches="no"' in page or 'data-matches="yes"' in page  # two organizations: another seed may agree


def test_redraw_fragment_for_htmx(client, world):
    response = client.get(reverse("spotchecks:redraw"), {"campaign": world.published.pk, "seed": "world"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and 'data-matches="yes"' in body


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"campaign": "abc", "seed": "x"}, "Select a valid choice"),
        ({"campaign": "", "seed": "x"}, "This field is required"),
        ({"seed": ""}, "This field is required"),
        ({"campaign": "999999", "seed": "x"}, "Select a valid choice"),
    ],
)
def test_redraw_bad_input(client, world, params, message):
    response = client.get(reverse("spotchecks:redraw"), params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_redraw_of_a_draft_is_refused(client, world):
    response = client.get(reverse("spotchecks:redraw"), {"campaign": world.draft.pk, "seed": "x"})
    assert response.status_code == 400


# --- staff pages --------------------------------------------------------------------------


STAFF_GET = {
    # url name → roles that get 200 (everyone else signed in: 404)
    "staff_campaigns": {"bureau", "town_a", "town_b", "other_bureau"},
    "campaign_new": {"bureau", "other_bureau"},
    "inspectors": {"bureau", "other_bureau"},
    "orders": {"bureau", "town_a", "town_b", "org_a", "other_bureau"},
    "order_new": {"bureau", "other_bureau"},
}


@pytest.mark.parametrize("name", sorted(STAFF_GET))
@pytest.mark.parametrize("role", ROLES)
def test_staff_lists(client, users, world, name, role):
    status = get_as(client, users, role, reverse(f"spotchecks:{name}")).status_code
    assert status == (200 if role in STAFF_GET[name] else 404)


@pytest.mark.parametrize("name", ["staff_campaigns", "campaign_new", "inspectors", "orders", "order_new"])
def test_anonymous_goes_to_the_login(client, world, name):
    response = client.get(reverse(f"spotchecks:{name}"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


OBJECT_PAGES = {
    # (url name, object) → roles that get 200
    ("staff_campaign", "published"): {"bureau", "town_a", "town_b"},
    ("staff_campaign", "draft"): {"bureau"},
    ("check", "check_a"): {"bureau", "town_a"},
    ("check", "check_b"): {"bureau", "town_b"},
    ("order", "order"): {"bureau", "town_a", "org_a"},
}


@pytest.mark.parametrize(("name", "obj"), sorted(OBJECT_PAGES))
@pytest.mark.parametrize("role", ROLES)
def test_object_pages(client, users, world, name, obj, role):
    url = reverse(f"spotchecks:{name}", args=[getattr(world, obj).pk])
    assert get_as(client, users, role, url).status_code == (200 if role in OBJECT_PAGES[(name, obj)] else 404)


def test_inspector_pages_are_the_bureaus(client, users, world, inspectors):
    url = reverse("spotchecks:inspector", args=[inspectors[0].pk])
    for role in ROLES:
        assert get_as(client, users, role, url).status_code == (200 if role == "bureau" else 404), role


POSTS = [
    ("campaign_draw", "draft", {}),
    ("campaign_publish", "published", {}),
    ("campaign_cancel", "draft", {"note": "x"}),
    ("check", "check_a", {}),
    ("order_verify", "order", {}),
    ("order_reject", "order", {"note": "x"}),
    ("order_withdraw", "order", {"note": "x"}),
]


@pytest.mark.parametrize(("name", "obj", "data"), POSTS)
@pytest.mark.parametrize("role", ["department", "town_a", "community_a1", "org_a", "reviewer", "resident", "other_bureau"])
def test_only_the_bureau_acts(client, users, world, name, obj, data, role):
    client.force_login(getattr(users, role))
    response = client.post(reverse(f"spotchecks:{name}", args=[getattr(world, obj).pk]), data)
    assert response.status_code == 404
    assert Campaign.objects.get(pk=world.draft.pk).status == CampaignStatus.DRAFT
    assert Check.objects.get(pk=world.check_a.pk).status == CheckStatus.PENDING
    assert RectificationOrder.objects.get(pk=world.order.pk).status == OrderStatus.OPEN


@pytest.mark.parametrize("role", ["bureau", "department", "town_a", "resident", "other_bureau"])
def test_only_the_organization_reports(client, users, world, role):
    client.force_login(getattr(users, role))
    response = client.post(reverse("spotchecks:order_report", args=[world.order.pk]), {"note": "x"})
    assert response.status_code == 404


@pytest.mark.parametrize("role", ["department", "town_a", "org_a", "resident", "other_bureau"])
def test_only_the_bureau_manages_inspectors(client, users, world, inspectors, role, orgs):
    client.force_login(getattr(users, role))
    if role != "other_bureau":  # another city's bureau has its own pool
        assert client.post(reverse("spotchecks:inspectors"), {"name": "x"}).status_code == 404
    assert client.get(reverse("spotchecks:inspector", args=[inspectors[0].pk])).status_code == 404
    add = client.post(reverse("spotchecks:conflict_add", args=[inspectors[0].pk]), {"organization": orgs.reg_a.credit_code, "reason": "x"})
    assert add.status_code == 404
    assert not InspectorConflict.objects.exists()


def test_get_on_post_only_views_is_refused(client, users, world):
    client.force_login(users.bureau)
    assert client.get(reverse("spotchecks:campaign_draw", args=[world.draft.pk])).status_code == 405


# --- the bureau's flows through the pages ------------------------------------------------------


def test_bureau_plans_draws_and_publishes(client, users, orgs, inspectors):
    client.force_login(users.bureau)
    response = client.post(reverse("spotchecks:campaign_new"), {"title": "2026年抽查", "year": "2026", "ratio_percent": "", "seed": "abc"})
    c = Campaign.objects.get(title="2026年抽查")
    assert response.status_code == 302 and c.ratio_percent == 3
    page = client.get(reverse("spotchecks:staff_campaign", args=[c.pk])).content.decode()
    assert 'data-testid="preview-pool">2<' in page
    client.post(reverse("spotchecks:campaign_draw", args=[c.pk]))
    client.post(reverse("spotchecks:campaign_publish", args=[c.pk]))
    c.refresh_from_db()
    assert c.status == CampaignStatus.PUBLISHED and c.checks.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "t", "year": "2026", "ratio_percent": "2"}, "cannot be below the minimum of 3.00%"),
        ({"title": "t", "year": "abc"}, "Enter a whole number"),
        ({"title": "", "year": "2026"}, "This field is required"),
        ({"title": "t", "year": "2026", "ratio_percent": "1000"}, "less than or equal to 100"),
    ],
)
def test_campaign_form_bad_input(client, users, seed_rules, data, message):
    client.force_login(users.bureau)
    response = client.post(reverse("spotchecks:campaign_new"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Campaign.objects.exists()


def test_a_draw_refused_says_why(client, users, seed_rules, orgs):
    client.force_login(users.bureau)
    c = services.campaign_create(area=users.bureau.area, year=2026, title="t", by=users.bureau)
    response = client.post(reverse("spotchecks:campaign_draw", args=[c.pk]), follow=True)
    assert "a check needs two" in response.content.decode()


def test_bureau_records_findings_with_an_order(client, users, world):
    client.force_login(users.bureau)
    url = reverse("spotchecks:check", args=[world.check_a.pk])
    assert 'id="record-form"' in client.get(url).content.decode()
    data = {
        "checked_on": timezone.localdate().isoformat(),
        "inspector_a_present": "on",
        "inspector_b_present": "on",
        "result": "rectification",
        "annual_report_problem": "0",
        "disclosure_problem": "0",
        "governance_problem": "1",
        "governance_text": "理事会未换届",
        "finance_problem": "0",
        "activities_problem": "0",
        "requirement": "按章程完成换届",
        "due_on": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        "issue_document": "on",
    }
    missing = client.post(url, {**data, "inspector_b_present": ""})
    assert missing.status_code == 400 and "Both inspectors must be present" in missing.content.decode()
    no_order = client.post(url, {**data, "requirement": ""})
    assert no_order.status_code == 400 and "Say what is to be rectified." in no_order.content.decode()
    response = client.post(url, data)
    assert response.status_code == 302
    order = RectificationOrder.objects.get(spot_check=world.check_a)
    assert order.document_id is not None
    pdf = client.get(reverse("spotchecks:order_document", args=[order.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    again = client.post(url, data)
    assert again.status_code == 302 and RectificationOrder.objects.filter(spot_check=world.check_a).count() == 1


def test_town_reads_but_cannot_record(client, users, world):
    client.force_login(users.town_a)
    page = client.get(reverse("spotchecks:check", args=[world.check_a.pk])).content.decode()
    assert 'id="record-form"' not in page
    assert client.post(reverse("spotchecks:check", args=[world.check_a.pk]), {}).status_code == 404
    campaign_page = client.get(reverse("spotchecks:staff_campaign", args=[world.published.pk])).content.decode()
    assert world.check_a.organization.name in campaign_page and world.check_b.organization.name not in campaign_page


def test_organization_reports_and_bureau_verifies(client, users, world, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client.force_login(users.org_a)
    url = reverse("spotchecks:order", args=[world.order.pk])
    assert 'id="report-form"' in client.get(url).content.decode()
    bad = client.post(reverse("spotchecks:order_report", args=[world.order.pk]), {"note": ""})
    assert bad.status_code == 400
    upload = SimpleUploadedFile("r.png", b"\x89PNG\r\n\x1a\n....", content_type="image/png")
    response = client.post(reverse("spotchecks:order_report", args=[world.order.pk]), {"note": "已整改", "file": upload})
    assert response.status_code == 302
    assert client.get(reverse("spotchecks:order_attachment", args=[world.order.pk])).status_code == 200
    client.force_login(users.town_b)
    assert client.get(reverse("spotchecks:order_attachment", args=[world.order.pk])).status_code == 404
    client.force_login(users.bureau)
    assert client.post(reverse("spotchecks:order_verify", args=[world.order.pk]), {"completed_on": "2999-01-01"}).status_code == 400
    assert client.post(reverse("spotchecks:order_verify", args=[world.order.pk]), {}).status_code == 302
    assert RectificationOrder.objects.get(pk=world.order.pk).status == OrderStatus.COMPLETED


def test_bureau_issues_an_order_by_code(client, users, orgs, seed_rules):
    client.force_login(users.bureau)
    due = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    unknown = client.post(reverse("spotchecks:order_new"), {"organization": "X" * 18, "requirement": "r", "due_on": due})
    assert unknown.status_code == 400 and "No organization in your area" in unknown.content.decode()
    other = client.post(reverse("spotchecks:order_new"), {"organization": orgs.reg_other.credit_code, "requirement": "r", "due_on": due})
    assert other.status_code == 400
    past = client.post(
        reverse("spotchecks:order_new"), {"organization": orgs.filed_a.filing_number, "requirement": "r", "due_on": "2000-01-01"}
    )
    assert past.status_code == 400 and "cannot be before the order is issued" in past.content.decode()
    ok = client.post(reverse("spotchecks:order_new"), {"organization": orgs.filed_a.filing_number, "requirement": "r", "due_on": due})
    assert ok.status_code == 302
    assert RectificationOrder.objects.get().organization_id == orgs.filed_a.pk


def test_bureau_manages_the_inspector_pool(client, users, orgs, seed_rules):
    client.force_login(users.bureau)
    assert client.post(reverse("spotchecks:inspectors"), {"name": "", "unit": "x"}).status_code == 400
    assert client.post(reverse("spotchecks:inspectors"), {"name": "李专家", "unit": "某大学", "active": "on"}).status_code == 302
    inspector = Inspector.objects.get(name="李专家")
    url = reverse("spotchecks:conflict_add", args=[inspector.pk])
    bad = client.post(url, {"organization": orgs.reg_other.credit_code, "reason": "x", "declared_by": "inspector"})
    assert bad.status_code == 400
    ok = client.post(url, {"organization": orgs.reg_a.credit_code, "reason": "曾任理事", "declared_by": "inspector"})
    assert ok.status_code == 302
    conflict = InspectorConflict.objects.get()
    page = client.get(reverse("spotchecks:inspector", args=[inspector.pk])).content.decode()
    assert "曾任理事" in page
    client.post(reverse("spotchecks:conflict_delete", args=[inspector.pk, conflict.pk]))
    assert not InspectorConflict.objects.exists()
    client.post(reverse("spotchecks:inspector", args=[inspector.pk]), {"name": "李专家", "unit": "某大学"})
    assert not Inspector.objects.get(pk=inspector.pk).active


# --- query counts ---------------------------------------------------------------------------


def _more(users, orgs, areas, campaign_at, n: int):
    for _ in range(n):
        make_registered(town=areas.town_a)
    c = campaign_at("published", ratio_percent="100", title="big")
    for org in [orgs.reg_a, orgs.reg_b]:
        services.rectification_issue(organization=org, by=users.bureau, requirement="r", due_on=timezone.localdate(), issue_document=False)
    return c


@pytest.mark.parametrize("n", [2, 12])
def test_list_pages_have_fixed_query_counts(client, users, orgs, areas, campaign_at, django_assert_max_num_queries, n):
    c = _more(users, orgs, areas, campaign_at, n)
    for i in range(n):
        campaign_at("draft", title=f"d{i}")
    client.force_login(users.bureau)
    pages = [
        (reverse("spotchecks:staff_campaigns"), 12),
        (reverse("spotchecks:staff_campaign", args=[c.pk]), 14),
        (reverse("spotchecks:orders"), 12),
        (reverse("spotchecks:inspectors"), 12),
    ]
    for url, limit in pages:
        with django_assert_max_num_queries(limit):
            assert client.get(url).status_code == 200
    client.logout()
    public = [
        (reverse("spotchecks:public_list"), 6),
        (reverse("spotchecks:campaign", args=[c.pk]), 8),
        (reverse("spotchecks:pools"), 8),
        (reverse("spotchecks:redraw") + f"?campaign={c.pk}&seed=x", 8),
    ]
    for url, limit in public:
        with django_assert_max_num_queries(limit):
            assert client.get(url).status_code == 200


# --- API ------------------------------------------------------------------------------------


def test_api_lists_published_campaigns_only(client, world):
    data = client.get("/api/v1/spotchecks/campaigns/").json()
    assert [c["id"] for c in data["results"]] == [world.published.pk]
    assert data["results"][0]["seed"] == "world" and data["results"][0]["pool_hash"] == world.published.pool_hash


def test_api_detail_redraws(client, world, django_assert_max_num_queries):
    from shezhi.spotchecks.draw import draw

    with django_assert_max_num_queries(8):
        data = client.get(f"/api/v1/spotchecks/campaigns/{world.published.pk}/").json()
    sample = draw(data["organizations"], data["inspectors"], {tuple(p) for p in data["conflicts"]}, data["seed"], data["sample_size"])
    assert [[c["organization_id"], c["inspector_a_id"], c["inspector_b_id"]] for c in data["checks"]] == [list(r) for r in sample]
    assert client.get(f"/api/v1/spotchecks/campaigns/{world.draft.pk}/").status_code == 404


def test_redraw_link_preselects_the_campaign_and_an_empty_seed_is_an_error(client, world):
    link = client.get(reverse("spotchecks:redraw"), {"campaign": world.published.pk})
    assert link.status_code == 200 and f'<option value="{world.published.pk}" selected>' in link.content.decode()
    empty = client.get(reverse("spotchecks:redraw"), {"campaign": world.published.pk, "seed": ""})
    assert empty.status_code == 400 and "This field is required" in empty.content.decode()
