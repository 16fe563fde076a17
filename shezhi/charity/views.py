"""Pages of the charity section: the public list of charities and published disclosures; the
organization's own disclosures (write, preview, publish, correct) and campaigns; the
bureau's overview, late disclosures and tax-deductible status.

Thin views: who may see or act comes from selectors (anything else is 404), every write is
a service call, and a refused write comes back as a message on the form.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shezhi.charity import rules as R
from shezhi.charity import selectors, services
from shezhi.charity.forms import (
    CampaignForm,
    DisclosureForm,
    SpecialReportForm,
    TaxDecisionForm,
    TaxLookupForm,
)
from shezhi.charity.models import CharityRules, Disclosure, DisclosureKind, DisclosureStatus, TaxStatusDecision
from shezhi.charity.rules import ObligationState
from shezhi.forms import add_service_errors
from shezhi.paging import query_without

PAGE_SIZE = 25


def _int(value, default=None):
    value = (value or "").strip() if isinstance(value, str) else value
    return int(value) if isinstance(value, str) and value.isdigit() else default


def _require_org(user):
    if not selectors.is_org_account(user):
        raise Http404
    return user.organization


def _require_bureau(user):
    if not selectors.is_bureau(user):
        raise Http404


# --- public ----------------------------------------------------------------------------------


@require_GET
def charity_list(request):
    """Recognized charities, with their public fundraising qualification and tax-deductible
    years; late disclosures are counted per charity."""
    q = (request.GET.get("q") or "").strip()[:100]
    fundraising = request.GET.get("fundraising") == "1"
    qs = selectors.charities_public(q=q, fundraising=fundraising)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    today = timezone.localdate()
    by_org = selectors.obligations_for_many(rows, today)
    years: dict[int, list[int]] = {}
    from shezhi.registry.models import TaxDeductibleYear

    for org_id, year in (
        TaxDeductibleYear.objects.filter(organization__in=rows, year__gte=today.year)
        .order_by("year")
        .values_list("organization_id", "year")
    ):
        years.setdefault(org_id, []).append(year)
    for org in rows:
        org.late_count = sum(1 for o in by_org.get(org.pk, []) if o.state == ObligationState.LATE)
        org.tax_years_now = years.get(org.pk, [])
    context = {"page": page, "rows": rows, "q": q, "fundraising": fundraising, "querystring": query_without(request, "page", "fmt")}
    return render(request, "charity/list.html", context)


@require_GET
def disclosure_detail(request, pk: int):
    """A published item (anyone), or a draft of the user's own organization (preview)."""
    d = selectors.disclosure_for(request.user, pk)
    own = selectors.own_organization(request.user, d.organization)
    corrections = list(d.corrections.filter(status=DisclosureStatus.PUBLISHED).order_by("published_at")) if d.is_published else []
    context = {"d": d, "own": own, "corrections": corrections, "draft_corrections": []}
    if own and d.is_published:
        context["draft_corrections"] = list(d.corrections.filter(status=DisclosureStatus.DRAFT))
    return render(request, "charity/disclosure.html", context)


@require_GET
def disclosure_attachment(request, pk: int):
    d = selectors.disclosure_for(request.user, pk)
    path = services.attachment_path(d.attachment_stored)
    if path is None:
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=d.attachment_name, content_type=d.attachment_type)


# --- the organization's own ---------------------------------------------------------------------


@login_required
def mine(request):
    """The organization's account: what is due, late or done; drafts; campaigns; audited
    special reports and tax-deductible years."""
    org = _require_org(request.user)
    today = timezone.localdate()
    items = selectors.obligations(org, today)
    own = selectors.disclosures_visible_to(request.user)
    context = {
        "org": org,
        "today": today,
        "obligations": items,
        "late": sum(1 for o in items if o.state == ObligationState.LATE),
        "drafts": list(own.filter(status=DisclosureStatus.DRAFT).order_by("-updated_at")),
        "published": list(own.filter(status=DisclosureStatus.PUBLISHED).order_by("-published_at")[:50]),
        "campaigns": list(selectors.campaigns_of(org)),
        "reports": list(selectors.special_reports_of(org)),
        "tax_years": selectors.tax_years_of(org),
        "kinds": DisclosureKind.choices,
    }
    return render(request, "charity/mine.html", context)


def _disclosure_form(request, *, org, kind: str, instance: Disclosure | None = None, data=None, files=None, initial=None):
    correction = bool(instance and instance.corrects_id)
    return DisclosureForm(
        data,
        files,
        kind=kind,
        campaigns=selectors.campaigns_of(org),
        has_attachment=bool(instance and instance.attachment_name),
        correction=correction,
        initial=initial,
    )


@login_required
def disclosure_new(request):
    org = _require_org(request.user)
    kind = request.POST.get("kind") or request.GET.get("kind") or ""
    if kind not in DisclosureKind.values:
        return render(request, "charity/choose_kind.html", {"kinds": DisclosureKind.choices, "org": org})
    existing = None
    if request.method == "POST":
        form = _disclosure_form(request, org=org, kind=kind, data=request.POST, files=request.FILES)
        if form.is_valid():
            try:
                d = services.disclosure_create(
                    organization=org, by=request.user, kind=kind, data=form.data_for_service(), upload=form.cleaned_data.get("attachment")
                )
            except ValidationError as exc:
                if getattr(exc, "code", None) == "duplicate" and exc.params:
                    existing = exc.params.get("existing")
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The draft is saved. Check the preview, then publish."))
                return redirect("charity:disclosure", d.pk)
        status = 400
    else:
        initial = {}
        for name in ("year", "period_number"):
            if _int(request.GET.get(name)):
                initial[name] = _int(request.GET.get(name))
        if _int(request.GET.get("campaign")):
            initial["campaign"] = _int(request.GET.get("campaign"))
        form = _disclosure_form(request, org=org, kind=kind, initial=initial)
        status = 200
    context = {"form": form, "kind": kind, "kind_label": DisclosureKind(kind).label, "d": None, "existing": existing}
    return render(request, "charity/disclosure_form.html", context, status=status)


@login_required
def disclosure_edit(request, pk: int):
    d = selectors.disclosure_owned_by(request.user, pk)
    if d.is_published:
        raise Http404
    org = d.organization
    if request.method == "POST":
        form = _disclosure_form(request, org=org, kind=d.kind, instance=d, data=request.POST, files=request.FILES)
        if form.is_valid():
            try:
                services.disclosure_update(
                    disclosure=d,
                    by=request.user,
                    data=form.data_for_service(),
                    upload=form.cleaned_data.get("attachment"),
                    remove_attachment=bool(form.cleaned_data.get("remove_attachment")),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The draft is saved."))
                return redirect("charity:disclosure", d.pk)
        status = 400
    else:
        initial = {f: getattr(d, f) for f in ("title", "body", "year", "period_number", "transaction_kind", "transaction_date")}
        initial["campaign"] = d.campaign_id
        form = _disclosure_form(request, org=org, kind=d.kind, instance=d, initial=initial)
        status = 200
    context = {"form": form, "kind": d.kind, "kind_label": d.get_kind_display(), "d": d}
    return render(request, "charity/disclosure_form.html", context, status=status)


@login_required
@require_POST
def disclosure_publish(request, pk: int):
    d = selectors.disclosure_owned_by(request.user, pk)
    try:
        d = services.disclosure_publish(disclosure=d, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        if d.late:
            messages.warning(
                request, _("Published. It was due on %(date)s and is shown as published late.") % {"date": d.due_on.isoformat()}
            )
        else:
            messages.success(request, _("Published. It is on your organization's public page."))
    return redirect("charity:disclosure", d.pk)


@login_required
@require_POST
def disclosure_delete(request, pk: int):
    d = selectors.disclosure_owned_by(request.user, pk)
    try:
        services.disclosure_delete(disclosure=d, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("charity:disclosure", d.pk)
    messages.success(request, _("The draft is deleted."))
    return redirect("charity:mine")


@login_required
def disclosure_correct(request, pk: int):
    """Write a correction of a published item: a new note that points at it."""
    original = selectors.disclosure_owned_by(request.user, pk)
    if not original.is_published:
        raise Http404
    if request.method == "POST":
        form = DisclosureForm(request.POST, request.FILES, kind=original.kind, correction=True)
        if form.is_valid():
            try:
                d = services.correction_create(
                    original=original,
                    by=request.user,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    upload=form.cleaned_data.get("attachment"),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The correction is saved as a draft. Check the preview, then publish."))
                return redirect("charity:disclosure", d.pk)
        status = 400
    else:
        form = DisclosureForm(
            kind=original.kind, correction=True, initial={"title": _("Correction: %(title)s") % {"title": original.title}}
        )
        status = 200
    return render(request, "charity/correction_form.html", {"form": form, "original": original}, status=status)


@login_required
def campaign_new(request):
    org = _require_org(request.user)
    if request.method == "POST":
        form = CampaignForm(request.POST)
        if form.is_valid():
            try:
                services.campaign_create(organization=org, by=request.user, data=form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The campaign is recorded; its reports are on your list."))
                return redirect("charity:mine")
        status = 400
    else:
        form = CampaignForm()
        status = 200
    return render(request, "charity/campaign_form.html", {"form": form, "campaign": None}, status=status)


@login_required
def campaign_edit(request, pk: int):
    campaign = selectors.campaign_owned_by(request.user, pk)
    if request.method == "POST":
        form = CampaignForm(request.POST)
        if form.is_valid():
            try:
                services.campaign_update(campaign=campaign, by=request.user, data=form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The campaign is saved."))
                return redirect("charity:mine")
        status = 400
    else:
        form = CampaignForm(initial={f: getattr(campaign, f) for f in services.CAMPAIGN_FIELDS})
        status = 200
    return render(request, "charity/campaign_form.html", {"form": form, "campaign": campaign}, status=status)


@login_required
def special_report_new(request):
    """Record an audited special report: the organization for itself, or the bureau for an
    organization of its city (?organization=<pk>)."""
    user = request.user
    if selectors.is_org_account(user):
        org = user.organization
    elif selectors.is_bureau(user):
        org = selectors.tax_organization_for(user, _int(request.GET.get("organization") or request.POST.get("organization"), -1))
    else:
        raise Http404
    if request.method == "POST":
        form = SpecialReportForm(request.POST)
        if form.is_valid():
            try:
                report = services.special_report_record(organization=org, by=user, data=form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The special report on %(year)s is recorded.") % {"year": report.year})
                if selectors.is_bureau(user):
                    return redirect("charity:tax_check", org.pk, report.year + 1)
                return redirect("charity:mine")
        status = 400
    else:
        form = SpecialReportForm(initial={"year": timezone.localdate().year - 1})
        status = 200
    return render(request, "charity/special_report_form.html", {"form": form, "org": org}, status=status)


# --- the bureau ------------------------------------------------------------------------------


@login_required
def staff_home(request):
    """The bureau's overview: its city's charities, open recognition and fundraising
    applications with their twenty-day dates, and how many disclosures are late."""
    _require_bureau(request.user)
    from shezhi.affairs.models import OPEN_STATUSES, ProcedureKind
    from shezhi.affairs.selectors import filings_handled_by

    today = timezone.localdate()
    charities = selectors.bureau_organizations(request.user).filter(is_charity=True).select_related("town").order_by("sort_key", "id")
    page = Paginator(charities, PAGE_SIZE).get_page(request.GET.get("page"))
    rules = R.RulesBook.load(CharityRules)
    filings = list(
        filings_handled_by(request.user)
        .filter(procedure__kind__in=[ProcedureKind.CHARITY_RECOGNITION, ProcedureKind.PUBLIC_FUNDRAISING], status__in=OPEN_STATUSES)
        .order_by("accepted_on", "submitted_at", "id")
    )
    from shezhi.charity.hooks import check_decision

    for f in filings:
        # What the rules say now, as the approval will check it: the bureau sees it before deciding.
        f.rule_reasons = check_decision(filing=f) if f.status in ("accepted", "under_review", "submitted") else []
        days = rules.for_city(f.city_id).decision_days
        f.calendar_due = f.accepted_on + dt.timedelta(days=days) if f.accepted_on else None
        f.calendar_over = bool(f.calendar_due and today > f.calendar_due and f.status in ("accepted", "under_review"))
    late = selectors.late_obligations(request.user, on=today)
    context = {"page": page, "filings": filings, "late_count": len(late), "today": today}
    return render(request, "charity/staff_home.html", context)


@login_required
def late_list(request):
    """The bureau's list of late disclosures in its city on a date: not published past the
    due date, and (on request) published late; downloadable."""
    _require_bureau(request.user)
    today = timezone.localdate()
    problems = []
    on = today
    raw_on = (request.GET.get("on") or "").strip()
    if raw_on:
        try:
            on = dt.date.fromisoformat(raw_on)
        except ValueError:
            problems.append(_("Write the date as YYYY-MM-DD."))
    include_published = request.GET.get("published") == "1"
    rows = selectors.late_obligations(request.user, on=on, include_published=include_published)
    from shezhi.charity.models import DisclosureNotice

    flagged = {
        (org_id, key): day
        for org_id, key, day in DisclosureNotice.objects.filter(
            stage=DisclosureNotice.LATE, organization_id__in={o.organization_id for o in rows}
        ).values_list("organization_id", "obligation", "sent_on")
    }
    for o in rows:
        o.flagged_on = flagged.get((o.organization_id, o.key))
        o.days_over = ((o.disclosure.published_on if o.done else on) - o.due_on).days
    fmt = request.GET.get("fmt", "")
    if fmt in ("xlsx", "csv"):
        from shezhi.tabular import table_response

        headers = [
            _("Organization"),
            _("Unified social credit code"),
            _("Town / street"),
            _("Item"),
            _("Due on"),
            _("State"),
            _("Days late"),
        ]
        state_labels = {ObligationState.LATE: _("not published"), ObligationState.DONE_LATE: _("published late")}
        data = [
            [
                o.extra["organization"].name,
                o.extra["organization"].credit_code,
                o.extra["organization"].town.name,
                o.label,
                o.due_on,
                str(state_labels[o.state]),
                o.days_over,
            ]
            for o in rows
        ]
        return table_response(fmt, f"late-disclosures-{on.isoformat()}", headers, data)
    context = {
        "rows": rows,
        "on": on,
        "include_published": include_published,
        "problems": problems,
        "querystring": query_without(request, "page", "fmt"),
    }
    return render(request, "charity/late.html", context, status=400 if problems else 200)


@login_required
def staff_disclosures(request):
    """The bureau: the published disclosures of its city, newest first."""
    _require_bureau(request.user)
    qs = selectors.disclosures_visible_to(request.user).select_related("organization__town").order_by("-published_at", "-id")
    kind = request.GET.get("kind", "")
    if kind in DisclosureKind.values:
        qs = qs.filter(kind=kind)
    q = (request.GET.get("q") or "").strip()[:100]
    if q:
        qs = qs.filter(organization__name__icontains=q)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "kind": kind, "kinds": DisclosureKind.choices, "q": q, "querystring": query_without(request, "page", "fmt")}
    return render(request, "charity/staff_disclosures.html", context)


@login_required
def tax_home(request):
    """The bureau picks an organization and a year to check; recent decisions of its city."""
    _require_bureau(request.user)
    organizations = selectors.bureau_organizations(request.user).filter(registration="registered")
    if request.GET.get("credit_code"):
        form = TaxLookupForm(request.GET, organizations=organizations)
        if form.is_valid():
            return redirect("charity:tax_check", form.organization.pk, form.cleaned_data["year"])
    else:
        form = TaxLookupForm(organizations=organizations)
    decisions = (
        TaxStatusDecision.objects.filter(organization__in=organizations)
        .select_related("organization", "decided_by")
        .order_by("-decided_at")[:50]
    )
    return render(request, "charity/tax_home.html", {"form": form, "decisions": decisions})


@login_required
def tax_check_view(request, pk: int, year: int):
    """Each rule for tax-deductible status from `year`, met or not, with the dates used; the
    bureau confirms (writing the years) or refuses."""
    _require_bureau(request.user)
    org = selectors.tax_organization_for(request.user, pk)
    if not 2000 <= year <= timezone.localdate().year + 1:
        raise Http404
    on = None
    form = TaxDecisionForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            on = form.cleaned_data.get("on")
            confirm = request.POST.get("decision") == "confirm"
            try:
                decision = services.tax_status_decide(
                    organization=org, year=year, by=request.user, confirm=confirm, note=form.cleaned_data["note"], on=on
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if decision.outcome == "confirmed":
                    messages.success(
                        request, _("Confirmed for %(years)s; the registry shows it.") % {"years": "、".join(str(y) for y in decision.years)}
                    )
                else:
                    messages.success(request, _("Refused; the organization is told."))
                return redirect("charity:tax_check", org.pk, year)
    else:
        raw = (request.GET.get("on") or "").strip()
        if raw:
            try:
                on = min(dt.date.fromisoformat(raw), timezone.localdate())
            except ValueError:
                messages.error(request, _("Write the date as YYYY-MM-DD."))
        if on:
            form = TaxDecisionForm(initial={"on": on})
    result = services.tax_check(organization=org, year=year, on=on)
    context = {
        "org": org,
        "year": year,
        "result": result,
        "form": form,
        "reports": list(selectors.special_reports_of(org)),
        "tax_years": selectors.tax_years_of(org),
        "decisions": list(selectors.tax_decisions_of(org).filter(year=year)),
    }
    return render(request, "charity/tax_check.html", context, status=400 if request.method == "POST" else 200)
