"""Rating rules: level thresholds (boundaries and monotonicity) and eligibility."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shezhi.inspection.models import InspectionRules
from shezhi.inspection.rules import last_inspection_year, rating_eligibility, rating_level
from shezhi.registry.models import OrganizationStatus
from shezhi.registry.services import organization_set_status

DEFAULTS = InspectionRules()  # the model defaults, no database needed
ORDER = ["", "1A", "2A", "3A", "4A", "5A"]


@pytest.mark.parametrize(
    ("score", "level"),
    [
        (1000, "5A"),
        (951, "5A"),
        (950, "5A"),  # "950以上" includes 950, although 4A is written "901–950"
        (Decimal("949.99"), "4A"),
        (901, "4A"),
        (Decimal("900.99"), "3A"),
        (900, "3A"),
        (851, "3A"),
        (850, "2A"),
        (801, "2A"),
        (800, "1A"),
        (751, "1A"),
        (Decimal("750.99"), ""),
        (750, ""),
        (0, ""),
        (None, ""),
    ],
)
def test_level_boundaries(score, level):
    assert rating_level(score, DEFAULTS) == level


scores = st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False, allow_infinity=False)


@given(a=scores, b=scores)
def test_a_higher_score_never_earns_a_lower_level(a, b):
    low, high = sorted([a, b])
    assert ORDER.index(rating_level(low, DEFAULTS)) <= ORDER.index(rating_level(high, DEFAULTS))


@settings(max_examples=60)
@given(mins=st.lists(st.integers(min_value=1, max_value=1000), min_size=5, max_size=5, unique=True), a=scores, b=scores)
def test_monotonic_for_any_thresholds_the_bureau_may_enter(mins, a, b):
    m5, m4, m3, m2, m1 = sorted(mins, reverse=True)
    rules = InspectionRules(rating_min_5a=m5, rating_min_4a=m4, rating_min_3a=m3, rating_min_2a=m2, rating_min_1a=m1)
    low, high = sorted([a, b])
    assert ORDER.index(rating_level(low, rules)) <= ORDER.index(rating_level(high, rules))
    assert rating_level(m1, rules) == "1A" and rating_level(m5, rules) == "5A"
    assert rating_level(m1 - 1, rules) == ""


@pytest.mark.django_db
class TestEligibility:
    ON = dt.date(2026, 9, 1)

    def good(self, make_org, record_result, **data):
        org = make_org(**data)
        record_result(org, 2024)
        record_result(org, 2025)
        return org

    def test_eligible(self, make_org, record_result):
        assert rating_eligibility(self.good(make_org, record_result), self.ON) == []

    def test_exactly_two_years_registered_is_enough(self, make_org, record_result):
        org = self.good(make_org, record_result, founded_on=dt.date(2024, 3, 1))
        assert rating_eligibility(org, dt.date(2026, 3, 1)) == []
        reasons = rating_eligibility(org, dt.date(2026, 2, 28))
        assert any("2026-03-01" in r for r in reasons)

    def test_registered_on_29_february(self, make_org, record_result):
        org = self.good(make_org, record_result, founded_on=dt.date(2024, 2, 29))
        assert not any("years" in r for r in rating_eligibility(org, dt.date(2026, 2, 28)))
        assert any("years" in r for r in rating_eligibility(org, dt.date(2026, 2, 27)))

    def test_last_inspection_not_done(self, make_org, record_result):
        org = make_org()
        record_result(org, 2024)
        assert rating_eligibility(org, self.ON) == ["The annual inspection for 2025 is not done."]

    def test_before_the_deadline_the_year_before_counts(self, make_org, record_result):
        org = make_org()
        record_result(org, 2024)
        assert last_inspection_year(org, dt.date(2026, 5, 31)) == 2024
        assert rating_eligibility(org, dt.date(2026, 5, 31)) == []
        assert last_inspection_year(org, dt.date(2026, 6, 1)) == 2025

    def test_an_early_result_counts_before_the_deadline(self, make_org, record_result):
        org = make_org()
        record_result(org, 2024)
        record_result(org, 2025, "unqualified", reported_on=dt.date(2026, 2, 1))
        assert last_inspection_year(org, dt.date(2026, 3, 15)) == 2025
        assert rating_eligibility(org, dt.date(2026, 3, 15)) == ["The annual inspection for 2025 was unqualified."]

    def test_unqualified_last_year(self, make_org, record_result):
        org = make_org()
        record_result(org, 2024)
        record_result(org, 2025, "unqualified")
        assert rating_eligibility(org, self.ON) == ["The annual inspection for 2025 was unqualified."]

    def test_basically_qualified_once_is_fine_twice_running_is_not(self, make_org, record_result):
        once = make_org()
        record_result(once, 2024, "qualified")
        record_result(once, 2025, "basically_qualified")
        assert rating_eligibility(once, self.ON) == []
        twice = make_org()
        record_result(twice, 2024, "basically_qualified")
        record_result(twice, 2025, "basically_qualified")
        assert rating_eligibility(twice, self.ON) == ["The annual inspections for 2024 and 2025 were both basically qualified."]

    @pytest.mark.parametrize("status", [OrganizationStatus.ABNORMAL, OrganizationStatus.SERIOUS_VIOLATION])
    def test_on_a_list(self, make_org, record_result, status):
        org = organization_set_status(organization=self.good(make_org, record_result), status=status, by=None, reason="x")
        reasons = rating_eligibility(org, self.ON)
        assert len(reasons) == 1 and "list" in reasons[0]

    def test_under_investigation(self, make_org, record_result):
        org = self.good(make_org, record_result)
        assert rating_eligibility(org, self.ON, under_investigation=True) == ["The organization is under investigation."]

    def test_filed_organization_cannot_be_rated(self, orgs):
        assert len(rating_eligibility(orgs.filed_a, self.ON)) == 1

    def test_reasons_add_up(self, make_org):
        org = make_org(founded_on=dt.date(2025, 1, 10))
        reasons = rating_eligibility(org, self.ON, under_investigation=True)
        assert len(reasons) == 3  # too young, 2025 inspection missing, under investigation

    def test_minimum_years_are_data(self, make_org, record_result, rules):
        org = self.good(make_org, record_result, founded_on=dt.date(2023, 9, 1))
        assert rating_eligibility(org, self.ON) == []
        rules.rating_min_years_registered = 5
        rules.save()
        assert any("5 years" in r for r in rating_eligibility(org, self.ON))
