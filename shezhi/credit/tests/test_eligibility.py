"""eligibility(organization, purpose, on): every condition at its edge dates, with the
reasons explained (dates included)."""

import datetime as dt

import pytest

from shezhi.credit import services
from shezhi.credit.models import EligibilityRule, PenaltyKind
from shezhi.credit.selectors import UnknownPurpose, eligibility, entries_on, penalties_between
from shezhi.inspection.models import AnnualInspection
from shezhi.registry.models import Organization

pytestmark = pytest.mark.django_db
D = dt.date


def failed(result) -> dict[str, str]:
    return {c.label: c.explanation for c in result.checks if not c.ok}


@pytest.fixture
def good(make_org):
    """A registered organization rated 3A (valid 2023-01-10 .. 2028-01-09) with its reports filed."""
    org = make_org(founded_on=D(2015, 3, 1))
    Organization.objects.filter(pk=org.pk).update(rating="3A", rated_on=D(2023, 1, 10), rating_valid_until=D(2028, 1, 9))
    org.refresh_from_db()
    for year in range(2019, 2026):
        AnnualInspection.objects.create(
            organization=org, year=year, result="qualified", reported_on=D(year + 1, 4, 1), decided_on=D(year + 1, 4, 20)
        )
    return org


def test_a_clean_record_is_eligible_for_every_purpose(good):
    for rule in EligibilityRule.objects.all():
        result = eligibility(good, rule.purpose, D(2026, 6, 1))
        assert result.ok, (rule.purpose, result.reasons)
        assert result.checks and all(c.explanation for c in result.checks)


@pytest.mark.parametrize(
    ("penalty_on", "on", "ok"),
    [
        # Two years ending on 2026-06-01 start on 2024-06-02.
        (D(2024, 6, 1), D(2026, 6, 1), True),
        (D(2024, 6, 2), D(2026, 6, 1), False),
        # Leap day: the two years ending on 2026-02-28 start on 2024-02-29.
        (D(2024, 2, 28), D(2026, 2, 28), True),
        (D(2024, 2, 29), D(2026, 2, 28), False),
        # The two years ending on 2028-02-29 start on 2026-03-01 (2026-02-28 + 1 day).
        (D(2026, 2, 28), D(2028, 2, 29), True),
        (D(2026, 3, 1), D(2028, 2, 29), False),
        # A penalty decided on the day itself counts; one decided later does not (as of that day).
        (D(2025, 8, 1), D(2025, 8, 1), False),
        (D(2025, 8, 1), D(2025, 7, 31), True),
    ],
)
def test_penalty_free_years_edges(good, penalize, penalty_on, on, ok):
    penalize(good, penalty_on, PenaltyKind.FINE, "1000")
    result = eligibility(good, "charity_recognition", on)
    assert result.ok is ok
    if not ok:
        (reason,) = result.reasons
        assert penalty_on.isoformat() in reason and on.isoformat() in reason


def test_tax_status_tolerates_a_warning_but_not_a_fine(good, penalize):
    penalize(good, D(2025, 5, 1), PenaltyKind.WARNING)
    assert eligibility(good, "tax_deductible", D(2026, 1, 1)).ok
    assert not eligibility(good, "charity_recognition", D(2026, 1, 1)).ok
    penalize(good, D(2025, 6, 1), PenaltyKind.FINE, "3000")
    result = eligibility(good, "tax_deductible", D(2026, 1, 1))
    assert not result.ok and "2025-06-01" in result.reasons[0] and "2025-05-01" not in result.reasons[0]


def test_a_withdrawn_penalty_never_counts(good, penalize, users):
    p = penalize(good, D(2025, 5, 1), PenaltyKind.FINE, "3000")
    services.penalty_withdraw(penalty=p, withdrawn_on=D(2025, 9, 1), reason="复议撤销", by=users.bureau)
    assert eligibility(good, "charity_recognition", D(2025, 6, 1)).ok
    assert not penalties_between(good, D(2025, 1, 1), D(2025, 12, 31)).exists()


def test_on_a_list_from_the_decision_day_until_the_removal_day(good, include, users):
    entry = include(good, D(2025, 3, 10))
    assert eligibility(good, "charity_recognition", D(2025, 3, 9)).ok
    on_day = eligibility(good, "charity_recognition", D(2025, 3, 10))
    assert not on_day.ok and "2025-03-10" in on_day.reasons[0]
    services.entry_remove(entry=entry, removed_on=D(2025, 9, 1), reason="已恢复联系", by=users.bureau)
    assert not eligibility(good, "charity_recognition", D(2025, 8, 31)).ok
    assert eligibility(good, "charity_recognition", D(2025, 9, 1)).ok
    assert entries_on(good, D(2025, 8, 31)).count() == 1 and entries_on(good, D(2025, 9, 1)).count() == 0


def test_no_list_in_the_three_years_before(good, include, users):
    """Catalogue: on no list during the three years ending on the day. The last day on the
    list is the day before the removal: removed 2023-05-11, on the list until 2023-05-10."""
    entry = include(good, D(2023, 1, 10))
    services.entry_remove(entry=entry, removed_on=D(2023, 5, 11), reason="已整改", by=users.bureau)
    result = eligibility(good, "catalogue", D(2026, 5, 9))
    assert not result.ok and any("2023-01-10" in r for r in result.reasons)
    assert eligibility(good, "catalogue", D(2026, 5, 10)).ok


def test_rating_edges(good):
    assert eligibility(good, "tax_deductible", D(2028, 1, 9)).ok is False  # the annual report of 2026 is not filed by then
    rating = next(c for c in eligibility(good, "tax_deductible", D(2028, 1, 9)).checks if "3A" in c.label)
    assert rating.ok and "2028-01-09" in rating.explanation
    expired = next(c for c in eligibility(good, "tax_deductible", D(2028, 1, 10)).checks if "3A" in c.label)
    assert not expired.ok and "2028-01-10" in expired.explanation
    before = next(c for c in eligibility(good, "tax_deductible", D(2023, 1, 9)).checks if "3A" in c.label)
    assert not before.ok
    Organization.objects.filter(pk=good.pk).update(rating="2A")
    good.refresh_from_db()
    low = next(c for c in eligibility(good, "tax_deductible", D(2026, 1, 1)).checks if "3A" in c.label)
    assert not low.ok and "2A" in low.explanation


def test_rating_from_a_decided_assessment(good):
    """A rating decided in an assessment counts during its validity, before the registry's
    current rating was given."""
    from shezhi.inspection.models import IndicatorScale, RatingAssessment

    scale = IndicatorScale.objects.create(name="s")
    RatingAssessment.objects.create(
        organization=good,
        scale=scale,
        status="decided",
        opened_on=D(2017, 5, 1),
        level="4A",
        decided_on=D(2017, 6, 1),
        valid_until=D(2022, 5, 31),
    )
    check = next(c for c in eligibility(good, "tax_deductible", D(2020, 1, 1)).checks if "3A" in c.label)
    assert check.ok and "4A" in check.explanation


@pytest.mark.parametrize(("on", "ok"), [(D(2026, 2, 27), False), (D(2026, 2, 28), True)])
def test_registered_years_from_a_leap_day(make_org, on, ok):
    org = make_org(founded_on=D(2024, 2, 29))
    check = next(c for c in eligibility(org, "public_fundraising", on).checks if "Registered at least" in c.label)
    assert check.ok is ok and "2026-02-28" in check.explanation


def test_the_last_annual_report_switches_year_after_the_deadline(good):
    AnnualInspection.objects.filter(organization=good, year=2025).delete()
    on_deadline = eligibility(good, "tax_deductible", D(2026, 5, 31))
    assert on_deadline.ok
    after = eligibility(good, "tax_deductible", D(2026, 6, 1))
    assert not after.ok and any("2025" in r for r in after.reasons)


def test_inspection_result_must_be_accepted(good):
    AnnualInspection.objects.filter(organization=good, year=2025).update(result="unqualified")
    result = eligibility(good, "catalogue", D(2026, 6, 1))
    assert not result.ok
    assert any("Unqualified" in r for r in result.reasons)


def test_a_filed_organization_is_not_a_legal_person(orgs):
    result = eligibility(orgs.filed_a, "charity_recognition", D(2026, 6, 1))
    assert not result.ok and orgs.filed_a.filing_number in result.reasons[0]
    assert eligibility(orgs.filed_a, "venture", D(2026, 6, 1)).ok


def test_a_revoked_organization(good, penalize):
    penalize(good, D(2026, 2, 1), PenaltyKind.REVOCATION)
    good.refresh_from_db()
    # As of the day before, neither the penalty nor the revocation had happened.
    assert eligibility(good, "venture", D(2026, 1, 31)).ok
    result = eligibility(good, "venture", D(2026, 3, 1))
    assert not result.ok
    assert any("2026-02-01" in r and "revoked" in r for r in result.reasons)


def test_the_conditions_are_data(good, penalize):
    penalize(good, D(2025, 5, 1), PenaltyKind.FINE, "3000")
    assert not eligibility(good, "charity_recognition", D(2026, 1, 1)).ok
    EligibilityRule.objects.filter(purpose="charity_recognition").update(penalty_free_years=0)
    assert eligibility(good, "charity_recognition", D(2026, 1, 1)).ok
    EligibilityRule.objects.filter(purpose="charity_recognition").update(active=False)
    assert eligibility(good, "charity_recognition", D(2026, 1, 1)).ok


def test_unknown_purpose():
    with pytest.raises(UnknownPurpose):
        eligibility(Organization(), "moon_landing", D(2026, 1, 1))


def test_rule_validation():
    from django.core.exceptions import ValidationError

    rule = EligibilityRule(purpose="x", name="x", tolerated_penalty_kinds=["nap"])
    with pytest.raises(ValidationError):
        rule.full_clean()
    rule = EligibilityRule(purpose="x", name="x", inspection_results_accepted=["great"])
    with pytest.raises(ValidationError):
        rule.full_clean()
