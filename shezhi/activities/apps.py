from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _hours_section(volunteer, request):
    """The volunteer's hours and star level on their own page and on the staff page: three
    fixed queries (the totals by status, the star levels, the last records)."""
    from shezhi.activities.selectors import hours_summary, records_of

    return {
        "summary": hours_summary(volunteer),
        "recent": list(records_of(volunteer)[:5]),
        "own": volunteer.user_id is not None and volunteer.user_id == getattr(request.user, "pk", None),
    }


class ActivitiesConfig(AppConfig):
    name = "shezhi.activities"
    verbose_name = _("Volunteer activities and hours")

    def ready(self):
        from shezhi.activities import demo
        from shezhi.extensions import demo_seeder, nav_item

        nav_item("activities", _("Volunteer activities"), "activities:list", public=True, order=60)
        nav_item(
            "activities_manage",
            _("My activities"),
            "activities:manage_list",
            roles=["organization", "bureau", "town", "community"],
            order=61,
        )
        demo_seeder("activities", demo.seed, order=210)
        try:
            from shezhi.volunteers.extensions import volunteer_section
        except ImportError:  # the volunteers app is older than its extension point
            return
        volunteer_section("hours", "activities/_volunteer_section.html", _hours_section, audience="both", order=20)
