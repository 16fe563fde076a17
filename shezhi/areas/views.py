"""The bureau's pages for its area tree: the list, export, and import (check → confirm).

Only the bureau of a city sees them; everyone else gets 404.
"""

from __future__ import annotations

import secrets

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shezhi.accounts.models import Role
from shezhi.areas.importing import AREA_COLUMNS, EXPORT_COLUMNS, areas_import, city_tree, export_rows
from shezhi.areas.models import Area, AreaLevel
from shezhi.tabular import CSV, XLSX, TabularError, inspect_file, store_upload, stored_path, table_response

PAGE_SIZE = 100
SESSION_KEY = "area_imports"


def _bureau_city(user) -> Area:
    if not (getattr(user, "is_authenticated", False) and user.role == Role.BUREAU and user.area and user.area.level == AreaLevel.CITY):
        raise Http404
    return user.area


class AreaUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Area spreadsheet (.xlsx or .csv)"))


@login_required
def area_list(request):
    """The city's tree with populations, a page at a time, and the demo areas marked."""
    city = _bureau_city(request.user)
    qs = city_tree(city)
    query = (request.GET.get("q") or "").strip()
    if query:
        qs = qs.filter(Q(name__contains=query) | Q(code__startswith=query))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    totals = Area.objects.filter(city=city).aggregate(
        towns=Count("pk", filter=Q(level=AreaLevel.TOWN)),
        communities=Count("pk", filter=Q(level=AreaLevel.COMMUNITY)),
        demo=Count("pk", filter=Q(is_demo=True)),
        community_population=Sum("population", filter=Q(level=AreaLevel.COMMUNITY)),
    )
    context = {"city": city, "page": page, "totals": totals, "q": query, "form": AreaUploadForm()}
    return render(request, "areas/list.html", context)


@login_required
def area_export(request, fmt: str):
    """The city's tree as a spreadsheet with the reference file's headers."""
    city = _bureau_city(request.user)
    if fmt not in (XLSX, CSV):
        raise Http404
    return table_response(fmt, f"{city.name}行政区划", [c.header for c in EXPORT_COLUMNS], export_rows(city), title="行政区划")


@login_required
def area_import(request):
    """Upload an area file: every row is checked through area_save and rolled back, and the
    report offers to import the valid rows."""
    city = _bureau_city(request.user)
    form = AreaUploadForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return render(
            request, "areas/import.html", {"city": city, "form": form, "columns": AREA_COLUMNS}, status=400 if form.errors else 200
        )
    upload = form.cleaned_data["file"]
    try:
        stored = store_upload(upload.chunks(), filename=upload.name, prefix="areas-")
    except TabularError as exc:
        form.add_error("file", str(exc))
        return render(request, "areas/import.html", {"city": city, "form": form, "columns": AREA_COLUMNS}, status=400)
    report = areas_import(sheet=stored.sheet, by=request.user, commit=False)
    token = ""
    if report.valid and not report.file_error:
        token = secrets.token_urlsafe(16)
        pending = request.session.get(SESSION_KEY, {})
        # Only the latest few checks can be confirmed; the token names a file this user uploaded.
        pending = dict(list(pending.items())[-4:])
        pending[token] = {"name": stored.name, "filename": upload.name, "digest": report.digest}
        request.session[SESSION_KEY] = pending
    else:
        stored.path.unlink(missing_ok=True)
    return render(request, "areas/import_report.html", {"city": city, "report": report, "token": token, "filename": upload.name})


@login_required
@require_POST
def area_import_confirm(request):
    """Import the checked file's valid rows, all in one transaction."""
    city = _bureau_city(request.user)
    pending = request.session.get(SESSION_KEY, {})
    entry = pending.pop(request.POST.get("token", ""), None)
    request.session[SESSION_KEY] = pending
    if entry is None:
        messages.error(request, _("This check has expired or was already imported: upload the file again."))
        return redirect("areas:import")
    try:
        path = stored_path(entry["name"])
        sheet = inspect_file(path, filename=entry["filename"])
    except (TabularError, OSError):
        messages.error(request, _("The uploaded file is no longer on the server: upload it again."))
        return redirect("areas:import")
    report = areas_import(
        sheet=sheet,
        by=request.user,
        commit=True,
        expected_digest=entry["digest"],
        source=f"import:{entry['filename']}"[:100],
        filename=entry["filename"],
    )
    path.unlink(missing_ok=True)
    if report.file_error:
        return render(request, "areas/import_report.html", {"city": city, "report": report, "token": "", "filename": entry["filename"]})
    messages.success(
        request,
        _("Areas imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
        % {"created": report.created, "updated": report.updated, "unchanged": report.unchanged},
    )
    return redirect("areas:list")
