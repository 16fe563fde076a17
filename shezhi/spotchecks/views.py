"""Pages of random spot checks: public results and redraw, the bureau's campaigns, checks,
inspector pool and rectification orders, and the organization's own orders."""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shezhi.accounts.models import Role
from shezhi.areas.models import Area
from shezhi.forms import add_service_errors
from shezhi.paging import query_without
from shezhi.registry.models import Organization, OrganizationStatus, RegistrationKind
from shezhi.registry.selectors import organizations_visible_to
from shezhi.spotchecks import selectors, services
from shezhi.spotchecks.draw import ALGORITHM_VERSION, pool_text
from shezhi.spotchecks.forms import (
    CampaignForm,
    ConflictForm,
    InspectorForm,
    NoteForm,
    OrderForm,
    RecordForm,
    RedrawForm,
    ReportForm,
    VerifyForm,
)
from shezhi.spotchecks.models import Aspect, CampaignStatus, CheckStatus, Inspector, OrderStatus
from shezhi.workflow.engine import timeline

PAGE_SIZE = 25


def _error_messages(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _require_bureau(user) -> None:
    if not selectors.is_bureau(user):
        raise Http404


def _require_staff_reader(user) -> None:
    if not selectors.is_staff_reader(user):
        raise Http404


def _fragment_wanted(request) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request and not request.htmx.boosted


# --- public ------------------------------------------------------------------------------


@require_GET
def public_list(request):
    """Published campaigns, latest first: anyone sees the samples, seeds and results."""
    page = Paginator(selectors.published_campaigns(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "spotchecks/public_list.html", {"page": page, "querystring": query_without(request, "page")})


def _names(org_ids, inspector_ids) -> tuple[dict, dict]:
    orgs = dict(Organization.objects.filter(pk__in=set(org_ids)).values_list("pk", "name"))
    inspectors = {i.pk: i for i in Inspector.objects.filter(pk__in=set(inspector_ids)).only("id", "name", "unit")}
    return orgs, inspectors


@require_GET
def campaign(request, pk: int):
    """A published campaign: seed, pool size and hash, the sample with its inspectors and
    the results recorded so far."""
    c = selectors.public_campaign(pk)
    checks = list(selectors.public_checks(c))
    context = {
        "campaign": c,
        "checks": checks,
        "today": timezone.localdate(),
        "recorded": sum(1 for ch in checks if ch.status == CheckStatus.RECORDED),
        "algorithm_version": ALGORITHM_VERSION,
        "may_manage": selectors.is_staff_reader(request.user) and selectors.campaigns_visible_to(request.user).filter(pk=c.pk).exists(),
    }
    return render(request, "spotchecks/campaign.html", context)


@require_GET
def campaign_input(request, pk: int):
    """The frozen input and the published sample as JSON, for redrawing anywhere."""
    c = selectors.public_campaign(pk)
    sample = list(c.checks.order_by("position").values_list("organization_id", "inspector_a_id", "inspector_b_id"))
    data = {
        "campaign": c.pk,
        "title": c.title,
        "area": c.area.name,
        "year": c.year,
        "algorithm": c.algorithm,
        "seed": c.seed,
        "ratio_percent": str(c.ratio_percent),
        "sample_size": c.sample_size,
        "pool_hash": c.pool_hash,
        "pool_text": pool_text(c.pool_organizations, c.pool_inspectors, [tuple(p) for p in c.pool_conflicts]),
        "organizations": c.pool_organizations,
        "inspectors": c.pool_inspectors,
        "conflicts": c.pool_conflicts,
        "sample": [list(row) for row in sample],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Disposition"] = f'inline; filename="spotcheck-{c.pk}-input.json"'
    return response


def _home_area(areas: list[Area]) -> Area | None:
    for a in areas:
        if a.code == settings.SHEZHI_CITY_CODE:
            return a
    return areas[0] if areas else None


@require_GET
def pools(request):
    """The published pools of an area: how many organizations, and who the inspectors are
    (name and unit, nothing else)."""
    areas = list(selectors.pool_areas())
    area = None
    raw = request.GET.get("area", "")
    if raw.isdigit():
        area = next((a for a in areas if a.pk == int(raw)), None)
        if area is None:
            raise Http404
    area = area or _home_area(areas)
    context = {"areas": areas, "area": area}
    if area is not None:
        pool = services.organization_pool_counts(area)
        rule = None
        with contextlib.suppress(ValidationError):
            rule = services.sampling_rule_for(area)
        context.update(
            {
                "registered": pool.get(RegistrationKind.REGISTERED, 0),
                "filed": pool.get(RegistrationKind.FILED, 0),
                "inspectors": list(selectors.public_inspectors(area)),
                "rule": rule,
                "campaigns": list(selectors.published_campaigns().filter(area=area)[:10]),
            }
        )
    return render(request, "spotchecks/pools.html", context)


@require_GET
def redraw(request):
    """Anyone picks a published campaign and types a seed; the draw runs again on the
    campaign's frozen input and the page says whether it gives the published sample."""
    campaigns = list(selectors.published_campaigns())
    form = RedrawForm(request.GET or None, campaigns=campaigns)
    result = chosen = None
    rows: list[dict] = []
    if request.GET and form.is_valid():
        chosen = next((c for c in campaigns if c.pk == form.cleaned_data["campaign"]), None)
        if chosen is None:
            form.add_error("campaign", _("Choose a published campaign."))
        else:
            result = services.campaign_redraw(campaign=chosen, seed=form.cleaned_data["seed"])
            org_names, inspectors = _names(
                [r[0] for r in result.sample + result.published], [i for r in result.sample + result.published for i in r[1:]]
            )
            for n, row in enumerate(result.sample, start=1):
                published = result.published[n - 1] if n <= len(result.published) else None
                rows.append(
                    {
                        "n": n,
                        "org_id": row[0],
                        "org": org_names.get(row[0], row[0]),
                        "a": inspectors.get(row[1]),
                        "b": inspectors.get(row[2]),
                        "same": published == row,
                    }
                )
    elif "seed" not in request.GET:
        # A link from a campaign page preselects it; the seed is for the visitor to type.
        form = RedrawForm(initial={"campaign": request.GET.get("campaign")}, campaigns=campaigns)
    context = {"form": form, "result": result, "rows": rows, "chosen": chosen, "campaigns": campaigns}
    template = "spotchecks/_redraw_result.html" if _fragment_wanted(request) else "spotchecks/redraw.html"
    return render(request, template, context, status=400 if form.errors else 200)


# --- staff: campaigns --------------------------------------------------------------------------


@login_required
def staff_campaigns(request):
    _require_staff_reader(request.user)
    qs = selectors.campaign_list(request.user).order_by("-year", "-id")
    status = request.GET.get("status", "")
    if status in CampaignStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "status": status,
        "statuses": CampaignStatus.choices,
        "is_bureau": selectors.is_bureau(request.user),
        "querystring": query_without(request, "page"),
    }
    return render(request, "spotchecks/staff_campaigns.html", context)


@login_required
def campaign_new(request):
    _require_bureau(request.user)
    area = request.user.area
    try:
        rule = services.sampling_rule_for(area)
    except ValidationError as exc:
        _error_messages(request, exc)
        return redirect("spotchecks:staff_campaigns")
    if request.method == "POST":
        form = CampaignForm(request.POST, min_ratio=rule.min_ratio_percent)
        if form.is_valid():
            data = form.cleaned_data
            try:
                c = services.campaign_create(
                    area=area,
                    year=data["year"],
                    title=data["title"],
                    ratio_percent=data["ratio_percent"],
                    seed=data["seed"],
                    include_filed=data["include_filed"],
                    by=request.user,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The campaign is planned. Check the pools, then draw."))
                return redirect("spotchecks:staff_campaign", c.pk)
    else:
        year = timezone.localdate().year
        form = CampaignForm(
            initial={"year": year, "ratio_percent": rule.min_ratio_percent, "title": _("Random spot checks %(year)s") % {"year": year}},
            min_ratio=rule.min_ratio_percent,
        )
    return render(request, "spotchecks/campaign_new.html", {"form": form, "rule": rule, "area": area}, status=400 if form.errors else 200)


@login_required
def staff_campaign(request, pk: int):
    c = selectors.campaign_for(request.user, pk)
    manage = selectors.is_bureau(request.user)
    context = {"campaign": c, "manage": manage, "steps": list(timeline(c))}
    if c.status == CampaignStatus.DRAFT and manage:
        preview, size = services.campaign_preview(c)
        short_names = dict(Organization.objects.filter(pk__in=[o for o, _n in preview.short[:20]]).values_list("pk", "name"))
        context.update(
            {
                "preview": preview,
                "preview_size": size,
                "short": [(short_names.get(o, o), n) for o, n in preview.short[:20]],
                "cancel_form": NoteForm(),
            }
        )
    else:
        checks = selectors.checks_of(request.user, c)
        context["checks"] = list(checks)
    return render(request, "spotchecks/staff_campaign.html", context)


@login_required
@require_POST
def campaign_draw(request, pk: int):
    _require_bureau(request.user)
    c = selectors.campaign_for(request.user, pk)
    try:
        drawn = services.campaign_draw(campaign=c, by=request.user)
    except ValidationError as exc:
        _error_messages(request, exc)
    else:
        messages.success(
            request,
            _("Drawn: %(n)s of %(pool)s organizations with seed %(seed)s.")
            % {"n": drawn.sample_size, "pool": drawn.pool_size, "seed": drawn.seed},
        )
    return redirect("spotchecks:staff_campaign", c.pk)


@login_required
@require_POST
def campaign_publish(request, pk: int):
    _require_bureau(request.user)
    c = selectors.campaign_for(request.user, pk)
    try:
        services.campaign_publish(campaign=c, by=request.user)
    except ValidationError as exc:
        _error_messages(request, exc)
    else:
        messages.success(request, _("The sample, its seed and the pool hash are published."))
    return redirect("spotchecks:staff_campaign", c.pk)


@login_required
@require_POST
def campaign_cancel(request, pk: int):
    _require_bureau(request.user)
    c = selectors.campaign_for(request.user, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for cancelling the campaign."))
        return redirect("spotchecks:staff_campaign", c.pk)
    try:
        services.campaign_cancel(campaign=c, by=request.user, note=form.cleaned_data["note"])
    except ValidationError as exc:
        _error_messages(request, exc)
    else:
        messages.success(request, _("The campaign is cancelled."))
    return redirect("spotchecks:staff_campaign", c.pk)


# --- staff: checks -----------------------------------------------------------------------


@login_required
def check_detail(request, pk: int):
    """A check's findings; the bureau records them once the sample is published."""
    check = selectors.check_for(request.user, pk)
    manage = selectors.is_bureau(request.user)
    may_record = manage and check.status == CheckStatus.PENDING and check.campaign.status == CampaignStatus.PUBLISHED
    form = None
    status = 200
    if request.method == "POST":
        if not may_record:
            if not manage:
                raise Http404
            messages.error(request, _("This check cannot be recorded now (status: %(status)s).") % {"status": check.get_status_display()})
            return redirect("spotchecks:check", check.pk)
        form = RecordForm(request.POST)
        if form.is_valid():
            try:
                services.check_record(
                    check=check,
                    by=request.user,
                    checked_on=form.cleaned_data["checked_on"],
                    inspector_a_present=form.cleaned_data["inspector_a_present"],
                    inspector_b_present=form.cleaned_data["inspector_b_present"],
                    result=form.cleaned_data["result"],
                    findings=form.findings(),
                    summary=form.cleaned_data["summary"],
                    order=form.order(),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The findings are recorded and published with the campaign."))
                return redirect("spotchecks:check", check.pk)
        status = 400
    elif may_record:
        form = RecordForm(
            initial={
                "checked_on": timezone.localdate(),
                "due_on": services.default_due_on(check.campaign.area),
                "issue_document": True,
                **{f"{a}_problem": "0" for a in Aspect.values},
            }
        )
    context = {
        "check": check,
        "campaign": check.campaign,
        "org": check.organization,
        "form": form,
        "findings": list(check.findings.all()),
        "orders": list(check.orders.all()),
        "today": timezone.localdate(),
        "steps": list(timeline(check)),
    }
    return render(request, "spotchecks/check.html", context, status=status)


# --- staff: inspectors ----------------------------------------------------------------------


@login_required
def inspectors(request):
    """The bureau's inspector pool: add staff members or external experts, mark who is in it."""
    _require_bureau(request.user)
    if request.method == "POST":
        form = InspectorForm(request.POST, bureau=request.user)
        if form.is_valid():
            try:
                inspector = services.inspector_save(area=request.user.area, data=form.cleaned_data, by=request.user)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("%(name)s is in the inspector pool.") % {"name": inspector.name})
                return redirect("spotchecks:inspectors")
    else:
        form = InspectorForm(bureau=request.user, initial={"active": True})
    rows = list(selectors.inspector_list(request.user))
    context = {"inspectors": rows, "form": form, "active_count": sum(1 for i in rows if i.active)}
    return render(request, "spotchecks/inspectors.html", context, status=400 if form.errors else 200)


@login_required
def inspector_detail(request, pk: int):
    _require_bureau(request.user)
    inspector = selectors.inspector_for(request.user, pk)
    form = InspectorForm(
        request.POST if request.method == "POST" else None,
        bureau=request.user,
        initial={f: getattr(inspector, f) for f in ("user", "name", "unit", "active", "note")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.inspector_save(area=request.user.area, data=form.cleaned_data, by=request.user, inspector=inspector)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The inspector is saved."))
            return redirect("spotchecks:inspector", inspector.pk)
    return _inspector_page(request, inspector, form=form, conflict_form=ConflictForm(organizations=organizations_visible_to(request.user)))


def _inspector_page(request, inspector, *, form, conflict_form):
    from shezhi.spotchecks.pools import conflicts_between

    declared = list(selectors.conflicts_of(inspector))
    declared_orgs = {c.organization_id for c in declared}
    seen = conflicts_between([Inspector.objects.select_related("user").get(pk=inspector.pk)], _automatic_scope(inspector))
    automatic_ids = [org for org, _i in seen if org not in declared_orgs]
    automatic_names = dict(Organization.objects.filter(pk__in=automatic_ids[:50]).values_list("pk", "name"))
    automatic = [(automatic_names.get(o, o), seen[(o, inspector.pk)]) for o in automatic_ids[:50]]
    context = {
        "inspector": inspector,
        "form": form,
        "conflicts": declared,
        "automatic": automatic,
        "automatic_total": len(automatic_ids),
        "conflict_form": conflict_form,
    }
    bad = form.errors or conflict_form.errors
    return render(request, "spotchecks/inspector.html", context, status=400 if bad else 200)


def _automatic_scope(inspector: Inspector):
    from shezhi.spotchecks.pools import organization_pool

    return organization_pool(inspector.area, include_filed=True)


@login_required
@require_POST
def conflict_add(request, pk: int):
    _require_bureau(request.user)
    inspector = selectors.inspector_for(request.user, pk)
    form = ConflictForm(request.POST, organizations=organizations_visible_to(request.user))
    if form.is_valid():
        try:
            services.conflict_declare(
                inspector=inspector,
                organization=form.cleaned_data["organization"],
                reason=form.cleaned_data["reason"],
                declared_by=form.cleaned_data["declared_by"],
                by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The conflict is recorded: this inspector will not be drawn for that organization."))
            return redirect("spotchecks:inspector", inspector.pk)
    edit = InspectorForm(bureau=request.user, initial={f: getattr(inspector, f) for f in ("user", "name", "unit", "active", "note")})
    return _inspector_page(request, inspector, form=edit, conflict_form=form)


@login_required
@require_POST
def conflict_delete(request, pk: int, cid: int):
    _require_bureau(request.user)
    inspector = selectors.inspector_for(request.user, pk)
    conflict = inspector.conflicts.filter(pk=cid).select_related("organization").first()
    if conflict is None:
        raise Http404
    services.conflict_remove(conflict=conflict, by=request.user, reason=request.POST.get("note", "")[:500])
    messages.success(request, _("The conflict is removed."))
    return redirect("spotchecks:inspector", inspector.pk)


# --- rectification orders -----------------------------------------------------------------------

ORDER_FILTERS = ("open", "overdue", "reported", "completed", "cancelled")


def _require_order_reader(user) -> None:
    if user.role not in selectors.ORDER_ROLES:
        raise Http404
    if user.role == Role.ORGANIZATION and not user.organization_id:
        raise Http404
    if user.role != Role.ORGANIZATION and not selectors.is_staff_reader(user):
        raise Http404


@login_required
def orders(request):
    """Rectification orders: the bureau's and a town's (read only) in their area; an
    organization's own."""
    _require_order_reader(request.user)
    today = timezone.localdate()
    qs = selectors.orders_visible_to(request.user)
    state = request.GET.get("state", "")
    if state == "open":
        qs = qs.filter(status=OrderStatus.OPEN)
    elif state == "overdue":
        qs = qs.filter(selectors.open_q(today), due_on__lt=today)
    elif state in ORDER_FILTERS:
        qs = qs.filter(status=state)
    else:
        state = ""
    counts = selectors.orders_visible_to(request.user).aggregate(
        open=Count("id", filter=Q(status=OrderStatus.OPEN)),
        overdue=Count("id", filter=selectors.open_q(today) & Q(due_on__lt=today)),
        reported=Count("id", filter=Q(status=OrderStatus.REPORTED)),
    )
    page = Paginator(qs.order_by("-issued_on", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "state": state,
        "counts": counts,
        "today": today,
        "is_bureau": selectors.is_bureau(request.user),
        "querystring": query_without(request, "page"),
        "states": [
            ("open", _("To rectify")),
            ("overdue", _("Overdue")),
            ("reported", _("Completion reported")),
            ("completed", _("Completed")),
            ("cancelled", _("Withdrawn")),
        ],
    }
    return render(request, "spotchecks/orders.html", context)


@login_required
def order_new(request):
    """The bureau orders an organization of its area to rectify (outside a spot check too)."""
    _require_bureau(request.user)
    organizations = organizations_visible_to(request.user).exclude(status__in=[OrganizationStatus.REVOKED, OrganizationStatus.DEREGISTERED])
    if request.method == "POST":
        form = OrderForm(request.POST, organizations=organizations)
        if form.is_valid():
            try:
                order = services.rectification_issue(
                    organization=form.cleaned_data["organization"],
                    by=request.user,
                    requirement=form.cleaned_data["requirement"],
                    due_on=form.cleaned_data["due_on"],
                    issue_document=form.cleaned_data["issue_document"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The rectification order is issued."))
                return redirect("spotchecks:order", order.pk)
    else:
        initial = {"issue_document": True, "due_on": services.default_due_on(request.user.area)}
        org_id = request.GET.get("organization", "")
        if org_id.isdigit():
            org = organizations.filter(pk=int(org_id)).first()
            if org is not None:
                initial["organization"] = org.identifier
        form = OrderForm(initial=initial, organizations=organizations)
    return render(request, "spotchecks/order_new.html", {"form": form}, status=400 if form.errors else 200)


def _order_context(request, order, **forms):
    user = request.user
    today = timezone.localdate()
    own = user.role == Role.ORGANIZATION
    manage = selectors.is_bureau(user)
    context = {
        "order": order,
        "org": order.organization,
        "today": today,
        "overdue": order.is_overdue(today),
        "own": own,
        "manage": manage,
        "steps": list(timeline(order)),
        "report_form": forms.get("report_form") or (ReportForm() if own and order.status == OrderStatus.OPEN else None),
        "verify_form": forms.get("verify_form") or VerifyForm(),
        "reject_form": forms.get("reject_form") or NoteForm(),
        "withdraw_form": forms.get("withdraw_form") or NoteForm(),
    }
    return context


@login_required
def order(request, pk: int):
    _require_order_reader(request.user)
    o = selectors.order_for(request.user, pk)
    return render(request, "spotchecks/order.html", _order_context(request, o))


@login_required
@require_POST
def order_report(request, pk: int):
    if request.user.role != Role.ORGANIZATION:
        raise Http404
    o = selectors.order_for(request.user, pk)
    form = ReportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.rectification_report(order=o, by=request.user, note=form.cleaned_data["note"], upload=form.cleaned_data.get("file"))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your report is sent to the bureau, which will verify it."))
            return redirect("spotchecks:order", o.pk)
    return render(request, "spotchecks/order.html", _order_context(request, o, report_form=form), status=400)


@login_required
@require_POST
def order_verify(request, pk: int):
    _require_bureau(request.user)
    o = selectors.order_for(request.user, pk)
    form = VerifyForm(request.POST)
    if form.is_valid():
        try:
            services.rectification_verify(
                order=o, by=request.user, completed_on=form.cleaned_data["completed_on"], note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The rectification is verified as completed."))
            return redirect("spotchecks:order", o.pk)
    return render(request, "spotchecks/order.html", _order_context(request, o, verify_form=form), status=400)


def _note_step(request, pk: int, service, success: str, form_key: str):
    _require_bureau(request.user)
    o = selectors.order_for(request.user, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            service(order=o, by=request.user, note=form.cleaned_data["note"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect("spotchecks:order", o.pk)
    return render(request, "spotchecks/order.html", _order_context(request, o, **{form_key: form}), status=400)


@login_required
@require_POST
def order_reject(request, pk: int):
    return _note_step(
        request, pk, services.rectification_reject, _("The order is open again; the organization is told why."), "reject_form"
    )


@login_required
@require_POST
def order_withdraw(request, pk: int):
    return _note_step(request, pk, services.rectification_withdraw, _("The order is withdrawn."), "withdraw_form")


@login_required
def order_attachment(request, pk: int):
    _require_order_reader(request.user)
    o = selectors.order_for(request.user, pk)
    path = services.attachment_path(o)
    if path is None:
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=o.attachment_name, content_type=o.attachment_type)


@login_required
def order_document(request, pk: int):
    _require_order_reader(request.user)
    o = selectors.order_for(request.user, pk)
    if o.document_id is None:
        raise Http404
    from urllib.parse import quote

    from shezhi.documents.services import document_pdf

    doc = o.document
    response = HttpResponse(document_pdf(doc), content_type="application/pdf")
    response["Content-Disposition"] = (
        f"attachment; filename=\"document-{doc.pk}.pdf\"; filename*=UTF-8''{quote(doc.title + '-' + doc.number + '.pdf')}"
    )
    return response
