"""Export of the dashboard as .xlsx and as a PDF report (background job)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from shezhi.targets import selectors, tasks
from shezhi.targets.forms import AsOfForm


@login_required
def export(request, pk: int):
    """Start the export of a city's or a town's dashboard as of `on` (today by default) as
    `fmt` (xlsx or pdf) and show its job. An area the user may not see, or an unknown format,
    is not found; a day that cannot be used sends the user back to the dashboard, told why."""
    if not selectors.can_view_dashboard(request.user):
        raise Http404
    area = selectors.dashboard_area_for(request.user, pk)
    fmt = request.GET.get("fmt", "")
    if fmt not in tasks.FORMATS:
        raise Http404
    form = AsOfForm(request.GET)
    if not form.is_valid():
        errors = " ".join(str(e) for e in form.errors.get("on", [])) or _("Choose a valid day.")
        messages.error(request, _("The export was not started: %(error)s") % {"error": errors})
        return redirect("targets:area", area.pk)
    on = form.cleaned_data.get("on") or timezone.localdate()
    job = tasks.export_start(by=request.user, area=area, on=on, fmt=fmt)
    return redirect("jobs:detail", job.pk)
