from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from shezhi.credit.models import CreditRules, EligibilityRule, Ground, ListEntry, Penalty, Proposal


# The rules, grounds and eligibility conditions are data the bureau maintains here. Entries,
# penalties and proposals are written only through the services (the credit pages), so the
# admin shows them read-only.
@admin.register(CreditRules)
class CreditRulesAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "small_fine_limit",
        "escalate_after_years",
        "serious_removal_years",
        "repeat_penalties",
        "repeat_window_years",
    ]


@admin.register(Ground)
class GroundAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "list_kind", "detectable", "active", "position"]
    list_filter = ["list_kind", "detectable", "active"]
    list_editable = ["active", "position"]

    def get_readonly_fields(self, request, obj=None):
        # Detectors and proposals refer to grounds by code and list.
        return ["code", "list_kind", "detectable"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EligibilityRule)
class EligibilityRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "purpose", "min_rating", "penalty_free_years", "min_registered_years", "active"]
    fieldsets = [
        (None, {"fields": ["purpose", "name", "active", "note"]}),
        (
            _("Conditions"),
            {
                "fields": [
                    "legal_person_required",
                    "not_on_abnormal",
                    "not_on_serious",
                    "list_free_years",
                    "penalty_free_years",
                    "tolerated_penalty_kinds",
                    "min_rating",
                    "min_registered_years",
                    "annual_report_required",
                    "inspection_results_accepted",
                ]
            },
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        # Other modules ask for a purpose by its code.
        return ["purpose"] if obj is not None else []


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ListEntry)
class ListEntryAdmin(ReadOnlyAdmin):
    list_display = ["organization", "list_kind", "ground", "included_on", "decision_number", "removed_on"]
    list_filter = ["list_kind", "ground"]
    search_fields = ["organization__name", "organization__credit_code", "decision_number"]
    list_select_related = ["organization", "ground"]


@admin.register(Penalty)
class PenaltyAdmin(ReadOnlyAdmin):
    list_display = ["organization", "kind", "fine_amount", "decided_on", "decision_number", "withdrawn_on"]
    list_filter = ["kind"]
    search_fields = ["organization__name", "organization__credit_code", "decision_number"]
    list_select_related = ["organization"]


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    list_display = ["organization", "action", "list_kind", "ground", "detected_on", "status"]
    list_filter = ["status", "action", "list_kind"]
    search_fields = ["organization__name", "source"]
    list_select_related = ["organization", "ground"]
