"""The pages every spreadsheet import shares: upload, template download, the check's
report with its progress, and confirmation.

An import (registry, volunteers, service records) supplies its own rules — who may
import, how rows are checked and written (as jobs), its columns and template — and gets
the same four views and the same pages. The templates live in templates/imports/; an
import may extend them to say what it imports (blocks in imports/upload.html and
imports/detail.html).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shezhi.jobs.models import Job
from shezhi.tabular import CSV, XLSX, TabularError, store_upload, table_response

ERRORS_PER_PAGE = 100
RECENT_PER_PAGE = 10


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet (.xlsx or .csv)"),
        help_text=gettext_lazy("The first sheet is read. The header row may have title rows above it."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.IMPORT_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than the limit of %(mb)s MB: split it into smaller files.") % {"mb": limit // (1024 * 1024)}
            )
        return upload


@dataclass(frozen=True)
class TemplateFile:
    """The template to fill in: file name, sheet title, example rows, notes for the .xlsx."""

    basename: str
    title: str
    rows: Sequence[Sequence[Any]]
    notes: Any = None


@dataclass(frozen=True)
class ImportPages:
    namespace: str  # URL namespace with the names import, import_template, import_detail, import_confirm
    templates: str  # folder of the import's own import_upload.html and import_detail.html
    kind_validate: str
    kind_write: str
    columns: Sequence[Any]
    can_import: Callable[[Any], bool]
    # (upload=StoredUpload, filename=str, by=User, language=str) -> the check's Job
    begin: Callable[..., Job]
    # (job, request) -> the write Job; raises the import's refusal (refused) with a message
    confirm: Callable[[Job, Any], Job]
    refused: type[Exception]
    template_file: Callable[[Any], TemplateFile]

    # -- reads ------------------------------------------------------------------------
    def require_importer(self, user) -> None:
        if not self.can_import(user):
            raise Http404

    def job_for(self, user, pk: int) -> Job:
        """An import job its creator may see; anything else is not found."""
        self.require_importer(user)
        try:
            return Job.objects.get(pk=pk, created_by=user, kind__in=(self.kind_validate, self.kind_write))
        except (Job.DoesNotExist, ValueError, TypeError):
            raise Http404 from None

    def _context(self, **extra) -> dict:
        return {"import_ns": self.namespace, "kind_validate": self.kind_validate, "kind_write": self.kind_write, **extra}

    # -- views ------------------------------------------------------------------------
    def views(self) -> tuple[Callable, Callable, Callable, Callable]:
        """(start, template, detail, confirm) view functions for the import's urls.py."""

        @login_required
        def start(request):
            """Upload a spreadsheet; its rows are checked in the background, nothing is written yet."""
            self.require_importer(request.user)
            form = UploadForm(request.POST or None, request.FILES or None)
            if request.method == "POST" and form.is_valid():
                upload = form.cleaned_data["file"]
                try:
                    stored = store_upload(upload.chunks(), filename=upload.name)
                except TabularError as exc:
                    form.add_error("file", str(exc))
                else:
                    job = self.begin(upload=stored, filename=upload.name, by=request.user, language=translation.get_language())
                    return redirect(f"{self.namespace}:import_detail", job.pk)
            recent = Job.objects.filter(created_by=request.user, kind=self.kind_validate).order_by("-created_at", "-id")
            context = self._context(
                form=form,
                recent=Paginator(recent, RECENT_PER_PAGE).get_page(request.GET.get("page")),
                columns=self.columns,
                max_mb=settings.IMPORT_MAX_UPLOAD_BYTES // (1024 * 1024),
            )
            return render(request, f"{self.templates}/import_upload.html", context, status=400 if form.errors else 200)

        @login_required
        def template(request, fmt: str):
            """The template to fill in: the headers and example rows (.xlsx with notes, or .csv)."""
            self.require_importer(request.user)
            if fmt not in (XLSX, CSV):
                raise Http404
            spec = self.template_file(request.user)
            headers = [c.header for c in self.columns]
            return table_response(fmt, spec.basename, headers, spec.rows, title=spec.title, extra=spec.notes)

        @login_required
        def detail(request, pk: int):
            """One import: its progress while it runs, then the check's report or the result."""
            job = self.job_for(request.user, pk)
            if request.htmx:
                if job.finished:
                    # The report replaces the whole page once the work is done.
                    response = HttpResponse("")
                    response["HX-Refresh"] = "true"
                    return response
                return render(request, "imports/progress.html", self._context(job=job))
            validating = job.kind == self.kind_validate
            errors = Paginator(job.result.get("errors", []) if validating else [], ERRORS_PER_PAGE)
            write_job = None
            if validating and job.result.get("import_job"):
                write_job = Job.objects.filter(pk=job.result["import_job"], created_by=request.user).first()
            context = self._context(
                job=job,
                result=job.result,
                errors=errors.get_page(request.GET.get("page")),
                write_job=write_job,
                can_confirm=validating
                and job.status == "done"
                and bool(job.result.get("valid"))
                and not job.result.get("file_error")
                and (write_job is None or write_job.status == "failed"),
                check_job_id=job.params.get("validation_job"),
            )
            return render(request, f"{self.templates}/import_detail.html", context)

        @login_required
        @require_POST
        def confirm(request, pk: int):
            """The user confirms: write the valid rows, all in one transaction, in the background."""
            job = self.job_for(request.user, pk)
            try:
                write = self.confirm(job, request)
            except self.refused as exc:
                messages.error(request, str(exc))
                return redirect(f"{self.namespace}:import_detail", job.pk)
            return redirect(f"{self.namespace}:import_detail", write.pk)

        return start, template, detail, confirm
