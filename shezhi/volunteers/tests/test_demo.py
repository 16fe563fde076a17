"""Demo volunteers: deterministic, valid, marked as demo, bench helpers."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from shezhi.volunteers import demo
from shezhi.volunteers.models import Membership, Station, Volunteer, VolunteerSequence, VolunteerTeam
from shezhi.volunteers.services import next_volunteer_number
from shezhi.volunteers.validators import validate_mainland_id

pytestmark = pytest.mark.django_db


def _seed_tiny(capsys=None):
    call_command("seed_demo", scale="tiny", seed=7)


def test_tiny_seed_writes_valid_demo_volunteers(db):
    _seed_tiny()
    volunteers = list(Volunteer.objects.all())
    assert len(volunteers) == demo.SIZES["tiny"]
    assert all(v.is_demo for v in volunteers)
    for v in volunteers[:100]:
        number, born, gender = validate_mainland_id(v.id_number)
        assert born == v.birth_date and gender == v.gender and number[:6] == v.city.code
    assert len({v.id_hash for v in volunteers}) == len(volunteers)
    assert Station.objects.exists() and VolunteerTeam.objects.exists() and Membership.objects.exists()
    minors = [v for v in volunteers if v.age_on(v.registered_on) < 18]
    assert minors and all(v.guardian_name and v.guardian_consent_on for v in minors)
    # numbering continues after the seeded ones
    city = volunteers[0].city
    assert VolunteerSequence.objects.get(city=city).last == Volunteer.objects.filter(city=city).count()
    assert next_volunteer_number(city=city)[0] == f"{city.code}{Volunteer.objects.filter(city=city).count() + 1:08d}"


def test_seed_is_deterministic(db):
    """Two builds of the same city with the same seed give the same rows; another seed differs."""
    from collections import defaultdict

    from shezhi.areas.models import Area

    _seed_tiny()
    city = Volunteer.objects.first().city
    towns = list(Area.objects.filter(level="town", city=city).order_by("code"))
    communities = defaultdict(list)
    for c in Area.objects.filter(level="community", city=city).order_by("code"):
        communities[c.parent_id].append(c)

    def build(seed):
        b = demo.CityVolunteers(
            city,
            seed=seed,
            count=200,
            towns=towns,
            communities=communities,
            orgs=[],
            ids={"volunteer": 1, "team": 1, "membership": 1, "station": 1},
        )
        b.build()
        return [(v["name"], v["id_number"], v["registered_on"], v["town_id"]) for v in b.volunteers]

    assert build(7) == build(7)
    assert build(7) != build(8)


def test_seeder_does_nothing_twice(db):
    _seed_tiny()
    n = Volunteer.objects.count()
    messages = []
    demo.run("tiny", 7, messages.append)
    assert Volunteer.objects.count() == n and "nothing to do" in messages[0]


def test_bench_step_reports_figures(db, settings):
    from shezhi.volunteers import bench

    _seed_tiny()
    figures = {}
    monkey_rows = bench.IMPORT_ROWS
    bench.IMPORT_ROWS = 200
    try:
        bench.run(figure=lambda name, value: figures.__setitem__(name, value), say=lambda m: None, rounds=2)
    finally:
        bench.IMPORT_ROWS = monkey_rows
    assert figures["volunteer_import_rows"] == 200
    assert figures["volunteer_import_rows_per_s"] > 0 and figures["volunteer_raw_insert_rows_per_s"] > 0
    assert "volunteer_counts_per_town_city_p95_ms" in figures and "volunteer_counts_per_town_province_raw_p50_ms" in figures
    assert not Volunteer.objects.filter(registered_by__username="bench-volunteers").exists()  # rolled back
