"""Demo data: places per town of the home city and party histories, the same for the same seed."""

import datetime as dt

import pytest

from shezhi.areas.models import Area, AreaLevel
from shezhi.places.demo import seed_places
from shezhi.places.models import PartyStatusChange, Place, PlaceKind
from shezhi.places.selectors import places_count
from shezhi.registry import demo

pytestmark = pytest.mark.django_db


def snapshot():
    fields = ("name", "kind", "town__code", "opened_on", "standardized_on", "operator_id")
    places = list(Place.objects.order_by("name", "kind").values_list(*fields))
    party = list(PartyStatusChange.objects.order_by("organization_id", "since").values_list("organization_id", "status", "since"))
    return places, party


def test_places_and_party_history_for_the_home_city(db):
    demo.seed(scale=demo.SCALES["tiny"], seed=1)
    lines = []
    seed_places(scale_name="tiny", seed=1, log=lines.append)
    city = Area.objects.get(code="330482")
    towns = Area.objects.filter(city=city, level=AreaLevel.TOWN).count()
    assert Place.objects.filter(kind=PlaceKind.PARTY_MASS_CENTRE).count() == towns + 1
    assert Place.objects.filter(kind=PlaceKind.CHARITY_BASE).count() == (towns + 1) // 2
    assert all(p.is_demo for p in Place.objects.all())
    assert places_count(PlaceKind.PARTY_MASS_CENTRE, city, dt.date(2025, 12, 31), standardized=True) >= 1
    # The history ends in the registry's current value for every organization it covers.
    for change in PartyStatusChange.objects.order_by("organization_id", "-since", "-id").distinct():
        latest = PartyStatusChange.objects.filter(organization=change.organization).order_by("-since", "-id").first()
        assert latest.status == change.organization.party_organization
    assert lines and "places" in lines[0]
    first = snapshot()
    seed_places(scale_name="tiny", seed=1, log=lines.append)  # a second run adds nothing
    assert snapshot() == first
    Place.objects.all().delete()
    PartyStatusChange.objects.all().delete()
    seed_places(scale_name="tiny", seed=1, log=lines.append)
    assert snapshot() == first  # the same seed, the same data
