from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from shezhi.inspection.models import Indicator, IndicatorScale, InspectionRules, RatingAssessment
from shezhi.inspection.services import scale_problems


# The rules are data the bureau maintains. Results and assessments are written only through
# the services (online filings and the rating pages), so they are not editable here.
@admin.register(InspectionRules)
class InspectionRulesAdmin(admin.ModelAdmin):
    list_display = ["__str__", "social_group_bureau_due", "exemption_months", "rating_min_5a", "rating_min_1a", "updated_at"]
    fieldsets = [
        (None, {"fields": ["city", "note"]}),
        (
            _("Annual report"),
            {
                "fields": [
                    "social_group_supervisor_due",
                    "social_group_bureau_due",
                    "social_service_agency_bureau_due",
                    "foundation_bureau_due",
                    "extend_to_workday",
                    "exemption_months",
                    "records_complete_from",
                    "reminder_days",
                ]
            },
        ),
        (
            _("Rating"),
            {
                "fields": [
                    "rating_min_5a",
                    "rating_min_4a",
                    "rating_min_3a",
                    "rating_min_2a",
                    "rating_min_1a",
                    "rating_validity_years",
                    "rating_min_years_registered",
                ]
            },
        ),
    ]


def _scale_in_use(request) -> bool:
    scale_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
    return bool(scale_id) and RatingAssessment.objects.filter(scale_id=scale_id).exists()


class IndicatorInline(admin.TabularInline):
    model = Indicator
    fields = ["code", "name", "parent", "max_points", "position"]
    extra = 0

    # A scale that has scored an assessment stays as it was: its points are the meaning of
    # those scores. The bureau makes a new scale (and marks it in use) instead.
    def has_change_permission(self, request, obj=None):
        return not _scale_in_use(request) and super().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return not _scale_in_use(request) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _scale_in_use(request) and super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            scale_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            kwargs["queryset"] = Indicator.objects.filter(scale_id=scale_id, parent=None) if scale_id else Indicator.objects.none()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(IndicatorScale)
class IndicatorScaleAdmin(admin.ModelAdmin):
    list_display = ["name", "total_points", "active", "created_at"]
    inlines = [IndicatorInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        for problem in scale_problems(form.instance):
            messages.warning(request, problem)
