"""GET /api/v1/credit/entries/: the current entries, public, filtered, in the schema."""

import datetime as dt

import pytest

from shezhi.credit import services

pytestmark = pytest.mark.django_db
D = dt.date
URL = "/api/v1/credit/entries/"


@pytest.fixture
def listed(orgs, include, users):
    include(orgs.reg_a, D(2026, 2, 1))
    include(orgs.reg_other, D(2026, 2, 2), "judgment_defaulter")
    gone = include(orgs.reg_b, D(2025, 2, 1))
    services.entry_remove(entry=gone, removed_on=D(2025, 6, 1), reason="已整改", by=users.bureau)


def test_current_entries_for_anyone(client, listed, orgs, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        data = client.get(URL).json()
    assert data["count"] == 2
    names = {row["organization"] for row in data["results"]}
    assert names == {orgs.reg_a.name, orgs.reg_other.name}
    row = next(r for r in data["results"] if r["organization_id"] == orgs.reg_a.pk)
    assert row["list_kind"] == "abnormal" and row["included_on"] == "2026-02-01" and row["ground_code"] == "address_unreachable"
    assert row["credit_code"] == orgs.reg_a.credit_code and row["town_code"] == orgs.reg_a.town.code
    assert "phone" not in row and "legal_representative" not in row


def test_filters_and_bad_input(client, listed, orgs, areas):
    assert client.get(URL, {"list_kind": "serious"}).json()["count"] == 1
    assert client.get(URL, {"q": orgs.reg_a.credit_code}).json()["count"] == 1
    assert client.get(URL, {"town": areas.other_town.code}).json()["count"] == 1
    bad = client.get(URL, {"list_kind": "grey"})
    assert bad.status_code == 400 and "list_kind" in bad.json()["errors"]
    assert client.get(URL, {"page": "abc"}).status_code == 400


def test_in_the_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/credit/entries/" in schema
