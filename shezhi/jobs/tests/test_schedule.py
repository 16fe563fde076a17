import datetime as dt

import pytest
from django.core.management import call_command

from shezhi.jobs import schedule
from shezhi.jobs.models import DailyRun, Job

pytestmark = pytest.mark.django_db


@pytest.fixture
def counting_task(monkeypatch):
    monkeypatch.setattr(schedule, "_tasks", {})
    calls = []

    def work(on):
        calls.append(on)
        return {"on": on.isoformat()}

    schedule.daily("count", "Counting", work)
    return calls


def test_each_task_runs_once_a_day_unless_forced(counting_task):
    day = dt.date(2026, 3, 2)
    jobs = schedule.run_daily(on=day)
    assert [j.status for j in jobs] == ["done"] and jobs[0].result == {"on": "2026-03-02"}
    assert schedule.run_daily(on=day) == []
    assert counting_task == [day]
    schedule.run_daily(on=day, force=True)
    assert counting_task == [day, day]
    assert DailyRun.objects.filter(key="count", day=day).count() == 1
    schedule.run_daily(on=day + dt.timedelta(days=1))
    assert len(counting_task) == 3


def test_a_failing_task_leaves_a_failed_job_and_no_run_record(monkeypatch):
    monkeypatch.setattr(schedule, "_tasks", {})

    def broken(on):
        raise RuntimeError("boom")

    schedule.daily("broken", "Broken", broken)
    with pytest.raises(RuntimeError):
        schedule.run_daily(on=dt.date(2026, 3, 2))
    assert Job.objects.get(kind="daily:broken").status == "failed"
    assert not DailyRun.objects.exists()


def test_command_lists_and_runs(counting_task, capsys):
    call_command("run_daily", "--list")
    assert "count\tCounting" in capsys.readouterr().out
    call_command("run_daily", "--on", "2026-03-02")
    call_command("run_daily", "--on", "2026-03-02")
    out = capsys.readouterr().out
    assert "nothing due" in out and counting_task == [dt.date(2026, 3, 2)]


def test_the_annual_report_reminders_are_scheduled():
    assert "annual_report_reminders" in {t.key for t in schedule.daily_tasks()}
