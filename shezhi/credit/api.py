"""Public API of the credit lists: the current entries of both lists, as on /credit/lists/."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError

from shezhi.api.views import BAD_PARAMS, NO_PAGE, THROTTLED, PublicEndpoint
from shezhi.credit.models import ListEntry, ListKind
from shezhi.credit.selectors import entries_filtered, entries_public


class EntrySerializer(serializers.ModelSerializer):
    organization_id = serializers.IntegerField(read_only=True)
    organization = serializers.CharField(source="organization.name", read_only=True)
    credit_code = serializers.CharField(source="organization.credit_code", read_only=True)
    filing_number = serializers.CharField(source="organization.filing_number", read_only=True)
    town = serializers.CharField(source="organization.town.name", read_only=True)
    town_code = serializers.CharField(source="organization.town.code", read_only=True)
    ground_code = serializers.CharField(source="ground.code", read_only=True)
    ground = serializers.CharField(source="ground.name", read_only=True)
    legal_basis = serializers.CharField(source="ground.legal_basis", read_only=True)

    class Meta:
        model = ListEntry
        fields = [
            "id",
            "list_kind",
            "organization_id",
            "organization",
            "credit_code",
            "filing_number",
            "town",
            "town_code",
            "ground_code",
            "ground",
            "legal_basis",
            "included_on",
            "decision_number",
        ]


@extend_schema_view(
    get=extend_schema(
        tags=["public"],
        summary="Credit lists: current entries",
        description=(
            "Organizations currently on the abnormal-activity list (`abnormal`, 活动异常名录) or the serious-violation "
            "list (`serious`, 严重违法失信名单), with the ground and the decision (date and number)."
        ),
        parameters=[
            OpenApiParameter("list_kind", OpenApiTypes.STR, enum=ListKind.values, description="One list only."),
            OpenApiParameter("q", OpenApiTypes.STR, description="Part of the name, or the exact credit code or filing number."),
            OpenApiParameter("town", OpenApiTypes.STR, description="Area code of a town / street."),
        ],
        responses={200: EntrySerializer(many=True), 400: BAD_PARAMS, 404: NO_PAGE, 429: THROTTLED},
    )
)
class EntryList(PublicEndpoint, generics.ListAPIView):
    serializer_class = EntrySerializer
    queryset = ListEntry.objects.none()

    def get_queryset(self) -> QuerySet[ListEntry]:
        params = self.request.query_params
        kind = params.get("list_kind", "")
        if kind and kind not in ListKind.values:
            raise ValidationError({"list_kind": [_("Must be one of %(values)s.") % {"values": ", ".join(ListKind.values)}]})
        qs = entries_filtered(entries_public(), q=params.get("q", "")[:60], list_kind=kind)
        town = params.get("town", "").strip()
        if town:
            qs = qs.filter(organization__town__code=town)
        return qs
