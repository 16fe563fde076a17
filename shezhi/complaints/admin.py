from django.contrib import admin

from shezhi.complaints.models import ComplaintCategory, ComplaintOutcome, ComplaintRules


# The rules, categories and outcomes are data the bureau maintains. Complaints themselves are
# written only through the services (the portal form and the staff pages), so they are not here.
@admin.register(ComplaintRules)
class ComplaintRulesAdmin(admin.ModelAdmin):
    list_display = ["__str__", "answer_workdays", "remind_workdays", "max_attachments", "max_per_address_hour", "updated_at"]


@admin.register(ComplaintCategory)
class ComplaintCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "active", "position"]
    list_editable = ["active", "position"]


@admin.register(ComplaintOutcome)
class ComplaintOutcomeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "action_required", "active", "position"]
    list_editable = ["action_required", "active", "position"]
