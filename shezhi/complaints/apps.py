from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "shezhi.complaints"
    verbose_name = _("Complaints and reports")

    def ready(self):
        import datetime as dt

        from shezhi.accounts.models import Role
        from shezhi.extensions import demo_seeder, nav_item
        from shezhi.jobs.schedule import daily

        def reminders(on: dt.date) -> dict:
            from shezhi.complaints.services import complaint_reminders_send

            return complaint_reminders_send(today=on).as_dict()

        def seed(scale_name: str, seed: int, log) -> None:
            from shezhi.complaints.demo import seed_complaints

            seed_complaints(scale_name=scale_name, seed=seed, log=log)

        nav_item("complaints", _("Complaints"), "complaints:new", public=True, order=60)
        nav_item("complaints_staff", _("Complaints (staff)"), "complaints:list", roles=[Role.BUREAU, Role.TOWN], order=61)
        daily("complaint_reminders", "Complaint reminders", reminders, order=40)
        demo_seeder("complaints", seed, order=60)
