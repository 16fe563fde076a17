"""Pages of annual inspection and rating: who has not reported, inspection history, rating assessments."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shezhi.accounts.models import Role
from shezhi.inspection.exports import EXPORT_INLINE_MAX, XLSX, export_filename, write_not_reported
from shezhi.inspection.forms import CancelForm, DecideForm, NotReportedFilters, OpenAssessmentForm, ReviewersForm, ScoresForm
from shezhi.inspection.models import AssessmentStatus, RatingReview
from shezhi.inspection.rules import RulesBook, aggregate_score, indicator_means, rating_eligibility, rating_level, rules_for
from shezhi.inspection.selectors import (
    assessment_for,
    assessments_visible_to,
    can_decide,
    can_see_not_reported,
    not_reported_by_town,
    organizations_not_reported,
    with_deadlines,
)
from shezhi.inspection.services import (
    leaf_indicators,
    rating_assessment_open,
    rating_cancel,
    rating_decide,
    rating_reviewers_set,
    rating_scores_save,
)
from shezhi.inspection.tasks import EXPORT_JOB, export_not_reported
from shezhi.jobs.services import job_create
from shezhi.paging import query_without
from shezhi.registry.selectors import organization_for, organizations_visible_to
from shezhi.workflow.engine import timeline

PAGE_SIZE = 25


def _errors_to_messages(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# --- organizations that have not reported -------------------------------------------------


@login_required
def not_reported(request):
    """The organizations that have not filed their annual report, at any date: the bureau
    sees its city per town, a town officer its town."""
    if not can_see_not_reported(request.user):
        raise Http404
    filters = NotReportedFilters(request.GET)
    year, as_of, town, overdue = filters.values()
    book = RulesBook.load()
    qs = organizations_not_reported(request.user, year=year, as_of=as_of, town=town, overdue_only=overdue, book=book).select_related(
        "town", "community"
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = with_deadlines(page.object_list, year=year, as_of=as_of, book=book)
    counts = not_reported_by_town(request.user, year=year, as_of=as_of, book=book)
    context = {
        "page": page,
        "filters": filters,
        "year": year,
        "as_of": as_of,
        "town": town,
        "overdue": overdue,
        "counts": counts,
        "per_town": request.user.role == Role.BUREAU,
        "total_obliged": sum(c.obliged for c in counts),
        "total_missing": sum(c.not_reported for c in counts),
        "querystring": query_without(request, "page"),
    }
    return render(request, "inspection/not_reported.html", context)


@login_required
def not_reported_export(request):
    """The same list as a spreadsheet (every row, not one page); the export is audited. A
    large list is written in the background and offered on the job's page."""
    if not can_see_not_reported(request.user):
        raise Http404
    year, as_of, town, overdue = NotReportedFilters(request.GET).values()
    count = organizations_not_reported(request.user, year=year, as_of=as_of, town=town, overdue_only=overdue).count()
    if count > EXPORT_INLINE_MAX:
        job = job_create(
            kind=EXPORT_JOB,
            title=_("Annual reports for %(year)s not filed, as of %(date)s") % {"year": year, "date": as_of.isoformat()},
            by=request.user,
            params={"year": year, "as_of": as_of.isoformat(), "town": town, "overdue": overdue},
        )
        export_not_reported.enqueue(job.pk)
        return redirect("jobs:detail", job.pk)
    buffer = io.BytesIO()
    write_not_reported(buffer, request.user, year=year, as_of=as_of, town=town, overdue=overdue)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, export_filename(year, as_of))
    return response


# --- inspection history -------------------------------------------------------------------


@login_required
def organization_inspections(request, pk: int):
    """An organization's annual inspection results per year and its next report."""
    org = organization_for(request.user, pk)
    return render(request, "inspection/organization.html", {"org": org})


# --- rating assessments -------------------------------------------------------------------


def _require_rating_role(user) -> None:
    if user.role not in (Role.BUREAU, Role.REVIEWER):
        raise Http404


@login_required
def rating_list(request):
    _require_rating_role(request.user)
    qs = assessments_visible_to(request.user)
    status = request.GET.get("status", "")
    if status in AssessmentStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-opened_on", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "status": status, "statuses": AssessmentStatus.choices, "querystring": query_without(request, "page")}
    return render(request, "inspection/rating_list.html", context)


@login_required
def rating_new(request):
    """The bureau opens an assessment of an eligible organization and assigns reviewers."""
    if request.user.role != Role.BUREAU:
        raise Http404
    organizations = organizations_visible_to(request.user).filter(registration="registered")
    eligibility = None
    if request.method == "POST":
        form = OpenAssessmentForm(request.POST, organizations=organizations)
        if form.is_valid():
            try:
                assessment = rating_assessment_open(
                    organization=form.organization,
                    by=request.user,
                    reviewers=form.cleaned_data["reviewers"],
                    filing_number=form.cleaned_data["filing_number"],
                    under_investigation=form.cleaned_data["under_investigation"],
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, field_messages in exc.message_dict.items():
                        for message in field_messages:
                            form.add_error(field if field in form.fields else None, message)
                else:
                    eligibility = exc.messages
                    form.add_error(None, _("The organization cannot be assessed now."))
            else:
                messages.success(request, _("The assessment of %(org)s is open for scoring.") % {"org": assessment.organization.name})
                return redirect("inspection:rating_detail", assessment.pk)
    else:
        initial = {}
        org_id = request.GET.get("organization", "")
        if org_id.isdigit():
            org = organizations.filter(pk=int(org_id)).first()
            if org is not None:
                initial["credit_code"] = org.credit_code
        # From a rating filing's page: ?organization=<pk>&filing=<number>.
        initial["filing_number"] = request.GET.get("filing", "")[:40]
        form = OpenAssessmentForm(initial=initial, organizations=organizations)
    return render(request, "inspection/rating_new.html", {"form": form, "eligibility": eligibility})


def _detail_context(request, assessment, *, scores_form=None, decide_form=None):
    user = request.user
    indicators = list(assessment.scale.indicators.all())
    leaves = leaf_indicators(assessment.scale)
    context = {"assessment": assessment, "org": assessment.organization, "is_reviewer": False, "is_bureau": user.role == Role.BUREAU}
    if user.role == Role.REVIEWER:
        context["is_reviewer"] = True
        review = RatingReview.objects.filter(assessment=assessment, reviewer=user).first()
        if scores_form is None:
            initial = {"no_conflict": bool(review)}
            if review is not None:
                initial.update({f"i_{s.indicator.code}": s.points for s in review.scores.select_related("indicator")})
            scores_form = ScoresForm(initial=initial, indicators=leaves)
        context.update({"review": review, "scores_form": scores_form})
    else:
        rules = rules_for(assessment.organization)
        mean = aggregate_score(assessment)
        means = indicator_means(assessment)
        reviews = list(assessment.reviews.select_related("reviewer"))
        children: dict[int, list] = {}
        for i in indicators:
            if i.parent_id:
                children.setdefault(i.parent_id, []).append(i)
        table = []
        for top in (i for i in indicators if i.parent_id is None):
            kids = children.get(top.pk, [top])
            rows = [(k, means.get(k.pk)) for k in kids]
            subtotal = sum((m for _k, m in rows if m is not None), start=0) if any(m is not None for _k, m in rows) else None
            table.append({"indicator": top, "rows": rows, "subtotal": subtotal})
        context.update(
            {
                "mean": mean,
                "mean_level": rating_level(mean, rules) if mean is not None else "",
                "table": table,
                "reviews": reviews,
                "assigned": list(assessment.reviewers.all()),
                "eligibility": rating_eligibility(
                    assessment.organization, assessment.opened_on, under_investigation=assessment.under_investigation
                )
                if assessment.status == AssessmentStatus.SCORING
                else [],
                "can_decide": can_decide(user, assessment),
                "decide_form": decide_form or DecideForm(),
                "cancel_form": CancelForm(),
                "reviewers_form": ReviewersForm(initial={"reviewers": [u.pk for u in assessment.reviewers.all()]}),
                "steps": list(timeline(assessment)),
                "thresholds": rules.level_thresholds,
            }
        )
    return context


@login_required
def rating_detail(request, pk: int):
    """A reviewer enters scores; the bureau sees the scores, the mean and the level, and decides."""
    _require_rating_role(request.user)
    assessment = assessment_for(request.user, pk)
    return render(request, "inspection/rating_detail.html", _detail_context(request, assessment))


@login_required
@require_POST
def rating_scores(request, pk: int):
    if request.user.role != Role.REVIEWER:
        raise Http404
    assessment = assessment_for(request.user, pk)
    form = ScoresForm(request.POST, indicators=leaf_indicators(assessment.scale))
    if form.is_valid():
        try:
            review = rating_scores_save(
                assessment=assessment, reviewer=request.user, points=form.points(), no_conflict=form.cleaned_data["no_conflict"]
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Your scores are saved: %(total)s points in total.") % {"total": review.total})
            return redirect("inspection:rating_detail", assessment.pk)
    return render(request, "inspection/rating_detail.html", _detail_context(request, assessment, scores_form=form), status=400)


def _bureau_assessment(request, pk: int):
    if request.user.role != Role.BUREAU:
        raise Http404
    return assessment_for(request.user, pk)


@login_required
@require_POST
def rating_decide_view(request, pk: int):
    assessment = _bureau_assessment(request, pk)
    if not can_decide(request.user, assessment):
        if assessment.filing_number and assessment.status == AssessmentStatus.SCORING:
            messages.error(
                request,
                _("This assessment belongs to filing %(number)s: decide it by approving the filing.")
                % {"number": assessment.filing_number},
            )
        else:
            messages.error(request, _("The assessment is already %(status)s.") % {"status": assessment.get_status_display()})
        return redirect("inspection:rating_detail", assessment.pk)
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            decided = rating_decide(
                assessment=assessment, by=request.user, score=form.cleaned_data["score"], note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            _errors_to_messages(request, exc)
        else:
            messages.success(
                request,
                _("Decided: %(level)s, score %(score)s. The registry shows it.")
                % {"level": decided.level or _("no level"), "score": decided.score},
            )
    else:
        for field_errors in form.errors.values():
            for message in field_errors:
                messages.error(request, message)
    return redirect("inspection:rating_detail", assessment.pk)


@login_required
@require_POST
def rating_cancel_view(request, pk: int):
    assessment = _bureau_assessment(request, pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            rating_cancel(assessment=assessment, by=request.user, note=form.cleaned_data["note"])
        except ValidationError as exc:
            _errors_to_messages(request, exc)
        else:
            messages.success(request, _("The assessment is cancelled."))
    else:
        messages.error(request, _("Give the reason for cancelling."))
    return redirect("inspection:rating_detail", assessment.pk)


@login_required
@require_POST
def rating_reviewers_view(request, pk: int):
    assessment = _bureau_assessment(request, pk)
    form = ReviewersForm(request.POST)
    if form.is_valid():
        try:
            rating_reviewers_set(assessment=assessment, reviewers=form.cleaned_data["reviewers"], by=request.user)
        except ValidationError as exc:
            _errors_to_messages(request, exc)
        else:
            messages.success(request, _("The reviewers are changed."))
    else:
        messages.error(request, _("Choose reviewers from the list."))
    return redirect("inspection:rating_detail", assessment.pk)
