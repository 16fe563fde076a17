"""GET /api/v1/targets/: the targets of a city or a town as of a day, public, with strict
parameters, a bounded number of queries and a place in the OpenAPI schema."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from shezhi.areas.models import Area
from shezhi.registry.models import Organization
from shezhi.registry.services import organization_set_status
from shezhi.targets.selectors import area_view
from shezhi.testing import make_area, make_filed

pytestmark = pytest.mark.django_db

URL = "/api/v1/targets/"
FIELDS = {"code", "name", "indicator", "applies", "target", "due_on", "actual", "met", "gap", "unit", "gap_unit"}


@pytest.fixture
def one_city(areas):
    """The deployment's city is the only one that is not demo data."""
    Area.objects.filter(pk=areas.other_city.pk).update(is_demo=True)
    return areas


@pytest.fixture
def community_orgs(areas):
    """Community organizations filed on known days, one of them deregistered later."""
    days = [dt.date(2018, 3, 1), dt.date(2018, 12, 31), dt.date(2019, 1, 1), dt.date(2020, 6, 1)]
    made = [make_filed(town=areas.town_a, community=areas.community_a1, founded_on=d) for d in days]
    made.append(make_filed(town=areas.town_b, community=areas.community_b1, founded_on=dt.date(2018, 6, 1)))
    organization_set_status(organization=made[0], status="deregistered", by=None, reason="注销", on=dt.date(2019, 3, 1))
    return made


def _expected_t1(city: Area, day: dt.date) -> int:
    """T1 counted here from the registry's own rows: community organizations of the city
    founded by the day and not deregistered or revoked by then."""
    n = 0
    for org in Organization.objects.filter(city=city, is_community_org=True, founded_on__lte=day):
        ended = org.status in ("deregistered", "revoked") and org.status_changed_on is not None and org.status_changed_on <= day
        n += not ended
    return n


def _by_code(body) -> dict[str, dict]:
    return {row["code"]: row for row in body["targets"]}


def test_default_area_is_the_one_real_city(api, one_city):
    response = api.get(URL)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["as_of"] == timezone.localdate().isoformat()
    assert body["area"] == {"id": one_city.city.pk, "code": "330482", "name": "平湖市", "level": "city"}
    rows = body["targets"]
    assert [r["code"] for r in rows] == [f"T{n}" for n in range(1, 12)]
    for row in rows:
        assert set(row) == FIELDS
        assert row["applies"] is True
    t1 = _by_code(body)["T1"]
    assert (t1["indicator"], t1["target"], t1["due_on"]) == ("community_orgs", "1980.00", "2020-12-31")


def test_without_area_two_real_cities_need_one_named(api, areas):
    response = api.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    body = response.json()
    assert list(body["errors"]) == ["area"]
    assert "Name the city or town" in body["detail"]


def test_figures_as_of_past_days_match_the_registry(api, one_city, community_orgs):
    for day, milestone, value in [
        (dt.date(2018, 6, 30), "2018-12-31", "1800.00"),
        (dt.date(2018, 12, 31), "2018-12-31", "1800.00"),
        (dt.date(2019, 1, 1), "2020-12-31", "1980.00"),
        (dt.date(2019, 3, 1), "2020-12-31", "1980.00"),
        (dt.date(2023, 1, 1), "2020-12-31", "1980.00"),  # past the last milestone: the last one judges
    ]:
        body = api.get(URL, {"as_of": day.isoformat(), "area": "330482"}).json()
        assert body["as_of"] == day.isoformat()
        t1 = _by_code(body)["T1"]
        expected = _expected_t1(one_city.city, day)
        assert Decimal(t1["actual"]) == expected, day
        assert (t1["due_on"], t1["target"]) == (milestone, value), day
        assert t1["met"] is False
        assert t1["gap"] == int(Decimal(value)) - expected
    # The numbers are the dashboard's own, field by field.
    day = dt.date(2019, 1, 1)
    view = area_view(one_city.city, day, trend=False)
    body = api.get(URL, {"as_of": day.isoformat()}).json()
    for row in view.rows:
        got = _by_code(body)[row.code]
        assert got["met"] == row.met and got["gap"] == row.gap
        assert (Decimal(got["actual"]) if got["actual"] is not None else None) == row.actual


def test_a_town_by_code_or_id_with_city_targets_unjudged(api, one_city, community_orgs):
    by_code = api.get(URL, {"area": one_city.town_a.code, "as_of": "2019-01-01"}).json()
    by_id = api.get(URL, {"area": str(one_city.town_a.pk), "as_of": "2019-01-01"}).json()
    assert by_code == by_id
    assert by_code["area"]["level"] == "town" and by_code["area"]["name"] == "当湖街道"
    rows = _by_code(by_code)
    # T1 is set for the whole city: the town's share is shown without a verdict.
    assert rows["T1"]["applies"] is False
    assert rows["T1"]["target"] is None and rows["T1"]["met"] is None and rows["T1"]["gap"] is None
    assert Decimal(rows["T1"]["actual"]) == 3  # filed 2018-03-01, 2018-12-31, 2019-01-01 in town A
    assert rows["T2"]["applies"] is True and rows["T2"]["target"] == "22.00"


@pytest.mark.parametrize("value", ["2020-2-3", "20201231", "2020-02-30", "31/12/2020", "2020-12-31T00:00", "abc", "２０２０-０１-０１"])
def test_malformed_dates_are_400(api, one_city, value):
    response = api.get(URL, {"as_of": value}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    body = response.json()
    assert list(body["errors"]) == ["as_of"]
    assert body["errors"]["as_of"] == ["Write the date as YYYY-MM-DD, e.g. 2020-12-31."]


def test_a_future_date_is_400(api, one_city):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = api.get(URL, {"as_of": tomorrow.isoformat()}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("as_of: The date cannot be later than today")
    assert api.get(URL, {"as_of": timezone.localdate().isoformat()}).status_code == 200


@pytest.mark.parametrize("value", ["330482001001", "330000"])
def test_community_or_province_is_400(api, one_city, value):
    response = api.get(URL, {"area": value}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    message = response.json()["errors"]["area"][0]
    assert message.startswith("Targets are computed for a city or a town/street")


@pytest.mark.parametrize("value", ["999999", "nope", "1" * 40, "²"])
def test_unknown_area_is_400(api, one_city, value):
    response = api.get(URL, {"area": value})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["area"]


def test_both_bad_parameters_are_named(api, one_city):
    body = api.get(URL, {"area": "nope", "as_of": "soon"}).json()
    assert set(body["errors"]) == {"area", "as_of"}


def test_queries_do_not_grow_with_the_data(api, one_city, community_orgs, django_assert_max_num_queries):
    with django_assert_max_num_queries(16):
        assert api.get(URL, {"as_of": "2020-01-01"}).status_code == 200
    # More towns, communities and organizations: the same bound.
    for n in range(3):
        town = make_area(f"33048220{n}", f"新镇{n}", "town", one_city.city, population=1000)
        for m in range(3):
            community = make_area(f"33048220{n}00{m}", f"新社区{n}{m}", "urban", town, population=100)
            make_filed(town=town, community=community)
    with django_assert_max_num_queries(16):
        assert api.get(URL, {"as_of": "2020-01-01"}).status_code == 200
    with django_assert_max_num_queries(16):
        assert api.get(URL, {"area": one_city.town_a.code}).status_code == 200


def test_anonymous_callers_are_throttled(api, one_city, settings):
    rest = dict(django_settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"] = {**rest["DEFAULT_THROTTLE_RATES"], "anon": "2/min"}
    settings.REST_FRAMEWORK = rest
    assert api.get(URL).status_code == 200
    assert api.get(URL).status_code == 200
    response = api.get(URL)
    assert response.status_code == 429
    assert set(response.json()) == {"detail", "errors"}


def test_schema_documents_the_endpoint(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    operation = schema["paths"]["/api/v1/targets/"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"area", "as_of"}
    assert {"200", "400", "429"} <= set(operation["responses"])
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    envelope = schema["components"]["schemas"][ref]["properties"]
    assert {"as_of", "area", "targets"} <= set(envelope)
    figure = schema["components"]["schemas"]["TargetFigure"]["properties"]
    assert set(figure) >= FIELDS
