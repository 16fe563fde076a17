from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionConfig(AppConfig):
    name = "shezhi.inspection"
    verbose_name = _("Annual inspection and rating")
