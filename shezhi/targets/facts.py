"""Keeping the targets' history of organizations (OrganizationFact) in step with the registry.

The registry's services send a signal inside each write's transaction; `sync_organization`
then closes the facts that no longer hold on the day the change takes effect and opens the
new ones from that day. A registration or filing takes effect on its date, so an
organization filed late with its real date counts from that date. A revocation or
deregistration ends every fact on the day of the decision.

`rebuild_facts` derives the history afresh from the organizations as they are now (each fact
from the registration date to the end of the organization, if any); seeding and
`manage.py rebuild_target_facts` use it. It cannot know earlier changes, which only the
running system records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from shezhi.areas.models import Area, AreaLevel
from shezhi.registry.models import DirectCategory, Organization, OrganizationStatus, RegistrationKind
from shezhi.targets.models import FactKind, OrganizationFact

ENDED = (OrganizationStatus.REVOKED, OrganizationStatus.DEREGISTERED)
DECOUPLING_FIELDS = (
    "decoupled_institution_on",
    "decoupled_functions_on",
    "decoupled_finances_on",
    "decoupled_personnel_on",
    "decoupled_party_affairs_on",
)

# (kind, city_id, town_id, community_id): what identifies a fact of an organization.
Key = tuple[str, int, int | None, int | None]


def decoupling_done_on(org: Organization) -> dt.date | None:
    """The day all five separations were done: the last of the five dates, if all are set."""
    dates = [getattr(org, f) for f in DECOUPLING_FIELDS]
    return max(dates) if all(dates) else None


def is_trade_association(org: Organization) -> bool:
    return org.registration == RegistrationKind.REGISTERED and org.direct_category == DirectCategory.TRADE_ASSOCIATION


def _place(area: Area) -> tuple[int, int | None, int | None]:
    if area.level == AreaLevel.CITY:
        return area.pk, None, None
    if area.level == AreaLevel.TOWN:
        return area.city_id, area.pk, None
    return area.city_id, area.town_id, area.pk


def facts_of(
    org: Organization, *, served: Iterable[Area] | None = None, hub_area: Area | None = None, while_alive: bool = False
) -> dict[Key, dt.date | None]:
    """The facts an organization holds in its present state, each with its done_on (none
    once it is revoked or deregistered; with while_alive, those it held before that)."""
    if org.status in ENDED and not while_alive:
        return {}
    out: dict[Key, dt.date | None] = {}
    if org.is_community_org:
        out[(FactKind.COMMUNITY_ORG, org.city_id, org.town_id, org.community_id)] = None
    if org.hub_kind and org.hub_area_id:
        area = hub_area if hub_area is not None else org.hub_area
        if area.level != AreaLevel.PROVINCE:
            out[(FactKind.HUB, *_place(area))] = None
    if org.is_social_work_agency:
        communities = served if served is not None else org.served_communities.all()
        for community in communities:
            out[(FactKind.SOCIAL_WORK, *_place(community))] = None
    if is_trade_association(org):
        out[(FactKind.TRADE_ASSOCIATION, org.city_id, org.town_id, org.community_id)] = decoupling_done_on(org)
    return out


def _key(fact: OrganizationFact) -> Key:
    return (fact.kind, fact.city_id, fact.town_id, fact.community_id)


def sync_organization(org: Organization, *, on: dt.date, founded_on_before: dt.date | None = None) -> None:
    """Bring the organization's open facts in line with its present state, effective `on`."""
    org.refresh_from_db(fields=["status", "status_changed_on", "founded_on", "hub_area"])
    wanted = facts_of(org)
    facts = list(OrganizationFact.objects.filter(organization=org, until__isnull=True))
    # A corrected registration date moves the start of the facts that began with it.
    if founded_on_before and org.founded_on and founded_on_before != org.founded_on:
        for fact in facts:
            if fact.since == founded_on_before:
                fact.since = org.founded_on
                fact.save(update_fields=["since"])
    start = max(on, org.founded_on) if org.founded_on else on
    held = {}
    for fact in facts:
        key = _key(fact)
        if key in wanted and key not in held:
            held[key] = fact
            if fact.done_on != wanted[key]:  # a date of the record itself, not a change of state
                fact.done_on = wanted[key]
                fact.save(update_fields=["done_on"])
        elif on <= fact.since:  # never held on any day
            fact.delete()
        else:
            fact.until = on
            fact.save(update_fields=["until"])
    OrganizationFact.objects.bulk_create(
        [
            OrganizationFact(organization=org, kind=k[0], city_id=k[1], town_id=k[2], community_id=k[3], since=start, done_on=wanted[k])
            for k in wanted
            if k not in held
        ]
    )


def _history_of(org: Organization, served: list[Area], hub_area: Area | None) -> list[OrganizationFact]:
    since = org.founded_on or timezone.localtime(org.created_at).date()
    until = org.status_changed_on if org.status in ENDED else None
    if until is not None and until <= since:
        return []
    wanted = facts_of(org, served=served, hub_area=hub_area, while_alive=True)
    return [
        OrganizationFact(
            organization_id=org.pk, kind=k[0], city_id=k[1], town_id=k[2], community_id=k[3], since=since, until=until, done_on=done
        )
        for k, done in wanted.items()
    ]


def record_new(organizations: Iterable[Organization], *, served: dict[int, list[Area]]) -> int:
    """The facts of organizations just inserted in bulk (the import), from the objects in
    hand: one insert, no reads."""
    facts = []
    for org in organizations:
        facts += _history_of(org, served.get(org.pk, []), org.hub_area if org.hub_area_id else None)
    OrganizationFact.objects.bulk_create(facts, batch_size=1000)
    return len(facts)


def rebuild_facts(organizations=None, *, batch: int = 2000, log=None) -> int:
    """Derive the facts of these organizations (all, by default) from their present state,
    replacing what was there. Returns the number of facts written."""
    qs = Organization.objects.all() if organizations is None else organizations
    ids = list(qs.order_by("pk").values_list("pk", flat=True))
    areas = {a.pk: a for a in Area.objects.exclude(level=AreaLevel.PROVINCE).only("pk", "level", "city_id", "town_id")}
    through = Organization.served_communities.through
    written = 0
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        served: dict[int, list[Area]] = {}
        for org_id, area_id in through.objects.filter(organization_id__in=chunk).values_list("organization_id", "area_id"):
            served.setdefault(org_id, []).append(areas[area_id])
        facts = []
        for org in Organization.objects.filter(pk__in=chunk).only(
            "pk", "registration", "direct_category", "is_community_org", "city_id", "town_id", "community_id", "hub_kind",
            "hub_area_id", "is_social_work_agency", "status", "status_changed_on", "founded_on", "created_at", *DECOUPLING_FIELDS,
        ):  # fmt: skip
            facts += _history_of(org, served.get(org.pk, []), areas.get(org.hub_area_id))
        with transaction.atomic():
            OrganizationFact.objects.filter(organization_id__in=chunk).delete()
            OrganizationFact.objects.bulk_create(facts, batch_size=1000)
        written += len(facts)
        if log and (start // batch) % 50 == 49:
            log(f"target facts: {start + len(chunk):,} of {len(ids):,} organizations")
    return written
