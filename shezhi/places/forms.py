"""Input parsing for the places and party pages; the rules live in places.services."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from shezhi.areas.models import Area
from shezhi.places.models import Place
from shezhi.registry.models import Organization, PartyOrganization

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlaceForm(forms.Form):
    kind = forms.TypedChoiceField(label=_("Kind"), choices=Place._meta.get_field("kind").choices)
    name = forms.CharField(label=_("Name"), max_length=100)
    address = forms.CharField(label=_("Street address"), max_length=200)
    town = forms.ModelChoiceField(label=_("Town / street"), queryset=Area.objects.none(), required=False)
    community = forms.ModelChoiceField(label=_("Community"), queryset=Area.objects.none(), required=False)
    operator_identifier = forms.CharField(
        label=_("Operator: credit code or filing number"),
        max_length=30,
        required=False,
        help_text=_("The operating organization's unified social credit code or filing number, if it is in the registry."),
    )
    operator_name = forms.CharField(label=_("Operator (if not in the registry)"), max_length=100, required=False)
    opened_on = forms.DateField(label=_("In service since"), widget=DATE_WIDGET)
    closed_on = forms.DateField(label=_("Closed down on"), widget=DATE_WIDGET, required=False, help_text=_("Only when it has closed."))
    standardized = forms.BooleanField(label=_("Standardized"), required=False)
    standardized_on = forms.DateField(label=_("Standardization assessed on"), widget=DATE_WIDGET, required=False)
    phone = forms.CharField(label=_("Office phone"), max_length=30, required=False, help_text=_("A public office number."))
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)

    def __init__(self, *args, towns: QuerySet[Area], communities: QuerySet[Area], organizations: QuerySet[Organization], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = towns
        self.fields["community"].queryset = communities
        self.organizations = organizations

    def clean_operator_identifier(self):
        value = "".join(self.cleaned_data["operator_identifier"].split()).upper()
        if not value:
            self.operator = None
            return ""
        self.operator = self.organizations.filter(credit_code=value).first() or self.organizations.filter(filing_number=value).first()
        if self.operator is None:
            raise forms.ValidationError(_("No organization of your area has this credit code or filing number."))
        return value

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "operator_identifier"}
        data["operator"] = getattr(self, "operator", None)
        return data


class PartyForm(forms.Form):
    status = forms.ChoiceField(label=_("Party organization"), choices=PartyOrganization.choices)
    since = forms.DateField(label=_("Since"), widget=DATE_WIDGET)
    details = forms.CharField(
        label=_("Details"),
        max_length=200,
        required=False,
        help_text=_("E.g. the branch's name, or the unit that assigned the party-building instructor."),
    )
    reason = forms.CharField(label=_("Reason or document"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)
