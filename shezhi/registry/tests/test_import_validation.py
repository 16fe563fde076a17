"""The import's check and write: messy files, the report, duplicates, scope, all-or-nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from shezhi.audit.models import AuditAction, AuditEntry
from shezhi.jobs.models import JobStatus
from shezhi.registry import importing
from shezhi.registry.importing import ImportAborted, import_begin, import_confirm, run_validation, run_write
from shezhi.registry.models import FilingSequence, Organization
from shezhi.registry.selectors import organization_history
from shezhi.registry.tests.test_import_support import (
    HEADER,
    as_lists,
    filed_row,
    make_csv,
    make_xlsx,
    registered_row,
    serial,
    stored,
)
from shezhi.testing import make_filed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def check(path, user, **kwargs):
    job = import_begin(upload=stored(path), filename=path.name, by=user, enqueue=False)
    report = run_validation(job, **kwargs)
    job.refresh_from_db()
    return job, report


def write(job, user, **kwargs):
    write_job = import_confirm(job=job, by=user, enqueue=False)
    return write_job, run_write(write_job, **kwargs)


def messages_for(report, row):
    return [(e["column"], e["message"]) for e in report.errors if e["row"] == row]


class TestMessyFiles:
    def test_title_rows_widths_spaces_dates_and_blank_tail_are_normalized(self, users, tmp_path):
        code = registered_row(1)["统一社会信用代码"]
        full_width_code = "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in code)
        rows = [
            registered_row(
                1, **{"名称": "  平湖市示范　社会服务中心1 ", "统一社会信用代码": f" {full_width_code[:9]} {full_width_code[9:]}"}
            ),
            filed_row(**{"成立/备案日期": dt.datetime(2020, 1, 5), "志愿服务组织": "√", "社区": " 东湖社区 "}),
            filed_row(**{"名称": "东湖社区编织社", "成立/备案日期": serial(dt.date(2019, 7, 1)), "志愿服务组织": "Ｙ"}),
            filed_row(**{"名称": "东湖社区书法社", "成立/备案日期": "2020年1月5日", "镇街道": "３３０４８２００１"}),
            filed_row(**{"名称": "东湖社区象棋社", "成立/备案日期": "20200105", "社区社会组织类别": "文体"}),
            filed_row(**{"名称": "东湖社区合唱团", "成立/备案日期": "2020/1/5 00:00:00", "是否社区社会组织": "Y"}),
        ]
        path = make_xlsx(
            tmp_path / "messy.xlsx",
            as_lists(rows),
            title_rows=[["平湖市社会组织名录（2026年）"], ["制表：平湖市民政局", None, "单位：个"]],
            trailing_blank=5,
        )
        job, report = check(path, users.bureau)
        assert report.file_error == ""
        assert report.header_row == 3
        assert report.errors == []
        assert (report.rows, report.valid) == (6, 6)

        _write_job, counts = write(job, users.bureau)
        assert counts == {"imported": 6, "registered": 1, "filed": 5}
        org = Organization.objects.get(credit_code=code)
        assert org.name == "平湖市示范 社会服务中心1"  # ideographic space → one plain space
        assert org.registered_funds == Decimal("10")
        dated = dict(Organization.objects.filter(created_by=users.bureau, registration="filed").values_list("name", "founded_on"))
        assert dated == {
            "东湖社区读书会": dt.date(2020, 1, 5),
            "东湖社区编织社": dt.date(2019, 7, 1),
            "东湖社区书法社": dt.date(2020, 1, 5),
            "东湖社区象棋社": dt.date(2020, 1, 5),
            "东湖社区合唱团": dt.date(2020, 1, 5),
        }
        assert Organization.objects.filter(is_volunteer_org=True).count() == 2
        assert set(Organization.objects.filter(created_by=users.bureau).values_list("community__name", flat=True)) == {"东湖社区", None}

    def test_gb18030_csv_with_title_row(self, users, tmp_path):
        path = make_csv(tmp_path / "gbk.csv", as_lists([filed_row()]), encoding="gb18030", title_rows=[["当湖街道社区社会组织备案表"]])
        _job, report = check(path, users.bureau)
        assert (report.valid, report.header_row, report.errors) == (1, 2, [])

    def test_utf8_csv_row_numbers_count_records(self, users, tmp_path):
        rows = [filed_row(**{"业务范围": "第一行\n第二行"}), filed_row(**{"名称": "", "成立/备案日期": "5/1/2020"})]
        path = make_csv(tmp_path / "multi.csv", as_lists(rows))
        _job, report = check(path, users.bureau)
        # Excel shows the record with the two-line cell as row 2, so the bad record is row 3.
        assert {e["row"] for e in report.errors} == {3}

    def test_ambiguous_and_impossible_values_are_refused_not_guessed(self, users, tmp_path):
        rows = [
            filed_row(**{"名称": "甲", "成立/备案日期": "05/01/2020"}),
            filed_row(**{"名称": "乙", "成立/备案日期": "2021-02-29"}),
            filed_row(**{"名称": "丙", "志愿服务组织": "可能"}),
            filed_row(**{"名称": "丁", "社区社会组织类别": "体育类"}),
        ]
        _job, report = check(make_xlsx(tmp_path / "bad.xlsx", as_lists(rows)), users.bureau)
        assert report.valid == 0
        assert "unambiguously" in messages_for(report, 2)[0][1]
        assert messages_for(report, 3) == [("成立/备案日期", "“2021-02-29” is not a real calendar date.")]
        assert messages_for(report, 4)[0][0] == "志愿服务组织"
        assert messages_for(report, 5)[0][0] == "社区社会组织类别"


class TestHeader:
    def test_unknown_columns_are_reported_once_and_ignored(self, users, tmp_path):
        header = HEADER + ["备注", "统计口径"]
        rows = [[*r, "某备注", "x"] for r in as_lists([filed_row(), filed_row(**{"名称": "另一个"})])[1:]]
        _job, report = check(make_xlsx(tmp_path / "extra.xlsx", [header, *rows]), users.bureau)
        assert report.ignored_columns == ["备注", "统计口径"]
        assert report.valid == 2 and report.errors == []

    def test_header_aliases_and_left_out_columns(self, users, tmp_path):
        header = ["组织名称", "登记/备案", "镇（街道）", "社区", "成立日期", "社区社会组织类别"]
        rows = [header, ["东湖社区太极队", "备案", "当湖街道", "东湖社区", "2022-2-2", "文体类"]]
        job, report = check(make_xlsx(tmp_path / "aliases.xlsx", rows), users.bureau)
        assert report.valid == 1, report.errors
        write(job, users.bureau)
        org = Organization.objects.get(name="东湖社区太极队")
        assert org.founded_on == dt.date(2022, 2, 2) and org.is_community_org and org.filing_number.startswith("330482001-2022-")

    def test_missing_required_columns_give_one_clear_error(self, users, tmp_path):
        rows = [["名称", "社区", "住所"], ["东湖社区读书会", "东湖社区", "活动中心"]]
        job, report = check(make_xlsx(tmp_path / "missing.xlsx", rows), users.bureau)
        assert report.file_error == "Required columns are missing from the header (row 1): 登记/备案、镇街道."
        assert report.errors == [] and job.status == JobStatus.DONE

    def test_no_header_in_first_ten_rows(self, users, tmp_path):
        rows = [[f"说明第{i}行"] for i in range(12)] + [HEADER]
        _job, report = check(make_xlsx(tmp_path / "deep.xlsx", rows), users.bureau)
        assert report.file_error.startswith("No header row was found in the first 10 rows.")

    def test_header_without_rows(self, users, tmp_path):
        _job, report = check(make_xlsx(tmp_path / "empty.xlsx", [HEADER]), users.bureau)
        assert report.file_error == "The file has a header but no rows of data."


class TestReport:
    def test_each_problem_has_row_column_and_reason_from_the_services(self, users, orgs, tmp_path):
        good = registered_row(1)
        bad_check = registered_row(2)
        bad_check["统一社会信用代码"] = bad_check["统一社会信用代码"][:17] + ("0" if bad_check["统一社会信用代码"][17] != "0" else "1")
        rows = [
            good,  # row 2
            bad_check,  # row 3: check character
            registered_row(3, **{"法人形式": "基金会"}),  # row 4: type digit 2 vs foundation
            filed_row(**{"名称": "东湖社区邻里互助会"}),  # row 5: already in the registry (orgs.filed_a)
            filed_row(**{"名称": "新名字", "社区": "乍浦社区"}),  # row 6: community of another town
            filed_row(**{"名称": "无类别", "社区社会组织类别": ""}),  # row 7: category required
            registered_row(4, **{"统一社会信用代码": good["统一社会信用代码"], "名称": "另一家"}),  # row 8: same code as row 2
            filed_row(**{"名称": "读书会二", "镇街道": "海宁市"}),  # row 9: not a town of this city
            filed_row(**{"名称": "评级", "评估等级": "AAAA"}),  # row 10: rating without date
            filed_row(**{"名称": "领域", "服务领域": "养老服务、星际旅行"}),  # row 11: not in catalogue
        ]
        _job, report = check(make_xlsx(tmp_path / "report.xlsx", as_lists(rows)), users.bureau)
        assert report.valid == 1
        assert report.invalid_rows == 9
        assert messages_for(report, 3)[0][0] == "统一社会信用代码" and "check character" in messages_for(report, 3)[0][1]
        assert any("legal form needs 3" in m for _c, m in messages_for(report, 4))
        assert messages_for(report, 5) == [
            ("名称", "An organization named 东湖社区邻里互助会 is already registered or filed in this town.")
        ]
        existing = next(e for e in report.errors if e["row"] == 5)
        assert existing["existing_id"] == orgs.filed_a.pk and existing["letter"] == "A"
        assert messages_for(report, 6) == [("社区", "乍浦社区 is not in 当湖街道.")]
        assert messages_for(report, 7) == [("社区社会组织类别", "Choose the community organization's category.")]
        assert messages_for(report, 8) == [("统一社会信用代码", "Row 2 of this file has the same credit code.")]
        assert messages_for(report, 9) == [("镇街道", "“海宁市” is not a town or street of 平湖市.")]
        assert messages_for(report, 10) == [("评估日期", "Enter the date the rating was awarded.")]
        assert messages_for(report, 11)[0][0] == "服务领域" and "星际旅行" in messages_for(report, 11)[0][1]

    def test_same_name_in_same_town_within_the_file(self, users, tmp_path):
        rows = [filed_row(), filed_row(**{"社区": "虹霓村"}), filed_row(**{"镇街道": "乍浦镇", "社区": "乍浦社区"})]
        _job, report = check(make_xlsx(tmp_path / "twice.xlsx", as_lists(rows)), users.bureau)
        assert messages_for(report, 3) == [("名称", "Row 2 of this file has the same name in the same town.")]
        assert report.valid == 2  # the same name in another town is another organization

    def test_error_list_is_capped_and_the_full_report_is_a_file(self, users, tmp_path, monkeypatch):
        monkeypatch.setattr(importing, "MAX_STORED_ERRORS", 5)
        rows = [filed_row(**{"名称": f"组织{i}", "成立/备案日期": "不详"}) for i in range(12)]
        job, report = check(make_xlsx(tmp_path / "many.xlsx", as_lists(rows)), users.bureau)
        assert report.error_count == 12 and len(job.result["errors"]) == 5
        from openpyxl import load_workbook

        from shezhi.jobs.services import job_files_dir

        sheet = load_workbook(job_files_dir() / job.output_file, read_only=True).worksheets[0]
        lines = list(sheet.iter_rows(values_only=True))
        assert lines[0] == ("Row", "Column", "Column name", "Organization", "Reason")
        assert len(lines) == 13 and lines[-1][:4] == (13, "L", "成立/备案日期", "组织11")


class TestScope:
    def test_town_officer_imports_only_filed_rows_of_own_town(self, users, tmp_path):
        rows = [filed_row(), filed_row(**{"名称": "乍浦读书会", "镇街道": "乍浦镇", "社区": "乍浦社区"}), registered_row(1)]
        job, report = check(make_xlsx(tmp_path / "town.xlsx", as_lists(rows)), users.town_a)
        assert report.valid == 1
        assert messages_for(report, 3) == [("镇街道", "乍浦镇 is outside your area: you may import organizations of 当湖街道 only.")]
        assert messages_for(report, 4)[0][0] == "登记/备案"
        write(job, users.town_a)
        assert Organization.objects.filter(name="东湖社区读书会", town=users.town_a.area, created_by=users.town_a).exists()

    @pytest.mark.parametrize("name", ["department", "community_a1", "org_a", "reviewer", "resident"])
    def test_other_roles_cannot_start_an_import(self, users, tmp_path, name):
        path = make_xlsx(tmp_path / "x.xlsx", as_lists([filed_row()]))
        with pytest.raises(PermissionError):
            import_begin(upload=stored(path), filename="x.xlsx", by=getattr(users, name), enqueue=False)


class TestWrite:
    def test_audit_entry_per_organization_names_the_job(self, users, tmp_path):
        rows = [filed_row(**{"服务领域": "养老服务、志愿服务", "服务对象": "老年人"}), registered_row(1)]
        job, _report = check(make_xlsx(tmp_path / "audit.xlsx", as_lists(rows)), users.bureau)
        write_job, _counts = write(job, users.bureau)
        filed = Organization.objects.get(name="东湖社区读书会")
        assert sorted(filed.service_domains.values_list("name", flat=True)) == ["养老服务", "志愿服务"]
        assert list(filed.target_groups.values_list("name", flat=True)) == ["老年人"]
        entry = AuditEntry.objects.get(target_type="registry.organization", target_id=str(filed.pk))
        assert entry.action == AuditAction.ORG_FILED and entry.source == f"job:{write_job.pk}" and entry.actor == users.bureau
        assert entry.reason == "Imported from audit.xlsx, row 2."
        assert entry.changes["service_domains"] == [None, ["养老服务", "志愿服务"]]
        assert "13812345678" not in str(entry.changes)
        history = organization_history(filed)
        assert [h.source for h in history] == [f"job:{write_job.pk}"]
        summary = AuditEntry.objects.get(action=AuditAction.ORG_IMPORTED)
        assert summary.changes["imported"] == [None, 2] and summary.target_id == str(write_job.pk)
        write_job.refresh_from_db()
        assert write_job.status == JobStatus.DONE and write_job.result["imported"] == 2
        assert not (tmp_path / "media" / "imports" / write_job.input_file).exists()  # upload removed once imported

    def test_filing_numbers_are_issued_in_sequence_and_supplied_ones_kept(self, areas, users, tmp_path):
        make_filed(town=areas.town_a, founded_on=dt.date(2021, 1, 1))  # takes 330482001-2021-0001
        rows = [
            filed_row(**{"名称": "一"}),
            filed_row(**{"名称": "二", "备案编号": "330482001-2021-0003"}),
            filed_row(**{"名称": "三"}),
            filed_row(**{"名称": "四"}),
        ]
        job, report = check(make_xlsx(tmp_path / "numbers.xlsx", as_lists(rows)), users.bureau)
        assert report.valid == 4
        write(job, users.bureau)
        numbers = dict(Organization.objects.filter(name__in=["一", "二", "三", "四"]).values_list("name", "filing_number"))
        assert numbers == {
            "一": "330482001-2021-0002",
            "二": "330482001-2021-0003",
            "三": "330482001-2021-0004",
            "四": "330482001-2021-0005",
        }
        assert FilingSequence.objects.get(town=areas.town_a, year=2021).last == 5

    def test_a_failure_while_writing_leaves_nothing(self, users, tmp_path, monkeypatch):
        rows = [filed_row(**{"名称": f"组织{i}"}) for i in range(30)]
        job, report = check(make_xlsx(tmp_path / "fail.xlsx", as_lists(rows)), users.bureau)
        assert report.valid == 30
        before = (Organization.objects.count(), AuditEntry.objects.count(), FilingSequence.objects.count())
        real = importing.organization_bulk_register
        calls = []

        def failing(**kwargs):
            calls.append(len(kwargs["items"]))
            if len(calls) == 3:
                raise RuntimeError("disk full")
            return real(**kwargs)

        monkeypatch.setattr(importing, "organization_bulk_register", failing)
        with pytest.raises(ImportAborted, match="Nothing was imported: the database refused the data \\(disk full\\)"):
            write(job, users.bureau, batch_size=10)
        assert calls == [10, 10, 10]
        assert (Organization.objects.count(), AuditEntry.objects.count(), FilingSequence.objects.count()) == before
        failed = job.__class__.objects.get(kind=importing.KIND_WRITE)
        assert failed.status == JobStatus.FAILED and "disk full" in failed.error
        # A failed write wrote nothing, so the user may confirm again.
        monkeypatch.setattr(importing, "organization_bulk_register", real)
        job.refresh_from_db()
        _again, counts = write(job, users.bureau, batch_size=10)
        assert counts["imported"] == 30

    def test_the_write_reads_the_checks_copy_of_a_workbook(self, users, tmp_path):
        from shezhi.jobs.services import job_files_dir
        from shezhi.tabular import stored_path

        rows = [filed_row(**{"名称": f"组织{i}", "成立/备案日期": dt.datetime(2020, 1, i + 1)}) for i in range(5)]
        job, report = check(make_xlsx(tmp_path / "copy.xlsx", as_lists(rows)), users.bureau)
        cache = job_files_dir() / job.result["row_cache"]
        assert report.valid == 5 and cache.exists()
        stored_path(job.input_file).unlink()  # the workbook itself is not read again
        write(job, users.bureau)
        assert sorted(Organization.objects.filter(name__startswith="组织").values_list("founded_on", flat=True)) == [
            dt.date(2020, 1, d) for d in range(1, 6)
        ]
        assert not cache.exists()

    def test_an_incomplete_copy_is_not_trusted(self, users, tmp_path):
        from shezhi.jobs.services import job_files_dir

        rows = [filed_row(**{"名称": f"组织{i}"}) for i in range(5)]
        job, _report = check(make_xlsx(tmp_path / "copy.xlsx", as_lists(rows)), users.bureau)
        cache = job_files_dir() / job.result["row_cache"]
        cache.write_text("\n".join(cache.read_text().splitlines()[:3]) + "\n")  # cut short, no end mark
        _write_job, counts = write(job, users.bureau)
        assert counts["imported"] == 5  # read from the workbook instead

    def test_registry_changed_since_the_check_aborts_everything(self, areas, users, tmp_path):
        rows = [filed_row(**{"名称": f"组织{i}"}) for i in range(5)]
        job, _report = check(make_xlsx(tmp_path / "race.xlsx", as_lists(rows)), users.bureau)
        make_filed(town=areas.town_a, name="组织3")  # someone files the same name meanwhile
        count = Organization.objects.count()
        with pytest.raises(ImportAborted) as err:
            write(job, users.bureau)
        assert "row 5" in str(err.value) and "组织3" in str(err.value)
        assert Organization.objects.count() == count

    def test_confirming_twice_is_refused(self, users, tmp_path):
        job, _report = check(make_xlsx(tmp_path / "twice.xlsx", as_lists([filed_row()])), users.bureau)
        write(job, users.bureau)
        job.refresh_from_db()
        with pytest.raises(importing.ImportRefused):
            import_confirm(job=job, by=users.bureau, enqueue=False)
        with pytest.raises(importing.ImportRefused):
            import_confirm(job=job, by=users.town_a, enqueue=False)
        assert Organization.objects.filter(name="东湖社区读书会").count() == 1

    def test_hundreds_of_rows_in_small_batches_use_few_queries(self, users, tmp_path, django_assert_max_num_queries):
        rows = [filed_row(**{"名称": f"批量组织{i:03d}", "服务对象": "老年人、儿童"}) for i in range(300)]
        rows += [registered_row(i) for i in range(1, 21)]
        path = make_csv(tmp_path / "bulk.csv", as_lists(rows))
        job, report = check(path, users.bureau, batch_size=25)
        assert report.valid == 320
        write_job = import_confirm(job=job, by=users.bureau, enqueue=False)
        # 13 batches; a per-row write path would need thousands of queries.
        with django_assert_max_num_queries(13 * 12 + 20):
            counts = run_write(write_job, batch_size=25)
        assert counts == {"imported": 320, "registered": 20, "filed": 300}
        assert Organization.objects.filter(name__startswith="批量组织").count() == 300
        assert Organization.target_groups.through.objects.count() == 600
        numbers = sorted(Organization.objects.filter(name__startswith="批量组织").values_list("filing_number", flat=True))
        assert numbers[0] == "330482001-2021-0001" and numbers[-1] == "330482001-2021-0300"
        assert AuditEntry.objects.filter(source=f"job:{write_job.pk}", target_type="registry.organization").count() == 320
