"""The daily run of online affairs: lapsed corrections are closed, handlers are reminded."""

import datetime as dt

import pytest

from shezhi.affairs import services
from shezhi.affairs.models import Decision, DueReminder, FilingStatus
from shezhi.jobs.schedule import run_daily
from shezhi.notifications.models import Notification
from shezhi.workflow.engine import timeline

pytestmark = pytest.mark.django_db
S = FilingStatus


def on(monkeypatch, day: dt.date) -> None:
    monkeypatch.setattr(services, "_today", lambda: day)


class TestLapse:
    def test_closed_the_day_after_the_deadline_not_on_it(self, users, orgs, helpers, monkeypatch):
        filing = helpers.submitted_change(users)
        on(monkeypatch, dt.date(2026, 3, 2))
        services.filing_request_correction(filing=filing, by=users.bureau, items=[], note="申请表未盖章")
        assert filing.correction_due_on == dt.date(2026, 3, 23)
        assert services.filings_lapse_corrections(on=dt.date(2026, 3, 23)) == 0
        assert services.filings_lapse_corrections(on=dt.date(2026, 3, 24)) == 1
        filing.refresh_from_db()
        assert filing.status == S.WITHDRAWN and filing.decision == Decision.WITHDRAWN
        event = timeline(filing).last()
        assert event.transition == "lapse" and "2026-03-23" in event.note and event.by is None
        assert Notification.objects.filter(recipient=users.org_a, subject_id=str(filing.pk), title__contains=filing.number).exists()
        # Running again changes nothing.
        assert services.filings_lapse_corrections(on=dt.date(2026, 3, 25)) == 0

    def test_a_filing_resubmitted_in_time_is_left_alone(self, users, orgs, helpers, monkeypatch):
        filing = helpers.submitted_change(users)
        on(monkeypatch, dt.date(2026, 3, 2))
        services.filing_request_correction(filing=filing, by=users.bureau, items=[], note="申请表未盖章")
        services.filing_resubmit(filing=filing, by=users.org_a)
        assert services.filings_lapse_corrections(on=dt.date(2026, 5, 1)) == 0
        filing.refresh_from_db()
        assert filing.status == S.SUBMITTED


class TestReminders:
    def test_due_soon_then_overdue_each_once(self, users, orgs, helpers, monkeypatch):
        filing = helpers.submitted_change(users)
        on(monkeypatch, dt.date(2026, 3, 2))
        services.filing_accept(filing=filing, by=users.bureau)
        due = filing.due_on
        assert filing.procedure.remind_days == 2
        # Three working days before: nothing yet; two: "due soon", once.
        assert services.filings_due_reminders(on=dt.date(2026, 3, 11)) == {"due_soon": 0, "overdue": 0}
        assert due == dt.date(2026, 3, 16)
        assert services.filings_due_reminders(on=dt.date(2026, 3, 12)) == {"due_soon": 1, "overdue": 0}
        assert services.filings_due_reminders(on=dt.date(2026, 3, 13)) == {"due_soon": 0, "overdue": 0}
        assert services.filings_due_reminders(on=due) == {"due_soon": 0, "overdue": 0}
        assert services.filings_due_reminders(on=due + dt.timedelta(days=1)) == {"due_soon": 0, "overdue": 1}
        assert services.filings_due_reminders(on=due + dt.timedelta(days=2)) == {"due_soon": 0, "overdue": 0}
        assert set(DueReminder.objects.filter(filing=filing).values_list("kind", flat=True)) == {"due_soon", "overdue"}
        titles = list(Notification.objects.filter(recipient=users.bureau, subject_id=str(filing.pk)).values_list("title", flat=True))
        assert sum("2026-03-16" in t for t in titles) == 2
        # The town officer does not handle bureau filings and hears nothing.
        assert not Notification.objects.filter(recipient=users.town_a, subject_id=str(filing.pk)).exists()

    def test_no_reminders_while_the_clock_is_stopped(self, users, orgs, helpers, monkeypatch):
        filing = helpers.accepted_change(users)
        services.filing_request_correction(filing=filing, by=users.bureau, items=[], note="缺少会议纪要")
        assert services.filings_due_reminders(on=filing.due_on + dt.timedelta(days=30)) == {"due_soon": 0, "overdue": 0}


def test_the_daily_schedule_runs_both(users, orgs, helpers, monkeypatch):
    filing = helpers.submitted_change(users)
    on(monkeypatch, dt.date(2026, 3, 2))
    services.filing_request_correction(filing=filing, by=users.bureau, items=[], note="申请表未盖章")
    jobs = {job.kind: job for job in run_daily(on=dt.date(2026, 4, 1))}
    assert jobs["daily:affairs_lapse_corrections"].result == {"closed": 1}
    assert "daily:affairs_due_reminders" in jobs
