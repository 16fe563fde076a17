"""Confirming and rejecting hours through the workflow engine; admin and self-submitted hours; caps."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from shezhi.activities.models import HoursRecord, HoursSource, HoursStatus
from shezhi.activities.services import (
    hours_add,
    hours_confirm,
    hours_confirm_all,
    hours_reject,
    hours_submit,
    sign_in,
    sign_out,
    signup_create,
)
from shezhi.audit.models import AuditAction, AuditEntry
from shezhi.notifications.models import Notification
from shezhi.workflow.engine import TransitionRefused, timeline

pytestmark = pytest.mark.django_db


@pytest.fixture
def past(make_activity, make_vol):
    """A 3-hour activity that started an hour ago... created while it was in the future."""
    start = (timezone.now() + dt.timedelta(days=1)).replace(microsecond=0)
    activity = make_activity(starts_at=start, hours=3, headcount=3)
    a, b = make_vol(), make_vol()
    sa = signup_create(activity=activity, volunteer=a, by=a.user)
    sb = signup_create(activity=activity, volunteer=b, by=b.user)
    # Move the activity into the past (as time passes).
    delta = dt.timedelta(days=2)
    type(activity).objects.filter(pk=activity.pk).update(starts_at=start - delta, ends_at=activity.ends_at - delta)
    activity.refresh_from_db()
    return activity, a, b, sa, sb


def checked_in(activity, v, minutes=150):
    sign_in(activity=activity, volunteer=v, code=activity.sign_in_code, by=v.user, at=activity.starts_at)
    return sign_out(
        activity=activity, volunteer=v, code=activity.sign_out_code, by=v.user, at=activity.starts_at + dt.timedelta(minutes=minutes)
    ).record


def test_confirm_and_reject_go_through_the_workflow(past, users, django_capture_on_commit_callbacks):
    activity, a, b, *_ = past
    ra, rb = checked_in(activity, a), checked_in(activity, b)
    with django_capture_on_commit_callbacks(execute=True):
        hours_confirm(record=ra, by=users.org_a)
        hours_reject(record=rb, by=users.org_a, reason="未到岗")
    ra.refresh_from_db()
    rb.refresh_from_db()
    assert (ra.status, ra.decided_by) == (HoursStatus.CONFIRMED, users.org_a)
    assert (rb.status, rb.reason) == (HoursStatus.REJECTED, "未到岗")
    assert [e.transition for e in timeline(rb)] == ["reject"]
    assert AuditEntry.objects.filter(action=AuditAction.HOURS_DECIDED).count() == 2
    # Rejected hours are kept; a second decision is refused.
    assert HoursRecord.objects.filter(pk=rb.pk, status=HoursStatus.REJECTED).exists()
    with pytest.raises(TransitionRefused):
        hours_confirm(record=rb, by=users.org_a)
    assert Notification.objects.filter(recipient=b.user, body="未到岗").exists()
    assert Notification.objects.filter(recipient=a.user, title__contains="confirmed").exists()


def test_rejection_needs_a_reason(past, users):
    activity, a, *_ = past
    record = checked_in(activity, a)
    with pytest.raises(ValidationError):
        hours_reject(record=record, by=users.org_a, reason="  ")
    record.refresh_from_db()
    assert record.status == HoursStatus.PENDING


def test_nobody_confirms_their_own_hours(past, users):
    activity, a, *_ = past
    record = checked_in(activity, a)
    with pytest.raises(ValidationError, match="own hours"):
        hours_confirm(record=record, by=a.user)
    with pytest.raises(ValidationError, match="own hours"):
        hours_reject(record=record, by=a.user, reason="x")


def test_admin_hours_are_kept_apart_and_capped(past, users):
    activity, a, b, *_ = past
    checked_in(activity, a, minutes=120)  # 2 h pending
    with pytest.raises(ValidationError, match="at most 1"):
        hours_add(activity=activity, volunteer=a, hours="1.5", by=users.org_a)
    record = hours_add(activity=activity, volunteer=a, hours="1", by=users.org_a)
    assert (record.source, record.status) == (HoursSource.ADMIN, HoursStatus.CONFIRMED)
    assert [e.transition for e in timeline(record)] == ["confirm"]
    # The whole activity for b: exactly its length is allowed, a cent more is not.
    with pytest.raises(ValidationError):
        hours_add(activity=activity, volunteer=b, hours="3.01", by=users.org_a)
    hours_add(activity=activity, volunteer=b, hours="3", by=users.org_a)
    with pytest.raises(ValidationError):
        hours_add(activity=activity, volunteer=b, hours="0", by=users.org_a)


def test_admin_cannot_add_their_own_hours(past, users, volunteer):
    """An organization's account that is also a volunteer cannot record (and so confirm) its own hours."""
    activity, *_ = past
    from shezhi.volunteers.models import Volunteer

    Volunteer.objects.filter(pk=volunteer.pk).update(user=users.org_a)
    volunteer.refresh_from_db()
    with pytest.raises(ValidationError, match="own hours"):
        hours_add(activity=activity, volunteer=volunteer, hours="1", by=users.org_a)
    assert not HoursRecord.objects.filter(volunteer=volunteer).exists()


def test_self_submitted_hours_wait_for_the_organizer(past, users):
    activity, a, b, sa, sb = past
    record = hours_submit(signup=sa, hours="2", content="协助搬运物资", by=a.user)
    assert (record.source, record.status) == (HoursSource.SELF, HoursStatus.PENDING)
    with pytest.raises(ValidationError):
        hours_submit(signup=sa, hours="1.5", content="再来", by=a.user)  # 2 + 1.5 > 3
    with pytest.raises(ValidationError, match="Describe"):
        hours_submit(signup=sb, hours="1", content=" ", by=b.user)
    # After sign-in/out recorded the hours, no self-submission.
    checked_in(activity, b)
    with pytest.raises(ValidationError, match="already recorded"):
        hours_submit(signup=sb, hours="1", content="x", by=b.user)
    hours_confirm(record=record, by=users.org_a)


def test_self_submission_deadline(past, users):
    activity, a, _b, sa, _sb = past
    late = activity.ends_at + dt.timedelta(days=30, seconds=1)
    with pytest.raises(ValidationError, match="until"):
        hours_submit(signup=sa, hours="1", content="x", by=a.user, at=late)
    hours_submit(signup=sa, hours="1", content="x", by=a.user, at=late - dt.timedelta(seconds=1))


def test_confirmed_hours_never_exceed_the_activity(past, users):
    activity, a, _b, sa, _sb = past
    self_record = hours_submit(signup=sa, hours="2", content="x", by=a.user)
    check = checked_in(activity, a, minutes=150)  # 2.5 h pending too (sign-in recorded independently)
    hours_confirm(record=check, by=users.org_a)
    with pytest.raises(ValidationError, match="would exceed"):
        hours_confirm(record=self_record, by=users.org_a)


def test_confirm_all_confirms_what_it_can(past, users):
    activity, a, b, *_ = past
    checked_in(activity, a)
    checked_in(activity, b)
    outcome = hours_confirm_all(activity=activity, by=users.org_a)
    assert outcome.confirmed == 2 and outcome.refused == []
    assert HoursRecord.objects.filter(activity=activity, status=HoursStatus.CONFIRMED).count() == 2
    assert sum(r.hours for r in HoursRecord.objects.all()) == Decimal("5")
