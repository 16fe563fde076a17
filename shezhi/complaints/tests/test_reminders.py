"""The daily job: reminders before the due date and once overdue, each exactly once."""

import datetime as dt

import pytest
from django.utils import timezone

from shezhi.accounts.models import Role, User
from shezhi.complaints import services
from shezhi.complaints.models import ComplaintReminder, SubmissionMark
from shezhi.complaints.services import complaint_reminders_send
from shezhi.jobs.schedule import run_daily
from shezhi.notifications.models import Notification

pytestmark = pytest.mark.django_db


def titles(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("id").values_list("title", flat=True))


@pytest.fixture
def complaint(users, file_complaint):
    c = file_complaint(on=dt.date(2026, 3, 2)).complaint  # due Mon 2026-03-23
    Notification.objects.all().delete()
    return c


def test_each_reminder_once_over_the_days(users, complaint):
    for day in range(10, 31):
        complaint_reminders_send(today=dt.date(2026, 3, day))
    stages = sorted(ComplaintReminder.objects.values_list("stage", flat=True))
    assert stages == ["before-1", "before-3", "overdue"]
    assert titles(users.town_a) == [
        f"Complaint {complaint.number}: answer due on 2026-03-23",
        f"Complaint {complaint.number}: answer due on 2026-03-23",
        f"Overdue complaint {complaint.number}: the answer was due on 2026-03-23",
    ]
    # The bureau is told of the overdue one only.
    assert titles(users.bureau) == [f"Overdue complaint {complaint.number}: the answer was due on 2026-03-23"]
    assert titles(users.town_b) == []


def test_idempotent_within_a_day(users, complaint):
    first = complaint_reminders_send(today=dt.date(2026, 3, 18))
    second = complaint_reminders_send(today=dt.date(2026, 3, 18))
    third = complaint_reminders_send(today=dt.date(2026, 3, 19))  # still the 3-day stage
    assert (first.sent, second.sent, third.sent) == (1, 0, 0)
    assert second.already_sent == third.already_sent == 1
    assert len(titles(users.town_a)) == 1


def test_answered_ones_need_no_reminder(users, complaint):
    services.complaint_accept(complaint=complaint, by=users.town_a)
    services.complaint_answer(complaint=complaint, by=users.town_a, reply="答复")
    Notification.objects.all().delete()
    assert complaint_reminders_send(today=dt.date(2026, 3, 30)).sent == 0
    assert not ComplaintReminder.objects.exists()


def test_a_passed_on_complaint_reminds_its_new_office(users, areas, complaint):
    services.complaint_reassign(complaint=complaint, by=users.bureau, to=areas.town_b, note="转乍浦镇")
    Notification.objects.all().delete()
    complaint_reminders_send(today=dt.date(2026, 3, 20))
    assert titles(users.town_b) and not titles(users.town_a)


def test_no_staff_account_means_not_recorded_yet(users, complaint):
    User.objects.filter(role__in=[Role.TOWN, Role.BUREAU]).update(is_active=False)
    outcome = complaint_reminders_send(today=dt.date(2026, 3, 24))
    assert (outcome.sent, outcome.without_staff) == (0, 1) and not ComplaintReminder.objects.exists()
    User.objects.filter(role__in=[Role.TOWN, Role.BUREAU]).update(is_active=True)
    assert complaint_reminders_send(today=dt.date(2026, 3, 25)).overdue == 1


def test_the_daily_schedule_runs_it_once(users, complaint):
    jobs = run_daily(on=dt.date(2026, 3, 24), only="complaint_reminders")
    assert jobs[0].status == "done" and jobs[0].result["overdue"] == 1
    assert run_daily(on=dt.date(2026, 3, 24), only="complaint_reminders") == []
    forced = run_daily(on=dt.date(2026, 3, 24), only="complaint_reminders", force=True)
    assert forced[0].result["sent"] == 0 and ComplaintReminder.objects.count() == 1


def test_old_throttle_marks_are_dropped(users):
    now = timezone.now()
    SubmissionMark.objects.create(key="a", at=now - dt.timedelta(days=3))
    SubmissionMark.objects.create(key="a", at=now - dt.timedelta(hours=3))
    assert complaint_reminders_send(today=timezone.localdate()).marks_purged == 1
    assert SubmissionMark.objects.count() == 1
