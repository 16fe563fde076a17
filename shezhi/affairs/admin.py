"""The bureau keeps procedure types (forms, checklists, time limits, who decides) here."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from shezhi.affairs import fieldspec
from shezhi.affairs.models import Filing, MaterialRequirement, ProcedureType


class MaterialInline(admin.TabularInline):
    model = MaterialRequirement
    extra = 1
    fields = ("position", "code", "name", "required", "required_when", "description")


class ProcedureTypeForm(forms.ModelForm):
    class Meta:
        model = ProcedureType
        fields = [
            "code", "kind", "name", "description", "applicant", "for_registration", "handled_by", "active", "position",
            "statutory_days", "promised_days", "limits_verified", "correction_days", "form_fields", "decision_fields",
            "approval_title", "refusal_title",
        ]  # fmt: skip

    def _check(self, name: str):
        value = self.cleaned_data.get(name)
        problems = fieldspec.check_specs(value)
        if problems:
            raise ValidationError(problems)
        return value

    def clean_form_fields(self):
        return self._check("form_fields")

    def clean_decision_fields(self):
        return self._check("decision_fields")


@admin.register(ProcedureType)
class ProcedureTypeAdmin(admin.ModelAdmin):
    form = ProcedureTypeForm
    list_display = ("name", "kind", "handled_by", "applicant", "statutory_days", "promised_days", "limits_verified", "active")
    list_filter = ("kind", "handled_by", "active", "limits_verified")
    inlines = [MaterialInline]
    fieldsets = (
        (None, {"fields": ("code", "kind", "name", "description", "applicant", "for_registration", "handled_by", "active", "position")}),
        (_("Time limits (working days)"), {"fields": ("statutory_days", "promised_days", "limits_verified", "correction_days")}),
        (_("Forms"), {"fields": ("form_fields", "decision_fields")}),
        (_("Documents"), {"fields": ("approval_title", "refusal_title")}),
    )


@admin.register(Filing)
class FilingAdmin(admin.ModelAdmin):
    """Read-only: filings change only through their workflow steps."""

    list_display = ("number", "procedure", "subject_name", "status", "submitted_at", "due_on", "done_on")
    list_filter = ("status", "procedure", "fully_online")
    search_fields = ("number", "subject_name")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
