from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    name = "shezhi.targets"
    verbose_name = _("Targets")

    def ready(self):
        from shezhi.targets import wiring

        wiring.register()
