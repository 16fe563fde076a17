"""Writes of the credit section: decisions on the review queue, list inclusion and removal,
penalties. Every write is atomic, validated, audited; proposal decisions go through the
workflow engine.

Registry status follows the lists. The registry keeps one status per organization
(normal / abnormal / serious violation / revoked / deregistered), which other rules read
(e.g. rating eligibility wants "normal"). After every inclusion or removal the status is
set from the entries then open: any serious-list entry → serious violation; else any
abnormal-list entry → abnormal; else normal. So an organization taken off one list but
still on another keeps the other list's status, and one moved from the abnormal to the
serious list shows serious violation. A revoked or deregistered organization keeps that
status: the lists still record it, the registry status is final.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shezhi.audit.models import AuditAction
from shezhi.audit.services import audit_record
from shezhi.credit.models import Ground, ListEntry, ListKind, Penalty, PenaltyKind, Proposal, ProposalAction, ProposalStatus
from shezhi.registry.models import Organization, OrganizationStatus
from shezhi.workflow.engine import run, transition

ENDED = {OrganizationStatus.REVOKED, OrganizationStatus.DEREGISTERED}

CONFIRM = transition("credit_confirm", [ProposalStatus.PENDING], ProposalStatus.CONFIRMED, label=gettext_lazy("Confirm"))
DISMISS = transition(
    "credit_dismiss",
    [ProposalStatus.PENDING],
    ProposalStatus.DISMISSED,
    label=gettext_lazy("Dismiss"),
    note_required=True,
    note_hint=gettext_lazy("Say why the case is dismissed."),
)


def _today() -> dt.date:
    return timezone.localdate()


def _require_text(field: str, value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _check_date(field: str, day, *, not_before: dt.date | None = None, before_message: str = "") -> dt.date:
    if not isinstance(day, dt.date):
        raise ValidationError({field: _("Give a date.")})
    if day > _today():
        raise ValidationError({field: _("The date %(date)s is in the future.") % {"date": day.isoformat()}})
    if not_before is not None and day < not_before:
        raise ValidationError({field: before_message})
    return day


def _ground(ground: Ground | str) -> Ground:
    if isinstance(ground, Ground):
        return ground
    try:
        return Ground.objects.get(code=ground)
    except Ground.DoesNotExist:
        raise ValidationError({"ground": _("Unknown ground.")}) from None


def _authority(org: Organization) -> str:
    city = org.city
    return city.authority_name or getattr(settings, "SHEZHI_AUTHORITY_NAME", "") or f"{city.name}民政局"


def _org_accounts(org: Organization):
    from shezhi.accounts.models import Role, User

    return User.objects.filter(organization=org, role=Role.ORGANIZATION, is_active=True)


def _tell_org(org: Organization, *, title: str, body: str, subject) -> None:
    from django.urls import reverse

    from shezhi.notifications.services import notify

    notify(recipients=_org_accounts(org), title=title, body=body, url=reverse("portal:organization", args=[org.pk]), subject=subject)


def status_from_entries(org: Organization) -> str:
    kinds = set(ListEntry.objects.filter(organization=org, removed_on__isnull=True).values_list("list_kind", flat=True))
    if ListKind.SERIOUS in kinds:
        return OrganizationStatus.SERIOUS_VIOLATION
    if ListKind.ABNORMAL in kinds:
        return OrganizationStatus.ABNORMAL
    return OrganizationStatus.NORMAL


def _sync_status(org: Organization, *, on: dt.date, by, reason: str, source: str) -> None:
    """Set the registry status from the open entries (see the module doc)."""
    from shezhi.registry.services import organization_set_status

    current = Organization.objects.only("status").get(pk=org.pk).status
    if current in ENDED:
        return
    wanted = status_from_entries(org)
    if wanted != current:
        organization_set_status(organization=org, status=wanted, by=by, reason=reason, on=on, source=source)


def _issue_list_document(*, org: Organization, title: str, body: list[str], facts: list[tuple[str, str]], by, on: dt.date):
    from shezhi.documents.models import DocumentKind
    from shezhi.documents.services import document_issue

    return document_issue(
        kind=DocumentKind.LIST_DECISION,
        title=title,
        authority_name=_authority(org),
        addressee=org.name,
        body=body,
        public_facts=facts,
        subject=org,
        by=by,
        issued_on=on,
    )


# --- list entries -------------------------------------------------------------------------


@transaction.atomic
def entry_include(
    *,
    organization: Organization,
    list_kind: str,
    ground: Ground | str,
    included_on: dt.date,
    decision_number: str,
    by,
    reason: str = "",
    issue_document: bool = False,
    proposal: Proposal | None = None,
    escalated_from: ListEntry | None = None,
) -> ListEntry:
    """Put an organization on a list for a ground, by the bureau's decision of `included_on`
    (社会组织信用信息管理办法). Directly, for grounds the system cannot see, or on confirming
    a proposal. The decision number is the bureau's own, or that of a decision document
    issued here (`issue_document`). One open entry per organization, list and ground."""
    ground = _ground(ground)
    if list_kind not in ListKind.values:
        raise ValidationError({"list_kind": _("Choose a list.")})
    if ground.list_kind != list_kind:
        raise ValidationError({"ground": _("This ground belongs to the other list.")})
    if not ground.active and proposal is None:
        raise ValidationError({"ground": _("This ground is no longer in use.")})
    org = Organization.objects.select_for_update().select_related("city").get(pk=organization.pk)
    if org.status == OrganizationStatus.DEREGISTERED:
        raise ValidationError(_("A deregistered organization cannot be put on a list."))
    _check_date(
        "included_on",
        included_on,
        not_before=org.founded_on,
        before_message=_("The decision date is before the organization was registered or filed."),
    )
    if escalated_from is not None and included_on < escalated_from.included_on:
        raise ValidationError({"included_on": _("The decision date is before the inclusion on the abnormal-activity list.")})
    decision_number = (decision_number or "").strip()
    if not decision_number and not issue_document:
        raise ValidationError({"decision_number": _("Give the number of the decision, or have the decision document issued.")})
    if ListEntry.objects.filter(organization=org, list_kind=list_kind, ground=ground, removed_on__isnull=True).exists():
        raise ValidationError(
            _("%(org)s is already on the %(list)s for this ground.") % {"org": org.name, "list": ListKind(list_kind).label}
        )
    reason = (reason or "").strip() or (proposal.evidence if proposal is not None else "")
    document = None
    if issue_document:
        title = "列入活动异常名录决定书" if list_kind == ListKind.ABNORMAL else "列入严重违法失信名单决定书"
        listname = "活动异常名录" if list_kind == ListKind.ABNORMAL else "严重违法失信名单"
        body = [
            f"经查，你单位存在“{ground.name}”的情形。",
            *([reason] if reason else []),
            f"依据{ground.legal_basis or '《社会组织信用信息管理办法》'}，决定将你单位列入{listname}。",
            "如对本决定不服，可以自收到本决定之日起六十日内依法申请行政复议，或者在六个月内依法提起行政诉讼。",
        ]
        facts = [
            ("社会组织", org.name),
            ("统一社会信用代码", org.credit_code or org.filing_number),
            ("名录", listname),
            ("列入事由", ground.name),
        ]
        document = _issue_list_document(org=org, title=title, body=body, facts=facts, by=by, on=included_on)
        decision_number = decision_number or document.number
    entry = ListEntry(
        organization=org,
        list_kind=list_kind,
        ground=ground,
        reason=reason,
        included_on=included_on,
        decision_number=decision_number,
        document=document,
        included_by=by if getattr(by, "is_authenticated", False) else None,
        escalated_from=escalated_from,
        proposal=proposal,
    )
    entry.full_clean(validate_constraints=False)
    entry.save()
    audit_record(
        action=AuditAction.CREDIT_LISTED,
        by=by,
        target=entry,
        changes={
            "list": [None, list_kind],
            "ground": [None, ground.code],
            "included_on": [None, included_on.isoformat()],
            "decision_number": [None, decision_number],
        },
        reason=reason,
        source=f"credit-proposal:{proposal.pk}" if proposal is not None else "credit-entry",
    )
    _sync_status(
        org,
        on=included_on,
        by=by,
        reason=_("Put on the %(list)s: %(ground)s (%(number)s).")
        % {"list": ListKind(list_kind).label, "ground": ground.name, "number": decision_number},
        source=f"credit-entry:{entry.pk}",
    )
    _tell_org(
        org,
        title=_("Your organization was put on the %(list)s") % {"list": ListKind(list_kind).label},
        body=_("Ground: %(ground)s. Decision %(number)s of %(date)s.")
        % {"ground": ground.name, "number": decision_number, "date": included_on.isoformat()},
        subject=entry,
    )
    return entry


@transaction.atomic
def entry_remove(*, entry: ListEntry, removed_on: dt.date, reason: str, by, decision_number: str = "", source: str = "") -> ListEntry:
    """Take an organization off a list (the cause is cured, the period has run, the
    decision was wrong, or it moved to the serious list). The entry is closed, never
    deleted; the removal day is the first day off the list."""
    locked = ListEntry.objects.select_for_update().select_related("organization", "ground").get(pk=entry.pk)
    if locked.removed_on is not None:
        raise ValidationError(_("This entry was already removed on %(date)s.") % {"date": locked.removed_on.isoformat()})
    reason = _require_text("reason", reason, _("Give the reason for the removal."))
    _check_date(
        "removed_on",
        removed_on,
        not_before=locked.included_on,
        before_message=_("The removal date is before the inclusion (%(date)s).") % {"date": locked.included_on.isoformat()},
    )
    locked.removed_on = removed_on
    locked.removal_reason = reason
    locked.removal_decision_number = (decision_number or "").strip()
    locked.removed_by = by if getattr(by, "is_authenticated", False) else None
    locked.save(update_fields=["removed_on", "removal_reason", "removal_decision_number", "removed_by"])
    audit_record(
        action=AuditAction.CREDIT_REMOVED,
        by=by,
        target=locked,
        changes={"removed_on": [None, removed_on.isoformat()], "removal_decision_number": ["", locked.removal_decision_number]},
        reason=reason,
        source=source or "credit-entry",
    )
    _sync_status(
        locked.organization,
        on=removed_on,
        by=by,
        reason=_("Taken off the %(list)s: %(reason)s") % {"list": locked.get_list_kind_display(), "reason": reason},
        source=f"credit-entry:{locked.pk}",
    )
    _tell_org(
        locked.organization,
        title=_("Your organization was taken off the %(list)s") % {"list": locked.get_list_kind_display()},
        body=_("Removed on %(date)s: %(reason)s") % {"date": removed_on.isoformat(), "reason": reason},
        subject=locked,
    )
    entry.refresh_from_db()
    return locked


# --- the review queue -------------------------------------------------------------------


def proposal_confirm(
    *, proposal: Proposal, by, decided_on: dt.date, decision_number: str, note: str = "", issue_document: bool = False
) -> Proposal:
    """The bureau confirms a proposed case: include (a new entry), escalate (the abnormal
    entry is closed as moved, a serious entry is opened linked to it) or remove (the entry
    is closed). The decision date may not precede the detection."""
    if isinstance(decided_on, dt.date) and decided_on < proposal.detected_on:
        raise ValidationError(
            {"decided_on": _("The decision date is before the case was detected (%(date)s).") % {"date": proposal.detected_on.isoformat()}}
        )
    _check_date("decided_on", decided_on)
    decision_number = (decision_number or "").strip()
    if not decision_number and not (issue_document and proposal.action != ProposalAction.REMOVE):
        raise ValidationError({"decision_number": _("Give the number of the decision, or have the decision document issued.")})
    note = (note or "").strip()

    def apply(p: Proposal) -> None:
        p.decided_by = by if getattr(by, "is_authenticated", False) else None
        p.decided_at = timezone.now()
        p.decision_note = note
        if p.action == ProposalAction.INCLUDE:
            entry_include(
                organization=p.organization,
                list_kind=p.list_kind,
                ground=p.ground,
                included_on=decided_on,
                decision_number=decision_number,
                by=by,
                reason=p.evidence,
                issue_document=issue_document,
                proposal=p,
            )
        elif p.action == ProposalAction.ESCALATE:
            old = ListEntry.objects.select_for_update().get(pk=p.entry_id)
            if old.removed_on is not None:
                raise ValidationError(
                    _("The abnormal-list entry was removed on %(date)s; nothing to move.") % {"date": old.removed_on.isoformat()}
                )
            entry_remove(
                entry=old,
                removed_on=decided_on,
                reason=_("Moved to the serious-violation list (%(number)s).") % {"number": decision_number or "—"},
                by=by,
                decision_number=decision_number,
                source=f"credit-proposal:{p.pk}",
            )
            already = ListEntry.objects.filter(
                organization=p.organization, list_kind=p.list_kind, ground=p.ground, removed_on__isnull=True
            ).exists()
            if not already:
                entry_include(
                    organization=p.organization,
                    list_kind=p.list_kind,
                    ground=p.ground,
                    included_on=decided_on,
                    decision_number=decision_number,
                    by=by,
                    reason=p.evidence,
                    issue_document=issue_document,
                    proposal=p,
                    escalated_from=old,
                )
        else:
            old = ListEntry.objects.get(pk=p.entry_id)
            entry_remove(
                entry=old,
                removed_on=decided_on,
                reason=note or p.evidence,
                by=by,
                decision_number=decision_number,
                source=f"credit-proposal:{p.pk}",
            )

    with transaction.atomic():
        step = run(
            proposal,
            CONFIRM,
            by=by,
            note=note,
            apply=apply,
            data={"decided_on": decided_on.isoformat(), "decision_number": decision_number},
            action=AuditAction.WORKFLOW_STEP,
        )
    return step.item


def proposal_dismiss(*, proposal: Proposal, by, note: str) -> Proposal:
    """The bureau dismisses a proposed case, with its reason (e.g. the report was filed on
    paper, the penalty was overturned). A dismissed case is never proposed again."""

    def apply(p: Proposal) -> None:
        p.decided_by = by if getattr(by, "is_authenticated", False) else None
        p.decided_at = timezone.now()
        p.decision_note = (note or "").strip()

    step = run(proposal, DISMISS, by=by, note=note, apply=apply)
    return step.item


# --- penalties --------------------------------------------------------------------------


def _amount(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({"fine_amount": _("Write the amount as a number of yuan.")}) from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({"fine_amount": _("The fine must be more than zero.")})
    if amount >= Decimal("10000000000"):
        raise ValidationError({"fine_amount": _("The fine is too large.")})
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def penalty_record(
    *,
    organization: Organization,
    kind: str,
    decided_on: dt.date,
    legal_basis: str,
    decision_number: str,
    fine_amount=None,
    confiscated: str = "",
    facts: str = "",
    authority: str = "",
    document=None,
    by,
) -> Penalty:
    """Record an administrative penalty decision. A revocation revokes the registration
    (registry status); every penalty that is a list ground is proposed to the review queue
    at once (warning or small fine → abnormal list; fine at or above the limit, order to
    stop activities, revocation, or repeated small penalties → serious list). Nothing is
    put on a list without the bureau's decision."""
    from shezhi.credit.detection import load_penalty_history, penalty_detections, propose
    from shezhi.credit.rules import CreditRulesBook, window_start

    if kind not in PenaltyKind.values:
        raise ValidationError({"kind": _("Choose the kind of penalty.")})
    amount = _amount(fine_amount)
    if kind == PenaltyKind.FINE and amount is None:
        raise ValidationError({"fine_amount": _("Give the amount of the fine.")})
    if kind != PenaltyKind.FINE and amount is not None:
        raise ValidationError({"fine_amount": _("Only a fine has an amount; record a fine with a warning as two penalties.")})
    legal_basis = _require_text("legal_basis", legal_basis, _("Give the legal basis."))
    decision_number = _require_text("decision_number", decision_number, _("Give the number of the penalty decision."))
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    if org.status == OrganizationStatus.DEREGISTERED:
        raise ValidationError(_("The organization is deregistered."))
    if kind == PenaltyKind.REVOCATION and org.status == OrganizationStatus.REVOKED:
        raise ValidationError({"kind": _("The registration is already revoked.")})
    _check_date(
        "decided_on",
        decided_on,
        not_before=org.founded_on,
        before_message=_("The decision date is before the organization was registered or filed."),
    )
    if Penalty.objects.filter(organization=org, decision_number=decision_number, kind=kind).exists():
        raise ValidationError({"decision_number": _("This decision is already recorded for the organization.")})
    penalty = Penalty(
        organization=org,
        kind=kind,
        fine_amount=amount,
        confiscated=(confiscated or "").strip(),
        legal_basis=legal_basis,
        facts=(facts or "").strip(),
        decision_number=decision_number,
        decided_on=decided_on,
        authority=(authority or "").strip(),
        document=document,
        recorded_by=by if getattr(by, "is_authenticated", False) else None,
    )
    penalty.full_clean(validate_constraints=False)
    penalty.save()
    audit_record(
        action=AuditAction.PENALTY_RECORDED,
        by=by,
        target=penalty,
        changes={
            "kind": [None, kind],
            "fine_amount": [None, str(amount) if amount is not None else None],
            "decided_on": [None, decided_on.isoformat()],
            "decision_number": [None, decision_number],
        },
        reason=penalty.facts,
        source="credit-penalty",
    )
    if kind == PenaltyKind.REVOCATION:
        from shezhi.registry.services import organization_set_status

        organization_set_status(
            organization=org,
            status=OrganizationStatus.REVOKED,
            by=by,
            reason=_("Registration revoked by penalty decision %(number)s.") % {"number": decision_number},
            on=decided_on,
            source=f"credit-penalty:{penalty.pk}",
        )
    book = CreditRulesBook.load()
    rules = book.for_city(org.city_id)
    penalty = Penalty.objects.select_related("organization").get(pk=penalty.pk)
    history = load_penalty_history([org.pk], since=window_start(decided_on, rules.repeat_window_years))
    with translation.override(settings.LANGUAGE_CODE):  # the queue's evidence is in the site's language
        propose(penalty_detections([penalty], history, book), on=_today(), source_label="penalty", by=by)
    _tell_org(
        org,
        title=_("An administrative penalty was recorded: %(kind)s") % {"kind": penalty.get_kind_display()},
        body=_("Decision %(number)s of %(date)s.") % {"number": decision_number, "date": decided_on.isoformat()},
        subject=penalty,
    )
    return penalty


@transaction.atomic
def penalty_withdraw(*, penalty: Penalty, withdrawn_on: dt.date, reason: str, by) -> Penalty:
    """Mark a penalty withdrawn or overturned (撤销, by reconsideration or a court). It then
    no longer counts; the pending proposals it caused are dismissed. A revocation's
    registry status is not restored here: that is a registry decision."""
    locked = Penalty.objects.select_for_update().get(pk=penalty.pk)
    if locked.withdrawn_on is not None:
        raise ValidationError(_("This penalty was already withdrawn on %(date)s.") % {"date": locked.withdrawn_on.isoformat()})
    reason = _require_text("reason", reason, _("Give the reason for the withdrawal."))
    _check_date(
        "withdrawn_on",
        withdrawn_on,
        not_before=locked.decided_on,
        before_message=_("The withdrawal date is before the decision (%(date)s).") % {"date": locked.decided_on.isoformat()},
    )
    locked.withdrawn_on = withdrawn_on
    locked.withdrawal_reason = reason
    locked.withdrawn_by = by if getattr(by, "is_authenticated", False) else None
    locked.save(update_fields=["withdrawn_on", "withdrawal_reason", "withdrawn_by"])
    audit_record(
        action=AuditAction.RECORD_CHANGED,
        by=by,
        target=locked,
        changes={"withdrawn_on": [None, withdrawn_on.isoformat()]},
        reason=reason,
        source="credit-penalty-withdrawn",
    )
    for p in Proposal.objects.filter(organization_id=locked.organization_id, source=f"penalty:{locked.pk}", status=ProposalStatus.PENDING):
        proposal_dismiss(
            proposal=p,
            by=by,
            note=_("The penalty was withdrawn on %(date)s: %(reason)s") % {"date": withdrawn_on.isoformat(), "reason": reason},
        )
    penalty.refresh_from_db()
    return locked
