from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CharityConfig(AppConfig):
    name = "shezhi.charity"
    verbose_name = _("Charity and tax status")

    def ready(self):
        import dataclasses
        import datetime as dt

        from shezhi.accounts.models import Role
        from shezhi.affairs.kinds import register_kind
        from shezhi.affairs.models import ProcedureKind
        from shezhi.charity import hooks, sections
        from shezhi.extensions import demo_seeder, nav_item, organization_section
        from shezhi.jobs.schedule import daily

        for kind in (ProcedureKind.CHARITY_RECOGNITION, ProcedureKind.PUBLIC_FUNDRAISING):
            register_kind(kind, check_submit=hooks.check_submit, check_decision=hooks.check_decision, on_approved=hooks.on_approved)

        def disclosures(on: dt.date) -> dict:
            from shezhi.charity.services import disclosure_notices_send

            return dataclasses.asdict(disclosure_notices_send(today=on))

        daily("charity_disclosures", "Charity disclosures: reminders and late items", disclosures, order=30)

        nav_item("charity", _("Charities"), "charity:list", public=True, order=40)
        nav_item("charity_mine", _("Disclosures"), "charity:mine", roles=[Role.ORGANIZATION], order=41)
        nav_item("charity_staff", _("Charity supervision"), "charity:staff", roles=[Role.BUREAU], order=41)

        organization_section("charity_disclosures", "charity/_public_section.html", sections.public, audience="public", order=40)
        organization_section("charity", "charity/_staff_section.html", sections.staff, audience="staff", order=40)

        def seed(scale_name: str, seed: int, log) -> None:
            from shezhi.charity.demo import seed_demo

            seed_demo(scale_name, seed, log)

        demo_seeder("charity", seed, order=40)
