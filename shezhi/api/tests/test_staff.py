"""Staff endpoints: authentication, area and role scope, changes through the registry's services."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from shezhi.audit.models import AuditAction, AuditEntry
from shezhi.registry.models import Organization, ServiceDomain, TargetGroup
from shezhi.testing import make_filed

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/staff/organizations/"
FILE_URL = "/api/v1/staff/organizations/file/"
PHONE = "13800138000"


def detail_url(org) -> str:
    return f"{LIST_URL}{org.pk}/"


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def _audits(action, org) -> int:
    return AuditEntry.objects.filter(action=action, target_type="registry.organization", target_id=str(org.pk)).count()


# --- authentication ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [("get", LIST_URL), ("get", "detail"), ("patch", "detail"), ("post", FILE_URL)],
)
def test_anonymous_gets_401_on_staff_endpoints(api, orgs, method, url):
    url = detail_url(orgs.reg_a) if url == "detail" else url
    response = getattr(api, method)(url, {"reason": "x", "name": "y"}, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert set(response.json()) == {"detail", "errors"}
    assert PHONE not in response.content.decode()


def test_token_authentication(token_client, users, orgs):
    client = token_client(users.town_a)
    assert _ids(client.get(LIST_URL)) == {orgs.reg_a.pk, orgs.filed_a.pk}
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert bad.get(LIST_URL).status_code == 401


def test_token_authenticated_patch_needs_no_csrf_token(token_client, users, orgs):
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(**token_client(users.town_a)._credentials)
    response = client.patch(detail_url(orgs.filed_a), {"address": "东湖路2号", "reason": "住所变更"}, format="json")
    assert response.status_code == 200, response.content


def test_session_patch_without_csrf_token_is_refused(users, orgs):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(users.town_a)
    response = client.patch(detail_url(orgs.filed_a), {"address": "东湖路2号", "reason": "住所变更"}, format="json")
    assert response.status_code == 403
    assert Organization.objects.get(pk=orgs.filed_a.pk).address == ""


# --- scope ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "visible"),
    [
        ("bureau", {"reg_a", "filed_a", "reg_b", "filed_b"}),
        ("department", {"reg_a", "filed_a", "reg_b", "filed_b"}),
        ("town_a", {"reg_a", "filed_a"}),
        ("town_b", {"reg_b", "filed_b"}),
        ("community_a1", {"reg_a", "filed_a"}),
        ("org_a", {"reg_a"}),
        ("other_bureau", {"reg_other"}),
        ("reviewer", set()),
        ("resident", set()),
    ],
)
def test_each_role_sees_exactly_its_scope(api_as, users, orgs, user, visible):
    client = api_as(getattr(users, user))
    assert _ids(client.get(LIST_URL, {"page_size": 100})) == {getattr(orgs, name).pk for name in visible}
    everyone = ["reg_a", "filed_a", "reg_b", "filed_b", "reg_other"]
    for name in everyone:
        response = client.get(detail_url(getattr(orgs, name)))
        assert response.status_code == (200 if name in visible else 404), (user, name)
        if name not in visible:
            # the 404 says nothing about the record
            assert getattr(orgs, name).name not in response.content.decode()


def test_filters_apply_inside_the_scope(api_as, users, areas, orgs):
    client = api_as(users.town_a)
    assert _ids(client.get(LIST_URL, {"town": areas.town_b.pk})) == set()
    assert _ids(client.get(LIST_URL, {"registration": "filed"})) == {orgs.filed_a.pk}
    assert _ids(client.get(LIST_URL, {"q": "乍浦"})) == set()


def test_staff_list_masks_phones(api_as, users, orgs):
    response = api_as(users.bureau).get(LIST_URL)
    assert PHONE not in response.content.decode()
    row = next(r for r in response.json()["results"] if r["id"] == orgs.reg_a.pk)
    assert row["phone"] == "138****8000" and row["phone_revealed"] is False
    assert row["party_organization"] == "none"
    assert row["url"].endswith(detail_url(orgs.reg_a))


def test_staff_detail_has_non_public_fields(api_as, users, orgs):
    body = api_as(users.town_a).get(detail_url(orgs.reg_a)).json()
    assert body["phone"] == "138****8000"
    assert {"party_organization", "decoupling_done", "decoupled_functions_on", "created_at", "legal_representative"} <= body.keys()
    assert "created_by" not in body


def test_staff_list_query_count(api_as, users, areas, django_assert_max_num_queries):
    domains = list(ServiceDomain.objects.all()[:2])
    groups = list(TargetGroup.objects.all()[:2])
    for n in range(25):
        make_filed(
            town=areas.town_a, community=areas.community_a1, name=f"员工列表组织{n:02d}", phone=f"1390000{n:04d}", service_domains=domains
        )
        Organization.objects.get(name=f"员工列表组织{n:02d}").target_groups.set(groups)
    client = api_as(users.town_a)
    # session, user, the user's area (scope), count, page, service domains, target groups
    with django_assert_max_num_queries(7):
        response = client.get(LIST_URL, {"page_size": 25})
    assert len(response.json()["results"]) == 25


# --- reveal -----------------------------------------------------------------------------


@pytest.mark.parametrize(("user", "org"), [("bureau", "reg_a"), ("bureau", "filed_b"), ("town_a", "filed_a")])
def test_reveal_shows_phone_and_is_audited(api_as, users, orgs, user, org):
    org = getattr(orgs, org)
    org.phone = "0573-85012345"
    org.save(update_fields=["phone"])
    client = api_as(getattr(users, user))
    masked = client.get(detail_url(org)).json()
    assert masked["phone"] == "0573*******45" and masked["phone_revealed"] is False
    assert _audits(AuditAction.PERSONAL_DATA_VIEWED, org) == 0

    body = client.get(detail_url(org), {"reveal": "phone"}).json()
    assert body["phone"] == "0573-85012345" and body["phone_revealed"] is True
    entry = AuditEntry.objects.get(action=AuditAction.PERSONAL_DATA_VIEWED, target_id=str(org.pk))
    assert entry.actor == getattr(users, user)
    assert entry.source == "api"
    assert entry.ip == "127.0.0.1"
    client.get(detail_url(org), {"reveal": "phone"})
    assert _audits(AuditAction.PERSONAL_DATA_VIEWED, org) == 2


@pytest.mark.parametrize(
    ("user", "org", "status"),
    [
        ("town_a", "reg_a", 403),  # sees the registered record of its town, but it is the bureau's
        ("community_a1", "filed_a", 403),
        ("org_a", "reg_a", 403),
        ("department", "reg_a", 403),
        ("town_a", "filed_b", 404),
        ("other_bureau", "reg_a", 404),
        ("reviewer", "reg_a", 404),
    ],
)
def test_reveal_refused_outside_the_keepers(api_as, users, orgs, user, org, status):
    org = getattr(orgs, org)
    response = api_as(getattr(users, user)).get(detail_url(org), {"reveal": "phone"})
    assert response.status_code == status
    assert PHONE not in response.content.decode()
    assert _audits(AuditAction.PERSONAL_DATA_VIEWED, org) == 0


# --- PATCH ------------------------------------------------------------------------------


def test_patch_changes_through_the_service_and_writes_audit(api_as, users, orgs):
    client = api_as(users.town_a)
    before = _audits(AuditAction.ORG_CHANGED, orgs.filed_a)
    response = client.patch(
        detail_url(orgs.filed_a),
        {"address": "东湖路8号", "service_domains": ["elderly_care"], "phone": "13912345678", "reason": "负责人报告住所变更"},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["address"] == "东湖路8号"
    assert body["service_domains"] == [{"code": "elderly_care", "name": "养老服务"}]
    assert body["phone"] == "139****5678"
    org = Organization.objects.get(pk=orgs.filed_a.pk)
    assert org.address == "东湖路8号" and org.phone == "13912345678"
    assert _audits(AuditAction.ORG_CHANGED, org) == before + 1
    entry = AuditEntry.objects.filter(action=AuditAction.ORG_CHANGED, target_id=str(org.pk)).first()
    assert entry.reason == "负责人报告住所变更" and entry.actor == users.town_a and entry.source == "api"
    assert entry.changes["address"] == ["", "东湖路8号"]
    assert "13912345678" not in str(entry.changes)  # personal data never in the log in clear


@pytest.mark.parametrize("body", [{"address": "新地址"}, {"address": "新地址", "reason": ""}, {"address": "新地址", "reason": "   "}])
def test_patch_without_reason_is_400(api_as, users, orgs, body):
    response = api_as(users.town_a).patch(detail_url(orgs.filed_a), body, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]
    assert Organization.objects.get(pk=orgs.filed_a.pk).address == ""


def test_patch_reports_service_rule_errors_by_field(api_as, users, areas, orgs):
    client = api_as(users.town_a)
    response = client.patch(
        detail_url(orgs.filed_a), {"community": areas.community_a2.pk, "hub_kind": "hub", "reason": "改"}, format="json"
    )
    assert response.status_code == 400
    assert "hub_area" in response.json()["errors"]
    # a filed organization has no credit code: the service's rule, not the serializer's
    response = client.patch(detail_url(orgs.filed_a), {"credit_code": orgs.reg_a.credit_code, "reason": "改"}, format="json")
    assert response.status_code == 400
    assert "credit_code" in response.json()["errors"]


def test_patch_refuses_fields_it_does_not_set(api_as, users, orgs):
    response = api_as(users.bureau).patch(
        detail_url(orgs.reg_a), {"status": "revoked", "filing_number": "X", "reason": "试图绕过"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"status", "filing_number"}
    assert Organization.objects.get(pk=orgs.reg_a.pk).status == "normal"


def test_patch_refuses_areas_outside_the_users_scope(api_as, users, areas, orgs):
    response = api_as(users.town_a).patch(detail_url(orgs.filed_a), {"community": areas.community_b1.pk, "reason": "改"}, format="json")
    assert response.status_code == 400
    assert "community" in response.json()["errors"]


def test_patch_duplicate_name_points_at_existing(api_as, users, orgs):
    other = make_filed(town=orgs.filed_a.town, community=orgs.filed_a.community, name="东湖社区书画社")
    response = api_as(users.town_a).patch(detail_url(other), {"name": "东湖社区邻里互助会", "reason": "改名"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert "name" in body["errors"]
    assert body["existing"]["id"] == orgs.filed_a.pk
    assert body["existing"]["url"] == f"http://testserver{detail_url(orgs.filed_a)}"


def test_patch_duplicate_credit_code(api_as, users, orgs):
    data = {"credit_code": orgs.reg_a.credit_code.lower(), "legal_form": orgs.reg_a.legal_form, "reason": "更正"}
    response = api_as(users.bureau).patch(detail_url(orgs.reg_b), data, format="json")
    assert response.status_code == 400
    body = response.json()
    assert "credit_code" in body["errors"] and body["existing"]["id"] == orgs.reg_a.pk


@pytest.mark.parametrize(
    ("user", "org"),
    [
        ("town_a", "filed_b"),  # another town's record
        ("town_a", "reg_a"),  # visible, but registered records are the bureau's
        ("town_b", "filed_a"),
        ("community_a1", "filed_a"),
        ("org_a", "reg_a"),
        ("department", "reg_a"),
        ("reviewer", "filed_a"),
        ("resident", "filed_a"),
        ("other_bureau", "reg_a"),
    ],
)
def test_patch_outside_editable_scope_is_404(api_as, users, orgs, user, org):
    org = getattr(orgs, org)
    response = api_as(getattr(users, user)).patch(detail_url(org), {"address": "越权修改", "reason": "越权"}, format="json")
    assert response.status_code == 404
    assert Organization.objects.get(pk=org.pk).address != "越权修改"
    assert _audits(AuditAction.ORG_CHANGED, org) == 0


def test_put_is_not_offered(api_as, users, orgs):
    response = api_as(users.bureau).put(detail_url(orgs.reg_a), {"reason": "x"}, format="json")
    assert response.status_code == 405


# --- filing -----------------------------------------------------------------------------


def _filing(areas, **extra):
    return {
        "name": "东湖社区夕阳红合唱团",
        "community": areas.community_a1.pk,
        "community_category": "culture_sports",
        "legal_representative": "王五",
        "phone": "13700001111",
        "target_groups": ["elderly"],
        **extra,
    }


def test_town_officer_files_in_own_town(api_as, users, areas):
    response = api_as(users.town_a).post(FILE_URL, _filing(areas), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    org = Organization.objects.get(pk=body["id"])
    assert org.town == areas.town_a and org.registration == "filed" and org.created_by == users.town_a
    assert body["filing_number"].startswith("330482001-")
    assert body["phone"] == "137****1111"
    assert response["Location"] == f"http://testserver{detail_url(org)}"
    entry = AuditEntry.objects.get(action=AuditAction.ORG_FILED, target_id=str(org.pk))
    assert entry.actor == users.town_a and entry.source == "api"


def test_town_officer_cannot_file_in_another_town(api_as, users, areas):
    response = api_as(users.town_a).post(FILE_URL, _filing(areas, town=areas.town_b.pk, community=areas.community_b1.pk), format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"town", "community"}
    assert not Organization.objects.filter(name="东湖社区夕阳红合唱团").exists()


def test_bureau_must_name_a_town_of_its_city(api_as, users, areas):
    client = api_as(users.bureau)
    missing = client.post(FILE_URL, _filing(areas), format="json")
    assert missing.status_code == 400 and "town" in missing.json()["errors"]
    foreign = client.post(FILE_URL, _filing(areas, town=areas.other_town.pk), format="json")
    assert foreign.status_code == 400 and "town" in foreign.json()["errors"]
    ok = client.post(FILE_URL, _filing(areas, town=areas.town_a.pk), format="json")
    assert ok.status_code == 201 and ok.json()["town"]["id"] == areas.town_a.pk


def test_filing_validates_input(api_as, users, areas):
    response = api_as(users.town_a).post(FILE_URL, {"name": ""}, format="json")
    assert response.status_code == 400
    assert {"name", "community", "community_category"} <= set(response.json()["errors"])
    response = api_as(users.town_a).post(FILE_URL, _filing(areas, founded_on="2999-01-01"), format="json")
    assert response.status_code == 400 and "founded_on" in response.json()["errors"]
    response = api_as(users.town_a).post(FILE_URL, "not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["detail"]


def test_filing_duplicate_points_at_existing(api_as, users, areas, orgs):
    response = api_as(users.town_a).post(FILE_URL, _filing(areas, name="东湖社区邻里互助会"), format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["existing"] == {"id": orgs.filed_a.pk, "name": "东湖社区邻里互助会", "url": f"http://testserver{detail_url(orgs.filed_a)}"}


@pytest.mark.parametrize("user", ["community_a1", "org_a", "department", "reviewer", "resident"])
def test_roles_that_do_not_file_get_403(api_as, users, areas, user):
    response = api_as(getattr(users, user)).post(FILE_URL, _filing(areas), format="json")
    assert response.status_code == 403
    assert not Organization.objects.filter(name="东湖社区夕阳红合唱团").exists()
