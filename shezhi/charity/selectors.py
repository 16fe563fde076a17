"""Reads of the charity section, scoped to the acting user; a forbidden object is "not found".

- The public sees recognized charities and published disclosures.
- An organization's account sees its own campaigns, drafts, obligations and reports.
- The bureau sees the charities of its city: their published disclosures, what is late, tax
  status. Drafts are the organization's own until published.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from shezhi.accounts.models import Role
from shezhi.accounts.selectors import area_scope_q
from shezhi.areas.models import AreaLevel
from shezhi.charity.models import (
    Disclosure,
    DisclosureRules,
    DisclosureStatus,
    FundraisingCampaign,
    TaxSpecialReport,
    TaxStatusDecision,
)
from shezhi.charity.rules import ENDED, Obligation, ObligationState, RulesBook, compute_obligations
from shezhi.registry.models import Organization, TaxDeductibleYear

# --- who is who ------------------------------------------------------------------------------


def is_org_account(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.role == Role.ORGANIZATION and bool(user.organization_id)


def is_bureau(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.role == Role.BUREAU and user.area_id is not None


def own_organization(user, organization: Organization) -> bool:
    return is_org_account(user) and user.organization_id == organization.pk


def bureau_covers(user, organization: Organization) -> bool:
    """The bureau of the organization's city (or of the province)."""
    if not is_bureau(user):
        return False
    area = user.area
    if area.level == AreaLevel.PROVINCE:
        return True
    return area.level == AreaLevel.CITY and organization.city_id == area.pk


def bureau_organizations(user) -> QuerySet[Organization]:
    """Organizations whose charity matters the bureau oversees: its city's."""
    if not is_bureau(user):
        return Organization.objects.none()
    q = area_scope_q(user)
    return Organization.objects.none() if q is None else Organization.objects.filter(q)


# --- public ----------------------------------------------------------------------------------


def charities_public(*, q: str = "", fundraising: bool = False, town: int | None = None) -> QuerySet[Organization]:
    """Recognized charities the public may look up (not deregistered or revoked)."""
    qs = Organization.objects.filter(is_charity=True).exclude(status__in=list(ENDED)).select_related("town", "city")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(credit_code__iexact=q))
    if fundraising:
        qs = qs.filter(public_fundraising=True)
    if town:
        qs = qs.filter(town_id=town)
    return qs.order_by("sort_key", "id")


def published_disclosures() -> QuerySet[Disclosure]:
    return Disclosure.objects.filter(status=DisclosureStatus.PUBLISHED).select_related("organization", "campaign", "corrects")


def disclosure_for(user, pk) -> Disclosure:
    """A published disclosure (anyone), or a draft of the user's own organization; else 404."""
    try:
        d = Disclosure.objects.select_related("organization", "campaign", "corrects", "published_by", "created_by").get(pk=pk)
    except (Disclosure.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if d.is_published or own_organization(user, d.organization):
        return d
    raise Http404


def disclosure_owned_by(user, pk) -> Disclosure:
    """A disclosure of the user's own organization (to edit, publish or correct); else 404."""
    d = disclosure_for(user, pk)
    if not own_organization(user, d.organization):
        raise Http404
    return d


def disclosures_visible_to(user) -> QuerySet[Disclosure]:
    """For lists: an organization's account its own (drafts too); the bureau the published
    items of its city; nobody else (the public reads them on the organizations' pages)."""
    qs = Disclosure.objects.select_related("organization", "campaign", "corrects")
    if is_org_account(user):
        return qs.filter(organization_id=user.organization_id)
    if is_bureau(user):
        return qs.filter(status=DisclosureStatus.PUBLISHED, organization__in=bureau_organizations(user))
    return qs.none()


def public_section(organization: Organization, *, on: dt.date | None = None) -> dict | None:
    """What the organization's public page shows: published items (newest first) with their
    corrections linked both ways, and what is late. None when there is nothing to show."""
    on = on or timezone.localdate()
    published = list(
        published_disclosures()
        .filter(organization=organization)
        .prefetch_related(
            Prefetch("corrections", queryset=Disclosure.objects.filter(status=DisclosureStatus.PUBLISHED).order_by("published_at"))
        )
        .order_by("-published_at", "-id")
    )
    if not organization.is_charity and not published:
        return None
    late = [o for o in obligations(organization, on) if o.state == ObligationState.LATE]
    return {"organization": organization, "published": published, "late": late, "on": on}


# --- campaigns -------------------------------------------------------------------------------


def campaigns_of(organization: Organization) -> QuerySet[FundraisingCampaign]:
    return FundraisingCampaign.objects.filter(organization=organization).order_by("-starts_on", "-id")


def campaign_owned_by(user, pk) -> FundraisingCampaign:
    if not is_org_account(user):
        raise Http404
    try:
        return FundraisingCampaign.objects.select_related("organization").get(pk=pk, organization_id=user.organization_id)
    except (FundraisingCampaign.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# --- obligations -----------------------------------------------------------------------------


def obligations_for_many(
    organizations: Iterable[Organization], on: dt.date, *, book: RulesBook | None = None
) -> dict[int, list[Obligation]]:
    """Obligations of many organizations in a fixed number of queries (rules, campaigns,
    items), keyed by organization id."""
    orgs = list(organizations)
    if not orgs:
        return {}
    book = book or RulesBook.load(DisclosureRules)
    ids = [o.pk for o in orgs]
    campaigns: dict[int, list[FundraisingCampaign]] = defaultdict(list)
    by_id: dict[int, FundraisingCampaign] = {}
    for c in FundraisingCampaign.objects.filter(organization_id__in=ids).order_by("starts_on", "id"):
        campaigns[c.organization_id].append(c)
        by_id[c.pk] = c
    originals: dict[int, list[Disclosure]] = defaultdict(list)
    for d in Disclosure.objects.filter(organization_id__in=ids, corrects__isnull=True).defer("body"):
        if d.campaign_id:
            d.campaign = by_id.get(d.campaign_id)
        originals[d.organization_id].append(d)
    return {
        o.pk: compute_obligations(o, on, rules=book.for_city(o.city_id), campaigns=campaigns[o.pk], originals=originals[o.pk]) for o in orgs
    }


def obligations(organization: Organization, on: dt.date | None = None) -> list[Obligation]:
    """What the organization must publish by `on` (and soon after), with what it has done:
    done, done late, late, or open. The caller has checked that the user may see them."""
    on = on or timezone.localdate()
    return obligations_for_many([organization], on)[organization.pk]


def late_obligations(user, *, on: dt.date | None = None, include_published: bool = False, town: int | None = None) -> list[Obligation]:
    """For the bureau: every late item of the charities (and campaign holders) of its city on
    `on`: not published past the due date, and with `include_published` also those published
    late. Earliest due first."""
    if not is_bureau(user):
        return []
    on = on or timezone.localdate()
    orgs = bureau_organizations(user).filter(
        Q(is_charity=True) | Q(fundraising_campaigns__isnull=False) | Q(charity_disclosures__isnull=False)
    )
    if town:
        orgs = orgs.filter(town_id=town)
    orgs = list(orgs.distinct().select_related("town").order_by("sort_key", "id"))
    by_org = {o.pk: o for o in orgs}
    wanted = {ObligationState.LATE, ObligationState.DONE_LATE} if include_published else {ObligationState.LATE}
    rows = []
    for org_id, items in obligations_for_many(orgs, on).items():
        for o in items:
            if o.state in wanted:
                o.extra["organization"] = by_org[org_id]
                rows.append(o)
    rows.sort(key=lambda o: (o.due_on, o.extra["organization"].sort_key, o.key))
    return rows


# --- tax-deductible status -------------------------------------------------------------------


def tax_years_of(organization: Organization) -> list[int]:
    return list(TaxDeductibleYear.objects.filter(organization=organization).order_by("year").values_list("year", flat=True))


def special_reports_of(organization: Organization) -> QuerySet[TaxSpecialReport]:
    return TaxSpecialReport.objects.filter(organization=organization).select_related("recorded_by").order_by("-year")


def tax_decisions_of(organization: Organization) -> QuerySet[TaxStatusDecision]:
    return TaxStatusDecision.objects.filter(organization=organization).select_related("decided_by").order_by("-decided_at", "-id")


def tax_organization_for(user, pk) -> Organization:
    """A registered organization of the bureau's city; else 404."""
    try:
        return bureau_organizations(user).select_related("town", "city").get(pk=pk, registration="registered")
    except (Organization.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
