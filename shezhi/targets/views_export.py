"""Export of the dashboard as .xlsx and as a PDF report (background job)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404


@login_required
def export(request, pk: int):
    raise Http404  # filled in by the export work
