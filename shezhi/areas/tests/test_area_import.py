"""Area import and export: the reference headers, the tree rules of area_save, all or nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from django.utils import translation
from openpyxl import Workbook, load_workbook

from shezhi.areas.importing import areas_import, export_rows
from shezhi.areas.models import Area, PopulationCount
from shezhi.audit.models import AuditAction, AuditEntry
from shezhi.tabular import store_upload

pytestmark = pytest.mark.django_db

HEADER = ["区划代码", "名称", "类型", "上级区划代码", "常住人口", "人口统计日期", "登记管理机关"]
REFERENCE = Path(__file__).resolve().parents[1] / "data" / "pinghu.csv"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def sheet_of(tmp_path, rows, name="areas.xlsx", title_rows=()):
    path = tmp_path / name
    if name.endswith(".csv"):
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            csv.writer(fh).writerows([*title_rows, *rows])
    else:
        workbook = Workbook()
        for row in [*title_rows, *rows]:
            workbook.active.append(list(row))
        workbook.save(path)
    return store_upload([path.read_bytes()], filename=name).sheet


def run(sheet, user, *, commit=False, digest=""):
    return areas_import(sheet=sheet, by=user, commit=commit, expected_digest=digest, source="import:test", filename="areas.xlsx")


def test_check_then_import_new_towns_and_communities_in_any_order(users, areas, tmp_path):
    rows = [
        HEADER,
        ["330482001002", "西湖社区", "城市社区", "330482001", "5000", "2023-06-30", ""],  # child listed before its new parent town
        ["330482003", "曹桥街道", "街道", "330482", "45,000", "2023年6月30日", ""],
        ["330482003001", "曹桥村", "行政村", "330482003", "２８００", 45107, ""],
        ["330482001", "当湖街道", "街道", "330482", "150000", "2020-11-01", ""],  # unchanged
        ["330482101", "乍浦镇", "镇", "330482", "76000", "2023-06-30", ""],  # population updated
    ]
    sheet = sheet_of(tmp_path, rows, title_rows=[["平湖市行政区划表"]])
    before = Area.objects.count()
    check = run(sheet, users.bureau)
    assert (check.errors, check.file_error) == ([], "")
    assert (check.valid, check.created, check.updated, check.unchanged) == (5, 3, 1, 1)
    assert Area.objects.count() == before  # the check writes nothing
    assert not AuditEntry.objects.filter(source="import:test").exists()

    done = run(sheet, users.bureau, commit=True, digest=check.digest)
    assert done.file_error == "" and done.created == 3
    village = Area.objects.get(code="330482003001")
    assert (village.kind, village.town.code, village.city, village.population) == ("rural", "330482003", areas.city, 2800)
    assert village.population_date == dt.date(2023, 6, 30)
    assert Area.objects.get(code="330482101").population == 76000
    # The updated town keeps its earlier count for the days before the new one.
    history = PopulationCount.objects.filter(area__code="330482101").order_by("on").values_list("on", "population")
    assert list(history) == [(dt.date(2020, 11, 1), 75000), (dt.date(2023, 6, 30), 76000)]
    assert AuditEntry.objects.filter(source="import:test", action=AuditAction.AREA_CREATED).count() == 3
    assert AuditEntry.objects.get(action=AuditAction.AREAS_IMPORTED).changes["created"] == [None, 3]


def test_tree_rules_and_scope_are_reported_per_row(users, areas, tmp_path):
    rows = [
        HEADER,
        ["330000", "浙江省", "省", "", "", "", ""],  # row 2: above the city
        ["330481002", "许村镇", "镇", "330481", "1000", "", ""],  # row 3: another city
        ["330482001009", "错层社区", "城市社区", "330482", "10", "", ""],  # row 4: a community directly under the city
        ["330482101002", "乍浦二社区", "城市社区", "330482001", "10", "", ""],  # row 5: code not under its parent
        ["330482009", "新街道", "小区", "330482", "", "", ""],  # row 6: unknown type
        ["330482010", "未来街道", "街道", "330482", "-5", "2020-01-01", ""],  # row 7: negative population
        ["330482011", "好街道", "街道", "330482", "100", "", ""],  # row 8: fine
        ["330482001010", "孤儿社区", "城市社区", "330482999", "", "", ""],  # row 9: parent unknown
        ["330482012", "明日街道", "街道", "330482", "1", "2098-01-01", ""],  # row 10: population date in the future
    ]
    report = run(sheet_of(tmp_path, rows, name="bad.csv"), users.bureau)
    by_row = {}
    for e in report.errors:
        by_row.setdefault(e.row, []).append((e.column, e.message))
    assert by_row[2] == [("区划代码", "330000 is outside 平湖市.")]
    assert by_row[3] == [("区划代码", "330481002 is outside 平湖市.")]
    assert by_row[4] == [("上级区划代码", "The parent of a Urban community must be a Town / street.")]
    assert by_row[5] == [("区划代码", "The code 330482101002 does not start with its parent's code 330482001.")]
    assert by_row[6][0][0] == "类型" and "小区" in by_row[6][0][1]
    assert [c for c, _m in by_row[7]] == ["常住人口"]
    assert by_row[9] == [("上级区划代码", "No area has the code 330482999.")]
    assert by_row[10] == [("人口统计日期", "The population date cannot be in the future.")]
    assert 8 not in by_row and report.valid == 1


def test_import_is_all_or_nothing_when_the_areas_changed(users, areas, tmp_path):
    rows = [
        HEADER,
        ["330482003", "曹桥街道", "街道", "330482", "45000", "", ""],
        ["330482003001", "曹桥村", "行政村", "330482003", "", "", ""],
    ]
    sheet = sheet_of(tmp_path, rows)
    check = run(sheet, users.bureau)
    assert check.valid == 2
    # Meanwhile the code turns up in another city's tree, so neither row may be written now.
    Area.objects.filter(code="330481001").update(code="330482003")
    count = Area.objects.count()
    done = run(sheet, users.bureau, commit=True, digest=check.digest)
    assert done.file_error.startswith("Nothing was imported")
    assert Area.objects.count() == count
    assert not AuditEntry.objects.filter(action=AuditAction.AREAS_IMPORTED).exists()


def test_reference_file_round_trips_through_export(users, areas, tmp_path):
    # The reference file imports (its province row is outside the city and reported).
    sheet = store_upload([REFERENCE.read_bytes()], filename="pinghu.csv").sheet
    check = run(sheet, users.bureau)
    assert [e.row for e in check.errors] == [2]
    run(sheet, users.bureau, commit=True, digest=check.digest)
    assert Area.objects.filter(city=areas.city, level="town").count() == 11
    assert Area.objects.get(code="330482400").kind == "dev_zone"

    exported = list(export_rows(areas.city))
    assert exported[0][:4] == ["330482", "平湖市", "县级市", "330000"]
    assert exported[1][:4] == ["330482001", "当湖街道", "街道", "330482"]
    assert exported[2][:4] == ["330482001001", "东湖社区", "城市社区", "330482001"]
    assert exported[3][:3] == ["330482001201", "虹霓村", "农村社区"]
    # Importing the export again changes nothing.
    workbook = Workbook()
    workbook.active.append(HEADER)
    for row in exported:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    again = run(store_upload([buffer.getvalue()], filename="again.xlsx").sheet, users.bureau)
    assert again.errors == [] and again.unchanged == len(exported) and again.created == again.updated == 0


def test_file_level_problems(users, areas, tmp_path):
    assert "Required columns are missing" in run(sheet_of(tmp_path, [["名称", "类型"], ["a", "镇"]]), users.bureau).file_error
    assert run(sheet_of(tmp_path, [HEADER], name="h.xlsx"), users.bureau).file_error == "The file has a header but no rows of data."


def test_export_xlsx_reads_back(users, areas):
    from shezhi.tabular import write_xlsx

    buffer = io.BytesIO()
    write_xlsx(buffer, HEADER, export_rows(areas.city))
    rows = list(load_workbook(io.BytesIO(buffer.getvalue()), read_only=True).worksheets[0].iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    assert rows[1][0] == "330482" and rows[1][5] == dt.datetime(2020, 11, 1)
