"""Reads of complaints: the staff's scoped lists, one complaint, and the public view of it.

Staff see the complaints of their area: the bureau its city's, a town officer those its
town handles. Everyone else — community workers, departments, organizations, residents —
sees none; a complaint out of reach is "not found", whether it exists or not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from shezhi.accounts.models import Role
from shezhi.accounts.selectors import area_scope_q
from shezhi.areas.models import Area, AreaLevel
from shezhi.complaints.models import OPEN_STATUSES, Complaint, ComplaintCategory, ComplaintStatus, office_label
from shezhi.workflow.engine import timeline

STAFF_ROLES = (Role.BUREAU, Role.TOWN)


def can_handle_complaints(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.role in STAFF_ROLES and user.area_id is not None


def complaints_visible_to(user) -> QuerySet[Complaint]:
    if not can_handle_complaints(user):
        return Complaint.objects.none()
    q = area_scope_q(user, city="city_id", town="handling_area_id", community="handling_area_id")
    if q is None:
        return Complaint.objects.none()
    return Complaint.objects.filter(q)


def complaint_for(user, pk) -> Complaint:
    try:
        return complaints_visible_to(user).select_related("category", "outcome", "town", "city", "handling_area", "organization").get(pk=pk)
    except (Complaint.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@dataclass(frozen=True)
class ComplaintFilters:
    status: str = ""
    town: int | None = None
    category: int | None = None
    overdue: bool = False
    q: str = ""


def filters_from_params(params, *, towns: list[Area]) -> tuple[ComplaintFilters, list[str]]:
    """Filters from GET parameters; a bad value is dropped with a message, never a 500."""
    problems: list[str] = []
    status = (params.get("status") or "").strip()
    if status and status not in ComplaintStatus.values:
        problems.append(_("Unknown status %(value)s; that filter was ignored.") % {"value": status[:30]})
        status = ""

    def number(name: str) -> int | None:
        value = (params.get(name) or "").strip()
        if not value:
            return None
        if not value.isdigit():
            problems.append(_("“%(value)s” is not a choice from the list; that filter was ignored.") % {"value": value[:30]})
            return None
        return int(value)

    town = number("town")
    if town is not None and town not in {t.pk for t in towns}:
        problems.append(_("That town is not in your area; the filter was ignored."))
        town = None
    category = number("category")
    return (
        ComplaintFilters(
            status=status,
            town=town,
            category=category,
            overdue=(params.get("overdue") or "").lower() in {"1", "on", "true", "yes"},
            q=(params.get("q") or "").strip()[:40],
        ),
        problems,
    )


def apply_filters(qs: QuerySet[Complaint], f: ComplaintFilters, *, today: dt.date) -> QuerySet[Complaint]:
    if f.status:
        qs = qs.filter(status=f.status)
    if f.town:
        qs = qs.filter(town_id=f.town)
    if f.category:
        qs = qs.filter(category_id=f.category)
    if f.overdue:
        qs = qs.filter(status__in=OPEN_STATUSES, due_on__lt=today)
    if f.q:
        from shezhi.complaints.tokens import normalize_number

        number = normalize_number(f.q)
        qs = qs.filter(Q(number=number) if number else Q(organization_name__icontains=f.q))
    return qs


def staff_list(user, f: ComplaintFilters, *, today: dt.date) -> QuerySet[Complaint]:
    # Open ones first, the earliest due at the top; then the rest, newest first.
    from django.db.models import Case, DateField, F, IntegerField, Value, When

    return (
        apply_filters(complaints_visible_to(user), f, today=today)
        .select_related("category", "town", "handling_area", "outcome")
        .annotate(
            open_first=Case(When(status__in=OPEN_STATUSES, then=Value(0)), default=Value(1), output_field=IntegerField()),
            open_due=Case(When(status__in=OPEN_STATUSES, then=F("due_on")), default=None, output_field=DateField()),
        )
        .order_by("open_first", "open_due", "-received_on", "-id")
    )


def towns_for_filter(user) -> list[Area]:
    if not can_handle_complaints(user):
        return []
    if user.role == Role.TOWN:
        return [user.area]
    q = area_scope_q(user, community="id")
    return list(Area.objects.filter(q, level=AreaLevel.TOWN).order_by("code")) if q is not None else []


def categories() -> list[ComplaintCategory]:
    return list(ComplaintCategory.objects.all())


# --- the public view --------------------------------------------------------------------


@dataclass(frozen=True)
class PublicStep:
    on: dt.date
    label: str
    detail: str = ""


def public_steps(complaint: Complaint) -> list[PublicStep]:
    """What happened to a complaint, as its complainant may see it: dates, steps and offices,
    never who (no staff names) and nothing the staff wrote for themselves."""
    from django.utils import timezone

    steps = [PublicStep(complaint.received_on, _("Received"), office_label(complaint.town))]
    for event in timeline(complaint):
        on = timezone.localdate(event.at)
        if event.transition == "accept":
            steps.append(PublicStep(on, _("Accepted"), event.data.get("office", "")))
        elif event.transition == "not_accept":
            steps.append(PublicStep(on, _("Not accepted"), complaint.decision_reason))
        elif event.transition == "investigate":
            steps.append(PublicStep(on, _("Under investigation"), event.data.get("office", "")))
        elif event.transition == "reassign":
            steps.append(PublicStep(on, _("Passed to another office"), event.data.get("to_office", "")))
        elif event.transition == "answer":
            steps.append(PublicStep(on, _("Answered"), event.data.get("office", "")))
        elif event.transition == "close":
            steps.append(PublicStep(on, _("Closed"), complaint.outcome.name if complaint.outcome_id else ""))
    return steps
