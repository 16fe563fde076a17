from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "shezhi.volunteers"
    verbose_name = _("Volunteers")

    def ready(self):
        from shezhi.extensions import bench_step, demo_seeder, nav_item, organization_section
        from shezhi.volunteers import bench, demo, sections

        nav_item("volunteer_register", _("Become a volunteer"), "volunteers:register", roles=[], public=True, order=60)
        nav_item("volunteer_me", _("My volunteer record"), "volunteers:me", roles=["public"], order=60)
        nav_item("volunteers", _("Volunteers"), "volunteers:list", roles=["bureau", "town", "community"], order=60)
        nav_item("volunteer_org", _("Volunteers"), "volunteers:organizations", roles=["organization"], order=60)
        organization_section("volunteer_teams", "volunteers/_org_section.html", sections.organization_teams, audience="staff", order=60)
        demo_seeder("volunteers", demo.run, order=50)
        bench_step("volunteers", bench.run, order=50)
