"""The dashboard of a city or a town as of a day as a printable PDF report (A4) for a
leadership meeting: the targets met and not met, a trend chart per target, the towns ranked
or the communities, and the communities below the line.

The text is Chinese whatever the UI language (it is a document, like the notices of
shezhi.documents), set in the TrueType font shezhi.documents embeds, so it prints the same
on a machine without Chinese fonts. Charts are drawn with reportlab's graphics: the actual
figure month by month as a line, the target value as a dashed line.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import CondPageBreak, KeepTogether, Paragraph, SimpleDocTemplate, Table, TableStyle

from shezhi.areas.models import AreaLevel
from shezhi.documents.pdf import cjk_font
from shezhi.targets import selectors
from shezhi.targets.exports import (
    KIND_ZH,
    MET,
    NOT_MET,
    area_title,
    below_what,
    child_headers,
    community_targets,
    gap_unit_zh,
    is_count,
    met_zh,
    panel_tables,
    projection_zh,
    report_title,
    town_name,
    unit_zh,
)
from shezhi.targets.selectors import AreaView, TargetRow

# A below-the-line list longer than this shows its first rows and says how many there are;
# the .xlsx export and the dashboard hold the whole list.
BELOW_LIMIT = 20
MARGIN = 15 * mm
WIDTH = A4[0] - 2 * MARGIN

OK_BG = colors.HexColor("#E2F0D9")
WARN_BG = colors.HexColor("#FBE2D5")
HEAD_BG = colors.HexColor("#DDE4EE")
LINE_COLOR = colors.HexColor("#1F5FA8")
GOAL_COLOR = colors.HexColor("#C0392B")


def _styles() -> dict[str, ParagraphStyle]:
    font = cjk_font()
    base = ParagraphStyle("base", fontName=font, fontSize=10, leading=15, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=17, leading=25, alignment=TA_CENTER, spaceAfter=2 * mm),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=9.5, alignment=TA_CENTER, textColor=colors.grey, spaceAfter=4 * mm),
        "h2": ParagraphStyle("h2", parent=base, fontSize=13, leading=19, spaceBefore=5 * mm, spaceAfter=2.5 * mm),
        "h3": ParagraphStyle("h3", parent=base, fontSize=10.5, leading=15, spaceBefore=3 * mm, spaceAfter=1.5 * mm),
        "body": ParagraphStyle("body", parent=base, spaceAfter=2 * mm),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8, leading=10.5),
        "note": ParagraphStyle("note", parent=base, fontSize=8.5, leading=12, textColor=colors.HexColor("#555555"), spaceBefore=1 * mm),
    }


def _num(value: Decimal | int | None, *, count: bool = False) -> str:
    if value is None:
        return "—"
    if count or (isinstance(value, Decimal) and value == value.to_integral_value()):
        return f"{int(value):,}"
    return f"{value:,.2f}"


def _figure(row: TargetRow, value: Decimal | None) -> str:
    text = _num(value, count=is_count(row))
    return f"{text}%" if value is not None and unit_zh(row) == "%" else text


def _table(data: list[list[Any]], widths: list[float], *, extra: list[tuple] = (), repeat: int = 1) -> Table:
    font = cjk_font()
    table = Table(data, colWidths=widths, repeatRows=repeat)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 8),
                ("LEADING", (0, 0), (-1, -1), 10.5),
                ("BACKGROUND", (0, 0), (-1, repeat - 1), HEAD_BG),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9AA5B1")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                *extra,
            ]
        )
    )
    return table


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


# --- sections --------------------------------------------------------------------------------


def _summary(view: AreaView, s: dict) -> list:
    judged = [r for r in view.rows if r.met is not None]
    behind = [r for r in judged if not r.met]
    lines = [f"共 {len(view.rows)} 项目标，考核 {len(judged)} 项，已达标 {view.met_count} 项，未达标 {len(behind)} 项。"]
    if behind:
        lines.append("未达标：" + "；".join(f"{r.code} {r.target.name}（差 {r.gap:,} {gap_unit_zh(r)}）" for r in behind) + "。")
    if view.area.level == AreaLevel.TOWN:
        lines.append("标为“仅考核全市”的目标只对全市考核，此处列出本镇（街道）的数值，不作判断。")
    story: list = [_p("一、总体目标完成情况", s["h2"])]
    story += [_p(line, s["body"]) for line in lines]
    head = ["代码", "目标", "实际值", "目标值", "截止日期", "是否达标", "差距", "按当前进度"]
    data: list[list[Any]] = [head]
    extra = []
    for i, r in enumerate(view.rows, start=1):
        data.append(
            [
                r.code,
                _p(r.target.name, s["cell"]),
                _figure(r, r.actual),
                f"≥ {_figure(r, r.goal)}" if r.goal is not None else "—",
                f"{r.milestone.due_on:%Y-%m-%d}" if r.goal is not None else "",
                met_zh(r),
                _p(f"{r.gap:,} {gap_unit_zh(r)}" if r.gap else ("0" if r.gap == 0 else ""), s["cell"]),
                _p(projection_zh(r), s["cell"]),
            ]
        )
        if r.met is not None:
            extra.append(("BACKGROUND", (5, i), (5, i), OK_BG if r.met else WARN_BG))
    extra += [("ALIGN", (2, 1), (3, -1), "RIGHT"), ("ALIGN", (5, 0), (5, -1), "CENTER")]
    widths = [10 * mm, 50 * mm, 18 * mm, 19 * mm, 19 * mm, 15 * mm, 22 * mm, 27 * mm]
    story.append(_table(data, widths, extra=extra))
    return story


def trend_chart(row: TargetRow, width: float = 86 * mm, height: float = 58 * mm) -> Drawing:
    """The figure at each month's end as a solid line and the target value as a dashed one,
    with Chinese labels (title, legend) in the embedded font."""
    font = cjk_font()
    drawing = Drawing(width, height)
    points = [(i, float(v)) for i, (_d, v) in enumerate(row.trend) if v is not None]
    days = [d for d, _v in row.trend]
    title = f"{row.code} {row.target.name}"
    if len(title) > 24:
        title = title[:23] + "…"
    drawing.add(String(2, height - 10, title, fontName=font, fontSize=8.5))
    drawing.add(String(width - 2, height - 10, f"单位：{unit_zh(row)}", fontName=font, fontSize=7, textAnchor="end", fillColor=colors.grey))
    plot = LinePlot()
    plot.x, plot.y = 30, 26
    plot.width, plot.height = width - 38, height - 48
    goal = float(row.goal) if row.goal is not None else None
    n = max(len(days) - 1, 1)
    data = [points or [(0, 0)]]
    if goal is not None:
        data.append([(0, goal), (n, goal)])
    plot.data = data
    plot.lines[0].strokeColor = LINE_COLOR
    plot.lines[0].strokeWidth = 1.4
    if goal is not None:
        plot.lines[1].strokeColor = GOAL_COLOR
        plot.lines[1].strokeWidth = 1
        plot.lines[1].strokeDashArray = (4, 2.5)
    values = [v for _i, v in points] + ([goal] if goal is not None else [])
    top = max(values) if values else 1
    low = min(values) if values else 0
    plot.yValueAxis.valueMin = 0 if low >= 0 else low * 1.1
    plot.yValueAxis.valueMax = top * 1.12 if top > 0 else 1
    plot.yValueAxis.labels.fontName = font
    plot.yValueAxis.labels.fontSize = 6.5
    plot.yValueAxis.visibleGrid = True
    plot.yValueAxis.gridStrokeColor = colors.HexColor("#E3E7EC")
    plot.yValueAxis.labelTextFormat = lambda v: f"{v:,.0f}" if abs(v) >= 10 or v == int(v) else f"{v:.1f}"
    plot.xValueAxis.valueMin, plot.xValueAxis.valueMax = 0, n
    step = 6 if n >= 12 else max(1, n // 4)
    plot.xValueAxis.valueSteps = sorted({*range(0, n + 1, step), n}) if n >= 1 else [0]
    plot.xValueAxis.labels.fontName = font
    plot.xValueAxis.labels.fontSize = 6.5
    plot.xValueAxis.labelTextFormat = lambda i: f"{days[round(i)]:%Y-%m}" if 0 <= round(i) < len(days) else ""
    drawing.add(plot)
    # The legend, under the plot.
    y = 6
    drawing.add(Line(30, y + 2.5, 44, y + 2.5, strokeColor=LINE_COLOR, strokeWidth=1.4))
    drawing.add(String(47, y, "实际值", fontName=font, fontSize=7))
    if goal is not None:
        drawing.add(Line(80, y + 2.5, 94, y + 2.5, strokeColor=GOAL_COLOR, strokeWidth=1, strokeDashArray=(4, 2.5)))
        drawing.add(String(97, y, f"目标值 {_figure(row, row.goal)}（{row.milestone.due_on:%Y-%m-%d}）", fontName=font, fontSize=7))
    else:
        drawing.add(String(80, y, "目标值：不适用", fontName=font, fontSize=7, fillColor=colors.grey))
    return drawing


def _trends(view: AreaView, s: dict) -> list:
    story: list = [CondPageBreak(70 * mm), _p("二、各目标月度趋势", s["h2"])]
    if view.rows and view.rows[0].trend:
        first, last = view.rows[0].trend[0][0], view.rows[0].trend[-1][0]
        story.append(_p(f"每月末的数值，{first:%Y-%m} 至 {last:%Y-%m-%d}；实线为实际值，虚线为目标值。", s["note"]))
    charts = [trend_chart(r) for r in view.rows]
    rows = [charts[i : i + 2] + ([""] if i + 1 >= len(charts) else []) for i in range(0, len(charts), 2)]
    if rows:
        table = Table(rows, colWidths=[WIDTH / 2] * 2)
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
        story.append(table)
    return story


def _children(view: AreaView, s: dict) -> list:
    cells = child_headers(view)
    codes = [c.code for c in cells]
    city = view.area.level == AreaLevel.CITY
    if city:
        story: list = [CondPageBreak(60 * mm), _p("三、镇（街道）排名", s["h2"])]
        story.append(_p("按达标项数排序，相同时按各项目标平均完成度（完成值与目标值之比，最高100%）排序。", s["note"]))
        head = ["排名", "镇（街道）", "达标/考核", "完成度", *codes]
        lead_widths = [10 * mm, 30 * mm, 16 * mm, 15 * mm]
    else:
        story = [CondPageBreak(60 * mm), _p("三、各社区情况", s["h2"])]
        head = ["社区", "类型", *codes]
        lead_widths = [30 * mm, 18 * mm]
    if cells:
        story.append(_p("；".join(f"{c.code} {c.target.name}（{unit_zh(c)}）" for c in cells), s["note"]))
    lead = len(lead_widths)
    rest = WIDTH - sum(lead_widths)
    widths = lead_widths + [rest / max(len(codes), 1)] * len(codes)
    data: list[list[Any]] = [head]
    extra = [("ALIGN", (lead, 0), (-1, -1), "RIGHT"), ("ALIGN", (0, 0), (lead - 1 if city else 0, -1), "LEFT")]
    for n, child in enumerate(view.children, start=1):
        if city:
            first = [str(child.rank), child.area.name, f"{child.met_count}/{child.judged_count}", f"{child.attainment:.1f}%"]
        else:
            first = [child.area.name, KIND_ZH.get(child.area.kind, child.area.kind)]
        data.append(first + [_figure(c, c.actual) for c in child.cells])
        for i, c in enumerate(child.cells):
            if c.met is not None:
                extra.append(("BACKGROUND", (lead + i, n), (lead + i, n), OK_BG if c.met else WARN_BG))
    if not view.children:
        story.append(_p("无。", s["body"]))
        return story
    story.append(_table(data, widths, extra=extra))
    story.append(_p(f"底色：绿色为{MET}，橙色为{NOT_MET}。", s["note"]))
    return story


def _below(view: AreaView, s: dict) -> list:
    rows = community_targets(view)
    if not rows:
        return []
    story: list = [CondPageBreak(50 * mm), _p("四、低于标准线的社区", s["h2"])]
    for r in rows:
        below = selectors.below_the_line(view, r.target)
        heading = _p(f"{r.code} {r.target.name}：{below_what(r)}（共{len(below)}个）", s["h3"])
        if not below:
            story.append(KeepTogether([heading, _p("无，均达到标准线。", s["body"])]))
            continue
        data: list[list[Any]] = [["序号", "名称", "类型", "所属镇（街道）", "实际", "标准线", "差距"]]
        for n, b in enumerate(below[:BELOW_LIMIT], start=1):
            line = _num(b.line, count=is_count(r)) if b.line is not None else "—"
            data.append(
                [str(n), b.area.name, KIND_ZH.get(b.area.kind, b.area.kind), town_name(view, b.area), str(b.actual), line, str(b.short_by)]
            )
        widths = [12 * mm, 48 * mm, 22 * mm, 40 * mm, 19 * mm, 19 * mm, 20 * mm]
        table = _table(data, widths, extra=[("ALIGN", (4, 0), (-1, -1), "RIGHT")])
        parts = [heading]
        if len(below) > BELOW_LIMIT:
            parts.append(_p(f"共{len(below)}个，此处列出前{BELOW_LIMIT}个；完整名单见 .xlsx 导出或系统中的目标页面。", s["note"]))
        parts.append(table)
        if len(data) <= 12:
            story.append(KeepTogether(parts))
        else:  # a long list may break across pages, its heading kept with its first rows
            story += [CondPageBreak(40 * mm), *parts]
    return story


def _panel_value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.1f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, dt.date):
        return f"{value:%Y-%m}"
    return str(value)


def _panel(panel: Any, s: dict) -> list:
    tables = panel_tables(panel)
    if not tables:
        return []
    story: list = [CondPageBreak(50 * mm), _p("五、网上办事与信用监管", s["h2"])]
    for table in tables:
        columns = len(table.headers)
        first = 34 * mm if columns > 2 else 80 * mm
        widths = [first] + [(WIDTH - first) / (columns - 1)] * (columns - 1) if columns > 1 else [WIDTH]
        head = [_p(h, s["cell"]) for h in table.headers]
        data = [head] + [[_panel_value(v) for v in (row + [None] * columns)[:columns]] for row in table.rows]
        extra = [("ALIGN", (1, 1), (-1, -1), "RIGHT")]
        if table.rows and table.rows[-1] and table.rows[-1][0] == "合计":
            extra.append(("BACKGROUND", (0, len(data) - 1), (-1, len(data) - 1), colors.HexColor("#F1F3F6")))
        story.append(KeepTogether([_p(table.title, s["h3"]), _table(data, widths, extra=extra)]))
    return story


# --- the document ----------------------------------------------------------------------------


def _numbered_canvas(footer_left: str, footer_right: str) -> type[Canvas]:
    """A canvas that writes "第 n 页 共 N 页" on every page once the page count is known."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            # Every page starts in the embedded font: no unembedded Helvetica in the file.
            kwargs["initialFontName"] = cjk_font()
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._footer(total)
                super().showPage()
            super().save()

        def _footer(self, total: int) -> None:
            font = cjk_font()
            self.saveState()
            self.setFont(font, 8)
            self.setFillColor(colors.grey)
            self.setStrokeColor(colors.HexColor("#C8CFD8"))
            self.line(MARGIN, 12 * mm, A4[0] - MARGIN, 12 * mm)
            self.drawString(MARGIN, 8 * mm, footer_left)
            self.drawCentredString(A4[0] / 2, 8 * mm, f"第 {self._pageNumber} 页 共 {total} 页")
            self.drawRightString(A4[0] - MARGIN, 8 * mm, footer_right)
            self.restoreState()

    return NumberedCanvas


def render_report(
    view: AreaView, *, panel: Any = None, generated_at: dt.datetime | None = None, on_step: Callable[[], None] | None = None
) -> bytes:
    """The PDF of the dashboard `view` (an area_view with its trend)."""
    s = _styles()
    step = on_step or (lambda: None)
    generated = timezone.localtime(generated_at or timezone.now())
    title = report_title(view.area, view.on)
    heading = escape(title).replace("（截至", "<br/>（截至")
    story: list = [Paragraph(heading, s["title"]), _p(f"数据截至 {view.on:%Y-%m-%d} · 生成时间 {generated:%Y-%m-%d %H:%M}", s["subtitle"])]
    story += _summary(view, s)
    step()
    story += _trends(view, s)
    step()
    story += _children(view, s)
    step()
    story += _below(view, s)
    step()
    if panel is not None:
        story += _panel(panel, s)
        step()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=15 * mm,
        bottomMargin=18 * mm,
        title=title,
        author=area_title(view.area),
        subject="社会组织参与社会治理总体目标",
    )
    canvas = _numbered_canvas(f"生成时间：{generated:%Y-%m-%d %H:%M}", f"{area_title(view.area)} · 截至 {view.on:%Y-%m-%d}")
    doc.build(story, canvasmaker=canvas)
    return out.getvalue()


def report_steps(panel: Any) -> int:
    return 4 + (1 if panel is not None else 0)


def write_report(target: str | Path, view: AreaView, **kwargs) -> int:
    data = render_report(view, **kwargs)
    Path(target).write_bytes(data)
    return len(data)
