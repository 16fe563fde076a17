"""Pages of the volunteer import: upload, the check's report, confirmation, template.

The work runs in jobs (shezhi.volunteers.importing); these views start and show them. Only
the bureau and town officers import; everyone else gets 404, as does anyone looking at an
import someone else started.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.http import require_POST

from shezhi.audit.middleware import client_ip
from shezhi.jobs.models import Job
from shezhi.registry.importing import ImportRefused
from shezhi.registry.views_import import UploadForm
from shezhi.tabular import CSV, XLSX, TabularError, store_upload, table_response
from shezhi.volunteers.importing import (
    COLUMNS,
    KIND_VALIDATE,
    KIND_WRITE,
    ImportScope,
    can_import,
    import_begin,
    import_confirm,
    template_notes,
    template_rows,
)

ERRORS_PER_PAGE = 100
RECENT_PER_PAGE = 10


def _require_importer(user) -> None:
    if not can_import(user):
        raise Http404


def import_job_for(user, pk: int) -> Job:
    _require_importer(user)
    try:
        return Job.objects.get(pk=pk, created_by=user, kind__in=(KIND_VALIDATE, KIND_WRITE))
    except (Job.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@login_required
def import_start(request):
    _require_importer(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            stored = store_upload(upload.chunks(), filename=upload.name)
        except TabularError as exc:
            form.add_error("file", str(exc))
        else:
            job = import_begin(upload=stored, filename=upload.name, by=request.user, language=translation.get_language())
            return redirect("volunteers:import_detail", job.pk)
    recent = Job.objects.filter(created_by=request.user, kind=KIND_VALIDATE).order_by("-created_at", "-id")
    context = {
        "form": form,
        "recent": Paginator(recent, RECENT_PER_PAGE).get_page(request.GET.get("page")),
        "columns": COLUMNS,
        "max_mb": settings.IMPORT_MAX_UPLOAD_BYTES // (1024 * 1024),
    }
    return render(request, "volunteers/import_upload.html", context, status=400 if form.errors else 200)


@login_required
def import_template(request, fmt: str):
    _require_importer(request.user)
    if fmt not in (XLSX, CSV):
        raise Http404
    rows = template_rows(ImportScope(request.user))
    return table_response(fmt, "志愿者导入模板", [c.header for c in COLUMNS], rows, title="志愿者", extra=template_notes)


@login_required
def import_detail(request, pk: int):
    job = import_job_for(request.user, pk)
    if request.htmx:
        if job.finished:
            response = HttpResponse("")
            response["HX-Refresh"] = "true"
            return response
        return render(request, "volunteers/import_progress.html", {"job": job})
    errors = Paginator(job.result.get("errors", []) if job.kind == KIND_VALIDATE else [], ERRORS_PER_PAGE)
    write_job = None
    if job.kind == KIND_VALIDATE and job.result.get("import_job"):
        write_job = Job.objects.filter(pk=job.result["import_job"], created_by=request.user).first()
    context = {
        "job": job,
        "result": job.result,
        "errors": errors.get_page(request.GET.get("page")),
        "write_job": write_job,
        "can_confirm": job.kind == KIND_VALIDATE
        and job.status == "done"
        and job.result.get("valid")
        and not job.result.get("file_error")
        and (write_job is None or write_job.status == "failed"),
        "check_job_id": job.params.get("validation_job"),
    }
    return render(request, "volunteers/import_detail.html", context)


@login_required
@require_POST
def import_confirm_view(request, pk: int):
    job = import_job_for(request.user, pk)
    try:
        write = import_confirm(job=job, by=request.user, ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", ""))
    except ImportRefused as exc:
        messages.error(request, str(exc))
        return redirect("volunteers:import_detail", job.pk)
    return redirect("volunteers:import_detail", write.pk)
