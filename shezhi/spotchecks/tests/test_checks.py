"""Recording a check: two inspectors on site, five aspects, a result that fits the findings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from shezhi.audit.models import AuditAction, AuditEntry
from shezhi.spotchecks import services
from shezhi.spotchecks.models import Aspect, CheckFinding, CheckResult, CheckStatus, RectificationOrder
from shezhi.spotchecks.services import FindingInput, OrderInput
from shezhi.workflow.engine import TransitionRefused

pytestmark = pytest.mark.django_db


def fine() -> dict:
    return {a: FindingInput(problem=False) for a in Aspect.values}


def call(check, by, **overrides):
    data = dict(
        check=check,
        by=by,
        checked_on=timezone.localdate(),
        inspector_a_present=True,
        inspector_b_present=True,
        result=CheckResult.NO_PROBLEM,
        findings=fine(),
    )
    data.update(overrides)
    return services.check_record(**data)


@pytest.fixture
def check(campaign_at):
    return campaign_at("published", ratio_percent="100").checks.order_by("position").first()


def test_no_problem(check, users):
    recorded = call(check, users.bureau, summary="  良好 ")
    assert recorded.status == CheckStatus.RECORDED and recorded.summary == "良好"
    assert CheckFinding.objects.filter(spot_check=check).count() == 5
    assert AuditEntry.objects.filter(action=AuditAction.SPOTCHECK_RECORDED, target_id=str(check.pk)).exists()
    with pytest.raises(TransitionRefused):
        call(type(check).objects.get(pk=check.pk), users.bureau)


def test_both_inspectors_must_be_present(check, users):
    with pytest.raises(ValidationError, match="Both inspectors must be present"):
        call(check, users.bureau, inspector_b_present=False)
    check.refresh_from_db()
    assert check.status == CheckStatus.PENDING


def test_every_aspect_needs_a_finding(check, users):
    findings = fine()
    del findings[Aspect.FINANCE]
    with pytest.raises(ValidationError) as info:
        call(check, users.bureau, findings=findings)
    assert "finance" in info.value.message_dict


def test_a_problem_needs_a_description(check, users):
    findings = fine() | {Aspect.DISCLOSURE: FindingInput(problem=True, text=" ")}
    with pytest.raises(ValidationError) as info:
        call(check, users.bureau, findings=findings, result=CheckResult.RECTIFICATION, order=OrderInput("x", timezone.localdate()))
    assert info.value.message_dict["disclosure"] == ["Describe the problem found."]


def test_the_result_must_fit_the_findings(check, users):
    problem = fine() | {Aspect.FINANCE: FindingInput(problem=True, text="账目不清")}
    with pytest.raises(ValidationError, match="cannot be “no problem found”"):
        call(check, users.bureau, findings=problem, result=CheckResult.NO_PROBLEM)
    with pytest.raises(ValidationError, match="Record the problems"):
        call(check, users.bureau, result=CheckResult.RECTIFICATION, order=OrderInput("x", timezone.localdate()))
    with pytest.raises(ValidationError) as info:
        call(check, users.bureau, findings=problem, result=CheckResult.RECTIFICATION)
    assert "requirement" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        call(check, users.bureau, result="maybe")
    assert "result" in info.value.message_dict


@pytest.mark.parametrize(("days", "ok"), [(1, False), (0, True), (-1, False)])  # the draw was today
def test_the_date_is_between_the_draw_and_today(check, users, days, ok):
    day = timezone.localdate() + dt.timedelta(days=days)
    if ok:
        assert call(check, users.bureau, checked_on=day).checked_on == day
    else:
        with pytest.raises(ValidationError) as info:
            call(check, users.bureau, checked_on=day)
        assert "checked_on" in info.value.message_dict


def test_problems_issue_a_rectification_order_in_the_same_step(check, users):
    problem = fine() | {Aspect.FINANCE: FindingInput(problem=True, text="账目不清")}
    due = timezone.localdate() + dt.timedelta(days=30)
    call(check, users.bureau, findings=problem, result=CheckResult.RECTIFICATION, order=OrderInput("建立财务制度\n补齐凭证", due))
    order = RectificationOrder.objects.get(spot_check=check)
    assert order.organization_id == check.organization_id and order.due_on == due
    assert order.document is not None and order.document.kind == "rectification_order"
    assert "补齐凭证" in " ".join(order.document.body)


def test_a_failed_order_rolls_back_the_record(check, users):
    problem = fine() | {Aspect.FINANCE: FindingInput(problem=True, text="账目不清")}
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="cannot be before the order is issued"):
        call(check, users.bureau, findings=problem, result=CheckResult.RECTIFICATION, order=OrderInput("x", yesterday))
    check.refresh_from_db()
    assert check.status == CheckStatus.PENDING
    assert not CheckFinding.objects.filter(spot_check=check).exists()


def test_unreachable_needs_no_findings(check, users):
    recorded = call(check, users.bureau, findings={}, result=CheckResult.UNREACHABLE)
    assert recorded.result == CheckResult.UNREACHABLE


def test_findings_wait_for_publication(campaign_at, users):
    drawn = campaign_at("drawn")
    with pytest.raises(ValidationError, match="once the sample is published"):
        call(drawn.checks.first(), users.bureau)


def test_unknown_aspects_are_refused(check, users):
    with pytest.raises(ValidationError, match="Unknown aspects"):
        call(check, users.bureau, findings=fine() | {"weather": FindingInput(problem=False)})
