from django.contrib import admin

from shezhi.activities.models import Activity, HoursRecord, HoursRules, IssuerProfile, StarLevel


# The rules are data the bureau maintains here. Activities, sign-ups and hours are written
# through the services (the activity pages), so they are read-only in the admin.
@admin.register(HoursRules)
class HoursRulesAdmin(admin.ModelAdmin):
    list_display = ["__str__", "step_hours", "rounding", "minimum_hours", "cap_to_activity", "sign_in_opens_minutes", "updated_at"]


@admin.register(StarLevel)
class StarLevelAdmin(admin.ModelAdmin):
    list_display = ["stars", "min_hours", "name"]
    ordering = ["stars"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ["title", "organization", "town", "starts_at", "headcount", "places_taken", "status"]
    list_filter = ["status"]
    list_select_related = ["organization", "town"]
    search_fields = ["title"]
    exclude = ["sign_in_code", "sign_out_code"]


@admin.register(HoursRecord)
class HoursRecordAdmin(ReadOnlyAdmin):
    list_display = ["served_on", "volunteer", "hours", "source", "status", "organization"]
    list_filter = ["status", "source"]
    list_select_related = ["volunteer", "organization"]
    raw_id_fields = ["volunteer", "activity", "signup", "organization", "station"]
    show_full_result_count = False


@admin.register(IssuerProfile)
class IssuerProfileAdmin(admin.ModelAdmin):
    list_display = ["__str__", "person_in_charge", "handler", "contact", "updated_at"]
    raw_id_fields = ["organization", "station"]
    readonly_fields = ["updated_by"]
