"""The charity sections of an organization's pages (shezhi.extensions.organization_section)."""

from __future__ import annotations

from django.utils import timezone

from shezhi.charity import selectors


def public(organization, request) -> dict | None:
    """On the public page: published disclosures, corrections linked to what they correct,
    late items flagged. Hidden for an organization that is not a charity and published nothing."""
    return selectors.public_section(organization)


def staff(organization, request) -> dict | None:
    """On the registry page, for the bureau of the organization's city and the organization
    itself: charity status, what is due or late, tax-deductible years."""
    user = request.user
    bureau = selectors.bureau_covers(user, organization)
    own = selectors.own_organization(user, organization)
    if not (bureau or own) or organization.registration != "registered":
        return None
    today = timezone.localdate()
    items = selectors.obligations(organization, today)
    return {
        "organization": organization,
        "bureau": bureau,
        "own": own,
        "late": [o for o in items if o.state == "late"],
        "open": [o for o in items if o.state == "open"],
        "tax_years": selectors.tax_years_of(organization),
        "decisions": list(selectors.tax_decisions_of(organization)[:3]),
        "today": today,
    }
