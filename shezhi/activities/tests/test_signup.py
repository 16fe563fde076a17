"""Sign-up, the waiting list, cancellation and promotion; the last place (deterministic)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from shezhi.activities.models import Activity, ActivityStatus, SignUp, SignUpStatus
from shezhi.activities.services import (
    activity_cancel,
    activity_set_recruitment,
    activity_update,
    signup_cancel,
    signup_create,
)
from shezhi.notifications.models import Notification
from shezhi.volunteers.models import VolunteerStatus

pytestmark = pytest.mark.django_db


def test_places_then_waiting_list_in_order(make_activity, make_vol):
    activity = make_activity(headcount=2)
    a, b, c, d = (make_vol() for _ in range(4))
    s = [signup_create(activity=activity, volunteer=v, by=v.user) for v in (a, b, c, d)]
    assert [x.status for x in s] == ["confirmed", "confirmed", "waiting", "waiting"]
    activity.refresh_from_db()
    assert activity.places_taken == 2 and activity.places_left == 0


def test_the_last_place_goes_to_exactly_one(make_activity, make_vol):
    """Deterministic half of the race test: the second request for the last place finds the
    activity full (under the row lock) and waits."""
    activity = make_activity(headcount=1)
    first, second = make_vol(), make_vol()
    one = signup_create(activity=Activity.objects.get(pk=activity.pk), volunteer=first, by=first.user)
    two = signup_create(activity=Activity.objects.get(pk=activity.pk), volunteer=second, by=second.user)
    assert (one.status, two.status) == ("confirmed", "waiting")
    assert Activity.objects.get(pk=activity.pk).places_taken == 1


def test_cancellation_promotes_the_first_waiting_and_tells_them(make_activity, make_vol):
    activity = make_activity(headcount=1)
    holder, first_waiting, second_waiting = make_vol(), make_vol(), make_vol()
    held = signup_create(activity=activity, volunteer=holder, by=holder.user)
    signup_create(activity=activity, volunteer=first_waiting, by=first_waiting.user)
    signup_create(activity=activity, volunteer=second_waiting, by=second_waiting.user)

    signup_cancel(signup=held, by=holder.user)

    statuses = dict(SignUp.objects.filter(activity=activity).values_list("volunteer_id", "status"))
    assert statuses == {holder.pk: "cancelled", first_waiting.pk: "confirmed", second_waiting.pk: "waiting"}
    assert Activity.objects.get(pk=activity.pk).places_taken == 1
    note = Notification.objects.get(recipient=first_waiting.user)
    assert activity.title in note.title and note.url == f"/activities/{activity.pk}/"
    assert not Notification.objects.filter(recipient=second_waiting.user).exists()


def test_a_waiting_cancellation_frees_no_place(make_activity, make_vol):
    activity = make_activity(headcount=1)
    a, b = make_vol(), make_vol()
    signup_create(activity=activity, volunteer=a, by=a.user)
    waiting = signup_create(activity=activity, volunteer=b, by=b.user)
    signup_cancel(signup=waiting, by=b.user)
    assert Activity.objects.get(pk=activity.pk).places_taken == 1
    # A cancelled volunteer may sign up again (and waits again).
    again = signup_create(activity=activity, volunteer=b, by=b.user)
    assert again.status == "waiting"


def test_a_larger_headcount_moves_people_up(make_activity, make_vol, users):
    activity = make_activity(headcount=1)
    a, b, c = make_vol(), make_vol(), make_vol()
    for v in (a, b, c):
        signup_create(activity=activity, volunteer=v, by=v.user)
    activity_update(activity=activity, data={"headcount": 2}, by=users.org_a)
    assert SignUp.objects.get(activity=activity, volunteer=b).status == "confirmed"
    assert SignUp.objects.get(activity=activity, volunteer=c).status == "waiting"
    with pytest.raises(ValidationError):
        activity_update(activity=activity, data={"headcount": 1}, by=users.org_a)


def test_refusals(make_activity, make_vol, users):
    activity = make_activity(headcount=3)
    v = make_vol()
    signup_create(activity=activity, volunteer=v, by=v.user)
    with pytest.raises(ValidationError, match="already signed up"):
        signup_create(activity=activity, volunteer=v, by=v.user)

    activity_set_recruitment(activity=activity, open_=False, by=users.org_a)
    with pytest.raises(ValidationError, match="closed"):
        signup_create(activity=activity, volunteer=make_vol(), by=None)
    activity_set_recruitment(activity=activity, open_=True, by=users.org_a)

    started = make_activity(starts_at=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(ValidationError, match="started"):
        signup_create(activity=started, volunteer=v, by=v.user)

    cancelled = make_vol()
    type(cancelled).objects.filter(pk=cancelled.pk).update(status=VolunteerStatus.CANCELLED, cancelled_on=dt.date(2026, 1, 1))
    cancelled.refresh_from_db()
    with pytest.raises(ValidationError, match="registered volunteers"):
        signup_create(activity=activity, volunteer=cancelled, by=None)


def test_no_cancellation_once_started(make_activity, make_vol):
    activity = make_activity(headcount=3)
    v = make_vol()
    s = signup_create(activity=activity, volunteer=v, by=v.user)
    with pytest.raises(ValidationError, match="started"):
        signup_cancel(signup=s, by=v.user, at=activity.starts_at)


def test_cancelling_the_activity_cancels_signups_and_tells_volunteers(make_activity, make_vol, users):
    activity = make_activity(headcount=1)
    a, b = make_vol(), make_vol()
    signup_create(activity=activity, volunteer=a, by=a.user)
    signup_create(activity=activity, volunteer=b, by=b.user)
    with pytest.raises(ValidationError):
        activity_cancel(activity=activity, by=users.org_a, reason=" ")
    activity_cancel(activity=activity, by=users.org_a, reason="台风预警")
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.CANCELLED and activity.places_taken == 0
    assert set(SignUp.objects.filter(activity=activity).values_list("status", flat=True)) == {SignUpStatus.CANCELLED}
    assert Notification.objects.filter(recipient__in=[a.user, b.user], body="台风预警").count() == 2


def test_only_volunteer_organizations_organize(make_activity, orgs, users):
    with pytest.raises(ValidationError, match="volunteer service organizations"):
        make_activity(organization=orgs.reg_b)
