"""The places app's sections on organization pages (shezhi.extensions.organization_section)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from shezhi.places.models import PartyStatusChange, Place
from shezhi.places.selectors import open_on_q
from shezhi.places.services import may_record_party
from shezhi.registry.models import PartyOrganization


def party_staff(org, request) -> dict:
    """Staff page: the party organization's history (one query) and a link to record a change."""
    history = list(PartyStatusChange.objects.filter(organization=org).order_by("-since", "-id")[:20])
    return {
        "current": org.get_party_organization_display(),
        "history": history,
        # The registry field was changed directly (e.g. by an edit of the record) after the last recorded change.
        "out_of_step": bool(history) and history[0].status != org.party_organization,
        "record_url": reverse("places:party", args=[org.pk]) if may_record_party(request.user, org) else "",
    }


def party_public(org, request) -> dict | None:
    """Public page: the current party organization (no names of people), with the date it
    applies from when recorded; nothing for an organization without one."""
    if org.party_organization == PartyOrganization.NONE:
        return None
    last = PartyStatusChange.objects.filter(organization=org, status=org.party_organization).order_by("-since", "-id").first()
    return {"current": org.get_party_organization_display(), "since": last.since if last else None}


def places_public(org, request) -> dict | None:
    """Public page: the centres and bases the organization operates (open today)."""
    places = list(Place.objects.filter(open_on_q(timezone.localdate()), operator=org).order_by("kind", "name"))
    return {"places": places} if places else None
