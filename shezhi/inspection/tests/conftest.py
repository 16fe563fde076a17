"""Fixtures for annual inspection and rating: rules, organizations with chosen dates, reviewers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import translation

from shezhi.accounts.models import Role, User
from shezhi.inspection.models import AnnualInspection, InspectionRules
from shezhi.testing import make_registered


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in their English source form, whatever the catalogue holds."""
    with translation.override("en"):
        yield


@pytest.fixture
def seed_defaults():
    """The default rules and scale again: a transactional test starts from a flushed
    database, without the rows the data migration wrote."""
    import importlib

    importlib.import_module("shezhi.inspection.migrations.0002_default_rules_and_scale").create(apps, None)


@pytest.fixture
def rules(db) -> InspectionRules:
    """The global default rules (the data migration creates them)."""
    return InspectionRules.objects.get(city=None)


@pytest.fixture
def make_org(areas):
    """A registered organization in town A (or another town) with chosen facts."""

    def make(*, founded_on=dt.date(2015, 3, 1), legal_form="social_service_agency", town=None, **data):
        return make_registered(town=town or areas.town_a, legal_form=legal_form, founded_on=founded_on, **data)

    return make


@pytest.fixture
def record_result():
    """Store a result directly (tests of the rules that read past results)."""

    def record(org, year: int, result: str = "qualified", reported_on: dt.date | None = None) -> AnnualInspection:
        reported_on = reported_on or dt.date(year + 1, 4, 1)
        return AnnualInspection.objects.create(
            organization=org, year=year, result=result, reported_on=reported_on, decided_on=reported_on + dt.timedelta(days=20)
        )

    return record


@pytest.fixture
def reviewer2(db) -> User:
    return User.objects.create_user(username="reviewer2", password="pass-Shezhi-2026", role=Role.REVIEWER, display_name="reviewer2")


def messages_for(user) -> list[str]:
    """Titles of what the user was told, by in-app notification or (without that app) e-mail."""
    if apps.is_installed("shezhi.notifications"):
        from shezhi.notifications.models import Notification

        return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))
    from django.core import mail

    return [m.subject for m in mail.outbox if user.email in m.to]


def full_points(scale, value: Decimal | None = None) -> dict[str, Decimal]:
    """Points for every sub-indicator: the maximum, or `value` scaled to the maximum."""
    from shezhi.inspection.services import leaf_indicators

    return {i.code: Decimal(i.max_points) if value is None else value for i in leaf_indicators(scale)}
