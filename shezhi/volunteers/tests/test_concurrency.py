"""Two registrations at once (PostgreSQL): one person is registered once; numbers never repeat."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from shezhi.volunteers.models import Volunteer
from shezhi.volunteers.services import DuplicateVolunteer
from shezhi.volunteers.testing import make_id_number, make_volunteer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def server_database():
    if connection.vendor == "sqlite":
        pytest.skip("needs a server database: SQLite's shared in-memory test database has no row locks to wait on")


def race(*actions):
    barrier = threading.Barrier(len(actions))
    outcomes = []

    def go(action):
        try:
            barrier.wait()
            action()
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append("duplicate" if isinstance(exc, DuplicateVolunteer) else f"refused: {exc.messages}")
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=(a,)) for a in actions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(outcomes)


def test_the_same_person_twice_at_once(areas):
    number = make_id_number(sequence=42)
    outcome = race(*(lambda i=i: make_volunteer(town=areas.town_a, id_number=number, name=f"同{i}") for i in range(3)))
    assert outcome == ["duplicate", "duplicate", "ok"]
    assert Volunteer.objects.count() == 1


def test_numbers_are_unique_under_concurrency(areas):
    outcome = race(*(lambda i=i: make_volunteer(town=areas.town_a, id_number=make_id_number(sequence=100 + i)) for i in range(6)))
    assert outcome == ["ok"] * 6
    numbers = list(Volunteer.objects.values_list("volunteer_number", flat=True))
    assert sorted(numbers) == [f"330482{n:08d}" for n in range(1, 7)]
