"""Import of volunteers: row-level report, duplicates, nothing written before confirmation,
all or nothing."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from shezhi.audit.models import AuditAction, AuditEntry
from shezhi.jobs.models import Job
from shezhi.tabular import inspect_file
from shezhi.volunteers.importing import COLUMNS, KIND_VALIDATE, KIND_WRITE, ImportAborted, validate_sheet, write_sheet
from shezhi.volunteers.models import Volunteer
from shezhi.volunteers.testing import make_id_number, make_volunteer

pytestmark = pytest.mark.django_db
HEADERS = [c.header for c in COLUMNS]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def row(**values):
    base = {
        "姓名": "孙丽",
        "证件类型": "居民身份证",
        "证件号码": make_id_number(born=dt.date(1988, 8, 8), male=False),
        "手机号码": "13600001111",
        "镇街道": "当湖街道",
        "社区": "东湖社区",
        "技能特长": "摄影摄像",
        "服务时间": "周末",
        "注册日期": "2024-03-05",
    }
    base.update(values)
    return [base.get(h, "") for h in HEADERS]


def make_csv(path, rows, headers=HEADERS):
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def make_xlsx(path, rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["平湖市志愿者名册"])  # a title row above the header
    ws.append(HEADERS)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_report_by_row_and_column_with_duplicates(users, areas, vols, tmp_path):
    same = make_id_number(born=dt.date(1977, 7, 7))
    bad = make_id_number(born=dt.date(1979, 1, 1))
    bad = bad[:17] + ("0" if bad[17] != "0" else "1")
    rows = [
        row(**{"姓名": "甲", "证件号码": same}),  # 2 ok
        row(**{"姓名": "乙", "证件号码": same}),  # 3 duplicate in file
        row(**{"姓名": "丙", "证件号码": vols.b1.id_number}),  # 4 already registered
        row(**{"姓名": "丁", "证件号码": bad}),  # 5 check digit
        row(**{"姓名": "戊", "镇街道": "不存在镇"}),  # 6 unknown town
        row(**{"姓名": "己", "技能特长": "飞行"}),  # 7 unknown skill
        row(**{"姓名": "庚", "证件号码": make_id_number(born=dt.date(2015, 1, 1))}),  # 8 minor without guardian
        row(**{"姓名": "辛", "证件类型": "护照", "证件号码": "E11223344", "出生日期": "1980年1月2日", "性别": "男"}),  # 9 ok
    ]
    sheet = inspect_file(make_csv(tmp_path / "v.csv", rows), filename="v.csv")
    report = validate_sheet(sheet, by=users.bureau, batch_size=3)
    assert (report.rows, report.valid, report.invalid_rows) == (8, 2, 6)
    by_row = {}
    for e in report.errors:
        by_row.setdefault(e["row"], []).append(e)
    assert by_row[3][0]["column"] == "证件号码" and "Row 2 of this file" in by_row[3][0]["message"]
    assert vols.b1.volunteer_number in by_row[4][0]["message"] and by_row[4][0]["existing_id"] == vols.b1.pk
    assert "check character" in by_row[5][0]["message"]
    assert by_row[6][0]["column"] == "镇街道" and by_row[6][0]["letter"] == "G"
    assert by_row[7][0]["column"] == "技能特长"
    assert {e["column"] for e in by_row[8]} >= {"监护人姓名", "监护人电话", "监护人同意日期"}
    assert not Volunteer.objects.filter(name__in=["甲", "辛"]).exists()  # nothing written by a check
    for e in report.errors:
        assert same not in e["message"] and bad not in e["message"] and vols.b1.id_number not in e["message"]


def test_write_pass_writes_valid_rows_with_numbers_and_audit(users, areas, tmp_path):
    rows = [row(**{"姓名": f"导入{i}", "证件号码": make_id_number(born=dt.date(1990, 1, 1), sequence=300 + i)}) for i in range(7)]
    rows.append(row(**{"姓名": "坏", "镇街道": ""}))
    sheet = inspect_file(make_xlsx(tmp_path / "v.xlsx", rows), filename="v.xlsx")
    report = validate_sheet(sheet, by=users.town_a)
    assert report.header_row == 2 and report.valid == 7
    counts = write_sheet(
        sheet, by=users.town_a, source="job:1", expected_rows=7, expected_digest=report.digest, batch_size=3, filename="v.xlsx"
    )
    assert counts["imported"] == 7
    imported = Volunteer.objects.filter(name__startswith="导入").order_by("volunteer_number")
    assert [v.volunteer_number for v in imported] == [f"330482{n:08d}" for n in range(1, 8)]
    assert all(v.registered_by == users.town_a and v.skills.count() == 1 for v in imported)
    assert AuditEntry.objects.filter(action=AuditAction.VOLUNTEER_REGISTERED, source="job:1").count() == 7
    assert AuditEntry.objects.filter(action=AuditAction.VOLUNTEERS_IMPORTED).count() == 1


def test_town_officer_imports_own_town_only(users, areas, tmp_path):
    sheet = inspect_file(make_csv(tmp_path / "v.csv", [row(**{"镇街道": "乍浦镇", "社区": ""})]), filename="v.csv")
    report = validate_sheet(sheet, by=users.town_a)
    assert report.valid == 0 and "outside your area" in report.errors[0]["message"]


def test_write_is_all_or_nothing_when_the_data_changed(users, areas, tmp_path):
    ids = [make_id_number(born=dt.date(1991, 1, 1), sequence=400 + i) for i in range(5)]
    sheet = inspect_file(
        make_csv(tmp_path / "v.csv", [row(**{"姓名": f"原子{i}", "证件号码": n}) for i, n in enumerate(ids)]), filename="v.csv"
    )
    report = validate_sheet(sheet, by=users.bureau)
    assert report.valid == 5
    make_volunteer(town=areas.town_b, id_number=ids[3])  # someone registered one of them meanwhile
    with pytest.raises(ImportAborted) as exc:
        write_sheet(sheet, by=users.bureau, source="job:2", expected_rows=5, expected_digest=report.digest, batch_size=2)
    assert "Nothing was imported" in str(exc.value) and "row 5" in str(exc.value)
    assert not Volunteer.objects.filter(name__startswith="原子").exists()


def test_web_flow_upload_check_confirm(client, users, areas, tmp_path):
    client.force_login(users.bureau)
    rows = [row(**{"姓名": f"网页{i}", "证件号码": make_id_number(born=dt.date(1992, 2, 2), sequence=500 + i)}) for i in range(3)]
    rows.append(row(**{"姓名": "坏行", "注册日期": "某天"}))
    path = make_csv(tmp_path / "web.csv", rows)
    response = client.post(reverse("volunteers:import"), {"file": SimpleUploadedFile("web.csv", path.read_bytes(), "text/csv")})
    check = Job.objects.get(kind=KIND_VALIDATE)
    assert response.url == reverse("volunteers:import_detail", args=[check.pk])
    page = client.get(response.url).content.decode()
    assert 'id="confirm-form"' in page and 'data-row="5"' in page
    assert not Volunteer.objects.filter(name__startswith="网页").exists()
    # someone else cannot see or confirm it
    client.force_login(users.town_a)
    assert client.get(reverse("volunteers:import_detail", args=[check.pk])).status_code == 404
    assert client.post(reverse("volunteers:import_confirm", args=[check.pk])).status_code == 404
    client.force_login(users.bureau)
    response = client.post(reverse("volunteers:import_confirm", args=[check.pk]))
    write = Job.objects.get(kind=KIND_WRITE)
    assert write.status == "done" and write.result["imported"] == 3
    assert Volunteer.objects.filter(name__startswith="网页").count() == 3
    # confirming twice does nothing more
    client.post(reverse("volunteers:import_confirm", args=[check.pk]))
    assert Job.objects.filter(kind=KIND_WRITE).count() == 1
    # the upload (personal data) is gone after the write
    assert not list((tmp_path / "media" / "imports").glob("*"))


def test_refused_files_say_why(client, users, tmp_path):
    client.force_login(users.bureau)
    response = client.post(reverse("volunteers:import"), {"file": SimpleUploadedFile("x.pdf", b"%PDF-1.4", "application/pdf")})
    assert response.status_code == 400
    path = make_csv(tmp_path / "h.csv", [["a", "b", "c"]], headers=["姓名", "证件号码", "住址"])
    client.post(reverse("volunteers:import"), {"file": SimpleUploadedFile("h.csv", path.read_bytes(), "text/csv")})
    job = Job.objects.get(kind=KIND_VALIDATE)
    assert "镇街道" in job.result["file_error"] and job.result["valid"] == 0


def test_template_downloads_check_clean(client, users, tmp_path):
    client.force_login(users.bureau)
    response = client.get(reverse("volunteers:import_template", args=["xlsx"]))
    path = tmp_path / "t.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    report = validate_sheet(inspect_file(path, filename="t.xlsx"), by=users.bureau)
    assert report.valid == 1, report.errors
