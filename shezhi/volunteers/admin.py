from django.contrib import admin

from shezhi.volunteers.models import AgeRules, Skill, VolunteerTargets


@admin.register(AgeRules)
class AgeRulesAdmin(admin.ModelAdmin):
    list_display = ("valid_from", "adult_age", "self_registration_age", "note")


@admin.register(VolunteerTargets)
class VolunteerTargetsAdmin(admin.ModelAdmin):
    list_display = ("valid_from", "volunteers_percent", "organizations_percent", "note")


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "position")
    ordering = ("position", "code")
