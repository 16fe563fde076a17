"""The interface the online-affairs workflow calls: first with stand-in filings, then through real ones."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from shezhi.inspection import hooks
from shezhi.inspection.models import AnnualInspection, AssessmentStatus, RatingAssessment
from shezhi.inspection.selectors import organizations_not_reported
from shezhi.inspection.services import rating_assessment_open, rating_scores_save
from shezhi.inspection.tests.conftest import full_points

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
LAST_YEAR = TODAY.year - 1


def stand_in(org, kind="annual_report", *, number="BJ2026000101", submitted=None, materials=(), **data):
    submitted = submitted or timezone.now()
    return SimpleNamespace(
        organization=org,
        procedure=SimpleNamespace(kind=kind),
        data={"year": LAST_YEAR, **data},
        number=number,
        pk=None,
        submitted_at=submitted,
        materials=list(materials),
    )


@pytest.fixture
def eligible(orgs, record_result):
    for year in range(TODAY.year - 3, TODAY.year):
        record_result(orgs.reg_a, year, reported_on=min(dt.date(year + 1, 3, 1), TODAY))
    return orgs.reg_a


class TestCheckSubmitAnnualReport:
    def test_a_due_report_may_be_submitted_even_late(self, orgs):
        # Today is after the deadline for last year's report in most of the year: late is accepted, not refused.
        assert hooks.check_submit(filing=stand_in(orgs.reg_a)) == []

    def test_other_procedures_are_not_ours(self, orgs):
        assert hooks.check_submit(filing=stand_in(orgs.reg_a, kind="change")) == []

    @pytest.mark.parametrize("year", [None, "abc", True])
    def test_year_is_required(self, orgs, year):
        assert hooks.check_submit(filing=stand_in(orgs.reg_a, year=year)) == ["Say which year the annual report is for."]

    @pytest.mark.parametrize("offset", [0, 1])
    def test_only_a_past_year(self, orgs, offset):
        reasons = hooks.check_submit(filing=stand_in(orgs.reg_a, year=TODAY.year + offset))
        assert len(reasons) == 1 and "not over" in reasons[0]

    def test_year_as_text_is_read(self, orgs):
        assert hooks.check_submit(filing=stand_in(orgs.reg_a, year=str(LAST_YEAR))) == []

    def test_exempt_organization_is_refused_with_the_reason(self, make_org):
        young = make_org(founded_on=dt.date(LAST_YEAR, 7, 1))
        reasons = hooks.check_submit(filing=stand_in(young))
        assert len(reasons) == 1 and f"{LAST_YEAR}-06-30" in reasons[0]

    def test_filed_organization_is_refused(self, orgs):
        assert "town" in hooks.check_submit(filing=stand_in(orgs.filed_a))[0]

    def test_a_recorded_year_is_refused(self, orgs, record_result):
        record_result(orgs.reg_a, LAST_YEAR, reported_on=TODAY)
        assert "already recorded" in hooks.check_submit(filing=stand_in(orgs.reg_a))[0]

    def test_rectification_report_must_be_attached(self, orgs, record_result):
        record_result(orgs.reg_a, LAST_YEAR - 1, "unqualified")
        reasons = hooks.check_submit(filing=stand_in(orgs.reg_a))
        assert len(reasons) == 1 and "Rectification report" in reasons[0]
        assert hooks.check_submit(filing=stand_in(orgs.reg_a, materials=["rectification_report"])) == []
        assert hooks.check_submit(filing=stand_in(orgs.reg_a, rectification_report="已整改：健全财务制度")) == []


class TestOnApprovedAnnualReport:
    # A report on the year before last: its deadline (31 May of last year) is past whatever today is.
    def test_records_the_result_and_lateness(self, orgs, users):
        on_time = timezone.make_aware(dt.datetime(LAST_YEAR, 5, 31, 23, 0))
        filing = stand_in(orgs.reg_a, submitted=on_time, year=LAST_YEAR - 1)
        hooks.on_approved(filing=filing, by=users.bureau, decision={"result": "基本合格", "remarks": "财务制度需完善"})
        row = AnnualInspection.objects.get(organization=orgs.reg_a, year=LAST_YEAR - 1)
        assert (row.result, row.filing_number, row.late, row.note, row.reported_on, row.decided_on) == (
            "basically_qualified",
            "BJ2026000101",
            False,
            "财务制度需完善",
            dt.date(LAST_YEAR, 5, 31),
            TODAY,
        )

    def test_late_report(self, orgs, users):
        late = timezone.make_aware(dt.datetime(LAST_YEAR, 6, 1, 8, 0))
        hooks.on_approved(
            filing=stand_in(orgs.reg_a, submitted=late, year=LAST_YEAR - 1), by=users.bureau, decision={"result": "qualified"}
        )
        assert AnnualInspection.objects.get(organization=orgs.reg_a).late is True

    def test_twice_is_refused(self, orgs, users):
        hooks.on_approved(filing=stand_in(orgs.reg_a), by=users.bureau, decision={"result": "合格"})
        with pytest.raises(ValidationError):
            hooks.on_approved(filing=stand_in(orgs.reg_a), by=users.bureau, decision={"result": "不合格"})

    def test_missing_result_is_refused(self, orgs, users):
        with pytest.raises(ValidationError) as err:
            hooks.on_approved(filing=stand_in(orgs.reg_a), by=users.bureau, decision={})
        assert "result" in err.value.message_dict


class TestRatingHooks:
    def test_check_submit_gives_the_eligibility_reasons(self, orgs, eligible, users):
        assert hooks.check_submit(filing=stand_in(eligible, "rating")) == []
        reasons = hooks.check_submit(filing=stand_in(orgs.reg_b, "rating"))
        assert reasons and "not done" in reasons[-1]

    def test_check_submit_refuses_while_another_assessment_runs(self, eligible, users):
        rating_assessment_open(organization=eligible, by=users.bureau)
        assert hooks.check_submit(filing=stand_in(eligible, "rating")) == ["A rating assessment of the organization is already under way."]

    def test_approval_decides_from_the_reviewers(self, eligible, users):
        a = rating_assessment_open(organization=eligible, by=users.bureau, reviewers=[users.reviewer], filing_number="BJ2026000777")
        rating_scores_save(assessment=a, reviewer=users.reviewer, points=full_points(a.scale, Decimal(20)), no_conflict=True)
        hooks.on_approved(filing=stand_in(eligible, "rating", number="BJ2026000777"), by=users.bureau, decision={})
        a.refresh_from_db()
        eligible.refresh_from_db()
        assert a.status == AssessmentStatus.DECIDED and a.score == Decimal("380.00")  # 19 sub-indicators × 20 and a.level == ""
        assert eligible.rating == ""

    def test_approval_with_a_score_and_no_assessment(self, eligible, users):
        hooks.on_approved(filing=stand_in(eligible, "rating", number="BJ2026000778"), by=users.bureau, decision={"total_score": "912.5"})
        a = RatingAssessment.objects.get(filing_number="BJ2026000778")
        eligible.refresh_from_db()
        assert (a.level, eligible.rating, eligible.rated_on) == ("4A", "4A", TODAY)

    def test_approval_without_scores_is_refused(self, eligible, users):
        with pytest.raises(ValidationError):
            hooks.on_approved(filing=stand_in(eligible, "rating", number="BJ2026000779"), by=users.bureau, decision={})
        assert not RatingAssessment.objects.exists()


# --- through the real online-affairs workflow ------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def pdf(name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="application/pdf")


def draft(users, code, data, *, extra_materials=()):
    from shezhi.affairs import services
    from shezhi.affairs.models import ProcedureType

    procedure = ProcedureType.objects.get(code=code)
    filing = services.filing_create(procedure=procedure, by=users.org_a, data=data)
    for requirement in procedure.materials.all():
        if requirement.is_required_for(filing.data) or requirement.code in extra_materials:
            services.material_add(filing=filing, by=users.org_a, upload=pdf(f"{requirement.code}.pdf"), requirement=requirement)
    return filing


REPORT = {"year": LAST_YEAR, "activities": "开展为老服务120场", "income": "35.5", "expenditure": "30.2", "net_assets": "12", "staff": "6"}


@pytest.mark.usefixtures("media")
class TestThroughFilings:
    def test_annual_report_from_submission_to_result(self, users, orgs):
        from shezhi.affairs import services

        filing = services.filing_submit(filing=draft(users, "annual-report", REPORT), by=users.org_a)
        # Submitted: no longer on the list of those who have not reported.
        assert orgs.reg_a not in organizations_not_reported(users.bureau, year=LAST_YEAR, as_of=TODAY)
        assert orgs.reg_a in organizations_not_reported(users.bureau, year=LAST_YEAR, as_of=TODAY - dt.timedelta(days=1))
        services.filing_accept(filing=filing, by=users.bureau)
        services.filing_approve(filing=filing, by=users.bureau, decision={"result": "基本合格", "remarks": "档案管理需加强"})
        row = AnnualInspection.objects.get(organization=orgs.reg_a, year=LAST_YEAR)
        filing.refresh_from_db()
        assert (row.result, row.filing_number, row.reported_on) == ("basically_qualified", filing.number, TODAY)
        assert orgs.reg_a not in organizations_not_reported(users.bureau, year=LAST_YEAR, as_of=TODAY)

    def test_a_second_report_for_the_year_is_refused_at_submission(self, users, orgs, record_result):
        from shezhi.affairs import services

        record_result(orgs.reg_a, LAST_YEAR, reported_on=TODAY)
        with pytest.raises(ValidationError) as err:
            services.filing_submit(filing=draft(users, "annual-report", REPORT), by=users.org_a)
        assert any("already recorded" in m for m in err.value.messages)

    def test_refused_report_counts_as_not_reported(self, users, orgs):
        from shezhi.affairs import services

        filing = services.filing_submit(filing=draft(users, "annual-report", REPORT), by=users.org_a)
        services.filing_accept(filing=filing, by=users.bureau)
        services.filing_refuse(filing=filing, by=users.bureau, reason="报告内容不全", legal_ground="社会团体登记管理条例第二十八条")
        assert orgs.reg_a in organizations_not_reported(users.bureau, year=LAST_YEAR, as_of=TODAY)

    def test_rating_filing_decided_on_approval(self, users, eligible):
        from shezhi.affairs import services

        filing = draft(users, "rating", {"self_score": "930", "summary": "自评报告"})
        filing = services.filing_submit(filing=filing, by=users.org_a)
        services.filing_accept(filing=filing, by=users.bureau)
        a = rating_assessment_open(organization=eligible, by=users.bureau, reviewers=[users.reviewer], filing_number=filing.number)
        rating_scores_save(assessment=a, reviewer=users.reviewer, points=full_points(a.scale), no_conflict=True)
        services.filing_approve(filing=filing, by=users.bureau, decision={"total_score": "951", "remarks": "评估委员会审定"})
        a.refresh_from_db()
        eligible.refresh_from_db()
        assert (a.status, a.score, a.level) == ("decided", Decimal("951.00"), "5A")
        assert (eligible.rating, eligible.rated_on) == ("5A", TODAY)
        from shezhi.audit.models import AuditEntry

        entry = AuditEntry.objects.filter(
            target_type="registry.organization", target_id=str(eligible.pk), action="organization.changed"
        ).latest("id")
        assert entry.source == f"filing:{filing.number}"

    def test_ineligible_rating_filing_cannot_be_submitted(self, users, orgs):
        from shezhi.affairs import services

        with pytest.raises(ValidationError) as err:
            services.filing_submit(filing=draft(users, "rating", {"self_score": "930", "summary": "自评"}), by=users.org_a)
        assert any("not done" in m for m in err.value.messages)
