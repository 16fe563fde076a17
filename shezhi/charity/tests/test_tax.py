"""Tax-deductible donation status: the rule checked and explained at its edge dates, the
bureau's confirmation writing the registry's years, and audited special reports."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from shezhi.audit.models import AuditEntry
from shezhi.charity import services
from shezhi.charity.models import TaxSpecialReport, TaxStatusDecision
from shezhi.charity.tests.test_hooks import inspected, warn
from shezhi.notifications.models import Notification
from shezhi.registry.models import TaxDeductibleYear
from shezhi.registry.services import organization_update

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = timezone.localdate()
YEAR = TODAY.year


def report(org, year, by):
    return services.special_report_record(
        organization=org,
        by=by,
        data={"year": year, "auditor": "嘉兴某会计师事务所", "report_number": f"审{year}", "report_date": D(year + 1, 3, 1)},
    )


@pytest.fixture
def eligible(orgs, users):
    """reg_a: rated 4A on 2024-03-15 (valid to 2029-03-15), every annual report in, the special
    report on last year recorded."""
    org = orgs.reg_a
    organization_update(organization=org, data={"rating": "4A", "rated_on": D(2024, 3, 15)}, by=None, reason="评估")
    org.refresh_from_db()
    inspected(org)
    report(org, YEAR - 1, users.org_a)
    return org


def labels(result):
    return {c.label: c.ok for c in result.checks}


class TestCheck:
    def test_every_rule_met_and_explained(self, eligible):
        result = services.tax_check(organization=eligible, year=YEAR)
        assert result.ok, result.reasons
        assert result.years == [YEAR, YEAR + 1, YEAR + 2]
        texts = " ".join(c.explanation for c in result.checks)
        assert "4A" in texts and str(YEAR - 1) in texts and TODAY.isoformat() in texts

    def test_special_report_missing(self, eligible):
        result = services.tax_check(organization=eligible, year=YEAR + 1)
        assert not result.ok
        assert result.reasons == [f"Audited special report: Required for {YEAR}; missing for {YEAR}."]

    def test_a_warning_does_not_count_a_fine_does(self, eligible, users):
        warn(eligible, TODAY - dt.timedelta(days=10), users.bureau)
        assert services.tax_check(organization=eligible, year=YEAR).ok
        credit_fine = warn(eligible, TODAY - dt.timedelta(days=5), users.bureau, kind="confiscation")
        result = services.tax_check(organization=eligible, year=YEAR)
        assert not result.ok and any(credit_fine.decision_number in r for r in result.reasons)

    @pytest.mark.parametrize(("decided_on", "ok"), [(D(2023, 6, 10), True), (D(2023, 6, 11), False)])
    def test_penalty_window_two_years_before_the_date_checked(self, eligible, users, decided_on, ok):
        warn(eligible, decided_on, users.bureau, kind="confiscation")
        result = services.tax_check(organization=eligible, year=2026, on=D(2025, 6, 10))
        assert ("No penalty during 2 years" not in " ".join(result.reasons)) is ok

    @pytest.mark.parametrize(("on", "ok"), [(D(2029, 3, 15), True), (D(2029, 3, 16), False)])
    def test_rating_valid_on_the_date_checked(self, eligible, on, ok):
        result = services.tax_check(organization=eligible, year=YEAR, on=on)
        rating = [c for c in result.checks if c.label.startswith("Rated")]
        assert rating and rating[0].ok is ok

    def test_rated_below_3a(self, eligible):
        organization_update(organization=eligible, data={"rating": "2A", "rated_on": D(2024, 3, 15)}, by=None, reason="评估")
        eligible.refresh_from_db()
        assert not services.tax_check(organization=eligible, year=YEAR).ok

    def test_on_a_list(self, eligible, users):
        from shezhi.credit import services as credit

        credit.entry_include(
            organization=eligible,
            list_kind="abnormal",
            ground="address_unreachable",
            included_on=TODAY,
            decision_number="平民异3号",
            by=users.bureau,
        )
        assert not services.tax_check(organization=eligible, year=YEAR).ok


class TestDecide:
    def test_confirmation_writes_three_years(self, eligible, users):
        TaxDeductibleYear.objects.create(organization=eligible, year=YEAR + 1)  # an earlier confirmation overlaps
        decision = services.tax_status_decide(organization=eligible, year=YEAR, by=users.bureau, confirm=True, note="经审核符合条件")
        assert decision.outcome == "confirmed" and decision.years == [YEAR, YEAR + 1, YEAR + 2]
        assert sorted(TaxDeductibleYear.objects.filter(organization=eligible).values_list("year", flat=True)) == [YEAR, YEAR + 1, YEAR + 2]
        assert decision.checked_on == TODAY and all(c["ok"] for c in decision.checks)
        entry = AuditEntry.objects.get(action="tax_status.decided", target_id=str(eligible.pk))
        assert entry.changes["tax_deductible_years"] == [[YEAR + 1], [YEAR, YEAR + 1, YEAR + 2]]
        assert Notification.objects.filter(recipient=users.org_a, title__contains="confirmed").exists()

    def test_twice_is_refused(self, eligible, users):
        services.tax_status_decide(organization=eligible, year=YEAR, by=users.bureau, confirm=True)
        with pytest.raises(ValidationError):
            services.tax_status_decide(organization=eligible, year=YEAR, by=users.bureau, confirm=True)
        assert TaxStatusDecision.objects.count() == 1

    def test_not_met_is_refused_and_nothing_written(self, eligible, users):
        with pytest.raises(ValidationError) as err:
            services.tax_status_decide(organization=eligible, year=YEAR + 1, by=users.bureau, confirm=True)
        assert any("missing for" in m for m in err.value.messages)
        assert not TaxDeductibleYear.objects.exists() and not TaxStatusDecision.objects.exists()

    def test_refusal_needs_a_reason_and_writes_no_year(self, eligible, users):
        with pytest.raises(ValidationError) as err:
            services.tax_status_decide(organization=eligible, year=YEAR, by=users.bureau, confirm=False)
        assert "note" in err.value.message_dict
        decision = services.tax_status_decide(organization=eligible, year=YEAR, by=users.bureau, confirm=False, note="材料不实")
        assert decision.outcome == "refused" and decision.years == [] and not TaxDeductibleYear.objects.exists()

    @pytest.mark.parametrize("who", ["other_bureau", "town_a", "org_a", "department"])
    def test_only_the_bureau_of_the_city(self, eligible, users, who):
        with pytest.raises(PermissionDenied):
            services.tax_status_decide(organization=eligible, year=YEAR, by=getattr(users, who), confirm=True)

    def test_valid_years_are_data(self, eligible, users):
        from shezhi.charity.models import CharityRules

        CharityRules.objects.filter(city=None).update(tax_valid_years=2)
        decision = services.tax_status_decide(organization=eligible, year=YEAR, by=users.bureau, confirm=True)
        assert decision.years == [YEAR, YEAR + 1]


class TestSpecialReports:
    def test_by_the_organization_or_its_bureau(self, orgs, users, org_b_account):
        assert report(orgs.reg_a, 2023, users.org_a).recorded_by == users.org_a
        assert report(orgs.reg_a, 2022, users.bureau).recorded_by == users.bureau
        for who in (org_b_account, users.other_bureau, users.town_a, users.resident):
            with pytest.raises(PermissionDenied):
                report(orgs.reg_a, 2021, who)

    def test_one_per_year_and_a_past_year(self, orgs, users):
        report(orgs.reg_a, 2023, users.org_a)
        with pytest.raises(ValidationError) as err:
            report(orgs.reg_a, 2023, users.bureau)
        assert "already recorded" in err.value.message_dict["year"][0]
        with pytest.raises(ValidationError) as err:
            report(orgs.reg_a, YEAR, users.org_a)
        assert "not over yet" in err.value.message_dict["year"][0]
        assert TaxSpecialReport.objects.count() == 1
