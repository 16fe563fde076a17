"""Who may do what through the API, beyond what the registry selectors already scope."""

from __future__ import annotations

from shezhi.registry.models import Organization
from shezhi.registry.selectors import may_see_personal_data


def may_reveal_phone(user, org: Organization) -> bool:
    """The same rule as the registry's HTML page: seeing a record is not enough."""
    return may_see_personal_data(user, org)
