"""The public export of search results: public fields only, Chinese headers, no phone.

The phone is left out rather than masked: a masked number is of no use in a spreadsheet,
and leaving it out means an export never decrypts personal data.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet

from shezhi.exporting import Column
from shezhi.privacy import public_person_in_charge

# Spreadsheet values are Chinese data whatever the interface language.
REGISTRATION_ZH = {"registered": "登记", "filed": "备案"}
LEGAL_FORM_ZH = {"social_group": "社会团体", "social_service_agency": "社会服务机构", "foundation": "基金会"}
COMMUNITY_CATEGORY_ZH = {
    "life_service": "生活服务类",
    "charity": "公益慈善类",
    "mutual_aid": "居民互助类",
    "culture_sports": "文体类",
    "safety": "平安类",
    "self_governance": "自治类",
}
DIRECT_CATEGORY_ZH = {
    "trade_association": "行业协会商会",
    "science_tech": "科技类",
    "charity": "公益慈善类",
    "community_service": "城乡社区服务类",
}
HUB_ZH = {"hub": "枢纽型", "support": "支持型"}
STATUS_ZH = {
    "normal": "正常",
    "abnormal": "列入活动异常名录",
    "serious_violation": "列入严重违法失信名单",
    "revoked": "撤销登记",
    "deregistered": "注销",
}

# The values read from the database, in this order, for each exported row.
FIELDS = (
    "name",
    "credit_code",
    "filing_number",
    "registration",
    "legal_form",
    "is_community_org",
    "community_category",
    "direct_category",
    "city__name",
    "town__name",
    "community__name",
    "address",
    "legal_representative",
    "founded_on",
    "supervising_unit",
    "business_scope",
    "rating",
    "rating_valid_until",
    "hub_kind",
    "is_social_work_agency",
    "is_volunteer_org",
    "is_charity",
    "status",
    "status_changed_on",
    "is_demo",
)
_i = {name: i for i, name in enumerate(FIELDS)}


def _person_in_charge(row) -> str:
    return public_person_in_charge(name=row[_i["legal_representative"]] or "", registered=row[_i["registration"]] == "registered")


def _get(name: str, labels: dict[str, str] | None = None):
    index = _i[name]
    if labels is None:
        return lambda row: row[index]
    return lambda row: labels.get(row[index], row[index])


COLUMNS: list[Column] = [
    ("名称", _get("name")),
    ("统一社会信用代码", _get("credit_code")),
    ("备案编号", _get("filing_number")),
    ("登记或备案", _get("registration", REGISTRATION_ZH)),
    ("组织类型", _get("legal_form", LEGAL_FORM_ZH)),
    ("社区社会组织", _get("is_community_org")),
    ("社区社会组织类别", _get("community_category", COMMUNITY_CATEGORY_ZH)),
    ("直接登记类别", _get("direct_category", DIRECT_CATEGORY_ZH)),
    ("所属县（市、区）", _get("city__name")),
    ("所属镇（街道）", _get("town__name")),
    ("所属社区（村）", _get("community__name")),
    ("住所", _get("address")),
    ("法定代表人（负责人）", _person_in_charge),
    ("成立登记（备案）日期", _get("founded_on")),
    ("业务主管单位", _get("supervising_unit")),
    ("业务范围", _get("business_scope")),
    ("评估等级", _get("rating")),
    ("等级有效期至", _get("rating_valid_until")),
    ("枢纽型或支持型", _get("hub_kind", HUB_ZH)),
    ("社会工作服务机构", _get("is_social_work_agency")),
    ("志愿服务组织", _get("is_volunteer_org")),
    ("慈善组织", _get("is_charity")),
    ("状态", _get("status", STATUS_ZH)),
    ("状态变更日期", _get("status_changed_on")),
    ("演示数据", _get("is_demo")),
]


def export_rows(qs: QuerySet) -> Iterator[tuple]:
    """The rows of a search queryset as tuples of FIELDS, read in chunks from a server-side cursor."""
    return qs.values_list(*FIELDS).iterator(chunk_size=2000)


def export_filename(fmt: str) -> str:
    return f"社会组织查询结果.{fmt}"
