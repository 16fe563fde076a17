from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from shezhi.charity.models import CharityRules, DisclosureRules


# The rules are data the bureau maintains. Campaigns, disclosures, special reports and
# decisions are written only through the services (the charity pages), so they are not
# editable here: a published disclosure in particular never changes.
@admin.register(DisclosureRules)
class DisclosureRulesAdmin(admin.ModelAdmin):
    list_display = ["__str__", "annual_due", "long_campaign_months", "final_report_months", "major_transaction_days", "updated_at"]
    fieldsets = [
        (None, {"fields": ["city", "note"]}),
        (_("Annual"), {"fields": ["annual_due", "track_from_year"]}),
        (_("Campaigns"), {"fields": ["long_campaign_months", "campaign_report_every_months", "final_report_months"]}),
        (_("Major transactions"), {"fields": ["major_transaction_days"]}),
        (_("Reminders"), {"fields": ["reminder_days"]}),
    ]


@admin.register(CharityRules)
class CharityRulesAdmin(admin.ModelAdmin):
    list_display = ["__str__", "decision_days", "fundraising_requires_disclosures", "tax_valid_years", "updated_at"]
    fieldsets = [
        (None, {"fields": ["city", "note"]}),
        (_("Recognition and public fundraising"), {"fields": ["decision_days", "fundraising_requires_disclosures"]}),
        (_("Tax-deductible donation status"), {"fields": ["tax_valid_years", "tax_report_years"]}),
    ]
