"""Pages of volunteer activities: the public list and detail, sign-up and sign-in/out for
volunteers, the organizer's pages (codes, QR, sign-ups, hours queue), the volunteer's own
hours and certificates. Forbidden is "not found" (404)."""

from __future__ import annotations

import io

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shezhi.accounts.models import Role
from shezhi.accounts.selectors import areas_visible_to
from shezhi.activities import selectors as sel
from shezhi.activities.forms import (
    ActivityFilters,
    ActivityForm,
    AddHoursForm,
    CancelActivityForm,
    CertificateForm,
    CodeForm,
    IssuerProfileForm,
    RejectForm,
    SubmitHoursForm,
)
from shezhi.activities.models import HoursStatus, IssuerProfile, SignUp, SignUpStatus
from shezhi.activities.rules import activity_length, rules_for_city, self_submit_deadline, sign_in_window, sign_out_window
from shezhi.activities.services import (
    activity_cancel,
    activity_create,
    activity_rotate_codes,
    activity_set_recruitment,
    activity_update,
    certificate_issue,
    hours_add,
    hours_confirm,
    hours_confirm_all,
    hours_reject,
    hours_submit,
    issuer_profile_save,
    sign_in,
    sign_out,
    signup_cancel,
    signup_create,
)
from shezhi.areas.models import Area, AreaLevel
from shezhi.documents.services import document_pdf
from shezhi.forms import add_service_errors
from shezhi.paging import query_without
from shezhi.privacy import mask_phone
from shezhi.tabular import CSV, XLSX, table_response
from shezhi.volunteers.selectors import mask_id_number, volunteer_of
from shezhi.workflow.engine import TransitionRefused

PAGE_SIZE = 20
DIRECTIONS = ("in", "out")


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# --- public ---------------------------------------------------------------------------------


def activity_list(request):
    """Open activities (recruiting, not yet ended), filtered by town and date."""
    filters = ActivityFilters(request.GET)
    town_id, on = filters.values()
    qs = sel.activities_open(town_id=town_id, on=on)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "filters": filters, "querystring": query_without(request, "page"), "now": timezone.now()}
    return render(request, "activities/list.html", context)


def activity_detail(request, pk: int):
    activity = sel.activity_public(pk)
    volunteer = volunteer_of(request.user)
    signup = sel.own_signup(volunteer, activity)
    rules = rules_for_city(activity.city_id)
    now = timezone.now()
    context = {
        "activity": activity,
        "volunteer": volunteer,
        "signup": signup,
        "position": sel.waiting_position(signup) if signup else None,
        "can_manage": sel.may_manage(request.user, activity),
        "code_form": CodeForm(),
        "now": now,
        "sign_in_open": sign_in_window(starts_at=activity.starts_at, ends_at=activity.ends_at, rules=rules).contains(now),
        "sign_out_open": sign_out_window(starts_at=activity.starts_at, ends_at=activity.ends_at, rules=rules).contains(now),
        "can_submit_hours": signup is not None
        and signup.status == SignUpStatus.CONFIRMED
        and activity.starts_at <= now <= self_submit_deadline(ends_at=activity.ends_at, rules=rules),
        "length": activity_length(activity.starts_at, activity.ends_at),
    }
    return render(request, "activities/detail.html", context)


# --- volunteers -------------------------------------------------------------------------------


def _volunteer_or_404(request):
    volunteer = volunteer_of(request.user)
    if volunteer is None:
        raise Http404
    return volunteer


@login_required
@require_POST
def signup(request, pk: int):
    activity = sel.activity_public(pk)
    volunteer = volunteer_of(request.user)
    if volunteer is None:
        messages.error(request, _("Register as a volunteer first; then you can sign up for activities."))
        return redirect("activities:detail", pk)
    try:
        result = signup_create(activity=activity, volunteer=volunteer, by=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        if result.status == SignUpStatus.CONFIRMED:
            messages.success(request, _("You have a place in this activity."))
        else:
            messages.success(request, _("The activity is full: you are on the waiting list and will be told if a place becomes free."))
    return redirect("activities:detail", pk)


@login_required
@require_POST
def signup_cancel_view(request, pk: int):
    activity = sel.activity_public(pk)
    volunteer = _volunteer_or_404(request)
    own = sel.own_signup(volunteer, activity)
    if own is None:
        raise Http404
    try:
        signup_cancel(signup=own, by=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Your sign-up is cancelled."))
    return redirect("activities:detail", pk)


@login_required
@require_POST
def sign(request, pk: int):
    """Sign in or out with the code the organizer shows."""
    activity = sel.activity_public(pk)
    volunteer = volunteer_of(request.user)
    if volunteer is None:
        raise Http404
    form = CodeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the code the organizer shows."))
        return redirect("activities:detail", pk)
    direction, code = form.cleaned_data["direction"], form.cleaned_data["code"]
    try:
        if direction == "in":
            done = sign_in(activity=activity, volunteer=volunteer, code=code, by=request.user)
            messages.success(request, _("Signed in at %(when)s.") % {"when": timezone.localtime(done.signed_in_at).strftime("%H:%M")})
        else:
            out = sign_out(activity=activity, volunteer=volunteer, code=code, by=request.user)
            if out.record is not None:
                messages.success(
                    request,
                    _("Signed out. %(hours)s hours are recorded and wait for the organizer's confirmation.") % {"hours": out.hours},
                )
            else:
                messages.warning(request, _("Signed out. The time between sign-in and sign-out is too short to count."))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("activities:detail", pk)


def code_link(request, pk: int, direction: str, code: str):
    """Where the QR code leads: the code filled in, one tap to sign in or out. Opening the
    link changes nothing (a GET); the button posts."""
    if direction not in DIRECTIONS:
        raise Http404
    activity = sel.activity_public(pk)
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={request.get_full_path()}")
    volunteer = volunteer_of(request.user)
    context = {
        "activity": activity,
        "volunteer": volunteer,
        "signup": sel.own_signup(volunteer, activity),
        "direction": direction,
        "form": CodeForm(initial={"code": code, "direction": direction}),
    }
    return render(request, "activities/code_link.html", context)


@login_required
def submit_hours(request, pk: int):
    """A volunteer who had a place submits their own hours; they go to the organizer's queue."""
    activity = sel.activity_public(pk)
    volunteer = _volunteer_or_404(request)
    own = sel.own_signup(volunteer, activity)
    if own is None:
        raise Http404
    form = SubmitHoursForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            hours_submit(signup=own, hours=form.cleaned_data["hours"], content=form.cleaned_data["content"], by=request.user)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Your hours were sent to the organizer for confirmation."))
            return redirect("activities:my_hours")
    context = {"activity": activity, "form": form, "length": activity_length(activity.starts_at, activity.ends_at)}
    return render(request, "activities/submit_hours.html", context, status=400 if form.errors else 200)


@login_required
def my_hours(request):
    """The volunteer's own record: total confirmed hours, star level, records (pending and
    rejected with their reasons too), sign-ups and certificates."""
    volunteer = _volunteer_or_404(request)
    records = Paginator(sel.records_of(volunteer), 50).get_page(request.GET.get("page"))
    issuers = sel.issuers_for(volunteer)
    context = {
        "volunteer": volunteer,
        "masked_id": mask_id_number(volunteer.id_number, volunteer.id_type),
        "summary": sel.hours_summary(volunteer),
        "records": records,
        "signups": sel.signups_of(volunteer)[:50],
        "certificates": sel.certificates_of(volunteer),
        "certificate_form": CertificateForm(issuers=issuers) if issuers else None,
    }
    return render(request, "activities/my_hours.html", context)


@login_required
@require_POST
def certificate_new(request):
    volunteer = _volunteer_or_404(request)
    issuers = sel.issuers_for(volunteer)
    form = CertificateForm(request.POST, issuers=issuers)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return redirect("activities:my_hours")
    issuer = next(i for i in issuers if i.key == form.cleaned_data["issuer"])
    try:
        certificate = certificate_issue(
            volunteer=volunteer,
            issuer=issuer,
            period_from=form.cleaned_data["period_from"],
            period_to=form.cleaned_data["period_to"],
            by=request.user,
        )
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("activities:my_hours")
    messages.success(request, _("Certificate %(number)s issued.") % {"number": certificate.document.number})
    return redirect(f"{reverse('activities:my_hours')}#certificates")


@login_required
def certificate_pdf(request, pk: int):
    certificate = sel.certificate_for(volunteer_of(request.user), pk)
    response = HttpResponse(document_pdf(certificate.document), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="volunteer-certificate-{certificate.pk}.pdf"'
    return response


# --- organizers -------------------------------------------------------------------------------


def _require_organizer(user) -> None:
    if not sel.may_organize(user) and not sel.activities_managed_by(user).exists():
        raise Http404


@login_required
def manage_list(request):
    """The organizer's activities ("My activities") with the hours waiting for them."""
    _require_organizer(request.user)
    qs = sel.activities_managed_by(request.user).order_by("-starts_at", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    pending = sel.pending_counts([a.pk for a in page.object_list])
    rows = [(a, pending.get(a.pk, 0)) for a in page.object_list]
    context = {"page": page, "rows": rows, "can_create": sel.may_organize(request.user)}
    return render(request, "activities/manage_list.html", context)


def _towns_for(user):
    if user.role == Role.ORGANIZATION:
        org = user.organization
        return Area.objects.filter(level=AreaLevel.TOWN, city_id=org.city_id)
    return (
        areas_visible_to(user).filter(level=AreaLevel.TOWN) if user.role != Role.COMMUNITY else Area.objects.filter(pk=user.area.parent_id)
    )


@login_required
def activity_new(request):
    if not sel.may_organize(request.user):
        raise Http404
    choices = sel.organizer_choices(request.user)
    form = ActivityForm(request.POST or None, choices=choices, towns=_towns_for(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                activity = activity_create(data=form.service_data(), by=request.user)
                if not sel.may_manage(request.user, activity):
                    raise ValidationError(_("The activity must take place in your area."))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The activity is published and recruiting."))
            return redirect("activities:manage", activity.pk)
    return render(request, "activities/form.html", {"form": form, "activity": None}, status=400 if form.errors else 200)


@login_required
def activity_edit(request, pk: int):
    activity = sel.activity_managed(request.user, pk)
    initial = {
        "title": activity.title,
        "place": activity.place,
        "town": activity.town_id,
        "community": activity.community_id,
        "starts_at": timezone.localtime(activity.starts_at),
        "ends_at": timezone.localtime(activity.ends_at),
        "headcount": activity.headcount,
        "requirements": activity.requirements,
        "description": activity.description,
        "contact": activity.contact,
    }
    form = ActivityForm(
        request.POST or None, initial=initial, choices=sel.organizer_choices(request.user), towns=_towns_for(request.user), editing=True
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                activity_update(activity=activity, data=form.service_data(), by=request.user)
                if not sel.may_manage(request.user, activity):
                    raise ValidationError(_("The activity must take place in your area."))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The activity is saved."))
            return redirect("activities:manage", activity.pk)
    return render(request, "activities/form.html", {"form": form, "activity": activity}, status=400 if form.errors else 200)


def _signups_ordered(activity):
    order = Case(
        When(status=SignUpStatus.CONFIRMED, then=Value(0)),
        When(status=SignUpStatus.WAITING, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return SignUp.objects.filter(activity=activity).select_related("volunteer").order_by(order, "signed_up_at", "id")


def _code_url(request, activity, direction: str) -> str:
    code = activity.sign_in_code if direction == "in" else activity.sign_out_code
    return request.build_absolute_uri(reverse("activities:code_link", args=[activity.pk, direction, code]))


@login_required
def manage(request, pk: int):
    """The organizer's page of one activity: codes and QR codes, sign-ups, the hours queue."""
    activity = sel.activity_managed(request.user, pk)
    signups = list(_signups_ordered(activity))
    records = list(sel.hours_of_activity(activity))
    with_place = [s for s in signups if s.status == SignUpStatus.CONFIRMED]
    context = {
        "activity": activity,
        "signups": signups,
        "records": records,
        "pending": [r for r in records if r.status == HoursStatus.PENDING],
        "decided": [r for r in records if r.status != HoursStatus.PENDING],
        "add_form": AddHoursForm(signups=with_place) if with_place else None,
        "reject_form": RejectForm(),
        "cancel_form": CancelActivityForm(),
        "sign_in_url": _code_url(request, activity, "in"),
        "sign_out_url": _code_url(request, activity, "out"),
        "length": activity_length(activity.starts_at, activity.ends_at),
        "rules": rules_for_city(activity.city_id),
    }
    return render(request, "activities/manage.html", context)


@login_required
def show_code(request, pk: int, direction: str):
    """A page to show (or project) one code with its QR code."""
    if direction not in DIRECTIONS:
        raise Http404
    activity = sel.activity_managed(request.user, pk)
    url = _code_url(request, activity, direction)
    context = {
        "activity": activity,
        "direction": direction,
        "code": activity.sign_in_code if direction == "in" else activity.sign_out_code,
        "url": url,
        "qr": segno.make(url, error="m").svg_inline(scale=8, dark="#000", light="#fff"),
    }
    return render(request, "activities/show_code.html", context)


@login_required
def qr_svg(request, pk: int, direction: str):
    if direction not in DIRECTIONS:
        raise Http404
    activity = sel.activity_managed(request.user, pk)
    out = io.BytesIO()
    segno.make(_code_url(request, activity, direction), error="m").save(out, kind="svg", scale=6)
    response = HttpResponse(out.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def rotate_codes(request, pk: int):
    activity = sel.activity_managed(request.user, pk)
    activity_rotate_codes(activity=activity, by=request.user)
    messages.success(request, _("New codes are shown; the old ones no longer work."))
    return redirect("activities:manage", pk)


@login_required
@require_POST
def recruitment(request, pk: int):
    activity = sel.activity_managed(request.user, pk)
    try:
        activity_set_recruitment(activity=activity, open_=request.POST.get("open") == "1", by=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("activities:manage", pk)


@login_required
@require_POST
def cancel(request, pk: int):
    activity = sel.activity_managed(request.user, pk)
    form = CancelActivityForm(request.POST)
    try:
        activity_cancel(activity=activity, by=request.user, reason=request.POST.get("reason", "") if form.is_valid() else "")
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("The activity is cancelled and the volunteers who signed up are told."))
    return redirect("activities:manage", pk)


@login_required
@require_POST
def add_hours(request, pk: int):
    activity = sel.activity_managed(request.user, pk)
    with_place = list(_signups_ordered(activity).filter(status=SignUpStatus.CONFIRMED))
    form = AddHoursForm(request.POST, signups=with_place)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return redirect("activities:manage", pk)
    chosen = next(s for s in with_place if str(s.pk) == form.cleaned_data["signup"])
    try:
        hours_add(
            activity=activity,
            volunteer=chosen.volunteer,
            hours=form.cleaned_data["hours"],
            content=form.cleaned_data["content"],
            by=request.user,
        )
    except (ValidationError, TransitionRefused) as exc:
        _errors(request, exc)
    else:
        messages.success(
            request, _("%(hours)s hours added for %(name)s.") % {"hours": form.cleaned_data["hours"], "name": chosen.volunteer.name}
        )
    return redirect("activities:manage", pk)


@login_required
@require_POST
def confirm_all(request, pk: int):
    activity = sel.activity_managed(request.user, pk)
    outcome = hours_confirm_all(activity=activity, by=request.user)
    messages.success(request, _("%(n)s records confirmed.") % {"n": outcome.confirmed})
    for problem in outcome.refused:
        messages.error(request, problem)
    return redirect("activities:manage", pk)


@login_required
@require_POST
def confirm_record(request, pk: int):
    record = sel.record_managed(request.user, pk)
    try:
        hours_confirm(record=record, by=request.user)
    except (ValidationError, TransitionRefused) as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Hours confirmed for %(name)s.") % {"name": record.volunteer.name})
    return redirect("activities:manage", record.activity_id)


@login_required
@require_POST
def reject_record(request, pk: int):
    record = sel.record_managed(request.user, pk)
    try:
        hours_reject(record=record, by=request.user, reason=request.POST.get("reason", ""))
    except (ValidationError, TransitionRefused) as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Hours rejected for %(name)s; the record is kept with the reason.") % {"name": record.volunteer.name})
    return redirect("activities:manage", record.activity_id)


@login_required
def export_signups(request, pk: int, fmt: str):
    """The activity's sign-ups and hours as a spreadsheet. ID numbers and phones are masked."""
    if fmt not in (XLSX, CSV):
        raise Http404
    activity = sel.activity_managed(request.user, pk)
    headers = ["志愿者编号", "姓名", "证件号码", "手机", "报名状态", "报名时间", "签到", "签退"]

    def when(value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""

    rows = (
        [
            s.volunteer.volunteer_number,
            s.volunteer.name,
            mask_id_number(s.volunteer.id_number, s.volunteer.id_type),
            mask_phone(s.volunteer.phone),
            s.get_status_display(),
            when(s.signed_up_at),
            when(s.signed_in_at),
            when(s.signed_out_at),
        ]
        for s in _signups_ordered(activity).iterator(chunk_size=500)
    )
    return table_response(fmt, f"activity-{activity.pk}-signups", headers, rows, title="报名")


@login_required
def issuer_profile(request):
    """An organization's account names who signs its certificates."""
    if request.user.role != Role.ORGANIZATION or not request.user.organization_id:
        raise Http404
    org = request.user.organization
    profile = IssuerProfile.objects.filter(organization=org).first()
    initial = (
        {"person_in_charge": profile.person_in_charge, "handler": profile.handler, "contact": profile.contact}
        if profile
        else {"person_in_charge": org.legal_representative, "handler": request.user.display_name}
    )
    form = IssuerProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            issuer_profile_save(organization=org, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved. New certificates carry these names."))
            return redirect("activities:manage_list")
    return render(request, "activities/issuer.html", {"form": form, "organization": org}, status=400 if form.errors else 200)
