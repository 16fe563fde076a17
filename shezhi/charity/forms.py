"""Input parsing for the charity pages. Forms only read and shape input; rules live in services."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shezhi.charity.models import CampaignKind, DisclosureKind, FundraisingCampaign, TransactionKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=CampaignKind.choices, initial=CampaignKind.PUBLIC)
    record_number = forms.CharField(
        label=_("Record number"), max_length=60, required=False, help_text=_("备案编号 of the public fundraising plan.")
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE)
    purpose = forms.CharField(label=_("Purpose"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class DisclosureForm(forms.Form):
    """One form for every kind; the fields a kind does not use are ignored."""

    title = forms.CharField(label=_("Title"), max_length=200)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2100)
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=FundraisingCampaign.objects.none(), required=False)
    period_number = forms.IntegerField(label=_("Report number"), required=False, min_value=1, max_value=200)
    transaction_kind = forms.ChoiceField(label=_("Transaction"), choices=[("", "—"), *TransactionKind.choices], required=False)
    transaction_date = forms.DateField(label=_("Transaction date"), required=False, widget=DATE)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 12}))
    attachment = forms.FileField(label=_("Attachment (PDF, PNG or JPEG, optional)"), required=False)
    remove_attachment = forms.BooleanField(label=_("Remove the attachment"), required=False)

    FIELDS_BY_KIND = {
        DisclosureKind.ANNUAL_WORK_REPORT: ["year"],
        DisclosureKind.FINANCIAL_STATEMENTS: ["year"],
        DisclosureKind.CAMPAIGN_QUARTERLY: ["campaign", "period_number"],
        DisclosureKind.CAMPAIGN_FINAL: ["campaign"],
        DisclosureKind.MAJOR_TRANSACTION: ["transaction_kind", "transaction_date"],
    }
    OPTIONAL = {"year", "campaign", "period_number", "transaction_kind", "transaction_date"}

    def __init__(self, *args, kind: str, campaigns=None, has_attachment: bool = False, correction: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        wanted = set() if correction else set(self.FIELDS_BY_KIND.get(kind, []))
        for name in self.OPTIONAL - wanted:
            del self.fields[name]
        for name in wanted:
            self.fields[name].required = True
        if "campaign" in self.fields:
            self.fields["campaign"].queryset = campaigns if campaigns is not None else FundraisingCampaign.objects.none()
        if not has_attachment:
            del self.fields["remove_attachment"]

    def data_for_service(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("attachment", "remove_attachment")}


class SpecialReportForm(forms.Form):
    year = forms.IntegerField(label=_("Year audited"), min_value=2000, max_value=2100)
    auditor = forms.CharField(label=_("Audit firm"), max_length=100)
    report_number = forms.CharField(label=_("Report number"), max_length=60, required=False)
    report_date = forms.DateField(label=_("Report date"), widget=DATE)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class TaxLookupForm(forms.Form):
    """The bureau picks an organization (by credit code) and the first year of status."""

    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=18)
    year = forms.IntegerField(label=_("First year of status"), min_value=2000, max_value=2100)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.organizations = organizations
        self.organization = None
        if not self.is_bound:
            self.fields["year"].initial = timezone.localdate().year

    def clean_credit_code(self) -> str:
        code = self.cleaned_data["credit_code"].strip().upper()
        self.organization = self.organizations.filter(credit_code=code).first()
        if self.organization is None:
            raise ValidationError(_("No registered organization of your city has this credit code."))
        return code


class TaxDecisionForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    on = forms.DateField(label=_("Check the rules as of"), required=False, widget=DATE)

    def clean_on(self) -> dt.date | None:
        value = self.cleaned_data.get("on")
        if value and value > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        return value
