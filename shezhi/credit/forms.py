"""Forms of the credit pages. They parse input; the rules live in services.py."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shezhi.credit.models import ListKind, PenaltyKind, ProposalStatus
from shezhi.credit.selectors import grounds_for_entry

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OrganizationField(forms.CharField):
    """An organization typed as its credit code or filing number (or picked on its page)."""


class _OrganizationForm(forms.Form):
    organization = forms.CharField(
        label=_("Unified social credit code or filing number"), max_length=30, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.organizations = organizations
        self.organization_obj = None

    def clean_organization(self):
        value = (self.cleaned_data["organization"] or "").strip()
        org = self.organizations.filter(Q(credit_code=value.upper()) | Q(filing_number=value)).first() if value else None
        if org is None:
            raise ValidationError(_("No organization in your area has this code or filing number."))
        self.organization_obj = org
        return value


class ConfirmForm(forms.Form):
    decided_on = forms.DateField(label=_("Decision date"), widget=DATE)
    decision_number = forms.CharField(label=_("Decision number"), max_length=60, required=False)
    issue_document = forms.BooleanField(
        label=_("Issue the decision document here (its number becomes the decision number)"), required=False
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("decided_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class DismissForm(forms.Form):
    note = forms.CharField(label=_("Reason for dismissing"), widget=forms.Textarea(attrs={"rows": 2}))


class IncludeForm(_OrganizationForm):
    list_kind = forms.ChoiceField(label=_("List"), choices=ListKind.choices)
    ground = forms.ModelChoiceField(label=_("Ground"), queryset=grounds_for_entry())
    included_on = forms.DateField(label=_("Decision date"), widget=DATE)
    decision_number = forms.CharField(label=_("Decision number"), max_length=60, required=False)
    issue_document = forms.BooleanField(
        label=_("Issue the decision document here (its number becomes the decision number)"), required=False
    )
    reason = forms.CharField(label=_("Facts"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        cleaned = super().clean()
        ground, kind = cleaned.get("ground"), cleaned.get("list_kind")
        if ground is not None and kind and ground.list_kind != kind:
            self.add_error("ground", _("This ground belongs to the other list."))
        return cleaned


class RemoveForm(forms.Form):
    removed_on = forms.DateField(label=_("Removal date"), widget=DATE)
    decision_number = forms.CharField(label=_("Decision number"), max_length=60, required=False)
    reason = forms.CharField(label=_("Reason for removal"), widget=forms.Textarea(attrs={"rows": 2}))


class PenaltyForm(_OrganizationForm):
    kind = forms.ChoiceField(label=_("Kind of penalty"), choices=PenaltyKind.choices)
    fine_amount = forms.DecimalField(label=_("Fine (yuan)"), required=False, min_value=0, max_digits=12, decimal_places=2)
    confiscated = forms.CharField(label=_("Confiscated"), max_length=200, required=False)
    decided_on = forms.DateField(label=_("Decided on"), widget=DATE)
    decision_number = forms.CharField(label=_("Decision number"), max_length=60)
    legal_basis = forms.CharField(label=_("Legal basis"), max_length=300)
    authority = forms.CharField(label=_("Decided by (authority)"), max_length=100, required=False)
    facts = forms.CharField(label=_("Facts"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class WithdrawForm(forms.Form):
    withdrawn_on = forms.DateField(label=_("Withdrawn on"), widget=DATE)
    reason = forms.CharField(label=_("Reason (reconsideration, court judgment...)"), widget=forms.Textarea(attrs={"rows": 2}))


class QueueFilters(forms.Form):
    status = forms.ChoiceField(choices=[("", _("All")), *ProposalStatus.choices], required=False)
    list_kind = forms.ChoiceField(choices=[("", _("Both lists")), *ListKind.choices], required=False)
    town = forms.IntegerField(required=False, min_value=1)
    q = forms.CharField(required=False, max_length=60)

    def values(self) -> dict:
        self.is_valid()
        data = self.cleaned_data
        return {
            "status": data.get("status", "pending") if "status" in self.data else ProposalStatus.PENDING,
            "list_kind": data.get("list_kind") or "",
            "town": data.get("town"),
            "q": (data.get("q") or "").strip(),
        }
