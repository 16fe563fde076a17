"""Spreadsheets of the volunteer section: the volunteer list and the numbers.

ID numbers and phones are masked unless the person exporting may see them in full and asked
for it; such an export is written to the audit log (PERSONAL_DATA_VIEWED) with its row
count. Lists over EXPORT_INLINE_MAX rows are written in the background as a job. Headers
are Chinese data, not UI strings: the file reads the same in any interface language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from shezhi.audit.models import AuditAction
from shezhi.audit.services import audit_record
from shezhi.jobs.services import job_create
from shezhi.privacy import mask_phone
from shezhi.tabular import table_response
from shezhi.volunteers.models import Gender, IdType, Volunteer, VolunteerStatus
from shezhi.volunteers.selectors import AreaCounts, mask_id_number, may_see_full_id

EXPORT_INLINE_MAX = 5000
EXPORT_JOB = "volunteers.export"

ID_TYPE_CHINESE = {
    IdType.ID_CARD: "居民身份证",
    IdType.HK_MACAO: "港澳居民来往内地通行证",
    IdType.TAIWAN: "台湾居民来往大陆通行证",
    IdType.HMT_RESIDENCE: "港澳台居民居住证",
    IdType.PASSPORT: "护照",
    IdType.FOREIGN_PR: "外国人永久居留身份证",
}
GENDER_CHINESE = {Gender.MALE: "男", Gender.FEMALE: "女"}
STATUS_CHINESE = {VolunteerStatus.ACTIVE: "已注册", VolunteerStatus.CANCELLED: "已注销", VolunteerStatus.MERGED: "已合并"}
HEADERS = [
    "志愿者编号",
    "姓名",
    "证件类型",
    "证件号码",
    "性别",
    "出生日期（无完整证件号权限时为年龄）",
    "手机号码",
    "镇（街道）",
    "社区",
    "注册日期",
    "状态",
    "注销日期",
]


def volunteer_rows(user, qs: QuerySet[Volunteer], *, full: bool) -> Iterator[list]:
    """One row per volunteer. Full numbers only where may_see_full_id holds for that row.

    The masked number hides exactly the birth-date digits, so a masked row gives the age,
    never the birth date (which would unmask the number)."""
    for v in qs.select_related("town", "community").iterator(chunk_size=2000):
        show = full and may_see_full_id(user, v)
        yield [
            v.volunteer_number,
            v.name,
            ID_TYPE_CHINESE.get(v.id_type, v.id_type),
            v.id_number if show else mask_id_number(v.id_number, v.id_type),
            GENDER_CHINESE.get(v.gender, v.gender),
            v.birth_date if show else v.age,
            v.phone if show else mask_phone(v.phone),
            v.town.name,
            v.community.name if v.community_id else "",
            v.registered_on,
            STATUS_CHINESE.get(v.status, v.status),
            v.cancelled_on,
        ]


def audit_full_export(user, count: int, filters: dict) -> None:
    audit_record(
        action=AuditAction.PERSONAL_DATA_VIEWED,
        by=user,
        target_type="volunteers.volunteer",
        target_id="export",
        target_label=_("Volunteer list export with full ID numbers"),
        changes={"field": "id_number, phone", "rows": count, "filters": {k: str(v) for k, v in filters.items()}},
    )


def filename(full: bool) -> str:
    return f"志愿者名单-{timezone.localdate().isoformat()}{'-完整证件号' if full else ''}"


def volunteers_response(request, qs: QuerySet[Volunteer], *, fmt: str, full: bool, filters: dict):
    user = request.user
    count = qs.count()
    if count > EXPORT_INLINE_MAX:
        from shezhi.volunteers.tasks import export_volunteers

        job = job_create(
            kind=EXPORT_JOB,
            title=_("Volunteer list (%(n)d rows)") % {"n": count},
            by=user,
            params={
                "fmt": fmt,
                "full": full,
                "filters": {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in filters.items()},
            },
        )
        export_volunteers.enqueue(job.pk)
        return redirect("jobs:detail", job.pk)
    if full:
        audit_full_export(user, count, filters)
    return table_response(fmt, filename(full), HEADERS, volunteer_rows(user, qs, full=full), title="志愿者")


COUNT_HEADERS = [
    "区域",
    "常住人口",
    "注册志愿者",
    "注册志愿者占常住人口(%)",
    "活跃志愿者(近12个月有服务记录)",
    "志愿服务组织",
    "志愿服务队伍",
    "组织和队伍占常住人口(%)",
    "开放的志愿服务站点",
    "近12个月服务时长(小时)",
    "累计服务时长(小时)",
]


def count_rows(rows: Iterable[AreaCounts], total: AreaCounts) -> Iterator[list]:
    for r in [*rows, total]:
        yield [
            (r.area.name if r.area is not None else "未填写社区") + ("（合计）" if r is total else ""),
            r.population,
            r.registered,
            r.registered_percent,
            r.active,
            r.organizations,
            r.teams,
            r.organizations_percent,
            r.stations,
            r.hours_year,
            r.hours_total,
        ]


def counts_response(fmt: str, area, as_of: dt.date, rows: list[AreaCounts], total: AreaCounts):
    return table_response(
        fmt, f"志愿服务统计-{area.name}-{as_of.isoformat()}", COUNT_HEADERS, count_rows(rows, total), title="志愿服务统计"
    )
