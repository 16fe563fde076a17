"""The targets dashboard: the city and town views, one target with the records behind it and
the communities below the line, and the bureau's editing of the targets."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shezhi.areas.models import Area, AreaLevel
from shezhi.forms import add_service_errors
from shezhi.paging import query_without
from shezhi.targets import charts, panels, selectors
from shezhi.targets import indicators as ind
from shezhi.targets.forms import AsOfForm, TargetForm
from shezhi.targets.models import Target
from shezhi.targets.services import target_save

PAGE_SIZE = 50


def _viewer(request):
    if not selectors.can_view_dashboard(request.user):
        raise Http404


def _day(request):
    form = AsOfForm(request.GET)
    return form, form.day()


@login_required
def dashboard(request):
    _viewer(request)
    area = selectors.default_area_for(request.user)
    if area is None:
        raise Http404
    url = reverse("targets:area", args=[area.pk])
    return redirect(f"{url}?{request.GET.urlencode()}" if request.GET else url)


@login_required
def area_dashboard(request, pk: int):
    """A city's or a town's targets as of a day."""
    _viewer(request)
    area = selectors.dashboard_area_for(request.user, pk)
    form, on = _day(request)
    view = selectors.area_view(area, on)
    city = area if area.level == AreaLevel.CITY else Area.objects.get(pk=area.city_id)
    wall = request.GET.get("wall") == "1"
    live = not request.GET.get("on")
    context = {
        "view": view,
        "area": area,
        "city": city,
        "on": on,
        "form": form,
        "wall": wall,
        # A wall screen showing today reloads itself, so the figures follow the registry and
        # the day rolls over at midnight; one pinned to a day stays as it is.
        "refresh_seconds": settings.TARGETS_WALL_REFRESH_SECONDS if wall and live else None,
        "wall_query": "" if on == timezone.localdate() else f"on={on.isoformat()}&",
        "now_time": timezone.localtime().strftime("%H:%M"),
        "chart_data": charts.area_charts(view),
        "community_codes": {r.target.code for r in view.rows if r.target.indicator in selectors.COMMUNITY_VIEW_INDICATORS},
        "can_edit": selectors.can_edit_targets(request.user, city),
        "on_query": f"on={on.isoformat()}",
        "panel": panels.second_panel(area, on),
    }
    context["filings_query"] = panels.filings_query(request.user, area, context["panel"])
    context["entries_query"] = panels.list_entries_query(request.user, area, context["panel"])
    template = "targets/city.html" if area.level == AreaLevel.CITY else "targets/town.html"
    return render(request, template, context, status=400 if form.errors else 200)


@login_required
def target_detail(request, pk: int, code: str):
    """One target in one area: its figure and trend, the communities below the line and the
    records the number counts."""
    _viewer(request)
    area = selectors.dashboard_area_for(request.user, pk)
    form, on = _day(request)
    view = selectors.area_view(area, on)
    row = next((r for r in view.rows if r.target.code == code), None)
    if row is None:
        raise Http404
    target = row.target
    below = selectors.below_the_line(view, target) if target.indicator in selectors.COMMUNITY_VIEW_INDICATORS else None
    records = selectors.records_behind(target, area, on)
    page = Paginator(records.items, PAGE_SIZE).get_page(request.GET.get("page")) if records.items is not None else None
    context = {
        "view": view,
        "area": area,
        "row": row,
        "target": target,
        "on": on,
        "form": form,
        "below": below,
        "records": records,
        "page": page,
        "querystring": query_without(request, "page"),
        "chart_data": charts.target_chart(row),
        "terms": ind.TERMS.get(target.indicator),
        "population": selectors.population_basis(area, on) if target.indicator in ind.PER_RESIDENT else None,
        "on_query": f"on={on.isoformat()}",
    }
    return render(request, "targets/target.html", context, status=400 if form.errors else 200)


# --- the bureau edits its city's targets --------------------------------------------------------


def _editor_city(request) -> Area:
    if not selectors.can_edit_targets(request.user):
        raise Http404
    return request.user.area


@login_required
def manage(request):
    city = _editor_city(request)
    targets, own = selectors.targets_to_edit(city)
    return render(request, "targets/manage.html", {"city": city, "targets": targets, "own": own})


@login_required
def edit(request, pk: int | None = None):
    city = _editor_city(request)
    target = selectors.target_to_edit(city, pk) if pk is not None else None
    form = TargetForm(request.POST or None, instance=target if target is not None else Target())
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in ("code", "name", "indicator", "scope", "position", "source", "active")}
        try:
            saved = target_save(
                city=city, by=request.user, data=data, milestones=form.milestones(), reason=form.cleaned_data["reason"], target=target
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Target %(code)s saved.") % {"code": saved.code})
            return redirect("targets:manage")
    status = 400 if request.method == "POST" else 200
    return render(request, "targets/edit.html", {"form": form, "target": target, "city": city}, status=status)
