"""Rectification orders: due dates, the organization's report, the bureau's verification, and
the overdue cases the credit app's daily detection proposes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shezhi.audit.models import AuditAction, AuditEntry
from shezhi.notifications.models import Notification
from shezhi.spotchecks import services
from shezhi.spotchecks.models import CheckResult, OrderStatus, RectificationOrder
from shezhi.spotchecks.selectors import overdue_rectifications
from shezhi.workflow.engine import TransitionRefused

pytestmark = pytest.mark.django_db

ISSUED = dt.date(2026, 3, 2)
DUE = dt.date(2026, 4, 1)


@pytest.fixture
def order(orgs, users, seed_rules) -> RectificationOrder:
    return services.rectification_issue(
        organization=orgs.reg_a, by=users.bureau, requirement="完善财务制度", due_on=DUE, issued_on=ISSUED, issue_document=False
    )


def pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("整改报告.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")


def overdue_ids(on: dt.date) -> set[int]:
    return set(overdue_rectifications(on).values_list("pk", flat=True))


# --- the due date -------------------------------------------------------------------------


def test_overdue_from_the_day_after_the_due_date(order):
    assert order.pk not in overdue_ids(DUE - dt.timedelta(days=1))
    assert order.pk not in overdue_ids(DUE)  # the due date itself is still in time
    assert order.pk in overdue_ids(DUE + dt.timedelta(days=1))
    assert not order.is_overdue(DUE) and order.is_overdue(DUE + dt.timedelta(days=1))


def test_completion_reported_on_the_due_date_is_in_time(order, users, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda: DUE)
    services.rectification_report(order=order, by=users.org_a, note="已整改")
    assert order.pk not in overdue_ids(DUE + dt.timedelta(days=1))


def test_completion_reported_late_was_overdue_until_then(order, users, monkeypatch):
    late = DUE + dt.timedelta(days=5)
    monkeypatch.setattr(timezone, "localdate", lambda: late)
    services.rectification_report(order=order, by=users.org_a, note="已整改")
    assert order.pk in overdue_ids(DUE + dt.timedelta(days=1))
    assert order.pk in overdue_ids(late)  # at the start of the day it was reported
    assert order.pk not in overdue_ids(late + dt.timedelta(days=1))


def test_a_rejected_report_no_longer_counts(order, users, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda: DUE)
    services.rectification_report(order=order, by=users.org_a, note="已整改")
    services.rectification_reject(order=RectificationOrder.objects.get(pk=order.pk), by=users.bureau, note="凭证仍不齐")
    order.refresh_from_db()
    assert order.status == OrderStatus.OPEN and order.completed_on is None
    assert order.pk in overdue_ids(DUE + dt.timedelta(days=1))


def test_a_withdrawn_order_is_never_overdue(order, users):
    services.rectification_withdraw(order=order, by=users.bureau, note="误发")
    assert order.pk not in overdue_ids(DUE + dt.timedelta(days=30))


def test_the_due_date_cannot_be_before_the_issue(orgs, users, seed_rules):
    with pytest.raises(ValidationError) as info:
        services.rectification_issue(
            organization=orgs.reg_a, by=users.bureau, requirement="x", due_on=ISSUED - dt.timedelta(days=1), issued_on=ISSUED
        )
    assert "due_on" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        services.rectification_issue(organization=orgs.reg_a, by=users.bureau, requirement=" ", due_on=DUE, issued_on=ISSUED)
    assert "requirement" in info.value.message_dict


def test_the_suggested_due_date_follows_the_rule(areas, seed_rules):
    seed_rules["county"].rectification_days = 15
    seed_rules["county"].save()
    assert services.default_due_on(areas.city, ISSUED) == ISSUED + dt.timedelta(days=15)


# --- issue, report, verify -------------------------------------------------------------------


def test_an_order_is_issued_as_a_document_and_the_organization_is_told(orgs, users, seed_rules, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = services.rectification_issue(organization=orgs.reg_a, by=users.bureau, requirement="一\n二", due_on=DUE, issued_on=ISSUED)
    assert order.document.number.startswith("社") and order.document.issued_on == ISSUED
    assert ("整改期限", "2026年4月1日") in [tuple(f) for f in order.document.public_facts]
    assert Notification.objects.filter(recipient=users.org_a, title__contains="Rectification order").exists()
    assert AuditEntry.objects.filter(action=AuditAction.RECTIFICATION_ORDERED, source=f"rectification:{order.pk}").exists()


def test_only_the_organization_reports_and_with_a_note(order, users, orgs):
    with pytest.raises(ValidationError, match="own account"):
        services.rectification_report(order=order, by=users.bureau, note="x")
    with pytest.raises(ValidationError):
        services.rectification_report(order=order, by=users.org_a, note=" ")


def test_the_report_keeps_a_checked_attachment(order, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    reported = services.rectification_report(order=order, by=users.org_a, note="已整改", upload=pdf())
    assert reported.status == OrderStatus.REPORTED and reported.attachment_name == "整改报告.pdf"
    assert services.attachment_path(reported).read_bytes().startswith(b"%PDF")


def test_a_disguised_file_is_refused(order, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError, match="Only PDF, PNG and JPEG"):
        services.rectification_report(order=order, by=users.org_a, note="x", upload=fake)
    order.refresh_from_db()
    assert order.status == OrderStatus.OPEN


def test_verification_takes_the_reported_date(order, users, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda: DUE)
    services.rectification_report(order=order, by=users.org_a, note="已整改")
    monkeypatch.setattr(timezone, "localdate", lambda: DUE + dt.timedelta(days=3))
    done = services.rectification_verify(order=RectificationOrder.objects.get(pk=order.pk), by=users.bureau)
    assert done.status == OrderStatus.COMPLETED and done.completed_on == DUE and done.verified_on == DUE + dt.timedelta(days=3)
    assert not done.completed_late
    with pytest.raises(TransitionRefused):
        services.rectification_verify(order=RectificationOrder.objects.get(pk=order.pk), by=users.bureau)


def test_verification_without_a_report_needs_a_date(order, users, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda: DUE + dt.timedelta(days=10))
    with pytest.raises(ValidationError) as info:
        services.rectification_verify(order=order, by=users.bureau)
    assert "completed_on" in info.value.message_dict
    with pytest.raises(ValidationError, match="before the order was issued"):
        services.rectification_verify(order=order, by=users.bureau, completed_on=ISSUED - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="in the future"):
        services.rectification_verify(order=order, by=users.bureau, completed_on=DUE + dt.timedelta(days=11))
    done = services.rectification_verify(order=order, by=users.bureau, completed_on=DUE + dt.timedelta(days=2))
    assert done.completed_late


def test_reject_needs_a_reason(order, users):
    services.rectification_report(order=order, by=users.org_a, note="已整改")
    with pytest.raises(ValidationError):
        services.rectification_reject(order=RectificationOrder.objects.get(pk=order.pk), by=users.bureau, note="")


# --- the credit app's detection -----------------------------------------------------------------


def test_overdue_orders_are_proposed_once(order, orgs):
    from shezhi.credit.detection import detect
    from shezhi.credit.models import Proposal

    first = detect(DUE, only="rectification_overdue")
    assert first.proposed == 0  # not overdue on its due date
    result = detect(DUE + dt.timedelta(days=1), only="rectification_overdue")
    assert result.proposed == 1
    proposal = Proposal.objects.get()
    assert proposal.organization_id == orgs.reg_a.pk
    assert proposal.source == f"rectification:{order.pk}"
    assert proposal.ground.code == "rectification_not_completed" and proposal.list_kind == "abnormal"
    again = detect(DUE + dt.timedelta(days=2), only="rectification_overdue")
    assert again.proposed == 0 and again.already_proposed == 1
    assert Proposal.objects.count() == 1


def test_unreachable_addresses_are_proposed_once(campaign_at, users, record):
    from shezhi.credit.detection import detect
    from shezhi.credit.models import Proposal

    c = campaign_at("published", ratio_percent="100")
    check = c.checks.order_by("position").first()
    record(check, users.bureau, result=CheckResult.UNREACHABLE)
    today = timezone.localdate()
    assert detect(today, only="spotcheck_unreachable").proposed == 1
    assert detect(today, only="spotcheck_unreachable").proposed == 0
    proposal = Proposal.objects.get()
    assert proposal.ground.code == "address_unreachable" and proposal.source == f"spotcheck-unreachable:{check.pk}"


def test_the_detector_skips_revoked_organizations(order, orgs):
    from shezhi.spotchecks.detection import overdue_orders

    assert [d.organization_id for d in overdue_orders(DUE + dt.timedelta(days=1))] == [orgs.reg_a.pk]
    orgs.reg_a.status = "revoked"
    orgs.reg_a.save(update_fields=["status"])
    assert overdue_orders(DUE + dt.timedelta(days=1)) == []


def test_report_upload_size_limit(order, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.AFFAIRS_MAX_UPLOAD_BYTES = 10
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 100, content_type="application/pdf")
    with pytest.raises(ValidationError, match="the limit is"):
        services.rectification_report(order=order, by=users.org_a, note="x", upload=big)
