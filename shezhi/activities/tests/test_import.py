"""Import of service records: the row-level report, all-or-nothing writing, who may import."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from shezhi.activities.importing import KIND_VALIDATE, KIND_WRITE, write_sheet
from shezhi.activities.models import HoursRecord, HoursSource, HoursStatus
from shezhi.audit.models import AuditAction, AuditEntry
from shezhi.jobs.models import Job
from shezhi.registry.importing import ImportAborted
from shezhi.tabular import inspect_file

pytestmark = pytest.mark.django_db
HEADER = ["志愿者编号", "证件号码", "姓名", "服务日期", "服务时长(小时)", "服务内容", "记录组织"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["志愿服务记录导入"])  # a title row above the header
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(rows) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(HEADER)
    w.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


@pytest.fixture
def people(make_vol, vorg, volunteer):
    return volunteer, make_vol(name="李四")


def upload(client, data: bytes, name: str = "records.xlsx"):
    return client.post("/activities/import/", {"file": SimpleUploadedFile(name, data)})


def test_report_then_import_the_valid_rows(client, users, people, vorg):
    v1, v2 = people
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    rows = [
        [v1.volunteer_number, "", v1.name, yesterday, 2.5, "社区环境整治", vorg.name],  # row 3 ok
        ["", v2.id_number, "", "2026/1/5", "3", "敬老院探访", vorg.credit_code],  # row 4 ok (by ID)
        ["99999999999999", "", "", yesterday, 1, "x", vorg.name],  # row 5 unknown number
        [v1.volunteer_number, v2.id_number, "", yesterday, 1, "x", vorg.name],  # row 6 two people
        [v1.volunteer_number, "", "", "明天", 1, "x", vorg.name],  # row 7 bad date
        [v1.volunteer_number, "", "", yesterday, 30, "x", vorg.name],  # row 8 > 24 h
        [v1.volunteer_number, "", "", yesterday, 1, "x", "不存在的组织"],  # row 9 unknown org
        [v1.volunteer_number, "", "", yesterday, 2.5, "社区环境整治", vorg.name],  # row 10 same as row 3
        [v1.volunteer_number, "", "错名", yesterday, 1, "y", vorg.name],  # row 11 name mismatch
        ["", "", "", yesterday, 1, "y", vorg.name],  # row 12 nobody
    ]
    client.force_login(users.bureau)
    response = upload(client, xlsx(rows))
    assert response.status_code == 302
    check = Job.objects.get(kind=KIND_VALIDATE)
    assert check.result["rows"] == 10 and check.result["valid"] == 2 and check.result["hours"] == "5.5"
    by_row = {e["row"]: e for e in check.result["errors"]}
    assert set(by_row) == {5, 6, 7, 8, 9, 10, 11, 12}
    assert by_row[5]["column"] == "志愿者编号" and by_row[5]["letter"] == "A"
    assert "不属于同一名志愿者" in by_row[6]["message"]  # the report is in the site language
    assert by_row[7]["column"] == "服务日期"
    assert by_row[9]["column"] == "记录组织"
    assert "第3行" in by_row[10]["message"]
    page = client.get(f"/activities/import/{check.pk}/").content.decode()
    assert 'data-row="5"' in page and "confirm-form" in page
    assert not HoursRecord.objects.exists()  # nothing before confirmation

    response = client.post(f"/activities/import/{check.pk}/confirm/")
    write = Job.objects.get(kind=KIND_WRITE)
    assert write.status == "done" and write.result["imported"] == 2
    records = HoursRecord.objects.order_by("served_on")
    assert [(r.volunteer_id, r.hours) for r in records] == [(v2.pk, Decimal("3")), (v1.pk, Decimal("2.5"))]
    assert {(r.source, r.status, r.decided_by_id, r.organization_id) for r in records} == {
        (HoursSource.IMPORTED, HoursStatus.CONFIRMED, users.bureau.pk, vorg.pk)
    }
    assert AuditEntry.objects.filter(action=AuditAction.HOURS_RECORDED, source=f"job:{write.pk}").count() == 1
    # Importing the same file again: the rows are refused as imported before.
    upload(client, xlsx(rows[:2]))
    again = Job.objects.filter(kind=KIND_VALIDATE).order_by("-id").first()
    assert again.result["valid"] == 0 and all("此前已导入" in e["message"] for e in again.result["errors"])


def test_the_write_is_all_or_nothing(users, people, vorg, tmp_path, monkeypatch):
    v1, _v2 = people
    path = tmp_path / "r.csv"
    path.write_bytes(csv_bytes([[v1.volunteer_number, "", "", "2026-01-05", "1", f"服务{i}", vorg.name] for i in range(7)]))
    sheet = inspect_file(path, filename="r.csv")
    from shezhi.activities.importing import validate_sheet

    report = validate_sheet(sheet, by=users.bureau)
    assert report.valid == 7
    # The database refuses the second batch: nothing at all is written.
    calls = {"n": 0}
    original = HoursRecord.objects.bulk_create

    def failing(objs, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return original(objs, *args, **kwargs)

    monkeypatch.setattr(HoursRecord.objects, "bulk_create", failing)
    with pytest.raises(ImportAborted, match="refused"):
        write_sheet(sheet, by=users.bureau, source="job:1", expected_rows=7, expected_digest=report.digest, batch_size=3)
    assert not HoursRecord.objects.exists()
    monkeypatch.undo()
    # Rows that changed since the check: refused, nothing written.
    with pytest.raises(ImportAborted, match="changed"):
        write_sheet(sheet, by=users.bureau, source="job:1", expected_rows=6, expected_digest="x")
    assert not HoursRecord.objects.exists()
    write_sheet(sheet, by=users.bureau, source="job:1", expected_rows=7, expected_digest=report.digest, batch_size=3)
    assert HoursRecord.objects.count() == 7


def test_a_town_officer_imports_for_the_organizations_of_the_town(client, users, people, vorg, orgs):
    v1, _ = people
    rows = [
        [v1.volunteer_number, "", "", "2026-01-05", "1", "服务", vorg.name],  # 当湖街道: ok for town_a
        [v1.volunteer_number, "", "", "2026-01-06", "1", "服务", orgs.reg_b.name],  # 乍浦镇: outside
    ]
    client.force_login(users.town_a)
    upload(client, csv_bytes(rows), "r.csv")
    check = Job.objects.get(kind=KIND_VALIDATE)
    assert check.result["valid"] == 1 and check.result["errors"][0]["row"] == 3


def test_file_problems_are_reported(client, users):
    client.force_login(users.bureau)
    bad = client.post("/activities/import/", {"file": SimpleUploadedFile("r.xlsx", b"not a workbook")})
    assert bad.status_code == 400
    upload(client, csv_bytes([]).replace("服务内容".encode(), b"x").replace("服务日期".encode(), b"y"), "r.csv")
    check = Job.objects.get(kind=KIND_VALIDATE)
    assert "服务日期" in check.result["file_error"]


@pytest.mark.parametrize("role", ["department", "community_a1", "org_a", "reviewer", "resident", "town_b"])
def test_others_cannot_see_or_confirm(client, users, role, people, vorg):
    v1, _ = people
    client.force_login(users.bureau)
    upload(client, csv_bytes([[v1.volunteer_number, "", "", "2026-01-05", "1", "服务", vorg.name]]), "r.csv")
    check = Job.objects.get(kind=KIND_VALIDATE)
    client.force_login(getattr(users, role))
    assert client.get(f"/activities/import/{check.pk}/").status_code == 404
    assert client.post(f"/activities/import/{check.pk}/confirm/").status_code == 404
    assert not HoursRecord.objects.exists()


def test_template_downloads(client, users):
    client.force_login(users.town_a)
    assert client.get("/activities/import/template.xlsx").status_code == 200
    text = b"".join(client.get("/activities/import/template.csv").streaming_content).decode("utf-8-sig")
    assert text.startswith("志愿者编号,证件号码")
    assert client.get("/activities/import/template.pdf").status_code == 404
