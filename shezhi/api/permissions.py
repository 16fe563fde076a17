"""Who may do what through the API, beyond what the registry selectors already scope."""

from __future__ import annotations

from shezhi.accounts.models import Role
from shezhi.registry.models import Organization
from shezhi.registry.selectors import organizations_editable_by

REVEAL_ROLES = (Role.BUREAU, Role.TOWN)


def may_reveal_phone(user, org: Organization) -> bool:
    """The full phone is for the bureau and the town officer who keep the record.

    The same rule as the registry's HTML page (organization_for(..., editable=True)):
    seeing a record is not enough to see its personal data.
    """
    return (
        getattr(user, "is_authenticated", False)
        and user.role in REVEAL_ROLES
        and organizations_editable_by(user).filter(pk=org.pk).exists()
    )
