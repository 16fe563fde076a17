"""Helpers shared by the import tests: spreadsheets built the way offices make them.

(No tests here; the module is named test_* only so that it sits with the tests it serves.)
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from shezhi.registry.importing import COLUMNS
from shezhi.tabular import StoredUpload, store_upload
from shezhi.testing import credit_code_for

HEADER = [c.header for c in COLUMNS]


def filed_row(**values: Any) -> dict[str, Any]:
    """A valid 备案 row in 当湖街道 / 东湖社区 (the `areas` fixture)."""
    row = {
        "名称": "东湖社区读书会",
        "登记/备案": "备案",
        "是否社区社会组织": "是",
        "社区社会组织类别": "文体类",
        "镇街道": "当湖街道",
        "社区": "东湖社区",
        "法定代表人/负责人": "王五",
        "成立/备案日期": "2021-03-04",
        "住所": "东湖社区活动中心",
        "联系电话": "13812345678",
        "业务范围": "组织居民读书交流",
        "党组织": "无",
    }
    row.update(values)
    return row


def registered_row(n: int, **values: Any) -> dict[str, Any]:
    """A valid 登记 social service agency in 当湖街道 with a fresh, valid credit code."""
    row = {
        "名称": f"平湖市示范社会服务中心{n}",
        "登记/备案": "登记",
        "法人形式": "社会服务机构",
        "统一社会信用代码": credit_code_for("social_service_agency", n=900000 + n),
        "是否社区社会组织": "否",
        "镇街道": "当湖街道",
        "法定代表人/负责人": "赵六",
        "成立/备案日期": "2018-05-06",
        "住所": "平湖市当湖街道示范路8号",
        "业务主管单位": "平湖市民政局",
        "业务范围": "养老服务",
        "注册资金(万元)": "10",
        "党组织": "单独建立",
    }
    row.update(values)
    return row


def as_lists(rows: list[dict[str, Any]], header: list[str] | None = None) -> list[list[Any]]:
    header = header or HEADER
    return [header] + [[row.get(h, "") for h in header] for row in rows]


def make_xlsx(path: Path, rows: list[list[Any]], *, title_rows: list[list[Any]] = (), trailing_blank: int = 0) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "社会组织"
    for row in [*title_rows, *rows]:
        sheet.append(list(row))
    for _ in range(trailing_blank):
        sheet.append([None, "  ", None])
    workbook.save(path)
    return path


def make_csv(path: Path, rows: list[list[Any]], *, encoding: str = "utf-8-sig", title_rows: list[list[Any]] = ()) -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        for row in [*title_rows, *rows]:
            writer.writerow(["" if v is None else v for v in row])
    return path


def stored(path: Path) -> StoredUpload:
    def chunks():
        yield path.read_bytes()

    return store_upload(chunks(), filename=path.name)


def serial(day: dt.date) -> int:
    return (day - dt.date(1899, 12, 30)).days
