"""The public portal: home page, registry search (page and htmx fragment), organization pages, exports."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shezhi.exporting import csv_response, xlsx_response
from shezhi.extensions import sections_for
from shezhi.portal import selectors, services
from shezhi.portal.exports import COLUMNS, export_filename, export_rows
from shezhi.portal.forms import SORT_CHOICES, page_number, parse_search
from shezhi.portal.services import EXPORT_FORMATS, export_record, export_start
from shezhi.privacy import mask_phone
from shezhi.registry.models import CommunityCategory, HubKind, LegalForm, OrganizationStatus, Rating


@require_GET
def home(request):
    return render(request, "portal/home.html", {"headline": selectors.headline()})


def _fragment_wanted(request) -> bool:
    # htmx asks for the results only; a history restore after a cache miss needs the page.
    return bool(request.htmx) and not request.htmx.history_restore_request and not request.htmx.boosted


@require_GET
def search(request):
    """The search page; htmx requests from its form get the results fragment alone."""
    parsed = parse_search(request.GET)
    number, page_problem = page_number(request.GET)
    problems = parsed.problems + ([page_problem] if page_problem else [])
    page = selectors.search_page(parsed.filters, number)
    _add_labels(page.rows)
    context = {
        "search": parsed,
        "filters": parsed.filters,
        "page": page,
        "problems": problems,
        "sort_choices": [(value, str(label)) for value, label in SORT_CHOICES],
        # Labels translated once here, not once per option and per row in the template.
        "legal_forms": _choices(LegalForm),
        "community_categories": _choices(CommunityCategory),
        "ratings": _choices(Rating),
        "statuses": _choices(OrganizationStatus),
        "detail_prefix": reverse("portal:organization", args=[0])[:-2],
        "export_limit": services.EXPORT_SYNC_LIMIT,
    }
    template = "portal/_results.html" if _fragment_wanted(request) else "portal/search.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _choices(enum) -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in enum.choices]


def _add_labels(rows) -> None:
    """Display labels for a page of rows, translated once per request.

    get_FOO_display() rebuilds its label map, translating every label, on each call: with
    four such columns that was most of the time spent rendering a page of results.
    """
    maps = {
        "legal_form": dict(LegalForm.choices),
        "community_category": dict(CommunityCategory.choices),
        "status": dict(OrganizationStatus.choices),
        "hub_kind": dict(HubKind.choices),
    }
    maps = {field: {value: str(label) for value, label in labels.items()} for field, labels in maps.items()}
    for org in rows:
        for field, labels in maps.items():
            setattr(org, f"{field}_label", labels.get(getattr(org, field), ""))


@require_GET
def organization_detail(request, pk: int):
    org = selectors.organization_public(pk)
    context = {
        "org": org,
        "phone": mask_phone(org.phone),
        "history": selectors.organization_history(org),
        "today": timezone.localdate(),
        "sections": sections_for(org, request, audience="public"),
    }
    return render(request, "portal/organization.html", context)


@require_http_methods(["GET", "POST"])
def export(request):
    """Download the current search results: at once up to EXPORT_SYNC_LIMIT rows, else as a job."""
    if request.method == "POST":
        return _export_start(request)
    fmt = request.GET.get("fmt", "xlsx")
    parsed = parse_search(request.GET)
    query = _query_without(request.GET, "fmt", "page")
    if fmt not in EXPORT_FORMATS:
        return render(
            request,
            "portal/export.html",
            {"problem": _("Choose .xlsx or .csv to download."), "query": query, "fmt": "xlsx", "too_many": False},
            status=400,
        )
    qs = selectors.search_queryset(parsed.filters)
    rows, over = selectors.count_capped(qs, services.EXPORT_SYNC_LIMIT)
    if over:
        return render(request, "portal/export.html", {"query": query, "fmt": fmt, "too_many": True, "limit": services.EXPORT_SYNC_LIMIT})
    export_record(by=request.user, filters=parsed.filters, fmt=fmt, rows=rows)
    if fmt == "csv":
        return csv_response(export_filename(fmt), COLUMNS, export_rows(qs))
    return xlsx_response(export_filename(fmt), COLUMNS, export_rows(qs), sheet_title="社会组织")


@require_POST
@login_required
def _export_start(request):
    fmt = request.POST.get("fmt", "xlsx")
    if fmt not in EXPORT_FORMATS:
        fmt = "xlsx"
    parsed = parse_search(request.POST)
    job = export_start(by=request.user, filters=parsed.filters, fmt=fmt)
    return redirect("jobs:detail", job.pk)


def _query_without(data, *names: str) -> str:
    return urlencode([(k, v) for k, values in data.lists() if k not in names for v in values])
