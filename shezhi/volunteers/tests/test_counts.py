"""The numbers as of a date: registered, active, organizations, teams, stations, hours."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from shezhi.activities.models import HoursRecord
from shezhi.registry.models import Organization
from shezhi.volunteers.selectors import counts_total, volunteer_counts, year_before
from shezhi.volunteers.services import station_save, team_create, team_update, volunteer_cancel
from shezhi.volunteers.testing import make_id_number, make_volunteer

pytestmark = pytest.mark.django_db
D = dt.date(2024, 6, 15)


def _by_area(rows):
    return {(r.area.pk if r.area else None): r for r in rows}


def _hours(v, served_on, hours, status="confirmed"):
    return HoursRecord.objects.create(
        volunteer=v,
        served_on=served_on,
        hours=Decimal(hours),
        source="admin",
        status=status,
        content="服务",
        reason="x" if status == "rejected" else "",
    )


def test_registered_on_d_counts_on_d_and_cancelled_on_d_does_not(areas):
    on_d = make_volunteer(town=areas.town_a, community=areas.community_a1, id_number=make_id_number(sequence=1), registered_on=D)
    make_volunteer(
        town=areas.town_a, community=areas.community_a1, id_number=make_id_number(sequence=2), registered_on=D + dt.timedelta(days=1)
    )
    cancelled = make_volunteer(
        town=areas.town_a, community=areas.community_a1, id_number=make_id_number(sequence=3), registered_on=dt.date(2020, 1, 1)
    )
    volunteer_cancel(volunteer=cancelled, by=None, on=D)
    rows = _by_area(volunteer_counts(areas.city, D))
    assert rows[areas.town_a.pk].registered == 1  # on_d only
    rows = _by_area(volunteer_counts(areas.city, D - dt.timedelta(days=1)))
    assert rows[areas.town_a.pk].registered == 1  # the cancelled one, the day before
    assert on_d.registered_on == D


def test_active_means_confirmed_service_in_the_12_months_up_to_d(areas):
    v1 = make_volunteer(
        town=areas.town_a, community=areas.community_a1, id_number=make_id_number(sequence=1), registered_on=dt.date(2020, 1, 1)
    )
    v2 = make_volunteer(
        town=areas.town_a, community=areas.community_a2, id_number=make_id_number(sequence=2), registered_on=dt.date(2020, 1, 1)
    )
    v3 = make_volunteer(town=areas.town_b, id_number=make_id_number(sequence=3), registered_on=dt.date(2020, 1, 1))
    _hours(v1, D, "2")  # served on D: active
    _hours(v2, year_before(D), "3")  # exactly 12 months before: outside the window
    _hours(v2, D + dt.timedelta(days=1), "1")  # after D: not yet
    _hours(v3, year_before(D) + dt.timedelta(days=1), "1.5")  # first day of the window
    _hours(v3, D, "9", status="pending")  # not confirmed: nothing
    _hours(v3, D, "8", status="rejected")
    rows = _by_area(volunteer_counts(areas.city, D))
    assert rows[areas.town_a.pk].active == 1 and rows[areas.town_b.pk].active == 1
    assert rows[areas.town_a.pk].hours_year == Decimal("2") and rows[areas.town_a.pk].hours_total == Decimal("5")
    assert rows[areas.town_b.pk].hours_year == Decimal("1.5")
    towns = _by_area(volunteer_counts(areas.town_a, D))
    assert towns[areas.community_a1.pk].active == 1 and towns[areas.community_a2.pk].active == 0


def test_a_cancelled_volunteer_is_not_active(areas):
    v = make_volunteer(town=areas.town_a, id_number=make_id_number(sequence=1), registered_on=dt.date(2020, 1, 1))
    _hours(v, D - dt.timedelta(days=10), "2")
    volunteer_cancel(volunteer=v, by=None, on=D)
    assert _by_area(volunteer_counts(areas.city, D))[areas.town_a.pk].active == 0


def test_leap_day_window():
    assert year_before(dt.date(2024, 2, 29)) == dt.date(2023, 2, 28)


def test_organizations_teams_and_stations_as_of(areas, orgs, users):
    org = orgs.reg_a  # founded 2015-03-01, in town_a / community_a1
    org.is_volunteer_org = True
    org.save()
    Organization.objects.filter(pk=orgs.reg_b.pk).update(is_volunteer_org=True, status="deregistered", status_changed_on=D)
    team = team_create(
        organization=org,
        data={"name": "队一", "town": areas.town_a, "community": areas.community_a1, "founded_on": dt.date(2023, 1, 1)},
        by=None,
    )
    team_update(team=team, data={"dissolved_on": D}, by=None)
    station_save(data={"name": "站一", "town": areas.town_a, "community": areas.community_a1, "opened_on": D}, by=None)
    closed = station_save(data={"name": "站二", "town": areas.town_b, "opened_on": dt.date(2020, 1, 1)}, by=None)
    station_save(station=closed, data={"closed_on": D}, by=None)
    on = _by_area(volunteer_counts(areas.city, D))
    before = _by_area(volunteer_counts(areas.city, D - dt.timedelta(days=1)))
    assert (on[areas.town_a.pk].organizations, on[areas.town_a.pk].teams, on[areas.town_a.pk].stations) == (1, 0, 1)
    assert (before[areas.town_a.pk].teams, before[areas.town_a.pk].stations) == (1, 0)
    assert (on[areas.town_b.pk].organizations, on[areas.town_b.pk].stations) == (0, 0)  # deregistered on D, closed on D
    assert (before[areas.town_b.pk].organizations, before[areas.town_b.pk].stations) == (1, 1)


def test_ratios_use_resident_population(areas):
    for i in range(3):
        make_volunteer(town=areas.town_b, community=areas.community_b1, id_number=make_id_number(sequence=i + 1), registered_on=D)
    rows = _by_area(volunteer_counts(areas.town_b, D))
    assert rows[areas.community_b1.pk].registered_percent == Decimal("0.050")  # 3 / 6000
    total = counts_total(areas.town_b, list(rows.values()))
    assert total.registered == 3 and total.population == 75000 and total.registered_percent == Decimal("0.004")


def test_volunteers_without_community_get_their_own_row(areas):
    make_volunteer(town=areas.town_a, id_number=make_id_number(sequence=1), registered_on=D)
    rows = volunteer_counts(areas.town_a, D)
    assert rows[-1].area is None and rows[-1].registered == 1


def test_province_and_community_levels(areas, vols):
    province = _by_area(volunteer_counts(areas.province, D))
    assert province[areas.city.pk].registered == 2 and province[areas.other_city.pk].registered == 1
    community = volunteer_counts(areas.community_a1, D)
    assert len(community) == 1 and community[0].registered == 1


def test_counts_are_a_fixed_number_of_queries(areas, django_assert_num_queries):
    for i in range(10):
        v = make_volunteer(town=areas.town_a, community=areas.community_a1, id_number=make_id_number(sequence=i + 1))
        _hours(v, D, "1")
    with django_assert_num_queries(6):
        volunteer_counts(areas.city, D)
    with django_assert_num_queries(6):
        volunteer_counts(areas.town_a, D)


def test_numbers_page_drills_down_and_exports(client, users, areas, vols):
    client.force_login(users.bureau)
    page = client.get(reverse("volunteers:numbers"), {"as_of": "2025-01-01"}).content.decode()
    assert f"?area={areas.town_a.pk}" in page and 'data-testid="total-registered">2<' in page
    page = client.get(reverse("volunteers:numbers"), {"area": areas.town_a.pk, "as_of": "2025-01-01"}).content.decode()
    assert areas.community_a1.name in page
    assert client.get(reverse("volunteers:numbers"), {"area": areas.other_city.pk}).status_code == 404
    assert client.get(reverse("volunteers:numbers"), {"as_of": "not-a-date"}).status_code == 200  # falls back to today
    response = client.get(reverse("volunteers:numbers_export"), {"area": areas.city.pk, "fmt": "xlsx"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_town_officer_sees_own_town_numbers_only(client, users, areas, vols):
    client.force_login(users.town_a)
    page = client.get(reverse("volunteers:numbers")).content.decode()
    assert areas.community_a1.name in page
    assert client.get(reverse("volunteers:numbers"), {"area": areas.town_b.pk}).status_code == 404
    assert client.get(reverse("volunteers:numbers"), {"area": areas.city.pk}).status_code == 404


def test_public_api_counts(client, areas, vols):
    response = client.get("/api/v1/volunteers/counts/", {"area": "330482", "as_of": "2025-01-01"})
    assert response.status_code == 200
    body = response.json()
    assert body["area"]["registered"] == 2 and {c["area_code"] for c in body["children"]} == {"330482001", "330482101"}
    assert body["targets"]["volunteers_percent"] == "20.00"
    assert vols.a1.name not in response.content.decode()
    assert client.get("/api/v1/volunteers/counts/", {"area": "999"}).status_code == 404
    bad = client.get("/api/v1/volunteers/counts/", {"as_of": "31/12/2024"})
    assert bad.status_code == 400 and "as_of" in bad.json()["errors"]


def test_all_towns_of_the_province_in_one_call(areas, vols, django_assert_num_queries):
    with django_assert_num_queries(6):
        rows = _by_area(volunteer_counts(areas.province, D, level="town"))
    assert set(rows) == {areas.town_a.pk, areas.town_b.pk, areas.other_town.pk}
    assert rows[areas.town_a.pk].registered == 1 and rows[areas.other_town.pk].registered == 1
    communities = _by_area(volunteer_counts(areas.city, D, level="community"))
    assert set(communities) >= {areas.community_a1.pk, areas.community_b1.pk}
    with pytest.raises(ValueError):
        volunteer_counts(areas.town_a, D, level="city")
