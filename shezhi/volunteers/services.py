"""Writes of the volunteer section: registration, changes, recovery, merges, teams, stations.

Every write is a keyword-only function here; views, the importer, the API and the demo
seeder call them (the seeder bulk-inserts but reuses `prepare_identity` and the numbering).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shezhi.areas.models import Area, AreaLevel
from shezhi.audit.models import AuditAction
from shezhi.audit.services import audit_record, diff
from shezhi.privacy import keyed_hash, mask_phone
from shezhi.volunteers.models import (
    AgeRules,
    Gender,
    IdType,
    Membership,
    Station,
    Volunteer,
    VolunteerSequence,
    VolunteerStatus,
    VolunteerTeam,
)
from shezhi.volunteers.selectors import mask_id_number
from shezhi.volunteers.validators import normalize, validate_id

# Enum .values builds a list on every call; the import checks each row against these.
ID_TYPES = frozenset(IdType.values)
GENDERS = frozenset(Gender.values)
PHONE_RE = re.compile(r"1\d{10}|0\d{2,3}-?\d{7,8}")

# Plain fields a caller may set through volunteer_register / volunteer_update.
SCALAR_FIELDS = [
    "name",
    "phone",
    "town",
    "community",
    "skills_note",
    "availability",
    "guardian_name",
    "guardian_phone",
    "guardian_consent_on",
]
M2M_FIELDS = ["skills", "preferences"]
# Fields whose values never go into the audit log in clear.
PERSONAL_FIELDS = {"phone", "guardian_phone", "id_number"}


class DuplicateVolunteer(ValidationError):
    """The ID number is already registered: the caller offers the recovery path."""

    def __init__(self, existing: Volunteer):
        self.existing = existing
        super().__init__(
            {
                "id_number": _(
                    "This ID number is already registered (volunteer number %(number)s). "
                    "If it is yours, recover the account instead of registering again."
                )
                % {"number": existing.volunteer_number}
            },
            code="duplicate",
        )


def age_rules_on(on: dt.date, book: list[AgeRules] | None = None) -> AgeRules:
    """The age rules in force on a date. `book` (all rows, newest first) saves the query
    when many rows are checked (the import)."""
    if book is None:
        rules = AgeRules.objects.filter(valid_from__lte=on).order_by("-valid_from").first()
    else:
        rules = next((r for r in book if r.valid_from <= on), None)
    return rules or AgeRules(valid_from=on)  # the model defaults if the table was emptied


def age_rules_book() -> list[AgeRules]:
    return list(AgeRules.objects.order_by("-valid_from"))


def age_on(birth_date: dt.date, on: dt.date) -> int:
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def id_hash_of(normalized: str) -> str:
    return keyed_hash(normalized)


def prepare_identity(*, id_type: str, id_number: str, birth_date: dt.date | None, gender: str | None, today: dt.date | None = None):
    """Validate the ID and fill birth date and gender from it where the number carries them.

    Returns (normalized number, hash, birth date, gender). A birth date or gender given by
    hand that contradicts the number is an error, not silently replaced.
    """
    if id_type not in ID_TYPES:
        raise ValidationError({"id_type": _("Choose an ID type from the list.")})
    try:
        number, born, sex = validate_id(id_type, id_number, today=today)
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.messages}) from None
    errors = {}
    if born is not None:
        if birth_date and birth_date != born:
            errors["birth_date"] = _("The date of birth does not match the ID number.")
        birth_date = born
    elif not birth_date:
        errors["birth_date"] = _("Enter the date of birth.")
    if sex is not None:
        if gender and gender != sex:
            errors["gender"] = _("The gender does not match the ID number.")
        gender = sex
    elif not gender or gender not in Gender.values:
        errors["gender"] = _("Choose the gender.")
    if errors:
        raise ValidationError(errors)
    return number, id_hash_of(number), birth_date, gender


def check_age(
    *,
    birth_date: dt.date,
    on: dt.date,
    guardian_name: str,
    guardian_phone: str,
    guardian_consent_on,
    self_service: bool,
    book: list[AgeRules] | None = None,
) -> None:
    """Minors need a guardian's name, phone and consent; young children cannot register alone.

    The ages are data (AgeRules); see its docstring for the sources.
    """
    if birth_date > on:
        raise ValidationError({"birth_date": _("The date of birth is after the registration date.")})
    rules = age_rules_on(on, book)
    age = age_on(birth_date, on)
    if age >= rules.adult_age:
        return
    if self_service and age < rules.self_registration_age:
        raise ValidationError(
            _(
                "Children under %(age)d cannot register by themselves. Please come with your guardian to your community "
                "or town office, where staff register you."
            )
            % {"age": rules.self_registration_age},
            code="too_young",
        )
    errors = {}
    if not (guardian_name or "").strip():
        errors["guardian_name"] = _("A volunteer under %(age)d needs a guardian: enter the guardian's name.") % {"age": rules.adult_age}
    if not (guardian_phone or "").strip():
        errors["guardian_phone"] = _("Enter the guardian's phone.")
    if not guardian_consent_on:
        errors["guardian_consent_on"] = _("Record the date the guardian gave consent.")
    elif guardian_consent_on > on:
        errors["guardian_consent_on"] = _("The guardian's consent cannot be dated after the registration.")
    if errors:
        raise ValidationError(errors)


def check_area(*, town: Area | None, community: Area | None) -> Area:
    """The area of residence: a town (and optionally one of its communities). Returns the city."""
    if town is None or town.level != AreaLevel.TOWN:
        raise ValidationError({"town": _("Choose the town or street where the volunteer lives.")})
    if community is not None and (community.level != AreaLevel.COMMUNITY or community.town_id != town.pk):
        raise ValidationError({"community": _("The community is not in the chosen town.")})
    return town.city


def check_phone(value: str, *, field: str = "phone", required: bool) -> str:
    value = normalize(value or "")
    if not value:
        if required:
            raise ValidationError({field: _("Enter a phone number.")})
        return ""
    if not PHONE_RE.fullmatch(value):
        raise ValidationError({field: _("Enter an 11-digit mobile number or a landline with its area code.")})
    return value


def next_volunteer_number(*, city: Area, count: int = 1) -> list[str]:
    """Issue `count` volunteer numbers of a city: its 6-digit code and an 8-digit sequence.

    The city's sequence row is locked (select_for_update) so two registrations never get
    the same number; callers run inside a transaction.
    """
    VolunteerSequence.objects.get_or_create(city=city)
    seq = VolunteerSequence.objects.select_for_update().get(city=city)
    first = seq.last + 1
    seq.last += count
    seq.save(update_fields=["last"])
    prefix = city.code[:6]
    return [f"{prefix}{n:08d}" for n in range(first, first + count)]


def find_existing(*, id_type: str, id_hash: str) -> Volunteer | None:
    return Volunteer.objects.filter(id_type=id_type, id_hash=id_hash).exclude(status=VolunteerStatus.MERGED).first()


def _m2m(data: Mapping[str, Any]) -> dict[str, list]:
    return {k: list(data[k]) for k in M2M_FIELDS if k in data and data[k] is not None}


def _public_changes(values: Mapping[str, Any]) -> dict[str, Any]:
    """Audit-safe values: personal fields masked."""
    out = {}
    for k, v in values.items():
        if k in PERSONAL_FIELDS:
            out[k] = mask_phone(v) if k != "id_number" else mask_id_number(v)
        else:
            out[k] = v if isinstance(v, (str, int, bool, type(None))) else str(v)
    return out


@transaction.atomic
def volunteer_register(
    *,
    data: Mapping[str, Any],
    by,
    user=None,
    self_service: bool = False,
    source: str = "",
    today: dt.date | None = None,
) -> Volunteer:
    """Register a volunteer (real-name registration, 实名注册).

    `data`: name, id_type, id_number, birth_date/gender (taken from the number where it
    carries them), phone, town, community, skills, preferences, availability, skills_note,
    guardian_name/phone/consent_on, registered_on (default today).
    `user`: the account the record belongs to (self-registration) or None (staff register a
    person without an account; the person can link it later by recovery).
    A number already registered raises DuplicateVolunteer carrying the existing record.
    """
    today = today or timezone.localdate()
    registered_on = data.get("registered_on") or today
    if registered_on > today:
        raise ValidationError({"registered_on": _("The registration date cannot be in the future.")})
    id_type = data.get("id_type") or IdType.ID_CARD
    number, id_hash, birth_date, gender = prepare_identity(
        id_type=id_type, id_number=data.get("id_number") or "", birth_date=data.get("birth_date"), gender=data.get("gender"), today=today
    )
    existing = find_existing(id_type=id_type, id_hash=id_hash)
    if existing is not None:
        raise DuplicateVolunteer(existing)
    if user is not None and Volunteer.objects.filter(user=user).exclude(status=VolunteerStatus.MERGED).exists():
        raise ValidationError(_("This account is already registered as a volunteer."), code="account_taken")
    city = check_area(town=data.get("town"), community=data.get("community"))
    phone = check_phone(data.get("phone") or "", required=self_service)
    guardian_phone = check_phone(data.get("guardian_phone") or "", field="guardian_phone", required=False)
    check_age(
        birth_date=birth_date,
        on=registered_on,
        guardian_name=data.get("guardian_name") or "",
        guardian_phone=guardian_phone,
        guardian_consent_on=data.get("guardian_consent_on"),
        self_service=self_service,
    )
    v = Volunteer(
        user=user,
        name=(data.get("name") or "").strip(),
        id_type=id_type,
        id_number=number,
        id_hash=id_hash,
        birth_date=birth_date,
        gender=gender,
        phone=phone,
        phone_hash=keyed_hash(phone) if phone else "",
        city=city,
        town=data["town"],
        community=data.get("community"),
        skills_note=(data.get("skills_note") or "").strip(),
        availability=data.get("availability") or "anytime",
        guardian_name=(data.get("guardian_name") or "").strip(),
        guardian_phone=guardian_phone,
        guardian_consent_on=data.get("guardian_consent_on"),
        registered_on=registered_on,
        registered_by=by if getattr(by, "is_authenticated", False) else None,
        volunteer_number="pending",
    )
    v.full_clean(exclude=["volunteer_number", "id_hash", "phone_hash"], validate_constraints=False)
    v.volunteer_number = next_volunteer_number(city=city)[0]
    try:
        with transaction.atomic():
            v.save()
    except IntegrityError:
        # Two registrations of the same number raced; the loser sees the winner's record.
        existing = find_existing(id_type=id_type, id_hash=id_hash)
        if existing is not None:
            raise DuplicateVolunteer(existing) from None
        raise
    for field, values in _m2m(data).items():
        getattr(v, field).set(values)
    audit_record(
        action=AuditAction.VOLUNTEER_REGISTERED,
        by=by,
        target=v,
        changes={
            "volunteer_number": v.volunteer_number,
            "id_type": id_type,
            "id_number": mask_id_number(number, id_type),
            "town": str(v.town),
            "self_service": self_service,
        },
        source=source,
    )
    return v


# --- self-registration with a new account -------------------------------------------------


@transaction.atomic
def account_create_public(*, username: str, password: str, display_name: str = ""):
    """A resident's account (role public). Django's password validators apply."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password

    User = get_user_model()
    username = (username or "").strip()
    if not username:
        raise ValidationError({"username": _("Choose a user name.")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This user name is taken: choose another, or log in if it is yours.")})
    candidate = User(username=username, display_name=display_name[:60], role="public")
    try:
        User._meta.get_field("username").run_validators(username)
        validate_password(password, user=candidate)
    except ValidationError as exc:
        field = "password" if any(e.code and "password" in e.code for e in exc.error_list) else "username"
        raise ValidationError({field: exc.messages}) from None
    candidate.set_password(password)
    candidate.save()
    return candidate


@transaction.atomic
def volunteer_register_with_account(*, data: Mapping[str, Any], username: str, password: str, today: dt.date | None = None):
    """An anonymous visitor registers as a volunteer and gets an account in one step.

    If the ID is already registered, DuplicateVolunteer is raised and no account is made.
    """
    # Check the identity first: a duplicate must not leave a stray account behind (the
    # transaction would undo it anyway; this keeps the message about the ID, not the name).
    id_type = data.get("id_type") or IdType.ID_CARD
    _number, id_hash, _born, _sex = prepare_identity(
        id_type=id_type, id_number=data.get("id_number") or "", birth_date=data.get("birth_date"), gender=data.get("gender"), today=today
    )
    existing = find_existing(id_type=id_type, id_hash=id_hash)
    if existing is not None:
        raise DuplicateVolunteer(existing)
    user = account_create_public(username=username, password=password, display_name=(data.get("name") or "").strip())
    return volunteer_register(data=data, by=user, user=user, self_service=True, source="self", today=today)


# --- changes ------------------------------------------------------------------------------

SELF_EDIT_FIELDS = ["phone", "town", "community", "skills", "preferences", "skills_note", "availability"]
STAFF_EDIT_FIELDS = ["name", *SELF_EDIT_FIELDS, "guardian_name", "guardian_phone", "guardian_consent_on"]


def _snapshot(v: Volunteer) -> dict[str, Any]:
    snap = {f: getattr(v, f) for f in SCALAR_FIELDS}
    if v.pk:
        snap["skills"] = sorted(s.name for s in v.skills.all())
        snap["preferences"] = sorted(d.name for d in v.preferences.all())
    return snap


@transaction.atomic
def volunteer_update(
    *, volunteer: Volunteer, data: Mapping[str, Any], by, fields: list[str], reason: str = "", source: str = ""
) -> Volunteer:
    """Change a volunteer's record. `fields` are the ones the caller's form offers: the
    volunteer edits contact, area and preferences; staff also name and guardian."""
    v = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    if v.status == VolunteerStatus.MERGED:
        raise ValidationError(_("This record was merged into another one and cannot be changed."))
    before = _snapshot(v)
    for name in fields:
        if name in data and name not in M2M_FIELDS:
            value = data[name]
            setattr(v, name, value.strip() if isinstance(value, str) else value)
    v.city = check_area(town=v.town, community=v.community)
    v.phone = check_phone(v.phone or "", required=bool(v.user_id) and "phone" in fields)
    v.phone_hash = keyed_hash(v.phone) if v.phone else ""
    v.guardian_phone = check_phone(v.guardian_phone or "", field="guardian_phone", required=False)
    check_age(
        birth_date=v.birth_date,
        on=v.registered_on,
        guardian_name=v.guardian_name,
        guardian_phone=v.guardian_phone,
        guardian_consent_on=v.guardian_consent_on,
        self_service=False,
    )
    v.full_clean(exclude=["id_hash", "phone_hash", "volunteer_number"], validate_constraints=False)
    v.save()
    for field, values in _m2m({k: data[k] for k in fields if k in M2M_FIELDS and k in data}).items():
        getattr(v, field).set(values)
    after = _snapshot(v)
    changes = diff(_public_changes(before), _public_changes(after))
    if changes:
        audit_record(action=AuditAction.VOLUNTEER_CHANGED, by=by, target=v, changes=changes, reason=reason, source=source)
    return v


@transaction.atomic
def volunteer_cancel(*, volunteer: Volunteer, by, on: dt.date | None = None, reason: str = "") -> Volunteer:
    """Cancel a registration (注销). The record stays, with its hours; it stops counting from
    the cancellation date on (a volunteer cancelled on D is not counted on D)."""
    v = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    if v.status != VolunteerStatus.ACTIVE:
        raise ValidationError(_("Only an active registration can be cancelled."))
    on = on or timezone.localdate()
    if on < v.registered_on:
        raise ValidationError(_("The cancellation cannot be dated before the registration."))
    v.status, v.cancelled_on = VolunteerStatus.CANCELLED, on
    v.save(update_fields=["status", "cancelled_on", "updated_at"])
    audit_record(
        action=AuditAction.VOLUNTEER_CHANGED,
        by=by,
        target=v,
        changes={"status": ["active", "cancelled"], "cancelled_on": [None, on.isoformat()]},
        reason=reason,
    )
    return v


@transaction.atomic
def volunteer_reactivate(*, volunteer: Volunteer, by, reason: str = "") -> Volunteer:
    """Undo a cancellation (the person registers again: one person, one record)."""
    v = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    if v.status != VolunteerStatus.CANCELLED:
        raise ValidationError(_("Only a cancelled registration can be reactivated."))
    old = v.cancelled_on
    v.status, v.cancelled_on = VolunteerStatus.ACTIVE, None
    v.save(update_fields=["status", "cancelled_on", "updated_at"])
    audit_record(
        action=AuditAction.VOLUNTEER_CHANGED,
        by=by,
        target=v,
        changes={"status": ["cancelled", "active"], "cancelled_on": [old.isoformat() if old else None, None]},
        reason=reason,
    )
    return v


def volunteer_full_id_viewed(*, volunteer: Volunteer, by, purpose: str = "") -> str:
    """Return the full ID number for an explicit "show" action and write it to the audit log.

    The caller has checked selectors.may_see_full_id.
    """
    audit_record(action=AuditAction.PERSONAL_DATA_VIEWED, by=by, target=volunteer, changes={"field": "id_number"}, reason=purpose[:300])
    return volunteer.id_number


# --- one person, one account: recovery and linking ------------------------------------------


class RecoveryRefused(ValidationError):
    pass


def _link_user(v: Volunteer, user, *, by, reason: str, source: str) -> Volunteer:
    """Point the record at `user`; the account that had it (if any) loses it and is told."""
    from shezhi.notifications.services import notify

    other = Volunteer.objects.filter(user=user).exclude(pk=v.pk).exclude(status=VolunteerStatus.MERGED).first()
    if other is not None:
        raise ValidationError(
            _("This account already holds volunteer record %(number)s: ask the bureau to merge the two records.")
            % {"number": other.volunteer_number}
        )
    # A merged record may still point at the account: free it.
    Volunteer.objects.filter(user=user, status=VolunteerStatus.MERGED).update(user=None)
    previous = v.user
    v.user = user
    v.save(update_fields=["user", "updated_at"])
    audit_record(
        action=AuditAction.VOLUNTEER_CHANGED,
        by=by,
        target=v,
        changes={"account": [str(previous) if previous else None, str(user)]},
        reason=reason,
        source=source,
    )
    if previous is not None and previous.pk != user.pk:
        notify(
            recipients=[previous],
            title=_("Your volunteer record %(number)s was linked to another account") % {"number": v.volunteer_number},
            body=_("If you did not do this, contact your community or town office."),
            subject=v,
        )
    return v


@transaction.atomic
def volunteer_recover(*, user, name: str, id_type: str, id_number: str, phone: str) -> Volunteer:
    """Recover an existing registration by proving knowledge of it: the name, the full ID
    number and the registered phone must all match. The record is then linked to `user`
    (the person's current account); an older account loses it.

    Every mismatch gets the same answer, so the form reveals nothing about which part was
    wrong. Records registered without a phone cannot be recovered this way: staff link them.
    """
    refusal = RecoveryRefused(
        _("The details do not match a registration we can recover. Check them, or ask your community or town office to link your account."),
        code="mismatch",
    )
    try:
        number, _b, _g = validate_id(id_type, id_number)
    except ValidationError:
        raise refusal from None
    found = (
        Volunteer.objects.select_for_update()
        .filter(id_type=id_type, id_hash=id_hash_of(number))
        .exclude(status=VolunteerStatus.MERGED)
        .first()
    )
    phone = normalize(phone or "")
    if found is None or not found.phone or found.name.strip() != (name or "").strip() or found.phone_hash != keyed_hash(phone):
        raise refusal
    return _link_user(found, user, by=user, reason=_("Recovered by the person (name, ID number and phone matched)."), source="recovery")


@transaction.atomic
def volunteer_link_account(*, volunteer: Volunteer, user, by, reason: str = "") -> Volunteer:
    """Staff link a record to a resident's account (the person came to the office)."""
    if user is None or getattr(user, "role", None) != "public":
        raise ValidationError({"username": _("Only a resident's account (role: resident) can hold a volunteer record.")})
    v = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    if v.status == VolunteerStatus.MERGED:
        raise ValidationError(_("This record was merged into another one."))
    return _link_user(v, user, by=by, reason=reason or _("Linked by staff."), source="staff")


# --- merging duplicates -------------------------------------------------------------------


@transaction.atomic
def volunteer_merge(*, source: Volunteer, target: Volunteer, by, reason: str, today: dt.date | None = None) -> Volunteer:
    """Merge a duplicate record (`source`) into the person's other record (`target`),
    keeping everything: memberships move, sign-ups and hours move (through the activities
    app's merge_volunteer_records), the target keeps the earliest registration date, and the
    source stays as a 'merged' record pointing at the target. The source no longer counts.
    """
    today = today or timezone.localdate()
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the records are the same person.")})
    if source.pk == target.pk:
        raise ValidationError(_("A record cannot be merged into itself."))
    # Lock both in a fixed order so two merges cannot deadlock.
    locked = {v.pk: v for v in Volunteer.objects.select_for_update().filter(pk__in=[source.pk, target.pk]).order_by("pk")}
    src, dst = locked[source.pk], locked[target.pk]
    if src.status == VolunteerStatus.MERGED or dst.status == VolunteerStatus.MERGED:
        raise ValidationError(_("One of the records is already merged into another."))
    moved = _move_memberships(src, dst)
    activity_counts: dict[str, int] = {}
    try:
        from shezhi.activities import services as activity_services
    except ImportError:  # the activities app is optional for this function
        activity_services = None
    merge_fn = getattr(activity_services, "merge_volunteer_records", None)
    if merge_fn is not None:
        activity_counts = merge_fn(source=src, target=dst, by=by) or {}
    changes: dict[str, Any] = {
        "merged": [src.volunteer_number, dst.volunteer_number],
        "memberships_moved": [None, moved],
        **{k: [None, v] for k, v in (activity_counts.items() if isinstance(activity_counts, dict) else [])},
    }
    if src.registered_on < dst.registered_on:
        changes["registered_on"] = [dst.registered_on.isoformat(), src.registered_on.isoformat()]
        dst.registered_on = src.registered_on
    if dst.status == VolunteerStatus.CANCELLED and src.status == VolunteerStatus.ACTIVE:
        changes["status"] = [dst.status, VolunteerStatus.ACTIVE]
        dst.status, dst.cancelled_on = VolunteerStatus.ACTIVE, None
    account = src.user
    src.user = None
    src.status, src.merged_into, src.merged_on, src.cancelled_on = VolunteerStatus.MERGED, dst, today, None
    src.save(update_fields=["user", "status", "merged_into", "merged_on", "cancelled_on", "updated_at"])
    if dst.user_id is None and account is not None:
        dst.user = account
        changes["account"] = [None, str(account)]
    dst.save(update_fields=["user", "registered_on", "status", "cancelled_on", "updated_at"])
    audit_record(action=AuditAction.VOLUNTEERS_MERGED, by=by, target=dst, changes=changes, reason=reason)
    audit_record(
        action=AuditAction.VOLUNTEERS_MERGED, by=by, target=src, changes={"merged_into": [None, dst.volunteer_number]}, reason=reason
    )
    return dst


def _move_memberships(src: Volunteer, dst: Volunteer) -> int:
    """Move memberships; where the target already has the same open membership, keep the
    target's with the earlier joining date."""
    moved = 0
    open_dst = {(m.organization_id, m.team_id): m for m in dst.memberships.filter(left_on__isnull=True)}
    for m in src.memberships.all():
        twin = open_dst.get((m.organization_id, m.team_id)) if m.left_on is None else None
        if twin is not None:
            if m.joined_on < twin.joined_on:
                twin.joined_on = m.joined_on
                twin.save(update_fields=["joined_on"])
            m.delete()
        else:
            m.volunteer = dst
            m.save(update_fields=["volunteer"])
        moved += 1
    return moved


# --- teams, memberships, stations ---------------------------------------------------------

TEAM_FIELDS = ["name", "town", "community", "founded_on"]
STATION_FIELDS = ["name", "town", "community", "address", "operator", "opened_on"]


def _check_volunteer_org(org) -> None:
    if org is None or not org.is_volunteer_org:
        raise ValidationError({"organization": _("Teams are filed under a volunteer service organization.")})


@transaction.atomic
def team_create(*, organization, data: Mapping[str, Any], by) -> VolunteerTeam:
    """File a volunteer team (志愿服务队) under a volunteer service organization."""
    _check_volunteer_org(organization)
    team = VolunteerTeam(organization=organization)
    for name in TEAM_FIELDS:
        if name in data:
            setattr(team, name, data[name].strip() if isinstance(data[name], str) else data[name])
    team.city = check_area(town=team.town if team.town_id else None, community=team.community)
    team.founded_on = team.founded_on or timezone.localdate()
    team.full_clean()
    team.save()
    audit_record(action=AuditAction.RECORD_CREATED, by=by, target=team, changes={"organization": str(organization), "name": team.name})
    return team


@transaction.atomic
def team_update(*, team: VolunteerTeam, data: Mapping[str, Any], by) -> VolunteerTeam:
    team = VolunteerTeam.objects.select_for_update().get(pk=team.pk)
    before = {f: getattr(team, f) for f in (*TEAM_FIELDS, "dissolved_on")}
    for name in (*TEAM_FIELDS, "dissolved_on"):
        if name in data:
            setattr(team, name, data[name].strip() if isinstance(data[name], str) else data[name])
    team.city = check_area(town=team.town, community=team.community)
    team.full_clean()
    team.save()
    after = {f: getattr(team, f) for f in before}
    changes = diff(_public_changes(before), _public_changes(after))
    if changes:
        audit_record(action=AuditAction.RECORD_CHANGED, by=by, target=team, changes=changes)
    return team


@transaction.atomic
def membership_add(
    *, volunteer: Volunteer, by, organization=None, team: VolunteerTeam | None = None, joined_on: dt.date | None = None
) -> Membership:
    """A volunteer joins a volunteer organization or one of its teams."""
    if team is not None:
        team = VolunteerTeam.objects.select_related("organization").get(pk=team.pk)
        organization = team.organization
        if team.dissolved_on and team.dissolved_on <= (joined_on or timezone.localdate()):
            raise ValidationError(_("The team is dissolved."))
    _check_volunteer_org(organization)
    volunteer = Volunteer.objects.get(pk=volunteer.pk)
    if volunteer.status != VolunteerStatus.ACTIVE:
        raise ValidationError(_("Only a registered (active) volunteer can join."))
    joined_on = joined_on or timezone.localdate()
    open_q = Membership.objects.filter(volunteer=volunteer, left_on__isnull=True)
    if team is not None:
        open_q = open_q.filter(team=team)
    else:
        open_q = open_q.filter(organization=organization, team__isnull=True)
    if open_q.exists():
        raise ValidationError(_("%(name)s is already a member.") % {"name": volunteer.name})
    m = Membership(volunteer=volunteer, organization=organization, team=team, joined_on=joined_on)
    m.full_clean(validate_constraints=False)
    m.save()
    audit_record(
        action=AuditAction.VOLUNTEER_CHANGED,
        by=by,
        target=volunteer,
        changes={"membership": [None, str(team or organization)], "joined_on": [None, joined_on.isoformat()]},
    )
    return m


@transaction.atomic
def membership_end(*, membership: Membership, by, on: dt.date | None = None) -> Membership:
    m = Membership.objects.select_for_update(of=("self",)).select_related("volunteer", "team", "organization").get(pk=membership.pk)
    if m.left_on is not None:
        raise ValidationError(_("The membership has already ended."))
    on = on or timezone.localdate()
    if on < m.joined_on:
        raise ValidationError(_("A membership cannot end before it began."))
    m.left_on = on
    m.save(update_fields=["left_on"])
    audit_record(
        action=AuditAction.VOLUNTEER_CHANGED,
        by=by,
        target=m.volunteer,
        changes={"membership": [str(m.group), None], "left_on": [None, on.isoformat()]},
    )
    return m


@transaction.atomic
def station_save(*, data: Mapping[str, Any], by, station: Station | None = None) -> Station:
    """Open (or change) a volunteer service station (志愿服务站点)."""
    creating = station is None
    s = Station() if creating else Station.objects.select_for_update().get(pk=station.pk)
    before = {f: getattr(s, f, None) for f in (*STATION_FIELDS, "closed_on")} if not creating else {}
    for name in (*STATION_FIELDS, "closed_on"):
        if name in data:
            setattr(s, name, data[name].strip() if isinstance(data[name], str) else data[name])
    s.city = check_area(town=s.town if s.town_id else None, community=s.community)
    if s.operator_id and s.operator.status in ("revoked", "deregistered"):
        raise ValidationError({"operator": _("The organization is no longer registered.")})
    s.opened_on = s.opened_on or timezone.localdate()
    s.full_clean()
    s.save()
    if creating:
        audit_record(action=AuditAction.RECORD_CREATED, by=by, target=s, changes={"name": s.name, "town": str(s.town)})
    else:
        after = {f: getattr(s, f) for f in before}
        changes = diff(_public_changes(before), _public_changes(after))
        if changes:
            audit_record(action=AuditAction.RECORD_CHANGED, by=by, target=s, changes=changes)
    return s


# --- many at once: the import's write path --------------------------------------------------


def volunteer_bulk_register(
    *,
    items: list[tuple[Volunteer, Mapping[str, list]]],
    by,
    source: str,
    reasons: list[str] | tuple = (),
    ip: str | None = None,
    user_agent: str = "",
) -> list[Volunteer]:
    """Write many new volunteers at once (the spreadsheet import's write path).

    Every record must already have gone through prepare_identity, check_area, check_phone,
    check_age and full_clean inside the caller's transaction, and find_existing must have
    found no duplicate. What volunteer_register does after those checks is done here in
    bulk: numbers are issued in one block per city under the same row lock, rows and
    many-to-many links are inserted, one audit entry per volunteer is appended.
    """
    from collections import defaultdict

    from shezhi.audit.models import AuditEntry
    from shezhi.audit.services import actor_label

    volunteers = [v for v, _m2m in items]
    if not volunteers:
        return []
    by_city: dict[int, list[Volunteer]] = defaultdict(list)
    for v in volunteers:
        by_city[v.city_id].append(v)
    for group in by_city.values():
        numbers = next_volunteer_number(city=group[0].city, count=len(group))
        for v, number in zip(group, numbers, strict=True):
            v.volunteer_number = number
    creator = by if getattr(by, "is_authenticated", False) else None
    for v in volunteers:
        v.registered_by = creator
    Volunteer.objects.bulk_create(volunteers, batch_size=1000)
    for name in M2M_FIELDS:
        relation = Volunteer._meta.get_field(name)
        through = relation.remote_field.through
        source_column, target_column = f"{relation.m2m_field_name()}_id", f"{relation.m2m_reverse_field_name()}_id"
        links = [through(**{source_column: v.pk, target_column: t.pk}) for v, m2m in items for t in m2m.get(name, ())]
        if links:
            through.objects.bulk_create(links, batch_size=2000)
    label = actor_label(by)
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                actor=creator,
                actor_label=label,
                action=AuditAction.VOLUNTEER_REGISTERED,
                target_type=Volunteer._meta.label_lower,
                target_id=str(v.pk),
                target_label=str(v)[:300],
                changes={
                    "volunteer_number": v.volunteer_number,
                    "id_type": v.id_type,
                    "id_number": mask_id_number(v.id_number, v.id_type),
                    "town": str(v.town),
                },
                reason=reasons[i] if i < len(reasons) else "",
                source=source[:100],
                ip=ip,
                user_agent=(user_agent or "")[:300],
            )
            for i, v in enumerate(volunteers)
        ],
        batch_size=1000,
    )
    return volunteers
