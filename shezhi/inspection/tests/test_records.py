"""Recording annual inspection results: once per organization and year, late flag, audit."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from shezhi.audit.models import AuditEntry
from shezhi.inspection.models import AnnualInspection
from shezhi.inspection.services import annual_inspection_record

pytestmark = pytest.mark.django_db


def record(org, by, **extra):
    data = {"year": 2025, "result": "qualified", "reported_on": dt.date(2026, 4, 1), "decided_on": dt.date(2026, 4, 20)}
    data.update(extra)
    return annual_inspection_record(organization=org, by=by, **data)


def test_records_result_with_audit(make_org, users):
    org = make_org()
    row = record(org, users.bureau, filing_number="BJ2026000001")
    assert (row.year, row.result, row.late, row.decided_by) == (2025, "qualified", False, users.bureau)
    entry = AuditEntry.objects.get(target_type="registry.organization", target_id=str(org.pk), action="inspection.recorded")
    assert entry.changes["annual_inspection_2025"] == [None, "qualified"]
    assert entry.source == "filing:BJ2026000001"


@pytest.mark.parametrize(("chinese", "code"), [("合格", "qualified"), ("基本合格", "basically_qualified"), ("不合格", "unqualified")])
def test_chinese_results_are_understood(make_org, users, chinese, code):
    assert record(make_org(), users.bureau, result=chinese).result == code


def test_unknown_result_is_refused(make_org, users):
    with pytest.raises(ValidationError) as err:
        record(make_org(), users.bureau, result="优秀")
    assert "result" in err.value.message_dict


def test_second_result_for_the_same_year_is_refused_clearly(make_org, users):
    org = make_org()
    record(org, users.bureau)
    with pytest.raises(ValidationError) as err:
        record(org, users.bureau, result="unqualified")
    assert "already recorded" in err.value.messages[0]
    assert AnnualInspection.objects.filter(organization=org).count() == 1


@pytest.mark.parametrize(("reported_on", "late"), [(dt.date(2026, 5, 31), False), (dt.date(2026, 6, 1), True)])
def test_late_flag_from_the_submission_date(make_org, users, reported_on, late):
    row = record(make_org(), users.bureau, reported_on=reported_on, decided_on=dt.date(2026, 6, 10))
    assert row.late is late


def test_only_past_years(make_org, users):
    with pytest.raises(ValidationError):
        record(make_org(), users.bureau, year=2026, decided_on=dt.date(2026, 6, 1))


def test_filed_organizations_have_no_inspection(orgs, users):
    with pytest.raises(ValidationError):
        record(orgs.filed_a, users.bureau)


def test_decision_before_the_report_is_refused(make_org, users):
    with pytest.raises(ValidationError) as err:
        record(make_org(), users.bureau, reported_on=dt.date(2026, 5, 1), decided_on=dt.date(2026, 4, 1))
    assert "reported_on" in err.value.message_dict


def test_history_snippet_lists_results(client, make_org, users, record_result):
    org = make_org()
    users.bureau  # noqa: B018
    record_result(org, 2024, "basically_qualified")
    record_result(org, 2023, "qualified")
    client.force_login(users.bureau)
    response = client.get(f"/inspection/organizations/{org.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r.year for r in rows] == [2024, 2023]
    assert response.context["obligation"].required
    assert [a.code for a in response.context["attachments"]] == ["rectification_report"]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("bureau", 200),
        ("town_a", 200),
        ("community_a1", 200),
        ("org_a", 200),
        ("town_b", 404),
        ("reviewer", 404),
        ("resident", 404),
        ("other_bureau", 404),
    ],
)
def test_history_page_follows_registry_visibility(client, users, orgs, who, status):
    client.force_login(getattr(users, who))
    assert client.get(f"/inspection/organizations/{orgs.reg_a.pk}/").status_code == status


def test_organization_is_offered_the_online_report(client, users, orgs):
    client.force_login(users.org_a)
    response = client.get(f"/inspection/organizations/{orgs.reg_a.pk}/")
    assert response.context["file_url"] == "/affairs/new/annual-report/"
    client.force_login(users.bureau)
    response = client.get(f"/inspection/organizations/{orgs.reg_a.pk}/")
    assert response.context["file_url"] == "" and response.context["can_open_rating"]
