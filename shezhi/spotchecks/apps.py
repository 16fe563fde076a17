from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpotchecksConfig(AppConfig):
    name = "shezhi.spotchecks"
    verbose_name = _("Random spot checks")

    def ready(self):
        from shezhi.extensions import demo_seeder, nav_item, organization_section
        from shezhi.spotchecks import demo, sections

        nav_item("spotchecks", _("Spot checks"), "spotchecks:staff_campaigns", roles=["bureau", "town"], order=60)
        nav_item("rectifications", _("Rectification orders"), "spotchecks:orders", roles=["organization"], order=60)
        nav_item("spotcheck_results", _("Spot-check results"), "spotchecks:public_list", public=True, order=61)
        organization_section("spotchecks", "spotchecks/_section_public.html", sections.public_section, audience="public", order=40)
        organization_section("spotchecks_staff", "spotchecks/_section_staff.html", sections.staff_section, audience="staff", order=40)
        demo_seeder("spotchecks", demo.seed, order=60)
        self._register_detectors()

    def _register_detectors(self) -> None:
        """Tell the credit app about overdue rectification orders and unreachable addresses
        (its review queue: the system proposes, the bureau decides)."""
        try:
            from shezhi.credit.detection import detector
        except ImportError:  # the credit app is not installed
            return
        from shezhi.spotchecks import detection

        detector("rectification_overdue", detection.overdue_orders)
        detector("spotcheck_unreachable", detection.unreachable_findings)
