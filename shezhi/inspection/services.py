"""Writes of annual inspection and rating. Views, hooks, commands and tasks all call these."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shezhi.accounts.models import Role, User
from shezhi.audit.models import AuditAction
from shezhi.audit.services import audit_record
from shezhi.inspection.models import (
    RESULT_BY_CHINESE,
    AnnualInspection,
    AssessmentStatus,
    Indicator,
    IndicatorScale,
    InspectionResult,
    RatingAssessment,
    RatingReview,
    RatingScore,
    ReminderSent,
)
from shezhi.inspection.rules import (
    TWO_PLACES,
    RulesBook,
    add_years,
    aggregate_score,
    annual_report_due,
    annual_report_late,
    rating_eligibility,
    rating_level,
    reporting_year,
    rules_for,
)
from shezhi.registry.models import Organization, RegistrationKind
from shezhi.registry.services import organization_update
from shezhi.workflow.engine import run, transition

log = logging.getLogger(__name__)

INSPECTION_RECORDED = AuditAction.INSPECTION_RECORDED
RATING_OPENED = AuditAction.RATING_OPENED
RATING_SCORED = AuditAction.RATING_SCORED
RATING_REVIEWERS_CHANGED = AuditAction.RATING_REVIEWERS_CHANGED

DECIDE = transition("decide", [AssessmentStatus.SCORING], AssessmentStatus.DECIDED, label=gettext_lazy("decide the rating"))
CANCEL = transition("cancel", [AssessmentStatus.SCORING], AssessmentStatus.CANCELLED, label=gettext_lazy("cancel"), note_required=True)


# --- telling people ---------------------------------------------------------------------


def deliver(*, recipients: Iterable[User], title: str, body: str = "", url: str = "", subject=None) -> int:
    """Tell people through the notifications app when it is installed, else by e-mail after
    commit. Returns the number of people told."""
    people = [u for u in recipients if u is not None and u.is_active]
    if not people:
        return 0
    if apps.is_installed("shezhi.notifications"):
        from shezhi.notifications.services import notify

        return len(notify(recipients=people, title=title, body=body, url=url, subject=subject))
    addresses = sorted({u.email for u in people if u.email})

    def send() -> None:
        for address in addresses:
            try:
                send_mail(title, f"{body}\n\n{url}".strip(), settings.DEFAULT_FROM_EMAIL, [address])
            except Exception:  # an outage must not undo the change that caused the message
                log.exception("inspection: e-mail to %s failed", address)

    transaction.on_commit(send)
    return len({u.pk for u in people})


def organization_accounts(organization_ids: Iterable[int]) -> dict[int, list[User]]:
    accounts: dict[int, list[User]] = {}
    for user in User.objects.filter(organization_id__in=list(organization_ids), role=Role.ORGANIZATION, is_active=True):
        accounts.setdefault(user.organization_id, []).append(user)
    return accounts


# --- annual inspection ------------------------------------------------------------------


def inspection_result(value) -> str:
    """A result given as its code or its Chinese term (合格 / 基本合格 / 不合格)."""
    text = str(value or "").strip()
    if text in InspectionResult.values:
        return text
    if text in RESULT_BY_CHINESE:
        return RESULT_BY_CHINESE[text]
    raise ValidationError({"result": _("Choose the result: qualified, basically qualified or unqualified.")})


@transaction.atomic
def annual_inspection_record(
    *,
    organization: Organization,
    year: int,
    result: str,
    by,
    reported_on: dt.date,
    decided_on: dt.date | None = None,
    filing_number: str = "",
    note: str = "",
) -> AnnualInspection:
    """Record the result of an organization's annual inspection for a year (合格 / 基本合格 /
    不合格), once per organization and year. The report's submission date decides the late
    flag (annual_report_late). Called on approval of an annual-report filing, and by the
    bureau for a result decided outside the system."""
    decided_on = decided_on or timezone.localdate()
    result = inspection_result(result)
    if organization.registration != RegistrationKind.REGISTERED:
        raise ValidationError(_("Filed community organizations have no annual inspection with the bureau."))
    if not isinstance(year, int) or year >= decided_on.year or year < 1949:
        raise ValidationError({"year": _("An annual inspection is for a past year.")})
    if reported_on > decided_on:
        raise ValidationError({"reported_on": _("The report cannot be submitted after the decision.")})
    locked = Organization.objects.select_for_update().get(pk=organization.pk)
    existing = AnnualInspection.objects.filter(organization=locked, year=year).first()
    if existing is not None:
        raise ValidationError(
            _("The annual inspection of %(org)s for %(year)s is already recorded (%(result)s, %(date)s).")
            % {"org": locked.name, "year": year, "result": existing.get_result_display(), "date": existing.decided_on.isoformat()}
        )
    record = AnnualInspection(
        organization=locked,
        year=year,
        result=result,
        reported_on=reported_on,
        late=annual_report_late(locked, year, reported_on),
        decided_on=decided_on,
        decided_by=by if getattr(by, "is_authenticated", False) else None,
        filing_number=(filing_number or "")[:40],
        note=note,
    )
    record.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:  # a concurrent decision on the same year won the race
        raise ValidationError(_("The annual inspection for %(year)s is already recorded.") % {"year": year}) from None
    audit_record(
        action=INSPECTION_RECORDED,
        by=by,
        target=locked,
        changes={f"annual_inspection_{year}": [None, result], "late": [None, record.late]},
        reason=note,
        source=f"filing:{filing_number}" if filing_number else "inspection",
    )
    return record


# --- reminders --------------------------------------------------------------------------


@dataclass
class ReminderRun:
    year: int
    sent: int = 0
    already_sent: int = 0
    without_account: int = 0


def _stage(days_left: int, days: list[int]) -> int | None:
    """The reminder stage for a number of days left: the smallest configured lead time that
    is at least `days_left`. A run missed on one day catches up on the next, and a later
    stage makes the earlier, missed one moot (nobody gets "30 days left" with 5 days left)."""
    if days_left < 0:
        return None
    fitting = [d for d in days if d >= days_left]
    return min(fitting) if fitting else None


def annual_report_reminders_send(*, today: dt.date | None = None, chunk: int = 500) -> ReminderRun:
    """Remind organizations that have not reported for the previous year, N days before each
    deadline (N from the rules' reminder days). Idempotent: each (organization, year,
    deadline, stage) goes out at most once, enforced by a unique key, so the command can run
    any number of times a day, and two runs at once send each reminder once."""
    from shezhi.inspection.filings import annual_report_start_url
    from shezhi.inspection.selectors import not_reported_queryset

    today = today or timezone.localdate()
    url = annual_report_start_url()
    year = reporting_year(today)
    book = RulesBook.load()
    outcome = ReminderRun(year=year)
    candidates = not_reported_queryset(Organization.objects.all(), year=year, as_of=today, book=book).order_by("pk")
    batch: list[Organization] = []

    def flush() -> None:
        if not batch:
            return
        ids = [o.pk for o in batch]
        done = set(
            ReminderSent.objects.filter(organization_id__in=ids, year=year).values_list("organization_id", "deadline", "days_before")
        )
        accounts = organization_accounts(ids)
        for org in batch:
            rules = book.for_city(org.city_id)
            for deadline, due in annual_report_due(org, year, rules=rules).items():
                stage = _stage((due - today).days, rules.reminder_day_list)
                if stage is None:
                    continue
                if (org.pk, deadline, stage) in done:
                    outcome.already_sent += 1
                    continue
                people = accounts.get(org.pk, [])
                if not people:
                    outcome.without_account += 1  # not recorded: an account opened later still gets it
                    continue
                if _send_reminder(org=org, year=year, deadline=deadline, stage=stage, due=due, today=today, people=people, url=url):
                    outcome.sent += 1
                else:
                    outcome.already_sent += 1
        batch.clear()

    for org in candidates.iterator(chunk_size=chunk):
        batch.append(org)
        if len(batch) >= chunk:
            flush()
    flush()
    return outcome


def _send_reminder(*, org, year: int, deadline: str, stage: int, due: dt.date, today: dt.date, people: list[User], url: str = "") -> bool:
    with transaction.atomic():
        _row, created = ReminderSent.objects.get_or_create(
            organization=org, year=year, deadline=deadline, days_before=stage, defaults={"due_on": due, "recipients": len(people)}
        )
        if not created:
            return False
        days_left = (due - today).days
        if deadline == "supervisor":
            title = _("Annual report for %(year)s: due to your supervising unit on %(date)s") % {"year": year, "date": due.isoformat()}
        else:
            title = _("Annual report for %(year)s: due to the bureau on %(date)s") % {"year": year, "date": due.isoformat()}
        body = _(
            "%(org)s has not yet filed its annual work report for %(year)s. %(days)s days are left. "
            "File it online; a late report is recorded as late, and not reporting is a ground for the abnormal-activity list."
        ) % {"org": org.name, "year": year, "days": days_left}
        deliver(recipients=people, title=title, body=body, url=url, subject=org)
    return True


# --- rating assessment ------------------------------------------------------------------


def active_scale() -> IndicatorScale:
    scale = IndicatorScale.objects.filter(active=True).first()
    if scale is None:
        raise ValidationError(_("No indicator scale is in use; the bureau sets one in the admin."))
    return scale


def leaf_indicators(scale: IndicatorScale) -> list[Indicator]:
    indicators = list(scale.indicators.all())
    parents = {i.parent_id for i in indicators if i.parent_id}
    return [i for i in indicators if i.pk not in parents]


def scale_problems(scale: IndicatorScale) -> list[str]:
    """What is wrong with a scale: leaves must add up to the total, parents to their children."""
    indicators = list(scale.indicators.all())
    problems = []
    children: dict[int, list[Indicator]] = {}
    for i in indicators:
        if i.parent_id:
            children.setdefault(i.parent_id, []).append(i)
    for i in indicators:
        kids = children.get(i.pk)
        if kids and sum(k.max_points for k in kids) != i.max_points:
            problems.append(
                _("%(name)s has %(max)s points but its sub-indicators add up to %(sum)s.")
                % {"name": i.name, "max": i.max_points, "sum": sum(k.max_points for k in kids)}
            )
    top = sum(i.max_points for i in indicators if i.parent_id is None)
    if top != scale.total_points:
        problems.append(_("The top-level indicators add up to %(sum)s, not %(total)s.") % {"sum": top, "total": scale.total_points})
    leaves = sum(i.max_points for i in indicators if i.pk not in children)
    if leaves != scale.total_points:
        # Reviewers score the sub-indicators: their maximums are what a full score adds up to.
        problems.append(_("The indicators scored add up to %(sum)s, not %(total)s.") % {"sum": leaves, "total": scale.total_points})
    return problems


def _reviewer_list(reviewers: Iterable[User]) -> list[User]:
    people = list(reviewers)
    wrong = [u for u in people if u.role != Role.REVIEWER or not u.is_active]
    if wrong:
        raise ValidationError(
            {"reviewers": _("Only active reviewer accounts can score: %(names)s.") % {"names": ", ".join(map(str, wrong))}}
        )
    return people


@transaction.atomic
def rating_assessment_open(
    *,
    organization: Organization,
    by,
    reviewers: Iterable[User] = (),
    filing_number: str = "",
    under_investigation: bool = False,
    on: dt.date | None = None,
) -> RatingAssessment:
    """Open a rating assessment of an eligible organization (rating_eligibility) on the
    scale in use, with the reviewers who will score it. One open assessment per organization."""
    on = on or timezone.localdate()
    people = _reviewer_list(reviewers)
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    reasons = rating_eligibility(org, on, under_investigation=under_investigation)
    if reasons:
        raise ValidationError(reasons)
    if RatingAssessment.objects.filter(organization=org, status=AssessmentStatus.SCORING).exists():
        raise ValidationError(_("%(org)s already has a rating assessment being scored.") % {"org": org.name})
    filing_number = (filing_number or "").strip()
    if filing_number and RatingAssessment.objects.filter(filing_number=filing_number).exists():
        raise ValidationError({"filing_number": _("Filing %(number)s already has an assessment.") % {"number": filing_number}})
    scale = active_scale()
    assessment = RatingAssessment.objects.create(
        organization=org,
        scale=scale,
        filing_number=filing_number,
        under_investigation=under_investigation,
        opened_on=on,
        opened_by=by if getattr(by, "is_authenticated", False) else None,
    )
    assessment.reviewers.set(people)
    audit_record(
        action=RATING_OPENED,
        by=by,
        target=assessment,
        changes={"organization": [None, org.name], "reviewers": [None, sorted(map(str, people))]},
        source=f"filing:{filing_number}" if filing_number else "rating",
    )
    _tell_reviewers(assessment, people)
    return assessment


def _tell_reviewers(assessment: RatingAssessment, people: list[User]) -> None:
    from django.urls import reverse

    deliver(
        recipients=people,
        title=_("Rating assessment to score: %(org)s") % {"org": assessment.organization.name},
        url=reverse("inspection:rating_detail", args=[assessment.pk]),
        subject=assessment,
    )


@transaction.atomic
def rating_reviewers_set(*, assessment: RatingAssessment, reviewers: Iterable[User], by) -> RatingAssessment:
    """Change who scores an open assessment. A reviewer who already scored keeps the sheet
    only while still assigned; removing one removes their sheet from the mean."""
    people = _reviewer_list(reviewers)
    locked = RatingAssessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.status != AssessmentStatus.SCORING:
        raise ValidationError(_("The assessment is no longer being scored."))
    before = set(locked.reviewers.all())
    locked.reviewers.set(people)
    removed = before - set(people)
    RatingReview.objects.filter(assessment=locked, reviewer__in=removed).delete()
    audit_record(
        action=RATING_REVIEWERS_CHANGED,
        by=by,
        target=locked,
        changes={"reviewers": [sorted(map(str, before)), sorted(map(str, people))]},
        reason=_("Reviewers changed"),
    )
    _tell_reviewers(locked, [p for p in people if p not in before])
    return locked


def _points(value, indicator: Indicator) -> Decimal:
    try:
        points = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({indicator.code: _("Enter a number.")}) from None
    if not points.is_finite() or points < 0 or points > indicator.max_points:
        raise ValidationError({indicator.code: _("Enter 0 to %(max)s points.") % {"max": indicator.max_points}})
    if points != points.quantize(TWO_PLACES):
        raise ValidationError({indicator.code: _("Use at most two decimals.")})
    return points.quantize(TWO_PLACES)


@transaction.atomic
def rating_scores_save(*, assessment: RatingAssessment, reviewer: User, points: Mapping[str, object], no_conflict: bool) -> RatingReview:
    """A reviewer enters (or corrects) their points for every sub-indicator of the scale,
    declaring no conflict of interest (社会组织评估管理办法: experts with a stake withdraw).
    Points stay within each indicator's maximum; the sheet's total feeds the mean."""
    locked = RatingAssessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.status != AssessmentStatus.SCORING:
        raise ValidationError(
            _("The assessment is already %(status)s; scores can no longer change.") % {"status": locked.get_status_display()}
        )
    if not locked.reviewers.filter(pk=reviewer.pk).exists():
        raise ValidationError(_("You are not a reviewer of this assessment."))
    if not no_conflict:
        raise ValidationError({"no_conflict": _("Declare that you have no conflict of interest, or withdraw from this assessment.")})
    leaves = leaf_indicators(locked.scale)
    errors: dict[str, list[str]] = {}
    values: dict[int, Decimal] = {}
    for indicator in leaves:
        if indicator.code not in points or str(points[indicator.code]).strip() == "":
            errors.setdefault(indicator.code, []).append(_("Score every indicator."))
            continue
        try:
            values[indicator.pk] = _points(points[indicator.code], indicator)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    unknown = set(points) - {i.code for i in leaves}
    if unknown:
        errors.setdefault("__all__", []).append(_("Unknown indicators: %(codes)s.") % {"codes": ", ".join(sorted(unknown))})
    if errors:
        raise ValidationError(errors)
    total = sum(values.values(), Decimal("0"))
    review = RatingReview.objects.filter(assessment=locked, reviewer=reviewer).first()
    old_total = review.total if review else None
    if review is None:
        review = RatingReview.objects.create(assessment=locked, reviewer=reviewer, no_conflict_declared=True, total=total)
    else:
        review.total = total
        review.save(update_fields=["total", "submitted_at"])
        review.scores.all().delete()
    RatingScore.objects.bulk_create([RatingScore(review=review, indicator_id=pk, points=p) for pk, p in values.items()])
    audit_record(
        action=RATING_SCORED,
        by=reviewer,
        target=locked,
        changes={"reviewer_total": [str(old_total) if old_total is not None else None, str(total)]},
    )
    return review


def _registry_source(assessment: RatingAssessment) -> str:
    return f"filing:{assessment.filing_number}" if assessment.filing_number else f"rating:{assessment.pk}"


@transaction.atomic
def rating_decide(*, assessment: RatingAssessment, by, score=None, note: str = "", on: dt.date | None = None) -> RatingAssessment:
    """Decide an assessment: the score is the one given (e.g. the committee's) or the mean
    of the reviewers' totals; the level follows from the thresholds (rating_level), valid
    for the rules' years (社会组织评估管理办法 art. 28: five). Eligibility is checked again
    as of the day the assessment was opened (the organization may have been put on a list
    since). The registry takes the level in the same transaction, with the filing as its
    source, so its history and the public page show it. A score below 1A awards no level
    and clears an earlier one: the new result replaces the old."""
    on = on or timezone.localdate()
    rules = rules_for(assessment.organization)

    def apply(locked: RatingAssessment) -> None:
        value = score
        if value in (None, ""):
            value = aggregate_score(locked)
            if value is None:
                raise ValidationError({"score": _("No reviewer has scored yet; enter the score or wait for the reviewers.")})
        try:
            value = Decimal(str(value)).quantize(TWO_PLACES)
        except (InvalidOperation, ValueError):
            raise ValidationError({"score": _("Enter the score as a number.")}) from None
        if value < 0 or value > locked.scale.total_points:
            raise ValidationError({"score": _("The score is between 0 and %(max)s.") % {"max": locked.scale.total_points}})
        reasons = rating_eligibility(locked.organization, locked.opened_on, under_investigation=locked.under_investigation)
        if reasons:
            raise ValidationError(reasons)
        locked.score = value
        locked.level = rating_level(value, rules)
        locked.decided_on = on
        locked.valid_until = add_years(on, rules.rating_validity_years) if locked.level else None

    step = run(assessment, DECIDE, by=by, note=note, apply=apply)
    decided = step.item
    org = Organization.objects.get(pk=decided.organization_id)  # fresh: the caller's copy may predate a change
    if decided.level or org.rating:
        reason = (
            _("Rating assessment decided: %(level)s (score %(score)s).") % {"level": decided.level, "score": decided.score}
            if decided.level
            else _("Rating assessment decided: score %(score)s, below the lowest level; the earlier rating no longer applies.")
            % {"score": decided.score}
        )
        organization_update(
            organization=org,
            data={
                "rating": decided.level,
                "rated_on": decided.decided_on if decided.level else None,
                "rating_valid_until": decided.valid_until,
            },
            by=by,
            reason=reason,
            source=_registry_source(decided),
        )
    from django.urls import reverse

    deliver(
        recipients=organization_accounts([org.pk]).get(org.pk, []),
        title=_("Rating assessment decided: %(level)s") % {"level": decided.level or _("no level")},
        body=_("Score %(score)s.") % {"score": decided.score},
        url=reverse("registry:detail", args=[org.pk]),
        subject=decided,
    )
    return decided


def rating_cancel(*, assessment: RatingAssessment, by, note: str) -> RatingAssessment:
    """Close an assessment without a decision (e.g. the application was withdrawn); the reason is kept."""
    return run(assessment, CANCEL, by=by, note=note).item
