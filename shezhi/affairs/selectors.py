"""Who may see and do what with filings, and the reads behind the pages.

A filing is seen by its applicant side (the applicant and the organization's accounts),
by the staff who handle its procedure in its area, and by the staff of its area for
oversight (the bureau its city's, a town officer its town's). Everything else is "not
found", whether the filing exists or not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from shezhi.accounts.models import Role
from shezhi.affairs.models import (
    CLOCK_RUNNING,
    ApplicantKind,
    Filing,
    FilingStatus,
    HandlingRole,
    ProcedureType,
)
from shezhi.areas.models import AreaLevel
from shezhi.registry.models import OrganizationStatus
from shezhi.workdays.services import workdays_between

APPLICANT_ACTIONS = {"edit", "upload", "submit", "resubmit", "withdraw"}
HANDLER_ACTIONS = {"accept", "not_accept", "request_correction", "start_review", "approve", "refuse"}


def _staff_area_q(user, *, prefix: str = "") -> Q | None:
    """Filings in the area a staff account covers (bureau: city, town officer: town)."""
    area = user.area
    if area is None:
        return None
    if area.level == AreaLevel.PROVINCE:
        return Q()
    if area.level == AreaLevel.CITY:
        return Q(**{f"{prefix}city_id": area.pk})
    if area.level == AreaLevel.TOWN:
        return Q(**{f"{prefix}town_id": area.pk})
    return None


def applicant_q(user) -> Q:
    q = Q(applicant_id=user.pk)
    if user.role == Role.ORGANIZATION and user.organization_id:
        q |= Q(organization_id=user.organization_id)
    return q


def filings_visible_to(user) -> QuerySet[Filing]:
    if not getattr(user, "is_authenticated", False):
        return Filing.objects.none()
    q = applicant_q(user)
    if user.role in (Role.BUREAU, Role.TOWN):
        area_q = _staff_area_q(user)
        if area_q is not None:
            # A draft is the applicant's own until it is submitted.
            q |= area_q & ~Q(status=FilingStatus.DRAFT)
    return Filing.objects.filter(q).select_related("procedure", "organization", "town", "city", "applicant")


def filings_handled_by(user) -> QuerySet[Filing]:
    """Filings whose procedure this staff account accepts and decides, in its area."""
    if not getattr(user, "is_authenticated", False) or user.role not in (Role.BUREAU, Role.TOWN):
        return Filing.objects.none()
    area_q = _staff_area_q(user)
    if area_q is None:
        return Filing.objects.none()
    return (
        Filing.objects.filter(area_q, procedure__handled_by=user.role)
        .exclude(status=FilingStatus.DRAFT)
        .select_related("procedure", "organization", "town", "city", "applicant")
    )


def is_applicant_side(user, filing: Filing) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if filing.applicant_id == user.pk:
        return True
    return user.role == Role.ORGANIZATION and bool(user.organization_id) and user.organization_id == filing.organization_id


def is_handler(user, filing: Filing) -> bool:
    if not getattr(user, "is_authenticated", False) or user.role != filing.procedure.handled_by:
        return False
    area = user.area
    if area is None:
        return False
    if area.level == AreaLevel.PROVINCE:
        return True
    if user.role == HandlingRole.BUREAU and area.level == AreaLevel.CITY:
        return filing.city_id == area.pk
    if user.role == HandlingRole.TOWN and area.level == AreaLevel.TOWN:
        return filing.town_id == area.pk
    return False


def may(user, filing: Filing, action: str) -> bool:
    if action == "view":
        return filings_visible_to(user).filter(pk=filing.pk).exists()
    if action in APPLICANT_ACTIONS:
        return is_applicant_side(user, filing)
    if action in HANDLER_ACTIONS:
        return is_handler(user, filing)
    return False


def filing_for(user, pk, *, action: str = "view") -> Filing:
    """One filing the user may see (and take `action` on): otherwise 404."""
    try:
        filing = filings_visible_to(user).get(pk=pk)
    except (Filing.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if action != "view" and not may(user, filing, action):
        raise Http404
    return filing


def procedures_for(user) -> QuerySet[ProcedureType]:
    """Procedures the user may start a filing of."""
    qs = ProcedureType.objects.filter(active=True)
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if user.role == Role.ORGANIZATION and user.organization_id:
        org = user.organization
        if org.status in (OrganizationStatus.DEREGISTERED, OrganizationStatus.REVOKED):
            return qs.none()
        return qs.filter(applicant=ApplicantKind.ORGANIZATION).filter(Q(for_registration="") | Q(for_registration=org.registration))
    if user.role == Role.PUBLIC:
        return qs.filter(applicant=ApplicantKind.PROSPECTIVE)
    return qs.none()


# --- time limits ------------------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    """What a list shows about a filing's time limit."""

    state: str  # "running", "stopped", "waiting" (not accepted yet), "closed"
    due_on: dt.date | None = None
    days_left: int | None = None  # working days; negative when overdue

    @property
    def overdue(self) -> bool:
        return self.state == "running" and self.days_left is not None and self.days_left < 0

    @property
    def days_over(self) -> int:
        return -self.days_left if self.overdue else 0


def clock(filing: Filing, *, today: dt.date | None = None) -> Clock:
    today = today or timezone.localdate()
    if filing.status in CLOCK_RUNNING and filing.due_on:
        if today <= filing.due_on:
            return Clock("running", filing.due_on, workdays_between(today, filing.due_on))
        return Clock("running", filing.due_on, -workdays_between(filing.due_on, today))
    if filing.status == FilingStatus.CORRECTION:
        return Clock("stopped", filing.due_on)
    if filing.status == FilingStatus.SUBMITTED:
        return Clock("waiting")
    return Clock("closed", filing.due_on)


# A decided filing's status: approval and refusal end in "done", non-acceptance stays as it is.
DECIDED_STATUSES = (FilingStatus.DONE, FilingStatus.NOT_ACCEPTED)


def filings_decided(
    qs: QuerySet[Filing],
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    kind: str = "",
    town: int | None = None,
    late: bool = False,
) -> QuerySet[Filing]:
    """Of `qs`, the filings decided from `start` to `end` (both included): the rows behind
    the service figures of the targets dashboard's second panel, which links here."""
    qs = qs.filter(status__in=DECIDED_STATUSES)
    if start is not None:
        qs = qs.filter(done_on__gte=start)
    if end is not None:
        qs = qs.filter(done_on__lte=end)
    if kind:
        qs = qs.filter(procedure__kind=kind)
    if town:
        qs = qs.filter(town_id=town)
    if late:
        qs = qs.filter(on_time=False)
    return qs


def overdue_q(today: dt.date | None = None) -> Q:
    today = today or timezone.localdate()
    return Q(status__in=CLOCK_RUNNING, due_on__lt=today)


# --- metrics ----------------------------------------------------------------------------

FINISHED = ("approved", "refused", "not_accepted")


def metrics_scope(user) -> QuerySet[Filing]:
    """Filings whose service figures the user may read: the bureau its city's, a town its town's."""
    if not getattr(user, "is_authenticated", False) or user.role not in (Role.BUREAU, Role.TOWN):
        return Filing.objects.none()
    area_q = _staff_area_q(user)
    if area_q is None:
        return Filing.objects.none()
    return Filing.objects.filter(area_q)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def filing_metrics(user, *, year: int, today: dt.date | None = None) -> list[dict]:
    """Per procedure and month of `year`: received (first submitted), done (decided or not
    accepted), share of those handled fully online, median working days taken (clock stops
    excluded), on-time rate against the promised limit; and per procedure the filings
    overdue right now. A row with month None is the procedure's whole year."""
    import statistics
    from collections import defaultdict

    qs = metrics_scope(user)
    received: dict[tuple[int, int], int] = defaultdict(int)
    for procedure_id, submitted_at in qs.filter(submitted_at__isnull=False).values_list("procedure_id", "submitted_at"):
        day = timezone.localtime(submitted_at).date()
        if day.year == year:
            received[(procedure_id, day.month)] += 1
    finished: dict[tuple[int, int], list[tuple]] = defaultdict(list)
    for row in qs.filter(done_on__year=year, decision__in=FINISHED).values_list(
        "procedure_id", "done_on", "fully_online", "workdays_taken", "on_time"
    ):
        finished[(row[0], row[1].month)].append(row[2:])
    overdue = dict(qs.filter(overdue_q(today)).values("procedure_id").annotate(n=models.Count("id")).values_list("procedure_id", "n"))

    def figures(rows: list[tuple], n_received: int) -> dict:
        days = [r[1] for r in rows if r[1] is not None]
        timed = [r[2] for r in rows if r[2] is not None]
        return {
            "received": n_received,
            "done": len(rows),
            "fully_online_share": _share(sum(1 for r in rows if r[0]), len(rows)),
            "median_workdays": statistics.median(days) if days else None,
            "on_time_rate": _share(sum(1 for t in timed if t), len(timed)),
        }

    out = []
    for procedure in ProcedureType.objects.order_by("position", "code"):
        months = sorted({m for (p, m) in received if p == procedure.pk} | {m for (p, m) in finished if p == procedure.pk})
        if not months and not overdue.get(procedure.pk):
            continue
        base = {"procedure": procedure.code, "procedure_name": procedure.name, "year": year}
        all_rows: list[tuple] = []
        for month in months:
            rows = finished.get((procedure.pk, month), [])
            all_rows += rows
            out.append({**base, "month": month, **figures(rows, received.get((procedure.pk, month), 0)), "overdue_now": None})
        total_received = sum(n for (p, _m), n in received.items() if p == procedure.pk)
        out.append({**base, "month": None, **figures(all_rows, total_received), "overdue_now": overdue.get(procedure.pk, 0)})
    return out
