"""Reads of the registry: public lists, staff lists scoped to the acting user, search."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from shezhi.accounts.models import Role
from shezhi.accounts.selectors import area_scope_q
from shezhi.registry.models import Organization
from shezhi.registry.search import filter_text

SORTS = {
    "name": ("sort_key", "id"),
    "-name": ("-sort_key", "-id"),
    "founded": ("founded_on", "id"),
    "-founded": ("-founded_on", "-id"),
}
DEFAULT_SORT = "name"


@dataclass(frozen=True)
class OrganizationFilters:
    q: str = ""
    registration: str = ""
    legal_form: str = ""
    town: int | None = None
    community: int | None = None
    community_category: str = ""
    rating: str = ""
    status: str = ""
    hub: bool = False
    social_work_agency: bool = False
    charity: bool = False
    sort: str = DEFAULT_SORT


TRUE_WORDS = {"1", "true", "on", "yes"}


def filters_from_params(params) -> tuple[OrganizationFilters, dict[str, str]]:
    """Parse filters from a query dict (GET params). Returns the filters and, per bad
    parameter, a message; a bad value is ignored rather than failing the page."""
    from django.utils.translation import gettext as _

    from shezhi.registry.models import CommunityCategory, LegalForm, OrganizationStatus, Rating, RegistrationKind

    errors: dict[str, str] = {}

    def choice(name: str, choices) -> str:
        value = (params.get(name) or "").strip()
        if value and value not in choices.values:
            errors[name] = _("Unknown value %(value)s.") % {"value": value[:30]}
            return ""
        return value

    def area_id(name: str) -> int | None:
        value = (params.get(name) or "").strip()
        if not value:
            return None
        if not value.isdigit():
            errors[name] = _("Choose an area from the list.")
            return None
        return int(value)

    sort = (params.get("sort") or DEFAULT_SORT).strip()
    if sort not in SORTS:
        errors["sort"] = _("Unknown sort order.")
        sort = DEFAULT_SORT
    return (
        OrganizationFilters(
            q=(params.get("q") or "").strip()[:100],
            registration=choice("registration", RegistrationKind),
            legal_form=choice("legal_form", LegalForm),
            town=area_id("town"),
            community=area_id("community"),
            community_category=choice("community_category", CommunityCategory),
            rating=choice("rating", Rating),
            status=choice("status", OrganizationStatus),
            hub=(params.get("hub") or "").lower() in TRUE_WORDS,
            social_work_agency=(params.get("social_work_agency") or "").lower() in TRUE_WORDS,
            charity=(params.get("charity") or "").lower() in TRUE_WORDS,
            sort=sort,
        ),
        errors,
    )


def organizations_public() -> QuerySet[Organization]:
    """Every organization in the registry as the public sees it (public fields only in templates)."""
    return Organization.objects.select_related("town", "community")


def organizations_visible_to(user) -> QuerySet[Organization]:
    """Organizations whose non-public data the user may see: their area's, or their own."""
    if not getattr(user, "is_authenticated", False):
        return Organization.objects.none()
    if user.role == Role.ORGANIZATION:
        return Organization.objects.filter(pk=user.organization_id).select_related("town", "community")
    q = area_scope_q(user)
    if q is None:
        return Organization.objects.none()
    return Organization.objects.filter(q).select_related("town", "community")


def organizations_editable_by(user) -> QuerySet[Organization]:
    """Organizations the user may change: the bureau its city's, a town officer its town's."""
    if not getattr(user, "is_authenticated", False) or user.role not in (Role.BUREAU, Role.TOWN):
        return Organization.objects.none()
    qs = organizations_visible_to(user)
    if user.role == Role.TOWN:
        # Towns keep the records they file; registered legal persons belong to the bureau.
        qs = qs.filter(registration="filed")
    return qs


def may_see_personal_data(user, org: Organization) -> bool:
    """Full personal data (phones) is for the staff who keep the record, not everyone who
    may read it: the bureau for its city, the town officer for the organizations it files."""
    return getattr(user, "is_authenticated", False) and organizations_editable_by(user).filter(pk=org.pk).exists()


def organization_for(user, pk: int, *, editable: bool = False) -> Organization:
    """One organization the user may see (or change): forbidden and missing are both 404."""
    qs = organizations_editable_by(user) if editable else organizations_visible_to(user)
    try:
        return qs.get(pk=pk)
    except (Organization.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def apply_filters(qs: QuerySet[Organization], f: OrganizationFilters) -> QuerySet[Organization]:
    if f.q:
        qs = filter_text(qs, f.q)
    if f.registration:
        qs = qs.filter(registration=f.registration)
    if f.legal_form:
        qs = qs.filter(legal_form=f.legal_form)
    if f.town:
        qs = qs.filter(town_id=f.town)
    if f.community:
        qs = qs.filter(community_id=f.community)
    if f.community_category:
        qs = qs.filter(community_category=f.community_category)
    if f.rating:
        qs = qs.filter(rating=f.rating)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.hub:
        qs = qs.exclude(hub_kind="")
    if f.social_work_agency:
        qs = qs.filter(is_social_work_agency=True)
    if f.charity:
        qs = qs.filter(is_charity=True)
    return qs.order_by(*SORTS.get(f.sort, SORTS[DEFAULT_SORT]))


def find_duplicate(*, credit_code: str, name: str, town_id: int | None, exclude_id: int | None = None) -> Organization | None:
    """An existing organization with the same credit code, or the same name in the same town."""
    q = Q()
    if credit_code:
        q |= Q(credit_code=credit_code)
    if name and town_id:
        q |= Q(name=name, town_id=town_id)
    if not q:
        return None
    qs = Organization.objects.filter(q)
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    return qs.order_by("id").first()


def organization_detail_public(pk: int) -> Organization:
    try:
        return (
            Organization.objects.select_related("town", "community", "hub_area")
            .prefetch_related("service_domains", "target_groups", Prefetch("served_communities"))
            .get(pk=pk)
        )
    except (Organization.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _display(field, value):
    from django.utils.translation import gettext as _

    if value is None or value == "" or value == []:
        return "—"
    if value == "(changed)":  # personal data is never logged in clear
        return _("(hidden)")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    choices = dict(field.flatchoices) if field is not None and field.choices else None
    if choices and value in choices:
        return str(choices[value])
    return str(value)


def organization_history(org: Organization, *, limit: int = 200) -> list:
    """The organization's audit entries with changes labelled for people: field names as
    their verbose names, choice values as their labels."""
    from shezhi.audit.selectors import audit_entries_for

    entries = list(audit_entries_for(target_type="registry.organization", target_id=str(org.pk))[:limit])
    fields = {f.name: f for f in Organization._meta.get_fields() if hasattr(f, "verbose_name")}
    order = {name: i for i, name in enumerate(fields)}
    for entry in entries:
        labelled = []
        if entry.action != "personal_data.viewed":
            for name, pair in sorted(entry.changes.items(), key=lambda item: order.get(item[0], len(order))):
                field = fields.get(name)
                label = str(field.verbose_name) if field is not None else name
                old, new = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
                labelled.append((label, _display(field, old), _display(field, new)))
        entry.labelled_changes = labelled
    return entries
