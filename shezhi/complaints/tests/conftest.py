"""Fixtures for complaints: the seeded data, a way to file one, and a clean throttle."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.core.cache import cache
from django.utils import translation

from shezhi.complaints import services
from shezhi.complaints.models import ComplaintCategory, ComplaintOutcome, ComplaintRules
from shezhi.workdays.services import invalidate


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in their English source form, whatever the catalogue holds."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def clean_state(settings, tmp_path):
    """Failed look-ups are counted in the cache, files go to MEDIA_ROOT: both per test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    invalidate()
    yield
    cache.clear()


@pytest.fixture
def seed_defaults():
    """The rules, categories and outcomes again: a transactional test starts from a flushed
    database, without the rows the data migration wrote."""
    import importlib

    importlib.import_module("shezhi.complaints.migrations.0002_default_rules_categories_outcomes").create(apps, None)


@pytest.fixture
def rules(db) -> ComplaintRules:
    return ComplaintRules.objects.get(city=None)


@pytest.fixture
def category(db) -> ComplaintCategory:
    return ComplaintCategory.objects.get(code="illegal_fees")


@pytest.fixture
def outcome(db) -> ComplaintOutcome:
    return ComplaintOutcome.objects.get(code="substantiated")


@pytest.fixture
def plain_outcome(db) -> ComplaintOutcome:
    return ComplaintOutcome.objects.get(code="unsubstantiated")


@pytest.fixture
def file_complaint(category, orgs):
    """File a complaint through the service (about reg_a in town A unless told otherwise)."""

    def make(*, org=None, on: dt.date | None = None, anonymous: bool = True, by=None, **data):
        payload = {
            "organization": org if org is not None else orgs.reg_a,
            "category": category,
            "description": "组织向老人收取会员费每人200元，没有收据。",
            "anonymous": anonymous,
            **data,
        }
        if not anonymous:
            payload.setdefault("contact_name", "王小明")
            payload.setdefault("contact_phone", "13912345678")
        return services.complaint_submit(data=payload, by=by, on=on)

    return make


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def english_client(**defaults):
    """A test client whose requests ask for English pages (the default language is zh-Hans)."""
    from django.test import Client

    return Client(headers={"Accept-Language": "en"}, **defaults)


@pytest.fixture
def client():
    return english_client()
