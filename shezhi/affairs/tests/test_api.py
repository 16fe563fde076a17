"""/api/v1/filings/: scoped like the pages, steps through the same services."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token

from shezhi.affairs import services
from shezhi.affairs.models import FilingStatus

pytestmark = pytest.mark.django_db


def api(client, user):
    token, _ = Token.objects.get_or_create(user=user)
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return client


def test_list_is_scoped(client, users, orgs, helpers, django_assert_max_num_queries):
    submitted = helpers.submitted_change(users)
    draft = services.filing_create(
        procedure=helpers.procedure("reelection"), by=users.org_a, data={"meeting_date": "2026-01-10", "term_years": 5, "board": "名单"}
    )
    url = reverse("api:filing-list")
    assert {r["id"] for r in api(client, users.org_a).get(url).json()["results"]} == {submitted.pk, draft.pk}
    with django_assert_max_num_queries(9):
        body = api(client, users.bureau).get(url).json()
    assert [r["id"] for r in body["results"]] == [submitted.pk]  # the draft is the organization's own
    assert body["results"][0]["clock"]["state"] == "waiting" and body["results"][0]["procedure"] == "change"
    for who in (users.town_b, users.other_bureau, users.resident, users.community_a1):
        assert api(client, who).get(url).json()["count"] == 0
    assert client.get(url, {"status": "nonsense"}).status_code == 400
    client.defaults.pop("HTTP_AUTHORIZATION")
    assert client.get(url).status_code == 401


def test_detail_and_step(client, users, orgs, helpers):
    filing = helpers.submitted_change(users)
    url = reverse("api:filing-detail", args=[filing.pk])
    assert api(client, users.town_b).get(url).status_code == 404
    step = reverse("api:filing-step", args=[filing.pk, "accept"])
    assert api(client, users.org_a).post(step, {}, content_type="application/json").status_code == 404
    body = api(client, users.bureau).post(step, {"note": "齐全"}, content_type="application/json").json()
    assert body["status"] == FilingStatus.ACCEPTED and body["documents"][0]["title"] == "受理通知书"
    assert [s["step"] for s in body["steps"]] == ["submit", "accept"] and len(body["materials"]) == 3
    approve = reverse("api:filing-step", args=[filing.pk, "approve"])
    assert client.post(approve, {}, content_type="application/json").json()["status"] == FilingStatus.DONE
    again = client.post(approve, {}, content_type="application/json")
    assert again.status_code == 409 and "bureau" in again.json()["detail"]


def test_metrics(client, users, orgs, helpers):
    filing = helpers.accepted_change(users)
    services.filing_approve(filing=filing, by=users.bureau)
    rows = api(client, users.bureau).get(reverse("api:filing-metrics")).json()
    total = next(r for r in rows if r["month"] is None)
    assert total["procedure"] == "change" and total["done"] == 1 and total["on_time_rate"] == 1.0
    assert client.get(reverse("api:filing-metrics"), {"year": "abc"}).status_code == 400
    assert api(client, users.org_a).get(reverse("api:filing-metrics")).status_code == 404


def test_schema_still_validates(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--lang", "en", "--file", str(tmp_path / "schema.yml"))
