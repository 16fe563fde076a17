"""What this app adds to the rest of the site: menu links, organization page sections, demo data."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shezhi.accounts.models import Role


def public_section(org, request) -> dict:
    """The credit record on an organization's public page: lists (current and past),
    penalties, annual inspections, rating. Three queries."""
    from shezhi.credit.selectors import credit_record

    return {"record": credit_record(org)}


def staff_section(org, request) -> dict | None:
    """On the registry's staff page: the lists the organization is on now and the cases
    awaiting decision, with a link to the staff credit page (bureau and town officers)."""
    from shezhi.credit.models import ListEntry, ProposalStatus
    from shezhi.credit.selectors import can_read, proposals_visible_to

    user = getattr(request, "user", None)
    if not can_read(user):
        return None
    current = list(ListEntry.objects.filter(organization=org, removed_on__isnull=True).select_related("ground").order_by("included_on"))
    pending = proposals_visible_to(user).filter(organization=org, status=ProposalStatus.PENDING).count()
    return {"org_id": org.pk, "current": current, "pending": pending}


def register() -> None:
    from shezhi.extensions import demo_seeder, nav_item, organization_section

    nav_item("credit_lists", _("Credit lists"), "credit:lists", public=True, order=60)
    nav_item("credit_queue", _("Credit review"), "credit:queue", roles=[Role.BUREAU, Role.TOWN], order=61)
    organization_section("credit_record", "credit/_section_public.html", public_section, audience="public", order=20)
    organization_section("credit_staff", "credit/_section_staff.html", staff_section, audience="staff", order=20)

    def seed(scale_name: str, seed: int, log) -> None:
        from shezhi.credit.demo import seed_credit

        seed_credit(scale_name=scale_name, seed=seed, log=log)

    demo_seeder("credit", seed, order=50)
