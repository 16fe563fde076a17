"""The charity rules as functions of an organization, a date and the rules' numbers (data).

They do not write: services.py and hooks.py call them before writing, the pages call them
to explain. Each says which rule it applies and where it comes from. The credit record
(lists and penalties) is read through shezhi.credit.selectors.eligibility, whose rules per
purpose are the credit section's data; this module adds the charity-specific checks.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shezhi.charity.models import (
    ANNUAL_KINDS,
    CharityRules,
    Disclosure,
    DisclosureKind,
    DisclosureRules,
    FundraisingCampaign,
)
from shezhi.registry.models import Organization, OrganizationStatus, RegistrationKind

ENDED = {OrganizationStatus.DEREGISTERED, OrganizationStatus.REVOKED}


# --- dates ---------------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """The corresponding day `months` later, or that month's last day if it has none
    (民法典 art. 202: a period without a corresponding day ends on the month's last day)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later; 29 February becomes 28 February (as the registry and the
    rating rules count years)."""
    return add_months(day, 12 * years)


def month_day_in(year: int, month_day: str) -> dt.date:
    """A yearly date written MM-DD in a given year; 02-29 falls on 02-28 in a common year."""
    month, day = (int(x) for x in month_day.split("-"))
    if (month, day) == (2, 29) and not calendar.isleap(year):
        day = 28
    return dt.date(year, month, day)


# --- the rules in force --------------------------------------------------------------------


class RulesBook:
    """All rows of a rules model, loaded once: a city's, else the default, else the model's
    built-in defaults when the bureau has entered nothing."""

    def __init__(self, model, rows: Iterable):
        rows = list(rows)
        self.by_city = {r.city_id: r for r in rows if r.city_id is not None}
        self.default = next((r for r in rows if r.city_id is None), None) or model()

    @classmethod
    def load(cls, model) -> RulesBook:
        return cls(model, model.objects.all())

    def for_city(self, city_id: int | None):
        return self.by_city.get(city_id, self.default)


def disclosure_rules_for(organization: Organization) -> DisclosureRules:
    return DisclosureRules.objects.filter(city_id=organization.city_id).first() or RulesBook.load(DisclosureRules).default


def charity_rules_for(organization: Organization) -> CharityRules:
    return CharityRules.objects.filter(city_id=organization.city_id).first() or RulesBook.load(CharityRules).default


# --- checks, as the pages show them ---------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One rule, whether it is met, and why (with the dates used)."""

    label: str
    ok: bool
    explanation: str = ""

    def as_dict(self) -> dict:
        return {"label": str(self.label), "ok": self.ok, "explanation": str(self.explanation)}


def reasons(checks: Iterable[Check]) -> list[str]:
    """The failed checks as sentences ("label: explanation")."""
    return [f"{c.label}: {c.explanation}" if c.explanation else str(c.label) for c in checks if not c.ok]


def credit_checks(organization: Organization, purpose: str, on: dt.date) -> list[Check]:
    """The credit record's answer for `purpose` on `on`, as checks.

    shezhi.credit.selectors.eligibility(organization, purpose, on) returns Eligibility(ok,
    reasons, checks); its conditions per purpose (lists, penalties and the kinds tolerated,
    rating, years registered, annual report) are the credit section's EligibilityRule rows.
    Without the rule row the answer is "not met": nobody is recognized on a rule missing."""
    from shezhi.credit.selectors import UnknownPurpose, eligibility

    try:
        result = eligibility(organization, purpose, on)
    except UnknownPurpose:
        return [
            Check(
                _("Credit record"), False, _("The credit rule “%(purpose)s” is not set up; ask the administrator.") % {"purpose": purpose}
            )
        ]
    checks = [_credit_check(c) for c in (getattr(result, "checks", None) or [])]
    if not checks or (not result.ok and all(c.ok for c in checks)):
        # No itemized checks (or none that failed): the overall answer with its reasons.
        text = "；".join(str(r) for r in (result.reasons or []))
        checks.append(
            Check(_("Credit record"), bool(result.ok), text or (_("No list entry or penalty stands in the way.") if result.ok else ""))
        )
    return checks


def _credit_check(raw) -> Check:
    if isinstance(raw, Check):
        return raw
    if isinstance(raw, dict):
        get = raw.get
    else:

        def get(name, default=None):
            return getattr(raw, name, default)

    label = get("label") or get("name") or get("rule") or get("key") or _("Credit record")
    ok = bool(get("ok", get("passed", False)))
    explanation = get("explanation") or get("detail") or get("reason") or get("message") or ""
    return Check(str(label), ok, str(explanation))


# --- recognition (慈善组织认定) ----------------------------------------------------------------


def recognition_checks(organization: Organization, *, applied_on: dt.date) -> list[Check]:
    """Whether the organization may be recognized as a charity, for the person deciding.

    慈善法 art. 10 and 慈善组织认定办法 (民政部令第58号) art. 4–5:
    - a registered foundation, social group or social service agency (a filed community
      organization is not a legal person);
    - registered and in normal status (not on a list, revoked or deregistered) now;
    - not penalised in the two years before the application and not on a list when it
      applied: the credit record's rule "charity_recognition", as of the day of the
      application (its submission).
    """
    checks: list[Check] = []
    registered = organization.registration == RegistrationKind.REGISTERED and bool(organization.legal_form)
    checks.append(
        Check(
            _("Registered legal person"),
            registered,
            _("%(form)s, unified social credit code %(code)s.")
            % {"form": organization.get_legal_form_display(), "code": organization.credit_code}
            if registered
            else _("Only a registered foundation, social group or social service agency can be recognized as a charity."),
        )
    )
    normal = organization.status == OrganizationStatus.NORMAL
    checks.append(
        Check(
            _("Normal status"),
            normal,
            _("The registry shows the organization in normal status.")
            if normal
            else _("The organization is %(status)s (since %(date)s).")
            % {"status": organization.get_status_display(), "date": _date(organization.status_changed_on)},
        )
    )
    checks += credit_checks(organization, "charity_recognition", applied_on)
    return checks


# --- public fundraising qualification (公开募捐资格) ------------------------------------------


def fundraising_checks(organization: Organization, *, on: dt.date, rules: CharityRules | None = None) -> list[Check]:
    """Whether a charity may hold the public fundraising qualification on `on`.

    慈善法 art. 22 and 慈善组织公开募捐管理办法 art. 4, with DESIGN.md:
    - a recognized charity organization;
    - the credit record's rule "public_fundraising" on `on` (credit EligibilityRule, data):
      registered at least two years — reached on the anniversary, 29 February counting as
      28 February —, on no list, no penalty in the two years before, last annual report
      filed;
    - if the rules say so (default yes), no disclosure late on `on` (the charity has met its
      disclosure duties).
    """
    rules = rules or charity_rules_for(organization)
    checks: list[Check] = []
    if organization.is_charity:
        recognized = organization.charity_recognized_on
        checks.append(
            Check(
                _("Recognized charity"),
                True,
                _("Recognized as a charity on %(date)s.") % {"date": _date(recognized)} if recognized else _("Recognized as a charity."),
            )
        )
    else:
        checks.append(Check(_("Recognized charity"), False, _("The organization is not recognized as a charity.")))
    checks += credit_checks(organization, "public_fundraising", on)
    if rules.fundraising_requires_disclosures:
        from shezhi.charity.selectors import obligations

        late = [o for o in obligations(organization, on) if o.state == ObligationState.LATE]
        checks.append(
            Check(
                _("Disclosures up to date"),
                not late,
                _("No disclosure is late as of %(on)s.") % {"on": _date(on)}
                if not late
                else _("Late as of %(on)s: %(items)s.")
                % {"on": _date(on), "items": "；".join(f"{o.label}（{_date(o.due_on)}）" for o in late)},
            )
        )
    return checks


# --- disclosure obligations (慈善组织信息公开) ------------------------------------------------


class ObligationState:
    DONE = "done"  # published by the due date
    DONE_LATE = "done_late"  # published, after the due date
    LATE = "late"  # not published and past the due date
    OPEN = "open"  # not published, not yet due


STATE_LABELS = {
    ObligationState.DONE: gettext_lazy("published on time"),
    ObligationState.DONE_LATE: gettext_lazy("published late"),
    ObligationState.LATE: gettext_lazy("late, not published"),
    ObligationState.OPEN: gettext_lazy("due"),
}


@dataclass
class Obligation:
    """Something a charity must publish by a date, and what it has published for it."""

    key: str
    kind: str
    due_on: dt.date
    label: str
    state: str = ObligationState.OPEN
    year: int | None = None
    campaign: FundraisingCampaign | None = None
    period_number: int | None = None
    disclosure: Disclosure | None = None
    organization_id: int | None = None
    extra: dict = field(default_factory=dict)

    @property
    def late(self) -> bool:
        return self.state in (ObligationState.LATE, ObligationState.DONE_LATE)

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def badge(self) -> str:
        """The CSS badge class of the state."""
        return {ObligationState.DONE: "ok", ObligationState.OPEN: "warn"}.get(self.state, "bad")

    @property
    def done(self) -> bool:
        return self.state in (ObligationState.DONE, ObligationState.DONE_LATE)

    def days_left(self, on: dt.date) -> int:
        return (self.due_on - on).days


def annual_due(year: int, rules: DisclosureRules) -> dt.date:
    """The annual work report and financial statements of `year`: by the rules' day (default
    31 May) of the next year (慈善组织信息公开办法 art. 11; 慈善法 art. 77)."""
    return month_day_in(year + 1, rules.annual_due)


def is_long_campaign(campaign: FundraisingCampaign, rules: DisclosureRules) -> bool:
    """Running more than the rules' months (default six): exactly six months is not more."""
    return campaign.ends_on > add_months(campaign.starts_on, rules.long_campaign_months)


def period_due(campaign: FundraisingCampaign, n: int, rules: DisclosureRules) -> dt.date:
    """The n-th periodic report (n ≥ 1) covers the n-th stretch of the rules' months
    (default three) from the start and is due at its end (慈善组织信息公开办法 art. 12–13:
    "至少每三个月公开一次")."""
    return add_months(campaign.starts_on, rules.campaign_report_every_months * n)


def period_start(campaign: FundraisingCampaign, n: int, rules: DisclosureRules) -> dt.date:
    return add_months(campaign.starts_on, rules.campaign_report_every_months * (n - 1))


def period_count(campaign: FundraisingCampaign, rules: DisclosureRules) -> int:
    """How many periodic reports a campaign owes: one per full stretch that ends before the
    campaign does (the last stretch is covered by the final report). None for a campaign of
    six months or less."""
    if not is_long_campaign(campaign, rules):
        return 0
    n = 0
    while period_due(campaign, n + 1, rules) < campaign.ends_on:
        n += 1
    return n


def final_due(campaign: FundraisingCampaign, rules: DisclosureRules) -> dt.date:
    """The final report: within the rules' months (default three) of the end."""
    return add_months(campaign.ends_on, rules.final_report_months)


def transaction_due(transaction_date: dt.date, rules: DisclosureRules) -> dt.date:
    """A major asset change, investment or related-party transaction: within the rules'
    days (default 30) of the transaction (慈善组织信息公开办法 art. 15)."""
    return transaction_date + dt.timedelta(days=rules.major_transaction_days)


def due_for(disclosure: Disclosure, rules: DisclosureRules) -> dt.date | None:
    """The due date of an original item (a correction has none)."""
    if disclosure.corrects_id:
        return None
    kind = disclosure.kind
    if kind in ANNUAL_KINDS and disclosure.year:
        return annual_due(disclosure.year, rules)
    if kind == DisclosureKind.CAMPAIGN_QUARTERLY and disclosure.campaign_id and disclosure.period_number:
        return period_due(disclosure.campaign, disclosure.period_number, rules)
    if kind == DisclosureKind.CAMPAIGN_FINAL and disclosure.campaign_id:
        return final_due(disclosure.campaign, rules)
    if kind == DisclosureKind.MAJOR_TRANSACTION and disclosure.transaction_date:
        return transaction_due(disclosure.transaction_date, rules)
    return None


def horizon(rules: DisclosureRules) -> int:
    """How far ahead (days) the obligations list looks: the earliest reminder."""
    days = rules.reminder_day_list
    return max(days) if days else 30


def first_annual_year(organization: Organization, on: dt.date, rules: DisclosureRules) -> int:
    """The first year whose annual disclosures are owed: the year of recognition (or, with
    no recognition date, last year), not before the rules' tracked-from year."""
    first = organization.charity_recognized_on.year if organization.charity_recognized_on else on.year - 1
    if rules.track_from_year:
        first = max(first, rules.track_from_year)
    return first


def compute_obligations(
    organization: Organization,
    on: dt.date,
    *,
    rules: DisclosureRules,
    campaigns: Iterable[FundraisingCampaign],
    originals: Iterable[Disclosure],
) -> list[Obligation]:
    """Every obligation of the organization due by `on` plus those due within the reminder
    horizon, with its state on `on`, earliest due first. `originals` are the organization's
    items that are not corrections (drafts and published).

    - annual: for each year from the first owed (see first_annual_year) to last year, the
      work report and the financial statements — only while the organization is a charity
      (recognition is what creates the duty) and not deregistered or revoked;
    - campaigns: for a campaign running more than six months, a report at the end of each
      three-month stretch that ends before the campaign does; for every campaign, a final
      report within three months of its end;
    - major transactions: each one the organization has entered (draft or published), within
      30 days of the transaction. The system cannot see a transaction nobody entered.
    """
    by_key: dict[str, Disclosure] = {}
    majors: list[Disclosure] = []
    for d in originals:
        if d.corrects_id:
            continue
        if d.kind in ANNUAL_KINDS:
            by_key[f"{d.kind}:{d.year}"] = d
        elif d.kind == DisclosureKind.CAMPAIGN_QUARTERLY:
            by_key[f"campaign:{d.campaign_id}:{d.period_number}"] = d
        elif d.kind == DisclosureKind.CAMPAIGN_FINAL:
            by_key[f"campaign:{d.campaign_id}:final"] = d
        elif d.kind == DisclosureKind.MAJOR_TRANSACTION:
            majors.append(d)
    limit = on + dt.timedelta(days=horizon(rules))
    out: list[Obligation] = []

    def add(key: str, kind: str, due: dt.date, label: str, **extra) -> None:
        disclosure = by_key.get(key) if kind != DisclosureKind.MAJOR_TRANSACTION else extra.pop("disclosure")
        if disclosure is None and due > limit:
            return
        if disclosure is not None and disclosure.is_published and disclosure.due_on:
            due = disclosure.due_on  # the due date it was published against
        out.append(
            Obligation(
                key=key,
                kind=kind,
                due_on=due,
                label=label,
                state=_state(disclosure, due, on),
                disclosure=disclosure,
                organization_id=organization.pk,
                **extra,
            )
        )

    if organization.is_charity and organization.status not in ENDED:
        for year in range(first_annual_year(organization, on, rules), on.year):
            due = annual_due(year, rules)
            for kind in ANNUAL_KINDS:
                label = _("%(kind)s %(year)s") % {"kind": DisclosureKind(kind).label, "year": year}
                add(f"{kind}:{year}", kind, due, label, year=year)
    for campaign in campaigns:
        for n in range(1, period_count(campaign, rules) + 1):
            due = period_due(campaign, n, rules)
            if due > limit and f"campaign:{campaign.pk}:{n}" not in by_key:
                break
            label = _("%(campaign)s: report %(n)s (%(start)s – %(end)s)") % {
                "campaign": campaign.name,
                "n": n,
                "start": _date(period_start(campaign, n, rules)),
                "end": _date(due),
            }
            add(f"campaign:{campaign.pk}:{n}", DisclosureKind.CAMPAIGN_QUARTERLY, due, label, campaign=campaign, period_number=n)
        label = _("%(campaign)s: final report (ended %(end)s)") % {"campaign": campaign.name, "end": _date(campaign.ends_on)}
        add(f"campaign:{campaign.pk}:final", DisclosureKind.CAMPAIGN_FINAL, final_due(campaign, rules), label, campaign=campaign)
    for d in majors:
        due = d.due_on if d.is_published and d.due_on else transaction_due(d.transaction_date, rules)
        label = _("%(kind)s of %(date)s: %(title)s") % {
            "kind": d.get_transaction_kind_display(),
            "date": _date(d.transaction_date),
            "title": d.title,
        }
        add(f"transaction:{d.pk}", DisclosureKind.MAJOR_TRANSACTION, due, label, disclosure=d)
    out.sort(key=lambda o: (o.due_on, o.key))
    return out


def _state(disclosure: Disclosure | None, due: dt.date, on: dt.date) -> str:
    if disclosure is not None and disclosure.is_published:
        return ObligationState.DONE_LATE if disclosure.published_on > due else ObligationState.DONE
    return ObligationState.LATE if on > due else ObligationState.OPEN


# --- tax-deductible donation status (公益性捐赠税前扣除资格) -----------------------------------


def special_report_check(organization: Organization, year: int, rules: CharityRules, reported_years: Iterable[int]) -> Check | None:
    """The audited special reports (审计专项报告) of the rules' number of years (default one)
    before the first year of status must be on file."""
    if rules.tax_report_years == 0:
        return None
    wanted = list(range(year - rules.tax_report_years, year))
    have = set(reported_years)
    missing = [y for y in wanted if y not in have]
    years = "、".join(str(y) for y in wanted)
    if missing:
        return Check(
            _("Audited special report"),
            False,
            _("Required for %(years)s; missing for %(missing)s.") % {"years": years, "missing": "、".join(str(y) for y in missing)},
        )
    return Check(_("Audited special report"), True, _("On file for %(years)s.") % {"years": years})


def tax_years(year: int, rules: CharityRules) -> list[int]:
    """The years a confirmation covers: the first and the following ones, the rules' number
    in all (default three: 财政部 税务总局 民政部公告2020年第27号, valid three years)."""
    return list(range(year, year + rules.tax_valid_years))


def _date(day: dt.date | None) -> str:
    return day.isoformat() if day else "—"
