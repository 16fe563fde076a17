"""merge_volunteer_records: sign-ups, hours and certificates move; no double sign-up."""

import pytest
from django.core.exceptions import ValidationError

from shezhi.activities.models import Activity, HoursRecord, SignUp, SignUpStatus
from shezhi.activities.services import hours_add, merge_volunteer_records, signup_create
from shezhi.activities.tests.helpers import move_to_past

pytestmark = pytest.mark.django_db


def test_merge_moves_everything_and_avoids_double_sign_ups(make_activity, make_vol, users):
    kept, duplicate, waiting = make_vol(), make_vol(), make_vol()
    both = make_activity(title="两人都报名", headcount=2)
    only_dup = make_activity(title="只有重复记录报名", headcount=2)
    signup_create(activity=both, volunteer=kept, by=None)
    signup_create(activity=both, volunteer=duplicate, by=None)
    signup_create(activity=both, volunteer=waiting, by=None)  # waits: the activity is full
    signup_create(activity=only_dup, volunteer=duplicate, by=None)
    past = make_activity(title="已结束", hours=3)
    signup_create(activity=past, volunteer=duplicate, by=None)
    move_to_past(past)
    hours_add(activity=past, volunteer=duplicate, hours="2", by=users.org_a)

    counts = merge_volunteer_records(source=duplicate, target=kept)

    assert counts == {"signups": 3, "signups_cancelled": 1, "hours_records": 1, "certificates": 0}
    assert not SignUp.objects.filter(volunteer=duplicate).exists()
    live = SignUp.objects.filter(volunteer=kept).exclude(status=SignUpStatus.CANCELLED)
    assert sorted(live.values_list("activity__title", flat=True)) == ["两人都报名", "只有重复记录报名", "已结束"]
    # The duplicate's place in the shared activity went to the first on the waiting list.
    assert SignUp.objects.get(activity=both, volunteer=waiting).status == SignUpStatus.CONFIRMED
    assert Activity.objects.get(pk=both.pk).places_taken == 2
    assert HoursRecord.objects.get().volunteer == kept


def test_merge_into_itself_is_refused(make_vol):
    v = make_vol()
    with pytest.raises(ValidationError):
        merge_volunteer_records(source=v, target=v)
