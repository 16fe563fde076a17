"""Two people (or two runs) at once: one decision, one result per year, one reminder."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from shezhi.accounts.models import Role, User
from shezhi.inspection.models import AnnualInspection, RatingAssessment, ReminderSent
from shezhi.inspection.services import annual_inspection_record, annual_report_reminders_send, rating_assessment_open, rating_decide
from shezhi.workflow.engine import TransitionRefused

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def server_database(seed_defaults):
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
        except (ValidationError, TransitionRefused):
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=(a,)) for a in actions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(outcomes)


def test_two_results_for_one_year(orgs, users):
    def record(result):
        return lambda: annual_inspection_record(
            organization=orgs.reg_a,
            year=2025,
            result=result,
            by=users.bureau,
            reported_on=dt.date(2026, 4, 1),
            decided_on=dt.date(2026, 4, 2),
        )

    assert race(record("qualified"), record("unqualified")) == ["ok", "refused"]
    assert AnnualInspection.objects.filter(organization=orgs.reg_a).count() == 1


def test_two_decisions_on_one_assessment(orgs, users, record_result):
    today = timezone.localdate()
    for year in range(today.year - 3, today.year):
        record_result(orgs.reg_a, year, reported_on=min(dt.date(year + 1, 3, 1), today))
    assessment = rating_assessment_open(organization=orgs.reg_a, by=users.bureau)

    def decide(score):
        return lambda: rating_decide(assessment=RatingAssessment.objects.get(pk=assessment.pk), by=users.bureau, score=score)

    assert race(decide(955), decide(880)) == ["ok", "refused"]
    assessment.refresh_from_db()
    orgs.reg_a.refresh_from_db()
    assert orgs.reg_a.rating == assessment.level and assessment.level in {"5A", "3A"}


def test_two_reminder_runs_send_once(orgs):
    User.objects.create_user(username="both", password="pass-Shezhi-2026", role=Role.ORGANIZATION, organization=orgs.reg_a)
    run = lambda: annual_report_reminders_send(today=dt.date(2026, 5, 1))  # noqa: E731
    assert race(run, run) == ["ok", "ok"]
    assert ReminderSent.objects.filter(organization=orgs.reg_a).count() == 1
