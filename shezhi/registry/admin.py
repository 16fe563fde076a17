from django.contrib import admin

from shezhi.registry.models import ServiceDomain, TargetGroup


# Catalogues are data the bureau maintains; organizations themselves are changed only
# through the registry pages, so that every change goes through the services and the audit log.
@admin.register(ServiceDomain)
class ServiceDomainAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "position"]
    list_editable = ["position"]


@admin.register(TargetGroup)
class TargetGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "position"]
    list_editable = ["position"]
