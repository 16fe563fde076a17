from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CharityConfig(AppConfig):
    name = "shezhi.charity"
    verbose_name = _("Charity and tax status")
