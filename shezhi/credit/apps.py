from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditConfig(AppConfig):
    name = "shezhi.credit"
    verbose_name = _("Credit lists and penalties")

    def ready(self):
        from shezhi.credit import detection, hooks
        from shezhi.jobs.schedule import daily

        detection.register_own_detectors()
        daily("credit_detection", "Credit list detection", detection.run_daily, order=50)
        hooks.register()
