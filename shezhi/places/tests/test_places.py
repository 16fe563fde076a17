"""Places: the count as of a date, the rules of a record, who may record and see what."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shezhi.audit.models import AuditAction, AuditEntry
from shezhi.extensions import nav_for
from shezhi.places import services
from shezhi.places.models import Place, PlaceKind
from shezhi.places.selectors import counts_by_town, places_count, places_open_on

pytestmark = pytest.mark.django_db
CENTRE, BASE = PlaceKind.PARTY_MASS_CENTRE, PlaceKind.CHARITY_BASE


# --- the count as of a date ---------------------------------------------------------------


def test_count_open_on_a_date_edges(areas, make_place):
    make_place(opened_on=dt.date(2020, 6, 1), closed_on=dt.date(2022, 1, 1))
    count = lambda on: places_count(CENTRE, areas.city, on)  # noqa: E731
    assert count(dt.date(2020, 5, 31)) == 0  # the day before opening
    assert count(dt.date(2020, 6, 1)) == 1  # the opening day
    assert count(dt.date(2021, 12, 31)) == 1  # the last day open
    assert count(dt.date(2022, 1, 1)) == 0  # the closing day: closed


def test_standardized_from_the_day_assessed(areas, make_place):
    make_place(opened_on=dt.date(2019, 1, 1), standardized=True, standardized_on=dt.date(2020, 12, 31))
    make_place(name="乍浦镇社会组织党群服务中心", town=areas.town_b, opened_on=dt.date(2019, 1, 1))
    assert places_count(CENTRE, areas.city, dt.date(2020, 12, 30), standardized=True) == 0
    assert places_count(CENTRE, areas.city, dt.date(2020, 12, 31), standardized=True) == 1
    assert places_count(CENTRE, areas.city, dt.date(2020, 12, 30), standardized=False) == 2
    assert places_count(CENTRE, areas.city, dt.date(2020, 12, 31), standardized=False) == 1
    assert places_count(CENTRE, areas.city, dt.date(2020, 12, 31)) == 2


def test_count_by_area_level_and_kind(areas, make_place):
    make_place(town=areas.town_a, community=areas.community_a1)
    make_place(kind=BASE, name="当湖慈善基地", town=areas.town_a)
    make_place(name="乍浦镇中心", town=areas.town_b)
    make_place(name="平湖市社会组织党群服务中心", town=None)  # city-level
    on = dt.date(2024, 1, 1)
    assert places_count(CENTRE, areas.province, on) == 3
    assert places_count(CENTRE, areas.city, on) == 3
    assert places_count(CENTRE, areas.town_a, on) == 1
    assert places_count(CENTRE, areas.community_a1, on) == 1
    assert places_count(CENTRE, areas.community_a2, on) == 0
    assert places_count(BASE, areas.city, on) == 1
    assert places_count(CENTRE, areas.other_city, on) == 0
    assert places_open_on(areas.town_a, on).count() == 2
    rows = {(r.town.name if r.town else None): (r.centres, r.standardized, r.charity_bases) for r in counts_by_town(areas.city, on)}
    assert rows == {None: (1, 0, 0), "当湖街道": (1, 0, 1), "乍浦镇": (1, 0, 0)}


# --- the rules of a record ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"opened_on": dt.date(2020, 1, 1), "closed_on": dt.date(2020, 1, 1)}, "closed_on"),
        ({"opened_on": dt.date(2099, 1, 1)}, "opened_on"),
        ({"standardized": True}, "standardized_on"),
        ({"standardized_on": dt.date(2021, 1, 1)}, "standardized"),
        ({"opened_on": dt.date(2021, 1, 1), "standardized": True, "standardized_on": dt.date(2020, 1, 1)}, "standardized_on"),
        ({"operator_name": ""}, "operator_name"),
        ({"phone": "call me"}, "phone"),
        ({"kind": "museum"}, "kind"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_records_are_refused_with_the_field(make_place, data, field):
    with pytest.raises(ValidationError) as exc:
        make_place(**data)
    assert field in exc.value.message_dict
    assert not Place.objects.exists()


def test_community_must_be_in_the_town(areas, make_place):
    with pytest.raises(ValidationError) as exc:
        make_place(town=areas.town_b, community=areas.community_a1)
    assert "community" in exc.value.message_dict


def test_a_town_officer_records_only_in_their_town(users, areas, make_place):
    place = make_place(by=users.town_a)
    assert place.town == areas.town_a and place.city == areas.city
    with pytest.raises(ValidationError):
        make_place(by=users.town_a, town=areas.town_b)
    with pytest.raises(ValidationError):
        make_place(by=users.town_a, town=None)
    with pytest.raises(PermissionDenied):
        services.place_save(place=place, data={"name": "x"}, by=users.town_b)
    with pytest.raises(PermissionDenied):
        services.place_save(place=place, data={"name": "x"}, by=users.other_bureau)
    with pytest.raises(PermissionDenied):
        make_place(by=users.community_a1)
    with pytest.raises(ValidationError):
        make_place(by=users.other_bureau)  # a town of another city


def test_saves_are_audited_with_what_changed(users, orgs, make_place):
    place = make_place(operator=orgs.reg_a, operator_name="")
    created = AuditEntry.objects.get(action=AuditAction.PLACE_SAVED)
    assert created.changes["operator"] == [None, orgs.reg_a.name] and created.actor == users.bureau
    services.place_save(place=place, data={"closed_on": dt.date(2023, 5, 1)}, by=users.town_a)
    changed = AuditEntry.objects.filter(action=AuditAction.PLACE_SAVED).order_by("-id").first()
    assert changed.changes == {"closed_on": [None, "2023-05-01"]} and changed.actor == users.town_a


# --- pages ----------------------------------------------------------------------------------


def test_staff_pages_for_every_role(client, users, areas, make_place):
    in_a = make_place()
    city_level = make_place(name="平湖市社会组织党群服务中心", town=None)
    for url in ("/places/staff/", "/places/staff/new/", f"/places/staff/{in_a.pk}/"):
        assert client.get(url).status_code == 302  # anonymous: log in
    for name in ("community_a1", "department", "org_a", "reviewer", "resident"):
        client.force_login(getattr(users, name))
        for url in ("/places/staff/", "/places/staff/new/", f"/places/staff/{in_a.pk}/"):
            assert client.get(url).status_code == 404, (name, url)
    client.force_login(users.town_b)
    assert in_a.name not in client.get("/places/staff/").content.decode()
    assert client.get(f"/places/staff/{in_a.pk}/").status_code == 404
    client.force_login(users.other_bureau)
    assert client.get(f"/places/staff/{in_a.pk}/").status_code == 404
    client.force_login(users.town_a)
    page = client.get("/places/staff/").content.decode()
    assert in_a.name in page and city_level.name not in page
    assert client.get(f"/places/staff/{in_a.pk}/").status_code == 200
    assert client.get(f"/places/staff/{city_level.pk}/").status_code == 404
    client.force_login(users.bureau)
    page = client.get("/places/staff/").content.decode()
    assert in_a.name in page and city_level.name in page


def test_recording_a_place_on_the_page(client, users, orgs):
    client.force_login(users.town_a)
    data = {
        "kind": CENTRE,
        "name": "东湖社区党群服务站",
        "address": "东湖路8号",
        "town": users.town_a.area_id,
        "opened_on": "2021-03-01",
        "operator_identifier": orgs.reg_a.credit_code.lower(),
        "phone": "0573-85012345",
    }
    assert client.post("/places/staff/new/", data).status_code == 302
    place = Place.objects.get()
    assert place.operator == orgs.reg_a and place.town_id == users.town_a.area_id
    bad = client.post("/places/staff/new/", {**data, "operator_identifier": orgs.reg_b.credit_code})
    assert bad.status_code == 400 and "No organization of your area" in bad.content.decode()
    bad = client.post("/places/staff/new/", {**data, "closed_on": "2020-01-01"})
    assert bad.status_code == 400 and "A place closes after the day it opened." in bad.content.decode()
    bad = client.post("/places/staff/new/", {**data, "opened_on": "not a date"})
    assert bad.status_code == 400 and "Enter a valid date." in bad.content.decode()
    edit = client.post(f"/places/staff/{place.pk}/", {**data, "standardized": "on", "standardized_on": "2022-06-30"})
    assert edit.status_code == 302
    place.refresh_from_db()
    assert place.standardized and place.standardized_on == dt.date(2022, 6, 30)


def test_public_list_by_town(client, users, areas, make_place):
    make_place(standardized=True, standardized_on=dt.date(2021, 1, 1))
    make_place(kind=BASE, name="乍浦慈善基地", town=areas.town_b)
    make_place(name="已关闭的中心", town=areas.town_b, closed_on=dt.date(2021, 1, 1))
    page = client.get("/places/").content.decode()
    assert "当湖街道社会组织党群服务中心" in page and "乍浦慈善基地" in page and "已关闭的中心" not in page
    assert 'data-testid="total-centres">1<' in page and 'data-testid="total-standardized">1<' in page
    assert 'data-testid="total-bases">1<' in page
    town_b = client.get("/places/", {"town": areas.town_b.pk}).content.decode()
    assert "乍浦慈善基地" in town_b and "当湖街道社会组织党群服务中心" not in town_b
    bases = client.get("/places/", {"kind": BASE}).content.decode()
    assert "乍浦慈善基地" in bases and "当湖街道社会组织党群服务中心" not in bases
    bad = client.get("/places/", {"town": "abc", "kind": "zzz", "page": "x"})
    assert bad.status_code == 200
    assert "not in the list" in client.get("/places/", {"town": areas.other_town.pk}).content.decode()


def test_list_queries_do_not_grow(client, users, areas, orgs, make_place, django_assert_max_num_queries):
    for i in range(30):
        make_place(name=f"中心{i}", town=areas.town_a if i % 2 else areas.town_b, operator=orgs.reg_a if i % 2 else orgs.reg_b)
    with django_assert_max_num_queries(8):
        assert client.get("/places/").status_code == 200
    client.force_login(users.bureau)
    with django_assert_max_num_queries(12):
        assert client.get("/places/staff/").status_code == 200


def test_navigation(users):
    assert "places" in {i["key"] for i in nav_for(None)}
    assert "places_staff" in {i["key"] for i in nav_for(users.town_a)}
    assert "places_staff" not in {i["key"] for i in nav_for(users.community_a1)}
