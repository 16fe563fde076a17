"""Pages of online affairs: applying, the work queue, one filing with its steps, metrics.

Thin views: who may see or act comes from selectors (anything else is 404), every write is
a service call, and a refused step comes back as a message on the filing's page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shezhi.accounts.models import Role
from shezhi.affairs import fieldspec, services, uploads
from shezhi.affairs.forms import (
    CorrectionForm,
    DecidedFilter,
    NoteForm,
    ReasonForm,
    RefuseForm,
    UploadForm,
    WithdrawForm,
    application_form_class,
    approve_form_class,
    initial_from_data,
)
from shezhi.affairs.kinds import hooks_for
from shezhi.affairs.models import OPEN_STATUSES, Filing, FilingStatus, ProcedureKind, ProcedureType
from shezhi.affairs.selectors import (
    clock,
    filing_for,
    filing_metrics,
    filings_decided,
    filings_handled_by,
    filings_visible_to,
    is_applicant_side,
    is_handler,
    overdue_q,
    procedures_for,
)
from shezhi.areas.models import Area, AreaLevel
from shezhi.documents.selectors import documents_of
from shezhi.documents.services import document_pdf
from shezhi.forms import add_service_errors
from shezhi.notifications.services import notification_mark_read
from shezhi.paging import query_without
from shezhi.workflow.engine import TransitionRefused, timeline

PAGE_SIZE = 25
S = FilingStatus


@login_required
def filing_list(request):
    """Staff: the filings to handle in their area (or all of it); applicants: their own."""
    user = request.user
    staff = user.role in (Role.BUREAU, Role.TOWN)
    view = request.GET.get("view", "todo" if staff else "all")
    if staff and view == "todo":
        qs = filings_handled_by(user).filter(status__in=OPEN_STATUSES)
    else:
        qs = filings_visible_to(user)
    decided = DecidedFilter(request.GET if staff else None)
    if decided.active:
        # The rows behind a figure of the targets dashboard: decided ones, in the whole area.
        view = "all"
        qs = filings_decided(filings_visible_to(user), **_decided_params(decided.cleaned_data))
    elif decided.is_bound and not decided.is_valid():
        for errors in decided.errors.values():
            for error in errors:
                messages.error(request, error)
    status = request.GET.get("status", "")
    if status in S.values:
        qs = qs.filter(status=status)
    procedure = request.GET.get("procedure", "")
    if procedure:
        qs = qs.filter(procedure__code=procedure)
    if request.GET.get("overdue"):
        qs = qs.filter(overdue_q())
    # Earliest due first for a work queue; newest first otherwise.
    if decided.active:
        qs = qs.order_by("-done_on", "-id")
    else:
        qs = qs.order_by("due_on", "submitted_at", "id") if staff and view == "todo" else qs.order_by("-created_at", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [(f, clock(f, today=today)) for f in page]
    context = {
        "page": page,
        "rows": rows,
        "staff": staff,
        "view": view,
        "status": status,
        "procedure": procedure,
        "overdue": bool(request.GET.get("overdue")),
        "statuses": S.choices,
        "procedures": ProcedureType.objects.order_by("position", "code"),
        "can_apply": procedures_for(user).exists(),
        "querystring": query_without(request, "page"),
        "decided": decided if decided.active else None,
    }
    if decided.active:
        data = decided.cleaned_data
        context["decided_kind"] = ProcedureKind(data["kind"]).label if data["kind"] else ""
        context["decided_town"] = Area.objects.filter(pk=data["town"], level=AreaLevel.TOWN).first() if data["town"] else None
        # Kept when the other filters are changed.
        context["decided_hidden"] = [(name, request.GET[name]) for name in decided.fields if request.GET.get(name)]
    return render(request, "affairs/list.html", context)


def _decided_params(data: dict) -> dict:
    return {
        "start": data["decided_from"],
        "end": data["decided_to"],
        "kind": data["kind"],
        "town": data["town"],
        "late": data["late"],
    }


@login_required
def procedure_choose(request):
    procedures = procedures_for(request.user).prefetch_related("materials")
    if not procedures:
        raise Http404
    return render(request, "affairs/choose.html", {"procedures": procedures})


def _form_kwargs(procedure: ProcedureType, city) -> dict:
    return {"towns": services.towns_for_application(city), "communities": services.communities_for_application(city)}


def _city_for(user):
    if user.role == Role.ORGANIZATION and user.organization_id:
        return user.organization.city
    return services.deployment_city()


@login_required
def filing_new(request, code: str):
    try:
        procedure = procedures_for(request.user).get(code=code)
    except ProcedureType.DoesNotExist:
        raise Http404 from None
    form_class = application_form_class(procedure, **_form_kwargs(procedure, _city_for(request.user)))
    existing = None
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                filing = services.filing_create(procedure=procedure, by=request.user, data=form.cleaned_data)
            except ValidationError as exc:
                if getattr(exc, "code", None) == "open_filing" and exc.params:
                    existing = exc.params.get("existing")
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The draft is saved. Upload the materials on the checklist, then submit."))
                return redirect("affairs:detail", filing.pk)
    else:
        initial = {}
        if request.user.role == Role.ORGANIZATION and request.user.organization_id:
            initial = {"year": timezone.localdate().year - 1}
        form = form_class(initial=initial)
    return render(request, "affairs/form.html", {"form": form, "procedure": procedure, "filing": None, "existing": existing})


@login_required
def filing_edit(request, pk: int):
    filing = filing_for(request.user, pk, action="edit")
    if filing.status not in (S.DRAFT, S.CORRECTION):
        raise Http404
    form_class = application_form_class(filing.procedure, **_form_kwargs(filing.procedure, filing.city))
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                services.filing_update_data(filing=filing, by=request.user, data=form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The application is saved."))
                return redirect("affairs:detail", filing.pk)
    else:
        form = form_class(initial=initial_from_data(filing.procedure, filing.data))
    return render(request, "affairs/form.html", {"form": form, "procedure": filing.procedure, "filing": filing})


def _checklist(filing: Filing, materials: list) -> list[dict]:
    by_requirement: dict[int | None, list] = {}
    for m in materials:
        by_requirement.setdefault(m.requirement_id, []).append(m)
    asked = {int(i) for i in filing.correction_items if str(i).isdigit()} if filing.status == S.CORRECTION else set()
    rows = []
    for r in filing.procedure.materials.all():
        files = by_requirement.get(r.pk, [])
        required = r.is_required_for(filing.data)
        rows.append({"requirement": r, "required": required, "files": files, "missing": required and not files, "asked": r.pk in asked})
    return rows


def _step_forms(request, filing: Filing, bound: dict | None = None) -> dict:
    """The step forms this user may use now, keyed by step name."""
    bound = bound or {}
    user = request.user
    forms: dict = {}
    if is_applicant_side(user, filing):
        if filing.status == S.DRAFT:
            forms["submit"] = None
        if filing.status == S.CORRECTION:
            forms["resubmit"] = None
        if filing.status in services.WITHDRAW.sources:
            forms["withdraw"] = bound.get("withdraw") or WithdrawForm()
    if is_handler(user, filing):
        if filing.status == S.SUBMITTED:
            forms["accept"] = bound.get("accept") or NoteForm(prefix="accept")
            forms["not_accept"] = bound.get("not_accept") or ReasonForm(prefix="not_accept")
        if filing.status in services.REQUEST_CORRECTION.sources:
            forms["request_correction"] = bound.get("request_correction") or CorrectionForm(prefix="request_correction", filing=filing)
        if filing.status == S.ACCEPTED:
            forms["start_review"] = bound.get("start_review") or NoteForm(prefix="start_review")
        if filing.status in services.APPROVE.sources:
            forms["approve"] = bound.get("approve") or approve_form_class(filing)(prefix="approve")
            forms["refuse"] = bound.get("refuse") or RefuseForm(prefix="refuse")
    return forms


def _detail(request, filing: Filing, *, bound: dict | None = None, upload_form=None, status: int = 200):
    materials = list(filing.materials.select_related("requirement"))
    editable = is_applicant_side(request.user, filing) and filing.status in (S.DRAFT, S.CORRECTION)
    context = {
        "filing": filing,
        "data": fieldspec.labelled(filing.procedure.form_fields, filing.data),
        "decision": fieldspec.labelled(filing.procedure.decision_fields, filing.decision_data),
        "checklist": _checklist(filing, materials),
        "other_materials": [m for m in materials if m.requirement_id is None],
        "editable": editable,
        "upload_form": upload_form or (UploadForm(filing=filing) if editable else None),
        "steps": [
            (e, services.TRANSITIONS[e.transition].label if e.transition in services.TRANSITIONS else e.transition, S(e.to_status).label)
            for e in timeline(filing)
            if e.to_status in S.values
        ],
        "documents": documents_of(filing),
        "clock": clock(filing),
        "forms": _step_forms(request, filing, bound),
        "refusal_grounds": _refusal_grounds(request.user, filing),
        "asked": [r.name for r in filing.procedure.materials.all() if r.pk in {int(i) for i in filing.correction_items}]
        if filing.status == S.CORRECTION
        else [],
    }
    return render(request, "affairs/detail.html", context, status=status)


def _refusal_grounds(user, filing: Filing) -> list[str]:
    """For the person deciding: the rules of the procedure's own section that require a
    refusal (e.g. a charity applicant penalised in the two years before). Approving is
    refused with the same reasons."""
    if filing.status not in services.APPROVE.sources or not is_handler(user, filing):
        return []
    hooks = hooks_for(filing.procedure.kind)
    return list(hooks.check_decision(filing=filing) or []) if hooks.check_decision is not None else []


@login_required
def filing_detail(request, pk: int):
    filing = filing_for(request.user, pk)
    notification_mark_read(user=request.user, subject=filing)
    return _detail(request, filing)


@login_required
@require_POST
def material_upload(request, pk: int):
    filing = filing_for(request.user, pk, action="upload")
    form = UploadForm(request.POST, request.FILES, filing=filing)
    if form.is_valid():
        try:
            services.material_add(
                filing=filing, by=request.user, upload=form.cleaned_data["file"], requirement=form.cleaned_data["requirement"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s is uploaded.") % {"name": form.cleaned_data["file"].name})
            return redirect(reverse("affairs:detail", args=[filing.pk]) + "#materials")
    return _detail(request, filing, upload_form=form, status=400)


@login_required
def material_download(request, pk: int, mid: int):
    filing = filing_for(request.user, pk)
    material = filing.materials.filter(pk=mid).first()
    path = uploads.stored_path(material.stored_name) if material is not None else None
    if path is None:
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=material.original_name, content_type=material.content_type)


@login_required
@require_POST
def material_delete(request, pk: int, mid: int):
    filing = filing_for(request.user, pk, action="upload")
    material = filing.materials.filter(pk=mid).first()
    if material is None:
        raise Http404
    try:
        services.material_remove(material=material, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(name)s is removed.") % {"name": material.original_name})
    return redirect(reverse("affairs:detail", args=[filing.pk]) + "#materials")


@login_required
def document_download(request, pk: int, did: int):
    filing = filing_for(request.user, pk)
    doc = documents_of(filing).filter(pk=did).first()
    if doc is None:
        raise Http404
    response = HttpResponse(document_pdf(doc), content_type="application/pdf")
    filename = f"{doc.title}-{doc.number}.pdf"
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename=\"document-{doc.pk}.pdf\"; filename*=UTF-8''{quote(filename)}"
    return response


STEP_ACTIONS = {
    "submit": "submit",
    "resubmit": "resubmit",
    "withdraw": "withdraw",
    "accept": "accept",
    "not_accept": "not_accept",
    "request_correction": "request_correction",
    "start_review": "start_review",
    "approve": "approve",
    "refuse": "refuse",
}
SUCCESS = {
    "submit": _("Submitted. You will be told when it is accepted or if materials are missing."),
    "resubmit": _("Resubmitted with the materials asked for."),
    "withdraw": _("The filing is withdrawn."),
    "accept": _("Accepted; the acceptance notice is issued."),
    "not_accept": _("Not accepted; the notice is issued."),
    "request_correction": _("The applicant is asked to supply the materials; the clock is stopped."),
    "start_review": _("You are reviewing this filing."),
    "approve": _("Approved; the registry is updated and the decision is issued."),
    "refuse": _("Refused; the decision is issued."),
}


@login_required
@require_POST
def filing_step(request, pk: int, step: str):
    """Take one workflow step. The form of each step is rendered on the filing's page."""
    action = STEP_ACTIONS.get(step)
    if action is None:
        raise Http404
    filing = filing_for(request.user, pk, action=action)
    user = request.user
    form = None
    try:
        if step == "submit":
            services.filing_submit(filing=filing, by=user)
        elif step == "resubmit":
            services.filing_resubmit(filing=filing, by=user)
        elif step == "withdraw":
            form = WithdrawForm(request.POST)
            if form.is_valid():
                services.filing_withdraw(filing=filing, by=user, reason=form.cleaned_data["reason"])
        elif step in ("accept", "start_review"):
            form = NoteForm(request.POST, prefix=step)
            if form.is_valid():
                if step == "accept":
                    services.filing_accept(filing=filing, by=user, note=form.cleaned_data["note"], in_person=form.cleaned_data["in_person"])
                else:
                    services.filing_start_review(filing=filing, by=user, note=form.cleaned_data["note"])
        elif step == "not_accept":
            form = ReasonForm(request.POST, prefix=step)
            if form.is_valid():
                services.filing_not_accept(
                    filing=filing, by=user, reason=form.cleaned_data["reason"], legal_ground=form.cleaned_data["legal_ground"]
                )
        elif step == "request_correction":
            form = CorrectionForm(request.POST, prefix=step, filing=filing)
            if form.is_valid():
                services.filing_request_correction(
                    filing=filing,
                    by=user,
                    items=form.cleaned_data["items"],
                    note=form.cleaned_data["note"],
                    in_person=form.cleaned_data["in_person"],
                )
        elif step == "approve":
            form = approve_form_class(filing)(request.POST, prefix=step)
            if form.is_valid():
                values = {k: v for k, v in form.cleaned_data.items() if k not in ("note", "in_person")}
                services.filing_approve(
                    filing=filing, by=user, decision=values, note=form.cleaned_data["note"], in_person=form.cleaned_data["in_person"]
                )
        elif step == "refuse":
            form = RefuseForm(request.POST, prefix=step)
            if form.is_valid():
                services.filing_refuse(
                    filing=filing, by=user, reason=form.cleaned_data["reason"], legal_ground=form.cleaned_data["legal_ground"]
                )
    except TransitionRefused as exc:
        messages.error(request, exc.messages[0])
        return redirect("affairs:detail", filing.pk)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        if form is not None:
            add_service_errors(form, exc)
        else:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("affairs:detail", filing.pk)
    if form is not None and form.errors:
        filing.refresh_from_db()
        messages.error(request, _("The step was not taken; see the form below."))
        return _detail(request, filing, bound={step: form}, status=400)
    messages.success(request, SUCCESS[step])
    return redirect("affairs:detail", filing.pk)


@login_required
def metrics_view(request):
    """Service figures for the bureau (its city) or a town (its own procedures' area)."""
    if request.user.role not in (Role.BUREAU, Role.TOWN):
        raise Http404
    today = timezone.localdate()
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isdigit() and 2000 <= int(raw) <= today.year + 1 else today.year
    rows = filing_metrics(request.user, year=year)
    return render(request, "affairs/metrics.html", {"rows": rows, "year": year, "years": range(today.year, today.year - 5, -1)})
