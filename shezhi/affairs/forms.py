"""Input parsing for the filing pages. Forms only read and shape input; rules live in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shezhi.affairs import fieldspec
from shezhi.affairs.models import Filing, MaterialRequirement, ProcedureKind


class UploadForm(forms.Form):
    requirement = forms.ModelChoiceField(queryset=MaterialRequirement.objects.none(), required=False, label=_("Checklist item"))
    file = forms.FileField(label=_("File (PDF, PNG or JPEG)"))

    def __init__(self, *args, filing: Filing, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requirement"].queryset = filing.procedure.materials.all()
        self.fields["requirement"].empty_label = _("Other material")


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    in_person = forms.BooleanField(label=_("The applicant had to come in person (e.g. to show original papers)"), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    legal_ground = forms.CharField(label=_("Legal ground"), required=False, max_length=300)


class RefuseForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    legal_ground = forms.CharField(label=_("Legal ground"), max_length=300, help_text=_("Law or regulation and article."))


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CorrectionForm(NoteForm):
    items = forms.ModelMultipleChoiceField(
        queryset=MaterialRequirement.objects.none(), required=False, widget=forms.CheckboxSelectMultiple, label=_("Materials to supply")
    )
    field_order = ["items", "note", "in_person"]

    def __init__(self, *args, filing: Filing, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].queryset = filing.procedure.materials.all()
        self.fields["note"].label = _("What must be corrected")


def approve_form_class(filing: Filing) -> type[forms.Form]:
    """The decision form: the procedure's own decision fields (data) plus a note."""
    fields = {spec["name"]: fieldspec.form_field(spec) for spec in filing.procedure.decision_fields}
    return type("ApproveForm", (NoteForm,), fields)


def application_form_class(procedure, *, towns, communities) -> type[forms.Form]:
    return fieldspec.form_class(procedure.form_fields, towns=towns, communities=communities)


def initial_from_data(procedure, data: dict) -> dict:
    return {spec["name"]: fieldspec.from_json(spec, data.get(spec["name"])) for spec in procedure.form_fields}


class DecidedFilter(forms.Form):
    """Staff list: the filings decided in a period, by procedure kind and town, or only those
    decided late (the links of the targets dashboard's service figures)."""

    decided_from = forms.DateField(label=_("Decided from"), required=False)
    decided_to = forms.DateField(label=_("Decided to"), required=False)
    kind = forms.ChoiceField(label=_("Kind of procedure"), choices=[("", "")] + ProcedureKind.choices, required=False)
    town = forms.IntegerField(label=_("Town"), required=False, min_value=1, max_value=2**63 - 1)
    late = forms.BooleanField(label=_("Decided late"), required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("decided_from"), data.get("decided_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The first day of the period is after its last day."))
        return data

    @property
    def active(self) -> bool:
        return self.is_bound and self.is_valid() and any(self.cleaned_data.values())
