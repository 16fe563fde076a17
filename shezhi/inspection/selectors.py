"""Reads of annual inspection and rating, scoped to the acting user; forbidden is "not found"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from shezhi.accounts.models import Role
from shezhi.accounts.selectors import areas_visible_to
from shezhi.areas.models import Area, AreaLevel
from shezhi.inspection.filings import open_report_exists
from shezhi.inspection.models import AnnualInspection, AssessmentStatus, RatingAssessment
from shezhi.inspection.rules import (
    ENDED,
    RulesBook,
    annual_report_due,
    bureau_due_month_day,
    deadline_on,
    exemption_cutoff,
)
from shezhi.registry.models import LegalForm, Organization, RegistrationKind
from shezhi.registry.selectors import organizations_visible_to

# Who sees the list of organizations that have not reported.
NOT_REPORTED_ROLES = {Role.BUREAU, Role.TOWN}


def _per_rules(book: RulesBook, clause) -> Q:
    """OR of `clause(rules)` restricted to each city with its own rules, and to every other
    city for the default. Few rule rows exist, so the filter stays small."""
    parts = [Q(city_id=city_id) & clause(rules) for city_id, rules in book.by_city.items()]
    rest = clause(book.default)
    if book.by_city:
        rest = ~Q(city_id__in=list(book.by_city)) & rest
    parts.append(rest)
    combined = Q()
    for part in parts:
        combined |= part
    return combined


def obliged_q(year: int, book: RulesBook) -> Q:
    """Organizations that must report for `year` (rules.annual_report_obligation as a filter):
    registered, not deregistered or revoked, registered by the exemption cut-off (or on an
    unknown date)."""
    return (
        Q(registration=RegistrationKind.REGISTERED)
        & ~Q(status__in=list(ENDED))
        & _per_rules(book, lambda rules: Q(founded_on__isnull=True) | Q(founded_on__lte=exemption_cutoff(year, rules)))
    )


def reported_filters(year: int, as_of: dt.date) -> list[Exists]:
    """What counts as reported by `as_of`: a recorded result whose report was submitted by
    then, or an open filing submitted by then. Each is excluded on its own (NOT EXISTS … AND
    NOT EXISTS …), which PostgreSQL runs as anti-joins on the indexed keys (organization,
    year) and (organization); an OR of the two would be planned as a filter per row."""
    filters = [Exists(AnnualInspection.objects.filter(organization=OuterRef("pk"), year=year, reported_on__lte=as_of))]
    pending = open_report_exists(year, as_of)
    if pending is not None:
        filters.append(pending)
    return filters


def overdue_q(year: int, as_of: dt.date, book: RulesBook) -> Q:
    """Organizations whose bureau deadline for `year` has passed on `as_of` (deadlines
    depend on the city's rules and the legal form)."""

    def clause(rules) -> Q:
        late_forms = [form for form in LegalForm.values if deadline_on(year + 1, bureau_due_month_day(form, rules), rules) < as_of]
        return Q(legal_form__in=late_forms) if late_forms else Q(pk__in=[])

    return _per_rules(book, clause)


def not_reported_queryset(
    base: QuerySet[Organization], *, year: int, as_of: dt.date, book: RulesBook | None = None, overdue_only: bool = False
) -> QuerySet[Organization]:
    """Organizations of `base` that must report for `year` and had not reported by `as_of`."""
    book = book or RulesBook.load()
    qs = base.filter(obliged_q(year, book))
    for reported in reported_filters(year, as_of):
        qs = qs.exclude(reported)
    if overdue_only:
        qs = qs.filter(overdue_q(year, as_of, book))
    return qs


def can_see_not_reported(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.role in NOT_REPORTED_ROLES and user.area_id is not None


def organizations_not_reported(
    user, *, year: int, as_of: dt.date, town: int | None = None, overdue_only: bool = False, book: RulesBook | None = None
) -> QuerySet[Organization]:
    """The organizations in the user's area that have not reported for `year` by `as_of`
    (the bureau: its city; a town officer: the town), sorted by town and name."""
    if not can_see_not_reported(user):
        return Organization.objects.none()
    qs = organizations_visible_to(user)
    if town:
        qs = qs.filter(town_id=town)
    return not_reported_queryset(qs, year=year, as_of=as_of, book=book, overdue_only=overdue_only).order_by("town__code", "sort_key", "id")


@dataclass
class TownCount:
    town: Area
    obliged: int
    not_reported: int

    @property
    def reported(self) -> int:
        return self.obliged - self.not_reported


def not_reported_by_town(user, *, year: int, as_of: dt.date, book: RulesBook | None = None) -> list[TownCount]:
    """Per town of the user's area: how many organizations must report, how many have not."""
    if not can_see_not_reported(user):
        return []
    book = book or RulesBook.load()
    scope = organizations_visible_to(user).order_by()
    obliged = dict(scope.filter(obliged_q(year, book)).values_list("town_id").annotate(n=Count("id")))
    missing = dict(not_reported_queryset(scope, year=year, as_of=as_of, book=book).values_list("town_id").annotate(n=Count("id")))
    towns = areas_visible_to(user).filter(level=AreaLevel.TOWN).order_by("code")
    return [TownCount(town=t, obliged=obliged.get(t.pk, 0), not_reported=missing.get(t.pk, 0)) for t in towns]


def with_deadlines(orgs, *, year: int, as_of: dt.date, book: RulesBook) -> list[Organization]:
    """Attach each organization's bureau deadline and whether it has passed (for display)."""
    rows = list(orgs)
    for org in rows:
        due = annual_report_due(org, year, rules=book.for_city(org.city_id))
        org.report_due = due.bureau
        org.supervisor_due = due.supervisor
        org.report_overdue = as_of > due.bureau
    return rows


def inspection_history(organization: Organization) -> QuerySet[AnnualInspection]:
    """An organization's annual inspection results, latest year first (the caller has
    already checked that the user may see the organization)."""
    return AnnualInspection.objects.filter(organization=organization).order_by("-year")


# --- rating assessments -----------------------------------------------------------------


def assessments_visible_to(user) -> QuerySet[RatingAssessment]:
    """The bureau: assessments of organizations in its area; a reviewer: those assigned."""
    qs = RatingAssessment.objects.select_related("organization", "organization__town")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if user.role == Role.BUREAU:
        return qs.filter(organization__in=organizations_visible_to(user))
    if user.role == Role.REVIEWER:
        return qs.filter(reviewers=user)
    return qs.none()


def assessment_for(user, pk: int) -> RatingAssessment:
    try:
        return assessments_visible_to(user).get(pk=pk)
    except (RatingAssessment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_decide(user, assessment: RatingAssessment) -> bool:
    """The bureau decides assessments it can see; one tied to an online filing is decided by
    approving the filing, so that the filing and the registry never disagree."""
    return (
        getattr(user, "is_authenticated", False)
        and user.role == Role.BUREAU
        and assessment.status == AssessmentStatus.SCORING
        and not assessment.filing_number
    )


def open_assessment_for_filing(filing_number: str) -> RatingAssessment | None:
    return RatingAssessment.objects.filter(filing_number=filing_number, status=AssessmentStatus.SCORING).first()
