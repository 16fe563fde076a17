"""Annual report rules: who must report, exemption, deadlines, lateness, rectification."""

import datetime as dt

import pytest

from shezhi.inspection.models import InspectionRules, month_day_in
from shezhi.inspection.rules import (
    RulesBook,
    annual_report_due,
    annual_report_late,
    annual_report_obligation,
    exemption_cutoff,
    rectification_required,
    report_attachments_required,
    subtract_months,
)
from shezhi.registry.models import OrganizationStatus, TaxDeductibleYear
from shezhi.registry.services import organization_set_status

pytestmark = pytest.mark.django_db


class TestObligation:
    def test_filed_community_organization_is_not_applicable(self, orgs, rules):
        obligation = annual_report_obligation(orgs.filed_a, 2025, rules=rules)
        assert obligation.status == "not_applicable"
        assert "town" in obligation.reason

    def test_registered_long_ago_must_report(self, make_org, rules):
        assert annual_report_obligation(make_org(founded_on=dt.date(2015, 3, 1)), 2025, rules=rules).required

    @pytest.mark.parametrize(
        ("founded", "status"),
        [
            (dt.date(2025, 6, 29), "required"),
            # Six months before the year's end exactly: 30 June → 31 December is six full months.
            (dt.date(2025, 6, 30), "required"),
            (dt.date(2025, 7, 1), "exempt"),
            (dt.date(2025, 12, 31), "exempt"),
        ],
    )
    def test_six_month_exemption_boundary(self, make_org, rules, founded, status):
        obligation = annual_report_obligation(make_org(founded_on=founded), 2025, rules=rules)
        assert obligation.status == status
        if status == "exempt":
            assert "2025-06-30" in obligation.reason

    def test_registered_after_the_year_is_not_applicable(self, make_org, rules):
        assert annual_report_obligation(make_org(founded_on=dt.date(2026, 1, 1)), 2025, rules=rules).status == "not_applicable"

    def test_deregistered_is_not_applicable(self, make_org, rules):
        org = make_org()
        org = organization_set_status(organization=org, status=OrganizationStatus.DEREGISTERED, by=None, reason="注销")
        assert annual_report_obligation(org, 2025, rules=rules).status == "not_applicable"

    def test_abnormal_list_still_reports(self, make_org, rules):
        org = organization_set_status(organization=make_org(), status=OrganizationStatus.ABNORMAL, by=None, reason="未年检")
        assert annual_report_obligation(org, 2025, rules=rules).required

    def test_unknown_registration_date_counts_as_required(self, make_org, rules):
        assert annual_report_obligation(make_org(founded_on=None), 2025, rules=rules).required

    def test_exemption_period_is_data(self, make_org, rules):
        rules.exemption_months = 3
        org = make_org(founded_on=dt.date(2025, 9, 1))
        assert annual_report_obligation(org, 2025, rules=rules).required
        rules.exemption_months = 6
        assert annual_report_obligation(org, 2025, rules=rules).status == "exempt"

    @pytest.mark.parametrize(("year", "cutoff"), [(2024, dt.date(2024, 2, 29)), (2025, dt.date(2025, 2, 28))])
    def test_cutoff_in_february_respects_leap_years(self, rules, year, cutoff):
        rules.exemption_months = 10
        assert exemption_cutoff(year, rules) == cutoff

    def test_subtract_months_clamps_to_month_end(self):
        assert subtract_months(dt.date(2025, 12, 31), 6) == dt.date(2025, 6, 30)
        assert subtract_months(dt.date(2025, 3, 31), 1) == dt.date(2025, 2, 28)
        assert subtract_months(dt.date(2025, 1, 15), 1) == dt.date(2024, 12, 15)


class TestDeadlines:
    def test_social_group_with_supervising_unit_has_both_dates(self, make_org, rules):
        org = make_org(legal_form="social_group", supervising_unit="平湖市体育局")
        due = annual_report_due(org, 2025, rules=rules)
        assert due.supervisor == dt.date(2026, 3, 31)
        assert due.bureau == dt.date(2026, 5, 31)

    def test_directly_registered_social_group_has_no_supervisor_date(self, make_org, rules):
        due = annual_report_due(make_org(legal_form="social_group", supervising_unit=""), 2025, rules=rules)
        assert due.supervisor is None and due.bureau == dt.date(2026, 5, 31)

    def test_other_forms_report_to_the_bureau(self, make_org, rules):
        assert annual_report_due(make_org(legal_form="social_service_agency"), 2025, rules=rules).supervisor is None
        rules.foundation_bureau_due = "03-31"
        assert annual_report_due(make_org(legal_form="foundation"), 2025, rules=rules).bureau == dt.date(2026, 3, 31)

    def test_city_rules_override_the_default(self, make_org, areas, rules):
        InspectionRules.objects.create(city=areas.city, social_service_agency_bureau_due="04-30")
        org = make_org()
        assert annual_report_due(org, 2025).bureau == dt.date(2026, 4, 30)
        other = make_org(town=areas.other_town, division="330481")
        assert annual_report_due(other, 2025).bureau == dt.date(2026, 5, 31)
        book = RulesBook.load()
        assert book.for_city(areas.city.pk).social_service_agency_bureau_due == "04-30"
        assert book.for_city(areas.other_city.pk) == rules

    @pytest.mark.parametrize(("year", "expected"), [(2027, dt.date(2028, 2, 29)), (2026, dt.date(2027, 2, 28))])
    def test_29_february_deadline_in_leap_and_common_years(self, make_org, rules, year, expected):
        rules.social_service_agency_bureau_due = "02-29"
        assert annual_report_due(make_org(), year, rules=rules).bureau == expected
        assert month_day_in(2028, "02-29") == dt.date(2028, 2, 29)

    def test_deadline_on_a_rest_day_moves_only_when_the_rules_say_so(self, make_org, rules):
        # 2026-05-31 is a Sunday; Monday 1 June is a working day.
        org = make_org()
        assert annual_report_due(org, 2025, rules=rules).bureau == dt.date(2026, 5, 31)
        rules.extend_to_workday = True
        assert annual_report_due(org, 2025, rules=rules).bureau == dt.date(2026, 6, 1)

    def test_deadline_on_a_holiday_moves_past_the_holiday(self, make_org, rules):
        # 2025-05-31 (Saturday) is the Dragon Boat Festival, off until Monday 2 June.
        rules.extend_to_workday = True
        assert annual_report_due(make_org(), 2024, rules=rules).bureau == dt.date(2025, 6, 3)

    def test_deadline_day_itself_is_on_time_the_day_after_is_late(self, make_org, rules):
        org = make_org()
        assert not annual_report_late(org, 2025, dt.date(2026, 5, 31), rules=rules)
        assert annual_report_late(org, 2025, dt.date(2026, 6, 1), rules=rules)
        assert not annual_report_late(org, 2025, dt.date(2026, 1, 2), rules=rules)

    def test_invalid_month_day_is_refused_by_validation(self, rules):
        from django.core.exceptions import ValidationError

        rules.social_group_bureau_due = "02-30"
        with pytest.raises(ValidationError) as err:
            rules.full_clean()
        assert "social_group_bureau_due" in err.value.message_dict
        rules.social_group_bureau_due = "02-29"
        rules.full_clean()

    def test_thresholds_must_descend(self, rules):
        from django.core.exceptions import ValidationError

        rules.rating_min_4a = 960
        with pytest.raises(ValidationError):
            rules.full_clean()


class TestRectification:
    @pytest.mark.parametrize("result", ["basically_qualified", "unqualified"])
    def test_required_after_a_weak_result(self, make_org, rules, record_result, result):
        org = make_org()
        record_result(org, 2024, result)
        assert "2024" in rectification_required(org, 2025, rules=rules)
        assert [a.code for a in report_attachments_required(org, 2025, rules=rules)] == ["rectification_report"]

    def test_not_required_after_qualified(self, make_org, rules, record_result):
        org = make_org()
        record_result(org, 2024, "qualified")
        assert rectification_required(org, 2025, rules=rules) == ""

    def test_a_missed_year_counts_only_once_records_are_complete(self, make_org, rules):
        org = make_org()
        assert rectification_required(org, 2025, rules=rules) == ""
        rules.records_complete_from = 2024
        assert "2024" in rectification_required(org, 2025, rules=rules)
        rules.records_complete_from = 2025
        assert rectification_required(org, 2025, rules=rules) == ""

    def test_a_missed_exempt_year_needs_no_rectification(self, make_org, rules):
        org = make_org(founded_on=dt.date(2024, 9, 1))
        rules.records_complete_from = 2020
        assert rectification_required(org, 2025, rules=rules) == ""

    def test_tax_deductible_holders_attach_the_special_report(self, make_org, rules):
        org = make_org()
        TaxDeductibleYear.objects.create(organization=org, year=2025)
        assert [a.code for a in report_attachments_required(org, 2025, rules=rules)] == ["tax_deductible_report"]
        assert report_attachments_required(org, 2024, rules=rules) == []
