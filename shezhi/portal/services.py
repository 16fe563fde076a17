"""Writes the public portal makes: recording exports and starting background exports."""

from __future__ import annotations

from dataclasses import asdict

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from shezhi.audit.models import AuditAction
from shezhi.audit.services import audit_record
from shezhi.jobs.models import Job
from shezhi.jobs.services import job_create
from shezhi.registry.selectors import OrganizationFilters

# Larger exports run as a background job, which needs an owner to show its progress and
# file to: anonymous visitors narrow their search instead.
EXPORT_SYNC_LIMIT = 5_000
EXPORT_FORMATS = ("xlsx", "csv")
JOB_KIND = "portal_export"


def _filters_json(filters: OrganizationFilters) -> dict:
    return {k: v for k, v in asdict(filters).items() if v not in ("", None, False)}


def export_record(*, by, filters: OrganizationFilters, fmt: str, rows: int) -> None:
    """Audit a download of search results by a logged-in user (anonymous downloads hold public data only)."""
    if not getattr(by, "is_authenticated", False):
        return
    audit_record(
        action=AuditAction.ORG_EXPORTED,
        by=by,
        target_type="registry.organization",
        target_label=_("Public search results"),
        changes={"format": [None, fmt], "rows": [None, rows], "filters": [None, _filters_json(filters)]},
        source="portal:export",
    )


@transaction.atomic
def export_start(*, by, filters: OrganizationFilters, fmt: str) -> Job:
    """Start a background export of search results for a logged-in user; returns its job."""
    if not getattr(by, "is_authenticated", False):
        raise PermissionDenied("background exports need an account")
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    job = job_create(
        kind=JOB_KIND,
        title=_("Export of search results (.%(fmt)s)") % {"fmt": fmt},
        by=by,
        params={"filters": asdict(filters), "fmt": fmt},
    )
    audit_record(
        action=AuditAction.ORG_EXPORTED,
        by=by,
        target_type="registry.organization",
        target_label=_("Public search results"),
        changes={"format": [None, fmt], "job": [None, job.pk], "filters": [None, _filters_json(filters)]},
        source=f"job:{job.pk}",
    )
    from shezhi.portal.tasks import export_search_results

    transaction.on_commit(lambda: export_search_results.enqueue(job.pk))
    return job
