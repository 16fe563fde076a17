"""What the online-affairs workflow (shezhi.affairs) calls for charity recognition (慈善组织认定)
and the public fundraising qualification (公开募捐资格).

- check_submit(*, filing) -> list[str]: reasons, in the applicant's words, that keep the
  filing from being submitted.
- check_decision(*, filing) -> list[str]: reasons, for the person deciding, why the filing
  must be refused; the approval is refused while there are any, and the reasons are the
  refusal's.
- on_approved(*, filing, by, decision): write the result to the registry, in the approval's
  transaction, with the filing as the change's source.

The rules are in rules.py; the credit record's part (lists, penalties) is judged as of the
day the application was submitted (慈善组织认定办法 art. 5: "申请前二年内", "申请时").
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from shezhi.charity.rules import charity_rules_for, fundraising_checks, reasons, recognition_checks
from shezhi.registry.models import RegistrationKind
from shezhi.registry.services import organization_update

RECOGNITION = "charity_recognition"
FUNDRAISING = "public_fundraising"


def applied_on(filing) -> dt.date:
    """The day the application was (first) submitted; today while it is being submitted."""
    submitted = getattr(filing, "submitted_at", None)
    if isinstance(submitted, dt.datetime):
        return timezone.localdate(submitted) if timezone.is_aware(submitted) else submitted.date()
    return timezone.localdate()


def _kind(filing) -> str:
    return getattr(getattr(filing, "procedure", None), "kind", "") or ""


def check_submit(*, filing) -> list[str]:
    org = filing.organization
    if org is None:
        return [_("The application must be made by the organization's own account.")]
    kind = _kind(filing)
    if kind == RECOGNITION:
        if org.registration != RegistrationKind.REGISTERED:
            return [_("Only a registered foundation, social group or social service agency can be recognized as a charity.")]
        if org.is_charity:
            return [
                _("The organization is already recognized as a charity (%(date)s).")
                % {"date": org.charity_recognized_on.isoformat() if org.charity_recognized_on else "—"}
            ]
        return []
    if kind == FUNDRAISING:
        if org.public_fundraising:
            return [_("The organization already holds the public fundraising qualification.")]
        return reasons(fundraising_checks(org, on=applied_on(filing), rules=charity_rules_for(org)))
    return []


def check_decision(*, filing) -> list[str]:
    org = filing.organization
    if org is None:
        return [_("The filing has no organization.")]
    kind = _kind(filing)
    on = applied_on(filing)
    if kind == RECOGNITION:
        found = reasons(recognition_checks(org, applied_on=on))
        if org.is_charity:
            found.append(_("The organization is already recognized as a charity."))
        return found
    if kind == FUNDRAISING:
        found = reasons(fundraising_checks(org, on=on, rules=charity_rules_for(org)))
        from shezhi.registry.models import OrganizationStatus

        if org.status != OrganizationStatus.NORMAL:
            found.append(_("The organization is %(status)s.") % {"status": org.get_status_display()})
        return found
    return []


def on_approved(*, filing, by, decision: dict) -> None:
    org = filing.organization
    kind = _kind(filing)
    reason = f"{filing.procedure.name}（{filing.number}）"
    source = f"filing:{filing.number}"
    if kind == RECOGNITION:
        organization_update(
            organization=org, data={"is_charity": True, "charity_recognized_on": timezone.localdate()}, by=by, reason=reason, source=source
        )
    elif kind == FUNDRAISING:
        organization_update(organization=org, data={"public_fundraising": True}, by=by, reason=reason, source=source)
    org.refresh_from_db()
