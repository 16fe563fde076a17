"""The disclosure rules at their edge dates: due dates, long campaigns, states on the due day
and the day after, month ends and 29 February."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shezhi.charity import rules as R
from shezhi.charity.models import DisclosureRules
from shezhi.charity.selectors import obligations
from shezhi.charity.tests.conftest import make_campaign, make_item

D = dt.date


class TestDates:
    @pytest.mark.parametrize(
        ("day", "months", "expected"),
        [
            (D(2025, 1, 31), 1, D(2025, 2, 28)),
            (D(2024, 1, 31), 1, D(2024, 2, 29)),
            (D(2025, 11, 30), 3, D(2026, 2, 28)),
            (D(2027, 11, 30), 3, D(2028, 2, 29)),
            (D(2025, 3, 31), 3, D(2025, 6, 30)),
            (D(2025, 12, 15), 1, D(2026, 1, 15)),
        ],
    )
    def test_add_months_keeps_the_day_or_takes_the_month_end(self, day, months, expected):
        assert R.add_months(day, months) == expected

    def test_add_years_29_february(self):
        assert R.add_years(D(2024, 2, 29), 2) == D(2026, 2, 28)
        assert R.add_years(D(2024, 2, 29), 4) == D(2028, 2, 29)

    @settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
    @given(st.dates(min_value=D(1990, 1, 1), max_value=D(2090, 12, 31)), st.integers(min_value=0, max_value=120))
    def test_add_months_is_never_earlier_and_within_the_target_month(self, day, months):
        later = R.add_months(day, months)
        assert later >= day
        assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == months
        assert later.day <= day.day

    def test_annual_due_default_and_29_february(self):
        rules = DisclosureRules()
        assert R.annual_due(2024, rules) == D(2025, 5, 31)
        rules.annual_due = "02-29"
        assert R.annual_due(2023, rules) == D(2024, 2, 29)
        assert R.annual_due(2024, rules) == D(2025, 2, 28)


class FakeCampaign:
    def __init__(self, starts_on, ends_on):
        self.starts_on, self.ends_on = starts_on, ends_on


class TestCampaignRules:
    rules = DisclosureRules()

    def test_exactly_six_months_is_not_long(self):
        c = FakeCampaign(D(2025, 1, 15), D(2025, 7, 15))
        assert not R.is_long_campaign(c, self.rules)
        assert R.period_count(c, self.rules) == 0

    def test_six_months_and_a_day_is_long(self):
        c = FakeCampaign(D(2025, 1, 15), D(2025, 7, 16))
        assert R.is_long_campaign(c, self.rules)
        # Reports due 15 April and 15 July (both before the end); the final report covers the rest.
        assert R.period_count(c, self.rules) == 2
        assert [R.period_due(c, n, self.rules) for n in (1, 2)] == [D(2025, 4, 15), D(2025, 7, 15)]

    def test_a_period_ending_on_the_last_day_is_the_final_report(self):
        c = FakeCampaign(D(2025, 1, 1), D(2026, 1, 1))
        assert R.period_count(c, self.rules) == 3  # 1 Apr, 1 Jul, 1 Oct; 1 Jan 2026 is the end

    def test_month_end_start(self):
        c = FakeCampaign(D(2025, 8, 31), D(2026, 8, 31))
        assert [R.period_due(c, n, self.rules) for n in (1, 2, 3)] == [D(2025, 11, 30), D(2026, 2, 28), D(2026, 5, 31)]

    def test_final_due_three_months_after_the_end(self):
        assert R.final_due(FakeCampaign(D(2025, 1, 1), D(2025, 11, 30)), self.rules) == D(2026, 2, 28)
        assert R.final_due(FakeCampaign(D(2027, 1, 1), D(2027, 11, 30)), self.rules) == D(2028, 2, 29)

    def test_transaction_due_thirty_days(self):
        assert R.transaction_due(D(2025, 1, 31), self.rules) == D(2025, 3, 2)

    def test_rules_are_data(self):
        rules = DisclosureRules(long_campaign_months=12, campaign_report_every_months=6, final_report_months=1, major_transaction_days=10)
        c = FakeCampaign(D(2025, 1, 1), D(2026, 6, 1))
        assert R.period_count(c, rules) == 2 and R.period_due(c, 2, rules) == D(2026, 1, 1)
        assert R.final_due(c, rules) == D(2026, 7, 1)
        assert R.transaction_due(D(2025, 1, 1), rules) == D(2025, 1, 11)


@pytest.mark.django_db
class TestObligations:
    def states(self, org, on):
        return {o.key: o.state for o in obligations(org, on)}

    def test_annual_from_the_recognition_year_on_due_day_and_day_after(self, charity):
        # Recognized 2020-03-01: reports on 2020 … due 2021-05-31.
        keys = self.states(charity, D(2021, 5, 31))
        assert keys == {"annual_work_report:2020": "open", "financial_statements:2020": "open"}
        assert set(self.states(charity, D(2021, 6, 1)).values()) == {"late"}

    def test_published_on_the_due_day_is_on_time_the_day_after_is_late(self, charity):
        make_item(charity, kind="annual_work_report", year=2020, published_on=D(2021, 5, 31))
        make_item(charity, kind="financial_statements", year=2020, published_on=D(2021, 6, 1))
        states = self.states(charity, D(2021, 7, 1))
        assert states == {"annual_work_report:2020": "done", "financial_statements:2020": "done_late"}

    def test_a_correction_does_not_count_as_the_report(self, charity):
        original = make_item(charity, kind="annual_work_report", year=2020, published_on=D(2021, 5, 1))
        make_item(charity, kind="annual_work_report", year=2020, corrects=original, due_on=None, published_on=D(2021, 9, 1))
        assert self.states(charity, D(2021, 9, 2))["annual_work_report:2020"] == "done"

    def test_a_draft_past_the_due_date_is_late(self, charity):
        make_item(charity, kind="annual_work_report", year=2020)
        assert self.states(charity, D(2021, 6, 1))["annual_work_report:2020"] == "late"

    def test_no_annual_duty_before_recognition_or_after_tracked_from(self, charity):
        rules = DisclosureRules.objects.get(city=None)
        rules.track_from_year = 2022
        rules.save()
        keys = set(self.states(charity, D(2024, 5, 15)))  # 2023 due 31 May: within the horizon
        assert keys == {"annual_work_report:2022", "financial_statements:2022", "annual_work_report:2023", "financial_statements:2023"}

    def test_not_a_charity_no_annual_duty(self, orgs):
        assert obligations(orgs.reg_b, D(2025, 1, 1)) == []

    def test_campaign_reports_and_final(self, charity):
        c = make_campaign(charity, starts_on=D(2025, 1, 15), ends_on=D(2025, 7, 16))
        on = D(2025, 4, 15)
        assert self.states(charity, on)[f"campaign:{c.pk}:1"] == "open"
        assert self.states(charity, on + dt.timedelta(days=1))[f"campaign:{c.pk}:1"] == "late"
        # The final report is due three months after the end.
        assert self.states(charity, D(2025, 10, 16))[f"campaign:{c.pk}:final"] == "open"
        assert self.states(charity, D(2025, 10, 17))[f"campaign:{c.pk}:final"] == "late"

    def test_a_six_month_campaign_has_only_the_final_report(self, charity):
        c = make_campaign(charity, starts_on=D(2025, 1, 15), ends_on=D(2025, 7, 15))
        keys = [k for k in self.states(charity, D(2025, 12, 1)) if k.startswith("campaign")]
        assert keys == [f"campaign:{c.pk}:final"]

    def test_far_obligations_are_not_listed_until_near(self, charity):
        c = make_campaign(charity, starts_on=D(2025, 1, 1), ends_on=D(2030, 1, 1))
        keys = [k for k in self.states(charity, D(2025, 2, 1)) if k.startswith("campaign")]
        assert keys == []  # first report due 1 April: 59 days away, past the 30-day horizon
        keys = [k for k in self.states(charity, D(2025, 3, 2)) if k.startswith("campaign")]
        assert keys == [f"campaign:{c.pk}:1"]

    def test_major_transaction_thirty_days(self, charity):
        d = make_item(charity, kind="major_transaction", transaction_kind="asset", transaction_date=D(2025, 1, 31))
        key = f"transaction:{d.pk}"
        assert self.states(charity, D(2025, 3, 2))[key] == "open"
        assert self.states(charity, D(2025, 3, 3))[key] == "late"

    def test_published_keeps_the_due_date_it_was_published_against(self, charity):
        d = make_item(charity, kind="annual_work_report", year=2020, published_on=D(2021, 5, 20))
        rules = DisclosureRules.objects.get(city=None)
        rules.annual_due = "03-31"
        rules.save()
        o = next(o for o in obligations(charity, D(2021, 6, 1)) if o.key == "annual_work_report:2020")
        assert (o.due_on, o.state, o.disclosure.pk) == (D(2021, 5, 31), "done", d.pk)

    def test_city_rules_win_over_the_default(self, charity, areas):
        DisclosureRules.objects.create(city=areas.city, annual_due="04-30")
        o = next(o for o in obligations(charity, D(2021, 5, 1)) if o.key == "annual_work_report:2020")
        assert (o.due_on, o.state) == (D(2021, 4, 30), "late")
