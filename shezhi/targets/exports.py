"""The whole dashboard of a city or a town as of a day, as an .xlsx workbook: one sheet per
view (the targets, the monthly trend, the towns ranked or the communities, the communities
below the line of each community-level target, and the second panel when there is one).

Sheet names, headers and words such as 达标 are Chinese data, not UI strings: the file is
read in meetings and filed, and must read the same whatever the interface language. Numbers
are written as numbers and days as dates, so the sheets can be sorted and charted.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from shezhi.areas.models import Area, AreaLevel
from shezhi.exporting import FORMULA_START
from shezhi.targets import selectors
from shezhi.targets.models import Indicator
from shezhi.targets.selectors import AreaView, ChildRow, Shortfall, TargetRow

SHEET_TARGETS = "总体目标"
SHEET_TREND = "月度趋势"
SHEET_TOWNS = "镇街道排名"
SHEET_COMMUNITIES = "社区"
SHEET_PANEL = "业务与信用"

# (unit of the figure, unit of the gap) in Chinese, by indicator. A new indicator without an
# entry here falls back to the UI's unit.
UNITS_ZH: dict[str, tuple[str, str]] = {
    Indicator.COMMUNITY_ORGS: ("个", "个组织"),
    Indicator.PER_URBAN_COMMUNITY: ("个/社区", "个组织"),
    Indicator.PER_RURAL_COMMUNITY: ("个/社区", "个组织"),
    Indicator.HUB_COVERAGE: ("%", "个镇街道或社区"),
    Indicator.SOCIAL_WORK_URBAN: ("%", "个社区"),
    Indicator.SOCIAL_WORK_RURAL: ("%", "个社区"),
    Indicator.PARTY_MASS_CENTRES: ("个", "个中心"),
    Indicator.CHARITY_BASES: ("个", "个基地"),
    Indicator.VOLUNTEER_ORGANIZATIONS: ("%", "个组织或队伍"),
    Indicator.VOLUNTEERS: ("%", "名志愿者"),
    Indicator.TRADE_DECOUPLING: ("%", "个协会"),
}
KIND_ZH = {"urban": "城市社区", "rural": "农村社区", "street": "街道", "town": "镇", "dev_zone": "开发区", "city": "市"}

MET, NOT_MET, CITY_ONLY, NO_DATA = "达标", "未达标", "仅考核全市", "无数据"
NOT_AT_PACE = "按当前进度无法达标"

_OK_FILL = PatternFill("solid", fgColor="E2F0D9")
_WARN_FILL = PatternFill("solid", fgColor="FBE2D5")
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


# --- words and numbers shared with the PDF report ----------------------------------------------


def unit_zh(row: TargetRow) -> str:
    return UNITS_ZH.get(row.target.indicator, (str(row.unit), str(row.gap_unit)))[0]


def gap_unit_zh(row: TargetRow) -> str:
    return UNITS_ZH.get(row.target.indicator, (str(row.unit), str(row.gap_unit)))[1]


def is_count(row: TargetRow) -> bool:
    """A plain count (no denominator): written without decimals."""
    return row.figure.denominator is None


def met_zh(row: TargetRow) -> str:
    if not row.applies:
        return CITY_ONLY
    if row.goal is None:
        return "—"
    if row.met is None:
        return NO_DATA
    return MET if row.met else NOT_MET


def projection_zh(row: TargetRow) -> str:
    """When the target would be met at the last twelve months' pace ("" when met or unjudged)."""
    p = row.projection
    if p is None:
        return ""
    if p.reached_on is None:
        return NOT_AT_PACE
    return f"约{p.reached_on:%Y-%m}（{'按期' if p.on_time else '逾期'}）"


def area_title(area: Area) -> str:
    """The area as a heading: a town with its city (平湖市当湖街道), a city alone."""
    if area.level == AreaLevel.TOWN and area.city_id:
        city = Area.objects.only("name").get(pk=area.city_id)
        return f"{city.name}{area.name}"
    return area.name


def report_title(area: Area, on: dt.date) -> str:
    return f"{area_title(area)} 社会组织参与社会治理总体目标完成情况（截至 {on:%Y-%m-%d}）"


def file_basename(area: Area, on: dt.date) -> str:
    return f"{area_title(area)}-总体目标-{on:%Y-%m-%d}"


def community_targets(view: AreaView) -> list[TargetRow]:
    """The rows of T2–T6 and any target of the same indicators: their communities below the
    line get a list of their own."""
    return [r for r in view.rows if r.target.indicator in selectors.COMMUNITY_VIEW_INDICATORS]


def child_headers(view: AreaView) -> list[TargetRow]:
    return view.children[0].cells if view.children else []


def town_name(view: AreaView, area: Area) -> str:
    """The town of a community (or the town itself) in a below-the-line list."""
    if area.level == AreaLevel.TOWN:
        return area.name
    town = view.data.towns.get(area.town_id)
    if town is None and view.area.pk == area.town_id:
        town = view.area
    return town.name if town is not None else ""


# The second panel (shezhi.targets.panels.second_panel) in Chinese: the procedures and the
# credit lists by their codes; an unknown code keeps the panel's own label.
PROCEDURE_ZH = {
    "establishment": "成立登记",
    "change": "变更登记",
    "deregistration": "注销登记",
    "reelection": "换届",
    "annual_report": "年检年报",
    "rating": "等级评估",
    "town_filing": "社区社会组织备案",
    "town_defiling": "撤销备案",
    "charity_recognition": "慈善组织认定",
    "public_fundraising": "公开募捐资格",
}
LIST_ZH = {"abnormal": "活动异常名录", "serious": "严重违法失信名单"}
SERVICE_HEADERS = [
    "事项",
    "办结数",
    "准予",
    "不予许可",
    "不予受理",
    "全程网办率（%）",
    "用时中位数（工作日）",
    "承诺时限（工作日）",
    "按时办结率（%）",
    "超时数",
]
MONTH_HEADERS = ["月份", "办结数", "全程网办率（%）", "用时中位数（工作日）", "按时办结率（%）"]
LIST_HEADERS = ["名录", "在册组织数", "12个月内列入", "12个月内移出"]
_PANEL_KNOWN = {"on", "since", "services", "kinds", "months", "lists", "chart"}


@dataclass
class PanelTable:
    title: str
    headers: list[str]
    rows: list[list[Any]]


def _service_row(label: str, f: Any, promised: str = "") -> list[Any]:
    return [
        label,
        f.decided,
        f.approved,
        f.refused,
        f.not_accepted,
        f.online_share,
        f.median_workdays,
        promised,
        f.on_time_rate,
        f.late,
    ]


def panel_tables(panel: Any) -> list[PanelTable]:
    """The second panel's figures as tables: the online affairs decided in the twelve months
    (by procedure, then by month) and the organizations on each credit list; anything else
    the panel holds is listed under its own key."""
    if panel is None:
        return []
    if not isinstance(panel, dict):
        return [PanelTable("其他", ["项目", "数值"], list(panel_rows(panel)))]
    tables = []
    period = ""
    if isinstance(panel.get("since"), dt.date) and isinstance(panel.get("on"), dt.date):
        period = f"（{panel['since']:%Y-%m-%d} 至 {panel['on']:%Y-%m-%d} 办结）"
    services = panel.get("services")
    if services is not None and hasattr(services, "decided"):
        rows = [
            _service_row(PROCEDURE_ZH.get(getattr(k, "kind", ""), str(getattr(k, "label", ""))), k, getattr(k, "promised", ""))
            for k in panel.get("kinds") or []
        ]
        rows.append(_service_row("合计", services))
        tables.append(PanelTable(f"网上办事{period}", SERVICE_HEADERS, rows))
    months = panel.get("months") or []
    if months and all(hasattr(m, "month") for m in months):
        rows = [[m.month, m.decided, m.online_share, m.median_workdays, m.on_time_rate] for m in months]
        tables.append(PanelTable("按月办结", MONTH_HEADERS, rows))
    lists = panel.get("lists") or []
    if lists and all(hasattr(x, "organizations") for x in lists):
        day = f"（截至 {panel['on']:%Y-%m-%d}）" if isinstance(panel.get("on"), dt.date) else ""
        rows = [[LIST_ZH.get(x.list_kind, str(x.label)), x.organizations, x.added, x.removed] for x in lists]
        tables.append(PanelTable(f"信用名录{day}", LIST_HEADERS, rows))
    rest = {k: v for k, v in panel.items() if k not in _PANEL_KNOWN}
    if rest or not tables:
        tables.append(PanelTable("其他", ["项目", "数值"], list(panel_rows(rest or panel))))
    return tables


def panel_rows(panel: Any, prefix: str = "") -> Iterator[list[Any]]:
    """Figures of an unknown shape as rows: a value under its label, a mapping as a block of
    labelled rows, a list of mappings as a small table."""
    if dataclasses.is_dataclass(panel) and not isinstance(panel, type):
        panel = dataclasses.asdict(panel)
    if isinstance(panel, dict):
        for key, value in panel.items():
            label = f"{prefix}{key}"
            if isinstance(value, (dict, list, tuple)) or dataclasses.is_dataclass(value):
                yield [label]
                yield from panel_rows(value, prefix=f"{prefix}  ")
            else:
                yield [label, value]
    elif isinstance(panel, (list, tuple)):
        items = [dataclasses.asdict(i) if dataclasses.is_dataclass(i) else i for i in panel]
        if items and all(isinstance(i, dict) for i in items):
            keys = list(dict.fromkeys(k for i in items for k in i))
            yield [f"{prefix}{k}" if n == 0 else k for n, k in enumerate(keys)]
            for i in items:
                yield [i.get(k) for k in keys]
        else:
            for i in items:
                if isinstance(i, (dict, list, tuple)):
                    yield from panel_rows(i, prefix=prefix)
                else:
                    yield [prefix, i] if isinstance(i, (int, float, Decimal)) else [f"{prefix}{i}"]
    elif panel is not None:
        yield [f"{prefix}{panel}"]


# --- writing ------------------------------------------------------------------------------------


def _value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and value.as_tuple().exponent >= 0 else float(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None or isinstance(value, (int, float, dt.date, dt.datetime)):
        return value
    return str(value)  # text, lazy text


class _Sheet:
    """One sheet: a title row (area and day), a blank row, bold headers, then the rows."""

    def __init__(self, workbook: Workbook, name: str, title: str, headers: Sequence[str], widths: Sequence[int] = ()):
        self.ws = workbook.create_sheet(_sheet_name(workbook, name))
        self.ws.append([title])
        self.ws["A1"].font = _TITLE
        self.ws.append([])
        self.ws.append(list(headers))
        for cell in self.ws[3]:
            cell.font = _BOLD
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        self.ws.freeze_panes = "A4"
        for i, header in enumerate(headers):
            width = widths[i] if i < len(widths) else max(10, min(30, len(str(header)) * 2 + 2))
            self.ws.column_dimensions[get_column_letter(i + 1)].width = width

    def append(self, values: Iterable[Any], *, formats: dict[int, str] | None = None, fills: dict[int, PatternFill] | None = None):
        self.ws.append([_value(v) for v in values])
        row = self.ws.max_row
        for cell in self.ws[row]:
            if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith(FORMULA_START)):
                cell.data_type = "s"  # text from the data never runs as a formula
            if isinstance(cell.value, (dt.date, dt.datetime)):
                cell.number_format = "yyyy-mm-dd"
        for col, fmt in (formats or {}).items():
            self.ws.cell(row=row, column=col + 1).number_format = fmt
        for col, fill in (fills or {}).items():
            self.ws.cell(row=row, column=col + 1).fill = fill


def _sheet_name(workbook: Workbook, name: str) -> str:
    base = _BAD_SHEET_CHARS.sub("-", name)[:31] or "Sheet"
    taken = {ws.title for ws in workbook.worksheets}
    candidate, n = base, 2
    while candidate in taken:
        suffix = f"({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    return candidate


def _number_format(row: TargetRow) -> str:
    return "0" if is_count(row) else "0.00"


def _fill(met: bool | None) -> PatternFill | None:
    return None if met is None else (_OK_FILL if met else _WARN_FILL)


def _title(view: AreaView, what: str) -> str:
    return f"{area_title(view.area)} {what}（截至 {view.on:%Y-%m-%d}）"


TARGET_HEADERS = [
    "代码",
    "目标",
    "实际值",
    "单位",
    "目标值",
    "截止日期",
    "是否达标",
    "差距",
    "差距单位",
    "预计达标时间",
    "是否按期",
    "月均进度",
]


def _targets_sheet(workbook: Workbook, view: AreaView) -> None:
    sheet = _Sheet(
        workbook, SHEET_TARGETS, _title(view, "总体目标完成情况"), TARGET_HEADERS, (8, 44, 12, 10, 12, 12, 12, 10, 16, 16, 10, 10)
    )
    for r in view.rows:
        p = r.projection
        reached: Any = ""
        if p is not None:
            reached = p.reached_on if p.reached_on is not None else NOT_AT_PACE
        fmt = _number_format(r)
        sheet.append(
            [
                r.code,
                r.target.name,
                r.actual,
                unit_zh(r),
                r.goal,
                r.milestone.due_on if r.goal is not None else None,
                met_zh(r),
                r.gap,
                gap_unit_zh(r) if r.gap is not None else "",
                reached,
                ("是" if p.on_time else "否") if p is not None else "",
                p.pace if p is not None else None,
            ],
            formats={2: fmt, 4: fmt, 9: "yyyy-mm", 11: "0.00"},
            fills={6: _fill(r.met)} if r.met is not None else None,
        )


def _trend_sheet(workbook: Workbook, view: AreaView) -> None:
    headers = ["月份"] + [f"{r.code} {r.target.name}（{unit_zh(r)}）" for r in view.rows]
    sheet = _Sheet(workbook, SHEET_TREND, _title(view, "各目标月度趋势（每月末）"), headers, [12] + [16] * len(view.rows))
    days = [d for d, _v in view.rows[0].trend] if view.rows else []
    by_row = [dict(r.trend) for r in view.rows]
    formats = {i + 1: _number_format(r) for i, r in enumerate(view.rows)}
    for day in days:
        sheet.append([day] + [values.get(day) for values in by_row], formats=formats)
    goals = [r.goal for r in view.rows]
    if any(g is not None for g in goals):
        sheet.append(["目标值", *goals], formats=formats)


def _children_sheet(workbook: Workbook, view: AreaView) -> None:
    cells = child_headers(view)
    cell_headers = [f"{c.code} {c.target.name}（{unit_zh(c)}）" for c in cells]
    if view.area.level == AreaLevel.CITY:
        headers = ["排名", "镇（街道）", "区划代码", "达标项数", "考核项数", "平均完成度（%）", *cell_headers]
        sheet = _Sheet(workbook, SHEET_TOWNS, _title(view, "镇（街道）排名"), headers, (6, 18, 14, 10, 10, 14) + (16,) * len(cells))
        lead = 6
    else:
        headers = ["社区", "区划代码", "类型", *cell_headers]
        sheet = _Sheet(workbook, SHEET_COMMUNITIES, _title(view, "各社区情况"), headers, (18, 16, 10) + (16,) * len(cells))
        lead = 3
    for child in view.children:
        first = _child_lead(view, child)
        fills = {lead + i: _fill(c.met) for i, c in enumerate(child.cells) if c.met is not None}
        formats = {lead + i: _number_format(c) for i, c in enumerate(child.cells)}
        if view.area.level == AreaLevel.CITY:
            formats[5] = "0.0"
        sheet.append([*first, *(c.actual for c in child.cells)], formats=formats, fills=fills)


def _child_lead(view: AreaView, child: ChildRow) -> list[Any]:
    if view.area.level == AreaLevel.CITY:
        return [child.rank, child.area.name, child.area.code, child.met_count, child.judged_count, child.attainment]
    return [child.area.name, child.area.code, KIND_ZH.get(child.area.kind, child.area.kind)]


BELOW_HEADERS = ["序号", "名称", "区划代码", "类型", "所属镇（街道）", "实际", "标准线", "差距"]


def below_what(row: TargetRow) -> str:
    if row.target.indicator == Indicator.HUB_COVERAGE:
        return "低于标准线的镇（街道）和社区"
    return "低于标准线的社区"


def below_sheet_name(row: TargetRow) -> str:
    return f"{row.code} 低于标准线"


def _below_sheet(workbook: Workbook, view: AreaView, row: TargetRow, below: list[Shortfall]) -> None:
    title = _title(view, f"{row.code} {row.target.name}：{below_what(row)}（共{len(below)}个）")
    sheet = _Sheet(workbook, below_sheet_name(row), title, BELOW_HEADERS, (6, 20, 16, 10, 16, 8, 8, 8))
    for n, s in enumerate(below, start=1):
        sheet.append(
            [n, s.area.name, s.area.code, KIND_ZH.get(s.area.kind, s.area.kind), town_name(view, s.area), s.actual, s.line, s.short_by]
        )
    if not below:
        sheet.append(["", "无（均达到标准线）"])


def _panel_sheet(workbook: Workbook, view: AreaView, panel: Any) -> None:
    """Several small tables one under the other, each with its bold title and headers."""
    tables = panel_tables(panel)
    ws = workbook.create_sheet(_sheet_name(workbook, SHEET_PANEL))
    ws.append([_title(view, "网上办事与信用监管")])
    ws["A1"].font = _TITLE
    ws.column_dimensions["A"].width = 24
    for i in range(2, 12):
        ws.column_dimensions[get_column_letter(i)].width = 14
    for table in tables:
        ws.append([])
        ws.append([table.title])
        ws.cell(row=ws.max_row, column=1).font = _BOLD
        ws.append(table.headers)
        for cell in ws[ws.max_row]:
            cell.font = _BOLD
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for values in table.rows:
            ws.append([_value(v) for v in values])
            for cell in ws[ws.max_row]:
                if cell.data_type == "f":
                    cell.data_type = "s"
                if isinstance(cell.value, (dt.date, dt.datetime)):
                    cell.number_format = "yyyy-mm"


def sheet_count(view: AreaView, panel: Any) -> int:
    return 3 + len(community_targets(view)) + (1 if panel is not None else 0)


def write_workbook(
    target: str | Path | BinaryIO, view: AreaView, *, panel: Any = None, on_sheet: Callable[[], None] | None = None
) -> list[str]:
    """Write the dashboard `view` (an area_view with its trend) to an .xlsx; returns the
    sheet names. `on_sheet` is called after each sheet (the job's progress)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    step = on_sheet or (lambda: None)
    _targets_sheet(workbook, view)
    step()
    _trend_sheet(workbook, view)
    step()
    _children_sheet(workbook, view)
    step()
    for row in community_targets(view):
        _below_sheet(workbook, view, row, selectors.below_the_line(view, row.target))
        step()
    if panel is not None:
        _panel_sheet(workbook, view, panel)
        step()
    workbook.save(target)
    return workbook.sheetnames
