"""GET /api/v1/targets/: the overall targets of a city or a town as of a day (public).

The figures are the dashboard's own (shezhi.targets.selectors.area_view), without the
monthly trend: a fixed number of queries whatever the size of the registry.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shezhi.api.serializers import ErrorSerializer
from shezhi.api.throttling import PublicAnonThrottle
from shezhi.areas.models import Area, AreaLevel
from shezhi.targets.models import Indicator
from shezhi.targets.selectors import area_view

DATE_FORMAT = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_AREA_LENGTH = 20


# --- shapes -------------------------------------------------------------------------------------


class TargetAreaSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.ChoiceField(choices=[AreaLevel.CITY, AreaLevel.TOWN], help_text=gettext_lazy("`city` or `town`."))


class TargetFigureSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=gettext_lazy("The target's code, e.g. T1."))
    name = serializers.CharField(help_text=gettext_lazy("What the target asks for."))
    indicator = serializers.ChoiceField(choices=Indicator.choices, help_text=gettext_lazy("The formula that measures it."))
    applies = serializers.BooleanField(
        help_text=gettext_lazy(
            "Whether the target is judged at this area's level; a target set for the whole city only shows a town's share."
        )
    )
    target = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        allow_null=True,
        help_text=gettext_lazy(
            "The milestone value that judges the day: the first milestone due on or after it, else the last one. "
            "Null when the target does not apply here."
        ),
    )
    due_on = serializers.DateField(allow_null=True, help_text=gettext_lazy("The milestone's date."))
    actual = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True, help_text=gettext_lazy("The value on the day; null when it cannot be computed.")
    )
    met = serializers.BooleanField(allow_null=True, help_text=gettext_lazy("Whether the actual value reaches the target."))
    gap = serializers.IntegerField(allow_null=True, help_text=gettext_lazy("How many more of the counted things the target needs."))
    unit = serializers.CharField(help_text=gettext_lazy("Unit of `target` and `actual`."))
    gap_unit = serializers.CharField(help_text=gettext_lazy("What `gap` counts."))


class TargetsSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    area = TargetAreaSerializer()
    targets = TargetFigureSerializer(many=True)


# --- parameters -----------------------------------------------------------------------------------


def _as_of(raw: str, errors: dict) -> dt.date | None:
    today = timezone.localdate()
    raw = raw.strip()
    if not raw:
        return today
    try:
        if not DATE_FORMAT.fullmatch(raw):
            raise ValueError(raw)
        day = dt.date.fromisoformat(raw)
    except ValueError:
        errors["as_of"] = [_("Write the date as YYYY-MM-DD, e.g. 2020-12-31.")]
        return None
    if day > today:
        errors["as_of"] = [_("The date cannot be later than today (%(today)s).") % {"today": today.isoformat()}]
        return None
    return day


def _area(raw: str, errors: dict) -> Area | None:
    raw = raw.strip()
    if not raw:
        # The deployment's city: the one city that is not demo data.
        cities = list(Area.objects.filter(level=AreaLevel.CITY, is_demo=False).order_by("code")[:2])
        if len(cities) == 1:
            return cities[0]
        errors["area"] = [_("Name the city or town: give `area` as its code or id (see /api/v1/areas/).")]
        return None
    # A code first (codes are digits too); an id only when no area has that code.
    query = Q(code=raw)
    if raw.isascii() and raw.isdigit() and len(raw) <= 18:
        query |= Q(pk=int(raw))
    found = sorted(Area.objects.filter(query)[:2], key=lambda a: a.code != raw) if len(raw) <= MAX_AREA_LENGTH else []
    if not found:
        errors["area"] = [_("No area has the code or id “%(value)s”.") % {"value": raw[:MAX_AREA_LENGTH]}]
        return None
    area = found[0]
    if area.level not in (AreaLevel.CITY, AreaLevel.TOWN):
        errors["area"] = [_("Targets are computed for a city or a town/street, not for “%(name)s”.") % {"name": area.name}]
        return None
    return area


def targets_params(request: Request) -> tuple[Area, dt.date]:
    """The area and the day asked for, or a 400 naming each bad parameter."""
    errors: dict[str, list[str]] = {}
    as_of = _as_of(request.query_params.get("as_of", ""), errors)
    area = _area(request.query_params.get("area", ""), errors)
    if errors:
        raise ValidationError(errors)
    return area, as_of


# --- the endpoint -----------------------------------------------------------------------------------


def _figure(row) -> dict:
    return {
        "code": row.code,
        "name": row.target.name,
        "indicator": row.target.indicator,
        "applies": row.applies,
        "target": row.goal,
        "due_on": row.milestone.due_on if row.goal is not None else None,
        "actual": row.actual,
        "met": row.met,
        "gap": row.gap,
        "unit": str(row.unit),
        "gap_unit": str(row.gap_unit),
    }


class TargetsView(APIView):
    """The overall targets of a city or a town/street as of a day."""

    permission_classes = [AllowAny]
    throttle_classes = [PublicAnonThrottle]
    authentication_classes: list = []
    renderer_classes = [JSONRenderer]

    @extend_schema(
        tags=["public"],
        summary="The overall targets as of a day",
        description=(
            "Each target of a city or a town/street with its value on the day, the milestone that judges it, whether it is met "
            "and the gap. The same figures as the targets dashboard; any past day may be asked for."
        ),
        parameters=[
            OpenApiParameter(
                "area",
                OpenApiTypes.STR,
                description=(
                    "Code (or id) of a city or a town/street; see /api/v1/areas/. Default: the deployment's city, when exactly one "
                    "city is not demo data."
                ),
            ),
            OpenApiParameter("as_of", OpenApiTypes.DATE, description="The day counted, YYYY-MM-DD, not later than today. Default: today."),
        ],
        responses={
            200: TargetsSerializer,
            400: OpenApiResponse(ErrorSerializer, description="A bad `as_of` or `area`; `errors` names it."),
            429: OpenApiResponse(ErrorSerializer, description="Too many requests from this address."),
        },
    )
    def get(self, request: Request) -> Response:
        area, as_of = targets_params(request)
        view = area_view(area, as_of, trend=False)
        body = {
            "as_of": as_of,
            "area": {"id": area.pk, "code": area.code, "name": area.name, "level": area.level},
            "targets": [_figure(row) for row in view.rows],
        }
        return Response(TargetsSerializer(body).data)
