"""Staff pages of the registry: scoped list, record with history, filing, editing, status."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shezhi.accounts.models import Role
from shezhi.accounts.selectors import areas_visible_to, towns_for_filing
from shezhi.areas.models import Area, AreaLevel
from shezhi.audit.models import AuditAction
from shezhi.audit.services import audit_record
from shezhi.extensions import sections_for
from shezhi.paging import query_without
from shezhi.privacy import mask_phone
from shezhi.registry.forms import EditForm, FilingForm, StatusForm, communities_of
from shezhi.registry.models import Organization
from shezhi.registry.selectors import (
    apply_filters,
    filters_from_params,
    may_see_personal_data,
    organization_for,
    organization_history,
    organizations_visible_to,
)
from shezhi.registry.services import DuplicateOrganizationError, organization_file, organization_set_status, organization_update

PAGE_SIZE = 25


def _require_staff(user) -> None:
    if not user.is_area_staff:
        raise Http404


@login_required
def organization_list(request):
    """The registry as the user's area sees it, with the public search's filters."""
    _require_staff(request.user)
    filters, errors = filters_from_params(request.GET)
    qs = apply_filters(organizations_visible_to(request.user), filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    visible = areas_visible_to(request.user)
    context = {
        "page": page,
        "filters": filters,
        "filter_errors": errors,
        "towns": visible.filter(level=AreaLevel.TOWN).order_by("code"),
        "communities": visible.filter(level=AreaLevel.COMMUNITY, parent_id=filters.town).order_by("code") if filters.town else [],
        "querystring": query_without(request, "page"),
        "can_file": towns_for_filing(request.user).exists(),
    }
    template = "registry/_list_results.html" if request.htmx and not request.htmx.boosted else "registry/list.html"
    return render(request, template, context)


@login_required
def organization_detail(request, pk: int):
    """One organization with all its facts and its full change history."""
    org = organization_for(request.user, pk)
    editable = may_see_personal_data(request.user, org)
    history = organization_history(org)
    context = {
        "org": org,
        "editable": editable,
        "masked_phone": mask_phone(org.phone),
        "history": history,
        "status_form": StatusForm(initial={"on": timezone.localdate()}) if request.user.role == Role.BUREAU else None,
        "sections": sections_for(org, request, audience="staff"),
    }
    return render(request, "registry/detail.html", context)


@login_required
@require_POST
def organization_reveal_phone(request, pk: int):
    """Show the full phone to staff who may change the record; the view is audited."""
    org = organization_for(request.user, pk, editable=True)
    audit_record(action=AuditAction.PERSONAL_DATA_VIEWED, by=request.user, target=org, changes={"field": "phone"})
    return render(request, "registry/_phone.html", {"org": org, "phone": org.phone})


def _duplicate_link(user, existing: Organization) -> str:
    if organizations_visible_to(user).filter(pk=existing.pk).exists():
        return reverse("registry:detail", args=[existing.pk])
    return reverse("portal:organization", args=[existing.pk])


@login_required
def organization_file_view(request):
    """A town officer files a community social organization and gets its filing number."""
    towns = towns_for_filing(request.user).order_by("code")
    if not towns.exists():
        raise Http404
    visible = areas_visible_to(request.user)
    form_kwargs = {
        "towns": towns,
        "communities": communities_of(towns.values("id")),
        "hub_areas": visible.filter(level__in=[AreaLevel.TOWN, AreaLevel.COMMUNITY]).order_by("code"),
    }
    duplicate = None
    if request.method == "POST":
        form = FilingForm(request.POST, **form_kwargs)
        if form.is_valid():
            data = form.service_data()
            town = data.pop("town")
            try:
                org = organization_file(town=town, data=data, by=request.user)
            except DuplicateOrganizationError as exc:
                duplicate = {"org": exc.existing, "url": _duplicate_link(request.user, exc.existing)}
                form.add_error("name", exc.messages)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(
                    request, _("Filed %(name)s with filing number %(number)s.") % {"name": org.name, "number": org.filing_number}
                )
                return redirect("registry:detail", org.pk)
    else:
        initial = {"founded_on": timezone.localdate()}
        if towns.count() == 1:
            initial["town"] = towns.first()
        form = FilingForm(initial=initial, **form_kwargs)
    return render(request, "registry/file.html", {"form": form, "duplicate": duplicate})


@login_required
def organization_edit(request, pk: int):
    """Change an organization's facts; the reason is required and kept in the history."""
    org = organization_for(request.user, pk, editable=True)
    visible = areas_visible_to(request.user)
    form_kwargs = {
        "communities": communities_of([org.town_id]),
        "hub_areas": visible.filter(level__in=[AreaLevel.TOWN, AreaLevel.COMMUNITY]).order_by("code"),
        "served": visible.filter(level=AreaLevel.COMMUNITY).order_by("code"),
        "registered": org.is_registered,
    }
    duplicate = None
    if request.method == "POST":
        form = EditForm(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                organization_update(organization=org, data=form.service_data(), by=request.user, reason=form.cleaned_data["reason"])
            except DuplicateOrganizationError as exc:
                duplicate = {"org": exc.existing, "url": _duplicate_link(request.user, exc.existing)}
                form.add_error("name", exc.messages)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("The changes are saved and recorded in the history."))
                return redirect("registry:detail", org.pk)
    else:
        initial = {name: getattr(org, name) for name in EditForm.field_names if name not in EditForm.m2m_names}
        for name in ("service_domains", "target_groups", "served_communities"):
            initial[name] = list(getattr(org, name).values_list("pk", flat=True))
        initial["community"] = org.community_id
        initial["hub_area"] = org.hub_area_id
        form = EditForm(initial=initial, **form_kwargs)
    return render(request, "registry/edit.html", {"form": form, "org": org, "duplicate": duplicate})


@login_required
@require_POST
def organization_status(request, pk: int):
    """The bureau moves an organization to another status (list, revocation, deregistration)."""
    if request.user.role != Role.BUREAU:
        raise Http404
    org = organization_for(request.user, pk, editable=True)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            organization_set_status(
                organization=org,
                status=form.cleaned_data["status"],
                on=form.cleaned_data["on"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The status is changed."))
    else:
        for field_errors in form.errors.values():
            for message in field_errors:
                messages.error(request, message)
    return redirect("registry:detail", org.pk)


@login_required
def community_options(request):
    """<option>s of the communities of a town (htmx, for the filing form)."""
    town_id = request.GET.get("town", "")
    allowed = areas_visible_to(request.user)
    communities = Area.objects.none()
    if town_id.isdigit() and allowed.filter(pk=int(town_id), level=AreaLevel.TOWN).exists():
        communities = communities_of([int(town_id)])
    return render(request, "registry/_community_options.html", {"communities": communities})
