"""Fixtures for party building and places."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import translation

from shezhi.places import services
from shezhi.places.models import PlaceKind


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def client():
    """Requests ask for English pages (the default language is zh-Hans)."""
    return Client(headers={"Accept-Language": "en"})


@pytest.fixture
def make_place(users, areas):
    """Record a place through the service, as the bureau unless told otherwise."""

    def make(*, by=None, **data):
        payload = {
            "kind": PlaceKind.PARTY_MASS_CENTRE,
            "name": "当湖街道社会组织党群服务中心",
            "address": "当湖街道人民路1号",
            "town": areas.town_a,
            "operator_name": "当湖街道社会事务办",
            "opened_on": dt.date(2020, 6, 1),
            **data,
        }
        return services.place_save(data=payload, by=by or users.bureau)

    return make
