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
from shezhi.audit.services import audit_record
from shezhi.privacy import keyed_hash
from shezhi.volunteers.models import (
    AgeRules,
    Gender,
    IdType,
    Volunteer,
    VolunteerSequence,
    VolunteerStatus,
)
from shezhi.volunteers.selectors import mask_id_number
from shezhi.volunteers.validators import normalize, validate_id

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


def age_rules_on(on: dt.date) -> AgeRules:
    rules = AgeRules.objects.filter(valid_from__lte=on).order_by("-valid_from").first()
    return rules or AgeRules(valid_from=on)  # the model defaults if the table was emptied


def age_on(birth_date: dt.date, on: dt.date) -> int:
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def id_hash_of(normalized: str) -> str:
    return keyed_hash(normalized)


def prepare_identity(*, id_type: str, id_number: str, birth_date: dt.date | None, gender: str | None, today: dt.date | None = None):
    """Validate the ID and fill birth date and gender from it where the number carries them.

    Returns (normalized number, hash, birth date, gender). A birth date or gender given by
    hand that contradicts the number is an error, not silently replaced.
    """
    if id_type not in IdType.values:
        raise ValidationError({"id_type": _("Choose an ID type from the list.")})
    try:
        number, born, sex = validate_id(id_type, id_number, today=today)
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.messages}) from None
    errors = {}
    if born is not None:
        if birth_date and birth_date != born:
            errors["birth_date"] = _("The date of birth does not match the ID number (%(date)s).") % {"date": born}
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
    *, birth_date: dt.date, on: dt.date, guardian_name: str, guardian_phone: str, guardian_consent_on, self_service: bool
) -> None:
    """Minors need a guardian's name, phone and consent; young children cannot register alone.

    The ages are data (AgeRules); see its docstring for the sources.
    """
    if birth_date > on:
        raise ValidationError({"birth_date": _("The date of birth is after the registration date.")})
    rules = age_rules_on(on)
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
            out[k] = "***" if v else ""
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
