"""Volunteers of the shared areas: one in each town of Pinghu and one in the other city."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from shezhi.volunteers.testing import make_id_number, make_volunteer

PASSWORD = "pass-Shezhi-2026"


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in their English source form, whatever the catalogue holds."""
    with translation.override("en"):
        yield


@pytest.fixture
def client():
    """The test client reads pages in English (the source language of the messages)."""
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def vols(areas, users):
    return type(
        "Vols",
        (),
        dict(
            a1=make_volunteer(
                town=areas.town_a,
                community=areas.community_a1,
                name="王小明",
                id_number=make_id_number(born=dt.date(1990, 5, 17), sequence=11),
                phone="13912345678",
                user=users.resident,
            ),
            b1=make_volunteer(
                town=areas.town_b,
                community=areas.community_b1,
                name="李娟",
                id_number=make_id_number(born=dt.date(1985, 2, 3), sequence=22, male=False),
                phone="13811112222",
            ),
            other=make_volunteer(
                town=areas.other_town, name="赵强", id_number=make_id_number(area_code="330481", born=dt.date(1970, 1, 1), sequence=33)
            ),
        ),
    )


@pytest.fixture
def volunteer_org(areas, orgs):
    """orgs.reg_a marked as a volunteer service organization (org_a's account)."""
    org = orgs.reg_a
    org.is_volunteer_org = True
    org.save(update_fields=["is_volunteer_org"])
    return org
