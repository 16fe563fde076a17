"""Input parsing for the complaint pages. The rules live in complaints.services; its
ValidationErrors are put back on the fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shezhi.areas.models import Area
from shezhi.complaints.models import ComplaintCategory, ComplaintOutcome


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


IDENTITY = [("anonymous", _("Anonymously")), ("named", _("With my name and phone"))]


class ComplaintForm(forms.Form):
    organization = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    organization_name = forms.CharField(
        label=_("Organization"),
        max_length=100,
        required=False,
        help_text=_("Type part of the name to find it in the registry; if it is not there, write the name you know."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    town = forms.ModelChoiceField(
        label=_("Town / street"),
        queryset=Area.objects.none(),
        required=False,
        help_text=_("Where the organization is active. Not needed when you chose an organization from the registry."),
    )
    category = forms.ModelChoiceField(label=_("What is it about?"), queryset=ComplaintCategory.objects.none(), empty_label="—")
    description = forms.CharField(
        label=_("What happened"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text=_("What, when and where. Do not write other people's personal data."),
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False, help_text=_("PDF, PNG or JPEG; up to 10 MB each."))
    identity = forms.ChoiceField(label=_("Send it"), choices=IDENTITY, widget=forms.RadioSelect, initial="anonymous")
    contact_name = forms.CharField(label=_("Your name"), max_length=40, required=False)
    contact_phone = forms.CharField(
        label=_("Your phone"),
        max_length=20,
        required=False,
        help_text=_("Only the staff handling the complaint can see it, and every look at it is recorded."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    def __init__(self, *args, towns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = towns
        self.fields["category"].queryset = ComplaintCategory.objects.filter(active=True)

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["anonymous"] = data.pop("identity") != "named"
        data.pop("attachments", None)
        return data


class TrackForm(forms.Form):
    number = forms.CharField(
        label=_("Tracking number"), max_length=40, widget=forms.TextInput(attrs={"placeholder": "TS2026-XXXX-XXXX", "autocomplete": "off"})
    )
    code = forms.CharField(
        label=_("Query code"),
        max_length=40,
        # A secret: typed like a password and never written back into the page.
        widget=forms.PasswordInput(render_value=False, attrs={"placeholder": "XXXX-XXXX", "autocomplete": "off"}),
    )


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)


class NotAcceptForm(forms.Form):
    note = forms.CharField(
        label=_("Reason for not accepting"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("The complainant reads this reason."),
    )


class AnswerForm(forms.Form):
    note = forms.CharField(
        label=_("Answer to the complainant"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text=_("The complainant reads this answer. Do not name staff or other people."),
    )


class CloseForm(forms.Form):
    outcome = forms.ModelChoiceField(label=_("Outcome"), queryset=ComplaintOutcome.objects.none(), empty_label="—")
    action_reference = forms.CharField(
        label=_("Action taken"),
        max_length=200,
        required=False,
        help_text=_("E.g. a penalty decision number or a rectification order; required for some outcomes."),
    )
    note = forms.CharField(label=_("Internal note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].queryset = ComplaintOutcome.objects.filter(active=True)


class ReassignForm(forms.Form):
    to = forms.ModelChoiceField(label=_("Pass to"), queryset=Area.objects.none(), empty_label="—")
    note = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = targets
        self.fields["to"].label_from_instance = _office_choice


def _office_choice(area) -> str:
    from shezhi.complaints.models import office_label

    return office_label(area)
