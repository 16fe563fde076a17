"""Pages of party building and places: the public list by town, the staff's places and the
party organization record of an organization."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from shezhi.accounts.models import Role
from shezhi.accounts.selectors import areas_visible_to
from shezhi.areas.models import AreaLevel
from shezhi.forms import add_service_errors
from shezhi.paging import query_without
from shezhi.places import selectors, services
from shezhi.places.forms import PartyForm, PlaceForm
from shezhi.places.models import Place, PlaceKind
from shezhi.registry.models import PartyOrganization
from shezhi.registry.selectors import organization_for, organizations_visible_to

PAGE_SIZE = 50


def _id_param(request, name: str) -> int | None:
    value = (request.GET.get(name) or "").strip()
    return int(value) if value.isdigit() else None


# --- public -----------------------------------------------------------------------------


@require_GET
def public_list(request):
    """Party-mass service centres and charity bases open today, by town, with counts."""
    city = selectors.public_city()
    today = timezone.localdate()
    kind = request.GET.get("kind", "")
    kind = kind if kind in PlaceKind.values else ""
    town_id = _id_param(request, "town")
    counts = selectors.counts_by_town(city, today) if city else []
    town = next((c.town for c in counts if c.town is not None and c.town.pk == town_id), None)
    qs = Place.objects.none()
    if city is not None:
        qs = selectors.places_open_on(town or city, today, kind=kind or None).order_by("kind", "town__code", "name", "id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "city": city,
        "counts": counts,
        "totals": {
            "centres": sum(c.centres for c in counts),
            "standardized": sum(c.standardized for c in counts),
            "charity_bases": sum(c.charity_bases for c in counts),
        },
        "town": town,
        "kind": kind,
        "kinds": PlaceKind.choices,
        "page": page,
        "today": today,
        "querystring": query_without(request, "page"),
        "bad_town": town_id is not None and town is None,
    }
    return render(request, "places/public.html", context)


# --- staff ------------------------------------------------------------------------------


def _require_staff(user) -> None:
    if not selectors.can_manage_places(user):
        raise Http404


@login_required
def staff_list(request):
    _require_staff(request.user)
    today = timezone.localdate()
    qs = selectors.places_visible_to(request.user).select_related("town", "community", "operator")
    kind = request.GET.get("kind", "")
    if kind in PlaceKind.values:
        qs = qs.filter(kind=kind)
    towns = list(areas_visible_to(request.user).filter(level=AreaLevel.TOWN).order_by("code"))
    town_id = _id_param(request, "town")
    if town_id and any(t.pk == town_id for t in towns):
        qs = qs.filter(town_id=town_id)
    state = request.GET.get("state", "")
    if state == "open":
        qs = qs.filter(selectors.open_on_q(today))
    elif state == "closed":
        qs = qs.filter(closed_on__lte=today)
    page = Paginator(qs.order_by("kind", "town__code", "name", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    for p in page.object_list:
        p.open_today = p.is_open_on(today)
    context = {
        "page": page,
        "kinds": PlaceKind.choices,
        "kind": kind,
        "towns": towns if request.user.role == Role.BUREAU else [],
        "town_id": town_id,
        "state": state,
        "querystring": query_without(request, "page"),
    }
    return render(request, "places/staff_list.html", context)


def _form_kwargs(user) -> dict:
    visible = areas_visible_to(user)
    towns = visible.filter(level=AreaLevel.TOWN).order_by("code")
    return {
        "towns": towns,
        "communities": visible.filter(level=AreaLevel.COMMUNITY).order_by("code"),
        "organizations": organizations_visible_to(user),
    }


def _save(request, place: Place | None):
    kwargs = _form_kwargs(request.user)
    status = 200
    if request.method == "POST":
        form = PlaceForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                saved = services.place_save(place=place, data=form.service_data(), by=request.user)
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("%(name)s is saved.") % {"name": saved.name})
                return redirect("places:staff_list")
        status = 400
    else:
        if place is None:
            initial = {"opened_on": timezone.localdate()}
            if request.user.role == Role.TOWN:
                initial["town"] = request.user.area_id
        else:
            initial = {f: getattr(place, f) for f in services.PLACE_FIELDS if f not in ("town", "community", "operator")}
            initial.update(town=place.town_id, community=place.community_id)
            if place.operator_id:
                initial["operator_identifier"] = place.operator.identifier
        form = PlaceForm(initial=initial, **kwargs)
    return render(request, "places/form.html", {"form": form, "place": place}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def place_new(request):
    _require_staff(request.user)
    return _save(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def place_edit(request, pk: int):
    place = selectors.place_for(request.user, pk)
    if not services.may_edit_place(request.user, place):
        raise Http404
    return _save(request, place)


# --- party organization -----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def party_record(request, pk: int):
    """Record a change of an organization's party organization; its history below."""
    org = organization_for(request.user, pk)
    if not services.may_record_party(request.user, org):
        raise Http404
    status = 200
    if request.method == "POST":
        form = PartyForm(request.POST)
        if form.is_valid():
            try:
                services.party_status_change(organization=org, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The party organization is recorded and the registry updated."))
                return redirect("registry:detail", org.pk)
        status = 400
    else:
        form = PartyForm(initial={"status": org.party_organization, "since": timezone.localdate()})
    context = {
        "org": org,
        "form": form,
        "history": selectors.party_history(org),
        "current": dict(PartyOrganization.choices).get(org.party_organization, ""),
    }
    return render(request, "places/party.html", context, status=status)
