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

        from shezhi.affairs.kinds import register_kind
        from shezhi.affairs.models import ProcedureKind
        from shezhi.inspection import hooks

        for kind in (ProcedureKind.ANNUAL_REPORT, ProcedureKind.RATING):
            register_kind(kind, check_submit=hooks.check_submit, on_approved=hooks.on_approved)

        from shezhi.extensions import demo_seeder
        from shezhi.inspection import demo

        demo_seeder("inspection", demo.seed, order=20)

        daily("annual_report_reminders", "Annual report reminders", reminders, order=10)
