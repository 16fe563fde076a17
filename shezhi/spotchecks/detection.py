"""What spot checks tell the credit app's daily detection (registered in apps.py).

Two grounds for the abnormal-activity list (社会组织信用信息管理办法) come from here:
- a rectification order not completed by its due date (source "rectification:<order id>");
- an organization that cannot be contacted at its registered address, as found on site by
  a spot check (source "spotcheck-unreachable:<check id>").
The credit app skips a source it has seen before, so these functions may return the same
cases every day: the detection stays idempotent.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from shezhi.registry.models import OrganizationStatus
from shezhi.spotchecks.models import CheckResult, CheckStatus
from shezhi.spotchecks.selectors import overdue_rectifications

ENDED = [OrganizationStatus.REVOKED, OrganizationStatus.DEREGISTERED]
OVERDUE_GROUND = "rectification_not_completed"
UNREACHABLE_GROUND = "address_unreachable"


def overdue_orders(on: dt.date) -> list:
    from shezhi.credit.detection import Detected

    found = []
    qs = overdue_rectifications(on).exclude(organization__status__in=ENDED).select_related("document").order_by("id")
    for order in qs.iterator(chunk_size=2000):
        found.append(
            Detected(
                organization_id=order.organization_id,
                source=f"rectification:{order.pk}",
                list_kind="abnormal",
                ground_code=OVERDUE_GROUND,
                evidence=_("Rectification order of %(issued)s (%(number)s) was due by %(due)s; it was not completed by %(on)s.")
                % {
                    "issued": order.issued_on.isoformat(),
                    "number": order.document.number if order.document_id else f"#{order.pk}",
                    "due": order.due_on.isoformat(),
                    "on": on.isoformat(),
                },
            )
        )
    return found


def unreachable_findings(on: dt.date) -> list:
    from shezhi.credit.detection import Detected
    from shezhi.spotchecks.models import Check

    found = []
    qs = (
        Check.objects.filter(status=CheckStatus.RECORDED, result=CheckResult.UNREACHABLE, checked_on__lte=on)
        .exclude(organization__status__in=ENDED)
        .select_related("campaign")
        .order_by("id")
    )
    for check in qs.iterator(chunk_size=2000):
        found.append(
            Detected(
                organization_id=check.organization_id,
                source=f"spotcheck-unreachable:{check.pk}",
                list_kind="abnormal",
                ground_code=UNREACHABLE_GROUND,
                evidence=_("Spot check “%(campaign)s” on %(date)s: the organization could not be contacted at its registered address.")
                % {"campaign": check.campaign.title, "date": check.checked_on.isoformat()},
            )
        )
    return found
