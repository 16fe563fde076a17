"""Rating assessments: opening, reviewers' scores, the mean, the decision written to the registry; pages and permissions."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from shezhi.audit.models import AuditEntry
from shezhi.inspection.models import AssessmentStatus, IndicatorScale, RatingAssessment
from shezhi.inspection.rules import add_years, aggregate_score
from shezhi.inspection.services import (
    leaf_indicators,
    rating_assessment_open,
    rating_cancel,
    rating_decide,
    rating_reviewers_set,
    rating_scores_save,
    scale_problems,
)
from shezhi.inspection.tests.conftest import full_points, messages_for
from shezhi.registry.models import OrganizationStatus
from shezhi.registry.services import organization_set_status
from shezhi.workflow.engine import TransitionRefused

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def eligible(orgs, record_result):
    """reg_a with the inspections the eligibility rule looks at."""
    for year in range(TODAY.year - 3, TODAY.year):
        record_result(orgs.reg_a, year, reported_on=min(dt.date(year + 1, 3, 1), TODAY))
    return orgs.reg_a


@pytest.fixture
def assessment(eligible, users, reviewer2):
    return rating_assessment_open(organization=eligible, by=users.bureau, reviewers=[users.reviewer, reviewer2])


def points_totalling(scale, total: Decimal) -> dict[str, Decimal]:
    """Points proportional to each maximum that add up to `total` (the last indicator takes the rounding)."""
    leaves = leaf_indicators(scale)
    points = {i.code: (Decimal(i.max_points) * total / scale.total_points).quantize(Decimal("0.01")) for i in leaves}
    points[leaves[-1].code] += total - sum(points.values())
    return points


class TestScale:
    def test_default_scale_is_consistent(self):
        scale = IndicatorScale.objects.get(active=True)
        assert scale_problems(scale) == []
        assert sum(i.max_points for i in leaf_indicators(scale)) == 1000
        tops = [i.name for i in scale.indicators.filter(parent=None)]
        assert tops == ["基础条件", "内部治理", "工作绩效", "社会评价"]

    def test_inconsistent_scale_is_reported(self):
        scale = IndicatorScale.objects.get(active=True)
        scale.indicators.filter(code="A1").update(max_points=31)
        problems = scale_problems(scale)
        assert len(problems) == 2  # 基础条件's children, and the total


class TestOpen:
    def test_open_notifies_reviewers(self, assessment, users, reviewer2):
        assert assessment.status == AssessmentStatus.SCORING
        assert set(assessment.reviewers.all()) == {users.reviewer, reviewer2}
        assert messages_for(users.reviewer) == [f"Rating assessment to score: {assessment.organization.name}"]

    def test_ineligible_is_refused_with_reasons(self, orgs, users):
        with pytest.raises(ValidationError) as err:
            rating_assessment_open(organization=orgs.reg_b, by=users.bureau)
        assert any("not done" in m for m in err.value.messages)
        assert not RatingAssessment.objects.exists()

    def test_under_investigation_is_refused(self, eligible, users):
        with pytest.raises(ValidationError) as err:
            rating_assessment_open(organization=eligible, by=users.bureau, under_investigation=True)
        assert err.value.messages == ["The organization is under investigation."]

    def test_one_open_assessment_per_organization(self, assessment, users):
        with pytest.raises(ValidationError) as err:
            rating_assessment_open(organization=assessment.organization, by=users.bureau)
        assert "already has" in err.value.messages[0]

    def test_only_reviewer_accounts_score(self, eligible, users):
        with pytest.raises(ValidationError) as err:
            rating_assessment_open(organization=eligible, by=users.bureau, reviewers=[users.town_a])
        assert "reviewers" in err.value.message_dict


class TestScores:
    def test_mean_of_reviewers(self, assessment, users, reviewer2):
        scale = assessment.scale
        rating_scores_save(assessment=assessment, reviewer=users.reviewer, points=points_totalling(scale, Decimal(960)), no_conflict=True)
        assert aggregate_score(assessment) == Decimal("960.00")
        rating_scores_save(assessment=assessment, reviewer=reviewer2, points=points_totalling(scale, Decimal("939.01")), no_conflict=True)
        assert aggregate_score(assessment) == Decimal("949.51")  # (960 + 939.01) / 2 = 949.505, half up

    def test_correcting_replaces_the_sheet(self, assessment, users):
        rating_scores_save(assessment=assessment, reviewer=users.reviewer, points=full_points(assessment.scale), no_conflict=True)
        review = rating_scores_save(
            assessment=assessment, reviewer=users.reviewer, points=points_totalling(assessment.scale, Decimal(800)), no_conflict=True
        )
        assert review.total == Decimal(800) and review.scores.count() == len(leaf_indicators(assessment.scale))
        assert AuditEntry.objects.filter(action="rating.scored", target_id=str(assessment.pk)).count() == 2

    def test_points_within_each_maximum(self, assessment, users):
        points = full_points(assessment.scale)
        points["A1"] = Decimal(31)
        points["B1"] = Decimal("-1")
        with pytest.raises(ValidationError) as err:
            rating_scores_save(assessment=assessment, reviewer=users.reviewer, points=points, no_conflict=True)
        assert set(err.value.message_dict) == {"A1", "B1"}

    def test_every_indicator_and_no_unknown(self, assessment, users):
        points = full_points(assessment.scale)
        del points["C5"]
        points["Z9"] = 1
        with pytest.raises(ValidationError) as err:
            rating_scores_save(assessment=assessment, reviewer=users.reviewer, points=points, no_conflict=True)
        assert set(err.value.message_dict) == {"C5", "__all__"}

    def test_conflict_declaration_required(self, assessment, users):
        with pytest.raises(ValidationError) as err:
            rating_scores_save(assessment=assessment, reviewer=users.reviewer, points=full_points(assessment.scale), no_conflict=False)
        assert "no_conflict" in err.value.message_dict

    def test_unassigned_reviewer_cannot_score(self, assessment, users):
        from shezhi.accounts.models import Role, User

        outsider = User.objects.create_user(username="outsider", password="pass-Shezhi-2026", role=Role.REVIEWER)
        with pytest.raises(ValidationError):
            rating_scores_save(assessment=assessment, reviewer=outsider, points=full_points(assessment.scale), no_conflict=True)

    def test_removing_a_reviewer_removes_their_sheet(self, assessment, users, reviewer2):
        rating_scores_save(assessment=assessment, reviewer=reviewer2, points=full_points(assessment.scale, Decimal(0)), no_conflict=True)
        rating_reviewers_set(assessment=assessment, reviewers=[users.reviewer], by=users.bureau)
        assert aggregate_score(assessment) is None


class TestDecide:
    def test_decide_from_the_mean_writes_the_registry(self, assessment, users, reviewer2):
        scale = assessment.scale
        rating_scores_save(assessment=assessment, reviewer=users.reviewer, points=points_totalling(scale, Decimal(905)), no_conflict=True)
        rating_scores_save(assessment=assessment, reviewer=reviewer2, points=points_totalling(scale, Decimal(899)), no_conflict=True)
        decided = rating_decide(assessment=assessment, by=users.bureau)
        assert (decided.status, decided.score, decided.level) == ("decided", Decimal("902.00"), "4A")
        assert decided.valid_until == add_years(TODAY, 5)
        org = decided.organization
        org.refresh_from_db()
        assert (org.rating, org.rated_on, org.rating_valid_until) == ("4A", TODAY, add_years(TODAY, 5))
        entry = AuditEntry.objects.filter(target_type="registry.organization", target_id=str(org.pk), action="organization.changed").latest(
            "id"
        )
        assert entry.changes["rating"] == ["", "4A"] and entry.source == f"rating:{assessment.pk}"

    def test_given_score_wins_and_boundary_950_is_5a(self, assessment, users):
        decided = rating_decide(assessment=assessment, by=users.bureau, score=Decimal(950))
        assert decided.level == "5A"

    def test_without_scores_or_score_nothing_is_decided(self, assessment, users):
        with pytest.raises(ValidationError) as err:
            rating_decide(assessment=assessment, by=users.bureau)
        assert "score" in err.value.message_dict
        assessment.refresh_from_db()
        assert assessment.status == AssessmentStatus.SCORING

    def test_score_below_1a_clears_an_earlier_rating(self, assessment, users):
        from shezhi.registry.services import organization_update

        org = organization_update(
            organization=assessment.organization, data={"rating": "3A", "rated_on": dt.date(2022, 1, 5)}, by=None, reason="旧评估"
        )
        decided = rating_decide(assessment=assessment, by=users.bureau, score=Decimal("750.5"))
        org.refresh_from_db()
        assert decided.level == "" and decided.valid_until is None
        assert (org.rating, org.rated_on, org.rating_valid_until) == ("", None, None)

    def test_second_decision_is_refused(self, assessment, users):
        rating_decide(assessment=assessment, by=users.bureau, score=880)
        with pytest.raises(TransitionRefused):
            rating_decide(assessment=assessment, by=users.bureau, score=990)
        assessment.refresh_from_db()
        assert assessment.level == "3A"
        with pytest.raises(ValidationError):
            rating_scores_save(assessment=assessment, reviewer=users.reviewer, points=full_points(assessment.scale), no_conflict=True)

    def test_put_on_a_list_meanwhile_blocks_the_decision(self, assessment, users):
        organization_set_status(organization=assessment.organization, status=OrganizationStatus.ABNORMAL, by=None, reason="x")
        with pytest.raises(ValidationError):
            rating_decide(assessment=assessment, by=users.bureau, score=960)
        assessment.organization.refresh_from_db()
        assert assessment.organization.rating == ""

    def test_out_of_range_score(self, assessment, users):
        with pytest.raises(ValidationError):
            rating_decide(assessment=assessment, by=users.bureau, score=1001)

    def test_cancel_needs_a_reason(self, assessment, users):
        with pytest.raises(ValidationError):
            rating_cancel(assessment=assessment, by=users.bureau, note=" ")
        assert rating_cancel(assessment=assessment, by=users.bureau, note="申请撤回").status == AssessmentStatus.CANCELLED

    def test_organization_is_told(self, assessment, users):
        rating_decide(assessment=assessment, by=users.bureau, score=955)
        assert messages_for(users.org_a) == ["Rating assessment decided: 5A"]


class TestPages:
    def detail(self, a):
        return reverse("inspection:rating_detail", args=[a.pk])

    @pytest.mark.parametrize(
        ("who", "status"),
        [
            ("bureau", 200),
            ("reviewer", 200),
            ("reviewer2", 200),
            ("other_bureau", 404),
            ("town_a", 404),
            ("community_a1", 404),
            ("department", 404),
            ("org_a", 404),
            ("resident", 404),
        ],
    )
    def test_who_sees_an_assessment(self, client, assessment, users, reviewer2, who, status):
        user = reviewer2 if who == "reviewer2" else getattr(users, who)
        client.force_login(user)
        assert client.get(self.detail(assessment)).status_code == status

    def test_unassigned_reviewer_gets_404(self, client, assessment, users):
        from shezhi.accounts.models import Role, User

        client.force_login(User.objects.create_user(username="nobody", password="pass-Shezhi-2026", role=Role.REVIEWER))
        assert client.get(self.detail(assessment)).status_code == 404
        assert client.post(reverse("inspection:rating_scores", args=[assessment.pk]), {}).status_code == 404

    def test_reviewer_enters_scores(self, client, assessment, users):
        client.force_login(users.reviewer)
        data = {f"i_{code}": str(p) for code, p in points_totalling(assessment.scale, Decimal(880)).items()}
        missing = client.post(reverse("inspection:rating_scores", args=[assessment.pk]), data)
        assert missing.status_code == 400 and "no_conflict" in missing.context["scores_form"].errors
        data["no_conflict"] = "on"
        response = client.post(reverse("inspection:rating_scores", args=[assessment.pk]), data)
        assert response.status_code == 302
        assert aggregate_score(assessment) == Decimal("880.00")
        page = client.get(self.detail(assessment))
        assert page.context["scores_form"].initial["i_A1"] == Decimal("26.40")

    def test_over_maximum_gets_a_field_message(self, client, assessment, users):
        client.force_login(users.reviewer)
        data = {f"i_{code}": str(p) for code, p in full_points(assessment.scale).items()} | {"no_conflict": "on", "i_A1": "35"}
        response = client.post(reverse("inspection:rating_scores", args=[assessment.pk]), data)
        assert response.status_code == 400 and "i_A1" in response.context["scores_form"].errors

    @pytest.mark.parametrize("who", ["bureau", "other_bureau", "town_a"])
    def test_reviewer_only_scores(self, client, assessment, users, who):
        client.force_login(getattr(users, who))
        assert client.post(reverse("inspection:rating_scores", args=[assessment.pk]), {}).status_code == 404

    def test_bureau_sees_the_mean_and_decides(self, client, assessment, users, reviewer2):
        rating_scores_save(
            assessment=assessment, reviewer=users.reviewer, points=points_totalling(assessment.scale, Decimal(952)), no_conflict=True
        )
        rating_scores_save(
            assessment=assessment, reviewer=reviewer2, points=points_totalling(assessment.scale, Decimal(948)), no_conflict=True
        )
        client.force_login(users.bureau)
        page = client.get(self.detail(assessment))
        assert page.context["mean"] == Decimal("950.00") and page.context["mean_level"] == "5A" and page.context["can_decide"]
        response = client.post(reverse("inspection:rating_decide", args=[assessment.pk]), {"score": "", "note": "评估委员会审定"})
        assert response.status_code == 302
        assessment.refresh_from_db()
        assert (assessment.status, assessment.level) == ("decided", "5A")
        again = client.post(
            reverse("inspection:rating_decide", args=[assessment.pk]), {"score": "990"}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
        )
        assert any("already" in str(m) for m in again.context["messages"])

    @pytest.mark.parametrize("who", ["reviewer", "other_bureau", "town_a", "org_a"])
    def test_only_the_bureau_decides(self, client, assessment, users, who):
        client.force_login(getattr(users, who))
        for name in ("rating_decide", "rating_cancel", "rating_reviewers"):
            assert client.post(reverse(f"inspection:{name}", args=[assessment.pk]), {"score": "999", "note": "x"}).status_code == 404
        assessment.refresh_from_db()
        assert assessment.status == AssessmentStatus.SCORING

    def test_filing_assessment_is_decided_through_the_filing(self, client, eligible, users):
        a = rating_assessment_open(organization=eligible, by=users.bureau, filing_number="BJ2026000009")
        client.force_login(users.bureau)
        response = client.post(reverse("inspection:rating_decide", args=[a.pk]), {"score": "960"}, follow=True)
        assert any("BJ2026000009" in str(m) for m in response.context["messages"])
        a.refresh_from_db()
        assert a.status == AssessmentStatus.SCORING

    def test_open_page(self, client, eligible, users, orgs):
        client.force_login(users.bureau)
        form = client.get(reverse("inspection:rating_new"), {"organization": eligible.pk, "filing": "BJ2026000042"})
        assert form.context["form"].initial["credit_code"] == eligible.credit_code
        assert form.context["form"].initial["filing_number"] == "BJ2026000042"
        assert (
            "credit_code" not in client.get(reverse("inspection:rating_new"), {"organization": orgs.reg_other.pk}).context["form"].initial
        )
        refused = client.post(reverse("inspection:rating_new"), {"credit_code": orgs.reg_b.credit_code})
        assert refused.status_code == 200 and refused.context["eligibility"]
        other_city = client.post(reverse("inspection:rating_new"), {"credit_code": orgs.reg_other.credit_code})
        assert "credit_code" in other_city.context["form"].errors
        response = client.post(
            reverse("inspection:rating_new"), {"credit_code": eligible.credit_code.lower(), "reviewers": [users.reviewer.pk]}
        )
        a = RatingAssessment.objects.get(organization=eligible)
        assert response.status_code == 302 and list(a.reviewers.all()) == [users.reviewer]

    @pytest.mark.parametrize("who", ["reviewer", "town_a", "org_a", "resident"])
    def test_only_the_bureau_opens(self, client, users, who):
        client.force_login(getattr(users, who))
        assert client.get(reverse("inspection:rating_new")).status_code == 404

    def test_lists_are_scoped_and_bounded(self, client, assessment, users, reviewer2, django_assert_max_num_queries):
        client.force_login(users.reviewer)
        with django_assert_max_num_queries(8):
            mine = client.get(reverse("inspection:rating_list"))
        assert [a.pk for a in mine.context["page"].object_list] == [assessment.pk]
        client.force_login(users.other_bureau)
        assert list(client.get(reverse("inspection:rating_list")).context["page"].object_list) == []
        client.force_login(users.town_a)
        assert client.get(reverse("inspection:rating_list")).status_code == 404

    def test_bureau_detail_query_count(self, client, assessment, users, reviewer2, django_assert_max_num_queries):
        rating_scores_save(assessment=assessment, reviewer=users.reviewer, points=full_points(assessment.scale), no_conflict=True)
        rating_scores_save(assessment=assessment, reviewer=reviewer2, points=full_points(assessment.scale), no_conflict=True)
        client.force_login(users.bureau)
        with django_assert_max_num_queries(25):
            assert client.get(self.detail(assessment)).status_code == 200
