"""Annual-report reminders: N days before each deadline, to those who have not reported, never twice."""

import datetime as dt

import pytest
from django.core.management import call_command

from shezhi.accounts.models import Role, User
from shezhi.inspection.models import ReminderSent
from shezhi.inspection.services import _stage, annual_report_reminders_send
from shezhi.inspection.tasks import send_annual_report_reminders
from shezhi.inspection.tests.conftest import messages_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def account():
    def make(org, name):
        return User.objects.create_user(
            username=name, password="pass-Shezhi-2026", role=Role.ORGANIZATION, organization=org, email=f"{name}@example.org"
        )

    return make


def test_stage_picks_the_smallest_lead_time_that_fits():
    days = [30, 7, 1]
    assert _stage(31, days) is None
    assert _stage(30, days) == 30
    assert _stage(8, days) == 30
    assert _stage(7, days) == 7
    assert _stage(5, days) == 7
    assert _stage(1, days) == 1
    assert _stage(0, days) == 1  # the deadline day itself
    assert _stage(-1, days) is None  # past the deadline: supervision's business, not a reminder


def test_reminder_thirty_days_before(make_org, account):
    org = make_org(name="提醒测试中心")
    person = account(org, "tixing")
    outcome = annual_report_reminders_send(today=dt.date(2026, 5, 1))  # 30 days before 05-31
    assert (outcome.year, outcome.sent) == (2025, 1)
    row = ReminderSent.objects.get(organization=org)
    assert (row.year, row.deadline, row.days_before, row.due_on, row.recipients) == (2025, "bureau", 30, dt.date(2026, 5, 31), 1)
    assert messages_for(person) == ["Annual report for 2025: due to the bureau on 2026-05-31"]


def test_idempotent(make_org, account):
    person = account(make_org(), "idem")
    first = annual_report_reminders_send(today=dt.date(2026, 5, 1))
    second = annual_report_reminders_send(today=dt.date(2026, 5, 1))
    third = annual_report_reminders_send(today=dt.date(2026, 5, 2))  # still the 30-day stage
    assert (first.sent, second.sent, third.sent) == (1, 0, 0)
    assert second.already_sent == 1 and third.already_sent == 1
    assert ReminderSent.objects.count() == 1 and len(messages_for(person)) == 1


def test_each_stage_once_and_a_missed_stage_is_skipped(make_org, account):
    person = account(make_org(), "stages")
    for day in (
        dt.date(2026, 4, 20),
        dt.date(2026, 5, 1),
        dt.date(2026, 5, 26),
        dt.date(2026, 5, 27),
        dt.date(2026, 5, 31),
        dt.date(2026, 6, 1),
    ):
        annual_report_reminders_send(today=day)
    # 30 days (05-01), 7 days (caught up on 05-26 with 5 days left), 1 day (05-31, the deadline day)
    assert sorted(ReminderSent.objects.values_list("days_before", flat=True)) == [1, 7, 30]
    assert len(messages_for(person)) == 3


def test_no_reminder_to_those_who_reported_or_need_not(make_org, account, record_result, orgs):
    reported = make_org()
    account(reported, "done")
    record_result(reported, 2025, reported_on=dt.date(2026, 4, 1))
    young = make_org(founded_on=dt.date(2025, 10, 1))
    account(young, "young")
    outcome = annual_report_reminders_send(today=dt.date(2026, 5, 1))
    assert outcome.sent == 0
    assert not ReminderSent.objects.filter(organization__in=[reported, young]).exists()


def test_supervising_unit_deadline_for_social_groups(make_org, account):
    group = make_org(legal_form="social_group", supervising_unit="平湖市文化局")
    person = account(group, "group")
    annual_report_reminders_send(today=dt.date(2026, 3, 1))  # 30 days before 03-31
    row = ReminderSent.objects.get(organization=group)
    assert (row.deadline, row.days_before, row.due_on) == ("supervisor", 30, dt.date(2026, 3, 31))
    assert "supervising unit" in messages_for(person)[0]


def test_organization_without_account_is_not_marked_sent(make_org, account):
    org = make_org()
    outcome = annual_report_reminders_send(today=dt.date(2026, 5, 1))
    assert outcome.without_account >= 1 and not ReminderSent.objects.filter(organization=org).exists()
    account(org, "later")
    assert annual_report_reminders_send(today=dt.date(2026, 5, 2)).sent >= 1
    assert ReminderSent.objects.filter(organization=org).count() == 1


def test_lead_times_are_data(make_org, account, rules):
    rules.reminder_days = "14"
    rules.save()
    account(make_org(), "fourteen")
    assert annual_report_reminders_send(today=dt.date(2026, 5, 1)).sent == 0
    assert annual_report_reminders_send(today=dt.date(2026, 5, 17)).sent == 1


def test_command_and_task(make_org, account, capsys):
    account(make_org(), "cmd")
    call_command("annual_report_reminders", "--date", "2026-05-01")
    assert "1 sent" in capsys.readouterr().out
    call_command("annual_report_reminders", "--date", "2026-05-01")
    assert "0 sent, 1 already sent" in capsys.readouterr().out
    result = send_annual_report_reminders.enqueue("2026-05-25")
    assert result.return_value["sent"] == 1
    call_command("annual_report_reminders", "--date", "2026-05-30", "--enqueue")
    assert "queued" in capsys.readouterr().out
    assert ReminderSent.objects.count() == 3


def test_command_refuses_a_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("annual_report_reminders", "--date", "31/05/2026")


def test_reminder_links_to_the_online_procedure(make_org, account):
    from django.apps import apps

    if not apps.is_installed("shezhi.notifications"):
        pytest.skip("the link is kept by in-app notifications")
    from shezhi.notifications.models import Notification

    person = account(make_org(), "link")
    annual_report_reminders_send(today=dt.date(2026, 5, 1))
    assert Notification.objects.get(recipient=person).url == "/affairs/new/annual-report/"
