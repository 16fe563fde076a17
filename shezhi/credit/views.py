"""Pages of the credit section.

Public: the current entries of both lists (/credit/lists/), searchable and exportable.
Staff: the review queue, list entries, penalties and an organization's credit page. The
bureau decides for its city; a town officer reads its town's (read-only). Everyone else
gets "not found"; visitors who are not signed in are sent to log in.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shezhi.areas.models import Area, AreaLevel
from shezhi.credit import selectors, services
from shezhi.credit.forms import (
    ConfirmForm,
    DismissForm,
    IncludeForm,
    PenaltyForm,
    QueueFilters,
    RemoveForm,
    WithdrawForm,
)
from shezhi.credit.models import EligibilityRule, ListKind, ProposalStatus
from shezhi.forms import add_service_errors
from shezhi.paging import query_without
from shezhi.registry.selectors import organizations_visible_to
from shezhi.workflow.engine import TransitionRefused, timeline

PAGE_SIZE = 25
EXPORT_MAX = 5000


def _require_reader(request) -> None:
    if not selectors.can_read(request.user):
        raise Http404


def _require_decider(request) -> None:
    if not selectors.can_decide(request.user):
        raise Http404


def _towns_for(user):
    return Area.objects.filter(level=AreaLevel.TOWN, city_id=user.area.city_id or user.area_id).order_by("code")


def _int(value) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


# --- public lists ------------------------------------------------------------------------


def _public_filters(request) -> dict:
    kind = request.GET.get("kind", "")
    return {
        "q": (request.GET.get("q") or "").strip()[:60],
        "list_kind": kind if kind in ListKind.values else "",
        "town": _int(request.GET.get("town")),
    }


@require_GET
def public_lists(request):
    """Current entries of the abnormal-activity and serious-violation lists (公示)."""
    filters = _public_filters(request)
    qs = selectors.entries_filtered(selectors.entries_public(), **filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    towns = Area.objects.filter(
        level=AreaLevel.TOWN, pk__in=selectors.entries_public().order_by().values("organization__town_id")
    ).order_by("code")
    context = {
        "page": page,
        "filters": filters,
        "kinds": ListKind.choices,
        "towns": towns,
        "querystring": query_without(request, "page", "fmt"),
    }
    return render(request, "credit/lists.html", context)


PUBLIC_HEADERS = [
    "list",
    "organization",
    "code",
    "town",
    "ground",
    "decision date",
    "decision number",
]


@require_GET
def public_lists_export(request):
    from shezhi.tabular import table_response

    fmt = request.GET.get("fmt", "xlsx")
    if fmt not in ("xlsx", "csv"):
        raise Http404
    filters = _public_filters(request)
    qs = selectors.entries_filtered(selectors.entries_public(), **filters)
    rows = list(qs[: EXPORT_MAX + 1])
    if len(rows) > EXPORT_MAX:
        messages.error(request, _("More than %(n)s entries: narrow the search to download them.") % {"n": EXPORT_MAX})
        return redirect(reverse("credit:lists") + "?" + query_without(request, "page", "fmt"))
    headers = [
        _("List"),
        _("Organization"),
        _("Unified social credit code or filing number"),
        _("Town / street"),
        _("Ground"),
        _("Decision date"),
        _("Decision number"),
    ]
    data = (
        [
            e.get_list_kind_display(),
            e.organization.name,
            e.organization.identifier,
            e.organization.town.name,
            e.ground.name,
            e.included_on,
            e.decision_number,
        ]
        for e in rows
    )
    return table_response(fmt, f"credit-lists-{timezone.localdate().isoformat()}", headers, data)


# --- review queue ------------------------------------------------------------------------


def _queue_queryset(user, values: dict):
    qs = selectors.proposals_visible_to(user)
    if values["status"] in ProposalStatus.values:
        qs = qs.filter(status=values["status"])
    if values["list_kind"]:
        qs = qs.filter(list_kind=values["list_kind"])
    if values["town"]:
        qs = qs.filter(organization__town_id=values["town"])
    if values["q"]:
        q = values["q"]
        qs = qs.filter(Q(organization__name__icontains=q) | Q(organization__credit_code__iexact=q.upper()))
    order = ("detected_on", "id") if values["status"] == ProposalStatus.PENDING else ("-detected_on", "-id")
    return qs.order_by(*order)


@login_required
def queue(request):
    """The review queue: cases the system detected, with their evidence, for the bureau to
    confirm (with the decision's date and number) or dismiss (with the reason)."""
    _require_reader(request)
    values = QueueFilters(request.GET).values()
    page = Paginator(_queue_queryset(request.user, values), PAGE_SIZE).get_page(request.GET.get("page"))
    for p in page.object_list:
        _attach_forms(p)
    context = {
        "page": page,
        "values": values,
        "statuses": ProposalStatus.choices,
        "kinds": ListKind.choices,
        "towns": _towns_for(request.user) if request.user.role == "bureau" else [],
        "can_decide": selectors.can_decide(request.user),
        "querystring": query_without(request, "page", "fmt"),
        "today": timezone.localdate(),
        "pending_count": selectors.pending_proposals(request.user).count(),
    }
    return render(request, "credit/queue.html", context)


@login_required
def proposal_detail(request, pk: int):
    _require_reader(request)
    proposal = selectors.proposal_for(request.user, pk)
    return render(request, "credit/proposal_detail.html", _proposal_context(request, proposal))


def _attach_forms(proposal, *, confirm_form=None, dismiss_form=None):
    proposal.confirm_form = confirm_form or ConfirmForm(prefix=f"c{proposal.pk}")
    proposal.dismiss_form = dismiss_form or DismissForm(prefix=f"d{proposal.pk}")
    return proposal


def _proposal_context(request, proposal, *, confirm_form=None, dismiss_form=None) -> dict:
    _attach_forms(proposal, confirm_form=confirm_form, dismiss_form=dismiss_form)
    return {
        "p": proposal,
        "steps": list(timeline(proposal)),
        "entries": list(proposal.entries.select_related("ground")),
        "can_decide": selectors.can_decide(request.user) and proposal.status == ProposalStatus.PENDING,
        "today": timezone.localdate(),
    }


def _decided_response(request, proposal, *, ok: bool, confirm_form=None, dismiss_form=None):
    """htmx: the queue row again (decided, or with the form's errors); otherwise back."""
    if request.htmx:
        proposal = selectors.proposal_for(request.user, proposal.pk)
        context = _proposal_context(request, proposal, confirm_form=confirm_form, dismiss_form=dismiss_form)
        context["row_messages"] = [str(m) for m in messages.get_messages(request)]
        # 200 either way: htmx swaps only successful responses, and the row carries the errors.
        return render(request, "credit/_proposal_row.html", context)
    if ok:
        return redirect(_next_url(request, reverse("credit:queue")))
    return render(
        request,
        "credit/proposal_detail.html",
        _proposal_context(request, proposal, confirm_form=confirm_form, dismiss_form=dismiss_form),
        status=400,
    )


@login_required
@require_POST
def proposal_confirm(request, pk: int):
    _require_decider(request)
    proposal = selectors.proposal_for(request.user, pk)
    form = ConfirmForm(request.POST, prefix=f"c{proposal.pk}")
    if form.is_valid():
        try:
            services.proposal_confirm(
                proposal=proposal,
                by=request.user,
                decided_on=form.cleaned_data["decided_on"],
                decision_number=form.cleaned_data["decision_number"],
                note=form.cleaned_data["note"],
                issue_document=form.cleaned_data["issue_document"],
            )
        except TransitionRefused as exc:
            messages.error(request, exc.messages[0])
            return _decided_response(request, proposal, ok=False, confirm_form=form)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Confirmed: %(org)s — %(action)s (%(list)s).")
                % {"org": proposal.organization.name, "action": proposal.get_action_display(), "list": proposal.get_list_kind_display()},
            )
            return _decided_response(request, proposal, ok=True)
    return _decided_response(request, proposal, ok=False, confirm_form=form)


@login_required
@require_POST
def proposal_dismiss(request, pk: int):
    _require_decider(request)
    proposal = selectors.proposal_for(request.user, pk)
    form = DismissForm(request.POST, prefix=f"d{proposal.pk}")
    if form.is_valid():
        try:
            services.proposal_dismiss(proposal=proposal, by=request.user, note=form.cleaned_data["note"])
        except TransitionRefused as exc:
            messages.error(request, exc.messages[0])
            return _decided_response(request, proposal, ok=False, dismiss_form=form)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Dismissed: %(org)s.") % {"org": proposal.organization.name})
            return _decided_response(request, proposal, ok=True)
    return _decided_response(request, proposal, ok=False, dismiss_form=form)


# --- list entries -------------------------------------------------------------------------


def _day_param(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw or "")
    except ValueError:
        return None


@login_required
def entries(request):
    _require_reader(request)
    state = request.GET.get("state", "current")
    kind = request.GET.get("kind", "")
    town = _int(request.GET.get("town"))
    q = (request.GET.get("q") or "").strip()[:60]
    qs = selectors.entries_visible_to(request.user)
    on = None
    if state == "on":
        # In force on a day (the links of the targets dashboard's list figures).
        on = _day_param(request.GET.get("on"))
        if on is None:
            messages.error(request, _("The day is not a date (YYYY-MM-DD); the current entries are shown."))
            state = "current"
        else:
            qs = selectors.entries_in_force(qs, on)
    if state == "current":
        qs = qs.filter(removed_on__isnull=True)
    elif state == "past":
        qs = qs.filter(removed_on__isnull=False)
    qs = selectors.entries_filtered(qs, q=q, list_kind=kind, town=town).order_by("-included_on", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "state": state,
        "on": on,
        "kind": kind,
        "town": town,
        "q": q,
        "kinds": ListKind.choices,
        "towns": _towns_for(request.user) if request.user.role == "bureau" else [],
        "can_decide": selectors.can_decide(request.user),
        "querystring": query_without(request, "page", "fmt"),
    }
    return render(request, "credit/entries.html", context)


@login_required
def entry_new(request):
    """The bureau puts an organization on a list directly, for a ground the system cannot
    see (address unreachable, fraud in a change of registration, a court's list...)."""
    _require_decider(request)
    organizations = organizations_visible_to(request.user)
    if request.method == "POST":
        form = IncludeForm(request.POST, organizations=organizations)
        if form.is_valid():
            try:
                entry = services.entry_include(
                    organization=form.organization_obj,
                    list_kind=form.cleaned_data["list_kind"],
                    ground=form.cleaned_data["ground"],
                    included_on=form.cleaned_data["included_on"],
                    decision_number=form.cleaned_data["decision_number"],
                    issue_document=form.cleaned_data["issue_document"],
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, _("%(org)s is on the %(list)s.") % {"org": entry.organization.name, "list": entry.get_list_kind_display()}
                )
                return redirect("credit:entry", entry.pk)
    else:
        initial = {"included_on": timezone.localdate(), "list_kind": request.GET.get("kind", ListKind.ABNORMAL)}
        org_id = _int(request.GET.get("organization"))
        if org_id:
            org = organizations.filter(pk=org_id).first()
            if org is not None:
                initial["organization"] = org.identifier
        form = IncludeForm(initial=initial, organizations=organizations)
    return render(request, "credit/entry_new.html", {"form": form, "grounds": selectors.grounds_for_entry()})


@login_required
def entry_detail(request, pk: int):
    _require_reader(request)
    entry = selectors.entry_for(request.user, pk)
    return render(request, "credit/entry_detail.html", _entry_context(request, entry))


def _entry_context(request, entry, *, form=None) -> dict:
    return {
        "entry": entry,
        "can_remove": selectors.can_decide(request.user) and entry.removed_on is None,
        "form": form or RemoveForm(initial={"removed_on": timezone.localdate()}),
        "escalations": list(entry.escalations.select_related("ground")),
    }


@login_required
@require_POST
def entry_remove(request, pk: int):
    _require_decider(request)
    entry = selectors.entry_for(request.user, pk)
    form = RemoveForm(request.POST)
    if form.is_valid():
        try:
            services.entry_remove(
                entry=entry,
                removed_on=form.cleaned_data["removed_on"],
                reason=form.cleaned_data["reason"],
                decision_number=form.cleaned_data["decision_number"],
                by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("%(org)s is taken off the %(list)s.") % {"org": entry.organization.name, "list": entry.get_list_kind_display()}
            )
            return redirect("credit:entry", entry.pk)
    return render(request, "credit/entry_detail.html", _entry_context(request, entry, form=form), status=400)


# --- penalties ---------------------------------------------------------------------------


@login_required
def penalties(request):
    _require_reader(request)
    kind = request.GET.get("kind", "")
    q = (request.GET.get("q") or "").strip()[:60]
    qs = selectors.penalties_visible_to(request.user)
    from shezhi.credit.models import PenaltyKind

    if kind in PenaltyKind.values:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(
            Q(organization__name__icontains=q) | Q(organization__credit_code__iexact=q.upper()) | Q(decision_number__icontains=q)
        )
    page = Paginator(qs.order_by("-decided_on", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "kind": kind,
        "q": q,
        "kinds": PenaltyKind.choices,
        "can_decide": selectors.can_decide(request.user),
        "querystring": query_without(request, "page", "fmt"),
    }
    return render(request, "credit/penalties.html", context)


@login_required
def penalty_new(request):
    _require_decider(request)
    organizations = organizations_visible_to(request.user)
    if request.method == "POST":
        form = PenaltyForm(request.POST, organizations=organizations)
        if form.is_valid():
            data = form.cleaned_data
            try:
                penalty = services.penalty_record(
                    organization=form.organization_obj,
                    kind=data["kind"],
                    decided_on=data["decided_on"],
                    legal_basis=data["legal_basis"],
                    decision_number=data["decision_number"],
                    fine_amount=data["fine_amount"],
                    confiscated=data["confiscated"],
                    facts=data["facts"],
                    authority=data["authority"],
                    by=request.user,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The penalty is recorded."))
                return redirect("credit:penalty", penalty.pk)
    else:
        initial = {"decided_on": timezone.localdate()}
        org_id = _int(request.GET.get("organization"))
        if org_id:
            org = organizations.filter(pk=org_id).first()
            if org is not None:
                initial["organization"] = org.identifier
        form = PenaltyForm(initial=initial, organizations=organizations)
    return render(request, "credit/penalty_new.html", {"form": form})


def _penalty_context(request, penalty, *, form=None) -> dict:
    from shezhi.credit.models import Proposal

    return {
        "penalty": penalty,
        "can_withdraw": selectors.can_decide(request.user) and penalty.withdrawn_on is None,
        "form": form or WithdrawForm(initial={"withdrawn_on": timezone.localdate()}),
        "proposals": list(
            Proposal.objects.filter(organization_id=penalty.organization_id, source=f"penalty:{penalty.pk}").select_related("ground")
        ),
    }


@login_required
def penalty_detail(request, pk: int):
    _require_reader(request)
    penalty = selectors.penalty_for(request.user, pk)
    return render(request, "credit/penalty_detail.html", _penalty_context(request, penalty))


@login_required
@require_POST
def penalty_withdraw(request, pk: int):
    _require_decider(request)
    penalty = selectors.penalty_for(request.user, pk)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.penalty_withdraw(
                penalty=penalty, withdrawn_on=form.cleaned_data["withdrawn_on"], reason=form.cleaned_data["reason"], by=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The penalty is marked withdrawn; it no longer counts."))
            return redirect("credit:penalty", penalty.pk)
    return render(request, "credit/penalty_detail.html", _penalty_context(request, penalty, form=form), status=400)


# --- an organization's credit page (staff) ----------------------------------------------


@login_required
def organization(request, pk: int):
    """An organization's credit record for staff, with the eligibility rules checked as of
    a date (?on=YYYY-MM-DD, default today)."""
    _require_reader(request)
    org = selectors.organization_for_credit(request.user, pk)
    on = timezone.localdate()
    raw = request.GET.get("on", "")
    bad_date = False
    if raw:
        try:
            on = dt.date.fromisoformat(raw)
        except ValueError:
            bad_date = True
    record = selectors.credit_record(org)
    checks = [selectors.eligibility(org, rule.purpose, on) for rule in EligibilityRule.objects.filter(active=True).order_by("purpose")]
    proposals = list(selectors.proposals_visible_to(request.user).filter(organization=org).order_by("-detected_on", "-id"))
    context = {
        "org": org,
        "record": record,
        "checks": checks,
        "on": on,
        "bad_date": bad_date,
        "proposals": proposals,
        "can_decide": selectors.can_decide(request.user),
    }
    return render(request, "credit/organization.html", context)


# --- decision documents ------------------------------------------------------------------


@login_required
def document_download(request, pk: int):
    """A list or penalty decision document issued here, for staff who may see its subject."""
    from shezhi.documents.models import Document
    from shezhi.documents.services import document_pdf

    _require_reader(request)
    visible = Q(pk__in=selectors.entries_visible_to(request.user).exclude(document=None).values("document_id")) | Q(
        pk__in=selectors.penalties_visible_to(request.user).exclude(document=None).values("document_id")
    )
    doc = Document.objects.filter(visible, pk=pk).first()
    if doc is None:
        raise Http404
    response = HttpResponse(document_pdf(doc), content_type="application/pdf")
    filename = f"{doc.title}-{doc.number}.pdf"
    response["Content-Disposition"] = f"attachment; filename=\"document-{doc.pk}.pdf\"; filename*=UTF-8''{quote(filename)}"
    return response
