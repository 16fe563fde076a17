"""This app's section on an organization's staff page (registry detail)."""

from __future__ import annotations

from django.db.models import Count, Q

from shezhi.volunteers.models import Membership
from shezhi.volunteers.selectors import volunteer_organizations_visible_to


def organization_teams(org, request) -> dict | None:
    """A volunteer organization's teams and member count, with a link to manage them; three
    fixed queries."""
    if not org.is_volunteer_org or not volunteer_organizations_visible_to(request.user).filter(pk=org.pk).exists():
        return None
    teams = list(
        org.volunteer_teams.filter(dissolved_on__isnull=True).annotate(n=Count("memberships", filter=Q(memberships__left_on__isnull=True)))
    )
    members = (
        Membership.objects.filter(Q(organization=org) | Q(team__organization=org), left_on__isnull=True)
        .values("volunteer_id")
        .distinct()
        .count()
    )
    return {"org": org, "teams": teams, "members": members}
