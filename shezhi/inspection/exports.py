"""The list of organizations that have not reported, as a spreadsheet.

Small lists are written in the request; large ones (more than EXPORT_INLINE_MAX rows) in the
background as a job, whose progress page offers the file when it is ready — openpyxl
writes some 1,000 rows a second, too slow for a page past a few thousand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import BinaryIO

from django.utils.translation import gettext as _
from openpyxl import Workbook

from shezhi.audit.models import AuditAction
from shezhi.audit.services import audit_record
from shezhi.inspection.rules import RulesBook
from shezhi.inspection.selectors import organizations_not_reported, with_deadlines

EXPORT_INLINE_MAX = 2000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Headers and values are data (Chinese), not UI strings: the file reads the same whichever
# language the person downloading it uses.
LEGAL_FORM_CHINESE = {"social_group": "社会团体", "social_service_agency": "社会服务机构", "foundation": "基金会"}
COLUMNS = [
    ("名称", lambda o: o.name),
    ("统一社会信用代码", lambda o: o.credit_code),
    ("组织类型", lambda o: LEGAL_FORM_CHINESE.get(o.legal_form, o.legal_form)),
    ("镇（街道）", lambda o: o.town.name),
    ("社区", lambda o: o.community.name if o.community_id else ""),
    ("成立登记日期", lambda o: o.founded_on),
    ("业务主管单位", lambda o: o.supervising_unit),
    ("报送业务主管单位截止日期", lambda o: o.supervisor_due),
    ("报送登记管理机关截止日期", lambda o: o.report_due),
    ("是否逾期", lambda o: "是" if o.report_overdue else "否"),
]
# A cell starting with one of these would run as a formula in a spreadsheet program.
FORMULA_START = ("=", "+", "-", "@")


def not_reported_rows(user, *, year: int, as_of: dt.date, town: int | None, overdue: bool):
    book = RulesBook.load()
    qs = organizations_not_reported(user, year=year, as_of=as_of, town=town, overdue_only=overdue, book=book)
    return qs.select_related("town", "community"), book


def export_filename(year: int, as_of: dt.date) -> str:
    return f"未报送年度工作报告-{year}-{as_of.isoformat()}.xlsx"


def write_not_reported(
    target: BinaryIO | str,
    user,
    *,
    year: int,
    as_of: dt.date,
    town: int | None = None,
    overdue: bool = False,
    on_row: Callable[[int], None] | None = None,
) -> int:
    """Write the user's list to an .xlsx file or buffer and record the export in the audit
    log. Returns the number of organizations written."""
    qs, book = not_reported_rows(user, year=year, as_of=as_of, town=town, overdue=overdue)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=f"{year}年度未报送")
    sheet.append([header for header, _get in COLUMNS])
    count = 0
    batch = []

    def flush() -> None:
        nonlocal count
        for org in with_deadlines(batch, year=year, as_of=as_of, book=book):
            values = [get(org) for _header, get in COLUMNS]
            sheet.append(["'" + v if isinstance(v, str) and v.startswith(FORMULA_START) else v for v in values])
            count += 1
        batch.clear()
        if on_row is not None:
            on_row(count)

    for org in qs.iterator(chunk_size=1000):
        batch.append(org)
        if len(batch) == 1000:
            flush()
    flush()
    workbook.save(target)
    audit_record(
        action=AuditAction.ORG_EXPORTED,
        by=user,
        changes={"rows": count, "year": year, "as_of": as_of.isoformat(), "town": town, "overdue_only": overdue},
        reason=_("Organizations that have not filed the annual report"),
        source="inspection:not_reported",
    )
    return count
