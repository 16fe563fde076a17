"""Writes of online affairs: every step of a filing is a guarded transition (workflow.engine).

draft → submitted → accepted (受理) | not accepted (不予受理) | materials to supply (补正)
→ under review → approved | refused → done. The applicant may withdraw before a decision.
The time limit runs in working days from acceptance and stops while the applicant
supplies materials (行政许可法 art. 32, 42, 45: the correction period is not counted).
On approval the registry changes in the same transaction as the decision, with history
pointing at the filing (source "filing:<number>").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shezhi.accounts.models import Role, User
from shezhi.affairs import fieldspec, uploads
from shezhi.affairs.kinds import hooks_for
from shezhi.affairs.models import (
    OPEN_STATUSES,
    ApplicantKind,
    ClockStop,
    Decision,
    Filing,
    FilingSequence,
    FilingStatus,
    HandlingRole,
    Material,
    MaterialRequirement,
    ProcedureKind,
    ProcedureType,
)
from shezhi.affairs.selectors import is_applicant_side, is_handler, procedures_for
from shezhi.areas.models import Area, AreaLevel
from shezhi.audit.models import AuditAction
from shezhi.audit.services import audit_record
from shezhi.documents.models import Document, DocumentKind
from shezhi.documents.services import chinese_date, document_issue
from shezhi.notifications.services import notify
from shezhi.registry.models import Organization, OrganizationStatus
from shezhi.registry.selectors import find_duplicate
from shezhi.workdays.services import add_workdays, workdays_between
from shezhi.workflow.engine import Transition, TransitionRefused, run, transition

S = FilingStatus
SUBMIT = transition("submit", [S.DRAFT], S.SUBMITTED, label=gettext_lazy("Submit"))
RESUBMIT = transition("resubmit", [S.CORRECTION], S.SUBMITTED, label=gettext_lazy("Resubmit"))
# A correction asked for during review sends the filing back to review, not to acceptance.
RESUBMIT_TO_REVIEW = transition("resubmit", [S.CORRECTION], S.UNDER_REVIEW, label=gettext_lazy("Resubmit"))
ACCEPT = transition("accept", [S.SUBMITTED], S.ACCEPTED, label=gettext_lazy("Accept"))
NOT_ACCEPT = transition(
    "not_accept", [S.SUBMITTED], S.NOT_ACCEPTED, label=gettext_lazy("Do not accept"), note_required=True,
    note_hint=gettext_lazy("Give the reason for not accepting the application."),
)  # fmt: skip
REQUEST_CORRECTION = transition(
    "request_correction", [S.SUBMITTED, S.ACCEPTED, S.UNDER_REVIEW], S.CORRECTION, label=gettext_lazy("Ask for materials")
)
START_REVIEW = transition("start_review", [S.ACCEPTED], S.UNDER_REVIEW, label=gettext_lazy("Start review"))
APPROVE = transition("approve", [S.ACCEPTED, S.UNDER_REVIEW], S.APPROVED, label=gettext_lazy("Approve"))
REFUSE = transition(
    "refuse", [S.ACCEPTED, S.UNDER_REVIEW], S.REFUSED, label=gettext_lazy("Refuse"), note_required=True,
    note_hint=gettext_lazy("Give the reason for the refusal."),
)  # fmt: skip
COMPLETE = transition("complete", [S.APPROVED, S.REFUSED], S.DONE, label=gettext_lazy("Close and issue the decision"))
# 行政许可法 art. 32 and the procedure's rules: materials not supplied in time, the application is deemed withdrawn.
LAPSE = transition("lapse", [S.CORRECTION], S.WITHDRAWN, label=gettext_lazy("Deemed withdrawn: materials not supplied in time"))
WITHDRAW = transition(
    "withdraw", [S.DRAFT, S.SUBMITTED, S.CORRECTION, S.ACCEPTED, S.UNDER_REVIEW], S.WITHDRAWN, label=gettext_lazy("Withdraw")
)

# Procedures whose outcome belongs to the annual-inspection and rating rules (shezhi/inspection).
APPEAL_RIGHTS = "如不服本决定，可以自收到本文书之日起六十日内依法申请行政复议，或者在六个月内依法向人民法院提起行政诉讼。"


# --- helpers ----------------------------------------------------------------------------


def _require(ok: bool) -> None:
    # Views check first (and answer 404); this guards every other caller of the services.
    if not ok:
        raise PermissionDenied(_("You may not take this step on this filing."))


def _today() -> dt.date:
    return timezone.localdate()


def _source(filing: Filing) -> str:
    return f"filing:{filing.number or filing.pk}"


def authority_name(filing: Filing) -> str:
    """The name printed on a filing's documents: the city's bureau, or the town for town procedures."""
    if filing.procedure.handled_by == HandlingRole.TOWN:
        return filing.town.authority_name or filing.town.name
    return filing.city.authority_name or settings.SHEZHI_AUTHORITY_NAME


def deployment_city() -> Area:
    try:
        return Area.objects.get(code=settings.SHEZHI_CITY_CODE, level=AreaLevel.CITY)
    except Area.DoesNotExist:
        raise ValidationError(_("The city of this installation (%(code)s) is not in the areas list.") % {"code": settings.SHEZHI_CITY_CODE})


def towns_for_application(city: Area):
    return Area.objects.filter(level=AreaLevel.TOWN, parent=city).order_by("code")


def communities_for_application(city: Area):
    return Area.objects.filter(level=AreaLevel.COMMUNITY, city=city).order_by("code")


def _applicant_recipients(filing: Filing) -> list:
    people = [filing.applicant]
    if filing.organization_id:
        people += list(User.objects.filter(organization_id=filing.organization_id, role=Role.ORGANIZATION, is_active=True))
    return people


def _handler_recipients(filing: Filing) -> list:
    role = filing.procedure.handled_by
    area_id = filing.city_id if role == HandlingRole.BUREAU else filing.town_id
    return list(User.objects.filter(role=role, area_id=area_id, is_active=True))


def _filing_url(filing: Filing) -> str:
    return reverse("affairs:detail", args=[filing.pk])


def _tell(filing: Filing, *, to: str, title: str, body: str = "", by=None) -> None:
    recipients = _applicant_recipients(filing) if to == "applicant" else _handler_recipients(filing)
    notify(recipients=recipients, title=title, body=body, url=_filing_url(filing), subject=filing, exclude=by)


def next_filing_number(year: int) -> str:
    FilingSequence.objects.get_or_create(year=year)
    seq = FilingSequence.objects.select_for_update().get(year=year)
    seq.last += 1
    seq.save(update_fields=["last"])
    return f"BJ{year}{seq.last:06d}"


def missing_materials(filing: Filing) -> list[MaterialRequirement]:
    have = set(filing.materials.exclude(requirement=None).values_list("requirement_id", flat=True))
    return [r for r in filing.procedure.materials.all() if r.is_required_for(filing.data) and r.pk not in have]


def _submit_problems(filing: Filing) -> list[str]:
    """Everything that keeps a filing from being submitted, as sentences for the applicant."""
    problems: list[str] = []
    try:
        _clean_form(filing.procedure, filing.data, city=filing.city)
    except ValidationError as exc:
        labels = {s["name"]: s.get("label", s["name"]) for s in filing.procedure.form_fields}
        for name, messages in exc.message_dict.items():
            problems.append(f"{labels.get(name, name)}: {' '.join(messages)}")
    missing = missing_materials(filing)
    if missing:
        problems.append(_("Required materials are missing: %(items)s.") % {"items": "、".join(r.name for r in missing)})
    problems += _kind_problems(filing)
    hooks = hooks_for(filing.procedure.kind)
    if hooks.check_submit is not None:
        problems += list(hooks.check_submit(filing=filing) or [])
    return problems


def _kind_problems(filing: Filing) -> list[str]:
    kind = filing.procedure.kind
    problems = []
    if kind == ProcedureKind.CHANGE:
        changes = _registry_changes(filing)
        if not changes:
            problems.append(_("Enter at least one item that changes (different from the registry)."))
    if kind in (ProcedureKind.ESTABLISHMENT, ProcedureKind.TOWN_FILING):
        name = " ".join(str(filing.data.get("name") or "").split())
        if name and find_duplicate(credit_code="", name=name, town_id=filing.town_id):
            problems.append(_("An organization named %(name)s is already registered or filed in this town.") % {"name": name})
    if filing.organization_id and filing.organization.status in (OrganizationStatus.DEREGISTERED, OrganizationStatus.REVOKED):
        problems.append(_("The organization is deregistered or revoked and cannot file."))
    return problems


def _clean_form(procedure: ProcedureType, raw: dict, *, city: Area) -> dict:
    return fieldspec.clean_values(
        procedure.form_fields, raw, towns=towns_for_application(city), communities=communities_for_application(city)
    )


def _registry_values(filing: Filing) -> dict:
    """Form values meant for the registry, as the registry services take them."""
    out = {}
    for spec in filing.procedure.form_fields:
        target = spec.get("registry_field")
        value = filing.data.get(spec["name"])
        if not target or value in (None, ""):
            continue
        if spec.get("type") in fieldspec.AREA_TYPES:
            value = Area.objects.filter(pk=value).first()
        else:
            value = fieldspec.from_json(spec, value)
        out[target] = value
    return out


def _registry_changes(filing: Filing) -> dict:
    org = filing.organization
    if org is None:
        return {}
    return {k: v for k, v in _registry_values(filing).items() if getattr(org, k) != v}


# --- applicant steps --------------------------------------------------------------------


@transaction.atomic
def filing_create(*, procedure: ProcedureType, by, data: dict) -> Filing:
    """Start a draft. An organization files for itself; a person applies for an organization
    being set up (establishment, or a community organization's filing with its town)."""
    if not procedures_for(by).filter(pk=procedure.pk).exists():
        raise PermissionDenied(_("This procedure is not open to your account."))
    if procedure.applicant == ApplicantKind.ORGANIZATION:
        org = Organization.objects.select_related("town").get(pk=by.organization_id)
        existing = Filing.objects.filter(organization=org, procedure=procedure, status__in=OPEN_STATUSES).first()
        if existing is not None:
            raise ValidationError(
                _("%(org)s already has an open %(procedure)s filing (%(number)s); continue that one or withdraw it first.")
                % {"org": org.name, "procedure": procedure.name, "number": existing.number or _("draft")},
                code="open_filing",
                params={"existing": existing.pk},
            )
        city, town, name = org.city, org.town, org.name
    else:
        org = None
        city = deployment_city()
        town = None
    cleaned = _clean_form(procedure, data, city=city)
    if org is None:
        town_id = cleaned.get("town")
        town = Area.objects.filter(pk=town_id).first() if town_id else None
        if town is None:
            raise ValidationError({"town": _("Choose the town or street where the organization will be.")})
        name = " ".join(str(cleaned.get("name") or "").split())
        if not name:
            raise ValidationError({"name": _("Enter the proposed name of the organization.")})
    filing = Filing(procedure=procedure, organization=org, subject_name=name, city=city, town=town, applicant=by, data=cleaned)
    try:
        with transaction.atomic():
            filing.save()
    except IntegrityError:
        raise ValidationError(_("This organization already has an open filing of this procedure."), code="open_filing")
    audit_record(action=AuditAction.WORKFLOW_STEP, by=by, target=filing, changes={"status": [None, S.DRAFT]}, source=_source(filing))
    return filing


@transaction.atomic
def filing_update_data(*, filing: Filing, by, data: dict) -> Filing:
    """Change the application while it is a draft or while materials are being supplied."""
    _require(is_applicant_side(by, filing))
    locked = Filing.objects.select_for_update().get(pk=filing.pk)
    if locked.status not in (S.DRAFT, S.CORRECTION):
        raise TransitionRefused(
            _("The application can be changed only as a draft or while supplying materials."), current=locked.status, last_event=None
        )
    cleaned = _clean_form(locked.procedure, data, city=locked.city)
    old = locked.data
    locked.data = cleaned
    if locked.organization_id is None and cleaned.get("name"):
        locked.subject_name = " ".join(str(cleaned["name"]).split())
        if cleaned.get("town"):
            locked.town_id = cleaned["town"]
    locked.save()
    changed = {k: [old.get(k), cleaned.get(k)] for k in set(old) | set(cleaned) if old.get(k) != cleaned.get(k)}
    audit_record(action=AuditAction.WORKFLOW_STEP, by=by, target=locked, changes={"data": changed}, source=_source(locked))
    filing.refresh_from_db()
    return filing


@transaction.atomic
def material_add(*, filing: Filing, by, upload, requirement: MaterialRequirement | None) -> Material:
    """Attach a file (PDF, PNG or JPEG, checked from its bytes) to a draft or a filing in correction."""
    _require(is_applicant_side(by, filing))
    locked = Filing.objects.select_for_update().get(pk=filing.pk)
    if locked.status not in (S.DRAFT, S.CORRECTION):
        raise ValidationError(_("Materials can be added only to a draft or while supplying materials."))
    if requirement is not None and requirement.procedure_id != locked.procedure_id:
        raise ValidationError({"requirement": _("This item is not on the procedure's checklist.")})
    checked = uploads.check_upload(upload)
    stored, digest = uploads.store(upload, checked, filing_id=locked.pk)
    name = (getattr(upload, "name", "") or "file").replace("\\", "/").rsplit("/", 1)[-1][:200]
    material = Material.objects.create(
        filing=locked,
        requirement=requirement,
        original_name=name,
        stored_name=stored,
        content_type=checked.content_type,
        size=checked.size,
        sha256=digest,
        uploaded_by=by,
    )
    audit_record(
        action=AuditAction.WORKFLOW_STEP,
        by=by,
        target=locked,
        changes={"material": [None, name], "checklist_item": [None, requirement.name if requirement else ""], "sha256": [None, digest]},
        source=_source(locked),
    )
    return material


@transaction.atomic
def material_remove(*, material: Material, by) -> None:
    filing = Filing.objects.select_for_update().get(pk=material.filing_id)
    _require(is_applicant_side(by, filing))
    if filing.status not in (S.DRAFT, S.CORRECTION):
        raise ValidationError(_("Materials of a submitted filing cannot be removed."))
    if filing.status == S.CORRECTION and filing.correction_requested_at and material.uploaded_at < filing.correction_requested_at:
        raise ValidationError(_("Materials already examined stay on file; add the corrected one instead."))
    audit_record(
        action=AuditAction.WORKFLOW_STEP, by=by, target=filing, changes={"material": [material.original_name, None]}, source=_source(filing)
    )
    path = uploads.stored_path(material.stored_name)
    material.delete()
    if path is not None:
        transaction.on_commit(lambda: path.unlink(missing_ok=True))


def filing_submit(*, filing: Filing, by) -> Filing:
    """Submit a draft. Refused with every problem listed when the form or the required
    materials are incomplete (or the inspection rules object)."""
    _require(is_applicant_side(by, filing))
    with transaction.atomic():
        locked = Filing.objects.select_for_update().get(pk=filing.pk)
        if locked.status == S.DRAFT:
            problems = _submit_problems(locked)
            if problems:
                raise ValidationError(problems, code="incomplete")

        def apply(f: Filing) -> None:
            f.submitted_at = timezone.now()
            if not f.number:
                f.number = next_filing_number(_today().year)

        step = run(filing, SUBMIT, by=by, apply=apply)
        _tell(
            filing,
            to="handlers",
            by=by,
            title=_("New filing %(number)s: %(procedure)s, %(name)s")
            % {"number": filing.number, "procedure": filing.procedure.name, "name": filing.subject_name},
        )
    return step.item


def filing_resubmit(*, filing: Filing, by) -> Filing:
    """Send back a filing after supplying the materials asked for; the clock resumes and the
    due dates move by the working days it was stopped."""
    _require(is_applicant_side(by, filing))
    today = _today()
    with transaction.atomic():
        locked = Filing.objects.select_for_update().get(pk=filing.pk)
        if locked.status == S.CORRECTION:
            if locked.correction_due_on and today > locked.correction_due_on:
                raise ValidationError(
                    _(
                        "The deadline to supply the materials was %(date)s and has passed. The application can no longer be "
                        "resubmitted; withdraw it and file again."
                    )
                    % {"date": locked.correction_due_on.isoformat()},
                    code="deadline_passed",
                )
            problems = _submit_problems(locked)
            asked = [int(i) for i in locked.correction_items if str(i).isdigit()]
            if asked and locked.correction_requested_at:
                fresh = set(
                    locked.materials.filter(requirement_id__in=asked, uploaded_at__gte=locked.correction_requested_at).values_list(
                        "requirement_id", flat=True
                    )
                )
                still = [r.name for r in MaterialRequirement.objects.filter(pk__in=asked).exclude(pk__in=fresh)]
                if still:
                    problems.append(_("Upload the materials asked for: %(items)s.") % {"items": "、".join(still)})
            if problems:
                raise ValidationError(problems, code="incomplete")
        step_def = RESUBMIT_TO_REVIEW if locked.accepted_on else RESUBMIT

        def apply(f: Filing) -> None:
            _resume_clock(f, today)
            f.correction_due_on = None

        step = run(filing, step_def, by=by, apply=apply)
        _tell(
            filing,
            to="handlers",
            by=by,
            title=_("Materials supplied for filing %(number)s (%(name)s)") % {"number": filing.number, "name": filing.subject_name},
        )
    return step.item


def _resume_clock(f: Filing, today: dt.date) -> None:
    stop = ClockStop.objects.filter(filing=f, ended_on__isnull=True).order_by("-id").first()
    if stop is None:
        return
    stop.ended_on = today
    stop.workdays = workdays_between(stop.started_on, today)
    stop.save(update_fields=["ended_on", "workdays"])
    f.paused_workdays += stop.workdays
    if f.due_on:
        f.due_on = add_workdays(f.due_on, stop.workdays)
    if f.statutory_due_on:
        f.statutory_due_on = add_workdays(f.statutory_due_on, stop.workdays)


def filing_withdraw(*, filing: Filing, by, reason: str = "") -> Filing:
    """The applicant withdraws before a decision."""
    _require(is_applicant_side(by, filing))
    today = _today()
    was_submitted = filing.status != S.DRAFT

    def apply(f: Filing) -> None:
        _resume_clock(f, today)
        f.decision = Decision.WITHDRAWN
        f.decided_at = timezone.now()

    with transaction.atomic():
        step = run(filing, WITHDRAW, by=by, note=reason, apply=apply)
        if was_submitted:
            _tell(filing, to="handlers", by=by, title=_("Filing %(number)s was withdrawn by the applicant") % {"number": filing.number})
    return step.item


# --- handler steps ----------------------------------------------------------------------


def _issue(filing: Filing, *, kind: DocumentKind, title: str, body: list[str], facts: list[tuple[str, str]], by) -> Document:
    facts = [("事项", filing.procedure.name), ("办件编号", filing.number or ""), *facts]
    return document_issue(
        kind=kind,
        title=title,
        authority_name=authority_name(filing),
        addressee=filing.subject_name,
        body=body,
        public_facts=facts,
        subject=filing,
        by=by,
    )


def _received(filing: Filing) -> str:
    day = timezone.localtime(filing.submitted_at).date() if filing.submitted_at else _today()
    return chinese_date(day)


def filing_accept(*, filing: Filing, by, note: str = "", in_person: bool = False) -> Filing:
    """Accept (受理): the time limits start to run from today; the acceptance notice is issued."""
    _require(is_handler(by, filing))
    today = _today()
    procedure = filing.procedure

    def apply(f: Filing) -> None:
        f.accepted_on = today
        f.due_on = add_workdays(today, procedure.promised_days)
        f.statutory_due_on = add_workdays(today, procedure.statutory_days)
        if in_person:
            f.fully_online = False

    with transaction.atomic():
        step = run(filing, ACCEPT, by=by, note=note, apply=apply, data={"in_person": in_person})
        _issue(
            filing,
            kind=DocumentKind.ACCEPTANCE,
            title="受理通知书",
            body=[
                f"你（单位）于{_received(filing)}提交的{procedure.name}申请（办件编号：{filing.number}），"
                "申请材料齐全、符合法定形式，本机关决定予以受理。",
                f"本机关将在受理之日起{procedure.promised_days}个工作日内（承诺时限；法定时限为{procedure.statutory_days}个工作日）"
                f"作出决定，预计于{chinese_date(filing.due_on)}前办结。需要补正材料的，补正期间不计入办理时限。",
            ],
            facts=[("受理日期", today.isoformat())],
            by=by,
        )
        _tell(
            filing,
            to="applicant",
            by=by,
            title=_("Filing %(number)s accepted; decision due by %(date)s") % {"number": filing.number, "date": filing.due_on.isoformat()},
            body=note,
        )
    return step.item


def filing_not_accept(*, filing: Filing, by, reason: str, legal_ground: str = "") -> Filing:
    """Refuse to accept (不予受理), with the reason; a notice is issued."""
    _require(is_handler(by, filing))
    today = _today()

    def apply(f: Filing) -> None:
        f.decision = Decision.NOT_ACCEPTED
        f.decision_reason = reason.strip()
        f.legal_ground = legal_ground.strip()
        f.decided_at = timezone.now()
        _finish(f, today)

    with transaction.atomic():
        step = run(filing, NOT_ACCEPT, by=by, note=reason, apply=apply, data={"legal_ground": legal_ground})
        body = [
            f"你（单位）于{_received(filing)}提交的{filing.procedure.name}申请（办件编号：{filing.number}），经审查，本机关决定不予受理。",
            f"理由：{reason.strip()}",
        ]
        if legal_ground.strip():
            body.append(f"依据：{legal_ground.strip()}")
        body.append(APPEAL_RIGHTS)
        _issue(filing, kind=DocumentKind.NON_ACCEPTANCE, title="不予受理通知书", body=body, facts=[("结论", "不予受理")], by=by)
        _tell(filing, to="applicant", by=by, title=_("Filing %(number)s was not accepted") % {"number": filing.number}, body=reason)
    return step.item


def filing_request_correction(
    *, filing: Filing, by, items: Iterable[MaterialRequirement], note: str = "", in_person: bool = False
) -> Filing:
    """Ask for missing or faulty materials (补正). The clock stops until the applicant resubmits,
    which must happen within the procedure's correction period."""
    _require(is_handler(by, filing))
    items = list(items)
    if any(i.procedure_id != filing.procedure_id for i in items):
        raise ValidationError({"items": _("Choose items of this procedure's checklist.")})
    if not items and not note.strip():
        raise ValidationError({"items": _("Say which materials are missing or what must be corrected.")})
    today = _today()
    procedure = filing.procedure
    due = add_workdays(today, procedure.correction_days)

    def apply(f: Filing) -> None:
        f.correction_items = [i.pk for i in items]
        f.correction_requested_at = timezone.now()
        f.correction_due_on = due
        if in_person:
            f.fully_online = False
        ClockStop.objects.create(filing=f, started_on=today)

    with transaction.atomic():
        step = run(
            filing, REQUEST_CORRECTION, by=by, note=note, apply=apply, data={"items": [i.name for i in items], "due": due.isoformat()}
        )
        body = [
            f"你（单位）于{_received(filing)}提交的{procedure.name}申请（办件编号：{filing.number}），"
            f"申请材料不齐全或者不符合法定形式，请于{chinese_date(due)}前通过网上办理补正以下材料：",
            *[f"- {n}. {item.name}" for n, item in enumerate(items, start=1)],
        ]
        if note.strip():
            body.append(f"说明：{note.strip()}")
        body.append("补正期间不计入办理时限。逾期未补正的，视为放弃申请。")
        _issue(filing, kind=DocumentKind.CORRECTION, title="补正材料通知书", body=body, facts=[("补正期限", due.isoformat())], by=by)
        _tell(
            filing,
            to="applicant",
            by=by,
            title=_("Filing %(number)s: please supply materials by %(date)s") % {"number": filing.number, "date": due.isoformat()},
            body="\n".join([*(i.name for i in items), note]).strip(),
        )
    return step.item


def filing_start_review(*, filing: Filing, by, note: str = "") -> Filing:
    _require(is_handler(by, filing))

    def apply(f: Filing) -> None:
        f.reviewer = by

    return run(filing, START_REVIEW, by=by, note=note, apply=apply).item


def filing_approve(*, filing: Filing, by, decision: dict | None = None, note: str = "", in_person: bool = False) -> Filing:
    """Approve: the registry changes in the same transaction (new organization, changed facts,
    deregistration …), the decision document is issued and the filing is done."""
    _require(is_handler(by, filing))
    procedure = filing.procedure
    values = fieldspec.clean_values(procedure.decision_fields, decision or {})
    today = _today()

    def apply(f: Filing) -> None:
        f.decision = Decision.APPROVED
        f.decision_data = values
        f.decision_reason = note.strip()
        f.decided_at = timezone.now()
        if in_person:
            f.fully_online = False
        _apply_to_registry(f, by=by, values=values)
        hooks = hooks_for(procedure.kind)
        if hooks.check_decision is not None:
            reasons = list(hooks.check_decision(filing=f) or [])
            if reasons:
                raise ValidationError(reasons)
        if hooks.on_approved is not None:
            hooks.on_approved(filing=f, by=by, decision=dict(values))

    with transaction.atomic():
        run(filing, APPROVE, by=by, note=note, apply=apply, data={"decision": values})
        step = run(filing, COMPLETE, by=by, apply=lambda f: _finish(f, today))
        _issue_approval(filing, values=values, by=by)
        _tell(filing, to="applicant", by=by, title=_("Filing %(number)s approved") % {"number": filing.number}, body=note)
    return step.item


def filing_refuse(*, filing: Filing, by, reason: str, legal_ground: str, decision: dict | None = None) -> Filing:
    """Refuse, with the reason and its legal ground; the refusal decision is issued."""
    _require(is_handler(by, filing))
    if not (legal_ground or "").strip():
        raise ValidationError({"legal_ground": _("Give the legal ground of the refusal (law and article).")})
    procedure = filing.procedure
    values = fieldspec.clean_values([{**s, "required": False} for s in procedure.decision_fields], decision or {})
    today = _today()

    def apply(f: Filing) -> None:
        f.decision = Decision.REFUSED
        f.decision_data = {k: v for k, v in values.items() if v not in (None, "")}
        f.decision_reason = reason.strip()
        f.legal_ground = legal_ground.strip()
        f.decided_at = timezone.now()

    with transaction.atomic():
        run(filing, REFUSE, by=by, note=reason, apply=apply, data={"legal_ground": legal_ground.strip()})
        step = run(filing, COMPLETE, by=by, apply=lambda f: _finish(f, today))
        _issue(
            filing,
            kind=DocumentKind.REFUSAL,
            title=procedure.refusal_title,
            body=[
                f"你（单位）于{_received(filing)}提交的{procedure.name}申请（办件编号：{filing.number}），经审查，本机关决定不予批准。",
                f"理由：{reason.strip()}",
                f"依据：{legal_ground.strip()}",
                APPEAL_RIGHTS,
            ],
            facts=[("结论", "不予批准")],
            by=by,
        )
        _tell(filing, to="applicant", by=by, title=_("Filing %(number)s refused") % {"number": filing.number}, body=reason)
    return step.item


def _finish(f: Filing, today: dt.date) -> None:
    f.done_on = today
    start = timezone.localtime(f.submitted_at).date() if f.submitted_at else today
    f.workdays_taken = max(workdays_between(start, today) - f.paused_workdays, 0)
    if f.due_on:
        f.on_time = today <= f.due_on
    else:
        f.on_time = f.workdays_taken <= f.procedure.promised_days


def _apply_to_registry(f: Filing, *, by, values: dict) -> None:
    """What approval does to the registry, by procedure kind. Runs inside the approval's
    transaction: a registry rule that refuses rolls the decision back with its message."""
    from shezhi.registry import services as registry

    kind = f.procedure.kind
    source = _source(f)
    reason = f"{f.procedure.name}（{f.number}）"
    if kind == ProcedureKind.ESTABLISHMENT:
        data = _registry_values(f)
        data.update({"credit_code": values.get("credit_code", ""), "founded_on": _today(), "town": f.town})
        org = registry.organization_register(data=data, by=by, source=source, reason=reason)
        _link_new_organization(f, org, by=by)
    elif kind == ProcedureKind.TOWN_FILING:
        data = _registry_values(f)
        data.pop("town", None)
        data.setdefault("founded_on", _today())
        org = registry.organization_file(town=f.town, data=data, by=by, source=source)
        _link_new_organization(f, org, by=by)
    elif kind in (ProcedureKind.CHANGE, ProcedureKind.REELECTION):
        changes = _registry_changes(f)
        if kind == ProcedureKind.CHANGE and not changes:
            raise ValidationError(_("Nothing in this application differs from the registry any more."))
        if changes:
            registry.organization_update(organization=f.organization, data=changes, by=by, reason=reason, source=source)
            f.subject_name = changes.get("name", f.subject_name)
    elif kind in (ProcedureKind.DEREGISTRATION, ProcedureKind.TOWN_DEFILING):
        registry.organization_set_status(
            organization=f.organization, status=OrganizationStatus.DEREGISTERED, by=by, reason=reason, source=source
        )


def _link_new_organization(f: Filing, org: Organization, *, by) -> None:
    """The new organization is the filing's; a person's account that applied for it becomes
    the organization's account, so it can file the next procedures itself."""
    f.organization = org
    f.subject_name = org.name
    applicant = f.applicant
    if applicant.role == Role.PUBLIC:
        User.objects.filter(pk=applicant.pk).update(role=Role.ORGANIZATION, organization=org)
        audit_record(
            action=AuditAction.USER_CHANGED,
            by=by,
            target=applicant,
            changes={"role": [Role.PUBLIC, Role.ORGANIZATION], "organization": [None, org.name]},
            source=_source(f),
        )


def _issue_approval(filing: Filing, *, values: dict, by) -> Document:
    procedure = filing.procedure
    org = filing.organization
    facts: list[tuple[str, str]] = [("结论", "准予")]
    lines = [
        f"你（单位）于{_received(filing)}提交的{procedure.name}申请（办件编号：{filing.number}），经审查，符合规定条件，本机关决定准予。"
    ]
    if procedure.kind == ProcedureKind.TOWN_FILING and org is not None:
        lines = [
            f"{org.name}：经审核，符合社区社会组织备案条件，准予备案。",
            f"备案编号：{org.filing_number}",
            f"所在镇（街道）：{org.town.name}" + (f"　所在社区：{org.community.name}" if org.community_id else ""),
            f"类别：{org.get_community_category_display()}",
        ]
        facts.append(("备案编号", org.filing_number))
        kind, title = DocumentKind.FILING_CERTIFICATE, procedure.approval_title
    else:
        kind, title = DocumentKind.APPROVAL, procedure.approval_title
        if procedure.kind == ProcedureKind.ESTABLISHMENT and org is not None:
            lines.append(f"统一社会信用代码：{org.credit_code}")
            facts.append(("统一社会信用代码", org.credit_code))
        if procedure.kind in (ProcedureKind.CHANGE, ProcedureKind.REELECTION, ProcedureKind.ESTABLISHMENT):
            registry_specs = [s for s in procedure.form_fields if s.get("registry_field")]
            lines += [f"- {label}：{shown}" for label, shown in fieldspec.labelled(registry_specs, filing.data)]
        for label, shown in fieldspec.labelled(procedure.decision_fields, values):
            lines.append(f"{label}：{shown}")
            facts.append((label, shown))
    return _issue(filing, kind=kind, title=title, body=lines, facts=facts, by=by)


TRANSITIONS: dict[str, Transition] = {
    t.name: t for t in (SUBMIT, RESUBMIT, ACCEPT, NOT_ACCEPT, REQUEST_CORRECTION, START_REVIEW, APPROVE, REFUSE, COMPLETE, WITHDRAW)
}


# --- the daily run ----------------------------------------------------------------------


def filings_lapse_corrections(*, on: dt.date) -> int:
    """Close, as withdrawn, every filing whose period to supply materials ended before `on`.
    Idempotent: a closed filing is no longer waiting for materials."""
    closed = 0
    late = Filing.objects.filter(status=S.CORRECTION, correction_due_on__lt=on).select_related("procedure").order_by("id")
    for filing in late:

        def apply(f: Filing) -> None:
            _resume_clock(f, on)
            f.decision = Decision.WITHDRAWN
            f.decided_at = timezone.now()

        note = _("The materials asked for were not supplied by %(date)s; the application is deemed withdrawn.") % {
            "date": filing.correction_due_on.isoformat()
        }
        with transaction.atomic():
            try:
                run(filing, LAPSE, by=None, note=note, apply=apply)
            except TransitionRefused:  # resubmitted or withdrawn meanwhile
                continue
            _tell(
                filing,
                to="applicant",
                title=_("Filing %(number)s closed: materials not supplied in time") % {"number": filing.number},
                body=note,
            )
            _tell(
                filing,
                to="handlers",
                title=_("Filing %(number)s closed: materials not supplied in time") % {"number": filing.number},
                body=note,
            )
        closed += 1
    return closed


def filings_due_reminders(*, on: dt.date) -> dict[str, int]:
    """Tell the handlers of each open filing whose promised date is near (the procedure's
    remind_days working days before) or passed. Each reminder is sent once per date."""
    from shezhi.affairs.models import CLOCK_RUNNING, DueReminder

    sent = {"due_soon": 0, "overdue": 0}
    running = Filing.objects.filter(status__in=CLOCK_RUNNING, due_on__isnull=False).select_related("procedure").order_by("due_on", "id")
    for filing in running.iterator(chunk_size=500):
        if filing.due_on < on:
            kind = DueReminder.Kind.OVERDUE
            title = _("Filing %(number)s is overdue: it was due on %(date)s") % {"number": filing.number, "date": filing.due_on.isoformat()}
        elif add_workdays(on, filing.procedure.remind_days) >= filing.due_on:
            kind = DueReminder.Kind.DUE_SOON
            title = _("Filing %(number)s is due on %(date)s") % {"number": filing.number, "date": filing.due_on.isoformat()}
        else:
            continue
        with transaction.atomic():
            _reminder, created = DueReminder.objects.get_or_create(filing=filing, kind=kind, due_on=filing.due_on, defaults={"sent_on": on})
            if created:
                _tell(filing, to="handlers", title=title)
                sent[kind] += 1
    return sent
