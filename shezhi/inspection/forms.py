from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shezhi.accounts.models import Role, User
from shezhi.inspection.rules import reporting_year


class NotReportedFilters(forms.Form):
    """The list's filters; a bad value falls back to the default with a message, never a 500."""

    year = forms.IntegerField(label=_("Year reported on"), required=False, min_value=2000, max_value=2100)
    as_of = forms.DateField(label=_("As of"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    town = forms.IntegerField(label=_("Town / street"), required=False, min_value=1)
    overdue = forms.BooleanField(label=_("Only past the deadline"), required=False)

    def values(self) -> tuple[int, dt.date, int | None, bool]:
        today = timezone.localdate()
        self.is_valid()  # invalid fields are left out of cleaned_data and fall back to defaults
        data = self.cleaned_data
        as_of = data.get("as_of") or today
        year = data.get("year") or reporting_year(as_of)
        return year, as_of, data.get("town"), bool(data.get("overdue"))

    def clean(self):
        cleaned = super().clean()
        year, as_of = cleaned.get("year"), cleaned.get("as_of")
        if year and as_of and year >= as_of.year:
            self.add_error("year", _("Reports for %(year)s are due from %(next)s on.") % {"year": year, "next": year + 1})
            cleaned.pop("year", None)
        return cleaned


def reviewer_choices():
    return User.objects.filter(role=Role.REVIEWER, is_active=True).order_by("display_name", "username")


class OpenAssessmentForm(forms.Form):
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=18)
    filing_number = forms.CharField(
        label=_("Online filing number"),
        max_length=40,
        required=False,
        help_text=_("Leave empty for an assessment outside the online procedure."),
    )
    under_investigation = forms.BooleanField(
        label=_("Under investigation by a government department or judicial authority"), required=False
    )
    reviewers = forms.ModelMultipleChoiceField(
        label=_("Reviewers"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.organizations = organizations
        self.fields["reviewers"].queryset = reviewer_choices()

    def clean_credit_code(self):
        code = "".join(self.cleaned_data["credit_code"].split()).upper()
        org = self.organizations.filter(credit_code=code).first()
        if org is None:
            raise ValidationError(_("No registered organization in your area has this code."))
        self.organization = org
        return code


class ReviewersForm(forms.Form):
    reviewers = forms.ModelMultipleChoiceField(
        label=_("Reviewers"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewers"].queryset = reviewer_choices()


class ScoresForm(forms.Form):
    """One field per sub-indicator, named by its code, within its maximum points."""

    no_conflict = forms.BooleanField(
        label=_("I have no conflict of interest with this organization (no post in it now or in the last two years, no other tie)."),
        required=True,
        error_messages={"required": _("Declare that you have no conflict of interest, or withdraw from this assessment.")},
    )

    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        for indicator in indicators:
            self.fields[f"i_{indicator.code}"] = forms.DecimalField(
                label=f"{indicator.code} {indicator.name}",
                min_value=0,
                max_value=indicator.max_points,
                decimal_places=2,
                max_digits=6,
                help_text=_("0 to %(max)s points") % {"max": indicator.max_points},
                widget=forms.NumberInput(attrs={"step": "0.5", "min": 0, "max": indicator.max_points}),
            )

    def points(self) -> dict[str, object]:
        return {i.code: self.cleaned_data[f"i_{i.code}"] for i in self.indicators}

    def indicator_fields(self):
        return [(i, self[f"i_{i.code}"]) for i in self.indicators]

    def add_service_errors(self, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for key, messages in exc.message_dict.items():
                field = f"i_{key}" if f"i_{key}" in self.fields else ("no_conflict" if key == "no_conflict" else None)
                for message in messages:
                    self.add_error(field, message)
        else:
            for message in exc.messages:
                self.add_error(None, message)


class DecideForm(forms.Form):
    score = forms.DecimalField(
        label=_("Score"),
        required=False,
        min_value=0,
        max_value=1000,
        decimal_places=2,
        max_digits=6,
        help_text=_("Leave empty to take the mean of the reviewers' totals."),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CancelForm(forms.Form):
    note = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
