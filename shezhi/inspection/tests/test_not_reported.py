"""Organizations that have not reported: the rule as a query, per town, at any date; pages and export."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from shezhi.audit.models import AuditEntry
from shezhi.inspection.rules import RulesBook, annual_report_obligation
from shezhi.inspection.selectors import not_reported_by_town, not_reported_queryset, organizations_not_reported
from shezhi.registry.models import Organization, OrganizationStatus
from shezhi.registry.services import organization_set_status

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 6, 15)


def names(qs):
    return {o.name for o in qs}


def test_the_list_follows_the_rules(orgs, users, make_org, record_result):
    young = make_org(founded_on=dt.date(2025, 8, 1), name="新成立协会")
    reported = make_org(name="已报送协会")
    record_result(reported, 2025, reported_on=dt.date(2026, 4, 1))
    gone = organization_set_status(organization=make_org(name="已注销协会"), status=OrganizationStatus.DEREGISTERED, by=None, reason="x")
    missing = names(organizations_not_reported(users.bureau, year=2025, as_of=AS_OF))
    assert missing == {orgs.reg_a.name, orgs.reg_b.name}
    assert young.name not in missing and reported.name not in missing and gone.name not in missing
    assert orgs.filed_a.name not in missing  # filed organizations do not report to the bureau
    assert orgs.reg_other.name not in missing  # another city


def test_at_any_moment(make_org, users, record_result):
    org = make_org(name="按时报送协会")
    record_result(org, 2025, reported_on=dt.date(2026, 4, 10))
    assert org.name in names(organizations_not_reported(users.bureau, year=2025, as_of=dt.date(2026, 4, 9)))
    assert org.name not in names(organizations_not_reported(users.bureau, year=2025, as_of=dt.date(2026, 4, 10)))


def test_overdue_only_uses_each_forms_deadline(make_org, users, rules):
    rules.foundation_bureau_due = "03-31"
    rules.save()
    foundation = make_org(legal_form="foundation", name="测试基金会")
    agency = make_org(legal_form="social_service_agency", name="测试服务中心")
    overdue = names(organizations_not_reported(users.bureau, year=2025, as_of=dt.date(2026, 4, 1), overdue_only=True))
    assert foundation.name in overdue and agency.name not in overdue
    on_deadline = names(organizations_not_reported(users.bureau, year=2025, as_of=dt.date(2026, 3, 31), overdue_only=True))
    assert foundation.name not in on_deadline


def test_town_officer_sees_own_town(orgs, users):
    assert names(organizations_not_reported(users.town_a, year=2025, as_of=AS_OF)) == {orgs.reg_a.name}


@pytest.mark.parametrize("who", ["community_a1", "department", "org_a", "reviewer", "resident"])
def test_other_roles_see_nothing(users, orgs, who):
    assert not organizations_not_reported(getattr(users, who), year=2025, as_of=AS_OF).exists()


def test_counts_per_town(orgs, users, make_org, record_result):
    record_result(make_org(name="当湖已报"), 2025)
    counts = {c.town.name: (c.obliged, c.not_reported, c.reported) for c in not_reported_by_town(users.bureau, year=2025, as_of=AS_OF)}
    assert counts == {"当湖街道": (2, 1, 1), "乍浦镇": (1, 1, 0)}
    assert [c.town.name for c in not_reported_by_town(users.town_b, year=2025, as_of=AS_OF)] == ["乍浦镇"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(founded=st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2026, 1, 10)), months=st.integers(min_value=0, max_value=12))
def test_query_agrees_with_the_rule_function(areas, rules, founded, months):
    """The list's filter and annual_report_obligation are two writings of one rule."""
    rules.exemption_months = months
    rules.save()
    org = Organization.objects.filter(name="规则一致性测试").first()
    if org is None:
        from shezhi.testing import make_registered

        org = make_registered(town=areas.town_a, name="规则一致性测试", founded_on=founded)
    else:
        Organization.objects.filter(pk=org.pk).update(founded_on=founded)
        org.refresh_from_db()
    in_list = not_reported_queryset(Organization.objects.filter(pk=org.pk), year=2025, as_of=AS_OF, book=RulesBook.load()).exists()
    assert in_list == annual_report_obligation(org, 2025, rules=rules).required


class TestPage:
    url = reverse("inspection:not_reported")

    def test_bureau_sees_towns_and_list(self, client, orgs, users):
        client.force_login(users.bureau)
        response = client.get(self.url, {"year": 2025, "as_of": AS_OF.isoformat()})
        assert response.status_code == 200
        assert {c.town.name for c in response.context["counts"]} == {"当湖街道", "乍浦镇"}
        assert names(response.context["page"].object_list) == {orgs.reg_a.name, orgs.reg_b.name}
        row = next(o for o in response.context["page"].object_list if o.pk == orgs.reg_a.pk)
        assert row.report_due == dt.date(2026, 5, 31) and row.report_overdue

    def test_town_filter(self, client, orgs, users, areas):
        client.force_login(users.bureau)
        response = client.get(self.url, {"year": 2025, "as_of": AS_OF.isoformat(), "town": areas.town_b.pk})
        assert names(response.context["page"].object_list) == {orgs.reg_b.name}

    def test_town_officer_cannot_widen_the_scope(self, client, orgs, users, areas):
        client.force_login(users.town_a)
        response = client.get(self.url, {"year": 2025, "as_of": AS_OF.isoformat(), "town": areas.town_b.pk})
        assert response.status_code == 200 and names(response.context["page"].object_list) == set()

    @pytest.mark.parametrize("who", ["community_a1", "department", "org_a", "reviewer", "resident"])
    def test_forbidden_is_404(self, client, users, who):
        client.force_login(getattr(users, who))
        assert client.get(self.url).status_code == 404
        assert client.get(reverse("inspection:not_reported_export")).status_code == 404

    def test_anonymous_goes_to_login(self, client, areas):
        assert client.get(self.url).status_code == 302

    def test_bad_parameters_give_a_message_not_an_error(self, client, users, orgs):
        client.force_login(users.bureau)
        response = client.get(self.url, {"year": "abc", "as_of": "2026-13-45", "town": "x", "page": "zz"})
        assert response.status_code == 200
        assert set(response.context["filters"].errors) == {"year", "as_of", "town"}
        future = client.get(self.url, {"year": "2030", "as_of": "2026-06-01"})
        assert future.status_code == 200 and "year" in future.context["filters"].errors and future.context["year"] == 2025

    def test_default_year_is_the_previous_one(self, client, users, orgs):
        client.force_login(users.bureau)
        response = client.get(self.url, {"as_of": "2026-02-01"})
        assert response.context["year"] == 2025

    def test_query_count_does_not_grow_with_rows(self, client, users, make_org, areas, django_assert_max_num_queries):
        for i in range(40):
            make_org(town=areas.town_a if i % 2 else areas.town_b, name=f"批量协会{i}")
        client.force_login(users.bureau)
        with django_assert_max_num_queries(10):
            response = client.get(self.url, {"year": 2025, "as_of": AS_OF.isoformat()})
        assert response.context["page"].paginator.count == 42  # and the two of the `orgs` fixture
        assert len(response.context["page"].object_list) == 25

    def test_export_xlsx(self, client, users, orgs, make_org):
        make_org(name="=危险公式协会")
        client.force_login(users.bureau)
        response = client.get(reverse("inspection:not_reported_export"), {"year": 2025, "as_of": AS_OF.isoformat()})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][:2] == ("名称", "统一社会信用代码")
        exported = {r[0] for r in rows[1:]}
        assert exported == {orgs.reg_a.name, orgs.reg_b.name, "'=危险公式协会"}
        assert all(r[-1] == "是" for r in rows[1:])
        entry = AuditEntry.objects.get(action="organization.exported", source="inspection:not_reported")
        assert entry.changes["rows"] == 3 and entry.actor == users.bureau

    def test_town_export_is_its_own(self, client, users, orgs):
        client.force_login(users.town_b)
        response = client.get(reverse("inspection:not_reported_export"), {"year": 2025, "as_of": AS_OF.isoformat()})
        rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
        assert [r[0] for r in rows[1:]] == [orgs.reg_b.name]


def test_large_export_runs_as_a_job(client, users, orgs, settings, tmp_path, monkeypatch):
    from shezhi.inspection import views
    from shezhi.jobs.models import Job

    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(views, "EXPORT_INLINE_MAX", 1)
    client.force_login(users.bureau)
    response = client.get(reverse("inspection:not_reported_export"), {"year": 2025, "as_of": AS_OF.isoformat()})
    job = Job.objects.get(kind="inspection.not_reported_export")
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert (job.status, job.result["rows"], job.total) == ("done", 2, 2)
    download = client.get(reverse("jobs:download", args=[job.pk]))
    rows = list(load_workbook(io.BytesIO(b"".join(download.streaming_content))).active.iter_rows(values_only=True))
    assert {r[0] for r in rows[1:]} == {orgs.reg_a.name, orgs.reg_b.name}
    client.force_login(users.town_a)
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404
