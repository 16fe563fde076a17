"""Shapes of the API's resources.

Public serializers list their fields one by one: a field added to Organization stays out
of the public API until someone decides it is public. Input serializers only parse and
shape input; the rules are in registry.services, whose ValidationErrors become 400s.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.fields import empty

from shezhi.accounts.selectors import areas_visible_to, towns_for_filing
from shezhi.areas.models import Area, AreaLevel
from shezhi.privacy import mask_phone
from shezhi.registry.models import Organization, ServiceDomain, TargetGroup
from shezhi.registry.services import EDIT_FIELDS, FILING_FIELDS

# --- output -----------------------------------------------------------------------------


class AreaRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Area
        fields = ["id", "code", "name"]


class CatalogueItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class AreaSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text=_("Code of the parent area."))

    class Meta:
        model = Area
        fields = ["id", "code", "name", "level", "kind", "parent", "population", "population_date", "is_demo"]


# Fields anyone may see, in lists and on the detail. The phone, the account that created
# the record, party organization and the decoupling checklist are staff-only.
PUBLIC_LIST_FIELDS = [
    "id",
    "url",
    "name",
    "registration",
    "legal_form",
    "credit_code",
    "filing_number",
    "is_community_org",
    "community_category",
    "direct_category",
    "town",
    "community",
    "founded_on",
    "rating",
    "rating_valid_until",
    "status",
    "hub_kind",
    "is_social_work_agency",
    "is_volunteer_org",
    "is_charity",
    "service_domains",
    "target_groups",
    "is_demo",
]
PUBLIC_DETAIL_FIELDS = PUBLIC_LIST_FIELDS + [
    "city",
    "legal_representative",
    "address",
    "supervising_unit",
    "business_scope",
    "registered_funds",
    "hub_area",
    "served_communities",
    "charity_recognized_on",
    "public_fundraising",
    "tax_deductible_years",
    "rated_on",
    "status_changed_on",
]
STAFF_EXTRA_FIELDS = ["phone", "phone_revealed", "party_organization", "created_at", "updated_at"]
STAFF_LIST_FIELDS = PUBLIC_LIST_FIELDS + ["legal_representative", "address"] + STAFF_EXTRA_FIELDS
STAFF_DETAIL_FIELDS = (
    PUBLIC_DETAIL_FIELDS
    + STAFF_EXTRA_FIELDS
    + [
        "decoupled_institution_on",
        "decoupled_functions_on",
        "decoupled_finances_on",
        "decoupled_personnel_on",
        "decoupled_party_affairs_on",
        "decoupling_done",
    ]
)


class _OrganizationBase(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:organization-detail")
    city = AreaRefSerializer(read_only=True)
    town = AreaRefSerializer(read_only=True)
    community = AreaRefSerializer(read_only=True, allow_null=True)
    hub_area = AreaRefSerializer(read_only=True, allow_null=True)
    served_communities = AreaRefSerializer(read_only=True, many=True)
    service_domains = CatalogueItemSerializer(read_only=True, many=True)
    target_groups = CatalogueItemSerializer(read_only=True, many=True)
    tax_deductible_years = serializers.SerializerMethodField(help_text=_("Years with tax-deductible donation status."))

    class Meta:
        model = Organization
        fields: list[str] = []

    def get_tax_deductible_years(self, org: Organization) -> list[int]:
        return [row.year for row in org.tax_deductible_years.all()]


class PublicOrganizationSerializer(_OrganizationBase):
    class Meta(_OrganizationBase.Meta):
        fields = PUBLIC_LIST_FIELDS


class PublicOrganizationDetailSerializer(_OrganizationBase):
    class Meta(_OrganizationBase.Meta):
        fields = PUBLIC_DETAIL_FIELDS

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["legal_representative"] = instance.public_person_in_charge
        return data


class _StaffOrganizationBase(_OrganizationBase):
    """Adds the non-public fields. The phone is masked unless the view was asked, and allowed, to reveal it."""

    url = serializers.HyperlinkedIdentityField(view_name="api:staff-organization-detail")
    phone = serializers.SerializerMethodField(help_text=_("Masked (138****8000) unless revealed with ?reveal=phone."))
    phone_revealed = serializers.SerializerMethodField(help_text=_("Whether `phone` is the full number."))
    decoupling_done = serializers.BooleanField(read_only=True, help_text=_("All five separations of a trade association are done."))

    def _revealed(self) -> bool:
        return bool(self.context.get("reveal_phone"))

    def get_phone(self, org: Organization) -> str:
        return org.phone if self._revealed() else mask_phone(org.phone)

    def get_phone_revealed(self, org: Organization) -> bool:
        return self._revealed() and bool(org.phone)


class StaffOrganizationSerializer(_StaffOrganizationBase):
    class Meta(_OrganizationBase.Meta):
        fields = STAFF_LIST_FIELDS


class StaffOrganizationDetailSerializer(_StaffOrganizationBase):
    class Meta(_OrganizationBase.Meta):
        fields = STAFF_DETAIL_FIELDS


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text=_("What went wrong, in one sentence."))
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), help_text=_("Messages by field name; empty when no field is at fault.")
    )


class ExistingOrganizationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    url = serializers.URLField(help_text=_("The staff record when the caller may see it, otherwise the public record."))


class InputErrorSerializer(ErrorSerializer):
    existing = ExistingOrganizationSerializer(
        required=False, help_text=_("Only for a duplicate: the organization already in the registry.")
    )


# --- input ------------------------------------------------------------------------------


class ReasonField(serializers.CharField):
    """Required even in a partial update: every change of the registry says why."""

    def validate_empty_values(self, data):
        if data is empty:
            self.fail("required")
        return super().validate_empty_values(data)


_AREA_HELP = _("Area id (see /api/v1/areas/).")


def _acting_user(serializer: serializers.Serializer):
    # The schema generator builds serializers without a request: it then sees no areas.
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class _OrganizationInput(serializers.ModelSerializer):
    """Areas are limited to the acting user's own; catalogue entries are given by code."""

    community = serializers.PrimaryKeyRelatedField(queryset=Area.objects.none(), required=False, allow_null=True, help_text=_AREA_HELP)
    hub_area = serializers.PrimaryKeyRelatedField(queryset=Area.objects.none(), required=False, allow_null=True, help_text=_AREA_HELP)
    service_domains = serializers.SlugRelatedField(
        slug_field="code", many=True, required=False, queryset=ServiceDomain.objects.all(), help_text=_("Service domain codes.")
    )
    target_groups = serializers.SlugRelatedField(
        slug_field="code", many=True, required=False, queryset=TargetGroup.objects.all(), help_text=_("Target group codes.")
    )

    class Meta:
        model = Organization
        fields: list[str] = []
        # Uniqueness is the service's rule (DuplicateOrganizationError points at the
        # existing record); DRF's generic unique validators would pre-empt it.
        validators: list = []
        extra_kwargs = {"credit_code": {"validators": []}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _acting_user(self)
        visible = areas_visible_to(user)
        self.fields["community"].queryset = visible.filter(level=AreaLevel.COMMUNITY)
        self.fields["hub_area"].queryset = visible.filter(level__in=[AreaLevel.TOWN, AreaLevel.COMMUNITY])
        if "served_communities" in self.fields:
            self.fields["served_communities"].child_relation.queryset = visible.filter(level=AreaLevel.COMMUNITY)

    def to_internal_value(self, data):
        # A field the API does not accept is refused rather than silently dropped, so a
        # client that tries to change, say, `status` here learns that it did not happen.
        if hasattr(data, "keys"):
            unknown = sorted(set(data.keys()) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [_("This field cannot be set here.")] for name in unknown})
        return super().to_internal_value(data)


class OrganizationUpdateSerializer(_OrganizationInput):
    """The fields to change (only those sent are changed) and the reason for the change."""

    served_communities = serializers.PrimaryKeyRelatedField(
        queryset=Area.objects.none(), many=True, required=False, help_text=_("Ids of the communities a social work agency serves.")
    )
    reason = ReasonField(
        max_length=500,
        help_text=_("Why the record is changed; kept in its history."),
        error_messages={"required": _("Say why the record is being changed."), "blank": _("Say why the record is being changed.")},
    )

    class Meta(_OrganizationInput.Meta):
        fields = EDIT_FIELDS + ["reason"]


class OrganizationFileSerializer(_OrganizationInput):
    """A community social organization to file; the filing number is issued by the system."""

    town = serializers.PrimaryKeyRelatedField(
        queryset=Area.objects.none(),
        required=False,
        help_text=_("Town id. A town officer files in their own town and may leave it out; the bureau names a town of its city."),
        error_messages={"does_not_exist": _("You cannot file organizations in this town."), "incorrect_type": _("Give the town's id.")},
    )

    class Meta(_OrganizationInput.Meta):
        fields = ["town"] + FILING_FIELDS
        extra_kwargs = {
            **_OrganizationInput.Meta.extra_kwargs,
            "name": {"required": True},
            "community_category": {"required": True, "allow_blank": False},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = towns_for_filing(_acting_user(self))
        self.fields["community"].required = True
        self.fields["community"].allow_null = False
