"""Daily detection of list grounds the system can see: the system proposes, the bureau decides.

A detector is a function `fn(on: date) -> Iterable[Detected]` registered with
`detector(key, fn)` (in an AppConfig.ready(); shezhi.spotchecks registers its own for
rectification orders not completed in time). `detect(on)` runs every detector and turns
what they found into pending Proposals in the review queue, idempotently:

- a (organization, source) already proposed — pending, confirmed or dismissed — is skipped,
  so a dismissed case does not come back and running twice proposes nothing twice;
- an inclusion (or escalation) for an organization already on that list for that ground is
  skipped; it is proposed on a later run if the entry has been removed by then;
- a removal of an entry already removed is skipped.

The source key names the case: "annual_report:2025:org-17" (a new year's miss is a new
case), "penalty:9", "escalate:entry-3", "remove:entry-3:since-2021-04-01" (a new ground
moves the date, so a removal dismissed before the new ground is proposed again later),
"rectification:42" (spot checks).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from shezhi.audit.models import AuditAction
from shezhi.credit.models import Ground, ListEntry, ListKind, Penalty, PenaltyKind, Proposal, ProposalAction
from shezhi.credit.rules import CreditRulesBook, is_small_penalty, period_complete_on, period_end, serious_penalty_ground, window_start

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Detected:
    organization_id: int
    source: str
    list_kind: str
    ground_code: str
    evidence: str
    action: str = ProposalAction.INCLUDE
    entry_id: int | None = None  # the entry to escalate or remove


@dataclass
class DetectionResult:
    on: dt.date
    proposed: int = 0
    already_proposed: int = 0
    already_listed: int = 0
    ignored: int = 0  # unknown or inactive ground, entry already closed
    by_detector: dict[str, int] = field(default_factory=dict)
    proposals: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["on"] = self.on.isoformat()
        data.pop("proposals")
        return data


_detectors: dict[str, Callable[[dt.date], Iterable[Detected]]] = {}


def detector(key: str, fn: Callable[[dt.date], Iterable[Detected]]) -> None:
    """Register a detector (idempotent by key)."""
    _detectors[key] = fn


def detectors() -> dict[str, Callable[[dt.date], Iterable[Detected]]]:
    return dict(sorted(_detectors.items()))


def detect(on: dt.date, *, only: str | None = None) -> DetectionResult:
    """Run the detectors for the day `on` and propose what they found (see the module doc).
    Evidence is written in the site's language (the queue is read by the bureau)."""
    result = DetectionResult(on=on)
    with translation.override(settings.LANGUAGE_CODE):
        for key, fn in detectors().items():
            if only is not None and key != only:
                continue
            created = propose(list(fn(on)), on=on, source_label=key, result=result)
            result.by_detector[key] = created
    _tell_bureaus(result.proposals)
    return result


def _chunks(items: list, size: int = 500) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def propose(items: list[Detected], *, on: dt.date, source_label: str = "", by=None, result: DetectionResult | None = None) -> int:
    """Create the pending proposals of `items` that are new (see the module doc). Returns how
    many were created. Also used by services when a penalty is recorded."""
    result = result if result is not None else DetectionResult(on=on)
    if not items:
        return 0
    grounds = {g.code: g for g in Ground.objects.all()}
    org_ids = sorted({d.organization_id for d in items})
    known = _known_cases(items)
    listed: set[tuple[int, str, int]] = set()
    open_entries: set[int] = set()
    for chunk in _chunks(org_ids):
        for org_id, kind, ground_id, entry_id in ListEntry.objects.filter(organization_id__in=chunk, removed_on__isnull=True).values_list(
            "organization_id", "list_kind", "ground_id", "id"
        ):
            listed.add((org_id, kind, ground_id))
            open_entries.add(entry_id)
    fresh: list[tuple[Detected, Ground]] = []
    for d in items:
        ground = grounds.get(d.ground_code)
        key = (d.organization_id, d.source[:100])
        if ground is None or not ground.active or ground.list_kind != d.list_kind:
            if ground is None:
                log.warning("credit detection %s: unknown ground %r", source_label, d.ground_code)
            result.ignored += 1
            continue
        if key in known:
            result.already_proposed += 1
            continue
        if d.action in (ProposalAction.INCLUDE, ProposalAction.ESCALATE) and (d.organization_id, d.list_kind, ground.pk) in listed:
            result.already_listed += 1
            continue
        if d.action in (ProposalAction.ESCALATE, ProposalAction.REMOVE) and d.entry_id not in open_entries:
            result.ignored += 1
            continue
        known.add(key)
        fresh.append((d, ground))
    source = f"credit-detection:{source_label}" if source_label else "credit-detection"
    created = 0
    for chunk in _chunks(fresh):
        try:
            # One insert per chunk; a chunk that meets a concurrent run's row is done row by row.
            with transaction.atomic():
                made = Proposal.objects.bulk_create([_proposal(d, ground, on) for d, ground in chunk])
                _audit(made, chunk, by=by, source=source)
        except IntegrityError:
            made = []
            for d, ground in chunk:
                try:
                    with transaction.atomic():
                        proposal = _proposal(d, ground, on)
                        proposal.save()
                        _audit([proposal], [(d, ground)], by=by, source=source)
                except IntegrityError:  # another run proposed the same case at the same moment
                    result.already_proposed += 1
                else:
                    made.append(proposal)
        created += len(made)
        result.proposed += len(made)
        result.proposals.extend(p.pk for p in made)
    return created


def _known_cases(items: list[Detected]) -> set[tuple[int, str]]:
    """The (organization, source) pairs of `items` already proposed, in any status."""
    by_org: dict[int, list[str]] = defaultdict(list)
    for d in items:
        by_org[d.organization_id].append(d.source[:100])
    known: set[tuple[int, str]] = set()
    for chunk in _chunks(sorted(by_org)):
        sources = sorted({src for org_id in chunk for src in by_org[org_id]})
        for part in _chunks(sources):
            known.update(Proposal.objects.filter(organization_id__in=chunk, source__in=part).values_list("organization_id", "source"))
    return known


def _proposal(d: Detected, ground: Ground, on: dt.date) -> Proposal:
    return Proposal(
        organization_id=d.organization_id,
        action=d.action,
        list_kind=d.list_kind,
        ground=ground,
        entry_id=d.entry_id if d.action != ProposalAction.INCLUDE else None,
        source=d.source[:100],
        evidence=d.evidence,
        detected_on=on,
    )


def _audit(proposals: list[Proposal], items: list[tuple[Detected, Ground]], *, by, source: str) -> None:
    """One audit entry per new proposal, written in one insert (a first run may find
    thousands of cases)."""
    from shezhi.audit.middleware import current_request_context
    from shezhi.audit.models import AuditEntry
    from shezhi.audit.services import actor_label
    from shezhi.registry.models import Organization

    ctx = current_request_context()
    names = dict(Organization.objects.filter(pk__in={p.organization_id for p in proposals}).values_list("id", "name"))
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                actor=by if getattr(by, "is_authenticated", False) else None,
                actor_label=actor_label(by),
                action=AuditAction.CREDIT_PROPOSED,
                target_type=Proposal._meta.label_lower,
                target_id=str(p.pk),
                target_label=f"{names.get(d.organization_id, d.organization_id)} · {ProposalAction(d.action).label} · {ground.name}"[:300],
                changes={"action": [None, d.action], "list": [None, d.list_kind], "ground": [None, ground.code]},
                reason=d.evidence[:1000],
                source=source[:100],
                ip=ctx.ip if ctx else None,
                user_agent=ctx.user_agent if ctx else "",
            )
            for p, (d, ground) in zip(proposals, items, strict=True)
        ]
    )


def _tell_bureaus(proposal_ids: list[int]) -> None:
    """One message per bureau officer of each city with new cases."""
    if not proposal_ids:
        return
    from shezhi.accounts.models import Role, User
    from shezhi.notifications.services import notify

    per_city: dict[int, int] = defaultdict(int)
    for chunk in _chunks(proposal_ids):
        for city_id in Proposal.objects.filter(pk__in=chunk).values_list("organization__city_id", flat=True):
            per_city[city_id] += 1
    try:
        from django.urls import reverse

        url = reverse("credit:queue")
    except Exception:  # the pages may not be mounted (e.g. a stripped-down test setup)
        url = ""
    for city_id, count in per_city.items():
        users = User.objects.filter(role=Role.BUREAU, area_id=city_id, is_active=True)
        notify(
            recipients=users,
            title=_("%(count)s new case(s) in the credit review queue") % {"count": count},
            url=url,
        )


# --- the detectors of this app ----------------------------------------------------------


def detect_annual_reports(on: dt.date) -> list[Detected]:
    """Registered organizations that have not filed the annual report of the latest year
    whose bureau deadline has passed on `on` (ground: annual report not filed in time).

    Each organization is checked for one year at a time: the previous year once its
    deadline has passed, else the year before. The year is part of the source key, so next
    year's miss is a new case. Years before the bureau's "records complete from" year
    (InspectionRules) are not checked: before then a missing result proves nothing.
    """
    from shezhi.inspection.rules import RulesBook, annual_report_due
    from shezhi.inspection.selectors import not_reported_queryset, overdue_q
    from shezhi.registry.models import Organization

    book = RulesBook.load()
    found: list[Detected] = []
    latest = on.year - 1
    passes = [
        (latest, Organization.objects.filter(overdue_q(latest, on, book))),
        (latest - 1, Organization.objects.exclude(overdue_q(latest, on, book))),
    ]
    for year, base in passes:
        qs = not_reported_queryset(base, year=year, as_of=on, book=book).only(
            "id", "name", "legal_form", "supervising_unit", "city_id", "registration", "status", "founded_on"
        )
        for org in qs.order_by("id").iterator(chunk_size=2000):
            rules = book.for_city(org.city_id)
            if rules.records_complete_from is not None and year < rules.records_complete_from:
                continue
            due = annual_report_due(org, year, rules=rules).bureau
            if due >= on:
                continue
            found.append(
                Detected(
                    organization_id=org.pk,
                    source=f"annual_report:{year}:org-{org.pk}",
                    list_kind=ListKind.ABNORMAL,
                    ground_code="annual_report_missed",
                    evidence=_("The annual work report for %(year)s was due with the bureau by %(due)s; none was filed by %(on)s.")
                    % {"year": year, "due": due.isoformat(), "on": on.isoformat()},
                )
            )
    return found


def _penalty_text(p: Penalty) -> str:
    text = _("%(kind)s decided on %(date)s (%(number)s)") % {
        "kind": p.get_kind_display(),
        "date": p.decided_on.isoformat(),
        "number": p.decision_number,
    }
    if p.fine_amount is not None:
        text += _(", %(amount)s yuan") % {"amount": f"{p.fine_amount:,.2f}"}
    return text


def penalty_detections(penalties: list[Penalty], history: dict[int, list[Penalty]], book: CreditRulesBook) -> list[Detected]:
    """The list ground each penalty is: a warning or a small fine is an abnormal-list
    ground, or — if it makes `repeat_penalties` of them within `repeat_window_years` (the
    period ending on its decision day) — a serious-list ground; a fine at or above the limit,
    an order to stop activities and a revocation are serious-list grounds. A confiscation
    alone is no list ground. `history` holds each organization's counting penalties."""
    found = []
    for p in penalties:
        rules = book.for_city(p.organization.city_id)
        serious = serious_penalty_ground(p.kind, p.fine_amount, rules)
        source = f"penalty:{p.pk}"
        if serious:
            found.append(
                Detected(
                    p.organization_id,
                    source,
                    ListKind.SERIOUS,
                    serious,
                    _("Administrative penalty: %(penalty)s.") % {"penalty": _penalty_text(p)},
                )
            )
            continue
        if not is_small_penalty(p.kind, p.fine_amount, rules):
            continue
        start = window_start(p.decided_on, rules.repeat_window_years)
        small = [
            q
            for q in history.get(p.organization_id, [])
            if start <= q.decided_on <= p.decided_on
            and (q.decided_on, q.pk) <= (p.decided_on, p.pk)
            and is_small_penalty(q.kind, q.fine_amount, rules)
        ]
        if len(small) >= rules.repeat_penalties:
            evidence = _("%(count)s warnings or fines under %(limit)s yuan within %(years)s years (%(start)s – %(end)s): %(list)s.") % {
                "count": len(small),
                "limit": f"{rules.small_fine_limit:,.0f}",
                "years": rules.repeat_window_years,
                "start": start.isoformat(),
                "end": p.decided_on.isoformat(),
                "list": "; ".join(_penalty_text(q) for q in small),
            }
            found.append(Detected(p.organization_id, source, ListKind.SERIOUS, "repeat_penalties", evidence))
        else:
            found.append(
                Detected(
                    p.organization_id,
                    source,
                    ListKind.ABNORMAL,
                    "small_penalty",
                    _("Administrative penalty: %(penalty)s (a warning or a fine under %(limit)s yuan).")
                    % {"penalty": _penalty_text(p), "limit": f"{rules.small_fine_limit:,.0f}"},
                )
            )
    return found


def load_penalty_history(org_ids: Iterable[int], since: dt.date | None = None) -> dict[int, list[Penalty]]:
    qs = Penalty.objects.filter(organization_id__in=list(org_ids), withdrawn_on__isnull=True).select_related("organization")
    if since is not None:
        qs = qs.filter(decided_on__gte=since)
    history: dict[int, list[Penalty]] = defaultdict(list)
    for p in qs.order_by("decided_on", "id"):
        history[p.organization_id].append(p)
    return history


def detect_penalties(on: dt.date) -> list[Detected]:
    """Penalties decided up to `on` within the serious-list removal period (older ones no
    longer bear on either list), each as the ground it is (see penalty_detections).
    Penalties recorded through the services are proposed at once; this catches the rest
    (e.g. recorded in the admin) and is a no-op for the others."""
    book = CreditRulesBook.load()
    longest = max([book.default.serious_removal_years, *(r.serious_removal_years for r in book.by_city.values())])
    window = max([book.default.repeat_window_years, *(r.repeat_window_years for r in book.by_city.values())])
    since = window_start(on, longest)
    recent = list(
        Penalty.objects.filter(withdrawn_on__isnull=True, decided_on__gte=since, decided_on__lte=on)
        .exclude(kind=PenaltyKind.CONFISCATION)
        .select_related("organization")
        .order_by("decided_on", "id")
    )
    if not recent:
        return []
    history = load_penalty_history({p.organization_id for p in recent}, since=window_start(since, window))
    return penalty_detections(recent, history, book)


def detect_escalations(on: dt.date) -> list[Detected]:
    """Abnormal-list entries open for `escalate_after_years` full years on `on` (the period
    counted as in rules.py: from 2024-02-29, two full years end on 2026-02-28 and the
    escalation is proposed from 2026-03-01)."""
    book = CreditRulesBook.load()
    found = []
    entries = ListEntry.objects.filter(list_kind=ListKind.ABNORMAL, removed_on__isnull=True, included_on__lte=on).select_related(
        "organization", "ground"
    )
    for entry in entries.order_by("included_on", "id").iterator(chunk_size=2000):
        years = book.for_city(entry.organization.city_id).escalate_after_years
        complete = period_complete_on(entry.included_on, years)
        if on < complete:
            continue
        found.append(
            Detected(
                organization_id=entry.organization_id,
                source=f"escalate:entry-{entry.pk}",
                list_kind=ListKind.SERIOUS,
                ground_code="abnormal_two_years",
                action=ProposalAction.ESCALATE,
                entry_id=entry.pk,
                evidence=_(
                    "On the abnormal-activity list since %(included)s (%(ground)s, %(number)s): %(years)s full years ended on "
                    "%(end)s; the organization has been on the list %(years)s full years since %(complete)s."
                )
                % {
                    "included": entry.included_on.isoformat(),
                    "ground": entry.ground.name,
                    "number": entry.decision_number,
                    "years": years,
                    "end": period_end(entry.included_on, years).isoformat(),
                    "complete": complete.isoformat(),
                },
            )
        )
    return found


def last_ground_dates(org_ids: Iterable[int], on: dt.date) -> tuple[dict[int, list[dt.date]], dict[int, list[dt.date]]]:
    """Per organization: the decision dates of counting penalties and of list inclusions up
    to `on` (the "new grounds" that restart the serious-list removal period)."""
    org_ids = list(org_ids)
    penalties: dict[int, list[dt.date]] = defaultdict(list)
    inclusions: dict[int, list[dt.date]] = defaultdict(list)
    for org_id, day in Penalty.objects.filter(organization_id__in=org_ids, withdrawn_on__isnull=True, decided_on__lte=on).values_list(
        "organization_id", "decided_on"
    ):
        penalties[org_id].append(day)
    for org_id, day in ListEntry.objects.filter(organization_id__in=org_ids, included_on__lte=on).values_list(
        "organization_id", "included_on"
    ):
        inclusions[org_id].append(day)
    return penalties, inclusions


def detect_serious_removals(on: dt.date) -> list[Detected]:
    """Serious-list entries with `serious_removal_years` full years without a new ground: no
    penalty decided and no list inclusion (of any list) after the entry's own inclusion.
    The clock starts again at the latest new ground."""
    book = CreditRulesBook.load()
    entries = list(
        ListEntry.objects.filter(list_kind=ListKind.SERIOUS, removed_on__isnull=True, included_on__lte=on)
        .select_related("organization", "ground")
        .order_by("included_on", "id")
    )
    if not entries:
        return []
    found = []
    for chunk in _chunks(entries):
        penalties, inclusions = last_ground_dates({e.organization_id for e in chunk}, on)
        for entry in chunk:
            years = book.for_city(entry.organization.city_id).serious_removal_years
            later = [
                d for d in penalties.get(entry.organization_id, []) + inclusions.get(entry.organization_id, []) if d > entry.included_on
            ]
            since = max([entry.included_on, *later])
            complete = period_complete_on(since, years)
            if on < complete:
                continue
            if since == entry.included_on:
                evidence = _(
                    "On the serious-violation list since %(included)s (%(ground)s, %(number)s); no new ground since: "
                    "%(years)s full years ended on %(end)s."
                )
            else:
                evidence = _(
                    "On the serious-violation list since %(included)s (%(ground)s, %(number)s); the latest new ground was on %(since)s, "
                    "%(years)s full years after it ended on %(end)s."
                )
            found.append(
                Detected(
                    organization_id=entry.organization_id,
                    source=f"remove:entry-{entry.pk}:since-{since.isoformat()}",
                    list_kind=ListKind.SERIOUS,
                    ground_code=entry.ground.code,
                    action=ProposalAction.REMOVE,
                    entry_id=entry.pk,
                    evidence=evidence
                    % {
                        "included": entry.included_on.isoformat(),
                        "ground": entry.ground.name,
                        "number": entry.decision_number,
                        "since": since.isoformat(),
                        "years": years,
                        "end": period_end(since, years).isoformat(),
                    },
                )
            )
    return found


def run_daily(on: dt.date) -> dict:
    """The daily job (registered in CreditConfig.ready)."""
    return detect(on).as_dict()


def register_own_detectors() -> None:
    detector("annual_report", detect_annual_reports)
    detector("penalties", detect_penalties)
    detector("escalation", detect_escalations)
    detector("serious_removal", detect_serious_removals)
