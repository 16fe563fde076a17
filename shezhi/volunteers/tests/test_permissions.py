"""Every page for every role: allowed, 404 (forbidden looks like missing), or the login page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from shezhi.volunteers.models import Station
from shezhi.volunteers.services import membership_add, station_save, team_create

pytestmark = pytest.mark.django_db

ROLES = ["bureau", "department", "town_a", "town_b", "community_a1", "org_a", "reviewer", "resident", "other_bureau"]


@pytest.fixture
def world(areas, users, vols, volunteer_org):
    team = team_create(
        organization=volunteer_org, data={"name": "东湖红马甲", "town": areas.town_a, "community": areas.community_a1}, by=None
    )
    membership = membership_add(volunteer=vols.a1, team=team, by=None)
    station = station_save(data={"name": "东湖社区志愿服务站", "town": areas.town_a, "community": areas.community_a1}, by=None)
    return type("World", (), {"team": team, "membership": membership, "station": station, "org": volunteer_org, "v": vols.a1})


# (name, url builder, {role: expected status}); roles not named get 404.
GET_PAGES = [
    (
        "list",
        lambda w: reverse("volunteers:list"),
        {"bureau": 200, "town_a": 200, "town_b": 200, "community_a1": 200, "org_a": 200, "other_bureau": 200},
    ),
    (
        "export",
        lambda w: reverse("volunteers:export") + "?fmt=csv",
        {"bureau": 200, "town_a": 200, "town_b": 200, "community_a1": 200, "org_a": 200, "other_bureau": 200},
    ),
    ("new", lambda w: reverse("volunteers:new"), {"bureau": 200, "town_a": 200, "town_b": 200, "community_a1": 200, "other_bureau": 200}),
    ("detail", lambda w: reverse("volunteers:detail", args=[w.v.pk]), {"bureau": 200, "town_a": 200, "community_a1": 200, "org_a": 200}),
    ("edit", lambda w: reverse("volunteers:edit", args=[w.v.pk]), {"bureau": 200, "town_a": 200, "community_a1": 200}),
    ("merge", lambda w: reverse("volunteers:merge", args=[w.v.pk]), {"bureau": 200}),
    (
        "organizations",
        lambda w: reverse("volunteers:organizations"),
        {"bureau": 200, "town_a": 200, "town_b": 200, "community_a1": 200, "org_a": 302, "other_bureau": 200},
    ),
    (
        "organization",
        lambda w: reverse("volunteers:organization", args=[w.org.pk]),
        {"bureau": 200, "town_a": 200, "community_a1": 200, "org_a": 200},
    ),
    ("team", lambda w: reverse("volunteers:team", args=[w.team.pk]), {"bureau": 200, "town_a": 200, "community_a1": 200, "org_a": 200}),
    (
        "stations",
        lambda w: reverse("volunteers:stations"),
        {"bureau": 200, "town_a": 200, "town_b": 200, "community_a1": 200, "org_a": 200, "other_bureau": 200},
    ),
    (
        "station_edit",
        lambda w: reverse("volunteers:station_edit", args=[w.station.pk]),
        {"bureau": 200, "town_a": 200, "community_a1": 200},
    ),
    (
        "numbers",
        lambda w: reverse("volunteers:numbers"),
        {"bureau": 200, "town_a": 200, "town_b": 200, "community_a1": 200, "other_bureau": 200},
    ),
    (
        "numbers_other_town",
        lambda w: reverse("volunteers:numbers") + f"?area={w.v.town_id}",
        {"bureau": 200, "town_a": 200},
    ),
    ("import", lambda w: reverse("volunteers:import"), {"bureau": 200, "town_a": 200, "town_b": 200, "other_bureau": 200}),
    (
        "import_template",
        lambda w: reverse("volunteers:import_template", args=["csv"]),
        {"bureau": 200, "town_a": 200, "town_b": 200, "other_bureau": 200},
    ),
    ("me", lambda w: reverse("volunteers:me"), {r: 200 for r in ["resident"]} | {"department": 404}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "url", "allowed"), GET_PAGES, ids=[p[0] for p in GET_PAGES])
def test_get_pages(client, users, world, role, name, url, allowed):
    client.force_login(getattr(users, role))
    expected = allowed.get(role, 404)
    response = client.get(url(world))
    assert response.status_code == expected, (name, role, response.status_code)


@pytest.mark.parametrize(("name", "url", "allowed"), GET_PAGES, ids=[p[0] for p in GET_PAGES])
def test_anonymous_is_sent_to_login(client, world, name, url, allowed):
    response = client.get(url(world))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_public_pages_are_open(client, world):
    for name in ("register", "recover"):
        assert client.get(reverse(f"volunteers:{name}")).status_code == 200
    assert client.get(reverse("volunteers:communities"), {"town": world.v.town_id}).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_posts_that_change_records(client, users, world, role):
    """Cancel, edit, link, team and member changes: only those who keep the record; the
    others get 404 and nothing changes."""
    client.force_login(getattr(users, role))
    keepers = {"bureau", "town_a", "community_a1"}
    r = client.post(reverse("volunteers:cancel", args=[world.v.pk]), {"reason": "测试"})
    assert r.status_code == (302 if role in keepers else 404)
    world.v.refresh_from_db()
    assert (world.v.status == "cancelled") == (role in keepers)


@pytest.mark.parametrize("role", ROLES)
def test_team_and_member_management(client, users, world, areas, role):
    client.force_login(getattr(users, role))
    managers = {"bureau", "town_a", "org_a"}
    r = client.post(reverse("volunteers:team_new", args=[world.org.pk]), {"name": f"新队{role}", "town": areas.town_a.pk})
    assert r.status_code == (302 if role in managers else 404), role
    r = client.post(reverse("volunteers:member_end", args=[world.membership.pk]))
    assert r.status_code == (302 if role in managers else 404), role
    world.membership.refresh_from_db()
    assert (world.membership.left_on is not None) == (role in managers)


@pytest.mark.parametrize("role", ROLES)
def test_station_changes(client, users, world, areas, role):
    client.force_login(getattr(users, role))
    keepers = {"bureau", "town_a", "community_a1"}
    r = client.post(
        reverse("volunteers:station_edit", args=[world.station.pk]),
        {"name": "改名站", "town": areas.town_a.pk, "community": areas.community_a1.pk, "opened_on": "2024-01-01"},
    )
    assert r.status_code == (302 if role in keepers else 404), (role, r.status_code)
    assert Station.objects.filter(name="改名站").exists() == (role in keepers)


def test_town_officer_adds_stations_in_own_town_only(client, users, areas):
    client.force_login(users.town_b)
    r = client.post(reverse("volunteers:stations"), {"name": "越界站", "town": areas.town_a.pk, "opened_on": "2024-01-01"})
    assert r.status_code == 400 and not Station.objects.filter(name="越界站").exists()
    r = client.post(reverse("volunteers:stations"), {"name": "乍浦站", "town": areas.town_b.pk, "opened_on": dt.date(2024, 1, 1)})
    assert r.status_code == 302


def test_list_query_count_is_fixed(client, users, areas, django_assert_max_num_queries):
    from shezhi.volunteers.testing import make_id_number, make_volunteer

    for i in range(30):
        make_volunteer(town=areas.town_a, community=areas.community_a1, id_number=make_id_number(sequence=100 + i))
    client.force_login(users.bureau)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("volunteers:list")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("volunteers:export"), {"fmt": "csv"}).status_code == 200


def test_organization_pages_query_count(client, users, areas, world, django_assert_max_num_queries):
    from shezhi.volunteers.testing import make_id_number, make_volunteer

    for i in range(20):
        v = make_volunteer(town=areas.town_a, id_number=make_id_number(sequence=200 + i))
        membership_add(volunteer=v, team=world.team, by=None)
    client.force_login(users.org_a)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("volunteers:organization", args=[world.org.pk])).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("volunteers:team", args=[world.team.pk])).status_code == 200
    client.force_login(users.bureau)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("volunteers:organizations")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("volunteers:stations")).status_code == 200
