from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AffairsConfig(AppConfig):
    name = "shezhi.affairs"
    verbose_name = _("Online affairs")

    def ready(self):
        from shezhi.affairs import demo
        from shezhi.affairs.services import filings_due_reminders, filings_lapse_corrections
        from shezhi.extensions import demo_seeder, nav_item
        from shezhi.jobs.schedule import daily

        nav_item("affairs", _("Online affairs"), "affairs:list", order=20, group="registry")
        nav_item("affairs_metrics", _("Service metrics"), "affairs:metrics", roles=["bureau"], order=21, group="registry")

        daily(
            "affairs_lapse_corrections",
            "Close filings whose materials were not supplied in time",
            lambda on: {"closed": filings_lapse_corrections(on=on)},
            order=20,
        )
        demo_seeder("affairs", demo.seed, order=70)
        daily("affairs_due_reminders", "Remind handlers of filings due soon or overdue", lambda on: filings_due_reminders(on=on), order=21)
