"""Public API of charity disclosures: recognized charities and their published items, as on
/charity/ and the organizations' public pages. Read-only; drafts never appear."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError

from shezhi.api.views import BAD_PARAMS, NO_PAGE, THROTTLED, PublicEndpoint
from shezhi.charity.models import Disclosure, DisclosureKind
from shezhi.charity.selectors import charities_public, published_disclosures
from shezhi.registry.models import Organization


class CharitySerializer(serializers.ModelSerializer):
    town = serializers.CharField(source="town.name", read_only=True)
    town_code = serializers.CharField(source="town.code", read_only=True)

    class Meta:
        model = Organization
        fields = ["id", "name", "credit_code", "legal_form", "town", "town_code", "charity_recognized_on", "public_fundraising"]


class DisclosureSerializer(serializers.ModelSerializer):
    organization = serializers.CharField(source="organization.name", read_only=True)
    credit_code = serializers.CharField(source="organization.credit_code", read_only=True)
    campaign = serializers.CharField(source="campaign.name", read_only=True, allow_null=True, default=None)
    campaign_record_number = serializers.CharField(source="campaign.record_number", read_only=True, allow_null=True, default=None)
    late = serializers.BooleanField(read_only=True, help_text="Published after its due date.")
    has_attachment = serializers.SerializerMethodField()

    class Meta:
        model = Disclosure
        fields = [
            "id", "organization_id", "organization", "credit_code", "kind", "year", "campaign", "campaign_record_number",
            "period_number", "transaction_kind", "transaction_date", "due_on", "title", "body", "published_at", "late",
            "corrects_id", "has_attachment",
        ]  # fmt: skip

    def get_has_attachment(self, d: Disclosure) -> bool:
        return bool(d.attachment_name)


@extend_schema_view(
    get=extend_schema(
        tags=["public"],
        summary="Charity organizations",
        description="Organizations recognized as charities (慈善组织), with their public fundraising qualification.",
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="Part of the name, or the exact credit code."),
            OpenApiParameter("fundraising", OpenApiTypes.BOOL, description="Only those with the public fundraising qualification."),
        ],
        responses={200: CharitySerializer(many=True), 400: BAD_PARAMS, 404: NO_PAGE, 429: THROTTLED},
    )
)
class CharityList(PublicEndpoint, generics.ListAPIView):
    serializer_class = CharitySerializer
    queryset = Organization.objects.none()

    def get_queryset(self) -> QuerySet[Organization]:
        params = self.request.query_params
        return charities_public(q=params.get("q", "")[:60].strip(), fundraising=params.get("fundraising", "") in ("1", "true"))


@extend_schema_view(
    get=extend_schema(
        tags=["public"],
        summary="Published charity disclosures",
        description=(
            "Items charities have published (慈善组织信息公开), newest first. A correction is an item of its own whose "
            "`corrects_id` points at the item it corrects; a published item never changes."
        ),
        parameters=[
            OpenApiParameter("organization", OpenApiTypes.INT, description="One organization's items (its id)."),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=DisclosureKind.values, description="One kind of item."),
        ],
        responses={200: DisclosureSerializer(many=True), 400: BAD_PARAMS, 404: NO_PAGE, 429: THROTTLED},
    )
)
class DisclosureList(PublicEndpoint, generics.ListAPIView):
    serializer_class = DisclosureSerializer
    queryset = Disclosure.objects.none()

    def get_queryset(self) -> QuerySet[Disclosure]:
        params = self.request.query_params
        qs = published_disclosures().order_by("-published_at", "-id")
        kind = params.get("kind", "")
        if kind:
            if kind not in DisclosureKind.values:
                raise ValidationError({"kind": [_("Must be one of %(values)s.") % {"values": ", ".join(DisclosureKind.values)}]})
            qs = qs.filter(kind=kind)
        org = params.get("organization", "").strip()
        if org:
            if not org.isdigit():
                raise ValidationError({"organization": [_("Must be a whole number.")]})
            qs = qs.filter(organization_id=int(org))
        return qs
