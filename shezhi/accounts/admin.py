from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from shezhi.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "role", "area", "organization", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "display_name"]
    raw_id_fields = ["area", "organization"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("Role and scope"), {"fields": ("role", "display_name", "unit_name", "area", "organization")}),
    )
