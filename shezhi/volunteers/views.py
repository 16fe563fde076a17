"""Pages of the volunteer section.

Public: registration (with or without an account), recovery of an existing registration,
the volunteer's own page. Staff (bureau, town, community in their area): the volunteer list
and record, registration on someone's behalf, merges, volunteer organizations with their
teams and members, stations, and the numbers. A forbidden page is a 404.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shezhi.accounts.models import Role, User
from shezhi.accounts.selectors import areas_visible_to
from shezhi.areas.models import Area, AreaLevel
from shezhi.audit.middleware import client_ip
from shezhi.paging import query_without
from shezhi.privacy import keyed_hash
from shezhi.registry.models import Organization
from shezhi.volunteers import exports
from shezhi.volunteers.extensions import sections_for
from shezhi.volunteers.forms import (
    AddMemberForm,
    CountsFilters,
    LinkAccountForm,
    MergeForm,
    ProfileForm,
    ReasonForm,
    RecoverForm,
    RegistrationForm,
    StaffEditForm,
    StationForm,
    TeamForm,
    VolunteerFilters,
    communities_of,
)
from shezhi.volunteers.models import Membership, Station, Volunteer, VolunteerStatus, VolunteerTeam
from shezhi.volunteers.selectors import (
    VOLUNTEER_STAFF_ROLES,
    apply_volunteer_filters,
    counts_areas_for,
    counts_total,
    may_manage_organization,
    may_manage_stations,
    may_manage_volunteer,
    may_see_full_id,
    stations_visible_to,
    targets_on,
    teams_visible_to,
    volunteer_counts,
    volunteer_for,
    volunteer_history,
    volunteer_of,
    volunteer_organizations_visible_to,
    volunteers_visible_to,
)
from shezhi.volunteers.services import (
    STAFF_EDIT_FIELDS,
    DuplicateVolunteer,
    RecoveryRefused,
    account_create_public,
    membership_add,
    membership_end,
    station_save,
    team_create,
    team_update,
    volunteer_cancel,
    volunteer_full_id_viewed,
    volunteer_link_account,
    volunteer_merge,
    volunteer_reactivate,
    volunteer_recover,
    volunteer_register,
    volunteer_register_with_account,
    volunteer_update,
)

PAGE_SIZE = 25
RECOVERY_ATTEMPTS = 5  # per hour and client address
RECOVERY_WINDOW = 3600


def _require_staff(user) -> None:
    if user.role not in VOLUNTEER_STAFF_ROLES or user.area_id is None:
        raise Http404


def _staff_towns(user):
    """Towns a staff user may register residents in: their area's towns (a community
    worker: their community's town)."""
    area = user.area
    if area.level == AreaLevel.COMMUNITY:
        return Area.objects.filter(pk=area.town_id)
    return areas_visible_to(user).filter(level=AreaLevel.TOWN).order_by("code")


def _public_towns():
    """Towns a resident may choose: those of the city this installation serves."""
    return Area.objects.filter(level=AreaLevel.TOWN, city__code=settings.SHEZHI_CITY_CODE).order_by("code")


def community_options(request):
    """<option>s of the communities of a town (htmx). Area names are public."""
    town_id = request.GET.get("town", "")
    communities = communities_of([int(town_id)]) if town_id.isdigit() else Area.objects.none()
    if request.user.is_authenticated and request.user.role == Role.COMMUNITY:
        communities = communities.filter(pk=request.user.area_id)
    return render(request, "volunteers/_community_options.html", {"communities": communities})


def _forget_id_number(form) -> None:
    """A number that is already registered is not shown back: whoever typed it is sent to
    recovery, where it must be entered again with the name and phone."""
    form.data = form.data.copy()
    form.data["id_number"] = ""


# --- registration by the person ------------------------------------------------------------


def register(request):
    """Real-name registration by the resident. Signed in (as a resident): the record is
    theirs. Not signed in: the form also makes their account. A number already registered
    leads to the recovery page, not a dead end."""
    user = request.user
    if user.is_authenticated:
        if user.role in VOLUNTEER_STAFF_ROLES:
            return redirect("volunteers:new")
        if user.role != Role.PUBLIC:
            messages.info(request, _("Volunteers register with a resident's account. Log out to register as a person."))
            return redirect("portal:home")
        if volunteer_of(user) is not None:
            return redirect("volunteers:me")
    account = not user.is_authenticated
    form = RegistrationForm(request.POST or None, towns=_public_towns(), account=account)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        try:
            if account:
                volunteer = volunteer_register_with_account(
                    data=data, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
                )
                login(request, volunteer.user, backend="django.contrib.auth.backends.ModelBackend")
            else:
                volunteer = volunteer_register(data=data, by=user, user=user, self_service=True, source="self")
        except DuplicateVolunteer as exc:
            duplicate = exc.existing
            form.add_service_errors(exc)
            _forget_id_number(form)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _("You are registered as a volunteer. Your volunteer number is %(number)s.") % {"number": volunteer.volunteer_number},
            )
            return redirect("volunteers:me")
    context = {"form": form, "account": account, "duplicate": duplicate}
    return render(request, "volunteers/register.html", context, status=400 if form.errors else 200)


def _recovery_key(request) -> str:
    return "volunteers:recover:" + keyed_hash(client_ip(request) or "unknown")[:32]


def recover(request):
    """Recover an existing registration: name, full ID number and the registered phone must
    match. Signed in: the record is linked to this account. Not signed in: an account is made
    for it. Attempts are limited per client address."""
    user = request.user
    if user.is_authenticated and user.role != Role.PUBLIC:
        raise Http404
    account = not user.is_authenticated
    form = RecoverForm(request.POST or None, account=account)
    if request.method == "POST" and form.is_valid():
        key = _recovery_key(request)
        attempts = cache.get(key, 0)
        if attempts >= RECOVERY_ATTEMPTS:
            form.add_error(None, _("Too many attempts. Try again in an hour, or ask your community or town office."))
        else:
            data = form.cleaned_data
            try:
                from django.db import transaction

                with transaction.atomic():
                    target_user = user
                    if account:
                        target_user = account_create_public(username=data["username"], password=data["password"], display_name=data["name"])
                    volunteer = volunteer_recover(
                        user=target_user, name=data["name"], id_type=data["id_type"], id_number=data["id_number"], phone=data["phone"]
                    )
            except RecoveryRefused as exc:
                cache.set(key, attempts + 1, RECOVERY_WINDOW)
                form.add_error(None, exc.messages)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                cache.delete(key)
                if account:
                    login(request, volunteer.user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(
                    request,
                    _("Your volunteer registration %(number)s is linked to this account.") % {"number": volunteer.volunteer_number},
                )
                return redirect("volunteers:me")
    return render(request, "volunteers/recover.html", {"form": form, "account": account}, status=400 if form.errors else 200)


# --- the volunteer's own page ---------------------------------------------------------------


@login_required
def me(request):
    volunteer = volunteer_of(request.user)
    if volunteer is None:
        if request.user.role == Role.PUBLIC:
            return render(request, "volunteers/me_none.html")
        raise Http404
    memberships = volunteer.memberships.select_related("organization", "team", "team__organization").order_by("-joined_on", "-id")
    context = {
        "v": volunteer,
        "memberships": memberships,
        "sections": sections_for(volunteer, request, audience="self"),
        "cancel_form": ReasonForm(),
    }
    return render(request, "volunteers/me.html", context)


@login_required
def me_edit(request):
    volunteer = volunteer_of(request.user)
    if volunteer is None or volunteer.status != VolunteerStatus.ACTIVE:
        raise Http404
    initial = {
        "phone": volunteer.phone,
        "town": volunteer.town_id,
        "community": volunteer.community_id,
        "skills": list(volunteer.skills.all()),
        "skills_note": volunteer.skills_note,
        "preferences": list(volunteer.preferences.all()),
        "availability": volunteer.availability,
    }
    form = ProfileForm(request.POST or None, initial=initial, towns=_public_towns() | Area.objects.filter(pk=volunteer.town_id))
    if request.method == "POST" and form.is_valid():
        try:
            volunteer_update(volunteer=volunteer, data=form.cleaned_data, by=request.user, fields=list(form.fields), source="self")
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Your details were saved."))
            return redirect("volunteers:me")
    return render(request, "volunteers/me_edit.html", {"form": form, "v": volunteer}, status=400 if form.errors else 200)


@login_required
@require_POST
def me_cancel(request):
    volunteer = volunteer_of(request.user)
    if volunteer is None:
        raise Http404
    try:
        volunteer_cancel(volunteer=volunteer, by=request.user, reason=(request.POST.get("reason") or "")[:300])
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(request, _("Your volunteer registration is cancelled. Your service records are kept."))
    return redirect("volunteers:me")


# --- staff: volunteers ------------------------------------------------------------------------


def _filtered(request):
    filters = VolunteerFilters(request.GET)
    values = filters.values()
    return filters, values, apply_volunteer_filters(volunteers_visible_to(request.user), values)


@login_required
def volunteer_list(request):
    """The volunteers living in the user's area (an organization: its members), masked."""
    user = request.user
    if user.role not in (*VOLUNTEER_STAFF_ROLES, Role.ORGANIZATION):
        raise Http404
    filters, values, qs = _filtered(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    visible = areas_visible_to(user) if user.role in VOLUNTEER_STAFF_ROLES else Area.objects.none()
    context = {
        "page": page,
        "filters": filters,
        "values": values,
        "towns": visible.filter(level=AreaLevel.TOWN).order_by("code"),
        "communities": visible.filter(level=AreaLevel.COMMUNITY, parent_id=values["town"]).order_by("code") if "town" in values else [],
        "querystring": query_without(request, "page"),
        "can_register": user.role in VOLUNTEER_STAFF_ROLES,
        "can_export_full": user.role in (Role.BUREAU, Role.TOWN),
        "statuses": VolunteerStatus.choices,
    }
    return render(request, "volunteers/list.html", context)


@login_required
def volunteer_export(request):
    """The list as .xlsx or .csv. ID numbers and phones are masked; `full=1` gives the full
    ID numbers to those who may see them (bureau, town), and the export is audited."""
    user = request.user
    if user.role not in (*VOLUNTEER_STAFF_ROLES, Role.ORGANIZATION):
        raise Http404
    fmt = request.GET.get("fmt", "xlsx")
    if fmt not in ("xlsx", "csv"):
        raise Http404
    _filters, values, qs = _filtered(request)
    full = request.GET.get("full") == "1" and user.role in (Role.BUREAU, Role.TOWN)
    return exports.volunteers_response(request, qs, fmt=fmt, full=full, filters=values)


@login_required
def volunteer_new(request):
    """Staff register a resident (who came to the office, or a child with their guardian)."""
    _require_staff(request.user)
    form = RegistrationForm(request.POST or None, towns=_staff_towns(request.user), staff=True)
    if request.user.role == Role.COMMUNITY:
        form.fields["community"].queryset = Area.objects.filter(pk=request.user.area_id)
        form.fields["community"].required = True
    duplicate = None
    if request.method == "POST" and form.is_valid():
        try:
            volunteer = volunteer_register(data=form.service_data(), by=request.user, source="staff")
        except DuplicateVolunteer as exc:
            duplicate = exc.existing
            form.add_service_errors(exc)
            _forget_id_number(form)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Registered: volunteer number %(number)s.") % {"number": volunteer.volunteer_number})
            return redirect("volunteers:detail", volunteer.pk)
    duplicate_visible = duplicate is not None and volunteers_visible_to(request.user).filter(pk=duplicate.pk).exists()
    context = {"form": form, "duplicate": duplicate, "duplicate_visible": duplicate_visible}
    return render(request, "volunteers/new.html", context, status=400 if form.errors else 200)


@login_required
def volunteer_detail(request, pk: int):
    user = request.user
    v = volunteer_for(user, pk)
    manage = may_manage_volunteer(user, v)
    memberships = v.memberships.select_related("organization", "team", "team__organization").order_by("-joined_on", "-id")
    context = {
        "v": v,
        "manage": manage,
        "full_id_allowed": may_see_full_id(user, v),
        "memberships": memberships,
        "history": volunteer_history(v) if manage else [],
        "sections": sections_for(v, request, audience="staff"),
        "link_form": LinkAccountForm() if manage else None,
        "reason_form": ReasonForm() if manage else None,
        "can_merge": user.role == Role.BUREAU and v.status != VolunteerStatus.MERGED,
    }
    return render(request, "volunteers/detail.html", context)


@login_required
@require_POST
def volunteer_show_id(request, pk: int):
    """The full ID number, for those allowed, on an explicit action; audited."""
    v = volunteer_for(request.user, pk)
    if not may_see_full_id(request.user, v):
        raise Http404
    number = volunteer_full_id_viewed(volunteer=v, by=request.user, purpose=(request.POST.get("purpose") or "")[:300])
    return render(request, "volunteers/_full_id.html", {"number": number})


@login_required
@require_POST
def volunteer_show_phone(request, pk: int):
    v = volunteer_for(request.user, pk)
    if not may_see_full_id(request.user, v):
        raise Http404
    from shezhi.audit.models import AuditAction
    from shezhi.audit.services import audit_record

    audit_record(action=AuditAction.PERSONAL_DATA_VIEWED, by=request.user, target=v, changes={"field": "phone"})
    return render(request, "volunteers/_full_id.html", {"number": v.phone, "element": "phone"})


def _manageable(request, pk: int) -> Volunteer:
    v = volunteer_for(request.user, pk)
    if not may_manage_volunteer(request.user, v):
        raise Http404
    return v


@login_required
def volunteer_edit(request, pk: int):
    v = _manageable(request, pk)
    if v.status == VolunteerStatus.MERGED:
        raise Http404
    initial = {
        "name": v.name,
        "phone": v.phone,
        "town": v.town_id,
        "community": v.community_id,
        "skills": list(v.skills.all()),
        "skills_note": v.skills_note,
        "preferences": list(v.preferences.all()),
        "availability": v.availability,
        "guardian_name": v.guardian_name,
        "guardian_phone": v.guardian_phone,
        "guardian_consent_on": v.guardian_consent_on,
    }
    form = StaffEditForm(request.POST or None, initial=initial, towns=_staff_towns(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            volunteer_update(
                volunteer=v,
                data=form.cleaned_data,
                by=request.user,
                fields=STAFF_EDIT_FIELDS,
                reason=form.cleaned_data["reason"],
                source="staff",
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The record was saved."))
            return redirect("volunteers:detail", v.pk)
    return render(request, "volunteers/edit.html", {"form": form, "v": v}, status=400 if form.errors else 200)


def _run(request, fn, ok: str) -> None:
    try:
        fn()
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(request, ok)


@login_required
@require_POST
def volunteer_cancel_view(request, pk: int):
    v = _manageable(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason."))
        return redirect("volunteers:detail", v.pk)
    _run(
        request,
        lambda: volunteer_cancel(volunteer=v, by=request.user, reason=form.cleaned_data["reason"]),
        _("The registration is cancelled."),
    )
    return redirect("volunteers:detail", v.pk)


@login_required
@require_POST
def volunteer_reactivate_view(request, pk: int):
    v = _manageable(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason."))
        return redirect("volunteers:detail", v.pk)
    _run(
        request,
        lambda: volunteer_reactivate(volunteer=v, by=request.user, reason=form.cleaned_data["reason"]),
        _("The registration is active again."),
    )
    return redirect("volunteers:detail", v.pk)


@login_required
@require_POST
def volunteer_link_view(request, pk: int):
    v = _manageable(request, pk)
    form = LinkAccountForm(request.POST)
    if form.is_valid():
        account = User.objects.filter(username=form.cleaned_data["username"].strip()).first()
        if account is None:
            messages.error(request, _("There is no account with this user name."))
        else:
            _run(
                request,
                lambda: volunteer_link_account(volunteer=v, user=account, by=request.user, reason=form.cleaned_data["reason"]),
                _("The record is linked to the account %(name)s.") % {"name": account.username},
            )
    return redirect("volunteers:detail", v.pk)


@login_required
def volunteer_merge_view(request, pk: int):
    """The bureau merges a duplicate record into the person's other record, keeping all
    memberships, sign-ups and hours. First the two records side by side, then the merge."""
    if request.user.role != Role.BUREAU:
        raise Http404
    source = volunteer_for(request.user, pk)
    if source.status == VolunteerStatus.MERGED:
        raise Http404
    form = MergeForm(request.POST or None)
    target = None
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["target_number"].strip()
        target = volunteers_visible_to(request.user).filter(volunteer_number=number).exclude(status=VolunteerStatus.MERGED).first()
        if target is None:
            form.add_error("target_number", _("No record with this volunteer number in your area."))
        elif target.pk == source.pk:
            form.add_error("target_number", _("A record cannot be merged into itself."))
            target = None
        elif form.cleaned_data.get("confirm"):
            try:
                volunteer_merge(source=source, target=target, by=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                messages.success(
                    request,
                    _("Record %(source)s was merged into %(target)s.")
                    % {"source": source.volunteer_number, "target": target.volunteer_number},
                )
                return redirect("volunteers:detail", target.pk)
    return render(request, "volunteers/merge.html", {"form": form, "source": source, "target": target})


# --- volunteer organizations, teams, members ---------------------------------------------------


@login_required
def organization_list(request):
    """Volunteer service organizations in the user's area (an organization: itself), with
    their teams and members counted."""
    user = request.user
    if user.role not in (*VOLUNTEER_STAFF_ROLES, Role.ORGANIZATION):
        raise Http404
    if user.role == Role.ORGANIZATION:
        org = volunteer_organizations_visible_to(user).first()
        if org is None:
            return render(request, "volunteers/org_not_volunteer.html", status=404)
        return redirect("volunteers:organization", org.pk)
    qs = volunteer_organizations_visible_to(user).annotate(
        team_count=Count("volunteer_teams", filter=Q(volunteer_teams__dissolved_on__isnull=True), distinct=True),
        member_count=Count("volunteer_memberships", filter=Q(volunteer_memberships__left_on__isnull=True), distinct=True),
    )
    page = Paginator(qs.order_by("sort_key", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "volunteers/organizations.html", {"page": page, "querystring": query_without(request, "page")})


def _organization_for(user, pk: int) -> Organization:
    try:
        return volunteer_organizations_visible_to(user).get(pk=pk)
    except (Organization.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _team_towns(user, org: Organization):
    if user.role == Role.ORGANIZATION:
        return Area.objects.filter(level=AreaLevel.TOWN, city_id=org.city_id).order_by("code")
    return _staff_towns(user)


@login_required
def organization_detail(request, pk: int):
    """A volunteer organization's teams and members, and the forms to keep them."""
    user = request.user
    org = _organization_for(user, pk)
    manage = may_manage_organization(user, org)
    teams = org.volunteer_teams.select_related("town", "community").annotate(
        member_count=Count("memberships", filter=Q(memberships__left_on__isnull=True))
    )
    members = (
        Membership.objects.filter(Q(organization=org) | Q(team__organization=org), left_on__isnull=True)
        .select_related("volunteer", "team")
        .order_by("-joined_on", "-id")
    )
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "org": org,
        "manage": manage,
        "teams": teams,
        "page": page,
        "team_form": TeamForm(towns=_team_towns(user, org), creating=True, initial={"town": org.town_id, "community": org.community_id})
        if manage
        else None,
        "member_form": AddMemberForm() if manage else None,
    }
    return render(request, "volunteers/organization.html", context)


@login_required
@require_POST
def team_new(request, pk: int):
    org = _organization_for(request.user, pk)
    if not may_manage_organization(request.user, org):
        raise Http404
    form = TeamForm(request.POST, towns=_team_towns(request.user, org), creating=True)
    if form.is_valid():
        try:
            team = team_create(organization=org, data=form.cleaned_data, by=request.user)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Team %(name)s was filed.") % {"name": team.name})
            return redirect("volunteers:team", team.pk)
    for errors in form.errors.values():
        for e in errors:
            messages.error(request, e)
    return redirect("volunteers:organization", org.pk)


def _team_for(user, pk: int) -> VolunteerTeam:
    try:
        return teams_visible_to(user).get(pk=pk)
    except (VolunteerTeam.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@login_required
def team_detail(request, pk: int):
    user = request.user
    team = _team_for(user, pk)
    manage = may_manage_organization(user, team.organization)
    form = None
    if manage:
        initial = {"name": team.name, "town": team.town_id, "community": team.community_id, "founded_on": team.founded_on}
        initial["dissolved_on"] = team.dissolved_on
        form = TeamForm(request.POST or None, towns=_team_towns(user, team.organization), creating=False, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                team_update(team=team, data=form.cleaned_data, by=user)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("The team was saved."))
                return redirect("volunteers:team", team.pk)
    elif request.method == "POST":
        raise Http404
    members = team.memberships.filter(left_on__isnull=True).select_related("volunteer").order_by("-joined_on", "-id")
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"team": team, "manage": manage, "form": form, "page": page, "member_form": AddMemberForm() if manage else None}
    return render(request, "volunteers/team.html", context)


@login_required
@require_POST
def member_add(request):
    """Add a registered volunteer to an organization or team: the volunteer number and the
    name must both match (so numbers cannot be tried at random)."""
    user = request.user
    team = None
    if request.POST.get("team"):
        team = _team_for(user, request.POST["team"])
        org = team.organization
    else:
        org = _organization_for(user, request.POST.get("organization"))
    if not may_manage_organization(user, org):
        raise Http404
    back = reverse("volunteers:team", args=[team.pk]) if team else reverse("volunteers:organization", args=[org.pk])
    form = AddMemberForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the volunteer number and the name."))
        return redirect(back)
    volunteer = (
        Volunteer.objects.filter(volunteer_number=form.cleaned_data["volunteer_number"].strip(), name=form.cleaned_data["name"].strip())
        .exclude(status=VolunteerStatus.MERGED)
        .first()
    )
    if volunteer is None:
        messages.error(request, _("No registered volunteer has this number and name."))
        return redirect(back)
    _run(
        request,
        lambda: membership_add(volunteer=volunteer, organization=org, team=team, by=user, joined_on=form.cleaned_data.get("joined_on")),
        _("%(name)s was added.") % {"name": volunteer.name},
    )
    return redirect(back)


@login_required
@require_POST
def member_end(request, pk: int):
    user = request.user
    try:
        m = Membership.objects.select_related("organization", "team__organization", "volunteer").get(pk=pk)
    except Membership.DoesNotExist:
        raise Http404 from None
    org = m.team.organization if m.team_id else m.organization
    if not may_manage_organization(user, org) or not volunteer_organizations_visible_to(user).filter(pk=org.pk).exists():
        raise Http404
    _run(request, lambda: membership_end(membership=m, by=user), _("%(name)s left.") % {"name": m.volunteer.name})
    return redirect(reverse("volunteers:team", args=[m.team_id]) if m.team_id else reverse("volunteers:organization", args=[org.pk]))


# --- stations ---------------------------------------------------------------------------------


def _station_form(request, *, station: Station | None):
    user = request.user
    towns = _staff_towns(user)
    visible = areas_visible_to(user)
    communities = (
        visible.filter(level=AreaLevel.COMMUNITY).order_by("code") if user.role != Role.COMMUNITY else visible.filter(pk=user.area_id)
    )
    city_id = user.area.city_id or user.area_id
    operators = Organization.objects.filter(city_id=city_id, is_volunteer_org=True, status="normal").order_by("sort_key", "id")
    initial = {}
    if station is not None:
        initial = {
            f: getattr(station, f + "_id", None) if f in ("town", "community", "operator") else getattr(station, f)
            for f in ("name", "town", "community", "address", "operator", "opened_on", "closed_on")
        }
    elif user.role == Role.COMMUNITY:
        initial = {"town": user.area.town_id, "community": user.area_id}
    return StationForm(
        request.POST or None, initial=initial, towns=towns, communities=communities, operators=operators, creating=station is None
    )


@login_required
def station_list(request):
    user = request.user
    if user.role not in (*VOLUNTEER_STAFF_ROLES, Role.ORGANIZATION):
        raise Http404
    qs = stations_visible_to(user).order_by("town__code", "community__code", "name", "id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    form = None
    if may_manage_stations(user):
        form = _station_form(request, station=None)
        if request.method == "POST" and form.is_valid():
            try:
                s = station_save(data=form.cleaned_data, by=user)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Station %(name)s was added.") % {"name": s.name})
                return redirect("volunteers:stations")
    elif request.method == "POST":
        raise Http404
    context = {"page": page, "form": form, "today": timezone.localdate(), "querystring": query_without(request, "page")}
    return render(request, "volunteers/stations.html", context, status=400 if form is not None and form.errors else 200)


@login_required
def station_edit(request, pk: int):
    user = request.user
    if not may_manage_stations(user):
        raise Http404
    try:
        station = stations_visible_to(user).get(pk=pk)
    except (Station.DoesNotExist, ValueError):
        raise Http404 from None
    form = _station_form(request, station=station)
    if request.method == "POST" and form.is_valid():
        try:
            station_save(data=form.cleaned_data, by=user, station=station)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The station was saved."))
            return redirect("volunteers:stations")
    return render(request, "volunteers/station_edit.html", {"form": form, "station": station}, status=400 if form.errors else 200)


# --- the numbers ------------------------------------------------------------------------------


def _counts_context(request):
    user = request.user
    allowed = counts_areas_for(user)
    area_id, as_of = CountsFilters(request.GET).values()
    area = allowed.filter(pk=area_id).first() if area_id else user.area
    if area is None or (area_id and area.pk != area_id):
        raise Http404
    rows = volunteer_counts(area, as_of)
    return area, as_of, rows


@login_required
def numbers(request):
    """Counts by town (or community) as of any date, with the ratios the plan's targets use;
    each row opens the next level down."""
    if request.user.role not in VOLUNTEER_STAFF_ROLES or request.user.area_id is None:
        raise Http404
    area, as_of, rows = _counts_context(request)
    ancestors = []
    a = area
    while a is not None and a.pk != request.user.area_id:
        a = Area.objects.filter(pk=a.parent_id).first()
        if a is not None:
            ancestors.insert(0, a)
    context = {
        "area": area,
        "as_of": as_of,
        "rows": rows,
        "total": counts_total(area, rows),
        "targets": targets_on(as_of),
        "ancestors": ancestors,
    }
    return render(request, "volunteers/numbers.html", context)


@login_required
def numbers_export(request):
    if request.user.role not in VOLUNTEER_STAFF_ROLES or request.user.area_id is None:
        raise Http404
    fmt = request.GET.get("fmt", "xlsx")
    if fmt not in ("xlsx", "csv"):
        raise Http404
    area, as_of, rows = _counts_context(request)
    return exports.counts_response(fmt, area, as_of, rows, counts_total(area, rows))
