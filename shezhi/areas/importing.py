"""Import and export of the area tree as .xlsx/.csv with the reference file's Chinese headers
(区划代码,名称,类型,上级区划代码,常住人口,人口统计日期,登记管理机关).

Area files are small (a city has a few hundred communities), so the check runs in the
request: every row goes through area_save — which validates the tree — inside one
transaction that is rolled back. Importing runs the same rows again in a transaction that
is kept only if exactly the rows that passed the check pass again: all or nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.utils.translation import gettext as _

from shezhi.areas.models import Area, AreaKind, AreaLevel
from shezhi.areas.services import KIND_LEVEL, KIND_WORDS, area_save
from shezhi.audit.models import AuditAction
from shezhi.audit.services import audit_record
from shezhi.tabular import (
    CellError,
    Column,
    SheetFile,
    TabularError,
    clean_code,
    clean_text,
    header_key,
    is_blank_row,
    iter_rows,
    locate_header,
    parse_bool,
    parse_date,
    parse_int,
)

MAX_AREA_ROWS = 5000

AREA_COLUMNS = [
    Column("code", "区划代码", ("行政区划代码", "代码"), required=True),
    Column("name", "名称", ("区划名称",), required=True),
    Column("kind", "类型", ("区划类型",), required=True),
    Column("parent", "上级区划代码", ("上级代码",)),
    Column("population", "常住人口", ("人口",)),
    Column("population_date", "人口统计日期", ("统计日期",)),
    Column("authority_name", "登记管理机关", ()),
    Column("is_demo", "演示数据", ()),  # optional; exports leave it out, as the reference file does
]
EXPORT_COLUMNS = AREA_COLUMNS[:7]
# The word an export writes for each kind; KIND_WORDS reads all of them back.
KIND_LABELS = {
    AreaKind.PROVINCE: "省",
    AreaKind.CITY: "县级市",
    AreaKind.STREET: "街道",
    AreaKind.TOWN: "镇",
    AreaKind.DEV_ZONE: "开发区",
    AreaKind.URBAN: "城市社区",
    AreaKind.RURAL: "农村社区",
}
_KIND_KEYS = {header_key(word): kind for word, kind in KIND_WORDS.items()} | {header_key(k.value): k.value for k in AreaKind}
_LEVEL_ORDER = [AreaLevel.PROVINCE, AreaLevel.CITY, AreaLevel.TOWN, AreaLevel.COMMUNITY]
_FIELD_COLUMN = {"code": "code", "name": "name", "kind": "kind", "parent": "parent", "population": "population"}
_FIELD_COLUMN |= {"population_date": "population_date", "authority_name": "authority_name", "is_demo": "is_demo"}
HEADERS = {c.key: c.header for c in AREA_COLUMNS}


def city_tree(city: Area) -> QuerySet[Area]:
    """The city, then each town followed by its communities, in code order."""
    level_rank = Case(
        When(level=AreaLevel.CITY, then=Value(0)), When(level=AreaLevel.TOWN, then=Value(1)), default=Value(2), output_field=IntegerField()
    )
    town_first = F("town__code").asc(nulls_first=True)  # the city itself has no town
    return Area.objects.filter(city=city).annotate(level_rank=level_rank).order_by(town_first, "level_rank", "code")


def export_rows(city: Area) -> Iterator[list[Any]]:
    """The rows of an export of the city's tree, in the reference file's columns."""
    # The city's own parent (the province) is named by code; everything else joins nothing.
    parents = dict(Area.objects.filter(pk=city.parent_id).values_list("pk", "code")) if city.parent_id else {}
    codes = dict(Area.objects.filter(city=city).values_list("pk", "code")) | parents
    for area in city_tree(city).iterator(chunk_size=2000):
        yield [
            area.code,
            area.name,
            KIND_LABELS.get(area.kind, area.kind),
            codes.get(area.parent_id, ""),
            area.population,
            area.population_date,
            area.authority_name,
        ]


@dataclass
class AreaRowError:
    row: int
    column: str
    message: str


@dataclass
class AreaImport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[AreaRowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    file_error: str = ""
    valid_rows: list[int] = field(default_factory=list)

    @property
    def valid(self) -> int:
        return len(self.valid_rows)

    @property
    def invalid_rows(self) -> int:
        return len({e.row for e in self.errors})

    @property
    def digest(self) -> str:
        return hashlib.sha256(",".join(map(str, self.valid_rows)).encode()).hexdigest()


@dataclass
class _Row:
    number: int
    code: str
    kind: str | None
    parent_code: str
    data: dict[str, Any]
    errors: list[AreaRowError]


class _Rollback(Exception):
    pass


def _read_rows(sheet: SheetFile, report: AreaImport) -> list[_Row]:
    header, rows = locate_header(iter_rows(sheet), AREA_COLUMNS)
    report.ignored_columns = header.ignored
    parsed: list[_Row] = []
    for number, values in rows:
        if is_blank_row(values):
            continue
        if len(parsed) >= MAX_AREA_ROWS:
            raise TabularError(_("An area file may have at most %(n)d rows.") % {"n": MAX_AREA_ROWS})
        cells = header.cells(values)
        errors: list[AreaRowError] = []

        def column(key: str) -> str:
            return header.headers.get(key, HEADERS[key])

        def read(key: str, parse, cells=cells, errors=errors, number=number):
            try:
                return parse(cells.get(key))
            except CellError as exc:
                errors.append(AreaRowError(number, column(key), str(exc)))
                return None

        code = clean_code(cells.get("code"))
        kind = _KIND_KEYS.get(header_key(cells.get("kind")))
        if kind is None:
            errors.append(
                AreaRowError(
                    number,
                    column("kind"),
                    _("“%(value)s” is not an area type; use one of: %(words)s.")
                    % {"value": clean_text(cells.get("kind")), "words": "、".join(KIND_WORDS)},
                )
            )
        if not code:
            errors.append(AreaRowError(number, column("code"), _("Enter the area code.")))
        data: dict[str, Any] = {
            "name": clean_text(cells.get("name")),
            "kind": kind,
            "population": read("population", parse_int),
            "population_date": read("population_date", parse_date),
            "authority_name": clean_text(cells.get("authority_name")),
        }
        if "is_demo" in header.positions:
            demo = read("is_demo", parse_bool)
            if demo is not None:
                data["is_demo"] = demo
        parsed.append(_Row(number, code, kind, clean_code(cells.get("parent")), data, errors))
    if not parsed:
        raise TabularError(_("The file has a header but no rows of data."))
    # Parents before children, whatever order the file has.
    parsed.sort(key=lambda r: (_LEVEL_ORDER.index(KIND_LEVEL[r.kind]) if r.kind else 9, r.number))
    return parsed


def _unchanged(area: Area, data: dict[str, Any]) -> bool:
    for key, value in data.items():
        current = area.parent_id if key == "parent" else getattr(area, key)
        wanted = value.pk if key == "parent" and value is not None else value
        if current != wanted:
            return False
    return True


def areas_import(*, sheet: SheetFile, by, commit: bool, expected_digest: str = "", source: str = "", filename: str = "") -> AreaImport:
    """Check (commit=False: everything rolled back) or import (commit=True) an area file.

    The bureau imports its own city's areas: the city itself, its towns and their
    communities. With commit=True the file's valid rows must be exactly those of the check
    (`expected_digest`); otherwise, or on any error, nothing is written.
    """
    report = AreaImport()
    city = by.area
    try:
        rows = _read_rows(sheet, report)
    except TabularError as exc:
        report.file_error = str(exc)
        return report
    report.rows = len(rows)
    try:
        with transaction.atomic():
            for row in rows:
                _import_row(row, city=city, by=by, source=source, report=report)
            report.valid_rows.sort()
            keep = commit and report.valid and report.digest == expected_digest
            if commit and not keep:
                report.file_error = _(
                    "Nothing was imported: the areas or the file changed since the check. Upload the file again to check it anew."
                )
            if keep:
                audit_record(
                    action=AuditAction.AREAS_IMPORTED,
                    by=by,
                    target=city,
                    changes={"file": [None, filename], "created": [None, report.created], "updated": [None, report.updated]},
                    source=source,
                )
            else:
                raise _Rollback
    except _Rollback:
        pass
    report.errors.sort(key=lambda e: e.row)
    return report


def _import_row(row: _Row, *, city: Area, by, source: str, report: AreaImport) -> None:
    errors = list(row.errors)
    existing = Area.objects.filter(code=row.code).select_related("city").first() if row.code else None
    parent = Area.objects.filter(code=row.parent_code).first() if row.parent_code else None
    if row.parent_code and parent is None:
        errors.append(AreaRowError(row.number, HEADERS["parent"], _("No area has the code %(code)s.") % {"code": row.parent_code}))
    # The bureau's file may change its own city and what lies inside it, nothing else.
    inside = row.code == city.code or (parent is not None and (parent.pk == city.pk or parent.city_id == city.pk))
    if existing is not None and existing.pk != city.pk and existing.city_id != city.pk:
        inside = False
    if row.code and not inside and not (row.parent_code and parent is None):
        errors.append(AreaRowError(row.number, HEADERS["code"], _("%(code)s is outside %(city)s.") % {"code": row.code, "city": city.name}))
    if row.code == city.code and row.kind and row.kind != city.kind:
        errors.append(AreaRowError(row.number, HEADERS["kind"], _("The type of your own city cannot be changed here.")))
    if errors:
        report.errors.extend(errors)
        return
    data = dict(row.data)
    if row.code == city.code:
        data.pop("kind")  # the city keeps its place in the tree
    else:
        data["parent"] = parent
    if existing is not None and _unchanged(existing, data):
        report.unchanged += 1
        report.valid_rows.append(row.number)
        return
    try:
        with transaction.atomic():
            _area, created = area_save(code=row.code, data=data, by=by, source=source)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            column = HEADERS.get(_FIELD_COLUMN.get(key, ""), "")
            report.errors.extend(AreaRowError(row.number, column, message) for message in messages)
        return
    report.created += created
    report.updated += not created
    report.valid_rows.append(row.number)
