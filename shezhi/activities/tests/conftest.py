"""Fixtures for activities: a volunteer organization with its account, volunteers with
accounts, and a factory of activities at chosen times."""

from __future__ import annotations

import datetime as dt
import importlib
import itertools

import pytest
from django.apps import apps
from django.utils import timezone, translation

from shezhi.accounts.models import Role, User
from shezhi.activities.services import activity_create
from shezhi.registry.models import Organization
from shezhi.volunteers.testing import make_id_number, make_volunteer

_n = itertools.count(1)


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in their English source form, whatever the catalogue holds."""
    with translation.override("en"):
        yield


@pytest.fixture
def star_levels():
    """The default star levels again (a transactional test starts from a flushed database)."""
    importlib.import_module("shezhi.activities.migrations.0002_default_rules").forwards(apps, None)


@pytest.fixture
def vorg(orgs, users):
    """orgs.reg_a as a volunteer service organization; users.org_a is its account."""
    Organization.objects.filter(pk=orgs.reg_a.pk).update(is_volunteer_org=True)
    orgs.reg_a.refresh_from_db()
    users.org_a.refresh_from_db()
    return orgs.reg_a


@pytest.fixture
def other_vorg(orgs):
    Organization.objects.filter(pk=orgs.reg_b.pk).update(is_volunteer_org=True)
    orgs.reg_b.refresh_from_db()
    return orgs.reg_b


def new_volunteer(areas, *, username: str | None = None, name: str | None = None, town=None):
    n = next(_n)
    user = User.objects.create_user(
        username=username or f"vol{n}", password="pass-Shezhi-2026", role=Role.PUBLIC, display_name=username or f"vol{n}"
    )
    return make_volunteer(
        town=town or areas.town_a,
        community=None,
        user=user,
        name=name or f"志愿者{n}",
        id_number=make_id_number(sequence=100 + n),
    )


@pytest.fixture
def volunteer(areas, users):
    """The resident's own volunteer record."""
    return make_volunteer(town=areas.town_a, user=users.resident, name="王小明", id_number=make_id_number(sequence=7))


@pytest.fixture
def make_vol(areas):
    return lambda **kw: new_volunteer(areas, **kw)


@pytest.fixture
def make_activity(vorg, areas, users):
    def make(*, starts_at=None, hours: float = 3, headcount: int = 5, organization=None, by=None, **data):
        starts_at = starts_at or (timezone.now() + dt.timedelta(days=1)).replace(microsecond=0)
        fields = {
            "title": data.pop("title", "社区环境整治"),
            "organization": organization or vorg,
            "place": "东湖社区服务中心",
            "town": data.pop("town", areas.town_a),
            "community": data.pop("community", areas.community_a1),
            "starts_at": starts_at,
            "ends_at": starts_at + dt.timedelta(hours=hours),
            "headcount": headcount,
        }
        fields.update(data)
        return activity_create(data=fields, by=by or users.org_a)

    return make
