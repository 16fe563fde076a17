from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpotchecksConfig(AppConfig):
    name = "shezhi.spotchecks"
    verbose_name = _("Random spot checks")
