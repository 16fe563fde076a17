"""The numbers the browser draws with ECharts (shezhi/static/shezhi/targets.js). Every chart
on the page also has its numbers as a table, drawn by the template from the same rows."""

from __future__ import annotations

from decimal import Decimal

from shezhi.targets.selectors import AreaView, TargetRow


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def target_chart(row: TargetRow) -> dict:
    return {
        "code": row.target.code,
        "name": row.target.name,
        "unit": str(row.unit),
        "goal": _num(row.goal),
        "dates": [d.isoformat() for d, _v in row.trend],
        "values": [_num(v) for _d, v in row.trend],
    }


def area_charts(view: AreaView) -> dict:
    children = [
        {"name": c.area.name, "attainment": _num(c.attainment), "met": c.met_count, "judged": c.judged_count} for c in view.children
    ]
    return {"targets": [target_chart(r) for r in view.rows], "children": children if view.area.level == "city" else []}
