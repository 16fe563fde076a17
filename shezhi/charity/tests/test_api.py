"""The public API: charities and published disclosures; drafts never appear."""

import datetime as dt

import pytest

from shezhi.charity.tests.conftest import make_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(charity, users):
    original = make_item(
        charity, kind="annual_work_report", year=2024, published_on=dt.date(2025, 6, 2), writer=users.org_a, title="2024年度工作报告"
    )
    correction = make_item(
        charity, kind="annual_work_report", year=2024, corrects=original, due_on=None, published_on=dt.date(2025, 7, 1), writer=users.org_a
    )
    draft = make_item(charity, kind="financial_statements", year=2024, writer=users.org_a, title="草稿")
    return original, correction, draft


def test_charities(client, charity, orgs):
    data = client.get("/api/v1/charity/charities/").json()
    assert [r["id"] for r in data["results"]] == [charity.pk]
    assert client.get("/api/v1/charity/charities/", {"fundraising": "1"}).json()["results"] == []


def test_disclosures_published_only_with_corrections_linked(client, items, django_assert_max_num_queries):
    original, correction, _draft = items
    with django_assert_max_num_queries(4):
        data = client.get("/api/v1/charity/disclosures/").json()
    rows = {r["id"]: r for r in data["results"]}
    assert set(rows) == {original.pk, correction.pk}
    assert rows[correction.pk]["corrects_id"] == original.pk and rows[original.pk]["late"] is True
    assert (
        client.get("/api/v1/charity/disclosures/", {"organization": original.organization_id, "kind": "financial_statements"}).json()[
            "results"
        ]
        == []
    )


@pytest.mark.parametrize("params", [{"kind": "gossip"}, {"organization": "abc"}, {"page": "0"}])
def test_bad_parameters_are_400(client, items, params):
    response = client.get("/api/v1/charity/disclosures/", params)
    assert response.status_code == 400
