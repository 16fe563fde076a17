"""Writes of complaint handling. Views, the daily job and the demo data all call these.

The workflow (shezhi.workflow.engine): received → accepted (受理) | not accepted (不予受理,
with the reason, which the complainant sees) → under investigation → answered (the reply to
the complainant) → closed with an outcome, and a reference to the action taken where the
outcome calls for one. The bureau may pass an open complaint to another office of its city.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import random
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shezhi.accounts.models import Role, User
from shezhi.affairs.uploads import check_upload
from shezhi.areas.models import Area, AreaLevel
from shezhi.audit.models import AuditAction
from shezhi.audit.services import audit_record
from shezhi.complaints import tokens
from shezhi.complaints.models import (
    OPEN_STATUSES,
    Complaint,
    ComplaintAttachment,
    ComplaintCategory,
    ComplaintOutcome,
    ComplaintReminder,
    ComplaintRules,
    ComplaintStatus,
    SubmissionMark,
    office_label,
)
from shezhi.complaints.rules import OVERDUE, all_rules, due_date, reminder_stage, rules_for
from shezhi.privacy import keyed_hash
from shezhi.registry.models import Organization
from shezhi.workflow.engine import run, transition
from shezhi.workflow.models import WorkflowEvent

log = logging.getLogger(__name__)
S = ComplaintStatus

ACCEPT = transition("accept", [S.RECEIVED], S.ACCEPTED, label=gettext_lazy("Accept"))
NOT_ACCEPT = transition(
    "not_accept",
    [S.RECEIVED],
    S.NOT_ACCEPTED,
    label=gettext_lazy("Do not accept"),
    note_required=True,
    note_hint=gettext_lazy("Give the reason for not accepting; the complainant will read it."),
)
INVESTIGATE = transition("investigate", [S.ACCEPTED], S.INVESTIGATING, label=gettext_lazy("Start the investigation"))
ANSWER = transition(
    "answer",
    [S.ACCEPTED, S.INVESTIGATING],
    S.ANSWERED,
    label=gettext_lazy("Answer the complainant"),
    note_required=True,
    note_hint=gettext_lazy("Write the answer to the complainant."),
)
CLOSE = transition("close", [S.ANSWERED], S.CLOSED, label=gettext_lazy("Close with an outcome"))
STEPS = {t.name: t for t in (ACCEPT, NOT_ACCEPT, INVESTIGATE, ANSWER, CLOSE)}
REASSIGN_LABEL = gettext_lazy("Pass to another office")

DESCRIPTION_MIN = 10
DESCRIPTION_MAX = 5000
PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
MARKS_KEPT_DAYS = 2


# --- who handles ------------------------------------------------------------------------


def handles(user, complaint: Complaint) -> bool:
    """The bureau of the complaint's city, and the officers of the town handling it."""
    if not getattr(user, "is_authenticated", False) or user.area_id is None:
        return False
    if user.role == Role.BUREAU:
        return user.area_id == complaint.city_id or (user.area.level == AreaLevel.PROVINCE)
    if user.role == Role.TOWN:
        return user.area_id == complaint.handling_area_id
    return False


def _require_handler(user, complaint: Complaint) -> None:
    # Views answer 404 first; this guards every other caller.
    if not handles(user, complaint):
        raise PermissionDenied(_("You do not handle this complaint."))


def office_staff(area: Area) -> list[User]:
    """The accounts of an office: the town's officers, or the city's bureau."""
    role = Role.BUREAU if area.level == AreaLevel.CITY else Role.TOWN
    return list(User.objects.filter(role=role, area=area, is_active=True))


def _tell(*, recipients: Iterable[User], title: str, body: str = "", url: str = "", subject=None) -> int:
    from shezhi.notifications.services import notify

    return len(notify(recipients=recipients, title=title, body=body, url=url, subject=subject))


def _staff_url(complaint: Complaint) -> str:
    return reverse("complaints:detail", args=[complaint.pk])


# --- throttle ---------------------------------------------------------------------------


def client_key(ip: str | None) -> str | None:
    """What the throttle keeps of a network address: a keyed hash, never the address."""
    return keyed_hash(f"complaints:{ip}") if ip else None


def throttle_problem(*, key: str | None, rules: ComplaintRules, now: dt.datetime | None = None) -> str | None:
    """Why one more complaint from this address is refused now, or None."""
    if key is None:
        return None
    now = now or timezone.now()
    day = list(SubmissionMark.objects.filter(key=key, at__gt=now - dt.timedelta(days=1)).values_list("at", flat=True))
    last_hour = sum(1 for at in day if at > now - dt.timedelta(hours=1))
    if last_hour >= rules.max_per_address_hour or len(day) >= rules.max_per_address_day:
        return _("Too many complaints were sent from your network in a short time. Please try again later, or call the bureau.")
    return None


# --- submitting -------------------------------------------------------------------------


@dataclass
class Submitted:
    complaint: Complaint
    code: str  # shown once to the complainant, stored only hashed


def _clean_phone(value: str) -> str:
    return re.sub(r"[\s()（）]", "", value or "")


def _organization_and_area(data: Mapping) -> tuple[Organization | None, str, Area]:
    errors: dict[str, list[str]] = {}
    org = data.get("organization")
    name = " ".join(str(data.get("organization_name") or "").split())[:100]
    town = data.get("town")
    if org is not None:
        if not isinstance(org, Organization):
            org = Organization.objects.select_related("town").filter(pk=org).first()
            if org is None:
                raise ValidationError({"organization": _("Choose an organization from the list, or write its name.")})
        return org, org.name, org.town
    if not name:
        errors.setdefault("organization_name", []).append(
            _("Write the name of the organization (as far as you know it), or choose it from the list.")
        )
    if town is None:
        errors.setdefault("town", []).append(_("Choose the town or street where the organization is active."))
    elif not isinstance(town, Area) or town.level != AreaLevel.TOWN:
        errors.setdefault("town", []).append(_("Choose a town or street."))
    if errors:
        raise ValidationError(errors)
    # Someone who typed the exact name of an organization of that town means that organization.
    found = Organization.objects.filter(town=town, name=name).order_by("id").first()
    return found, name, town


def _store_attachment(complaint: Complaint, upload, checked) -> ComplaintAttachment:
    folder = Path(settings.MEDIA_ROOT) / "complaints" / str(complaint.pk)
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"{complaint.pk}/{secrets.token_hex(16)}.{checked.extension}"
    digest = hashlib.sha256()
    with open(Path(settings.MEDIA_ROOT) / "complaints" / stored, "wb") as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            out.write(chunk)
    name = (getattr(upload, "name", "") or "file").replace("\\", "/").rsplit("/", 1)[-1][:200]
    return ComplaintAttachment.objects.create(
        complaint=complaint,
        original_name=name,
        stored_name=stored,
        content_type=checked.content_type,
        size=checked.size,
        sha256=digest.hexdigest(),
    )


def attachment_path(attachment: ComplaintAttachment) -> Path | None:
    root = (Path(settings.MEDIA_ROOT) / "complaints").resolve()
    path = (root / attachment.stored_name).resolve()
    if root not in path.parents or not path.exists():
        return None
    return path


def complaint_submit(
    *,
    data: Mapping,
    attachments: Sequence = (),
    by=None,
    client: str | None = None,
    on: dt.date | None = None,
    rng: random.Random | None = None,
    is_demo: bool = False,
) -> Submitted:
    """File a complaint from the public. `data`: organization (or organization_name and
    town), category, description, anonymous, contact_name, contact_phone. An anonymous
    complaint keeps no name, phone or account. Routed to the officers of the organization's
    town, with the city bureau informed; due `answer_workdays` working days after receipt.
    `client` is the throttle key of the sender's address (client_key)."""
    errors: dict[str, list[str]] = {}
    try:
        org, org_name, town = _organization_and_area(data)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        org, org_name, town = None, "", None
    category = data.get("category")
    if not isinstance(category, ComplaintCategory) or not category.active:
        errors.setdefault("category", []).append(_("Choose what the complaint is about."))
    description = str(data.get("description") or "").strip()
    if len(description) < DESCRIPTION_MIN:
        errors.setdefault("description", []).append(
            _("Describe what happened in at least %(n)s characters: what, when and where.") % {"n": DESCRIPTION_MIN}
        )
    elif len(description) > DESCRIPTION_MAX:
        errors.setdefault("description", []).append(
            _("The description is %(len)s characters long; the limit is %(max)s.") % {"len": len(description), "max": DESCRIPTION_MAX}
        )
    anonymous = bool(data.get("anonymous", True))
    name = phone = ""
    if not anonymous:
        name = " ".join(str(data.get("contact_name") or "").split())[:40]
        phone = _clean_phone(str(data.get("contact_phone") or ""))
        if not name:
            errors.setdefault("contact_name", []).append(_("Give your name, or choose to complain anonymously."))
        if not PHONE.match(phone):
            errors.setdefault("contact_phone", []).append(_("Give a mobile number (11 digits) or a landline with its area code."))
    rules = rules_for(town.city_id if town is not None else None)
    files = list(attachments or [])
    if len(files) > rules.max_attachments:
        errors.setdefault("attachments", []).append(_("Attach at most %(n)s files.") % {"n": rules.max_attachments})
    checked = []
    for upload in files:
        try:
            checked.append(check_upload(upload))
        except ValidationError as exc:
            for message in exc.messages:
                errors.setdefault("attachments", []).append(f"{getattr(upload, 'name', '')}: {message}")
    if errors:
        raise ValidationError(errors)

    on = on or timezone.localdate()
    with transaction.atomic():
        problem = throttle_problem(key=client, rules=rules)
        if problem:
            raise ValidationError(problem, code="throttled")
        complaint = Complaint(
            organization=org,
            organization_name=org_name,
            city_id=town.city_id,
            town=town,
            handling_area=town,
            category=category,
            description=description,
            anonymous=anonymous,
            contact_name=name,
            contact_phone=phone,
            submitted_by=by if (not anonymous and getattr(by, "is_authenticated", False)) else None,
            received_on=on,
            due_on=due_date(on, rules),
            is_demo=is_demo,
        )
        code = tokens.new_code(rng)
        complaint.code_hash = make_password(code)
        for _attempt in range(8):
            complaint.number = tokens.new_number(on.year, rng)
            try:
                with transaction.atomic():
                    complaint.save()
                break
            except IntegrityError:  # the number is taken: draw another
                complaint.pk = None
        else:  # pragma: no cover - 40 random bits colliding eight times
            raise ValidationError(_("No tracking number could be issued; please try again."))
        for upload, check in zip(files, checked, strict=True):
            _store_attachment(complaint, upload, check)
        if client is not None:
            SubmissionMark.objects.create(key=client, at=timezone.now())
        audit_record(
            action=AuditAction.COMPLAINT_RECEIVED,
            # An anonymous complaint names no account, not even in the audit log.
            by=by if not anonymous else None,
            target=complaint,
            changes={
                "organization": [None, org_name],
                "town": [None, town.name],
                "category": [None, category.name],
                "anonymous": [None, anonymous],
                "attachments": [None, len(files)],
                "due_on": [None, complaint.due_on.isoformat()],
            },
            source="complaints:portal" if not is_demo else "seed_demo",
        )
        people = office_staff(town) + office_staff(town.city)
        _tell(
            recipients=people,
            title=_("New complaint %(number)s about %(org)s") % {"number": complaint.number, "org": org_name},
            body=_("Category: %(category)s. Answer due by %(date)s.") % {"category": category.name, "date": complaint.due_on.isoformat()},
            url=_staff_url(complaint),
            subject=complaint,
        )
    return Submitted(complaint=complaint, code=code)


# --- following it -----------------------------------------------------------------------

# A hash of a code nobody has, checked when the number is unknown, so that a wrong number
# takes as long to refuse as a wrong code.
_DUMMY_HASH: list[str] = []


def complaint_track(*, number: str, code: str) -> Complaint | None:
    """The complaint with this tracking number and query code, or None. The caller cannot
    tell a wrong number from a wrong code."""
    wanted = tokens.normalize_number(number)
    given = tokens.normalize_code(code) or ""
    complaint = (
        Complaint.objects.select_related("category", "outcome", "handling_area", "town", "city").filter(number=wanted).first()
        if wanted
        else None
    )
    if complaint is None:
        if not _DUMMY_HASH:
            _DUMMY_HASH.append(make_password(tokens.new_code()))
        check_password(given, _DUMMY_HASH[0])
        return None
    if not given or not check_password(given, complaint.code_hash):
        return None
    return complaint


# --- handling ---------------------------------------------------------------------------


def _notify_office(complaint: Complaint, title: str, *, body: str = "", bureau_too: bool = False) -> None:
    area = Area.objects.select_related("city").get(pk=complaint.handling_area_id)
    people = office_staff(area)
    if bureau_too and area.level != AreaLevel.CITY:
        people += office_staff(area.city)
    _tell(recipients=people, title=title, body=body, url=_staff_url(complaint), subject=complaint)


def _office_data(complaint: Complaint) -> dict:
    """The office that took a step, for the public timeline (which names offices, not people)."""
    return {"office": office_label(Area.objects.get(pk=complaint.handling_area_id))}


def complaint_accept(*, complaint: Complaint, by, note: str = "") -> Complaint:
    """Accept the complaint for handling (受理)."""
    _require_handler(by, complaint)
    return _accept(complaint, by=by, note=note)


def _accept(complaint: Complaint, *, by, note: str = "") -> Complaint:
    today = timezone.localdate()

    def apply(c: Complaint) -> None:
        c.accepted_on = today

    return run(complaint, ACCEPT, by=by, note=note, apply=apply, data=_office_data(complaint)).item


def complaint_not_accept(*, complaint: Complaint, by, note: str) -> Complaint:
    """Decide not to accept it (不予受理), with a reason the complainant reads. This ends it."""
    _require_handler(by, complaint)
    return _not_accept(complaint, by=by, note=note)


def _not_accept(complaint: Complaint, *, by, note: str) -> Complaint:
    today = timezone.localdate()

    def apply(c: Complaint) -> None:
        c.decision_reason = (note or "").strip()
        c.closed_on = today

    return run(complaint, NOT_ACCEPT, by=by, note=note, apply=apply, notify=_tell_complainant).item


def complaint_investigate(*, complaint: Complaint, by, note: str = "") -> Complaint:
    _require_handler(by, complaint)
    return _investigate(complaint, by=by, note=note)


def _investigate(complaint: Complaint, *, by, note: str = "") -> Complaint:
    return run(complaint, INVESTIGATE, by=by, note=note, data=_office_data(complaint)).item


def complaint_answer(*, complaint: Complaint, by, reply: str) -> Complaint:
    """Answer the complainant. The answer is what they read when they follow the complaint;
    an answer after the due date is recorded as late."""
    _require_handler(by, complaint)
    return _answer(complaint, by=by, reply=reply)


def _answer(complaint: Complaint, *, by, reply: str) -> Complaint:
    today = timezone.localdate()
    reply = (reply or "").strip()
    if len(reply) > DESCRIPTION_MAX:
        raise ValidationError({"note": _("The answer is too long (at most %(max)s characters).") % {"max": DESCRIPTION_MAX}})

    def apply(c: Complaint) -> None:
        c.reply = reply
        c.answered_on = today

    return run(complaint, ANSWER, by=by, note=reply, apply=apply, data=_office_data(complaint), notify=_tell_complainant).item


def complaint_close(*, complaint: Complaint, by, outcome: ComplaintOutcome | None, action_reference: str = "", note: str = "") -> Complaint:
    """Close an answered complaint with its outcome. Where the outcome calls for it, the
    action taken (a penalty decision, a rectification order, ...) must be named, so that
    every complaint is traced to what came of it."""
    _require_handler(by, complaint)
    return _close(complaint, by=by, outcome=outcome, action_reference=action_reference, note=note)


def _close(complaint: Complaint, *, by, outcome: ComplaintOutcome | None, action_reference: str = "", note: str = "") -> Complaint:
    today = timezone.localdate()
    reference = " ".join((action_reference or "").split())[:200]
    errors: dict[str, list[str]] = {}
    if not isinstance(outcome, ComplaintOutcome) or not outcome.active:
        errors["outcome"] = [_("Choose the outcome.")]
    elif outcome.action_required and not reference:
        errors["action_reference"] = [
            _("“%(outcome)s” needs the action taken: e.g. the penalty decision or rectification order number.") % {"outcome": outcome.name}
        ]
    if errors:
        raise ValidationError(errors)

    def apply(c: Complaint) -> None:
        c.outcome = outcome
        c.action_reference = reference
        c.closed_on = today

    return run(
        complaint,
        CLOSE,
        by=by,
        note=note,
        apply=apply,
        data={"outcome": outcome.code, "action_reference": reference},
        notify=_tell_complainant,
    ).item


def reassign_targets(user, complaint: Complaint):
    """The offices the bureau may pass a complaint to: its city's towns and the bureau itself."""
    if not (getattr(user, "is_authenticated", False) and user.role == Role.BUREAU and handles(user, complaint)):
        return Area.objects.none()
    from django.db.models import Q

    return Area.objects.filter(Q(pk=complaint.city_id) | Q(level=AreaLevel.TOWN, city_id=complaint.city_id)).order_by("level", "code")


def complaint_reassign(*, complaint: Complaint, by, to: Area, note: str) -> Complaint:
    """The bureau passes an open complaint to another office of its city (a town, or itself).
    The due date stays: the complainant's wait does not restart."""
    if not (getattr(by, "is_authenticated", False) and by.role == Role.BUREAU):
        raise PermissionDenied(_("Only the bureau passes a complaint to another office."))
    _require_handler(by, complaint)
    if not isinstance(to, Area) or not reassign_targets(by, complaint).filter(pk=to.pk).exists():
        raise ValidationError({"to": _("Choose a town or street of the city, or the bureau.")})
    if to.pk == complaint.handling_area_id:
        raise ValidationError({"to": _("The complaint is already with this office.")})
    if complaint.status not in OPEN_STATUSES:
        raise ValidationError(_("Only a complaint still being handled can be passed on."))
    if not (note or "").strip():
        raise ValidationError({"note": _("Say why the complaint goes to another office.")})
    current = complaint.status
    step = transition("reassign", [current], current, label=REASSIGN_LABEL)
    before = office_label(complaint.handling_area)

    def apply(c: Complaint) -> None:
        c.handling_area = to

    def tell(c: Complaint, _event: WorkflowEvent) -> None:
        _notify_office(c, _("Complaint %(number)s passed to your office") % {"number": c.number}, body=note)

    return run(
        complaint,
        step,
        by=by,
        note=note,
        apply=apply,
        data={"from_office": before, "to_office": office_label(to), "to_area": to.pk},
        notify=tell,
    ).item


def _tell_complainant(complaint: Complaint, _event: WorkflowEvent) -> None:
    """A named complainant who sent it while signed in is told in the app as well."""
    if complaint.submitted_by_id is None:
        return
    user = User.objects.filter(pk=complaint.submitted_by_id).first()
    if user is not None:
        _tell(
            recipients=[user],
            title=_("Your complaint %(number)s: %(status)s") % {"number": complaint.number, "status": complaint.get_status_display()},
            url=reverse("complaints:track"),
            subject=complaint,
        )


def contact_view_record(*, complaint: Complaint, by) -> None:
    """Full contact details are shown only through this step, which is audited."""
    _require_handler(by, complaint)
    audit_record(
        action=AuditAction.PERSONAL_DATA_VIEWED,
        by=by,
        target=complaint,
        changes={"fields": ["contact_name", "contact_phone"]},
        source="complaints",
    )


# --- the daily job ----------------------------------------------------------------------


@dataclass
class ReminderRun:
    sent: int = 0
    overdue: int = 0
    already_sent: int = 0
    without_staff: int = 0
    marks_purged: int = 0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def complaint_reminders_send(*, today: dt.date | None = None) -> ReminderRun:
    """Tell the handling office before a complaint's due date (the rules' working days) and
    once it is overdue, with the bureau told of every overdue one. Idempotent: each
    (complaint, stage) is sent once, enforced by a unique key. Also drops throttle marks
    older than two days."""
    from shezhi.workdays.services import add_workdays

    today = today or timezone.localdate()
    outcome = ReminderRun()
    book = all_rules()
    default = book.get(None) or ComplaintRules()
    horizon = add_workdays(today, max([*(max(r.remind_list, default=0) for r in book.values()), *default.remind_list, 0]))
    candidates = (
        Complaint.objects.filter(status__in=OPEN_STATUSES, due_on__lte=horizon)
        .select_related("handling_area", "handling_area__city", "city")
        .order_by("due_on", "pk")
    )
    done = set(ComplaintReminder.objects.filter(complaint__in=candidates).values_list("complaint_id", "stage"))
    staff: dict[int, list[User]] = {}

    def of(area: Area) -> list[User]:
        if area.pk not in staff:
            staff[area.pk] = office_staff(area)
        return staff[area.pk]

    for complaint in candidates.iterator(chunk_size=500):
        rules = book.get(complaint.city_id) or default
        stage = reminder_stage(today, complaint.due_on, rules.remind_list)
        if stage is None:
            continue
        if (complaint.pk, stage) in done:
            outcome.already_sent += 1
            continue
        area = complaint.handling_area
        people = list(of(area))
        if stage == OVERDUE and area.level != AreaLevel.CITY:
            people += of(area.city)
        if not people:
            outcome.without_staff += 1  # not recorded: an account opened later still gets it
            continue
        with transaction.atomic():
            _row, created = ComplaintReminder.objects.get_or_create(
                complaint=complaint, stage=stage, defaults={"due_on": complaint.due_on, "recipients": len(people)}
            )
            if not created:
                outcome.already_sent += 1
                continue
            if stage == OVERDUE:
                title = _("Overdue complaint %(number)s: the answer was due on %(date)s") % {
                    "number": complaint.number,
                    "date": complaint.due_on.isoformat(),
                }
                outcome.overdue += 1
            else:
                title = _("Complaint %(number)s: answer due on %(date)s") % {
                    "number": complaint.number,
                    "date": complaint.due_on.isoformat(),
                }
            _tell(recipients=people, title=title, body=complaint.organization_name, url=_staff_url(complaint), subject=complaint)
            outcome.sent += 1
    outcome.marks_purged = SubmissionMark.objects.filter(at__lt=timezone.now() - dt.timedelta(days=MARKS_KEPT_DAYS)).delete()[0]
    return outcome
