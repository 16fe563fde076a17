"""Two volunteers asking for the last place at the same moment: exactly one gets it."""

import threading

import pytest
from django.db import connection

from shezhi.activities.models import Activity, SignUp, SignUpStatus
from shezhi.activities.services import signup_cancel, signup_create

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def server_database():
    if connection.vendor == "sqlite":
        pytest.skip("needs a server database: SQLite's shared in-memory test database has no row locks to wait on")


def race(*actions):
    barrier = threading.Barrier(len(actions))
    errors = []

    def go(action):
        try:
            barrier.wait()
            action()
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=(a,)) for a in actions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


@pytest.mark.parametrize("attempt", range(3))
def test_the_last_place(make_activity, make_vol, attempt):
    activity = make_activity(headcount=2)
    first = make_vol()
    signup_create(activity=activity, volunteer=first, by=None)
    a, b = make_vol(), make_vol()

    def take(volunteer):
        return lambda: signup_create(activity=Activity.objects.get(pk=activity.pk), volunteer=volunteer, by=None)

    race(take(a), take(b))
    statuses = sorted(SignUp.objects.filter(volunteer__in=[a, b]).values_list("status", flat=True))
    assert statuses == [SignUpStatus.CONFIRMED, SignUpStatus.WAITING]
    assert Activity.objects.get(pk=activity.pk).places_taken == 2


def test_a_cancellation_and_a_sign_up_at_once(make_activity, make_vol):
    activity = make_activity(headcount=1)
    holder, waiting, newcomer = make_vol(), make_vol(), make_vol()
    held = signup_create(activity=activity, volunteer=holder, by=None)
    signup_create(activity=activity, volunteer=waiting, by=None)
    race(
        lambda: signup_cancel(signup=SignUp.objects.get(pk=held.pk), by=None),
        lambda: signup_create(activity=Activity.objects.get(pk=activity.pk), volunteer=newcomer, by=None),
    )
    # The freed place goes to the one who waited, never to both; the newcomer waits.
    assert SignUp.objects.get(activity=activity, volunteer=waiting).status == SignUpStatus.CONFIRMED
    assert SignUp.objects.get(activity=activity, volunteer=newcomer).status == SignUpStatus.WAITING
    assert Activity.objects.get(pk=activity.pk).places_taken == 1
