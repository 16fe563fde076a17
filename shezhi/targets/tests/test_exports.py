"""The dashboard's exports: the .xlsx workbook (a sheet per view, the same figures as the
dashboard), the PDF report (Chinese text in an embedded font), the background job behind
both, who may start one, and the management command that runs the same work by hand."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook
from pypdf import PdfReader

from shezhi.conftest import client_for
from shezhi.jobs.models import Job, JobStatus
from shezhi.registry.models import HubKind
from shezhi.targets import exports, panels, report, tasks
from shezhi.targets.models import Target
from shezhi.targets.selectors import COMMUNITY_VIEW_INDICATORS, area_view, below_the_line
from shezhi.testing import make_filed, make_registered

ON = dt.date(2024, 12, 31)


@pytest.fixture
def world(areas, orgs):
    """Figures that are not all zero: community organizations in two communities over the
    years, a hub of town A, a social work agency serving one urban community."""
    for n in range(6):
        make_filed(town=areas.town_a, community=areas.community_a1, founded_on=dt.date(2019 + n % 4, 3, 1))
    for n in range(3):
        make_filed(town=areas.town_a, community=areas.community_a2, founded_on=dt.date(2021, 5 + n, 1))
    make_registered(town=areas.town_a, founded_on=dt.date(2018, 1, 1), hub_kind=HubKind.HUB, hub_area=areas.town_a)
    make_registered(
        town=areas.town_b,
        founded_on=dt.date(2018, 1, 1),
        is_social_work_agency=True,
        served_communities=[areas.community_a1],
    )
    return areas


def export_url(area, **params) -> str:
    from urllib.parse import urlencode

    return reverse("targets:export", args=[area.pk]) + (f"?{urlencode(params)}" if params else "")


def start(client, user, area, fmt, capture, **params) -> Job:
    """Start an export through the page as `user` and return its (finished) job."""
    client_for(client, user)
    with capture(execute=True):
        response = client.get(export_url(area, fmt=fmt, on=ON.isoformat(), **params))
    assert response.status_code == 302
    job = Job.objects.get(kind=tasks.JOB_KIND, created_by=user)
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    return job


def download(client, job: Job) -> bytes:
    response = client.get(reverse("jobs:download", args=[job.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def sheet_rows(ws) -> list[tuple]:
    """The data rows under the headers (row 3)."""
    return [r for r in ws.iter_rows(min_row=4, values_only=True) if any(v is not None for v in r)]


def num(value) -> float | None:
    return None if value is None else float(value)


def day(value) -> dt.date | None:
    return value.date() if isinstance(value, dt.datetime) else value


# --- the workbook ----------------------------------------------------------------------------


class TestWorkbook:
    def test_the_city_workbook_has_a_sheet_per_view_with_the_dashboards_figures(
        self, client, users, world, django_capture_on_commit_callbacks
    ):
        job = start(client, users.bureau, world.city, "xlsx", django_capture_on_commit_callbacks)
        job.refresh_from_db()
        assert job.status == JobStatus.DONE and job.percent == 100
        assert job.result["filename"] == f"平湖市-总体目标-{ON.isoformat()}.xlsx"
        page = client.get(reverse("jobs:detail", args=[job.pk]))
        assert page.status_code == 200 and reverse("jobs:download", args=[job.pk]) in page.content.decode()
        wb = load_workbook(io.BytesIO(download(client, job)))
        view = area_view(world.city, ON)
        community_rows = [r for r in view.rows if r.target.indicator in COMMUNITY_VIEW_INDICATORS]
        panel = panels.second_panel(world.city, ON)
        expected = ["总体目标", "月度趋势", "镇街道排名", *(f"{r.code} 低于标准线" for r in community_rows)]
        assert wb.sheetnames == expected + (["业务与信用"] if panel is not None else [])
        assert [r.code for r in community_rows] == ["T2", "T3", "T4", "T5", "T6"]

        ws = wb["总体目标"]
        assert ws["A1"].value == f"平湖市 总体目标完成情况（截至 {ON.isoformat()}）"
        assert [c.value for c in ws[3]] == exports.TARGET_HEADERS
        rows = sheet_rows(ws)
        assert [r[0] for r in rows] == [r.code for r in view.rows]
        for got, row in zip(rows, view.rows, strict=True):
            assert got[1] == row.target.name
            assert num(got[2]) == num(row.actual), row.code
            assert num(got[4]) == num(row.goal), row.code
            assert day(got[5]) == row.milestone.due_on
            assert got[6] == {True: "达标", False: "未达标", None: "无数据"}[row.met]
            assert got[7] == row.gap
        t1 = rows[0]
        assert isinstance(t1[2], int) and t1[2] == 1 + 1 + 9  # the fixtures' two, this module's nine
        assert t1[3] == "个" and t1[8] == "个组织"

        trend = sheet_rows(wb["月度趋势"])
        months = [d for d, _v in view.rows[0].trend]
        assert [day(r[0]) for r in trend[: len(months)]] == months and months[-1] == ON
        for i, row in enumerate(view.rows, start=1):
            assert [num(r[i]) for r in trend[: len(months)]] == [num(v) for _d, v in row.trend], row.code
        assert trend[len(months)][0] == "目标值"

        ranking = sheet_rows(wb["镇街道排名"])
        assert [(r[0], r[1]) for r in ranking] == [(c.rank, c.area.name) for c in view.children]
        for got, child in zip(ranking, view.children, strict=True):
            assert (got[3], got[4], num(got[5])) == (child.met_count, child.judged_count, num(child.attainment))
            assert [num(v) for v in got[6:]] == [num(c.actual) for c in child.cells]

        for row in community_rows:
            below = below_the_line(view, row.target)
            got = sheet_rows(wb[f"{row.code} 低于标准线"])
            if below:
                assert [(r[1], r[5], num(r[6]), r[7]) for r in got] == [(b.area.name, b.actual, num(b.line), b.short_by) for b in below]
            else:
                assert got == [(None, "无（均达到标准线）", None, None, None, None, None, None)]

    def test_the_town_workbook_lists_each_communitys_figures(self, client, users, world, django_capture_on_commit_callbacks):
        job = start(client, users.town_a, world.town_a, "xlsx", django_capture_on_commit_callbacks)
        wb = load_workbook(io.BytesIO(download(client, job)))
        view = area_view(world.town_a, ON)
        assert "社区" in wb.sheetnames and "镇街道排名" not in wb.sheetnames
        assert wb["总体目标"]["A1"].value == f"平湖市当湖街道 总体目标完成情况（截至 {ON.isoformat()}）"
        rows = sheet_rows(wb["社区"])
        assert [(r[0], r[1], r[2]) for r in rows] == [("东湖社区", "330482001001", "城市社区"), ("虹霓村", "330482001201", "农村社区")]
        for got, child in zip(rows, view.children, strict=True):
            assert [num(v) for v in got[3:]] == [num(c.actual) for c in child.cells]
        assert rows[0][3] == 1 + 6  # 东湖社区: the fixtures' filed one and six more
        # A target the town is not judged on shows its figure without a verdict.
        t1 = sheet_rows(wb["总体目标"])[0]
        assert t1[0] == "T1" and t1[4] is None and t1[6] == "仅考核全市"
        # 虹霓村 (rural) has three organizations, below the rural line.
        t3 = sheet_rows(wb["T3 低于标准线"])
        assert [(r[1], r[4], r[5]) for r in t3] == [("虹霓村", "当湖街道", 3)]

    def test_text_that_looks_like_a_formula_stays_text(self, world):
        Target.objects.filter(city__isnull=True, code="T1").update(name="=HYPERLINK(1)")
        buffer = io.BytesIO()
        exports.write_workbook(buffer, area_view(world.city, ON))
        ws = load_workbook(io.BytesIO(buffer.getvalue()))["总体目标"]
        assert ws["B4"].value == "=HYPERLINK(1)" and ws["B4"].data_type == "s"

    def test_a_panel_of_another_shape_is_still_listed(self, world):
        buffer = io.BytesIO()
        panel = {"办件": {"办结数": 12}, "名录": [{"名录": "活动异常名录", "数量": 3}]}
        names = exports.write_workbook(buffer, area_view(world.city, ON, trend=True), panel=panel)
        assert names[-1] == "业务与信用"
        ws = load_workbook(io.BytesIO(buffer.getvalue()))["业务与信用"]
        values = [r for r in ws.iter_rows(values_only=True)]
        assert ("  办结数", 12) in [r[:2] for r in values]
        assert ("活动异常名录", 3) in [r[:2] for r in values]


def test_the_second_panels_figures_are_in_the_workbook_when_there_is_a_panel(world):
    panel = panels.second_panel(world.city, ON)
    buffer = io.BytesIO()
    names = exports.write_workbook(buffer, area_view(world.city, ON), panel=panel)
    if panel is None:
        assert "业务与信用" not in names
        return
    ws = load_workbook(io.BytesIO(buffer.getvalue()))["业务与信用"]
    cells = [r for r in ws.iter_rows(values_only=True)]
    first_column = [r[0] for r in cells]
    assert all(table.title in first_column for table in exports.panel_tables(panel))
    lists = {r[0]: r[1:4] for r in cells if r[0] in exports.LIST_ZH.values()}
    for entry in panel["lists"]:
        assert lists[exports.LIST_ZH[entry.list_kind]] == (entry.organizations, entry.added, entry.removed)


# --- the PDF report ------------------------------------------------------------------------


def pdf_text(data: bytes, tmp_path) -> str | None:
    if shutil.which("pdftotext") is None:
        return None  # CI installs poppler-utils (scripts/ensure-browser.sh)
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout  # noqa: S603, S607
    return "".join(text.split())  # the extracted spacing varies by version: compare without it


def squash(text: str) -> str:
    return "".join(text.split())


def embedded_fonts(data: bytes) -> set[str]:
    """The fonts whose file is inside the PDF."""
    found = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is not None and any(k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                found.add(str(font["/BaseFont"]))
    return found


class TestReport:
    def test_the_report_is_a_pdf_in_the_embedded_chinese_font(self, client, users, world, tmp_path, django_capture_on_commit_callbacks):
        job = start(client, users.bureau, world.city, "pdf", django_capture_on_commit_callbacks)
        job.refresh_from_db()
        assert job.status == JobStatus.DONE and job.result["filename"] == f"平湖市-总体目标-{ON.isoformat()}.pdf"
        data = download(client, job)
        assert data.startswith(b"%PDF")
        assert any("WenQuanYiMicroHei" in name for name in embedded_fonts(data))
        reader = PdfReader(io.BytesIO(data))
        assert reader.metadata.title == f"平湖市 社会组织参与社会治理总体目标完成情况（截至 {ON.isoformat()}）"
        text = pdf_text(data, tmp_path)
        if text is None:
            pytest.skip("pdftotext (poppler-utils) is not installed")
        assert squash(f"平湖市 社会组织参与社会治理总体目标完成情况（截至 {ON.isoformat()}）") in text
        view = area_view(world.city, ON)
        for row in view.rows:
            assert squash(f"{row.code} {row.target.name}") in text  # the chart titles
        assert "镇（街道）排名" in text and "当湖街道" in text and "乍浦镇" in text
        pages = len(reader.pages)
        assert f"第1页共{pages}页" in text and f"第{pages}页共{pages}页" in text
        assert "生成时间" in text

    def test_a_long_list_below_the_line_is_cut_with_its_count(self, world, tmp_path, monkeypatch):
        monkeypatch.setattr(report, "BELOW_LIMIT", 1)
        view = area_view(world.town_a, ON)
        data = report.render_report(view)
        text = pdf_text(data, tmp_path)
        if text is None:
            pytest.skip("pdftotext (poppler-utils) is not installed")
        assert "平湖市当湖街道社会组织参与社会治理总体目标完成情况" in text
        assert "各社区情况" in text and "东湖社区" in text
        t6 = next(r for r in view.rows if r.code == "T6")
        below = below_the_line(view, t6.target)
        assert [b.area.name for b in below] == ["虹霓村"]  # one: not cut
        t4 = next(r for r in view.rows if r.code == "T4")
        below = below_the_line(view, t4.target)
        assert len(below) == 2
        assert "共2个，此处列出前1个" in text

    def test_a_trend_chart_draws_the_target_as_a_dashed_line(self, world):
        view = area_view(world.city, ON)
        row = view.rows[0]
        drawing = report.trend_chart(row)
        plot = next(c for c in drawing.contents if c.__class__.__name__ == "LinePlot")
        assert [y for _x, y in plot.data[0]] == [float(v) for _d, v in row.trend]
        assert plot.data[1] == [(0, float(row.goal)), (len(row.trend) - 1, float(row.goal))]
        assert plot.lines[1].strokeDashArray
        labels = [s.text for s in drawing.contents if s.__class__.__name__ == "String"]
        assert f"{row.code} {row.target.name}" in labels and "实际值" in labels


# --- who may start an export ------------------------------------------------------------------


class TestAccess:
    def test_anonymous_is_sent_to_log_in(self, client, world):
        response = client.get(export_url(world.city, fmt="xlsx"))
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
        assert not Job.objects.filter(kind=tasks.JOB_KIND).exists()

    @pytest.mark.parametrize("name", ["resident", "org_a", "reviewer"])
    def test_roles_without_the_dashboard_get_not_found(self, client, users, world, name):
        client_for(client, getattr(users, name))
        assert client.get(export_url(world.city, fmt="xlsx")).status_code == 404
        assert not Job.objects.filter(kind=tasks.JOB_KIND).exists()

    def test_another_citys_area_is_not_found(self, client, users, world):
        client_for(client, users.other_bureau)
        for area in (world.city, world.town_a):
            assert client.get(export_url(area, fmt="pdf")).status_code == 404
        client_for(client, users.bureau)
        for area in (world.other_city, world.other_town, world.community_a1):
            assert client.get(export_url(area, fmt="pdf")).status_code == 404
        assert not Job.objects.filter(kind=tasks.JOB_KIND).exists()

    @pytest.mark.parametrize("fmt", ["", "csv", "PDF", "xlsx2"])
    def test_an_unknown_format_is_not_found(self, client, users, world, fmt):
        client_for(client, users.bureau)
        assert client.get(export_url(world.city, fmt=fmt)).status_code == 404
        assert client.get(export_url(world.city)).status_code == 404

    def test_a_bad_day_sends_back_to_the_dashboard_with_the_reason(self, client, users, world):
        client_for(client, users.bureau)
        response = client.get(export_url(world.town_a, fmt="xlsx", on="2024-02-30"), follow=True)
        assert response.redirect_chain == [(reverse("targets:area", args=[world.town_a.pk]), 302)]
        assert response.status_code == 200
        assert "输入一个有效的日期" in response.content.decode()  # the site speaks Chinese by default
        assert not Job.objects.filter(kind=tasks.JOB_KIND).exists()

    def test_a_future_day_is_refused_in_the_users_language(self, client, users, world):
        client_for(client, users.bureau)
        future = timezone.localdate() + dt.timedelta(days=400)
        response = client.get(export_url(world.city, fmt="pdf", on=future.isoformat()), follow=True, HTTP_ACCEPT_LANGUAGE="en")
        with translation.override("en"):
            assert "The export was not started: The date is in the future" in response.content.decode()
        assert not Job.objects.filter(kind=tasks.JOB_KIND).exists()

    def test_staff_of_a_town_may_export_the_city(self, client, users, world, django_capture_on_commit_callbacks):
        job = start(client, users.town_a, world.city, "xlsx", django_capture_on_commit_callbacks)
        job.refresh_from_db()
        assert job.status == JobStatus.DONE and job.params == {"area": world.city.pk, "on": ON.isoformat(), "fmt": "xlsx"}

    def test_the_job_checks_the_scope_again_when_it_runs(self, users, world):
        job = tasks.export_start(by=users.bureau, area=world.city, on=ON, fmt="xlsx")  # queued, not run (no commit)
        users.bureau.area = world.other_city
        users.bureau.save()
        job = Job.objects.select_related("created_by__area").get(pk=job.pk)
        with translation.override("en"), pytest.raises(PermissionDenied, match="no longer"):
            tasks.run_export(job)
        job.refresh_from_db()
        assert job.status == JobStatus.FAILED and not job.output_file


# --- by hand -----------------------------------------------------------------------------------


class TestCommand:
    def test_the_city_by_code_as_xlsx(self, world, tmp_path):
        out = tmp_path / "city.xlsx"
        stdout = io.StringIO()
        call_command("targets_report", area="330482", on=ON.isoformat(), format="xlsx", out=str(out), stdout=stdout)
        wb = load_workbook(out)
        assert wb.sheetnames[:3] == ["总体目标", "月度趋势", "镇街道排名"]
        view = area_view(world.city, ON)
        assert [num(r[2]) for r in sheet_rows(wb["总体目标"])] == [num(r.actual) for r in view.rows]
        job = Job.objects.get(kind=tasks.JOB_KIND)
        assert job.status == JobStatus.DONE and job.created_by is None and job.output_file == ""
        assert "city.xlsx" in stdout.getvalue()

    def test_a_town_by_id_as_pdf(self, world, tmp_path):
        out = tmp_path / "town.pdf"
        call_command("targets_report", area=str(world.town_b.pk), on=ON.isoformat(), format="pdf", out=str(out), stdout=io.StringIO())
        data = out.read_bytes()
        assert data.startswith(b"%PDF") and any("WenQuanYiMicroHei" in f for f in embedded_fonts(data))
        text = pdf_text(data, tmp_path)
        if text is not None:
            assert "平湖市乍浦镇社会组织参与社会治理总体目标完成情况" in text

    @pytest.mark.parametrize(
        ("area", "on", "message"),
        [("999999", "2024-12-31", "No city or town"), ("330482001001", "2024-12-31", "No city or town"), ("330482", "2024-13-01", "--on")],
    )
    def test_bad_arguments_are_refused(self, world, tmp_path, area, on, message):
        with pytest.raises(CommandError, match=message):
            call_command("targets_report", area=area, on=on, format="xlsx", out=str(tmp_path / "x.xlsx"))
        assert not (tmp_path / "x.xlsx").exists()
