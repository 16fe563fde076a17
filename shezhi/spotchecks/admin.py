from django.contrib import admin

from shezhi.spotchecks.models import Campaign, Inspector, RectificationOrder, SamplingRule


# The sampling rules are data the bureau maintains here. Campaigns, inspectors and orders are
# written through the services (the staff pages) so that each change is audited and the
# draw's frozen input is never edited: the admin only lists them.
@admin.register(SamplingRule)
class SamplingRuleAdmin(admin.ModelAdmin):
    list_display = ["level", "min_ratio_percent", "rectification_days", "updated_at"]
    fields = ["level", "min_ratio_percent", "rectification_days", "note"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ["title", "area", "year", "status", "ratio_percent", "sample_size", "seed"]
    list_filter = ["status", "year"]
    exclude = ["pool_organizations", "pool_inspectors", "pool_conflicts"]


@admin.register(Inspector)
class InspectorAdmin(ReadOnlyAdmin):
    list_display = ["name", "unit", "area", "active", "user"]
    list_filter = ["active"]
    search_fields = ["name", "unit"]


@admin.register(RectificationOrder)
class RectificationOrderAdmin(ReadOnlyAdmin):
    list_display = ["organization", "issued_on", "due_on", "status", "completed_on"]
    list_filter = ["status"]
    raw_id_fields = ["organization", "spot_check"]
