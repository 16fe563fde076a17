"""Reads of the credit record: list entries and penalties as of a date, the eligibility
rule ("may this organization take part in X on day D, and if not, why"), the public credit
record, and the scoped reads of the staff pages (forbidden is "not found")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from shezhi.accounts.models import Role
from shezhi.accounts.selectors import area_scope_q
from shezhi.credit.models import (
    RATING_ORDER,
    EligibilityRule,
    Ground,
    ListEntry,
    ListKind,
    Penalty,
    PenaltyKind,
    Proposal,
    ProposalStatus,
)
from shezhi.credit.rules import window_start, years_later
from shezhi.registry.models import Organization, OrganizationStatus, RegistrationKind

# --- the credit record as of a date ------------------------------------------------------


def penalties_between(organization, start: dt.date, end: dt.date) -> QuerySet[Penalty]:
    """The organization's penalties that count (not withdrawn) decided within [start, end]."""
    return Penalty.objects.filter(
        organization=organization, withdrawn_on__isnull=True, decided_on__gte=start, decided_on__lte=end
    ).order_by("decided_on", "id")


def entries_on(organization, on: dt.date, list_kind: str | None = None) -> QuerySet[ListEntry]:
    """The organization's list entries in force on `on`: included on or before that day, and
    not yet removed (the removal day is the first day off the list)."""
    qs = ListEntry.objects.filter(organization=organization, included_on__lte=on).filter(Q(removed_on__isnull=True) | Q(removed_on__gt=on))
    if list_kind is not None:
        qs = qs.filter(list_kind=list_kind)
    return qs.select_related("ground").order_by("included_on", "id")


def entries_during(organization, start: dt.date, end: dt.date) -> QuerySet[ListEntry]:
    """Entries in force on any day of [start, end]."""
    return (
        ListEntry.objects.filter(organization=organization, included_on__lte=end)
        .filter(Q(removed_on__isnull=True) | Q(removed_on__gt=start))
        .select_related("ground")
        .order_by("included_on", "id")
    )


@dataclass(frozen=True)
class Check:
    label: str
    ok: bool
    explanation: str


@dataclass
class Eligibility:
    ok: bool
    reasons: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    purpose: str = ""
    name: str = ""
    on: dt.date | None = None


class UnknownPurpose(ValueError):
    pass


def _entry_text(entry: ListEntry) -> str:
    text = _("%(list)s since %(date)s (%(ground)s, %(number)s)") % {
        "list": entry.get_list_kind_display(),
        "date": entry.included_on.isoformat(),
        "ground": entry.ground.name,
        "number": entry.decision_number,
    }
    if entry.removed_on:
        text += _(", removed on %(date)s") % {"date": entry.removed_on.isoformat()}
    return text


def rating_on(organization: Organization, on: dt.date) -> tuple[str, dt.date | None]:
    """The rating in force on `on` and its last valid day: the latest decided assessment
    valid that day, else the registry's rating if it was rated by then and still valid."""
    from shezhi.inspection.models import AssessmentStatus, RatingAssessment

    decided = (
        RatingAssessment.objects.filter(organization=organization, status=AssessmentStatus.DECIDED, decided_on__lte=on, valid_until__gte=on)
        .exclude(level="")
        .order_by("-decided_on", "-id")
        .values_list("level", "valid_until")
        .first()
    )
    if decided:
        return decided[0], decided[1]
    rated = organization.rating and (organization.rated_on is None or organization.rated_on <= on)
    if rated and (organization.rating_valid_until is None or organization.rating_valid_until >= on):
        return organization.rating, organization.rating_valid_until
    return "", None


def _status_check(org: Organization, on: dt.date) -> Check | None:
    if org.status in (OrganizationStatus.REVOKED, OrganizationStatus.DEREGISTERED) and (
        org.status_changed_on is None or org.status_changed_on <= on
    ):
        return Check(
            _("Registration in force"),
            False,
            _("Status: %(status)s (since %(date)s).")
            % {"status": org.get_status_display(), "date": org.status_changed_on.isoformat() if org.status_changed_on else "?"},
        )
    return None


def eligibility(organization: Organization, purpose: str, on: dt.date) -> Eligibility:
    """Whether the organization meets the credit conditions of `purpose` on `on`, each
    condition explained with the dates it used. The conditions are the EligibilityRule row
    of the purpose (data the bureau edits); see 0002_default_grounds_rules for the sources.

    Counting: "during the N years before D" is the period of N years ending on D, D
    included (from the day after D minus N years); "registered N years" is reached on the
    N-th anniversary of registration (29 February: 28 February), as the rating rules of
    shezhi.inspection count it. Withdrawn penalties never count.
    """
    from shezhi.inspection.models import AnnualInspection, InspectionResult
    from shezhi.inspection.rules import annual_report_due, annual_report_obligation, rules_for

    try:
        rule = EligibilityRule.objects.get(purpose=purpose)
    except EligibilityRule.DoesNotExist:
        raise UnknownPurpose(purpose) from None
    org = organization
    checks: list[Check] = []
    if not rule.active:
        checks.append(Check(rule.name, True, _("No credit conditions are in force for %(name)s.") % {"name": rule.name}))
        return Eligibility(ok=True, checks=checks, purpose=purpose, name=rule.name, on=on)

    ended = _status_check(org, on)
    if ended:
        checks.append(ended)

    if rule.legal_person_required:
        ok = org.registration == RegistrationKind.REGISTERED
        checks.append(
            Check(
                _("Registered legal person"),
                ok,
                _("Registered with the credit code %(code)s.") % {"code": org.credit_code}
                if ok
                else _("A community organization filed by its town (%(number)s) is not a registered legal person.")
                % {"number": org.filing_number},
            )
        )

    current = list(entries_on(org, on)) if (rule.not_on_abnormal or rule.not_on_serious) else []
    for kind, wanted in ((ListKind.SERIOUS, rule.not_on_serious), (ListKind.ABNORMAL, rule.not_on_abnormal)):
        if not wanted:
            continue
        found = [e for e in current if e.list_kind == kind]
        label = _("Not on the %(list)s") % {"list": ListKind(kind).label}
        if found:
            checks.append(Check(label, False, _("On %(date)s: ") % {"date": on.isoformat()} + "; ".join(_entry_text(e) for e in found)))
        else:
            checks.append(Check(label, True, _("Not on this list on %(date)s.") % {"date": on.isoformat()}))

    if rule.list_free_years:
        start = window_start(on, rule.list_free_years)
        found = list(entries_during(org, start, on))
        label = ngettext("On no list during %(years)s year", "On no list during %(years)s years", rule.list_free_years) % {
            "years": rule.list_free_years
        }
        span = {"start": start.isoformat(), "end": on.isoformat()}
        if found:
            checks.append(Check(label, False, _("From %(start)s to %(end)s: ") % span + "; ".join(_entry_text(e) for e in found)))
        else:
            checks.append(Check(label, True, _("On no list from %(start)s to %(end)s.") % span))

    if rule.penalty_free_years:
        start = window_start(on, rule.penalty_free_years)
        tolerated = [k for k in (rule.tolerated_penalty_kinds or []) if k in PenaltyKind.values]
        counted = [p for p in penalties_between(org, start, on) if p.kind not in tolerated]
        label = ngettext("No penalty during %(years)s year", "No penalty during %(years)s years", rule.penalty_free_years) % {
            "years": rule.penalty_free_years
        }
        span = {"start": start.isoformat(), "end": on.isoformat()}
        tolerated_text = (
            _(" (not counted: %(kinds)s)") % {"kinds": ", ".join(str(PenaltyKind(k).label) for k in tolerated)} if tolerated else ""
        )
        if counted:
            items = "; ".join(
                _("%(kind)s on %(date)s (%(number)s)")
                % {"kind": p.get_kind_display(), "date": p.decided_on.isoformat(), "number": p.decision_number}
                for p in counted
            )
            checks.append(Check(label, False, _("Penalised from %(start)s to %(end)s: ") % span + items + tolerated_text))
        else:
            checks.append(Check(label, True, _("No penalty from %(start)s to %(end)s.") % span + tolerated_text))

    if rule.min_rating:
        level, valid_until = rating_on(org, on)
        label = _("Rated %(level)s or above") % {"level": rule.min_rating}
        if level and RATING_ORDER.get(level, 0) >= RATING_ORDER[rule.min_rating]:
            checks.append(
                Check(
                    label,
                    True,
                    _("Rated %(level)s, valid until %(until)s.")
                    % {"level": level, "until": valid_until.isoformat() if valid_until else "—"},
                )
            )
        elif level:
            checks.append(Check(label, False, _("Rated %(level)s on %(date)s.") % {"level": level, "date": on.isoformat()}))
        else:
            checks.append(Check(label, False, _("No valid rating on %(date)s.") % {"date": on.isoformat()}))

    if rule.min_registered_years:
        years = rule.min_registered_years
        label = ngettext("Registered at least %(years)s year", "Registered at least %(years)s years", years) % {"years": years}
        founded = org.founded_on
        if founded is None:
            checks.append(Check(label, False, _("The registration date is not in the registry.")))
        else:
            reached = years_later(founded, years)
            if reached <= on:
                checks.append(
                    Check(
                        label,
                        True,
                        ngettext(
                            "Registered on %(founded)s; %(years)s year reached on %(reached)s.",
                            "Registered on %(founded)s; %(years)s years reached on %(reached)s.",
                            years,
                        )
                        % {"founded": founded.isoformat(), "years": years, "reached": reached.isoformat()},
                    )
                )
            else:
                checks.append(
                    Check(
                        label,
                        False,
                        ngettext(
                            "Registered on %(founded)s; %(years)s year is reached only on %(reached)s.",
                            "Registered on %(founded)s; %(years)s years are reached only on %(reached)s.",
                            years,
                        )
                        % {"founded": founded.isoformat(), "years": years, "reached": reached.isoformat()},
                    )
                )

    accepted = [r for r in (rule.inspection_results_accepted or []) if r in InspectionResult.values]
    if (rule.annual_report_required or accepted) and org.registration == RegistrationKind.REGISTERED:
        rules = rules_for(org)
        # The last report due on `on`: last year's once its deadline has passed or once it
        # was filed (by `on`), else the year before.
        year = on.year - 1
        records = {r.year: r for r in AnnualInspection.objects.filter(organization=org, year__in=[year, year - 1])}
        filed_early = year in records and records[year].reported_on <= on
        if on <= annual_report_due(org, year, rules=rules).bureau and not filed_early:
            year -= 1
        record = records.get(year)
        obligation = annual_report_obligation(org, year, rules=rules)
        if rule.annual_report_required:
            label = _("Annual report for %(year)s filed") % {"year": year}
            if record is not None and record.reported_on <= on:
                checks.append(Check(label, True, _("Filed on %(date)s.") % {"date": record.reported_on.isoformat()}))
            elif not obligation.required:
                checks.append(Check(label, True, obligation.reason or _("No report was due for %(year)s.") % {"year": year}))
            else:
                checks.append(
                    Check(label, False, _("No annual report for %(year)s was filed by %(date)s.") % {"year": year, "date": on.isoformat()})
                )
        if accepted:
            label = _("Annual inspection for %(year)s passed") % {"year": year}
            wanted = ", ".join(str(InspectionResult(r).label) for r in accepted)
            if record is not None and record.decided_on <= on:
                ok = record.result in accepted
                checks.append(
                    Check(
                        label,
                        ok,
                        _("Result “%(result)s”, decided on %(date)s (accepted: %(wanted)s).")
                        % {"result": record.get_result_display(), "date": record.decided_on.isoformat(), "wanted": wanted},
                    )
                )
            elif not obligation.required:
                checks.append(Check(label, True, obligation.reason or _("No inspection was due for %(year)s.") % {"year": year}))
            else:
                checks.append(
                    Check(label, False, _("No result for %(year)s decided by %(date)s.") % {"year": year, "date": on.isoformat()})
                )

    reasons = [c.explanation for c in checks if not c.ok]
    return Eligibility(ok=not reasons, reasons=reasons, checks=checks, purpose=purpose, name=rule.name, on=on)


# --- the public credit record ------------------------------------------------------------


@dataclass
class CreditRecord:
    organization: Organization
    current_entries: list[ListEntry]
    past_entries: list[ListEntry]
    penalties: list[Penalty]
    inspections: list
    rating: str
    rating_valid_until: dt.date | None

    @property
    def clean(self) -> bool:
        return not self.current_entries and not self.past_entries and not self.penalties


def credit_record(organization: Organization) -> CreditRecord:
    """Lists (current and past), penalties (withdrawn ones marked), annual inspections and
    the rating of one organization, for its public page: three queries."""
    from shezhi.inspection.selectors import inspection_history

    entries = list(ListEntry.objects.filter(organization=organization).select_related("ground", "document").order_by("-included_on", "-id"))
    penalties = list(Penalty.objects.filter(organization=organization).select_related("document").order_by("-decided_on", "-id"))
    return CreditRecord(
        organization=organization,
        current_entries=[e for e in entries if e.removed_on is None],
        past_entries=[e for e in entries if e.removed_on is not None],
        penalties=penalties,
        inspections=list(inspection_history(organization)),
        rating=organization.rating,
        rating_valid_until=organization.rating_valid_until,
    )


# --- public lists -----------------------------------------------------------------------


def entries_public() -> QuerySet[ListEntry]:
    """Current entries of both lists, as the public sees them."""
    return (
        ListEntry.objects.filter(removed_on__isnull=True)
        .select_related("organization", "organization__town", "ground")
        .order_by("list_kind", "-included_on", "-id")
    )


def entries_in_force(qs: QuerySet[ListEntry], on: dt.date) -> QuerySet[ListEntry]:
    """Entries that held on `on`: put on by then and not yet taken off (the entries behind
    the targets dashboard's list figures as of a day)."""
    return qs.filter(included_on__lte=on).filter(Q(removed_on__isnull=True) | Q(removed_on__gt=on))


def entries_filtered(qs: QuerySet[ListEntry], *, q: str = "", list_kind: str = "", town: int | None = None) -> QuerySet[ListEntry]:
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(organization__name__icontains=q) | Q(organization__credit_code__iexact=q.upper()) | Q(organization__filing_number__iexact=q)
        )
    if list_kind in ListKind.values:
        qs = qs.filter(list_kind=list_kind)
    if town:
        qs = qs.filter(organization__town_id=town)
    return qs


# --- staff reads (scoped) ---------------------------------------------------------------

# The bureau decides; a town officer may read its town's queue and entries.
DECIDERS = {Role.BUREAU}
READERS = {Role.BUREAU, Role.TOWN}


def can_decide(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.role in DECIDERS and user.area_id is not None


def can_read(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.role in READERS and user.area_id is not None


def _org_scope(user) -> Q | None:
    if not can_read(user):
        return None
    return area_scope_q(user, city="organization__city_id", town="organization__town_id", community="organization__community_id")


def proposals_visible_to(user) -> QuerySet[Proposal]:
    q = _org_scope(user)
    if q is None:
        return Proposal.objects.none()
    return Proposal.objects.filter(q).select_related("organization", "organization__town", "ground", "entry", "entry__ground")


def proposal_for(user, pk) -> Proposal:
    try:
        return proposals_visible_to(user).get(pk=pk)
    except (Proposal.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def pending_proposals(user) -> QuerySet[Proposal]:
    return proposals_visible_to(user).filter(status=ProposalStatus.PENDING).order_by("detected_on", "id")


def entries_visible_to(user) -> QuerySet[ListEntry]:
    q = _org_scope(user)
    if q is None:
        return ListEntry.objects.none()
    return ListEntry.objects.filter(q).select_related("organization", "organization__town", "ground", "document")


def entry_for(user, pk) -> ListEntry:
    try:
        return entries_visible_to(user).get(pk=pk)
    except (ListEntry.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def penalties_visible_to(user) -> QuerySet[Penalty]:
    q = _org_scope(user)
    if q is None:
        return Penalty.objects.none()
    return Penalty.objects.filter(q).select_related("organization", "organization__town", "document")


def penalty_for(user, pk) -> Penalty:
    try:
        return penalties_visible_to(user).get(pk=pk)
    except (Penalty.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def organization_for_credit(user, pk) -> Organization:
    """An organization whose credit record the user may manage (bureau) or read (town)."""
    from shezhi.registry.selectors import organizations_visible_to

    if not can_read(user):
        raise Http404
    try:
        return organizations_visible_to(user).get(pk=pk)
    except (Organization.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def grounds_for_entry(list_kind: str | None = None) -> QuerySet[Ground]:
    qs = Ground.objects.filter(active=True)
    if list_kind:
        qs = qs.filter(list_kind=list_kind)
    return qs.order_by("list_kind", "position", "code")
