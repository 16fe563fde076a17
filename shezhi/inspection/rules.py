"""The rules of annual inspection and rating, as functions of an organization and a date.

Each function reads its numbers from InspectionRules (data) and says in its docstring
which rule it applies. They do not write; services.py and hooks.py call them before
writing, the pages call them to explain.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg
from django.utils.translation import gettext as _

from shezhi.inspection.models import (
    RECTIFICATION_RESULTS,
    AnnualInspection,
    InspectionResult,
    InspectionRules,
    ReminderDeadline,
    month_day_in,
)
from shezhi.registry.models import LegalForm, Organization, OrganizationStatus, RegistrationKind

TWO_PLACES = Decimal("0.01")
ENDED = {OrganizationStatus.DEREGISTERED, OrganizationStatus.REVOKED}


# --- the rules in force ----------------------------------------------------------------


class RulesBook:
    """All rule rows, loaded once: the rules of a city, or the default, or the built-in
    defaults when the bureau has entered nothing."""

    def __init__(self, rows: list[InspectionRules]):
        self.by_city = {r.city_id: r for r in rows if r.city_id is not None}
        self.default = next((r for r in rows if r.city_id is None), None) or InspectionRules()

    @classmethod
    def load(cls) -> RulesBook:
        return cls(list(InspectionRules.objects.all()))

    def for_city(self, city_id: int | None) -> InspectionRules:
        return self.by_city.get(city_id, self.default)


def rules_for(organization: Organization) -> InspectionRules:
    """The rules that apply to an organization: its city's, else the default."""
    return InspectionRules.objects.filter(city_id=organization.city_id).first() or RulesBook.load().default


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later; 29 February becomes 28 February (as the registry counts
    a rating's validity)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def subtract_months(day: dt.date, months: int) -> dt.date:
    """The corresponding day `months` earlier, or that month's last day if it has none
    (民法典 art. 202: a period without a corresponding day ends on the month's last day)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


# --- annual report (年检年报) -------------------------------------------------------------


class ObligationStatus:
    REQUIRED = "required"
    EXEMPT = "exempt"
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True)
class Obligation:
    status: str
    reason: str = ""

    @property
    def required(self) -> bool:
        return self.status == ObligationStatus.REQUIRED


def exemption_cutoff(year: int, rules: InspectionRules) -> dt.date:
    """The last registration date that still obliges an organization to report for `year`:
    the year's last day minus the exemption period. With six months that is 30 June —
    registered on 30 June, the organization has been registered six full months at the
    year's end (the day of registration not counted, 民法典 art. 201); registered on 1 July,
    less than six months, so it is exempt, as 嘉兴市民政局's notices put it ("6月30日前
    批准成立的" take part)."""
    return subtract_months(dt.date(year, 12, 31), rules.exemption_months)


def annual_report_obligation(organization: Organization, year: int, *, rules: InspectionRules | None = None) -> Obligation:
    """Whether the organization must file the annual work report for `year` with the bureau.

    - Filed (备案) community organizations are not legal persons registered by the bureau:
      社会团体登记管理条例 art. 31 and its companions put the annual inspection on
      registered organizations only; a filed organization reports to its town, outside this
      procedure. Not applicable.
    - An organization registered after the year's end, or deregistered or revoked, has no
      report to file for it. Not applicable.
    - Registered less than the exemption period (default six months) before the year's end:
      exempt (see exemption_cutoff).
    - Otherwise required. An unknown registration date counts as required: the bureau
      should fix the record rather than lose the report.
    """
    rules = rules or rules_for(organization)
    if organization.registration != RegistrationKind.REGISTERED:
        return Obligation(
            ObligationStatus.NOT_APPLICABLE,
            _("Filed community organizations report to their town; the bureau's annual inspection is for registered organizations."),
        )
    if organization.status in ENDED:
        return Obligation(
            ObligationStatus.NOT_APPLICABLE, _("The organization is %(status)s.") % {"status": organization.get_status_display()}
        )
    founded = organization.founded_on
    if founded is None:
        return Obligation(ObligationStatus.REQUIRED)
    if founded > dt.date(year, 12, 31):
        return Obligation(ObligationStatus.NOT_APPLICABLE, _("The organization was registered after %(year)s.") % {"year": year})
    cutoff = exemption_cutoff(year, rules)
    if founded > cutoff:
        return Obligation(
            ObligationStatus.EXEMPT,
            _(
                "Registered on %(founded)s, less than %(months)s months before the end of %(year)s: "
                "no annual report for %(year)s is due (only organizations registered by %(cutoff)s report)."
            )
            % {"founded": founded.isoformat(), "months": rules.exemption_months, "year": year, "cutoff": cutoff.isoformat()},
        )
    return Obligation(ObligationStatus.REQUIRED)


@dataclass(frozen=True)
class ReportDeadlines:
    bureau: dt.date
    supervisor: dt.date | None = None

    def items(self) -> list[tuple[str, dt.date]]:
        pairs = [(ReminderDeadline.BUREAU.value, self.bureau)]
        if self.supervisor is not None:
            pairs.insert(0, (ReminderDeadline.SUPERVISOR.value, self.supervisor))
        return pairs


def deadline_on(year: int, month_day: str, rules: InspectionRules) -> dt.date:
    day = month_day_in(year, month_day)
    if rules.extend_to_workday:
        from shezhi.workdays.services import is_workday

        while not is_workday(day):
            day += dt.timedelta(days=1)
    return day


def bureau_due_month_day(legal_form: str, rules: InspectionRules) -> str:
    return {
        LegalForm.SOCIAL_GROUP: rules.social_group_bureau_due,
        LegalForm.SOCIAL_SERVICE_AGENCY: rules.social_service_agency_bureau_due,
        LegalForm.FOUNDATION: rules.foundation_bureau_due,
    }.get(legal_form, rules.social_service_agency_bureau_due)


def annual_report_due(organization: Organization, year: int, *, rules: InspectionRules | None = None) -> ReportDeadlines:
    """When the report for `year` is due, in the following year (社会团体登记管理条例 art. 31:
    a social group reports to its supervising unit by 31 March and, after its preliminary
    review, to the registration authority by 31 May; the other forms report to the bureau).
    The dates are data per legal form. A social group registered directly, without a
    supervising unit (the four direct-registration categories), has only the bureau's date.
    With `extend_to_workday` a deadline on a rest day moves to the next working day."""
    rules = rules or rules_for(organization)
    bureau = deadline_on(year + 1, bureau_due_month_day(organization.legal_form, rules), rules)
    supervisor = None
    if organization.legal_form == LegalForm.SOCIAL_GROUP and organization.supervising_unit.strip():
        supervisor = deadline_on(year + 1, rules.social_group_supervisor_due, rules)
    return ReportDeadlines(bureau=bureau, supervisor=supervisor)


def annual_report_late(organization: Organization, year: int, submitted_on: dt.date, *, rules: InspectionRules | None = None) -> bool:
    """A report submitted after the bureau's deadline is accepted but flagged late; the
    deadline day itself is on time. (Not reporting in time is a ground for the
    abnormal-activity list under 社会组织信用信息管理办法.)"""
    return submitted_on > annual_report_due(organization, year, rules=rules).bureau


def reporting_year(on: dt.date) -> int:
    """The year whose annual report is being collected on a date: the previous year."""
    return on.year - 1


@dataclass(frozen=True)
class RequiredAttachment:
    code: str
    label: str
    why: str


RECTIFICATION_REPORT = "rectification_report"  # 整改报告
TAX_DEDUCTION_REPORT = "tax_deductible_report"  # 公益性捐赠税前扣除资格专项信息报告


def rectification_required(organization: Organization, year: int, *, rules: InspectionRules | None = None) -> str:
    """Why the report for `year` must include a rectification report (整改报告), or "".

    Required after a 基本合格 or 不合格 result for the previous year, and — from the year the
    bureau's records are complete — after a previous year in which a required report was
    not filed (嘉兴市民政局's 2025 notice: "2024年度未参检或结论为基本合格、不合格 ... 须填写整改报告").
    """
    rules = rules or rules_for(organization)
    previous = AnnualInspection.objects.filter(organization=organization, year=year - 1).first()
    if previous is not None:
        if previous.result in RECTIFICATION_RESULTS:
            return _("The result for %(year)s was “%(result)s”.") % {"year": year - 1, "result": previous.get_result_display()}
        return ""
    if (
        rules.records_complete_from is not None
        and year - 1 >= rules.records_complete_from
        and annual_report_obligation(organization, year - 1, rules=rules).required
    ):
        return _("No annual report was filed for %(year)s.") % {"year": year - 1}
    return ""


def report_attachments_required(organization: Organization, year: int, *, rules: InspectionRules | None = None) -> list[RequiredAttachment]:
    """Materials the report for `year` needs beyond the procedure's usual checklist: the
    rectification report (see rectification_required) and, for holders of the
    tax-deductible donation status in that year, the audited special information report
    (财政部 税务总局 民政部关于公益性捐赠税前扣除有关事项的公告)."""
    rules = rules or rules_for(organization)
    needed = []
    why = rectification_required(organization, year, rules=rules)
    if why:
        needed.append(RequiredAttachment(RECTIFICATION_REPORT, _("Rectification report"), why))
    if organization.tax_deductible_years.filter(year=year).exists():
        needed.append(
            RequiredAttachment(
                TAX_DEDUCTION_REPORT,
                _("Special information report on tax-deductible donations"),
                _("The organization held the tax-deductible donation status in %(year)s.") % {"year": year},
            )
        )
    return needed


# --- rating assessment (等级评估) ---------------------------------------------------------


def rating_level(score: Decimal | float | int | None, rules: InspectionRules) -> str:
    """The level a score earns: the highest level whose minimum the score reaches, "" below
    1A. The published ranges (5A 950 and above, 4A 901–950, 3A 851–900, 2A 801–850,
    1A 751–800) overlap at 950; "950以上" includes 950 (民法典 art. 1259), so 950 is 5A."""
    if score is None:
        return ""
    value = Decimal(str(score))
    for level, minimum in rules.level_thresholds:
        if value >= minimum:
            return level
    return ""


def last_inspection_year(organization: Organization, on: dt.date, *, rules: InspectionRules | None = None) -> int:
    """The year of the "last annual inspection" on a date: the latest year whose bureau
    deadline has passed, or the previous year if its report is already decided early."""
    rules = rules or rules_for(organization)
    year = on.year - 1
    if on <= annual_report_due(organization, year, rules=rules).bureau and not (
        AnnualInspection.objects.filter(organization=organization, year=year).exists()
    ):
        year -= 1
    return year


def rating_eligibility(organization: Organization, on: dt.date, *, under_investigation: bool = False) -> list[str]:
    """Why the organization may not be assessed on a date; an empty list means eligible.

    社会组织评估管理办法 (民政部令第39号) art. 6 and 7, and DESIGN.md:
    - registered (a legal person) for at least the rules' number of years (default two;
      exactly two years on the anniversary is enough);
    - the last annual inspection done (art. 7(1));
    - that inspection not 不合格, and not 基本合格 two years running (art. 7(2));
    - on no list: status normal (活动异常名录 / 严重违法失信名单, as the 2021 national
      rules for national organizations add);
    - not under investigation (art. 7(4)), a flag the bureau sets on the assessment.
    """
    rules = rules_for(organization)
    reasons: list[str] = []
    if organization.registration != RegistrationKind.REGISTERED:
        reasons.append(_("Only registered organizations can be rated; a filed community organization cannot."))
        return reasons
    if organization.status != OrganizationStatus.NORMAL:
        reasons.append(_("The organization is %(status)s.") % {"status": organization.get_status_display()})
    founded = organization.founded_on
    years = rules.rating_min_years_registered
    if founded is None:
        reasons.append(_("The registration date is not in the registry."))
    elif on < add_years(founded, years):
        reasons.append(
            _("Registered on %(founded)s: an organization can be rated after %(years)s years of registration, from %(from)s.")
            % {"founded": founded.isoformat(), "years": years, "from": add_years(founded, years).isoformat()}
        )
    year = last_inspection_year(organization, on, rules=rules)
    results = dict(AnnualInspection.objects.filter(organization=organization, year__in=[year, year - 1]).values_list("year", "result"))
    last = results.get(year)
    if last is None:
        if annual_report_obligation(organization, year, rules=rules).required:
            reasons.append(_("The annual inspection for %(year)s is not done.") % {"year": year})
    elif last == InspectionResult.UNQUALIFIED:
        reasons.append(_("The annual inspection for %(year)s was unqualified.") % {"year": year})
    elif last == InspectionResult.BASICALLY_QUALIFIED and results.get(year - 1) == InspectionResult.BASICALLY_QUALIFIED:
        reasons.append(
            _("The annual inspections for %(previous)s and %(year)s were both basically qualified.") % {"previous": year - 1, "year": year}
        )
    if under_investigation:
        reasons.append(_("The organization is under investigation."))
    return reasons


def aggregate_score(assessment) -> Decimal | None:
    """The assessment's score: the mean of the reviewers' totals, to two decimals (half up).
    None until a reviewer has scored."""
    mean = assessment.reviews.aggregate(mean=Avg("total"))["mean"]
    if mean is None:
        return None
    return Decimal(str(mean)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def indicator_means(assessment) -> dict[int, Decimal]:
    """Mean points per indicator over the reviewers who scored it."""
    from shezhi.inspection.models import RatingScore

    rows = RatingScore.objects.filter(review__assessment=assessment).values("indicator_id").annotate(mean=Avg("points"))
    return {r["indicator_id"]: Decimal(str(r["mean"])).quantize(TWO_PLACES, rounding=ROUND_HALF_UP) for r in rows}
