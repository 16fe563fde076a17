from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "shezhi.registry"
    verbose_name = _("Registry of social organizations")

    def ready(self):
        from django.urls import reverse

        from shezhi.extensions import nav_item

        staff = ["bureau", "department", "town", "community"]
        nav_item("registry_search", _("Registry search"), "portal:search", public=True, order=0, group="")
        nav_item("registry_staff", _("Registry (staff)"), "registry:list", roles=staff, order=10, group="registry")
        nav_item(
            "my_organization",
            _("My organization"),
            lambda user: reverse("registry:detail", args=[user.organization_id]) if user.organization_id else None,
            roles=["organization"],
            order=10,
            group="registry",
        )
        nav_item("registry_file", _("File a community organization"), "registry:file", roles=["town"], order=11, group="registry")
        nav_item("registry_import", _("Import"), "registry:import", roles=["town", "bureau"], order=12, group="registry")
