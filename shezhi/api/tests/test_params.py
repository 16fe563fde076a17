"""Bad query parameters are a 400 that names the parameter, never a 500 or a silent default."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"town": "abc"}, "town"),
        ({"town": "0"}, "town"),
        ({"town": "-3"}, "town"),
        ({"town": "99999999999999999999999"}, "town"),
        ({"community": "1.5"}, "community"),
        ({"page": "0"}, "page"),
        ({"page": "abc"}, "page"),
        ({"page": "-1"}, "page"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "1000"}, "page_size"),
        ({"sort": "evil"}, "sort"),
        ({"sort": "name; DROP TABLE registry_organization"}, "sort"),
        ({"rating": "9A"}, "rating"),
        ({"status": "closed"}, "status"),
        ({"registration": "both"}, "registration"),
        ({"legal_form": "company"}, "legal_form"),
        ({"community_category": "sports"}, "community_category"),
        ({"hub": "maybe"}, "hub"),
        ({"charity": "2"}, "charity"),
        ({"q": "平" * 101}, "q"),
        ({"q": "平\x00湖"}, "q"),
    ],
)
@pytest.mark.parametrize("url", ["/api/v1/organizations/", "/api/v1/staff/organizations/"])
def test_bad_organization_params_are_400(api_as, users, url, params, field):
    response = api_as(users.bureau).get(url, params)
    assert response.status_code == 400, response.content
    body = response.json()
    assert list(body["errors"]) == [field]
    assert body["errors"][field][0]
    assert body["detail"].startswith(f"{field}: ")


def test_several_bad_params_are_all_named(api, orgs):
    body = api.get("/api/v1/organizations/", {"town": "abc", "rating": "9A", "sort": "evil"}).json()
    assert set(body["errors"]) == {"town", "rating", "sort"}
    assert "town:" in body["detail"] and "rating:" in body["detail"] and "sort:" in body["detail"]


def test_empty_params_mean_no_filter(api, orgs):
    """An HTML form submits every field, empty when not chosen; that is not an error."""
    params = dict.fromkeys(["q", "registration", "legal_form", "town", "community", "rating", "status", "hub", "page"], "")
    response = api.get("/api/v1/organizations/", params)
    assert response.status_code == 200
    assert response.json()["count"] == 5


@pytest.mark.parametrize(
    ("params", "field"),
    [({"level": "village"}, "level"), ({"kind": "suburb"}, "kind"), ({"parent": "000000"}, "parent"), ({"page": "0"}, "page")],
)
def test_bad_area_params_are_400(api, areas, params, field):
    response = api.get("/api/v1/areas/", params)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def test_bad_reveal_value_is_400(api_as, users, orgs):
    response = api_as(users.bureau).get(f"/api/v1/staff/organizations/{orgs.reg_a.pk}/", {"reveal": "id_number"})
    assert response.status_code == 400
    assert "reveal" in response.json()["errors"]


def test_reveal_on_list_is_refused(api_as, users, orgs):
    response = api_as(users.bureau).get("/api/v1/staff/organizations/", {"reveal": "phone"})
    assert response.status_code == 400
    assert "reveal" in response.json()["errors"]
    assert "13800138000" not in response.content.decode()
