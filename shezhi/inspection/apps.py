import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _send_reminders(on: dt.date) -> dict:
    import dataclasses

    from shezhi.inspection.services import annual_report_reminders_send

    return dataclasses.asdict(annual_report_reminders_send(today=on))


class InspectionConfig(AppConfig):
    name = "shezhi.inspection"
    verbose_name = _("Annual inspection and rating")

    def ready(self):
        from shezhi.affairs.kinds import register_kind
        from shezhi.affairs.models import ProcedureKind
        from shezhi.extensions import demo_seeder, nav_item
        from shezhi.inspection import demo, hooks
        from shezhi.jobs.schedule import daily

        for kind in (ProcedureKind.ANNUAL_REPORT, ProcedureKind.RATING):
            register_kind(kind, check_submit=hooks.check_submit, on_approved=hooks.on_approved)
        demo_seeder("inspection", demo.seed, order=20)
        daily("annual_report_reminders", "Annual report reminders", _send_reminders, order=10)
        nav_item(
            "not_reported",
            _("Annual reports not filed"),
            "inspection:not_reported",
            roles=["bureau", "town"],
            order=30,
            group="supervision",
        )
        nav_item("ratings", _("Rating assessments"), "inspection:rating_list", roles=["bureau", "reviewer"], order=31, group="supervision")
