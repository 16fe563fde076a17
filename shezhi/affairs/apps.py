from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AffairsConfig(AppConfig):
    name = "shezhi.affairs"
    verbose_name = _("Online affairs")
