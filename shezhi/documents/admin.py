from django.contrib import admin

from shezhi.documents.models import Document


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    """Issued documents are read-only: a wrong document is answered by a new one, never edited."""

    list_display = ("number", "title", "addressee", "issued_on", "authority_name")
    list_filter = ("kind", "issued_on")
    search_fields = ("number", "addressee", "verification_code")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
