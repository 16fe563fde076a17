"""Downloading search results as .xlsx and .csv; large exports as a background job."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from shezhi.audit.models import AuditEntry
from shezhi.conftest import client_for
from shezhi.jobs.models import Job
from shezhi.portal import services
from shezhi.portal.exports import COLUMNS
from shezhi.registry.models import Organization

pytestmark = pytest.mark.django_db
URL = reverse("portal:export")
HEADERS = [header for header, _ in COLUMNS]


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def _xlsx(content: bytes) -> list[tuple]:
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
    return [tuple(cell for cell in row) for row in sheet.iter_rows(values_only=True)]


def test_csv_has_chinese_headers_and_the_search_results(client, registry):
    response = client.get(URL, {"fmt": "csv", "q": "平湖"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0] == HEADERS
    assert "名称" in rows[0] and "统一社会信用代码" in rows[0] and "备案编号" in rows[0]
    assert not any("电话" in h for h in rows[0])
    names = [r[0] for r in rows[1:]]
    expected = Organization.objects.filter(
        pk__in=[registry.pinghu_elder.pk, registry.pinghu_punct.pk, registry.scope_only.pk, registry.orgs.reg_a.pk]
    )
    assert sorted(names) == sorted(o.name for o in expected)
    elder = next(r for r in rows[1:] if r[0] == registry.pinghu_elder.name)
    assert elder[1] == registry.pinghu_elder.credit_code
    assert elder[HEADERS.index("组织类型")] == "社会服务机构"
    assert elder[HEADERS.index("评估等级")] == "4A"
    assert elder[HEADERS.index("状态")] == "正常"


def test_xlsx_opens_with_headers_and_rows(client, registry):
    a = registry.areas
    response = client.get(URL, {"fmt": "xlsx", "town": a.town_b.pk})
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = _xlsx(response.content)
    assert list(rows[0]) == HEADERS
    body = rows[1:]
    assert {r[0] for r in body} == set(Organization.objects.filter(town=a.town_b).values_list("name", flat=True))
    abnormal = next(r for r in body if r[0] == registry.orgs.reg_b.name)
    assert abnormal[HEADERS.index("状态")] == "列入活动异常名录"
    assert str(abnormal[HEADERS.index("状态变更日期")])[:10] == "2024-06-01"
    for row in body:
        assert "13800138000" not in [str(c) for c in row]


def test_formula_like_text_stays_text(client, areas):
    from shezhi.testing import make_filed

    make_filed(town=areas.town_a, community=areas.community_a1, name="=HYPERLINK(1)舞蹈队")
    rows = _xlsx(client.get(URL, {"fmt": "xlsx", "q": "舞蹈队"}).content)
    assert rows[1][0] == "=HYPERLINK(1)舞蹈队"  # stored as text, not a formula
    rows = _csv(client.get(URL, {"fmt": "csv", "q": "舞蹈队"}))
    assert rows[1][0] == "'=HYPERLINK(1)舞蹈队"


def test_unknown_format_is_refused_clearly(client, registry):
    response = client.get(URL, {"fmt": "pdf"})
    assert response.status_code == 400
    assert ".xlsx" in response.content.decode()


def test_anonymous_large_export_asks_to_narrow(client, registry, monkeypatch):
    monkeypatch.setattr(services, "EXPORT_SYNC_LIMIT", 3)
    response = client.get(URL, {"fmt": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert 'id="export-too-many"' in html and "/accounts/login/" in html
    assert Job.objects.count() == 0
    assert client.post(URL, {"fmt": "xlsx"}).status_code == 302  # to the log-in page
    assert Job.objects.count() == 0


def test_logged_in_large_export_runs_as_a_job(client, users, registry, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(services, "EXPORT_SYNC_LIMIT", 3)
    client_for(client, users.resident)
    page = client.get(URL, {"fmt": "xlsx", "registration": "filed"}).content.decode()
    assert "<form" in page and 'name="registration" value="filed"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"fmt": "xlsx", "registration": "filed"})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == "done", job.error
    filed = Organization.objects.filter(registration="filed")
    assert job.result["rows"] == filed.count()
    download = client.get(reverse("jobs:download", args=[job.pk]))
    rows = _xlsx(b"".join(download.streaming_content))
    assert list(rows[0]) == HEADERS
    assert {r[0] for r in rows[1:]} == set(filed.values_list("name", flat=True))
    entry = AuditEntry.objects.get(action="organization.exported")
    assert entry.actor == users.resident and entry.changes["job"][1] == job.pk


def test_logged_in_csv_job(client, users, registry, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(services, "EXPORT_SYNC_LIMIT", 3)
    client_for(client, users.bureau)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"fmt": "csv", "q": "社区"})
    job = Job.objects.get()
    job.refresh_from_db()
    assert job.status == "done", job.error
    body = b"".join(client.get(reverse("jobs:download", args=[job.pk])).streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0] == HEADERS and len(rows) - 1 == job.result["rows"] >= 4


def test_exports_by_logged_in_users_are_audited(client, users, registry):
    client_for(client, users.town_a)
    b"".join(client.get(URL, {"fmt": "csv", "q": "平湖"}).streaming_content)
    entry = AuditEntry.objects.get(action="organization.exported")
    assert entry.actor == users.town_a
    assert entry.changes["rows"][1] == 4 and entry.changes["filters"][1]["q"] == "平湖"


def test_anonymous_exports_are_not_audited(client, registry):
    client.get(URL, {"fmt": "xlsx"})
    assert not AuditEntry.objects.filter(action="organization.exported").exists()
