"""Sign-in and sign-out by code: windows, wrong codes, hours from the times."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone

from shezhi.activities.models import HoursRecord, HoursRules, HoursSource, HoursStatus
from shezhi.activities.services import MAX_CODE_FAILURES, activity_rotate_codes, sign_in, sign_out, signup_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def setup(make_activity, make_vol):
    start = (timezone.now() + dt.timedelta(days=2)).replace(second=0, microsecond=0)
    activity = make_activity(starts_at=start, hours=3)
    v = make_vol()
    signup_create(activity=activity, volunteer=v, by=v.user)
    return activity, v, start


def test_in_and_out_make_a_pending_checkin_record(setup):
    activity, v, start = setup
    sign_in(activity=activity, volunteer=v, code=activity.sign_in_code, by=v.user, at=start - dt.timedelta(minutes=10))
    out = sign_out(activity=activity, volunteer=v, code=activity.sign_out_code, by=v.user, at=start + dt.timedelta(hours=2, minutes=50))
    assert out.hours == Decimal("2.5")  # 09:00 (capped) – 11:50 = 2 h 50 min, rounded down
    record = HoursRecord.objects.get(volunteer=v)
    assert (record.source, record.status, record.hours, record.activity_id) == (
        HoursSource.CHECKIN,
        HoursStatus.PENDING,
        Decimal("2.5"),
        activity.pk,
    )
    assert record.organization_id == activity.organization_id
    assert record.served_on == timezone.localtime(start).date()


def test_codes_with_spaces_are_accepted(setup):
    activity, v, start = setup
    code = activity.sign_in_code
    sign_in(activity=activity, volunteer=v, code=f" {code[:3]} {code[3:]} ", by=v.user, at=start)


def test_wrong_codes_and_the_other_direction(setup):
    activity, v, start = setup
    with pytest.raises(ValidationError, match="not right"):
        sign_in(activity=activity, volunteer=v, code=activity.sign_out_code, by=v.user, at=start)
    with pytest.raises(ValidationError, match="not signed in"):
        sign_out(activity=activity, volunteer=v, code=activity.sign_out_code, by=v.user, at=start)


def test_too_many_wrong_codes_lock_out(setup):
    activity, v, start = setup
    wrong = f"{(int(activity.sign_in_code) + 1) % 10**6:06d}"
    for _ in range(MAX_CODE_FAILURES):
        with pytest.raises(ValidationError, match="not right"):
            sign_in(activity=activity, volunteer=v, code=wrong, by=v.user, at=start)
    with pytest.raises(ValidationError, match="Too many"):
        sign_in(activity=activity, volunteer=v, code=activity.sign_in_code, by=v.user, at=start)


def test_window_edges_follow_the_rules(setup):
    activity, v, start = setup
    HoursRules.objects.filter(city__isnull=True).update(sign_in_opens_minutes=30, sign_out_closes_minutes=15)
    with pytest.raises(ValidationError, match="Sign-in is open"):
        sign_in(activity=activity, volunteer=v, code=activity.sign_in_code, by=v.user, at=start - dt.timedelta(minutes=31))
    sign_in(activity=activity, volunteer=v, code=activity.sign_in_code, by=v.user, at=start - dt.timedelta(minutes=30))
    with pytest.raises(ValidationError, match="already"):
        sign_in(activity=activity, volunteer=v, code=activity.sign_in_code, by=v.user, at=start)
    end = activity.ends_at
    with pytest.raises(ValidationError, match="Sign-out is open until"):
        sign_out(activity=activity, volunteer=v, code=activity.sign_out_code, by=v.user, at=end + dt.timedelta(minutes=16))
    out = sign_out(activity=activity, volunteer=v, code=activity.sign_out_code, by=v.user, at=end + dt.timedelta(minutes=15))
    assert out.hours == Decimal("3")  # capped at the activity's 3 hours


def test_a_short_stay_counts_nothing(setup):
    activity, v, start = setup
    sign_in(activity=activity, volunteer=v, code=activity.sign_in_code, by=v.user, at=start)
    out = sign_out(activity=activity, volunteer=v, code=activity.sign_out_code, by=v.user, at=start + dt.timedelta(minutes=20))
    assert out.record is None and out.hours == 0
    assert not HoursRecord.objects.exists()


def test_waiting_list_cannot_sign_in(make_activity, make_vol):
    activity = make_activity(headcount=1)
    a, b = make_vol(), make_vol()
    signup_create(activity=activity, volunteer=a, by=a.user)
    signup_create(activity=activity, volunteer=b, by=b.user)
    with pytest.raises(ValidationError, match="waiting list"):
        sign_in(activity=activity, volunteer=b, code=activity.sign_in_code, by=b.user, at=activity.starts_at)
    stranger = make_vol()
    with pytest.raises(ValidationError, match="not signed up"):
        sign_in(activity=activity, volunteer=stranger, code=activity.sign_in_code, by=stranger.user, at=activity.starts_at)


def test_rotated_codes_replace_the_old_ones(setup, users):
    activity, v, start = setup
    old = activity.sign_in_code
    activity_rotate_codes(activity=activity, by=users.org_a)
    activity.refresh_from_db()
    assert activity.sign_in_code != old and activity.sign_in_code != activity.sign_out_code
    with pytest.raises(ValidationError, match="not right"):
        sign_in(activity=activity, volunteer=v, code=old, by=v.user, at=start)
