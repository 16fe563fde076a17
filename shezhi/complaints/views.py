"""Pages of complaints: the public form, its receipt and tracking; the staff's list and handling."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shezhi.accounts.models import Role
from shezhi.areas.models import Area, AreaLevel
from shezhi.audit.middleware import client_ip
from shezhi.complaints import services
from shezhi.complaints.forms import (
    AnswerForm,
    CloseForm,
    ComplaintForm,
    NotAcceptForm,
    NoteForm,
    ReassignForm,
    TrackForm,
)
from shezhi.complaints.models import OPEN_STATUSES, Complaint, ComplaintStatus, office_label
from shezhi.complaints.rules import rules_for
from shezhi.complaints.selectors import (
    can_handle_complaints,
    categories,
    complaint_for,
    filters_from_params,
    public_steps,
    staff_list,
    towns_for_filter,
)
from shezhi.forms import add_service_errors
from shezhi.paging import query_without
from shezhi.privacy import mask_name, mask_phone
from shezhi.registry.models import Organization
from shezhi.registry.search import filter_text
from shezhi.workflow.engine import timeline

PAGE_SIZE = 25
RECEIPT_KEY = "complaint_receipt"
SENT_KEY = "complaints_sent"
ORG_CHOICES = 10


# --- the public form --------------------------------------------------------------------


def _form_towns():
    towns = Area.objects.filter(level=AreaLevel.TOWN, city__code=settings.SHEZHI_CITY_CODE).order_by("code")
    return towns if towns.exists() else Area.objects.filter(level=AreaLevel.TOWN).order_by("city__code", "code")


def _session_problem(request, *, rules, now: dt.datetime) -> str | None:
    stamps = [s for s in request.session.get(SENT_KEY, []) if s > (now - dt.timedelta(hours=1)).timestamp()]
    request.session[SENT_KEY] = stamps
    if len(stamps) >= rules.max_per_session_hour:
        return _("You have sent several complaints in the last hour. Please wait a while before sending another.")
    return None


def _chosen_org(form) -> Organization | None:
    value = form.data.get("organization", "") if form.is_bound else ""
    if str(value).isdigit():
        return Organization.objects.select_related("town").filter(pk=int(value)).first()
    return None


@require_http_methods(["GET", "POST"])
def complaint_new(request):
    """Anyone files a complaint, anonymously or with a name and phone (CSRF-protected; the
    number per network address and per browser session is limited by the rules)."""
    towns = _form_towns()
    status = 200
    if request.method == "POST":
        form = ComplaintForm(request.POST, request.FILES, towns=towns)
        if form.is_valid():
            data = form.service_data()  # the organization as its id: the service says if it is unknown
            org = _chosen_org(form)
            city_id = org.city_id if org else (data["town"].city_id if data.get("town") else None)
            now = timezone.now()
            problem = _session_problem(request, rules=rules_for(city_id), now=now)
            if problem:
                form.add_error(None, problem)
                status = 429
            else:
                try:
                    submitted = services.complaint_submit(
                        data=data,
                        attachments=form.cleaned_data["attachments"],
                        by=request.user,
                        client=services.client_key(client_ip(request)),
                    )
                except ValidationError as exc:
                    add_service_errors(form, exc)
                    status = 429 if getattr(exc, "code", None) == "throttled" else 400
                else:
                    request.session[SENT_KEY] = [*request.session.get(SENT_KEY, []), now.timestamp()]
                    request.session[RECEIPT_KEY] = {"number": submitted.complaint.number, "code": submitted.code}
                    return redirect("complaints:receipt")
        else:
            status = 400
    else:
        initial = {}
        user = request.user
        if user.is_authenticated and user.role == Role.PUBLIC:
            initial["contact_name"] = user.display_name
        form = ComplaintForm(initial=initial, towns=towns)
    chosen = _chosen_org(form)
    context = {"form": form, "chosen_org": chosen, "chosen_found": [chosen] if chosen else []}
    return render(request, "complaints/new.html", context, status=status)


@require_GET
def organization_choices(request):
    """Organizations whose name matches what was typed, as choices for the form (htmx)."""
    query = " ".join((request.GET.get("organization_name") or request.GET.get("q") or "").split())[:100]
    found = []
    if len(query) >= 2:
        qs = filter_text(Organization.objects.select_related("town"), query).order_by("sort_key", "id")
        found = list(qs[:ORG_CHOICES])
    return render(request, "complaints/_org_choices.html", {"found": found, "query": query})


@require_GET
def complaint_receipt(request):
    """The tracking number and the query code, shown once: the code is not kept in clear."""
    receipt = request.session.pop(RECEIPT_KEY, None)
    response = render(request, "complaints/receipt.html", {"receipt": receipt, "track_form": TrackForm()})
    add_never_cache_headers(response)
    return response


def _failures_key(request) -> str:
    return f"complaints:lookup-failures:{services.client_key(client_ip(request))}"


@require_http_methods(["GET", "POST"])
def complaint_track(request):
    """Follow a complaint with its number and code. A wrong code and an unknown number get
    the same answer, and wrong tries per address are limited."""
    complaint = None
    status = 200
    if request.method == "POST":
        form = TrackForm(request.POST)
        if form.is_valid():
            limit = rules_for(None).max_failed_lookups_hour
            key = _failures_key(request)
            if cache.get(key, 0) >= limit:
                form.add_error(None, _("Too many wrong tries from your network. Please try again in an hour."))
                status = 429
            else:
                complaint = services.complaint_track(number=form.cleaned_data["number"], code=form.cleaned_data["code"])
                if complaint is None:
                    cache.add(key, 0, timeout=3600)
                    try:
                        cache.incr(key)
                    except ValueError:  # expired between add and incr
                        cache.set(key, 1, timeout=3600)
                    form.add_error(None, _("No complaint matches this tracking number and query code. Check both and try again."))
        else:
            status = 400
    else:
        form = TrackForm(initial={"number": request.GET.get("number", "")[:40]})
    context = {"form": form, "complaint": complaint}
    if complaint is not None:
        context.update(
            steps=public_steps(complaint),
            office=office_label(complaint.handling_area),
            today=timezone.localdate(),
        )
    response = render(request, "complaints/track.html", context, status=status)
    add_never_cache_headers(response)
    return response


# --- staff ------------------------------------------------------------------------------


def _require_staff(user) -> None:
    if not can_handle_complaints(user):
        raise Http404


@login_required
def complaint_list(request):
    """The complaints of the user's area: open ones first, earliest due at the top."""
    _require_staff(request.user)
    today = timezone.localdate()
    towns = towns_for_filter(request.user)
    filters, problems = filters_from_params(request.GET, towns=towns)
    page = Paginator(staff_list(request.user, filters, today=today), PAGE_SIZE).get_page(request.GET.get("page"))
    labels = dict(ComplaintStatus.choices)
    for c in page.object_list:
        c.overdue = c.is_overdue(today)
        c.status_label = labels.get(c.status, c.status)
        c.office = office_label(c.handling_area)
    context = {
        "page": page,
        "filters": filters,
        "problems": problems,
        "towns": towns if request.user.role == Role.BUREAU else [],
        "statuses": ComplaintStatus.choices,
        "categories": categories(),
        "querystring": query_without(request, "page"),
        "today": today,
    }
    return render(request, "complaints/list.html", context)


def _step_forms(user, complaint: Complaint, bound: dict | None = None) -> dict:
    bound = bound or {}
    forms = {}
    if complaint.status == ComplaintStatus.RECEIVED:
        forms["accept"] = bound.get("accept") or NoteForm(prefix="accept")
        forms["not_accept"] = bound.get("not_accept") or NotAcceptForm(prefix="not_accept")
    if complaint.status == ComplaintStatus.ACCEPTED:
        forms["investigate"] = bound.get("investigate") or NoteForm(prefix="investigate")
    if complaint.status in (ComplaintStatus.ACCEPTED, ComplaintStatus.INVESTIGATING):
        forms["answer"] = bound.get("answer") or AnswerForm(prefix="answer")
    if complaint.status == ComplaintStatus.ANSWERED:
        forms["close"] = bound.get("close") or CloseForm(prefix="close")
    return forms


def _detail(request, complaint: Complaint, *, bound: dict | None = None, revealed: bool = False, status: int = 200):
    user = request.user
    today = timezone.localdate()
    targets = services.reassign_targets(user, complaint) if complaint.status in OPEN_STATUSES else Area.objects.none()
    reassign_form = None
    if user.role == Role.BUREAU and complaint.status in OPEN_STATUSES:
        reassign_form = (bound or {}).get("reassign") or ReassignForm(prefix="reassign", targets=targets)
    labels = dict(ComplaintStatus.choices)
    events = list(timeline(complaint))
    for e in events:
        e.status_label = labels.get(e.to_status, e.to_status)
    context = {
        "complaint": complaint,
        "office": office_label(complaint.handling_area),
        "overdue": complaint.is_overdue(today),
        "masked_name": mask_name(complaint.contact_name),
        "masked_phone": mask_phone(complaint.contact_phone),
        "revealed": revealed,
        "attachments": list(complaint.attachments.all()),
        "forms": _step_forms(user, complaint, bound),
        "reassign_form": reassign_form,
        "events": events,
        "today": today,
    }
    response = render(request, "complaints/detail.html", context, status=status)
    add_never_cache_headers(response)
    return response


@login_required
def complaint_detail(request, pk: int):
    return _detail(request, complaint_for(request.user, pk))


STEP_FORMS = {"accept": NoteForm, "not_accept": NotAcceptForm, "investigate": NoteForm, "answer": AnswerForm, "close": CloseForm}


@login_required
@require_POST
def complaint_step(request, pk: int, step: str):
    complaint = complaint_for(request.user, pk)
    if step not in STEP_FORMS:
        raise Http404
    form = STEP_FORMS[step](request.POST, prefix=step)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if step == "accept":
                services.complaint_accept(complaint=complaint, by=request.user, note=data["note"])
            elif step == "not_accept":
                services.complaint_not_accept(complaint=complaint, by=request.user, note=data["note"])
            elif step == "investigate":
                services.complaint_investigate(complaint=complaint, by=request.user, note=data["note"])
            elif step == "answer":
                services.complaint_answer(complaint=complaint, by=request.user, reply=data["note"])
            else:
                services.complaint_close(
                    complaint=complaint,
                    by=request.user,
                    outcome=data["outcome"],
                    action_reference=data["action_reference"],
                    note=data["note"],
                )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            if getattr(exc, "code", None) == "transition_refused":
                messages.error(request, " ".join(exc.messages))
                return redirect("complaints:detail", complaint.pk)
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Done: the complaint is now “%(status)s”.") % {"status": complaint.get_status_display()})
            return redirect("complaints:detail", complaint.pk)
    return _detail(request, complaint, bound={step: form}, status=400)


@login_required
@require_POST
def complaint_reassign(request, pk: int):
    complaint = complaint_for(request.user, pk)
    if request.user.role != Role.BUREAU:
        raise Http404
    form = ReassignForm(request.POST, prefix="reassign", targets=services.reassign_targets(request.user, complaint))
    if form.is_valid():
        try:
            services.complaint_reassign(complaint=complaint, by=request.user, to=form.cleaned_data["to"], note=form.cleaned_data["note"])
        except ValidationError as exc:
            if getattr(exc, "code", None) == "transition_refused":
                messages.error(request, " ".join(exc.messages))
                return redirect("complaints:detail", complaint.pk)
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The complaint is passed to %(office)s.") % {"office": office_label(form.cleaned_data["to"])})
            return redirect("complaints:detail", complaint.pk)
    return _detail(request, complaint, bound={"reassign": form}, status=400)


@login_required
@require_POST
def complaint_contact(request, pk: int):
    """Show the complainant's full name and phone to the handling staff; the look is audited."""
    complaint = complaint_for(request.user, pk)
    if complaint.anonymous:
        raise Http404
    services.contact_view_record(complaint=complaint, by=request.user)
    if request.htmx:
        response = render(request, "complaints/_contact.html", {"complaint": complaint})
        add_never_cache_headers(response)
        return response
    return _detail(request, complaint, revealed=True)


@login_required
@require_GET
def attachment_download(request, pk: int, aid: int):
    complaint = complaint_for(request.user, pk)
    attachment = complaint.attachments.filter(pk=aid).first()
    path = services.attachment_path(attachment) if attachment is not None else None
    if path is None:
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type)
