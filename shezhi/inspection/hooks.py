"""What the online-affairs workflow (shezhi.affairs) calls for annual reports and ratings.

The affairs app runs every procedure the same way; for the two procedure kinds below it
asks this app whether a submission may go ahead and what to record on approval. Both are
called inside the affairs transaction: a ValidationError from on_approved rolls the
approval back and its messages are for the person approving.

- check_submit(*, filing) -> list[str]: reasons to refuse the submission (empty: go ahead).
- on_approved(*, filing, by, decision) -> None: record the result.

`filing` needs .organization, .procedure.kind, .data (JSON; "year" for annual reports),
.number, and, if it has them, .submitted_at and .materials (see filings.py).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from shezhi.inspection.filings import (
    ANNUAL_REPORT,
    RATING,
    filing_kind,
    filing_materials,
    filing_submitted_on,
    filing_year,
    other_open_report,
)
from shezhi.inspection.models import AnnualInspection, AssessmentStatus, RatingAssessment
from shezhi.inspection.rules import annual_report_obligation, rating_eligibility, report_attachments_required
from shezhi.inspection.selectors import open_assessment_for_filing
from shezhi.inspection.services import annual_inspection_record, rating_assessment_open, rating_decide


def check_submit(*, filing) -> list[str]:
    """Reasons the filing cannot be submitted, in the applicant's words; [] if it can.

    Annual report: the year must be a past year; the organization must be obliged to report
    for it (not exempt, not a filed community organization); no result may be recorded and
    no other report be open for that year; the extra materials the rules require
    (rectification report, tax-deduction special report) must be attached. A report after
    the deadline is accepted and recorded as late — lateness is not a reason to refuse.

    Rating: the eligibility rules (rules.rating_eligibility) as of today, and no other
    assessment of the organization under way.
    """
    kind = filing_kind(filing)
    if kind == ANNUAL_REPORT:
        return _check_annual_report(filing)
    if kind == RATING:
        return _check_rating(filing)
    return []


def _check_annual_report(filing) -> list[str]:
    organization = filing.organization
    year = filing_year(filing)
    if year is None:
        return [_("Say which year the annual report is for.")]
    today = timezone.localdate()
    if year >= today.year:
        return [_("The annual report is for a past year; %(year)s is not over yet.") % {"year": year}]
    obligation = annual_report_obligation(organization, year)
    if not obligation.required:
        return [obligation.reason]
    existing = AnnualInspection.objects.filter(organization=organization, year=year).first()
    if existing is not None:
        return [
            _("The annual inspection for %(year)s is already recorded (%(result)s).")
            % {"year": year, "result": existing.get_result_display()}
        ]
    if other_open_report(filing, year):
        return [_("A report for %(year)s is already submitted and being handled.") % {"year": year}]
    attached = filing_materials(filing)
    return [
        _("Attach the %(material)s: %(why)s") % {"material": need.label, "why": need.why}
        for need in report_attachments_required(organization, year)
        if need.code not in attached
    ]


def _check_rating(filing) -> list[str]:
    organization = filing.organization
    reasons = rating_eligibility(organization, timezone.localdate())
    under_way = RatingAssessment.objects.filter(organization=organization, status=AssessmentStatus.SCORING).exclude(
        filing_number=getattr(filing, "number", "") or "-"
    )
    if under_way.exists():
        reasons.append(_("A rating assessment of the organization is already under way."))
    return reasons


def on_approved(*, filing, by, decision: dict) -> None:
    """Record what the approval decided.

    Annual report: decision["result"] is 合格 / 基本合格 / 不合格 (or the codes qualified /
    basically_qualified / unqualified); the year is filing.data["year"]; the submission date
    decides the late flag.

    Rating: decision["score"] (or "total_score") if given, else the mean of the reviewers' totals on the
    assessment opened for this filing; the level follows from the thresholds and is written
    to the registry with the filing as its source.
    """
    kind = filing_kind(filing)
    if kind == ANNUAL_REPORT:
        year = filing_year(filing)
        if year is None:
            raise ValidationError(_("The filing does not say which year it reports on."))
        annual_inspection_record(
            organization=filing.organization,
            year=year,
            result=(decision or {}).get("result"),
            by=by,
            reported_on=min(filing_submitted_on(filing), timezone.localdate()),
            filing_number=filing.number,
            note=_first(decision, "note", "remarks") or "",
        )
    elif kind == RATING:
        score = _first(decision, "score", "total_score")
        assessment = open_assessment_for_filing(filing.number)
        if assessment is None:
            if score in (None, ""):
                raise ValidationError(
                    _("No rating assessment is open for filing %(number)s: open one for the reviewers to score, or enter the score.")
                    % {"number": filing.number}
                )
            assessment = rating_assessment_open(organization=filing.organization, by=by, filing_number=filing.number)
        rating_decide(assessment=assessment, by=by, score=score, note=_first(decision, "note", "remarks") or "")


def _first(decision: dict | None, *keys: str):
    """The first non-empty value among the keys (the decision form names them)."""
    for key in keys:
        value = (decision or {}).get(key)
        if value not in (None, ""):
            return str(value) if key in ("note", "remarks") else value
    return None
