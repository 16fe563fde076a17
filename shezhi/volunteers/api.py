"""Public API of the volunteer numbers: counts by area as of a date (aggregates only, no
personal data)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from shezhi.api.errors import error_body
from shezhi.api.throttling import PublicAnonThrottle
from shezhi.areas.models import Area
from shezhi.volunteers.selectors import counts_total, targets_on, volunteer_counts


class CountsRowSerializer(serializers.Serializer):
    area_code = serializers.CharField(allow_null=True)
    area_name = serializers.CharField(allow_null=True)
    population = serializers.IntegerField(allow_null=True)
    registered = serializers.IntegerField()
    registered_percent = serializers.DecimalField(max_digits=9, decimal_places=3, allow_null=True)
    active = serializers.IntegerField()
    organizations = serializers.IntegerField()
    teams = serializers.IntegerField()
    organizations_percent = serializers.DecimalField(max_digits=9, decimal_places=3, allow_null=True)
    stations = serializers.IntegerField()
    hours_year = serializers.DecimalField(max_digits=14, decimal_places=2)
    hours_total = serializers.DecimalField(max_digits=14, decimal_places=2)


class CountsSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    area = CountsRowSerializer()
    children = CountsRowSerializer(many=True)
    targets = serializers.DictField()


def _row(r) -> dict:
    return {
        "area_code": r.area.code if r.area is not None else None,
        "area_name": r.area.name if r.area is not None else None,
        "population": r.population,
        "registered": r.registered,
        "registered_percent": r.registered_percent,
        "active": r.active,
        "organizations": r.organizations,
        "teams": r.teams,
        "organizations_percent": r.organizations_percent,
        "stations": r.stations,
        "hours_year": r.hours_year,
        "hours_total": r.hours_total,
    }


class CountsView(APIView):
    """Volunteer numbers of an area and of each area in it, as of a date."""

    permission_classes = [AllowAny]
    throttle_classes = [PublicAnonThrottle]
    renderer_classes = [JSONRenderer]
    authentication_classes: list = []

    @extend_schema(
        tags=["volunteers"],
        summary="Volunteer numbers by area as of a date",
        parameters=[
            OpenApiParameter("area", OpenApiTypes.STR, description="Area code (city, town or community); default: the installation's city"),
            OpenApiParameter("as_of", OpenApiTypes.DATE, description="Date counted (default: today)"),
        ],
        responses={200: CountsSerializer},
    )
    def get(self, request):
        from django.conf import settings

        code = (request.query_params.get("area") or settings.SHEZHI_CITY_CODE).strip()
        area = Area.objects.filter(code=code).first()
        if area is None:
            return Response(error_body(_("No area has this code."), {"area": [_("No area has this code.")]}), status=404)
        raw = (request.query_params.get("as_of") or "").strip()
        try:
            as_of = dt.date.fromisoformat(raw) if raw else timezone.localdate()
        except ValueError:
            message = _("Write the date as 2024-12-31.")
            return Response(error_body(message, {"as_of": [message]}), status=400)
        rows = volunteer_counts(area, as_of)
        targets = targets_on(as_of)
        body = {
            "as_of": as_of,
            "area": _row(counts_total(area, rows)),
            "children": [_row(r) for r in rows],
            "targets": {"volunteers_percent": str(targets.volunteers_percent), "organizations_percent": str(targets.organizations_percent)},
        }
        return Response(CountsSerializer(body).data)
