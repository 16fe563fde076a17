from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionConfig(AppConfig):
    name = "shezhi.inspection"
    verbose_name = _("Annual inspection and rating")

    def ready(self):
        import datetime as dt

        from shezhi.jobs.schedule import daily

        def reminders(on: dt.date) -> dict:
            import dataclasses

            from shezhi.inspection.services import annual_report_reminders_send

            return dataclasses.asdict(annual_report_reminders_send(today=on))

        daily("annual_report_reminders", "Annual report reminders", reminders, order=10)
