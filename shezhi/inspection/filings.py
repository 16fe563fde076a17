"""What this app reads of the online filings (shezhi.affairs), all in one place.

The affairs app runs the procedure (draft → submitted → … → done); this app owns the
rules and the records. It needs four facts about a filing: its procedure kind, the year it
reports on (filing.data["year"]), when it was submitted, and which materials it carries
(Material.requirement.code);
and, for the list of organizations that have not reported, which annual reports are
submitted and still open. While the affairs app is not installed these answers are empty.
"""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

ANNUAL_REPORT = "annual_report"
RATING = "rating"


def affairs_installed() -> bool:
    return apps.is_installed("shezhi.affairs")


def filing_kind(filing) -> str:
    procedure = getattr(filing, "procedure", None)
    return getattr(procedure, "kind", "") or ""


def filing_year(filing) -> int | None:
    """The year the filing reports on, or None if missing or not a whole number."""
    value = (getattr(filing, "data", None) or {}).get("year")
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def filing_submitted_on(filing) -> dt.date:
    """The day the applicant submitted (the first submission: a correction does not move it)."""
    for name in ("submitted_at", "first_submitted_at"):
        value = getattr(filing, name, None)
        if isinstance(value, dt.datetime):
            return timezone.localdate(value) if timezone.is_aware(value) else value.date()
        if isinstance(value, dt.date):
            return value
    return timezone.localdate()


def filing_materials(filing) -> set[str]:
    """Codes of the materials attached to the filing (uploads), plus any non-empty data key
    of the same name (a rectification report may be written in the form instead)."""
    codes = {key for key, value in (getattr(filing, "data", None) or {}).items() if value not in (None, "", [], {})}
    materials = getattr(filing, "materials", None)
    if materials is not None and hasattr(materials, "values_list") and getattr(filing, "pk", None) is not None:
        codes |= set(materials.exclude(requirement=None).values_list("requirement__code", flat=True))
    elif isinstance(materials, (list, tuple, set)):
        codes |= set(materials)
    return codes


def open_reports(year: int):
    """Annual-report filings on `year` submitted and still being handled: the organization
    has reported, the result is pending."""
    Filing = apps.get_model("affairs", "Filing")
    # The form stores the year as a number; a string is matched too, for data entered otherwise.
    return Filing.objects.filter(Q(data__year=year) | Q(data__year=str(year)), procedure__kind=ANNUAL_REPORT, status__in=PENDING_STATUSES)


# A submitted report still being handled. Once approved, the AnnualInspection row (with the
# submission date) stands for it; a refused, withdrawn or not accepted report is no report.
PENDING_STATUSES = ["submitted", "correction", "accepted", "under_review", "approved"]


def open_report_exists(year: int, as_of: dt.date) -> Exists | None:
    """A subquery for Organization rows: an open report on `year` submitted by `as_of`."""
    if not affairs_installed():
        return None
    end = timezone.make_aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min))
    return Exists(open_reports(year).filter(organization=OuterRef("pk"), submitted_at__lt=end))


def other_open_report(filing, year: int) -> bool:
    """Another report of the same organization on the same year being handled."""
    if not affairs_installed():
        return False
    qs = open_reports(year).filter(organization_id=filing.organization.pk)
    if getattr(filing, "pk", None) is not None:
        qs = qs.filter(~Q(pk=filing.pk))
    return qs.exists()


def annual_report_start_url() -> str:
    """Where an organization starts its annual report online ("" while there is no such procedure)."""
    if not affairs_installed():
        return ""
    from django.urls import NoReverseMatch, reverse

    ProcedureType = apps.get_model("affairs", "ProcedureType")
    code = ProcedureType.objects.filter(kind=ANNUAL_REPORT, active=True).values_list("code", flat=True).first()
    if not code:
        return ""
    try:
        return reverse("affairs:create", args=[code])
    except NoReverseMatch:
        return ""
