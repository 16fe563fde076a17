"""The public endpoints: registry search and detail with public fields only, and areas."""

from __future__ import annotations

import datetime as dt

import pytest

from shezhi.registry.models import ServiceDomain, TargetGroup
from shezhi.registry.selectors import OrganizationFilters, apply_filters, organizations_public
from shezhi.registry.services import organization_set_status
from shezhi.testing import make_filed, make_registered

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/organizations/"
PHONE = "13800138000"
PRIVATE_KEYS = {
    "phone",
    "phone_revealed",
    "created_by",
    "party_organization",
    "created_at",
    "updated_at",
    "search_document",
    "sort_key",
    "decoupled_institution_on",
    "decoupled_functions_on",
    "decoupled_finances_on",
    "decoupled_personnel_on",
    "decoupled_party_affairs_on",
    "decoupling_done",
}


@pytest.fixture
def varied(areas, orgs):
    """Organizations that differ in every filtered facet, beside the shared `orgs`."""
    elderly = ServiceDomain.objects.get(code="elderly_care")
    rated = make_registered(
        town=areas.town_a,
        name="平湖市慈善总会",
        legal_form="foundation",
        rating="4A",
        rated_on=dt.date(2022, 5, 1),
        is_charity=True,
        business_scope="慈善募捐 养老助困",
        service_domains=[elderly],
    )
    hub = make_filed(town=areas.town_b, community=areas.community_b1, name="乍浦镇社会组织服务中心", hub_kind="hub", hub_area=areas.town_b)
    agency = make_registered(
        town=areas.town_b,
        name="平湖市乍浦社工服务社",
        legal_form="social_service_agency",
        is_social_work_agency=True,
        served_communities=[areas.community_b1],
    )
    mutual = make_filed(town=areas.town_a, community=areas.community_a2, name="虹霓村互助会", community_category="mutual_aid")
    organization_set_status(organization=orgs.reg_b, status="abnormal", by=None, reason="未按时年报")
    return type("Varied", (), dict(rated=rated, hub=hub, agency=agency, mutual=mutual))


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_list_shows_public_fields_only(api, orgs):
    response = api.get(LIST_URL)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 5
    assert PHONE not in response.content.decode()
    row = next(r for r in body["results"] if r["id"] == orgs.reg_a.pk)
    assert not PRIVATE_KEYS & row.keys()
    assert row["name"] == "平湖市当湖养老服务中心"
    assert row["credit_code"] == orgs.reg_a.credit_code
    assert row["town"] == {"id": orgs.reg_a.town_id, "code": "330482001", "name": "当湖街道"}
    assert row["url"].endswith(f"/api/v1/organizations/{orgs.reg_a.pk}/")


def test_detail_shows_public_fields_only(api, orgs, areas):
    response = api.get(f"{LIST_URL}{orgs.reg_a.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert PHONE not in response.content.decode()
    assert not PRIVATE_KEYS & body.keys()
    assert body["legal_representative"] == "张三"
    assert body["city"]["code"] == "330482"
    assert body["community"]["id"] == areas.community_a1.pk
    assert body["business_scope"] == "开展社区服务"
    assert body["tax_deductible_years"] == []


def test_detail_of_missing_organization_is_404_in_api_shape(api, orgs):
    response = api.get(f"{LIST_URL}999999/")
    assert response.status_code == 404
    assert set(response.json()) == {"detail", "errors"}


def test_browser_gets_json_too(api, orgs):
    response = api.get(LIST_URL, HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


def test_unknown_api_path_is_json_404(api):
    response = api.get("/api/v1/organisations/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["errors"] == {}


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "平湖"},
        {"q": "湖"},
        {"q": "社区服务"},
        {"q": "养老"},
        {"registration": "filed"},
        {"registration": "registered", "legal_form": "foundation"},
        {"community_category": "mutual_aid"},
        {"rating": "4A"},
        {"status": "abnormal"},
        {"hub": "true"},
        {"social_work_agency": "1"},
        {"charity": "yes"},
        {"sort": "-founded"},
        {"sort": "-name", "registration": "registered"},
        {"q": "平湖", "registration": "registered", "sort": "founded"},
    ],
)
def test_filters_and_sort_match_the_public_search(api, varied, params):
    """The API gives the same rows, in the same order, as the selector behind the portal."""
    flags = {"hub", "social_work_agency", "charity"}
    expected_filters = OrganizationFilters(**{k: (True if k in flags else v) for k, v in params.items()})
    expected = list(apply_filters(organizations_public(), expected_filters).values_list("id", flat=True))
    assert _ids(api.get(LIST_URL, {**params, "page_size": 100})) == expected
    if set(params) - {"sort"}:
        assert 0 < len(expected) < 9, "the filter should narrow the list"


def test_town_and_community_filters(api, areas, orgs, varied):
    town_b = _ids(api.get(LIST_URL, {"town": areas.town_b.pk, "page_size": 100}))
    assert set(town_b) == {orgs.reg_b.pk, orgs.filed_b.pk, varied.hub.pk, varied.agency.pk}
    community = _ids(api.get(LIST_URL, {"community": areas.community_a2.pk}))
    assert community == [varied.mutual.pk]


def test_search_finds_one_and_two_character_queries(api, orgs, varied):
    assert set(_ids(api.get(LIST_URL, {"q": "乍浦"}))) == {orgs.reg_b.pk, orgs.filed_b.pk, varied.hub.pk, varied.agency.pk}
    assert _ids(api.get(LIST_URL, {"q": "虹"})) == [varied.mutual.pk]


def test_detail_lists_catalogues_and_served_communities(api, areas, varied):
    body = api.get(f"{LIST_URL}{varied.agency.pk}/").json()
    assert [c["code"] for c in body["served_communities"]] == [areas.community_b1.code]
    rated = api.get(f"{LIST_URL}{varied.rated.pk}/").json()
    assert rated["service_domains"] == [{"code": "elderly_care", "name": "养老服务"}]
    assert rated["rating"] == "4A" and rated["rating_valid_until"] == "2027-05-01"


def test_pagination(api, areas):
    for n in range(23):
        make_filed(town=areas.town_a, community=areas.community_a1, name=f"分页测试组织{n:02d}")
    first = api.get(LIST_URL).json()
    assert first["count"] == 23 and len(first["results"]) == 20 and first["next"]
    second = api.get(LIST_URL, {"page": 2}).json()
    assert len(second["results"]) == 3 and second["next"] is None
    assert len(api.get(LIST_URL, {"page_size": 5}).json()["results"]) == 5
    past_end = api.get(LIST_URL, {"page": 3})
    assert past_end.status_code == 404 and "3" in past_end.json()["detail"]


@pytest.mark.parametrize("sort", ["name", "-name"])
@pytest.mark.parametrize("cap", [3, 8, 2000])
def test_pages_of_a_text_search_are_the_same_below_and_above_the_count_cap(api, areas, monkeypatch, sort, cap):
    """The API searches as the portal does, with its own page size: below the cap a page
    comes from all the matches; above it (PostgreSQL) from reading the pinyin order. Same
    rows, same order, and `count_capped` says when `count` is the cap."""
    from shezhi.portal import selectors

    monkeypatch.setattr(selectors, "TEXT_COUNT_CAP", cap)
    for n in range(17):
        make_filed(town=areas.town_a, community=areas.community_a1, name=f"翻页组织{n:02d}", business_scope="邻里互助")
    expected = list(apply_filters(organizations_public(), OrganizationFilters(q="翻页", sort=sort)).values_list("id", flat=True))
    assert len(expected) == 17
    seen = []
    for number in (1, 2, 3):
        body = api.get(LIST_URL, {"q": "翻页", "sort": sort, "page": number, "page_size": 6}).json()
        assert (body["count"], body["count_capped"]) == ((cap, True) if cap < 17 else (17, False))
        seen += [row["id"] for row in body["results"]]
        if body["next"] is None:
            break
    reachable = min(cap, 17)
    assert seen == expected[: -(-reachable // 6) * 6][:17]


def test_a_page_past_a_capped_count_says_how_to_reach_the_rest(api, areas, monkeypatch):
    from shezhi.portal import selectors

    monkeypatch.setattr(selectors, "TEXT_COUNT_CAP", 4)
    for n in range(9):
        make_filed(town=areas.town_a, community=areas.community_a1, name=f"翻页组织{n:02d}")
    first = api.get(LIST_URL, {"q": "翻页", "page_size": 2}).json()
    assert (first["count"], first["count_capped"], len(first["results"])) == (4, True, 2)
    assert "page=2" in first["next"] and first["previous"] is None
    second = api.get(LIST_URL, {"q": "翻页", "page_size": 2, "page": 2}).json()
    assert second["next"] is None and "page=" not in second["previous"]
    beyond = api.get(LIST_URL, {"q": "翻页", "page_size": 2, "page": 3})
    assert beyond.status_code == 404
    assert "/open-data/" in beyond.json()["detail"] and "2,000" not in beyond.json()["detail"]


def test_list_query_count_does_not_grow_with_rows(api, areas, django_assert_max_num_queries):
    domains = list(ServiceDomain.objects.all()[:3])
    groups = list(TargetGroup.objects.all()[:2])
    for n in range(25):
        make_filed(
            town=areas.town_a,
            community=areas.community_a1,
            name=f"查询计数组织{n:02d}",
            service_domains=domains,
            target_groups=groups,
        )
    # count, the registry's size (cached; it chooses the plan), page with its towns and
    # communities, service domains, target groups
    with django_assert_max_num_queries(5):
        response = api.get(LIST_URL, {"page_size": 25, "q": "查询"})
    assert len(response.json()["results"]) == 25
    assert len(response.json()["results"][0]["service_domains"]) == 3


# --- areas ------------------------------------------------------------------------------


def test_areas_list_and_filters(api, areas):
    body = api.get("/api/v1/areas/").json()
    assert body["count"] == 9
    city = next(a for a in body["results"] if a["code"] == "330482")
    assert city == {
        "id": areas.city.pk,
        "code": "330482",
        "name": "平湖市",
        "level": "city",
        "kind": "city",
        "parent": "330000",
        "population": 680000,
        "population_date": "2020-11-01",
        "is_demo": False,
    }
    towns = api.get("/api/v1/areas/", {"parent": "330482"}).json()["results"]
    assert [a["code"] for a in towns] == ["330482001", "330482101"]
    communities = api.get("/api/v1/areas/", {"level": "community", "kind": "rural"}).json()["results"]
    assert [a["name"] for a in communities] == ["虹霓村"]


def test_area_detail_by_code(api, areas):
    body = api.get("/api/v1/areas/330482001001/").json()
    assert body["name"] == "东湖社区" and body["parent"] == "330482001" and body["kind"] == "urban"
    assert api.get("/api/v1/areas/999999/").status_code == 404


def test_areas_query_count(api, areas, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        assert api.get("/api/v1/areas/", {"page_size": 100}).status_code == 200
