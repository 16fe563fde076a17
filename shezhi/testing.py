"""Builders for test and demo data. They call the same services the app uses."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from shezhi.areas.models import Area, AreaKind
from shezhi.areas.services import area_save
from shezhi.registry.credit_code import make_code
from shezhi.registry.models import LEGAL_FORM_TYPE_DIGIT, CommunityCategory, LegalForm, Organization
from shezhi.registry.services import organization_file, organization_register

_seq = itertools.count(1)


def make_area(code: str, name: str, kind: str, parent: Area | None = None, population: int | None = None) -> Area:
    area, _ = area_save(
        code=code,
        data={
            "name": name,
            "kind": kind,
            "parent": parent,
            "population": population,
            "population_date": dt.date(2020, 11, 1) if population else None,
        },
        by=None,
    )
    return area


def credit_code_for(legal_form: str, division: str = "330482", n: int | None = None) -> str:
    n = next(_seq) if n is None else n
    return make_code(type_digit=LEGAL_FORM_TYPE_DIGIT[legal_form], division=division, org_code=f"MA{n:07d}")


def make_registered(
    *, town: Area, name: str | None = None, legal_form: str = LegalForm.SOCIAL_GROUP, division: str = "330482", by=None, **data: Any
) -> Organization:
    n = next(_seq)
    fields = {
        "name": name or f"测试社会组织{n}",
        "legal_form": legal_form,
        "credit_code": data.pop("credit_code", None) or credit_code_for(legal_form, division=division, n=n),
        "town": town,
        "legal_representative": "张三",
        "founded_on": dt.date(2015, 3, 1),
        "address": "平湖市当湖街道测试路1号",
        "phone": "13800138000",
        "business_scope": "开展社区服务",
    }
    fields.update(data)
    return organization_register(data=fields, by=by)


def make_filed(*, town: Area, community: Area | None = None, name: str | None = None, by=None, **data: Any) -> Organization:
    n = next(_seq)
    fields = {
        "name": name or f"测试社区社会组织{n}",
        "community": community,
        "community_category": CommunityCategory.LIFE_SERVICE,
        "legal_representative": "李四",
        "founded_on": dt.date(2019, 6, 1),
        "business_scope": "邻里互助",
    }
    fields.update(data)
    return organization_file(town=town, data=fields, by=by)


__all__ = ["AreaKind", "credit_code_for", "make_area", "make_filed", "make_registered"]
