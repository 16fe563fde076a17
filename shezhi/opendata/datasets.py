"""The open datasets: what each row holds, where each column comes from, and the tables it is
read from (for its data version).

The field dictionaries are Chinese data, like the headers of the other exports: the files
are published in Chinese whatever the visitor's interface language. Each column has a
stable English `name` (the key in .json) and a Chinese `label` (the header in .csv/.xlsx).

- registry: every organization, with exactly the columns the public portal's export shows
  (shezhi.portal.exports), plus its id. No phone; a filed organization's person in charge
  shows the family name only (shezhi.privacy.public_person_in_charge).
- credit_lists: the entries now on the two credit lists, the columns of /credit/lists/.
- targets: each city's targets and each of its towns' as of the day the file was made,
  computed by shezhi.targets.selectors.area_view, the dashboard's own reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.utils import translation

from shezhi.areas.models import Area, AreaLevel, PopulationCount
from shezhi.credit.models import Ground, ListEntry
from shezhi.credit.selectors import entries_public
from shezhi.places.models import Place
from shezhi.portal import exports as portal
from shezhi.registry.models import Organization
from shezhi.targets import indicators
from shezhi.targets.models import Milestone, OrganizationFact, Target
from shezhi.targets.selectors import area_view
from shezhi.volunteers.models import Volunteer, VolunteerTeam

TEXT, INTEGER, DECIMAL, DATE, BOOLEAN = "text", "integer", "decimal", "date", "boolean"
TYPE_LABELS = {TEXT: "文本", INTEGER: "整数", DECIMAL: "数值", DATE: "日期（YYYY-MM-DD）", BOOLEAN: "是/否"}


@dataclass(frozen=True)
class Field:
    name: str  # the key in .json
    label: str  # the column header in .csv and .xlsx
    meaning: str
    unit: str = ""
    source: str = ""
    type: str = TEXT

    def as_dict(self) -> dict[str, str]:
        return {
            "name": self.name,
            "label": self.label,
            "meaning": self.meaning,
            "unit": self.unit,
            "source": self.source,
            "type": self.type,
        }


# How a source table's version is taken (shezhi.opendata.versions):
SAVED = "saved"  # every write goes through save() or bulk_create, which set `updated_at`
CONTENT = "content"  # small table without `updated_at`: a digest of every column
REBUILT = "rebuilt"  # rows only inserted or deleted on their own; see the dataset's note


@dataclass(frozen=True)
class Source:
    model: type
    how: str


@dataclass(frozen=True)
class Dataset:
    key: str
    title: str
    description: str
    fields: tuple[Field, ...]
    sources: tuple[Source, ...]
    rows: Callable[[dt.date], Iterator[tuple]]
    # The figures are as of the day the file is made: a new day is a new version.
    daily: bool = False

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def labels(self) -> list[str]:
        return [f.label for f in self.fields]


# --- the registry -----------------------------------------------------------------------------

REGISTRY_SOURCE = "社会组织登记库（民政局登记、镇街道备案）"

# The portal export's columns (by header) with their names and meanings.
REGISTRY_FIELDS: dict[str, Field] = {
    f.label: f
    for f in [
        Field("name", "名称", "社会组织的名称", source=REGISTRY_SOURCE),
        Field(
            "credit_code", "统一社会信用代码", "登记的社会组织的统一社会信用代码（GB 32100-2015，18位）；备案的为空", source=REGISTRY_SOURCE
        ),
        Field("filing_number", "备案编号", "镇（街道）备案的社区社会组织的备案编号；登记的为空", source=REGISTRY_SOURCE),
        Field("registration", "登记或备案", "登记：民政局登记的法人；备案：镇（街道）备案的社区社会组织", source=REGISTRY_SOURCE),
        Field("legal_form", "组织类型", "社会团体、社会服务机构（民办非企业单位）或基金会；备案的为空", source=REGISTRY_SOURCE),
        Field("is_community_org", "社区社会组织", "是否为社区社会组织", source=REGISTRY_SOURCE, type=BOOLEAN),
        Field(
            "community_category",
            "社区社会组织类别",
            "生活服务类、公益慈善类、居民互助类、文体类、平安类、自治类",
            source=REGISTRY_SOURCE,
        ),
        Field(
            "direct_category",
            "直接登记类别",
            "行业协会商会、科技类、公益慈善类、城乡社区服务类（可直接登记的四类）",
            source=REGISTRY_SOURCE,
        ),
        Field("city", "所属县（市、区）", "组织所在的县级行政区划名称", source="行政区划"),
        Field("town", "所属镇（街道）", "组织所在的镇、街道或开发区名称", source="行政区划"),
        Field("community", "所属社区（村）", "组织所在的城市社区或行政村名称；不属于某一社区的为空", source="行政区划"),
        Field("address", "住所", "登记或备案的住所", source=REGISTRY_SOURCE),
        Field(
            "person_in_charge",
            "法定代表人（负责人）",
            "登记的社会组织为法定代表人姓名（登记公开信息）；备案的社区社会组织负责人为居民个人，只公开姓氏",
            source=REGISTRY_SOURCE,
        ),
        Field("founded_on", "成立登记（备案）日期", "成立登记或备案的日期", unit="日期", source=REGISTRY_SOURCE, type=DATE),
        Field("supervising_unit", "业务主管单位", "业务主管单位名称；直接登记的为空", source=REGISTRY_SOURCE),
        Field("business_scope", "业务范围", "章程规定的业务范围", source=REGISTRY_SOURCE),
        Field("rating", "评估等级", "社会组织评估等级（1A–5A）；未评估的为空", source="社会组织等级评估"),
        Field(
            "rating_valid_until",
            "等级有效期至",
            "评估等级有效期的最后一天（有效期五年）",
            unit="日期",
            source="社会组织等级评估",
            type=DATE,
        ),
        Field("hub_kind", "枢纽型或支持型", "枢纽型或支持型社会组织；其他为空", source=REGISTRY_SOURCE),
        Field("is_social_work_agency", "社会工作服务机构", "是否为社会工作服务机构", source=REGISTRY_SOURCE, type=BOOLEAN),
        Field("is_volunteer_org", "志愿服务组织", "是否为志愿服务组织", source=REGISTRY_SOURCE, type=BOOLEAN),
        Field("is_charity", "慈善组织", "是否为认定（登记）的慈善组织", source="慈善组织认定", type=BOOLEAN),
        Field(
            "status",
            "状态",
            "正常、列入活动异常名录、列入严重违法失信名单、撤销登记或注销",
            source=REGISTRY_SOURCE + "；信用名录",
        ),
        Field("status_changed_on", "状态变更日期", "最近一次状态变更的日期", unit="日期", source=REGISTRY_SOURCE, type=DATE),
        Field("is_demo", "演示数据", "是否为系统演示用的虚构数据（正式数据为“否”）", source="本系统", type=BOOLEAN),
    ]
}
REGISTRY_ID = Field("id", "组织编号", "本系统中组织的编号，与 /api/v1/organizations/{id}/ 对应", source="本系统", type=INTEGER)


def _registry_fields() -> tuple[Field, ...]:
    # Exactly the portal export's public columns, in its order; a column the portal adds
    # without an entry here fails loudly (KeyError) rather than being published unexplained.
    return (REGISTRY_ID, *(REGISTRY_FIELDS[header] for header, _get in portal.COLUMNS))


def registry_rows(on: dt.date) -> Iterator[tuple]:
    getters = [get for _header, get in portal.COLUMNS]
    qs = Organization.objects.order_by("sort_key", "id").values_list(*portal.FIELDS, "id")
    for row in qs.iterator(chunk_size=2000):
        yield (row[-1], *(get(row) for get in getters))


# --- the credit lists ---------------------------------------------------------------------------

CREDIT_SOURCE = "社会组织信用信息管理（民政部令第60号）"
LIST_ZH = {"abnormal": "活动异常名录", "serious": "严重违法失信名单"}

CREDIT_FIELDS = (
    Field("list", "名录", "活动异常名录或严重违法失信名单", source=CREDIT_SOURCE),
    Field("organization_id", "组织编号", "本系统中组织的编号，与 registry 数据集的“组织编号”对应", source="本系统", type=INTEGER),
    Field("organization", "组织名称", "列入名录的社会组织名称", source=REGISTRY_SOURCE),
    Field("code", "统一社会信用代码或备案编号", "登记的为统一社会信用代码，备案的为备案编号", source=REGISTRY_SOURCE),
    Field("town", "所属镇（街道）", "组织所在的镇、街道或开发区", source="行政区划"),
    Field("ground", "列入事由", "列入名录的情形", source=CREDIT_SOURCE),
    Field("included_on", "列入日期", "列入决定的日期", unit="日期", source=CREDIT_SOURCE, type=DATE),
    Field("decision_number", "决定书文号", "列入决定书的文号", source=CREDIT_SOURCE),
)


def credit_rows(on: dt.date) -> Iterator[tuple]:
    qs = entries_public().values_list(
        "list_kind",
        "organization_id",
        "organization__name",
        "organization__credit_code",
        "organization__filing_number",
        "organization__town__name",
        "ground__name",
        "included_on",
        "decision_number",
    )
    for kind, org_id, name, credit_code, filing_number, town, ground, included_on, number in qs.iterator(chunk_size=2000):
        yield (LIST_ZH.get(kind, kind), org_id, name, credit_code or filing_number, town, ground, included_on, number)


# --- the targets -----------------------------------------------------------------------------------

TARGETS_SOURCE = "社会组织登记库、志愿者登记、党群服务中心和慈善基地，按总体目标的口径计算"
LEVEL_ZH = {AreaLevel.CITY: "县（市、区）", AreaLevel.TOWN: "镇（街道）"}

TARGET_FIELDS = (
    Field("as_of", "统计日期", "数值按这一天的登记情况计算（文件生成当天）", unit="日期", source="本系统", type=DATE),
    Field("city_code", "县（市、区）代码", "所属县级行政区划代码", source="行政区划"),
    Field("city", "县（市、区）", "所属县级行政区划名称", source="行政区划"),
    Field("area_code", "区域代码", "本行统计的区域（县市或镇街道）的行政区划代码", source="行政区划"),
    Field("area", "区域名称", "本行统计的区域名称", source="行政区划"),
    Field("level", "区域层级", "县（市、区）或镇（街道）", source="行政区划"),
    Field("code", "目标编号", "总体目标的编号，如 T1", source="总体目标（实施方案）"),
    Field("name", "目标名称", "总体目标的内容", source="总体目标（实施方案）"),
    Field("indicator", "指标", "计算公式的代码（community_orgs、volunteers 等），与 /api/v1/targets/ 的 indicator 相同", source="本系统"),
    Field(
        "target",
        "目标值",
        "统计日期适用的阶段目标值（该日或之后最近的节点，已过最后节点的取最后节点）",
        unit="见“单位”列",
        source="总体目标（实施方案）",
        type=DECIMAL,
    ),
    Field("due_on", "目标期限", "该阶段目标的完成期限", unit="日期", source="总体目标（实施方案）", type=DATE),
    Field("actual", "实际值", "统计日期的实际值", unit="见“单位”列", source=TARGETS_SOURCE, type=DECIMAL),
    Field("met", "是否达标", "实际值是否达到目标值；无法计算（如缺少人口数）时为空", source=TARGETS_SOURCE, type=BOOLEAN),
    Field("gap", "差距", "达到目标值还需增加的数量；已达标为 0", unit="见“差距单位”列", source=TARGETS_SOURCE, type=INTEGER),
    Field("unit", "单位", "目标值和实际值的单位（个、%、每社区平均数等）", source="本系统"),
    Field("gap_unit", "差距单位", "差距所计的对象（组织、社区、志愿者等）", source="本系统"),
    Field("is_demo", "演示数据", "该区域是否为系统演示用的虚构数据", source="本系统", type=BOOLEAN),
)


def _units_zh() -> dict[str, tuple[str, str]]:
    with translation.override("zh-hans"):
        return {key: (str(unit), str(gap_unit)) for key, (unit, gap_unit) in indicators.UNITS.items()}


def _target_row(on: dt.date, city: Area, area: Area, row, units: dict[str, tuple[str, str]]) -> tuple:
    unit, gap_unit = units[row.target.indicator]
    return (
        on,
        city.code,
        city.name,
        area.code,
        area.name,
        LEVEL_ZH.get(area.level, area.level),
        row.code,
        row.target.name,
        row.target.indicator,
        row.goal,
        row.milestone.due_on if row.goal is not None else None,
        row.actual,
        row.met,
        row.gap,
        unit,
        gap_unit,
        area.is_demo,
    )


def target_rows(on: dt.date) -> Iterator[tuple]:
    """Each city's targets, then each of its towns' (by code) for the targets set per town."""
    units = _units_zh()
    for city in Area.objects.filter(level=AreaLevel.CITY).order_by("code"):
        view = area_view(city, on, trend=False)
        for row in view.rows:
            yield _target_row(on, city, city, row, units)
        for child in sorted(view.children, key=lambda c: c.area.code):
            for cell in child.cells:
                yield _target_row(on, city, child.area, cell, units)


# --- all of them ------------------------------------------------------------------------------------

DATASETS: dict[str, Dataset] = {
    d.key: d
    for d in [
        Dataset(
            key="registry",
            title="社会组织名录",
            description="登记和备案的全部社会组织，只含公开信息（不含电话、证件号码；备案组织负责人只公开姓氏）。",
            fields=_registry_fields(),
            sources=(Source(Organization, SAVED), Source(Area, CONTENT)),
            rows=registry_rows,
        ),
        Dataset(
            key="credit_lists",
            title="社会组织信用名录",
            description="当前列入活动异常名录和严重违法失信名单的社会组织，与“信用名录”公示页相同。",
            fields=CREDIT_FIELDS,
            sources=(Source(ListEntry, CONTENT), Source(Ground, CONTENT), Source(Organization, SAVED), Source(Area, CONTENT)),
            rows=credit_rows,
        ),
        Dataset(
            key="targets",
            title="总体目标完成情况",
            description="各县（市、区）及其镇（街道）的总体目标：目标值、实际值、是否达标和差距，按文件生成当天计算。",
            fields=TARGET_FIELDS,
            # The organization facts are written only inside an organization's own write
            # (the registry's signals, same transaction, which saves the organization and so
            # changes its version) or rebuilt wholesale (new rows): their count and ids suffice.
            sources=(
                Source(Area, CONTENT),
                Source(PopulationCount, CONTENT),
                Source(Target, CONTENT),
                Source(Milestone, CONTENT),
                Source(Organization, SAVED),
                Source(OrganizationFact, REBUILT),
                Source(Place, SAVED),
                Source(VolunteerTeam, CONTENT),
                Source(Volunteer, SAVED),
            ),
            rows=target_rows,
            daily=True,
        ),
    ]
}
FORMATS = ("csv", "xlsx", "json")
FIELD_FORMATS = ("csv", "json")
