"""Writes of volunteer activities, sign-ups, sign-in/out, hours and certificates.

Views, the importer, the demo seeder and the volunteers app (merge) call these functions;
no rule lives anywhere else. Every hours decision goes through the workflow engine
(pending → confirmed / rejected); a rejected record stays, with its reason.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shezhi.activities.models import (
    Activity,
    ActivityStatus,
    HoursRecord,
    HoursSource,
    HoursStatus,
    IssuerProfile,
    ServiceCertificate,
    SignUp,
    SignUpStatus,
)
from shezhi.activities.rules import (
    CENT,
    ZERO,
    activity_length,
    checkin_hours,
    rules_for_city,
    self_submit_deadline,
    sign_in_window,
    sign_out_window,
)
from shezhi.audit.models import AuditAction
from shezhi.audit.services import audit_record
from shezhi.notifications.services import notify
from shezhi.volunteers.models import Volunteer, VolunteerStatus
from shezhi.workflow.engine import run, transition

CONFIRM = transition("confirm", [HoursStatus.PENDING], HoursStatus.CONFIRMED, label=gettext_lazy("confirm the hours"))
REJECT = transition(
    "reject",
    [HoursStatus.PENDING],
    HoursStatus.REJECTED,
    label=gettext_lazy("reject the hours"),
    note_required=True,
    note_hint=gettext_lazy("Say why the hours are rejected; the volunteer sees the reason."),
)

CODE_DIGITS = 6
# Wrong codes a volunteer may enter for one activity within CODE_LOCK_SECONDS: a 6-digit
# code cannot be found by trying.
MAX_CODE_FAILURES = 10
CODE_LOCK_SECONDS = 15 * 60

ACTIVITY_FIELDS = [
    "title",
    "organization",
    "team",
    "station",
    "place",
    "town",
    "community",
    "starts_at",
    "ends_at",
    "headcount",
    "requirements",
    "description",
    "contact",
]


def _now(at: dt.datetime | None) -> dt.datetime:
    return at or timezone.now()


def _actor(by):
    return by if getattr(by, "is_authenticated", False) else None


def activity_url(activity: Activity) -> str:
    return reverse("activities:detail", args=[activity.pk])


# --- activities ---------------------------------------------------------------------------


def new_code(*, avoid: str = "") -> str:
    while True:
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        if code != avoid:
            return code


def _organizer_checks(activity: Activity) -> None:
    """The organizer is a volunteer organization, one of its teams, or a station; the
    activity's organization follows the team or the station's operator."""
    if activity.team_id:
        team = activity.team
        if activity.organization_id and activity.organization_id != team.organization_id:
            raise ValidationError({"team": _("The team belongs to another organization.")})
        activity.organization_id = team.organization_id
        if team.dissolved_on:
            raise ValidationError({"team": _("The team has been dissolved.")})
    if activity.station_id:
        station = activity.station
        if station.closed_on:
            raise ValidationError({"station": _("The station is closed.")})
        if not activity.organization_id and station.operator_id:
            activity.organization_id = station.operator_id
    if activity.organization_id and not activity.station_id:
        org = activity.organization
        if not org.is_volunteer_org:
            raise ValidationError({"organization": _("Only volunteer service organizations organize volunteer activities.")})
    if not activity.organization_id and not activity.station_id:
        raise ValidationError(_("Choose the organizer: a volunteer organization, one of its teams or a service station."))


def _area_checks(activity: Activity) -> None:
    town = activity.town
    if town is None or town.level != "town":
        raise ValidationError({"town": _("Choose the town or street where the activity takes place.")})
    activity.city_id = town.city_id or town.parent_id
    if activity.community_id and activity.community.parent_id != town.pk:
        raise ValidationError({"community": _("The community is not in %(town)s.") % {"town": town.name}})


def activity_prepare(activity: Activity, data: Mapping[str, Any]) -> None:
    for name in ACTIVITY_FIELDS:
        if name in data:
            setattr(activity, name, data[name])
    for name in ("title", "place", "requirements", "description", "contact"):
        setattr(activity, name, (getattr(activity, name) or "").strip())


@transaction.atomic
def activity_create(*, data: Mapping[str, Any], by) -> Activity:
    """Publish a volunteer activity with its recruitment open (招募)."""
    activity = Activity(created_by=_actor(by), status=ActivityStatus.OPEN)
    activity_prepare(activity, data)
    if activity.town_id is None and activity.station_id:
        activity.town_id, activity.community_id = activity.station.town_id, activity.station.community_id
    if activity.town_id:
        _area_checks(activity)
    _organizer_checks(activity)
    activity.sign_in_code = new_code()
    activity.sign_out_code = new_code(avoid=activity.sign_in_code)
    activity.full_clean()
    activity.save()
    audit_record(
        action=AuditAction.RECORD_CREATED,
        by=by,
        target=activity,
        changes={"title": [None, activity.title], "headcount": [None, activity.headcount]},
        source="activities",
    )
    return activity


def _lock(activity: Activity) -> Activity:
    return Activity.objects.select_for_update().get(pk=activity.pk)


@transaction.atomic
def activity_update(*, activity: Activity, data: Mapping[str, Any], by) -> Activity:
    """Change an activity. Its organizer stays; a larger headcount moves people up from the
    waiting list, a smaller one may not drop below the places already taken."""
    locked = _lock(activity)
    if locked.status == ActivityStatus.CANCELLED:
        raise ValidationError(_("The activity is cancelled."))
    before = {name: getattr(locked, name) for name in ("title", "place", "starts_at", "ends_at", "headcount")}
    activity_prepare(locked, {k: v for k, v in data.items() if k not in ("organization", "team", "station")})
    _area_checks(locked)
    locked.full_clean()
    locked.save()
    promoted = _promote_waiting(locked, by=by)
    after = {name: getattr(locked, name) for name in before}
    changes = {k: [str(before[k]), str(after[k])] for k in before if before[k] != after[k]}
    if changes:
        audit_record(action=AuditAction.RECORD_CHANGED, by=by, target=locked, changes=changes, source="activities")
    for f in locked._meta.concrete_fields:
        setattr(activity, f.attname, getattr(locked, f.attname))
    activity._promoted = promoted
    return activity


@transaction.atomic
def activity_set_recruitment(*, activity: Activity, open_: bool, by) -> Activity:
    locked = _lock(activity)
    if locked.status == ActivityStatus.CANCELLED:
        raise ValidationError(_("The activity is cancelled."))
    target = ActivityStatus.OPEN if open_ else ActivityStatus.CLOSED
    if locked.status != target:
        audit_record(
            action=AuditAction.RECORD_CHANGED, by=by, target=locked, changes={"status": [locked.status, target]}, source="activities"
        )
        locked.status = target
        locked.save(update_fields=["status", "updated_at"])
    activity.status = locked.status
    return activity


@transaction.atomic
def activity_cancel(*, activity: Activity, by, reason: str) -> Activity:
    """Cancel an activity; every live sign-up is cancelled and its volunteer told. Hours
    already recorded stay as they are."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the activity is cancelled; the volunteers who signed up are told.")})
    locked = _lock(activity)
    if locked.status == ActivityStatus.CANCELLED:
        raise ValidationError(_("The activity is already cancelled."))
    now = timezone.now()
    live = list(SignUp.objects.filter(activity=locked).exclude(status=SignUpStatus.CANCELLED).select_related("volunteer__user"))
    SignUp.objects.filter(pk__in=[s.pk for s in live]).update(status=SignUpStatus.CANCELLED, cancelled_at=now, note=reason[:200])
    audit_record(
        action=AuditAction.RECORD_CHANGED,
        by=by,
        target=locked,
        changes={"status": [locked.status, ActivityStatus.CANCELLED], "signups_cancelled": [None, len(live)]},
        reason=reason,
        source="activities",
    )
    locked.status = ActivityStatus.CANCELLED
    locked.places_taken = 0
    locked.save(update_fields=["status", "places_taken", "updated_at"])
    notify(
        recipients=[s.volunteer.user for s in live],
        title=_("The activity “%(title)s” is cancelled") % {"title": locked.title},
        body=reason,
        url=activity_url(locked),
        subject=locked,
        exclude=by,
    )
    activity.status, activity.places_taken = locked.status, locked.places_taken
    return activity


@transaction.atomic
def activity_rotate_codes(*, activity: Activity, by) -> Activity:
    """New sign-in and sign-out codes (e.g. after a code was passed on to someone absent)."""
    locked = _lock(activity)
    locked.sign_in_code = new_code(avoid=locked.sign_in_code)
    locked.sign_out_code = new_code(avoid=locked.sign_in_code)
    locked.save(update_fields=["sign_in_code", "sign_out_code", "updated_at"])
    audit_record(action=AuditAction.RECORD_CHANGED, by=by, target=locked, changes={"codes": ["…", "…"]}, source="activities")
    activity.sign_in_code, activity.sign_out_code = locked.sign_in_code, locked.sign_out_code
    return activity


# --- sign-up and the waiting list ------------------------------------------------------------


def _require_active(volunteer: Volunteer) -> None:
    if volunteer is None or volunteer.status != VolunteerStatus.ACTIVE:
        raise ValidationError(_("Only registered volunteers whose registration is in force can sign up."))


@transaction.atomic
def signup_create(*, activity: Activity, volunteer: Volunteer, by, at: dt.datetime | None = None) -> SignUp:
    """Sign a volunteer up. While places are left the place is theirs; when the activity is
    full they join the waiting list, in order of signing up.

    The activity's row is locked while the place is taken: of two volunteers asking for the
    last place at the same moment, exactly one gets it and the other is put on the waiting
    list."""
    now = _now(at)
    _require_active(volunteer)
    locked = _lock(activity)
    if locked.status != ActivityStatus.OPEN:
        raise ValidationError(_("Recruitment for this activity is closed."))
    if now >= locked.starts_at:
        raise ValidationError(_("The activity has started; sign-up is closed."))
    existing = SignUp.objects.filter(activity=locked, volunteer=volunteer).exclude(status=SignUpStatus.CANCELLED).first()
    if existing is not None:
        raise ValidationError(_("You have already signed up for this activity (%(status)s).") % {"status": existing.get_status_display()})
    confirmed = locked.places_taken < locked.headcount
    signup = SignUp(
        activity=locked,
        volunteer=volunteer,
        status=SignUpStatus.CONFIRMED if confirmed else SignUpStatus.WAITING,
        signed_up_at=now,
    )
    try:
        with transaction.atomic():
            signup.save()
    except IntegrityError:  # the same volunteer twice at once: the unique key refuses the second
        raise ValidationError(_("You have already signed up for this activity.")) from None
    if confirmed:
        locked.places_taken += 1
        locked.save(update_fields=["places_taken", "updated_at"])
    activity.places_taken = locked.places_taken
    return signup


def _promote_waiting(activity: Activity, *, by) -> list[SignUp]:
    """Move people up from the waiting list while places are free (activity row locked by
    the caller); each is told."""
    free = activity.headcount - activity.places_taken
    if free <= 0:
        return []
    waiting = list(
        SignUp.objects.filter(activity=activity, status=SignUpStatus.WAITING)
        .select_related("volunteer__user")
        .order_by("signed_up_at", "id")[:free]
    )
    if not waiting:
        return []
    now = timezone.now()
    SignUp.objects.filter(pk__in=[s.pk for s in waiting]).update(status=SignUpStatus.CONFIRMED, promoted_at=now)
    activity.places_taken += len(waiting)
    activity.save(update_fields=["places_taken", "updated_at"])
    for s in waiting:
        s.status, s.promoted_at = SignUpStatus.CONFIRMED, now
    notify(
        recipients=[s.volunteer.user for s in waiting],
        title=_("You have a place in “%(title)s”") % {"title": activity.title},
        body=_("A place became free and you were first on the waiting list. The activity starts on %(when)s at %(place)s.")
        % {"when": timezone.localtime(activity.starts_at).strftime("%Y-%m-%d %H:%M"), "place": activity.place},
        url=activity_url(activity),
        subject=activity,
        exclude=by,
    )
    return waiting


@transaction.atomic
def signup_cancel(*, signup: SignUp, by, at: dt.datetime | None = None) -> SignUp:
    """A volunteer cancels their sign-up before the activity starts. A freed place goes to
    the first on the waiting list, who is told."""
    now = _now(at)
    activity = _lock(signup.activity)
    locked = SignUp.objects.select_for_update().get(pk=signup.pk)
    if locked.status == SignUpStatus.CANCELLED:
        raise ValidationError(_("This sign-up is already cancelled."))
    if now >= activity.starts_at:
        raise ValidationError(_("The activity has started; the sign-up can no longer be cancelled."))
    held_place = locked.status == SignUpStatus.CONFIRMED
    locked.status, locked.cancelled_at = SignUpStatus.CANCELLED, now
    locked.save(update_fields=["status", "cancelled_at"])
    promoted = []
    if held_place:
        activity.places_taken -= 1
        activity.save(update_fields=["places_taken", "updated_at"])
        promoted = _promote_waiting(activity, by=by)
    signup.status, signup.cancelled_at = locked.status, locked.cancelled_at
    signup._promoted = promoted
    return signup


# --- sign-in and sign-out ---------------------------------------------------------------------


def _code_key(activity: Activity, volunteer: Volunteer) -> str:
    return f"activities:code-failures:{activity.pk}:{volunteer.pk}"


def _check_code(activity: Activity, volunteer: Volunteer, code: str, expected: str) -> None:
    key = _code_key(activity, volunteer)
    failures = cache.get(key, 0)
    if failures >= MAX_CODE_FAILURES:
        raise ValidationError(_("Too many wrong codes. Ask the organizer, or try again in 15 minutes."))
    given = "".join(ch for ch in (code or "") if ch.isdigit())
    if not hmac.compare_digest(given.encode(), expected.encode()):
        cache.set(key, failures + 1, CODE_LOCK_SECONDS)
        raise ValidationError({"code": _("The code is not right. Check the code the organizer shows.")})


def _live_signup(activity: Activity, volunteer: Volunteer) -> SignUp:
    signup = (
        SignUp.objects.select_for_update().filter(activity=activity, volunteer=volunteer).exclude(status=SignUpStatus.CANCELLED).first()
    )
    if signup is None:
        raise ValidationError(_("You have not signed up for this activity."))
    if signup.status != SignUpStatus.CONFIRMED:
        raise ValidationError(_("You are on the waiting list and have no place in this activity."))
    return signup


def _fmt(at: dt.datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M")


@transaction.atomic
def sign_in(*, activity: Activity, volunteer: Volunteer, code: str, by, at: dt.datetime | None = None) -> SignUp:
    """Sign in with the code the organizer shows, within the window the rules allow (from
    a margin before the start until the end)."""
    now = _now(at)
    _require_active(volunteer)
    activity = Activity.objects.select_related("city").get(pk=activity.pk)
    if activity.status == ActivityStatus.CANCELLED:
        raise ValidationError(_("The activity is cancelled."))
    signup = _live_signup(activity, volunteer)
    window = sign_in_window(starts_at=activity.starts_at, ends_at=activity.ends_at, rules=rules_for_city(activity.city_id))
    if not window.contains(now):
        raise ValidationError(
            _("Sign-in is open from %(opens)s to %(closes)s.") % {"opens": _fmt(window.opens), "closes": _fmt(window.closes)}
        )
    if signup.signed_in_at is not None:
        raise ValidationError(_("You signed in at %(when)s already.") % {"when": _fmt(signup.signed_in_at)})
    _check_code(activity, volunteer, code, activity.sign_in_code)
    signup.signed_in_at = now
    signup.save(update_fields=["signed_in_at"])
    return signup


@dataclass
class SignOut:
    signup: SignUp
    record: HoursRecord | None  # None when the time counts nothing by the rules
    hours: Decimal


@transaction.atomic
def sign_out(*, activity: Activity, volunteer: Volunteer, code: str, by, at: dt.datetime | None = None) -> SignOut:
    """Sign out with the sign-out code. The hours are computed from the sign-in and
    sign-out times by the rules (window, rounding, minimum, cap) and wait in the
    organizer's queue for confirmation."""
    now = _now(at)
    _require_active(volunteer)
    activity = Activity.objects.select_related("city", "station").get(pk=activity.pk)
    signup = _live_signup(activity, volunteer)
    rules = rules_for_city(activity.city_id)
    if signup.signed_in_at is None:
        raise ValidationError(_("You have not signed in. Sign in first, or ask the organizer to record your hours."))
    if signup.signed_out_at is not None:
        raise ValidationError(_("You signed out at %(when)s already.") % {"when": _fmt(signup.signed_out_at)})
    window = sign_out_window(starts_at=activity.starts_at, ends_at=activity.ends_at, rules=rules)
    if not window.contains(now):
        raise ValidationError(
            _("Sign-out is open until %(closes)s. Ask the organizer to record your hours.") % {"closes": _fmt(window.closes)}
        )
    if now < signup.signed_in_at:
        raise ValidationError(_("The sign-out cannot be before the sign-in."))
    _check_code(activity, volunteer, code, activity.sign_out_code)
    signup.signed_out_at = now
    signup.save(update_fields=["signed_out_at"])
    hours = checkin_hours(
        signed_in=signup.signed_in_at, signed_out=now, starts_at=activity.starts_at, ends_at=activity.ends_at, rules=rules
    )
    record = None
    if hours > ZERO:
        record = _record_create(
            volunteer=volunteer,
            activity=activity,
            signup=signup,
            hours=hours,
            source=HoursSource.CHECKIN,
            served_on=timezone.localtime(signup.signed_in_at).date(),
            content=activity.title,
            by=by,
            started_at=signup.signed_in_at,
            ended_at=now,
        )
    return SignOut(signup=signup, record=record, hours=hours)


# --- hours ------------------------------------------------------------------------------------


def parse_hours(value: Any) -> Decimal:
    try:
        hours = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"hours": _("Enter the hours as a number, e.g. 2.5.")}) from None
    if not hours.is_finite() or hours <= ZERO:
        raise ValidationError({"hours": _("Enter a number of hours greater than 0.")})
    if hours != hours.quantize(CENT):
        raise ValidationError({"hours": _("Hours have at most two decimals.")})
    return hours


def _record_create(
    *,
    volunteer: Volunteer,
    activity: Activity | None,
    hours: Decimal,
    source: str,
    served_on: dt.date,
    content: str,
    by,
    signup: SignUp | None = None,
    organization=None,
    started_at=None,
    ended_at=None,
) -> HoursRecord:
    record = HoursRecord(
        volunteer=volunteer,
        activity=activity,
        signup=signup,
        organization_id=activity.organization_id if activity is not None else getattr(organization, "pk", None),
        station_id=activity.station_id if activity is not None else None,
        served_on=served_on,
        hours=hours,
        source=source,
        status=HoursStatus.PENDING,
        content=(content or "").strip()[:300],
        started_at=started_at,
        ended_at=ended_at,
        submitted_by=_actor(by),
    )
    record.full_clean(exclude=["volunteer", "activity", "signup", "organization", "station"])
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        raise ValidationError(_("These hours are recorded already.")) from None
    audit_record(
        action=AuditAction.HOURS_RECORDED,
        by=by,
        target=record,
        changes={"hours": [None, str(hours)], "source": [None, source], "volunteer": [None, volunteer.volunteer_number]},
        source=f"activity:{activity.pk}" if activity is not None else "activities",
    )
    return record


def _hours_on_activity(volunteer_id: int, activity_id: int, *, statuses: Iterable[str]) -> Decimal:
    total = HoursRecord.objects.filter(volunteer_id=volunteer_id, activity_id=activity_id, status__in=list(statuses)).aggregate(
        t=Sum("hours")
    )["t"]
    return total or ZERO


def _check_cap(activity: Activity, volunteer: Volunteer, hours: Decimal) -> None:
    """Hours on one activity never exceed its length (all sources, not counting rejected)."""
    length = activity_length(activity.starts_at, activity.ends_at)
    recorded = _hours_on_activity(volunteer.pk, activity.pk, statuses=[HoursStatus.PENDING, HoursStatus.CONFIRMED])
    if recorded + hours > length:
        raise ValidationError(
            {
                "hours": _(
                    "The activity lasts %(length)s hours and %(recorded)s hours are recorded for this volunteer already: "
                    "at most %(left)s more can be added."
                )
                % {"length": length, "recorded": recorded, "left": max(length - recorded, ZERO)}
            }
        )


@transaction.atomic
def hours_add(*, activity: Activity, volunteer: Volunteer, hours, content: str = "", by, served_on: dt.date | None = None) -> HoursRecord:
    """An administrator (the organizer's account or staff) records hours for a volunteer
    who served, e.g. without signing in. Kept apart from sign-in hours (source "admin"),
    capped by the activity's length, and confirmed by the person who adds them."""
    hours = parse_hours(hours)
    locked = _lock(activity)
    if locked.status == ActivityStatus.CANCELLED:
        raise ValidationError(_("The activity is cancelled."))
    if timezone.now() < locked.starts_at:
        raise ValidationError(_("Hours can be recorded once the activity has started."))
    _check_cap(locked, volunteer, hours)
    served_on = served_on or timezone.localtime(locked.starts_at).date()
    if not timezone.localtime(locked.starts_at).date() <= served_on <= timezone.localtime(locked.ends_at).date():
        raise ValidationError({"served_on": _("The day of service must be within the activity's dates.")})
    record = _record_create(
        volunteer=volunteer,
        activity=locked,
        hours=hours,
        source=HoursSource.ADMIN,
        served_on=served_on,
        content=content or locked.title,
        by=by,
    )
    hours_confirm(record=record, by=by, note=_("Added by an administrator."))
    return record


@transaction.atomic
def hours_submit(*, signup: SignUp, hours, content: str, by, at: dt.datetime | None = None) -> HoursRecord:
    """A volunteer who had a place submits their own hours for the activity (e.g. they could
    not sign in); the hours wait in the organizer's queue."""
    now = _now(at)
    hours = parse_hours(hours)
    activity = _lock(signup.activity)
    signup = SignUp.objects.select_related("volunteer").get(pk=signup.pk)
    _require_active(signup.volunteer)
    if signup.status != SignUpStatus.CONFIRMED:
        raise ValidationError(_("Only volunteers who had a place in the activity can submit hours for it."))
    if now < activity.starts_at:
        raise ValidationError(_("Hours can be submitted once the activity has started."))
    rules = rules_for_city(activity.city_id)
    deadline = self_submit_deadline(ends_at=activity.ends_at, rules=rules)
    if now > deadline:
        raise ValidationError(_("Hours for this activity could be submitted until %(when)s.") % {"when": _fmt(deadline)})
    if HoursRecord.objects.filter(signup=signup, source=HoursSource.CHECKIN).exclude(status=HoursStatus.REJECTED).exists():
        raise ValidationError(_("Your sign-in and sign-out already recorded your hours for this activity."))
    if not (content or "").strip():
        raise ValidationError({"content": _("Describe the service you gave.")})
    _check_cap(activity, signup.volunteer, hours)
    return _record_create(
        volunteer=signup.volunteer,
        activity=activity,
        signup=signup,
        hours=hours,
        source=HoursSource.SELF,
        served_on=timezone.localtime(activity.starts_at).date(),
        content=content,
        by=by,
    )


def _own_record(record: HoursRecord, by) -> bool:
    volunteer = record.volunteer if record.volunteer_id else None
    return volunteer is not None and volunteer.user_id is not None and volunteer.user_id == getattr(by, "pk", None)


def _decided(by):
    def apply(item: HoursRecord) -> None:
        item.decided_by = _actor(by)
        item.decided_at = timezone.now()

    return apply


def _tell_volunteer(title: str):
    def send(item: HoursRecord, event) -> None:
        user = Volunteer.objects.filter(pk=item.volunteer_id).values_list("user", flat=True).first()
        if user is None:
            return
        from shezhi.accounts.models import User

        notify(
            recipients=User.objects.filter(pk=user),
            title=title % {"hours": item.hours, "content": item.content},
            body=item.reason,
            url=reverse("activities:my_hours"),
            subject=item,
            exclude=event.by,
        )

    return send


def hours_confirm(*, record: HoursRecord, by, note: str = "") -> HoursRecord:
    """Confirm hours (pending → confirmed). Nobody confirms their own hours, and confirmed
    hours on an activity never exceed its length when the rules cap them."""
    if _own_record(record, by):
        raise ValidationError(_("You cannot confirm your own hours."))
    with transaction.atomic():
        if record.activity_id:
            activity = _lock(record.activity)
            if rules_for_city(activity.city_id).cap_to_activity:
                length = activity_length(activity.starts_at, activity.ends_at)
                confirmed = _hours_on_activity(record.volunteer_id, activity.pk, statuses=[HoursStatus.CONFIRMED])
                if confirmed + record.hours > length:
                    raise ValidationError(
                        _(
                            "%(confirmed)s hours are confirmed for this volunteer on an activity of %(length)s hours: "
                            "these %(hours)s would exceed it."
                        )
                        % {"confirmed": confirmed, "length": length, "hours": record.hours}
                    )
        run(
            record,
            CONFIRM,
            by=by,
            note=note,
            apply=_decided(by),
            action=AuditAction.HOURS_DECIDED,
            notify=None if record.source == HoursSource.ADMIN else _tell_volunteer(_("%(hours)s hours confirmed: %(content)s")),
        )
    return record


def hours_reject(*, record: HoursRecord, by, reason: str) -> HoursRecord:
    """Reject hours with a reason (pending → rejected). The record is kept, never deleted."""
    if _own_record(record, by):
        raise ValidationError(_("You cannot decide on your own hours."))
    reason = (reason or "").strip()

    def apply(item: HoursRecord) -> None:
        _decided(by)(item)
        item.reason = reason[:300]

    run(
        record,
        REJECT,
        by=by,
        note=reason,
        apply=apply,
        action=AuditAction.HOURS_DECIDED,
        notify=_tell_volunteer(_("%(hours)s hours not confirmed: %(content)s")),
    )
    return record


@dataclass
class BatchOutcome:
    confirmed: int = 0
    refused: list[str] | None = None


def hours_confirm_all(*, activity: Activity, by) -> BatchOutcome:
    """Confirm every pending record of an activity, one by one through the workflow; a
    record that cannot be confirmed (the organizer's own, over the cap) stays pending and
    is reported."""
    outcome = BatchOutcome(refused=[])
    pending = HoursRecord.objects.filter(activity=activity, status=HoursStatus.PENDING).select_related("volunteer", "activity")
    for record in pending.order_by("id"):
        try:
            hours_confirm(record=record, by=by)
            outcome.confirmed += 1
        except ValidationError as exc:
            outcome.refused.append(f"{record.volunteer.name}: {' '.join(exc.messages)}")
    return outcome


# --- certificates -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Issuer:
    """Who issues a certificate: an organization of the registry or a service station."""

    key: str  # "o<pk>" or "s<pk>"
    name: str
    organization: Any = None
    station: Any = None


def issuer_signatories(issuer: Issuer) -> tuple[str, str, str]:
    """(person in charge, handler, contact): the issuer's saved signatories, else what the
    registry knows (the legal representative, the organization's phone)."""
    profile = IssuerProfile.objects.filter(
        organization=issuer.organization if issuer.organization is not None else None,
        station=issuer.station if issuer.station is not None else None,
    ).first()
    if profile is not None:
        return profile.person_in_charge, profile.handler, profile.contact
    if issuer.organization is not None:
        org = issuer.organization
        return org.legal_representative or "—", org.legal_representative or "—", org.phone or "—"
    return "—", "—", "—"


@transaction.atomic
def issuer_profile_save(*, organization=None, station=None, person_in_charge: str, handler: str, contact: str, by) -> IssuerProfile:
    profile = IssuerProfile.objects.filter(organization=organization, station=station).first() or IssuerProfile(
        organization=organization, station=station
    )
    before = {"person_in_charge": profile.person_in_charge, "handler": profile.handler, "contact": profile.contact}
    profile.person_in_charge = (person_in_charge or "").strip()
    profile.handler = (handler or "").strip()
    profile.contact = (contact or "").strip()
    profile.updated_by = _actor(by)
    profile.full_clean()
    profile.save()
    after = {"person_in_charge": profile.person_in_charge, "handler": profile.handler, "contact": profile.contact}
    audit_record(
        action=AuditAction.RECORD_CHANGED,
        by=by,
        target=profile,
        changes={k: [before[k], after[k]] for k in before if before[k] != after[k]},
        source="activities",
    )
    return profile


@transaction.atomic
def certificate_issue(
    *, volunteer: Volunteer, issuer: Issuer, period_from: dt.date, period_to: dt.date, by, issued_on: dt.date | None = None
) -> ServiceCertificate:
    """Issue a volunteer service record certificate (志愿服务记录证明) for the confirmed
    records an organization (or station) recorded in a period — "who records certifies"
    (志愿服务记录与证明出具办法 art. 12). Free, and the volunteer may ask for it themselves."""
    from shezhi.activities.certificate import issue_document

    issued_on = issued_on or timezone.localdate()
    if period_from > period_to:
        raise ValidationError({"period_to": _("The end of the period is before its start.")})
    if period_to > issued_on:
        raise ValidationError({"period_to": _("The period cannot end after today.")})
    if volunteer.status == VolunteerStatus.MERGED:
        raise ValidationError(_("This volunteer record was merged into another."))
    records = list(
        HoursRecord.objects.filter(
            volunteer=volunteer,
            status=HoursStatus.CONFIRMED,
            served_on__gte=period_from,
            served_on__lte=period_to,
            **({"organization": issuer.organization} if issuer.organization is not None else {"station": issuer.station}),
        )
        .select_related("activity")
        .order_by("served_on", "id")
    )
    if not records:
        raise ValidationError(
            _("%(issuer)s has no confirmed service records of yours between %(start)s and %(end)s.")
            % {"issuer": issuer.name, "start": period_from.isoformat(), "end": period_to.isoformat()}
        )
    total = sum((r.hours for r in records), ZERO)
    person, handler, contact = issuer_signatories(issuer)
    document = issue_document(
        volunteer=volunteer,
        issuer_name=issuer.name,
        records=records,
        total=total,
        period_from=period_from,
        period_to=period_to,
        person_in_charge=person,
        handler=handler,
        contact=contact,
        by=by,
        issued_on=issued_on,
    )
    certificate = ServiceCertificate.objects.create(
        volunteer=volunteer,
        organization=issuer.organization,
        station=issuer.station,
        issuer_name=issuer.name[:100],
        period_from=period_from,
        period_to=period_to,
        total_hours=total,
        person_in_charge=person[:40],
        handler=handler[:40],
        contact=contact[:40],
        document=document,
        issued_on=issued_on,
        requested_by=_actor(by),
    )
    certificate.records.set(records)
    audit_record(
        action=AuditAction.RECORD_CREATED,
        by=by,
        target=certificate,
        changes={"certificate": [None, document.number], "total_hours": [None, str(total)], "records": [None, len(records)]},
        source="activities:certificate",
    )
    return certificate


# --- merging duplicate volunteer records ---------------------------------------------------------


@transaction.atomic
def merge_volunteer_records(*, source: Volunteer, target: Volunteer, by=None) -> dict[str, int]:
    """Move a duplicate volunteer record's sign-ups, hours and certificates to the record
    that is kept (called by the volunteers app when staff merge duplicates; it writes the
    merge's own audit entry). Where both records signed up for the same activity, the
    target keeps its sign-up and the duplicate's is cancelled (its hours still move), so
    nobody holds two places in one activity. Nothing is deleted."""
    if source.pk == target.pk:
        raise ValidationError(_("A volunteer record cannot be merged into itself."))
    now = timezone.now()
    target_activities = set(
        SignUp.objects.filter(volunteer=target).exclude(status=SignUpStatus.CANCELLED).values_list("activity_id", flat=True)
    )
    clashing = list(
        SignUp.objects.select_for_update()
        .filter(volunteer=source, activity_id__in=target_activities)
        .exclude(status=SignUpStatus.CANCELLED)
        .order_by("activity_id")
    )
    for signup in clashing:
        activity = _lock(signup.activity)
        held = signup.status == SignUpStatus.CONFIRMED
        SignUp.objects.filter(pk=signup.pk).update(
            status=SignUpStatus.CANCELLED, cancelled_at=now, note=_("Duplicate record merged.")[:200]
        )
        if held:
            activity.places_taken -= 1
            activity.save(update_fields=["places_taken", "updated_at"])
            _promote_waiting(activity, by=by)
    moved_signups = SignUp.objects.filter(volunteer=source).update(volunteer=target)
    moved_hours = HoursRecord.objects.filter(volunteer=source).update(volunteer=target)
    moved_certificates = ServiceCertificate.objects.filter(volunteer=source).update(volunteer=target)
    return {
        "signups": moved_signups,
        "signups_cancelled": len(clashing),
        "hours_records": moved_hours,
        "certificates": moved_certificates,
    }
