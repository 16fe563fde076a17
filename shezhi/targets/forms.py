from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shezhi.targets.models import Indicator, Scope, Target

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MILESTONE_ROWS = 4


class AsOfForm(forms.Form):
    on = forms.DateField(label=_("As of"), required=False, widget=DATE_WIDGET)

    def clean_on(self):
        on = self.cleaned_data.get("on")
        if on is not None and on > timezone.localdate():
            raise forms.ValidationError(_("The date is in the future; choose today or an earlier day."))
        if on is not None and on.year < 2000:
            raise forms.ValidationError(_("Choose a day from the year 2000 on."))
        return on

    def day(self):
        """The day asked for, or today (with the form's errors left to show)."""
        if self.is_valid():
            return self.cleaned_data.get("on") or timezone.localdate()
        return timezone.localdate()


class TargetForm(forms.ModelForm):
    reason = forms.CharField(label=_("Reason for the change"), widget=forms.Textarea(attrs={"rows": 2}))

    class Meta:
        model = Target
        fields = ["code", "name", "indicator", "scope", "position", "source", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = Indicator.choices
        self.fields["scope"].choices = Scope.choices
        initial = list(self.instance.milestones.all()) if self.instance.pk else []
        for i in range(MILESTONE_ROWS):
            m = initial[i] if i < len(initial) else None
            self.fields[f"due_{i}"] = forms.DateField(label=_("By"), required=False, widget=DATE_WIDGET, initial=m.due_on if m else None)
            self.fields[f"value_{i}"] = forms.DecimalField(
                label=_("Value"), required=False, max_digits=12, decimal_places=2, initial=m.value if m else None
            )

    def validate_unique(self):
        pass  # the service checks the code within the city

    def milestone_rows(self):
        return [(self[f"due_{i}"], self[f"value_{i}"]) for i in range(MILESTONE_ROWS)]

    def milestones(self):
        return [(self.cleaned_data.get(f"due_{i}"), self.cleaned_data.get(f"value_{i}")) for i in range(MILESTONE_ROWS)]
