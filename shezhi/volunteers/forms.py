"""Input parsing for the volunteer pages. Forms only read and shape input; the rules live in
volunteers.services, whose ValidationErrors are put back on the form fields."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shezhi.areas.models import Area, AreaLevel
from shezhi.forms import add_service_errors
from shezhi.registry.models import ServiceDomain
from shezhi.volunteers.models import Availability, Gender, IdType, Skill, VolunteerStatus

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ServiceErrorsMixin:
    def add_service_errors(self, error: ValidationError) -> None:
        add_service_errors(self, error)


def communities_of(town_ids) -> QuerySet[Area]:
    return Area.objects.filter(level=AreaLevel.COMMUNITY, parent_id__in=town_ids).order_by("code")


class _AreaFields(forms.Form):
    town = forms.ModelChoiceField(label=_("Town / street of residence"), queryset=Area.objects.none())
    community = forms.ModelChoiceField(label=_("Community / village of residence"), queryset=Area.objects.none(), required=False)

    def setup_areas(self, towns: QuerySet[Area]) -> None:
        self.fields["town"].queryset = towns
        self.fields["community"].queryset = communities_of(towns.values("id"))
        self.fields["town"].widget.attrs.update(
            {"hx-get": reverse_lazy("volunteers:communities"), "hx-target": "#id_community", "hx-trigger": "change"}
        )


class _ProfileFields(forms.Form):
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False)
    skills = forms.ModelMultipleChoiceField(
        label=_("Skills"), queryset=Skill.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    skills_note = forms.CharField(label=_("Other skills"), max_length=200, required=False)
    preferences = forms.ModelMultipleChoiceField(
        label=_("Service preferences"), queryset=ServiceDomain.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    availability = forms.ChoiceField(label=_("Availability"), choices=Availability.choices, initial=Availability.ANYTIME)


class _GuardianFields(forms.Form):
    guardian_name = forms.CharField(label=_("Guardian's name"), max_length=60, required=False, help_text=_("Required under 18."))
    guardian_phone = forms.CharField(label=_("Guardian's phone"), max_length=20, required=False)
    guardian_consent_on = forms.DateField(label=_("Guardian's consent given on"), required=False, widget=DATE_WIDGET)


class RegistrationForm(ServiceErrorsMixin, _AreaFields, _ProfileFields, _GuardianFields):
    """Real-name registration: by the person (self) or by staff for them."""

    name = forms.CharField(label=_("Name (as on the ID document)"), max_length=60)
    id_type = forms.ChoiceField(label=_("ID type"), choices=IdType.choices, initial=IdType.ID_CARD)
    id_number = forms.CharField(label=_("ID number"), max_length=30, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    birth_date = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Read from a resident ID number; enter it for other documents."),
    )
    gender = forms.ChoiceField(label=_("Gender"), choices=[("", "---------"), *Gender.choices], required=False)
    agree = forms.BooleanField(
        label=_("I register of my own free will and agree that my data is kept for volunteer service records."), required=True
    )

    field_order = [
        "name",
        "id_type",
        "id_number",
        "birth_date",
        "gender",
        "phone",
        "town",
        "community",
        "skills",
        "skills_note",
        "preferences",
        "availability",
        "guardian_name",
        "guardian_phone",
        "guardian_consent_on",
        "agree",
    ]

    def __init__(self, *args, towns: QuerySet[Area], staff: bool = False, account: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_areas(towns)
        if staff:
            self.fields["agree"].label = _("The person agreed to register and to their data being kept (in person or in writing).")
            self.fields["registered_on"] = forms.DateField(
                label=_("Registered on"), required=False, widget=DATE_WIDGET, help_text=_("Empty: today.")
            )
        else:
            self.fields["phone"].required = True
        if account:
            # A visitor without an account gets one with the registration.
            self.fields["username"] = forms.CharField(
                label=_("User name for your new account"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username"})
            )
            self.fields["password"] = forms.CharField(
                label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), strip=False
            )
            self.fields["password2"] = forms.CharField(
                label=_("Password again"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), strip=False
            )

    def clean(self):
        cleaned = super().clean()
        if "password" in self.fields and cleaned.get("password") != cleaned.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return cleaned

    def service_data(self) -> dict:
        skip = {"agree", "username", "password", "password2"}
        return {k: v for k, v in self.cleaned_data.items() if k not in skip}


class ProfileForm(ServiceErrorsMixin, _AreaFields, _ProfileFields):
    """What volunteers change themselves: contact, residence, skills, preferences."""

    field_order = ["phone", "town", "community", "skills", "skills_note", "preferences", "availability"]

    def __init__(self, *args, towns: QuerySet[Area], **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_areas(towns)
        self.fields["phone"].required = True


class StaffEditForm(ServiceErrorsMixin, _AreaFields, _ProfileFields, _GuardianFields):
    name = forms.CharField(label=_("Full name"), max_length=60)
    reason = forms.CharField(label=_("Reason for the change"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    field_order = ["name", "phone", "town", "community", "skills", "skills_note", "preferences", "availability"]

    def __init__(self, *args, towns: QuerySet[Area], **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_areas(towns)


class RecoverForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Name (as registered)"), max_length=60)
    id_type = forms.ChoiceField(label=_("ID type"), choices=IdType.choices, initial=IdType.ID_CARD)
    id_number = forms.CharField(label=_("Full ID number"), max_length=30, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    phone = forms.CharField(label=_("Phone registered with the record"), max_length=20)

    def __init__(self, *args, account: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if account:
            self.fields["username"] = forms.CharField(label=_("User name for your new account"), max_length=150)
            self.fields["password"] = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)
            self.fields["password2"] = forms.CharField(label=_("Password again"), widget=forms.PasswordInput, strip=False)

    def clean(self):
        cleaned = super().clean()
        if "password" in self.fields and cleaned.get("password") != cleaned.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return cleaned


class VolunteerFilters(forms.Form):
    """The staff list's filters; a bad value is dropped with a message, never a 500."""

    q = forms.CharField(label=_("Name or volunteer number"), required=False, max_length=60)
    town = forms.IntegerField(label=_("Town / street"), required=False, min_value=1)
    community = forms.IntegerField(label=_("Community"), required=False, min_value=1)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *VolunteerStatus.choices])
    registered_from = forms.DateField(label=_("Registered from"), required=False, widget=DATE_WIDGET)
    registered_to = forms.DateField(label=_("Registered to"), required=False, widget=DATE_WIDGET)

    def values(self) -> dict:
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class LinkAccountForm(forms.Form):
    username = forms.CharField(label=_("User name of the resident's account"), max_length=150)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class MergeForm(forms.Form):
    target_number = forms.CharField(label=_("Volunteer number of the record to keep"), max_length=20)
    reason = forms.CharField(label=_("Why are the two records the same person?"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    confirm = forms.BooleanField(label=_("I have checked that both records are the same person."), required=False)


class TeamForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=100)
    town = forms.ModelChoiceField(label=_("Town / street"), queryset=Area.objects.none())
    community = forms.ModelChoiceField(label=_("Community"), queryset=Area.objects.none(), required=False)
    founded_on = forms.DateField(label=_("Founded on"), widget=DATE_WIDGET, required=False)
    dissolved_on = forms.DateField(label=_("Dissolved on"), widget=DATE_WIDGET, required=False)

    def __init__(self, *args, towns: QuerySet[Area], creating: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = towns
        self.fields["community"].queryset = communities_of(towns.values("id"))
        if creating:
            del self.fields["dissolved_on"]
        self.fields["town"].widget.attrs.update(
            {"hx-get": reverse_lazy("volunteers:communities"), "hx-target": "#id_community", "hx-trigger": "change"}
        )


class AddMemberForm(forms.Form):
    volunteer_number = forms.CharField(label=_("Volunteer number"), max_length=20)
    name = forms.CharField(label=_("Full name"), max_length=60, help_text=_("Both must match the volunteer's registration."))
    joined_on = forms.DateField(label=_("Joined on"), widget=DATE_WIDGET, required=False)


class StationForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Station name"), max_length=100)
    town = forms.ModelChoiceField(label=_("Town / street"), queryset=Area.objects.none())
    community = forms.ModelChoiceField(label=_("Community"), queryset=Area.objects.none(), required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    operator = forms.ModelChoiceField(label=_("Operated by"), queryset=Area.objects.none(), required=False)
    opened_on = forms.DateField(label=_("Opened on"), widget=DATE_WIDGET, required=False)
    closed_on = forms.DateField(label=_("Closed on"), widget=DATE_WIDGET, required=False)

    def __init__(self, *args, towns: QuerySet[Area], communities: QuerySet[Area], operators, creating: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = towns
        self.fields["community"].queryset = communities
        self.fields["operator"].queryset = operators
        if creating:
            del self.fields["closed_on"]


class CountsFilters(forms.Form):
    area = forms.IntegerField(required=False, min_value=1)
    as_of = forms.DateField(label=_("As of"), required=False, widget=DATE_WIDGET)

    def values(self):
        self.is_valid()
        return self.cleaned_data.get("area"), self.cleaned_data.get("as_of") or timezone.localdate()
