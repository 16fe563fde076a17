from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "shezhi.places"
    verbose_name = _("Party building and places")

    def ready(self):
        from shezhi.accounts.models import Role
        from shezhi.extensions import demo_seeder, nav_item, organization_section
        from shezhi.places import sections

        def seed(scale_name: str, seed: int, log) -> None:
            from shezhi.places.demo import seed_places

            seed_places(scale_name=scale_name, seed=seed, log=log)

        nav_item("places", _("Centres and bases"), "places:public", public=True, order=70)
        nav_item("places_staff", _("Centres and bases (staff)"), "places:staff_list", roles=[Role.BUREAU, Role.TOWN], order=71)
        organization_section("party", "places/_party_staff.html", sections.party_staff, audience="staff", order=50)
        organization_section("party_public", "places/_party_public.html", sections.party_public, audience="public", order=50)
        organization_section("places_public", "places/_places_public.html", sections.places_public, audience="public", order=51)
        demo_seeder("places", seed, order=50)
