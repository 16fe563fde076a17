"""Fixtures for the credit section: organizations with chosen dates, penalties and entries
written through the services, the default grounds and rules."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.utils import translation

from shezhi.credit import services
from shezhi.credit.models import CreditRules, ListKind, PenaltyKind
from shezhi.testing import make_registered


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in their English source form, whatever the catalogue holds."""
    with translation.override("en"):
        yield


@pytest.fixture
def seed_defaults():
    """The default grounds, rules and eligibility rules again (a transactional test starts
    from a flushed database, without the rows the data migrations wrote)."""
    importlib.import_module("shezhi.credit.migrations.0002_default_grounds_rules").create(apps, None)
    importlib.import_module("shezhi.inspection.migrations.0002_default_rules_and_scale").create(apps, None)


@pytest.fixture
def credit_rules(db) -> CreditRules:
    return CreditRules.objects.get(city=None)


@pytest.fixture
def make_org(areas):
    def make(*, founded_on=dt.date(2015, 3, 1), legal_form="social_service_agency", town=None, **data):
        return make_registered(town=town or areas.town_a, legal_form=legal_form, founded_on=founded_on, **data)

    return make


_numbers = iter(range(1, 10**6))


@pytest.fixture
def penalize(users):
    """Record a penalty through the service (by the bureau)."""

    def penalize(org, on: dt.date, kind: str = PenaltyKind.WARNING, amount=None, **extra):
        return services.penalty_record(
            organization=org,
            kind=kind,
            decided_on=on,
            legal_basis=extra.pop("legal_basis", "《社会团体登记管理条例》第三十条"),
            decision_number=extra.pop("decision_number", f"平民罚〔{on.year}〕{next(_numbers)}号"),
            fine_amount=amount,
            by=users.bureau,
            **extra,
        )

    return penalize


@pytest.fixture
def include(users):
    """Put an organization on a list directly (by the bureau)."""

    def include(org, on: dt.date, ground: str = "address_unreachable", kind: str | None = None):
        kind = kind or (ListKind.ABNORMAL if ground in ABNORMAL_GROUNDS else ListKind.SERIOUS)
        return services.entry_include(
            organization=org,
            list_kind=kind,
            ground=ground,
            included_on=on,
            decision_number=f"平民信〔{on.year}〕{next(_numbers)}号",
            by=users.bureau,
        )

    return include


ABNORMAL_GROUNDS = {
    "annual_report_missed",
    "address_unreachable",
    "rectification_not_completed",
    "small_penalty",
    "fundraising_violation",
    "other_abnormal",
}


@pytest.fixture
def client():
    """The test client reads pages in English (the source language of the messages)."""
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")
