"""Fixtures for the charity section: a charity with an account, items at chosen dates, the
credit record's penalties and list entries, and the data the migrations write."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.utils import timezone, translation

from shezhi.accounts.models import Role, User
from shezhi.charity.models import Disclosure, DisclosureStatus, FundraisingCampaign
from shezhi.registry.services import organization_update


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in their English source form, whatever the catalogue holds."""
    with translation.override("en"):
        yield


@pytest.fixture
def client():
    """A test client that asks for English pages, so messages read as their source text."""
    from django.test import Client

    return Client(headers={"Accept-Language": "en"})


@pytest.fixture
def seed_defaults():
    """What the data migrations write, again: a transactional test starts from a flushed database."""
    importlib.import_module("shezhi.affairs.migrations.0002_default_procedures").load(apps, None)
    importlib.import_module("shezhi.charity.migrations.0002_default_rules_and_procedures").load(apps, None)
    importlib.import_module("shezhi.credit.migrations.0002_default_grounds_rules").create(apps, None)
    importlib.import_module("shezhi.inspection.migrations.0002_default_rules_and_scale").create(apps, None)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def charity(orgs):
    """reg_a (the org_a account's organization) recognized as a charity on 2020-03-01."""
    organization_update(
        organization=orgs.reg_a, data={"is_charity": True, "charity_recognized_on": dt.date(2020, 3, 1)}, by=None, reason="test"
    )
    orgs.reg_a.refresh_from_db()
    return orgs.reg_a


@pytest.fixture
def org_b_account(orgs) -> User:
    """An organization account of reg_b (another organization of the same city)."""
    return User.objects.create_user(username="org_b", password="pass-Shezhi-2026", role=Role.ORGANIZATION, organization=orgs.reg_b)


def make_item(org, *, kind="annual_work_report", published_on: dt.date | None = None, writer=None, **fields) -> Disclosure:
    """An item written straight to the table (a published one with its publication date)."""
    from shezhi.charity import rules as R

    writer = (
        writer
        or User.objects.filter(organization=org).first()
        or User.objects.create_user(username=f"w{org.pk}", role=Role.ORGANIZATION, organization=org)
    )
    d = Disclosure(
        organization=org, kind=kind, title=fields.pop("title", f"{kind} item"), body=fields.pop("body", "text"), created_by=writer, **fields
    )
    if d.campaign_id and not hasattr(d, "_campaign_cache"):
        d.campaign = FundraisingCampaign.objects.get(pk=d.campaign_id)
    if "due_on" not in fields:
        d.due_on = R.due_for(d, R.disclosure_rules_for(org))
    if published_on is not None:
        d.status = DisclosureStatus.PUBLISHED
        d.published_at = timezone.make_aware(dt.datetime.combine(published_on, dt.time(12, 0)))
        d.published_by = writer
    d.save()
    return d


def make_campaign(
    org, *, starts_on: dt.date, ends_on: dt.date, name: str = "助学项目", kind: str = "public", record_number: str | None = None
):
    return FundraisingCampaign.objects.create(
        organization=org,
        name=name,
        kind=kind,
        record_number=record_number if record_number is not None else f"R{FundraisingCampaign.objects.count() + 1:05d}",
        starts_on=starts_on,
        ends_on=ends_on,
    )
