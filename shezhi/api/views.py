"""REST API v1: the public registry and areas, and the staff registry scoped to the caller.

Thin views: reads go through registry.selectors (the same scope as the HTML pages), writes
through registry.services (the same rules and audit log). A record outside the caller's
scope is a 404, exactly like one that does not exist.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from shezhi.accounts.selectors import towns_for_filing
from shezhi.api.errors import error_body
from shezhi.api.filters import AreaFilterSerializer, OrganizationFilterSerializer, area_filters, organization_filters
from shezhi.api.pagination import Pagination, SearchPagination
from shezhi.api.permissions import may_reveal_phone
from shezhi.api.serializers import (
    AreaSerializer,
    ErrorSerializer,
    InputErrorSerializer,
    OrganizationFileSerializer,
    OrganizationUpdateSerializer,
    PublicOrganizationDetailSerializer,
    PublicOrganizationSerializer,
    StaffOrganizationDetailSerializer,
    StaffOrganizationSerializer,
)
from shezhi.api.throttling import PublicAnonThrottle
from shezhi.areas.models import Area
from shezhi.audit.models import AuditAction
from shezhi.audit.services import audit_record
from shezhi.portal.selectors import COUNT_CAP, TEXT_COUNT_CAP, Paging, search_page
from shezhi.registry import credit_code as cc
from shezhi.registry.models import Organization, ServiceDomain, TargetGroup
from shezhi.registry.selectors import (
    apply_filters,
    organization_detail_public,
    organization_for,
    organizations_visible_to,
)
from shezhi.registry.services import DuplicateOrganizationError, organization_file, organization_update

API_SOURCE = "api"
# Catalogue rows are few and shared by many organizations; prefetching them keeps a page
# of 20 (or 100) organizations at a fixed number of queries.
LIST_PREFETCH = (
    Prefetch("service_domains", queryset=ServiceDomain.objects.only("id", "code", "name")),
    Prefetch("target_groups", queryset=TargetGroup.objects.only("id", "code", "name")),
)
DETAIL_PREFETCH = ("service_domains", "target_groups", "served_communities", "tax_deductible_years")


def _error(description: str, serializer=ErrorSerializer) -> OpenApiResponse:
    return OpenApiResponse(serializer, description=description)


BAD_PARAMS = _error("A query parameter has a bad value; `errors` names it.")
THROTTLED = _error("Too many requests from this address; retry after the Retry-After header's seconds.")
UNAUTHENTICATED = _error("No valid session or token. Send `Authorization: Token <key>`.")
NOT_FOUND = _error("No such record, or not in the caller's scope.")
NO_PAGE = _error("The page is past the last one.")


# JSON only: /api/docs/ is the interactive surface. DRF's browsable API would render
# forms with every selectable area and catalogue entry, for every staff caller.
RENDERERS = [JSONRenderer]


class PublicEndpoint:
    renderer_classes = RENDERERS
    pagination_class = Pagination
    permission_classes = [AllowAny]
    throttle_classes = [PublicAnonThrottle]


class StaffEndpoint:
    # Token first so that an anonymous call gets a 401 with `WWW-Authenticate: Token`.
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    renderer_classes = RENDERERS
    pagination_class = Pagination
    permission_classes = [IsAuthenticated]


# --- public -----------------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        tags=["public"],
        summary="Search the registry",
        description=(
            "Every organization in the registry, public fields only, with the public portal's search and filters. "
            f"As on the portal, `count` is exact up to {TEXT_COUNT_CAP:,} matches of a text ({COUNT_CAP:,} without one); "
            "beyond that it is the cap, `count_capped` is true and pages reach as far as the cap. Narrow the search, or "
            "download the whole registry from /open-data/."
        ),
        parameters=[OrganizationFilterSerializer],
        responses={200: PublicOrganizationSerializer(many=True), 400: BAD_PARAMS, 404: NO_PAGE, 429: THROTTLED},
    )
)
class OrganizationList(PublicEndpoint, generics.ListAPIView):
    """The portal's search (shezhi.portal.selectors.search_page): the same rows in the same
    order, found by the same plans, so a one-character text costs what it costs the page."""

    serializer_class = PublicOrganizationSerializer
    queryset = Organization.objects.none()  # the model, for the schema; rows come from the search
    pagination_class = SearchPagination

    def list(self, request, *args, **kwargs):
        filters = organization_filters(request)
        number, size = self.paginator.page_params(request)
        page = search_page(filters, number, Paging(per_page=size, load=_public_list_columns), clamp=False)
        return self.paginator.search_response(page, self.get_serializer(page.rows, many=True).data)


def _public_list_columns(qs: QuerySet[Organization]) -> QuerySet[Organization]:
    return qs.select_related("town", "community").prefetch_related(*LIST_PREFETCH)


@extend_schema_view(
    get=extend_schema(
        tags=["public"],
        summary="One organization (public fields)",
        responses={200: PublicOrganizationDetailSerializer, 404: NOT_FOUND, 429: THROTTLED},
    )
)
class OrganizationDetail(PublicEndpoint, generics.RetrieveAPIView):
    serializer_class = PublicOrganizationDetailSerializer
    queryset = Organization.objects.none()

    def get_object(self) -> Organization:
        org = organization_detail_public(self.kwargs["pk"])
        prefetch_related_objects([org], "tax_deductible_years")
        return org


@extend_schema_view(
    get=extend_schema(
        tags=["areas"],
        summary="Administrative areas",
        description="City, towns/streets and communities with their codes and resident population.",
        parameters=[AreaFilterSerializer],
        responses={200: AreaSerializer(many=True), 400: BAD_PARAMS, 404: NO_PAGE, 429: THROTTLED},
    )
)
class AreaList(PublicEndpoint, generics.ListAPIView):
    serializer_class = AreaSerializer
    queryset = Area.objects.none()

    def get_queryset(self) -> QuerySet[Area]:
        filters = area_filters(self.request)
        qs = Area.objects.select_related("parent").order_by("code")
        if "parent" in filters:
            qs = qs.filter(parent__code=filters["parent"])
        if "level" in filters:
            qs = qs.filter(level=filters["level"])
        if "kind" in filters:
            qs = qs.filter(kind=filters["kind"])
        return qs


@extend_schema_view(
    get=extend_schema(tags=["areas"], summary="One area, by code", responses={200: AreaSerializer, 404: NOT_FOUND, 429: THROTTLED})
)
class AreaDetail(PublicEndpoint, generics.RetrieveAPIView):
    serializer_class = AreaSerializer
    queryset = Area.objects.select_related("parent")
    lookup_field = "code"


# --- staff ------------------------------------------------------------------------------


REVEAL = OpenApiParameter(
    "reveal",
    OpenApiTypes.STR,
    enum=["phone"],
    description=(
        "`phone` returns the full phone number. Only for the bureau and the town officer who keep the record; "
        "every reveal is written to the audit log."
    ),
)


@extend_schema_view(
    get=extend_schema(
        tags=["staff"],
        summary="The registry in the caller's scope",
        description=(
            "Organizations whose non-public data the caller may see: the bureau its city's, a town officer their town's, "
            "a community worker their community's, an organization account itself. Other roles get an empty list. "
            "Phones are masked; reveal one record at a time on its detail endpoint."
        ),
        parameters=[OrganizationFilterSerializer],
        responses={200: StaffOrganizationSerializer(many=True), 400: BAD_PARAMS, 401: UNAUTHENTICATED, 404: NO_PAGE},
    )
)
class StaffOrganizationList(StaffEndpoint, generics.ListAPIView):
    serializer_class = StaffOrganizationSerializer
    queryset = Organization.objects.none()

    def get_queryset(self) -> QuerySet[Organization]:
        if "reveal" in self.request.query_params:
            # Personal data is shown one record at a time, each view audited, never in bulk.
            raise ValidationError({"reveal": [_("Full personal data is shown only on a single organization's endpoint.")]})
        filters = organization_filters(self.request)
        return apply_filters(organizations_visible_to(self.request.user), filters).prefetch_related(*LIST_PREFETCH)


def _existing_url(request: Request, existing: Organization) -> str:
    if organizations_visible_to(request.user).filter(pk=existing.pk).exists():
        return request.build_absolute_uri(reverse("api:staff-organization-detail", args=[existing.pk]))
    return request.build_absolute_uri(reverse("api:organization-detail", args=[existing.pk]))


def _duplicate_response(request: Request, exc: DuplicateOrganizationError, *, credit_code: str) -> Response:
    existing = exc.existing
    field = "credit_code" if credit_code and existing.credit_code == cc.normalize(credit_code) else "name"
    message = exc.messages[0]
    body = error_body(
        message, {field: [message]}, existing={"id": existing.pk, "name": existing.name, "url": _existing_url(request, existing)}
    )
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


def _detail_response(view: generics.GenericAPIView, org: Organization, *, reveal_phone: bool = False, **kwargs) -> Response:
    prefetch_related_objects([org], *DETAIL_PREFETCH)
    context = {**view.get_serializer_context(), "reveal_phone": reveal_phone}
    return Response(StaffOrganizationDetailSerializer(org, context=context).data, **kwargs)


class ReasonRequiredSchema(AutoSchema):
    """A PATCH body is documented with every field optional; `reason` is not (see ReasonField)."""

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and isinstance(serializer, OrganizationUpdateSerializer):
            schema["required"] = sorted({*schema.get("required", []), "reason"})
        return schema


@extend_schema_view(
    get=extend_schema(
        tags=["staff"],
        summary="One organization with its non-public fields",
        parameters=[REVEAL],
        responses={
            200: StaffOrganizationDetailSerializer,
            400: BAD_PARAMS,
            401: UNAUTHENTICATED,
            403: _error("`reveal=phone` by someone who may see the record but not its personal data."),
            404: NOT_FOUND,
        },
    ),
    patch=extend_schema(
        tags=["staff"],
        summary="Change an organization",
        description=(
            "Send only the fields to change, plus `reason`. The bureau changes its city's records, a town officer the "
            "community organizations their town filed. The same rules as the registry's pages apply; every change is kept "
            "in the record's history."
        ),
        request=OrganizationUpdateSerializer,
        responses={
            200: StaffOrganizationDetailSerializer,
            400: _error(
                "Invalid input, or a rule of the registry refused the change; `errors` by field. A duplicate also carries `existing`.",
                InputErrorSerializer,
            ),
            401: UNAUTHENTICATED,
            404: NOT_FOUND,
        },
    ),
)
class StaffOrganizationDetail(StaffEndpoint, generics.GenericAPIView):
    serializer_class = StaffOrganizationDetailSerializer
    queryset = Organization.objects.none()
    schema = ReasonRequiredSchema()
    http_method_names = ["get", "patch", "head", "options"]

    def get(self, request: Request, pk: int) -> Response:
        reveal = request.query_params.get("reveal", "")
        if reveal not in ("", "phone"):
            raise ValidationError({"reveal": [_("The only value is `phone`.")]})
        org = organization_for(request.user, pk)
        if reveal == "phone":
            if not may_reveal_phone(request.user, org):
                raise PermissionDenied(_("Only the bureau and the town officer who keep this record may see its full phone number."))
            audit_record(
                action=AuditAction.PERSONAL_DATA_VIEWED, by=request.user, target=org, changes={"field": "phone"}, source=API_SOURCE
            )
        return _detail_response(self, org, reveal_phone=reveal == "phone")

    def patch(self, request: Request, pk: int) -> Response:
        org = organization_for(request.user, pk, editable=True)
        serializer = OrganizationUpdateSerializer(data=request.data, partial=True, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        reason = data.pop("reason")
        try:
            org = organization_update(organization=org, data=data, by=request.user, reason=reason, source=API_SOURCE)
        except DuplicateOrganizationError as exc:
            return _duplicate_response(request, exc, credit_code=data.get("credit_code", org.credit_code))
        return _detail_response(self, org)


@extend_schema_view(
    post=extend_schema(
        tags=["staff"],
        summary="File a community social organization",
        description=(
            "A town officer files (备案) a community social organization of their town and the system issues its filing "
            "number. The bureau may file in any town of its city and must name the town."
        ),
        request=OrganizationFileSerializer,
        responses={
            201: StaffOrganizationDetailSerializer,
            400: _error("Invalid input or refused by the registry's rules; a duplicate also carries `existing`.", InputErrorSerializer),
            401: UNAUTHENTICATED,
            403: _error("The caller does not file organizations (only town officers and the bureau do)."),
        },
    )
)
class StaffOrganizationFile(StaffEndpoint, generics.GenericAPIView):
    serializer_class = OrganizationFileSerializer
    queryset = Organization.objects.none()

    def post(self, request: Request) -> Response:
        towns = list(towns_for_filing(request.user).order_by("code")[:2])
        if not towns:
            raise PermissionDenied(_("Only town officers and the bureau file community organizations."))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        town = data.pop("town", None)
        if town is None:
            if len(towns) > 1:
                raise ValidationError({"town": [_("Say in which town the organization is filed.")]})
            town = towns[0]
        try:
            org = organization_file(town=town, data=data, by=request.user, source=API_SOURCE)
        except DuplicateOrganizationError as exc:
            return _duplicate_response(request, exc, credit_code="")
        location = request.build_absolute_uri(reverse("api:staff-organization-detail", args=[org.pk]))
        return _detail_response(self, org, status=status.HTTP_201_CREATED, headers={"Location": location})
