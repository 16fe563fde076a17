from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AreasConfig(AppConfig):
    name = "shezhi.areas"
    verbose_name = _("Areas")

    def ready(self):
        from shezhi.extensions import nav_item

        nav_item("areas", _("Areas"), "areas:list", roles=["bureau"], order=13, group="registry")
