"""{% load inspection %}{% inspection_history org %}: an organization's annual inspections,
for any page whose viewer may already see the organization (the registry's record page)."""

from __future__ import annotations

from django import template
from django.utils import timezone

from shezhi.accounts.models import Role
from shezhi.inspection.filings import affairs_installed, annual_report_start_url
from shezhi.inspection.rules import annual_report_due, annual_report_obligation, report_attachments_required, reporting_year, rules_for
from shezhi.inspection.selectors import inspection_history as history_of

register = template.Library()


@register.inclusion_tag("inspection/_history.html", takes_context=True)
def inspection_history(context, org):
    today = timezone.localdate()
    year = reporting_year(today)
    rules = rules_for(org)
    rows = list(history_of(org))
    obligation = annual_report_obligation(org, year, rules=rules)
    reported = any(r.year == year for r in rows)
    if not reported and obligation.required and affairs_installed():
        from shezhi.inspection.filings import open_reports

        reported = open_reports(year).filter(organization=org).exists()
    due = annual_report_due(org, year, rules=rules) if obligation.required else None
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "org": org,
        "rows": rows,
        "year": year,
        "obligation": obligation,
        "due": due,
        "reported": reported,
        "overdue": bool(due and not reported and today > due.bureau),
        "attachments": report_attachments_required(org, year, rules=rules) if obligation.required and not reported else [],
        "can_open_rating": getattr(user, "role", None) == Role.BUREAU and org.is_registered,
        "file_url": annual_report_start_url()
        if obligation.required and not reported and getattr(user, "role", None) == Role.ORGANIZATION and user.organization_id == org.pk
        else "",
    }
