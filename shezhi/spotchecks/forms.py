"""Forms of the spot-check pages: they parse input; the rules live in services."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shezhi.accounts.models import STAFF_ROLES, User
from shezhi.accounts.selectors import areas_visible_to
from shezhi.registry.models import Organization
from shezhi.spotchecks.models import Aspect, CheckResult, ConflictDeclaredBy
from shezhi.spotchecks.services import SEED_MAX, FindingInput, OrderInput

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    ratio_percent = forms.DecimalField(
        label=_("Sample (percent of the pool)"), max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False
    )
    seed = forms.CharField(
        label=_("Seed"),
        max_length=SEED_MAX,
        required=False,
        help_text=_("Any text fixed in advance (e.g. a lottery number of a given day); left empty, the system generates one at the draw."),
    )
    include_filed = forms.BooleanField(label=_("Include filed community organizations in the pool"), required=False)

    def __init__(self, *args, min_ratio=None, **kwargs):
        super().__init__(*args, **kwargs)
        if min_ratio is not None:
            self.fields["ratio_percent"].help_text = _("At least %(min)s%%; empty means the minimum.") % {"min": min_ratio}
            self.fields["ratio_percent"].widget.attrs["min"] = str(min_ratio)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class InspectorForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("Staff account"), queryset=User.objects.none(), required=False, help_text=_("Leave empty for an external expert.")
    )
    name = forms.CharField(label=_("Name"), max_length=60, required=False, help_text=_("Taken from the account when empty."))
    unit = forms.CharField(label=_("Unit"), max_length=100, required=False)
    active = forms.BooleanField(label=_("In the pool"), required=False, initial=True)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, bureau, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(
            role__in=list(STAFF_ROLES), is_active=True, area__in=areas_visible_to(bureau)
        ).order_by("display_name", "username")

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("user") and not (cleaned.get("name") or "").strip():
            self.add_error("name", _("Give the name of an external expert, or choose a staff account."))
        return cleaned


def find_organization(organizations, identifier: str) -> Organization | None:
    code = "".join((identifier or "").split()).upper()
    if not code:
        return None
    return organizations.filter(credit_code=code).first() or organizations.filter(filing_number__iexact=code).first()


class OrganizationField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Credit code or filing number"))
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)


class ConflictForm(forms.Form):
    organization = OrganizationField()
    reason = forms.CharField(label=_("How the inspector is linked to it"), max_length=200)
    declared_by = forms.ChoiceField(label=_("Declared by"), choices=ConflictDeclaredBy.choices, initial=ConflictDeclaredBy.INSPECTOR)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.organizations = organizations

    def clean_organization(self):
        org = find_organization(self.organizations, self.cleaned_data["organization"])
        if org is None:
            raise ValidationError(_("No organization in your area has this credit code or filing number."))
        return org


class RecordForm(forms.Form):
    """The findings of a check: the on-site date, the two inspectors present, one finding per
    aspect, the result, and the rectification order when problems are found."""

    checked_on = forms.DateField(label=_("Checked on site on"), widget=DATE)
    inspector_a_present = forms.BooleanField(label=_("present"), required=False)
    inspector_b_present = forms.BooleanField(label=_("present"), required=False)
    result = forms.ChoiceField(label=_("Check result"), choices=[("", "—"), *CheckResult.choices])
    summary = forms.CharField(label=_("Notes on the check"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    requirement = forms.CharField(
        label=_("What to rectify"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("One requirement per line. Needed when problems are found."),
    )
    due_on = forms.DateField(label=_("Rectify by"), widget=DATE, required=False)
    issue_document = forms.BooleanField(label=_("Issue the order as a numbered document (PDF)"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for aspect, label in Aspect.choices:
            self.fields[f"{aspect}_problem"] = forms.TypedChoiceField(
                label=label,
                choices=[("0", _("No problem")), ("1", _("Problem found"))],
                coerce=lambda v: v == "1",
                widget=forms.RadioSelect,
                required=False,
            )
            self.fields[f"{aspect}_text"] = forms.CharField(
                label=_("Finding"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000
            )

    def aspect_rows(self):
        return [(aspect, label, self[f"{aspect}_problem"], self[f"{aspect}_text"]) for aspect, label in Aspect.choices]

    def findings(self) -> dict[str, FindingInput]:
        out = {}
        for aspect in Aspect.values:
            raw = self.data.get(f"{aspect}_problem")
            if raw in ("0", "1"):
                out[aspect] = FindingInput(problem=raw == "1", text=self.cleaned_data.get(f"{aspect}_text", ""))
        return out

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("result") == CheckResult.RECTIFICATION:
            if not (cleaned.get("requirement") or "").strip():
                self.add_error("requirement", _("Say what is to be rectified."))
            if cleaned.get("due_on") is None and "due_on" not in self.errors:
                self.add_error("due_on", _("Give the due date."))
        return cleaned

    def order(self) -> OrderInput | None:
        if self.cleaned_data.get("result") != CheckResult.RECTIFICATION:
            return None
        return OrderInput(
            requirement=self.cleaned_data["requirement"].strip(),
            due_on=self.cleaned_data["due_on"],
            issue_document=bool(self.cleaned_data.get("issue_document")),
        )


class OrderForm(forms.Form):
    organization = OrganizationField()
    requirement = forms.CharField(
        label=_("What to rectify"), widget=forms.Textarea(attrs={"rows": 4}), help_text=_("One requirement per line.")
    )
    due_on = forms.DateField(label=_("Rectify by"), widget=DATE)
    issue_document = forms.BooleanField(label=_("Issue the order as a numbered document (PDF)"), required=False, initial=True)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.organizations = organizations

    def clean_organization(self):
        org = find_organization(self.organizations, self.cleaned_data["organization"])
        if org is None:
            raise ValidationError(_("No organization in your area has this credit code or filing number."))
        return org


class ReportForm(forms.Form):
    note = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    file = forms.FileField(label=_("Attachment (PDF, PNG or JPEG)"), required=False)


class VerifyForm(forms.Form):
    completed_on = forms.DateField(
        label=_("Completed on"), widget=DATE, required=False, help_text=_("Empty: the day the organization reported completion.")
    )
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)

    def clean_completed_on(self):
        day = self.cleaned_data.get("completed_on")
        if day and day > timezone.localdate():
            raise ValidationError(_("The completion date cannot be in the future."))
        return day


class RedrawForm(forms.Form):
    campaign = forms.TypedChoiceField(label=_("Spot-check campaign"), coerce=int, choices=())
    seed = forms.CharField(label=_("Seed"), max_length=SEED_MAX, strip=True)

    def __init__(self, *args, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].choices = [("", "—")] + [(c.pk, f"{c.area.name} · {c.year} · {c.title}") for c in campaigns]
