"""Decisions on the queue, inclusion, removal, penalties: effects, registry status, audit,
and bad input refused with a clear message and nothing written."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from shezhi.audit.models import AuditAction, AuditEntry
from shezhi.credit import services
from shezhi.credit.detection import detect
from shezhi.credit.models import ListEntry, ListKind, Penalty, PenaltyKind, Proposal, ProposalAction, ProposalStatus
from shezhi.registry.models import OrganizationStatus
from shezhi.workflow.engine import TransitionRefused, timeline

pytestmark = pytest.mark.django_db
D = dt.date


def status(org) -> str:
    org.refresh_from_db()
    return org.status


@pytest.fixture
def missed(orgs):
    """The 2025 annual report of reg_a, not filed: a pending case."""
    detect(D(2026, 6, 1))
    return Proposal.objects.get(organization=orgs.reg_a, source=f"annual_report:2025:org-{orgs.reg_a.pk}")


def test_confirm_includes_sets_status_audits_and_tells(missed, orgs, users):
    from shezhi.notifications.models import Notification

    services.proposal_confirm(proposal=missed, by=users.bureau, decided_on=D(2026, 6, 3), decision_number="平民信〔2026〕7号", note="")
    missed.refresh_from_db()
    assert missed.status == ProposalStatus.CONFIRMED and missed.decided_by == users.bureau
    entry = ListEntry.objects.get(organization=orgs.reg_a)
    assert (entry.list_kind, entry.ground.code, entry.included_on, entry.decision_number, entry.proposal_id) == (
        ListKind.ABNORMAL,
        "annual_report_missed",
        D(2026, 6, 3),
        "平民信〔2026〕7号",
        missed.pk,
    )
    assert entry.reason == missed.evidence
    orgs.reg_a.refresh_from_db()
    assert orgs.reg_a.status == OrganizationStatus.ABNORMAL and orgs.reg_a.status_changed_on == D(2026, 6, 3)
    assert AuditEntry.objects.filter(action=AuditAction.CREDIT_LISTED, target_id=str(entry.pk)).exists()
    assert AuditEntry.objects.filter(action=AuditAction.ORG_STATUS_CHANGED, target_id=str(orgs.reg_a.pk)).exists()
    assert [e.to_status for e in timeline(missed)] == [ProposalStatus.CONFIRMED]
    assert Notification.objects.filter(recipient=users.org_a).exists()


def test_a_case_is_decided_once(missed, users):
    services.proposal_confirm(proposal=missed, by=users.bureau, decided_on=D(2026, 6, 3), decision_number="n1")
    stale = Proposal.objects.get(pk=missed.pk)
    stale.status = ProposalStatus.PENDING  # another officer's page, loaded before the decision
    with pytest.raises(TransitionRefused):
        services.proposal_dismiss(proposal=stale, by=users.bureau, note="x")
    assert ListEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"decision_number": " "}, "decision_number"),
        ({"decided_on": D(2026, 5, 31)}, "decided_on"),  # before the detection
        ({"decided_on": None}, "decided_on"),
    ],
)
def test_confirm_refuses_bad_input_and_writes_nothing(missed, users, orgs, kwargs, field):
    data = {"decided_on": D(2026, 6, 3), "decision_number": "n1", **kwargs}
    with pytest.raises(ValidationError) as exc:
        services.proposal_confirm(proposal=missed, by=users.bureau, **data)
    assert field in exc.value.message_dict
    missed.refresh_from_db()
    assert missed.status == ProposalStatus.PENDING
    assert not ListEntry.objects.exists()
    assert status(orgs.reg_a) == OrganizationStatus.NORMAL


def test_confirm_refuses_a_future_date(missed, users):
    with pytest.raises(ValidationError) as exc:
        services.proposal_confirm(
            proposal=missed, by=users.bureau, decided_on=timezone.localdate() + dt.timedelta(days=1), decision_number="n1"
        )
    assert "future" in exc.value.message_dict["decided_on"][0]


def test_confirm_is_atomic_when_the_entry_cannot_be_made(missed, users, include, orgs):
    include(orgs.reg_a, D(2026, 6, 2), "annual_report_missed")
    with pytest.raises(ValidationError) as exc:
        services.proposal_confirm(proposal=missed, by=users.bureau, decided_on=D(2026, 6, 3), decision_number="n1")
    assert "already on the" in exc.value.messages[0]
    missed.refresh_from_db()
    assert missed.status == ProposalStatus.PENDING
    assert not timeline(missed).exists()
    assert ListEntry.objects.filter(organization=orgs.reg_a).count() == 1


def test_dismiss_needs_a_reason(missed, users):
    with pytest.raises(ValidationError):
        services.proposal_dismiss(proposal=missed, by=users.bureau, note="  ")
    services.proposal_dismiss(proposal=missed, by=users.bureau, note="已于5月31日纸质报送")
    missed.refresh_from_db()
    assert missed.status == ProposalStatus.DISMISSED and missed.decision_note == "已于5月31日纸质报送"


def test_issue_the_decision_document(missed, users):
    services.proposal_confirm(proposal=missed, by=users.bureau, decided_on=D(2026, 6, 3), decision_number="", issue_document=True)
    entry = ListEntry.objects.get()
    assert entry.document is not None and entry.decision_number == entry.document.number
    assert entry.document.kind == "list_decision" and "信" in entry.document.number


# --- escalation and removal -------------------------------------------------------------


def test_escalation_moves_the_entry(orgs, include, users):
    old = include(orgs.reg_a, D(2024, 2, 29))
    detect(D(2026, 3, 1))
    p = Proposal.objects.get(action=ProposalAction.ESCALATE)
    services.proposal_confirm(proposal=p, by=users.bureau, decided_on=D(2026, 3, 2), decision_number="平民严〔2026〕1号")
    old.refresh_from_db()
    assert old.removed_on == D(2026, 3, 2) and "serious" in old.removal_reason
    new = ListEntry.objects.get(list_kind=ListKind.SERIOUS)
    assert new.escalated_from_id == old.pk and new.ground.code == "abnormal_two_years"
    assert status(orgs.reg_a) == OrganizationStatus.SERIOUS_VIOLATION


def test_escalation_refused_if_the_entry_was_removed_meanwhile(orgs, include, users):
    old = include(orgs.reg_a, D(2023, 1, 10))
    detect(D(2026, 1, 11))
    p = Proposal.objects.get(action=ProposalAction.ESCALATE)
    services.entry_remove(entry=old, removed_on=D(2026, 1, 12), reason="已整改", by=users.bureau)
    with pytest.raises(ValidationError):
        services.proposal_confirm(proposal=p, by=users.bureau, decided_on=D(2026, 1, 13), decision_number="n")
    p.refresh_from_db()
    assert p.status == ProposalStatus.PENDING


def test_removal_proposal_closes_the_entry_and_restores_normal(orgs, include, users):
    include(orgs.reg_a, D(2020, 4, 1), "judgment_defaulter")
    assert status(orgs.reg_a) == OrganizationStatus.SERIOUS_VIOLATION
    detect(D(2025, 4, 2))
    p = Proposal.objects.get(action=ProposalAction.REMOVE)
    services.proposal_confirm(proposal=p, by=users.bureau, decided_on=D(2025, 4, 3), decision_number="平民信〔2025〕9号")
    entry = ListEntry.objects.get()
    assert entry.removed_on == D(2025, 4, 3) and entry.removal_decision_number == "平民信〔2025〕9号"
    assert status(orgs.reg_a) == OrganizationStatus.NORMAL


def test_status_follows_the_remaining_entries(orgs, include, users):
    serious = include(orgs.reg_a, D(2025, 1, 10), "judgment_defaulter")
    abnormal = include(orgs.reg_a, D(2025, 2, 10), "address_unreachable")
    assert status(orgs.reg_a) == OrganizationStatus.SERIOUS_VIOLATION
    services.entry_remove(entry=serious, removed_on=D(2025, 3, 1), reason="法院移出失信被执行人名单", by=users.bureau)
    assert status(orgs.reg_a) == OrganizationStatus.ABNORMAL
    services.entry_remove(entry=abnormal, removed_on=D(2025, 3, 2), reason="已恢复联系", by=users.bureau)
    assert status(orgs.reg_a) == OrganizationStatus.NORMAL
    assert AuditEntry.objects.filter(action=AuditAction.CREDIT_REMOVED).count() == 2


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"removed_on": D(2025, 1, 9)}, "removed_on"),  # before the inclusion
        ({"reason": ""}, "reason"),
        ({"removed_on": "2025-02-01"}, "removed_on"),
    ],
)
def test_removal_refuses_bad_input(orgs, include, users, kwargs, field):
    entry = include(orgs.reg_a, D(2025, 1, 10))
    data = {"removed_on": D(2025, 2, 1), "reason": "已整改", **kwargs}
    with pytest.raises(ValidationError) as exc:
        services.entry_remove(entry=entry, by=users.bureau, **data)
    assert field in exc.value.message_dict
    entry.refresh_from_db()
    assert entry.removed_on is None
    assert status(orgs.reg_a) == OrganizationStatus.ABNORMAL


def test_removal_on_the_inclusion_day_and_twice(orgs, include, users):
    entry = include(orgs.reg_a, D(2025, 1, 10))
    services.entry_remove(entry=entry, removed_on=D(2025, 1, 10), reason="列入错误", by=users.bureau)
    with pytest.raises(ValidationError):
        services.entry_remove(entry=entry, removed_on=D(2025, 1, 11), reason="again", by=users.bureau)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"decision_number": ""}, "decision_number"),
        ({"ground": "large_fine"}, "ground"),  # a serious-list ground on the abnormal list
        ({"included_on": D(2015, 2, 28)}, "included_on"),  # before registration (2015-03-01)
        ({"list_kind": "grey"}, "list_kind"),
    ],
)
def test_inclusion_refuses_bad_input(orgs, users, kwargs, field):
    data = {
        "organization": orgs.reg_a,
        "list_kind": ListKind.ABNORMAL,
        "ground": "address_unreachable",
        "included_on": D(2025, 1, 10),
        "decision_number": "n1",
        **kwargs,
    }
    with pytest.raises(ValidationError) as exc:
        services.entry_include(by=users.bureau, **data)
    assert field in exc.value.message_dict
    assert not ListEntry.objects.exists()


def test_a_revoked_organization_keeps_its_status(orgs, penalize, users):
    p = penalize(orgs.reg_a, D(2026, 2, 1), PenaltyKind.REVOCATION)
    assert status(orgs.reg_a) == OrganizationStatus.REVOKED
    proposal = Proposal.objects.get(source=f"penalty:{p.pk}")
    services.proposal_confirm(proposal=proposal, by=users.bureau, decided_on=timezone.localdate(), decision_number="平民严〔2026〕2号")
    assert ListEntry.objects.get().ground.code == "revoked"
    assert status(orgs.reg_a) == OrganizationStatus.REVOKED


# --- penalties --------------------------------------------------------------------------


def test_penalty_is_recorded_with_audit(orgs, penalize):
    p = penalize(orgs.reg_a, D(2026, 1, 5), PenaltyKind.FINE, "12000.5")
    assert p.fine_amount == Decimal("12000.50") and p.recorded_by is not None
    assert AuditEntry.objects.filter(action=AuditAction.PENALTY_RECORDED, target_id=str(p.pk)).exists()
    assert AuditEntry.objects.filter(action=AuditAction.CREDIT_PROPOSED).exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": PenaltyKind.FINE, "fine_amount": None}, "fine_amount"),
        ({"kind": PenaltyKind.FINE, "fine_amount": "0"}, "fine_amount"),
        ({"kind": PenaltyKind.FINE, "fine_amount": "-5"}, "fine_amount"),
        ({"kind": PenaltyKind.FINE, "fine_amount": "abc"}, "fine_amount"),
        ({"kind": PenaltyKind.FINE, "fine_amount": "NaN"}, "fine_amount"),
        ({"kind": PenaltyKind.WARNING, "fine_amount": "100"}, "fine_amount"),
        ({"kind": "jail"}, "kind"),
        ({"legal_basis": " "}, "legal_basis"),
        ({"decision_number": ""}, "decision_number"),
        ({"decided_on": D(2015, 1, 1)}, "decided_on"),
    ],
)
def test_penalty_refuses_bad_input(orgs, users, kwargs, field):
    data = {
        "organization": orgs.reg_a,
        "kind": PenaltyKind.WARNING,
        "decided_on": D(2026, 1, 5),
        "legal_basis": "条例",
        "decision_number": "罚1",
        **kwargs,
    }
    with pytest.raises(ValidationError) as exc:
        services.penalty_record(by=users.bureau, **data)
    assert field in exc.value.message_dict
    assert not Penalty.objects.exists() and not Proposal.objects.exists()


def test_the_same_decision_is_not_recorded_twice(orgs, penalize):
    penalize(orgs.reg_a, D(2026, 1, 5), decision_number="平民罚〔2026〕1号")
    with pytest.raises(ValidationError):
        penalize(orgs.reg_a, D(2026, 1, 5), decision_number="平民罚〔2026〕1号")


def test_withdrawal_refuses_bad_input(orgs, penalize, users):
    p = penalize(orgs.reg_a, D(2026, 1, 5))
    with pytest.raises(ValidationError):
        services.penalty_withdraw(penalty=p, withdrawn_on=D(2026, 1, 4), reason="x", by=users.bureau)
    with pytest.raises(ValidationError):
        services.penalty_withdraw(penalty=p, withdrawn_on=D(2026, 1, 6), reason="", by=users.bureau)
    p.refresh_from_db()
    assert p.withdrawn_on is None
