"""Input parsing for the registry's HTML forms. Forms only read and shape input; the rules
live in registry.services, whose ValidationErrors are put back on the form fields."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from shezhi.areas.models import Area, AreaLevel
from shezhi.forms import add_service_errors
from shezhi.registry.models import Organization, OrganizationStatus
from shezhi.registry.services import EDIT_FIELDS, FILING_FIELDS

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _model_fields(names: list[str]) -> dict[str, forms.Field]:
    fields = forms.fields_for_model(Organization, fields=names)
    for field in fields.values():
        if isinstance(field, forms.DateField):
            field.widget = DATE_WIDGET
        if isinstance(field, forms.ModelMultipleChoiceField):
            field.widget = forms.CheckboxSelectMultiple()
            field.required = False
    fields["name"].required = True
    return {n: fields[n] for n in names}


class _OrganizationForm(forms.Form):
    field_names: list[str] = []
    m2m_names = ("service_domains", "target_groups", "served_communities")

    def __init__(self, *args, communities: QuerySet[Area], hub_areas: QuerySet[Area], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(_model_fields(self.field_names))
        self.fields["community"].queryset = communities
        self.fields["hub_area"].queryset = hub_areas
        if "served_communities" in self.fields:
            self.fields["served_communities"].queryset = communities.model.objects.none()
            self.fields["served_communities"].widget = forms.SelectMultiple(attrs={"size": 8})

    def add_service_errors(self, error: ValidationError) -> None:
        add_service_errors(self, error)

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "reason"}


class FilingForm(_OrganizationForm):
    """A town officer files a community social organization (备案)."""

    field_names = FILING_FIELDS

    def __init__(self, *args, towns: QuerySet[Area], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"town": forms.ModelChoiceField(queryset=towns, label=_("Town / street"), empty_label=None), **self.fields}
        self.fields["community_category"].required = True
        self.fields["community"].required = True
        self.fields["community"].help_text = _("The community where the organization is active.")


class EditForm(_OrganizationForm):
    field_names = EDIT_FIELDS

    reason = forms.CharField(label=_("Reason for the change"), widget=forms.Textarea(attrs={"rows": 2}), max_length=500)

    def __init__(self, *args, registered: bool, served: QuerySet[Area], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["served_communities"].queryset = served
        if not registered:
            for name in ("legal_form", "credit_code", "direct_category", "supervising_unit", "registered_funds"):
                self.fields.pop(name)
        self.fields["reason"] = self.fields.pop("reason")


# The credit-list statuses follow the lists (shezhi.credit): an inclusion or removal there
# sets them, so a status typed here would be overwritten by the next decision.
MANUAL_STATUSES = [(value, label) for value, label in OrganizationStatus.choices if value not in ("abnormal", "serious_violation")]


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("New status"),
        choices=MANUAL_STATUSES,
        help_text=_("Entries on the abnormal-activity and serious-violation lists are decided on the credit pages."),
    )
    on = forms.DateField(label=_("Effective date"), widget=DATE_WIDGET)
    reason = forms.CharField(label=_("Reason and legal basis"), widget=forms.Textarea(attrs={"rows": 2}), max_length=500)


def communities_of(town_ids) -> QuerySet[Area]:
    return Area.objects.filter(level=AreaLevel.COMMUNITY, parent_id__in=town_ids).order_by("code")
