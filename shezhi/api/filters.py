"""Query parameters of the list endpoints, parsed strictly: a bad value is a 400 that names it.

The organization filters are the public portal's (registry.selectors.OrganizationFilters),
so the API and the HTML search give the same rows for the same parameters.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from shezhi.areas.models import Area, AreaKind, AreaLevel
from shezhi.registry.models import CommunityCategory, LegalForm, OrganizationStatus, Rating, RegistrationKind
from shezhi.registry.selectors import DEFAULT_SORT, SORTS, OrganizationFilters

MAX_QUERY_LENGTH = 100
MAX_ID = 2**63 - 1  # BigAutoField; a larger number would overflow the database parameter


def _choice(choices, help_text) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=choices, required=False, allow_blank=True, help_text=help_text)


def _flag(help_text) -> serializers.BooleanField:
    return serializers.BooleanField(required=False, default=False, help_text=help_text)


class OrganizationFilterSerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=MAX_QUERY_LENGTH,
        help_text=_("Text the name or business scope contains (Chinese substring match, 1 character or more)."),
    )
    registration = _choice(RegistrationKind.choices, _("Registered legal persons or organizations filed by a town."))
    legal_form = _choice(LegalForm.choices, _("Legal form of a registered organization."))
    town = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text=_("Id of a town or street (see /api/v1/areas/).")
    )
    community = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, help_text=_("Id of a community."))
    community_category = _choice(CommunityCategory.choices, _("Category of a community social organization."))
    rating = _choice(Rating.choices, _("Rating level."))
    status = _choice(OrganizationStatus.choices, _("Registry status."))
    hub = _flag(_("Only hub and support organizations."))
    social_work_agency = _flag(_("Only social work service agencies."))
    charity = _flag(_("Only charity organizations."))
    sort = serializers.ChoiceField(
        choices=list(SORTS), required=False, default=DEFAULT_SORT, help_text=_("Order: by name (pinyin) or by founding date; '-' reverses.")
    )

    @property
    def filters(self) -> OrganizationFilters:
        data = {k: v for k, v in self.validated_data.items() if v is not None}
        return OrganizationFilters(**data)


def organization_filters(request) -> OrganizationFilters:
    """The request's filters, or a 400 naming each bad parameter."""
    serializer = OrganizationFilterSerializer(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.filters


class AreaFilterSerializer(serializers.Serializer):
    parent = serializers.CharField(required=False, allow_blank=True, max_length=12, help_text=_("Code of the parent area."))
    level = _choice(AreaLevel.choices, _("Level: province, city, town or community."))
    kind = _choice(AreaKind.choices, _("Kind, e.g. street, town, development zone, urban or rural community."))

    def validate_parent(self, value: str) -> str:
        if value and not Area.objects.filter(code=value).exists():
            raise serializers.ValidationError(_("No area has the code %(code)s.") % {"code": value})
        return value


def area_filters(request) -> dict[str, str]:
    serializer = AreaFilterSerializer(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return {k: v for k, v in serializer.validated_data.items() if v}
