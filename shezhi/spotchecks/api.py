"""Public API of spot checks (open data): published campaigns with their seed, frozen input
and results. Reads go through the same selectors as the public pages."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers

from shezhi.api.serializers import ErrorSerializer
from shezhi.api.views import PublicEndpoint
from shezhi.spotchecks import selectors
from shezhi.spotchecks.models import Campaign, Check

NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such published campaign.")


class CampaignSerializer(serializers.ModelSerializer):
    area = serializers.CharField(source="area.name")
    area_code = serializers.CharField(source="area.code")
    pool_size = serializers.IntegerField()

    class Meta:
        model = Campaign
        fields = [
            "id",
            "title",
            "area",
            "area_code",
            "year",
            "ratio_percent",
            "include_filed",
            "seed",
            "pool_size",
            "sample_size",
            "pool_hash",
            "algorithm",
            "published_at",
        ]


class CheckSerializer(serializers.ModelSerializer):
    organization = serializers.CharField(source="organization.name")
    inspectors = serializers.SerializerMethodField()
    aspects_with_problems = serializers.SerializerMethodField()

    class Meta:
        model = Check
        fields = [
            "position",
            "organization_id",
            "organization",
            "inspector_a_id",
            "inspector_b_id",
            "inspectors",
            "status",
            "checked_on",
            "result",
            "aspects_with_problems",
        ]

    def get_inspectors(self, check: Check) -> list[str]:
        return [str(check.inspector_a), str(check.inspector_b)]

    def get_aspects_with_problems(self, check: Check) -> list[str]:
        return [f.aspect for f in check.findings.all() if f.problem]


class CampaignDetailSerializer(CampaignSerializer):
    organizations = serializers.JSONField(source="pool_organizations")
    inspectors = serializers.JSONField(source="pool_inspectors")
    conflicts = serializers.JSONField(source="pool_conflicts")
    checks = serializers.SerializerMethodField()

    class Meta(CampaignSerializer.Meta):
        fields = [*CampaignSerializer.Meta.fields, "organizations", "inspectors", "conflicts", "checks"]

    def get_checks(self, campaign: Campaign) -> list[dict]:
        return CheckSerializer(selectors.public_checks(campaign), many=True).data


@extend_schema_view(
    get=extend_schema(
        tags=["public"],
        summary="Published spot-check campaigns",
        description="双随机一公开: the published campaigns, latest first, with seed, pool size and pool hash.",
        responses={200: CampaignSerializer(many=True)},
    )
)
class CampaignList(PublicEndpoint, generics.ListAPIView):
    serializer_class = CampaignSerializer
    queryset = Campaign.objects.none()

    def get_queryset(self):
        return selectors.published_campaigns()


@extend_schema_view(
    get=extend_schema(
        tags=["public"],
        summary="One published spot-check campaign",
        description=(
            "The frozen draw input (sorted organization and inspector ids, excluded pairs), the seed and the sample with "
            "results: enough to redraw it with the documented algorithm (shezhi/spotchecks/draw.py)."
        ),
        responses={200: CampaignDetailSerializer, 404: NOT_FOUND},
    )
)
class CampaignDetail(PublicEndpoint, generics.RetrieveAPIView):
    serializer_class = CampaignDetailSerializer
    queryset = Campaign.objects.none()

    def get_object(self):
        return selectors.public_campaign(self.kwargs["pk"])
