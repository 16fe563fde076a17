"""Fixtures for spot checks: the sampling rules, an inspector pool, campaigns at each stage."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.utils import timezone, translation

from shezhi.spotchecks import services
from shezhi.spotchecks.models import Check, Inspector, SamplingRule
from shezhi.testing import make_registered


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in their English source form, whatever the catalogue holds."""
    with translation.override("en"):
        yield


@pytest.fixture
def client():
    """Pages in English, the source language the tests compare with."""
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def seed_rules(db):
    """The default sampling rules again: a transactional test starts from a flushed
    database, without the rows the data migration wrote."""
    importlib.import_module("shezhi.spotchecks.migrations.0002_sampling_rules").create(apps, None)
    return {r.level: r for r in SamplingRule.objects.all()}


@pytest.fixture
def inspectors(areas, seed_rules) -> list[Inspector]:
    """Four external inspectors in the city's pool."""
    return [
        services.inspector_save(area=areas.city, data={"name": name, "unit": unit}, by=None)
        for name, unit in [
            ("检查员甲", "平湖市民政局"),
            ("检查员乙", "平湖市财政局"),
            ("检查员丙", "某会计师事务所"),
            ("检查员丁", "某律师事务所"),
        ]
    ]


@pytest.fixture
def many_orgs(areas):
    """Registered organizations in both towns (with orgs: more than a few in the pool)."""

    def make(n: int, town=None):
        return [make_registered(town=town or (areas.town_a if i % 2 else areas.town_b)) for i in range(n)]

    return make


@pytest.fixture
def campaign_at(users, orgs, inspectors):
    """A campaign of the city, taken to the given status by the bureau."""

    def make(status: str = "draft", **data):
        c = services.campaign_create(
            area=users.bureau.area,
            year=data.pop("year", timezone.localdate().year),
            title=data.pop("title", "2026 spot checks"),
            by=users.bureau,
            **data,
        )
        if status in ("drawn", "published"):
            c = services.campaign_draw(campaign=c, by=users.bureau)
        if status == "published":
            c = services.campaign_publish(campaign=c, by=users.bureau)
        return c

    return make


@pytest.fixture
def record():
    """Record a check with every aspect fine, or with the given problems."""

    def do(check: Check, by, *, problems=(), result=None, order=None, checked_on: dt.date | None = None):
        from shezhi.spotchecks.models import Aspect, CheckResult
        from shezhi.spotchecks.services import FindingInput, OrderInput

        findings = {a: FindingInput(problem=a in problems, text="问题" if a in problems else "") for a in Aspect.values}
        if result is None:
            result = CheckResult.RECTIFICATION if problems else CheckResult.NO_PROBLEM
        if result == CheckResult.RECTIFICATION and order is None:
            order = OrderInput(requirement="整改财务制度", due_on=timezone.localdate() + dt.timedelta(days=30), issue_document=False)
        return services.check_record(
            check=check,
            by=by,
            checked_on=checked_on or timezone.localdate(),
            inspector_a_present=True,
            inspector_b_present=True,
            result=result,
            findings=findings,
            order=order,
        )

    return do
