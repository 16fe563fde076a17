"""The daily job: reminders before due dates, lateness flagged once; idempotent."""

import datetime as dt

import pytest

from shezhi.charity.models import DisclosureNotice
from shezhi.charity.services import disclosure_notices_send
from shezhi.notifications.models import Notification

pytestmark = pytest.mark.django_db
D = dt.date


def titles(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("title", flat=True))


class TestNotices:
    def test_reminders_by_stage_and_late_once(self, charity, users):
        # Recognized 2020-03-01: the 2020 reports are due 2021-05-31.
        run = disclosure_notices_send(today=D(2021, 5, 1))
        assert (run.reminders, run.late_flagged) == (2, 0)
        assert all("Disclosure due on 2021-05-31" in t for t in titles(users.org_a))
        again = disclosure_notices_send(today=D(2021, 5, 1))
        assert (again.reminders, again.already_sent) == (0, 2)
        assert disclosure_notices_send(today=D(2021, 5, 2)).reminders == 0  # still the 30-day stage
        assert disclosure_notices_send(today=D(2021, 5, 24)).reminders == 2  # 7 days left
        assert disclosure_notices_send(today=D(2021, 5, 31)).reminders == 2  # the last day
        late = disclosure_notices_send(today=D(2021, 6, 1))
        assert (late.reminders, late.late_flagged) == (0, 2)
        assert disclosure_notices_send(today=D(2021, 6, 1)).late_flagged == 0
        assert disclosure_notices_send(today=D(2021, 7, 1)).late_flagged == 0
        assert len(titles(users.org_a)) == 8
        assert sum("Late disclosure" in t for t in titles(users.org_a)) == 2
        flag = DisclosureNotice.objects.get(organization=charity, obligation="annual_work_report:2020", stage="late")
        assert (flag.sent_on, flag.due_on) == (D(2021, 6, 1), D(2021, 5, 31))

    def test_a_missed_day_catches_up_with_the_later_stage_only(self, charity, users):
        run = disclosure_notices_send(today=D(2021, 5, 30))
        assert run.reminders == 2
        assert set(DisclosureNotice.objects.values_list("stage", flat=True)) == {"1"}

    def test_published_items_get_nothing(self, charity, users):
        from shezhi.charity.tests.conftest import make_item

        make_item(charity, kind="annual_work_report", year=2020, published_on=D(2021, 4, 1))
        make_item(charity, kind="financial_statements", year=2020, published_on=D(2021, 4, 1))
        assert disclosure_notices_send(today=D(2021, 5, 1)).reminders == 0
        assert disclosure_notices_send(today=D(2021, 6, 1)).late_flagged == 0

    def test_without_an_account_lateness_is_still_flagged(self, orgs):
        from shezhi.registry.services import organization_update

        organization_update(organization=orgs.reg_b, data={"is_charity": True, "charity_recognized_on": D(2020, 3, 1)}, by=None, reason="t")
        run = disclosure_notices_send(today=D(2021, 5, 1))
        assert (run.reminders, run.without_account) == (0, 2)
        assert disclosure_notices_send(today=D(2021, 6, 1)).late_flagged == 2

    def test_runs_as_a_daily_task(self, charity):
        from shezhi.jobs.schedule import run_daily

        jobs = run_daily(on=D(2021, 6, 1), only="charity_disclosures")
        assert jobs[0].status == "done" and jobs[0].result["late_flagged"] == 2
        assert run_daily(on=D(2021, 6, 1), only="charity_disclosures") == []  # once a day
        jobs = run_daily(on=D(2021, 6, 1), only="charity_disclosures", force=True)
        assert jobs[0].result["late_flagged"] == 0 and jobs[0].result["already_sent"] == 2
