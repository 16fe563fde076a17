from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shezhi.activities.selectors import OrganizerChoices
from shezhi.areas.models import Area, AreaLevel

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ActivityFilters(forms.Form):
    town = forms.ModelChoiceField(label=_("Town / street"), queryset=Area.objects.none(), required=False)
    on = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = Area.objects.filter(level=AreaLevel.TOWN).order_by("code")

    def values(self) -> tuple[int | None, dt.date | None]:
        self.is_valid()  # a bad value is left out and the filter ignored, never a 500
        town = self.cleaned_data.get("town")
        return (town.pk if town else None), self.cleaned_data.get("on")


class ActivityForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    organizer = forms.ChoiceField(label=_("Organizer"))
    place = forms.CharField(label=_("Place"), max_length=200)
    town = forms.ModelChoiceField(
        label=_("Town / street"), queryset=Area.objects.none(), required=False, help_text=_("For a station: its own town when left empty.")
    )
    community = forms.ModelChoiceField(label=_("Community"), queryset=Area.objects.none(), required=False)
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DATETIME_WIDGET)
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DATETIME_WIDGET)
    headcount = forms.IntegerField(label=_("Volunteers needed"), min_value=1, max_value=10000)
    requirements = forms.CharField(label=_("Requirements"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    contact = forms.CharField(label=_("Contact"), max_length=60, required=False)

    def __init__(self, *args, choices: OrganizerChoices, towns=None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        options = []
        options += [(f"o{o.pk}", o.name) for o in choices.organizations]
        options += [(f"t{t.pk}", f"{t.organization.name} · {t.name}") for t in choices.teams]
        options += [(f"s{s.pk}", f"{_('Station')}: {s.name}") for s in choices.stations]
        self.choices = choices
        self.fields["organizer"].choices = options
        towns = towns if towns is not None else Area.objects.filter(level=AreaLevel.TOWN)
        self.fields["town"].queryset = towns.order_by("code")
        self.fields["community"].queryset = Area.objects.filter(level=AreaLevel.COMMUNITY, parent__in=towns).order_by("code")
        if editing:
            del self.fields["organizer"]

    def organizer_data(self) -> dict:
        value = self.cleaned_data.get("organizer") or ""
        kind, pk = value[:1], value[1:]
        if kind == "o":
            return {"organization": self.choices.organizations.get(pk=pk)}
        if kind == "t":
            team = self.choices.teams.get(pk=pk)
            return {"team": team, "organization": team.organization}
        if kind == "s":
            return {"station": self.choices.stations.get(pk=pk)}
        return {}

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "organizer"}
        if "organizer" in self.fields:
            data.update(self.organizer_data())
        if data.get("town") is None and data.get("station") is not None:
            data["town"], data["community"] = data["station"].town, data["station"].community
        elif data.get("town") is None:
            organization = data.get("organization")
            if organization is not None:
                data["town"] = organization.town
                data.setdefault("community", organization.community)
        return data

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The activity must end after it starts."))
        return cleaned


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code shown by the organizer"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9 ]*"}),
    )
    direction = forms.ChoiceField(choices=[("in", _("Sign in")), ("out", _("Sign out"))], widget=forms.HiddenInput)


class AddHoursForm(forms.Form):
    signup = forms.ChoiceField(label=_("Volunteer"))
    hours = forms.DecimalField(label=_("Hours"), min_value=0.01, max_digits=6, decimal_places=2)
    content = forms.CharField(label=_("Service content"), max_length=300, required=False)

    def __init__(self, *args, signups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signup"].choices = [(str(s.pk), f"{s.volunteer.name} ({s.volunteer.volunteer_number})") for s in signups]


class SubmitHoursForm(forms.Form):
    hours = forms.DecimalField(label=_("Hours"), min_value=0.01, max_digits=6, decimal_places=2)
    content = forms.CharField(label=_("What you did"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class CancelActivityForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class CertificateForm(forms.Form):
    issuer = forms.ChoiceField(label=_("Issuing organization"))
    period_from = forms.DateField(label=_("Service from"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    period_to = forms.DateField(label=_("Service until"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, issuers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer"].choices = [(i.key, i.name) for i in issuers]
        today = timezone.localdate()
        self.fields["period_to"].initial = today
        self.fields["period_from"].initial = today.replace(month=1, day=1)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_from"), cleaned.get("period_to")
        if start and end and start > end:
            self.add_error("period_to", _("The end of the period is before its start."))
        return cleaned


class IssuerProfileForm(forms.Form):
    person_in_charge = forms.CharField(label=_("Person in charge"), max_length=40)
    handler = forms.CharField(label=_("Handler"), max_length=40)
    contact = forms.CharField(label=_("Contact phone"), max_length=40)
