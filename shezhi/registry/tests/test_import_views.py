"""The import pages over HTTP: who may use them, the upload → report → confirm flow, template."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from shezhi.jobs.models import Job
from shezhi.registry.importing import KIND_VALIDATE, KIND_WRITE, import_begin, run_validation
from shezhi.registry.models import Organization
from shezhi.registry.tests.test_import_support import HEADER, as_lists, filed_row, make_xlsx, registered_row, stored

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def login(client, user):
    client.force_login(user)
    return client


def upload(client, path, name=None):
    with open(path, "rb") as fh:
        return client.post(
            reverse("registry:import"), {"file": SimpleUploadedFile(name or path.name, fh.read())}, HTTP_ACCEPT_LANGUAGE="en"
        )


def xlsx_with_bad_rows(tmp_path):
    rows = [
        filed_row(),
        filed_row(**{"名称": "东湖社区邻里互助会"}),  # already in the registry
        filed_row(**{"名称": "日期不明", "成立/备案日期": "去年"}),
        registered_row(1),
    ]
    return make_xlsx(tmp_path / "组织名录.xlsx", as_lists(rows), title_rows=[["当湖街道社会组织名录"]])


class TestAccess:
    @pytest.mark.parametrize("name", ["department", "community_a1", "org_a", "reviewer", "resident"])
    def test_other_roles_get_404_everywhere(self, client, users, tmp_path, name):
        job = import_begin(upload=stored(xlsx_with_bad_rows(tmp_path)), filename="a.xlsx", by=users.bureau, enqueue=False)
        c = login(client, getattr(users, name))
        assert c.get(reverse("registry:import")).status_code == 404
        assert c.post(reverse("registry:import")).status_code == 404
        assert c.get(reverse("registry:import_template", args=["xlsx"])).status_code == 404
        assert c.get(reverse("registry:import_detail", args=[job.pk])).status_code == 404
        assert c.post(reverse("registry:import_confirm", args=[job.pk])).status_code == 404

    def test_anonymous_is_sent_to_log_in(self, client, db):
        response = client.get(reverse("registry:import"))
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]

    def test_someone_elses_import_is_not_found(self, client, users, tmp_path):
        job = import_begin(upload=stored(xlsx_with_bad_rows(tmp_path)), filename="a.xlsx", by=users.bureau, enqueue=False)
        run_validation(job)
        for user in (users.other_bureau, users.town_a):
            c = login(client, user)
            assert c.get(reverse("registry:import_detail", args=[job.pk])).status_code == 404
            assert c.post(reverse("registry:import_confirm", args=[job.pk])).status_code == 404
            assert c.get(reverse("jobs:download", args=[job.pk])).status_code == 404
        assert not Job.objects.filter(kind=KIND_WRITE).exists()

    def test_other_kinds_of_job_are_not_import_pages(self, client, users):
        from shezhi.jobs.services import job_create

        job = job_create(kind="registry.export", title="x", by=users.bureau)
        assert login(client, users.bureau).get(reverse("registry:import_detail", args=[job.pk])).status_code == 404


class TestFlow:
    def test_upload_report_confirm(self, client, users, orgs, tmp_path):
        c = login(client, users.bureau)
        page = c.get(reverse("registry:import"))
        assert page.status_code == 200 and "统一社会信用代码" in page.content.decode()

        response = upload(c, xlsx_with_bad_rows(tmp_path))
        check = Job.objects.get(kind=KIND_VALIDATE)
        assert response.status_code == 302 and response["Location"] == reverse("registry:import_detail", args=[check.pk])
        with translation.override("en"):
            report = c.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
        html = report.content.decode()
        assert report.status_code == 200
        assert check.result["valid"] == 2 and check.result["invalid_rows"] == 2 and check.result["header_row"] == 2
        assert 'data-row="4"' in html and "already registered or filed in this town" in html
        assert 'data-row="5"' in html and "去年" in html
        assert reverse("registry:detail", args=[orgs.filed_a.pk]) in html  # link to the record it duplicates
        assert reverse("jobs:download", args=[check.pk]) in html
        assert 'id="confirm-form"' in html
        assert not Organization.objects.filter(name="东湖社区读书会").exists()  # nothing before confirming

        confirmed = c.post(reverse("registry:import_confirm", args=[check.pk]))
        write = Job.objects.get(kind=KIND_WRITE)
        assert confirmed["Location"] == reverse("registry:import_detail", args=[write.pk])
        result = c.get(confirmed["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert 'id="import-result"' in result and "2 organizations were imported" in result
        assert Organization.objects.filter(name__in=["东湖社区读书会", "平湖市示范社会服务中心1"]).count() == 2

        # The report no longer offers to import again; a second POST is refused.
        again = c.get(reverse("registry:import_detail", args=[check.pk])).content.decode()
        assert 'id="confirm-form"' not in again
        c.post(reverse("registry:import_confirm", args=[check.pk]))
        assert Job.objects.filter(kind=KIND_WRITE).count() == 1

        download = c.get(reverse("jobs:download", args=[check.pk]))
        assert download.status_code == 200
        sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True).worksheets[0]
        assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == [4, 5]

    def test_a_failed_write_says_nothing_was_imported_and_may_be_retried(self, client, users, tmp_path, monkeypatch):
        from shezhi.registry import importing

        def broken(**kwargs):
            raise RuntimeError("connection lost")

        c = login(client, users.bureau)
        check = c.get(upload(c, xlsx_with_bad_rows(tmp_path))["Location"])
        check_job = Job.objects.get(kind=KIND_VALIDATE)
        assert check.status_code == 200
        monkeypatch.setattr(importing, "organization_bulk_register", broken)
        failed = c.post(reverse("registry:import_confirm", args=[check_job.pk]))
        html = c.get(failed["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert 'id="import-failed"' in html and "Nothing was imported" in html and "connection lost" in html
        assert not Organization.objects.filter(name="东湖社区读书会").exists()
        # The check's report offers the import again.
        assert 'id="confirm-form"' in c.get(reverse("registry:import_detail", args=[check_job.pk])).content.decode()

    def test_bad_file_is_refused_on_the_form(self, client, users, tmp_path):
        path = tmp_path / "fake.xlsx"
        path.write_text("名称,镇街道\n", encoding="utf-8")
        response = upload(login(client, users.bureau), path)
        assert response.status_code == 400
        assert "not an Excel workbook" in response.content.decode()
        assert not Job.objects.exists()

    def test_file_over_the_limit_is_refused(self, client, users, tmp_path, settings):
        settings.IMPORT_MAX_UPLOAD_BYTES = 100
        response = upload(login(client, users.bureau), xlsx_with_bad_rows(tmp_path))
        assert response.status_code == 400 and "larger than the limit" in response.content.decode()

    def test_missing_columns_are_one_clear_message(self, client, users, tmp_path):
        path = make_xlsx(tmp_path / "x.xlsx", [["名称", "住所"], ["甲", "乙"]])
        c = login(client, users.bureau)
        response = upload(c, path)
        html = c.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert 'id="file-error"' in html and "登记/备案、镇街道" in html and 'id="confirm-form"' not in html

    def test_polling_refreshes_the_page_when_done(self, client, users, tmp_path):
        c = login(client, users.bureau)
        job = import_begin(upload=stored(xlsx_with_bad_rows(tmp_path)), filename="a.xlsx", by=users.bureau, enqueue=False)
        running = c.get(reverse("registry:import_detail", args=[job.pk]), HTTP_HX_REQUEST="true")
        assert 'id="import-progress"' in running.content.decode() and "HX-Refresh" not in running
        page = c.get(reverse("registry:import_detail", args=[job.pk])).content.decode()
        assert 'id="import-progress"' in page
        run_validation(job)
        done = c.get(reverse("registry:import_detail", args=[job.pk]), HTTP_HX_REQUEST="true")
        assert done["HX-Refresh"] == "true"

    def test_town_officer_sees_rows_of_other_towns_refused(self, client, users, tmp_path):
        rows = [filed_row(), filed_row(**{"名称": "乍浦读书会", "镇街道": "乍浦镇", "社区": "乍浦社区"})]
        c = login(client, users.town_a)
        response = upload(c, make_xlsx(tmp_path / "t.xlsx", as_lists(rows)))
        html = c.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "outside your area" in html
        c.post(reverse("registry:import_confirm", args=[Job.objects.get(kind=KIND_VALIDATE).pk]))
        assert Organization.objects.filter(name="东湖社区读书会").exists()
        assert not Organization.objects.filter(name="乍浦读书会").exists()

    def test_recent_imports_list_is_paginated_and_bounded_in_queries(self, client, users, tmp_path, django_assert_max_num_queries):
        path = xlsx_with_bad_rows(tmp_path)
        for i in range(12):
            import_begin(upload=stored(path), filename=f"f{i}.xlsx", by=users.bureau, enqueue=False)
        c = login(client, users.bureau)
        with django_assert_max_num_queries(8):
            html = c.get(reverse("registry:import")).content.decode()
        assert "f11.xlsx" in html and "f1.xlsx" not in html.replace("f11.xlsx", "").replace("f10.xlsx", "")
        assert "f0.xlsx" in c.get(reverse("registry:import") + "?page=2").content.decode()


class TestTemplate:
    def test_xlsx_template_has_headers_notes_and_a_valid_example(self, client, users, tmp_path):
        response = login(client, users.bureau).get(reverse("registry:import_template", args=["xlsx"]))
        assert response.status_code == 200
        assert "attachment" in response["Content-Disposition"]
        path = tmp_path / "template.xlsx"
        path.write_bytes(b"".join(response.streaming_content))
        workbook = load_workbook(path)
        assert workbook.sheetnames == ["社会组织", "填写说明"]
        rows = list(workbook.worksheets[0].iter_rows(values_only=True))
        assert list(rows[0]) == HEADER and len(rows) == 2
        # The example row passes the check as it stands.
        job = import_begin(upload=stored(path), filename="template.xlsx", by=users.bureau, enqueue=False)
        report = run_validation(job)
        assert (report.rows, report.valid) == (1, 1), report.errors

    def test_csv_template(self, client, users):
        response = login(client, users.town_a).get(reverse("registry:import_template", args=["csv"]))
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0] == HEADER and rows[1][HEADER.index("镇街道")] == "当湖街道"

    def test_unknown_format_is_404(self, client, users):
        assert login(client, users.bureau).get(reverse("registry:import_template", args=["pdf"])).status_code == 404
