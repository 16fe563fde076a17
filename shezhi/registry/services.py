"""Writes to the registry. Every change of an organization goes through these functions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shezhi.accounts.models import Role
from shezhi.areas.models import Area, AreaLevel
from shezhi.audit.models import AuditAction
from shezhi.audit.services import audit_record
from shezhi.registry import credit_code as cc
from shezhi.registry.models import (
    LEGAL_FORM_TYPE_DIGIT,
    FilingSequence,
    Organization,
    OrganizationStatus,
    RegistrationKind,
)
from shezhi.registry.search import search_document, sort_key
from shezhi.registry.selectors import find_duplicate
from shezhi.registry.signals import organization_written, organizations_created

# Plain fields a caller may set through organization_register / _file / _update.
SCALAR_FIELDS = [
    "name",
    "legal_form",
    "credit_code",
    "is_community_org",
    "community_category",
    "direct_category",
    "town",
    "community",
    "legal_representative",
    "founded_on",
    "address",
    "phone",
    "supervising_unit",
    "business_scope",
    "registered_funds",
    "hub_kind",
    "hub_area",
    "is_social_work_agency",
    "is_volunteer_org",
    "is_charity",
    "charity_recognized_on",
    "public_fundraising",
    "party_organization",
    "rating",
    "rated_on",
    "decoupled_institution_on",
    "decoupled_functions_on",
    "decoupled_finances_on",
    "decoupled_personnel_on",
    "decoupled_party_affairs_on",
]
M2M_FIELDS = ["service_domains", "target_groups", "served_communities"]
# What staff may change on a record (the forms and the API offer exactly these), and what
# a town states when it files a community organization.
# The party organization keeps its own history (shezhi.places: party_status_change), so it
# is changed there, not in the general edit form.
EDIT_FIELDS = [f for f in SCALAR_FIELDS if f not in ("is_community_org", "town", "party_organization")] + M2M_FIELDS
FILING_FIELDS = [
    "name",
    "community",
    "community_category",
    "legal_representative",
    "founded_on",
    "address",
    "phone",
    "business_scope",
    "service_domains",
    "target_groups",
    "is_volunteer_org",
    "hub_kind",
    "hub_area",
    "party_organization",
]

# Personal data never goes into the audit log in clear.
MASKED_IN_AUDIT = {"phone"}
RATING_VALID_YEARS = 5


class DuplicateOrganizationError(ValidationError):
    """Raised when an organization with the same code, or the same name in the same town, exists."""

    def __init__(self, message: str, *, existing: Organization):
        super().__init__(message, code="duplicate")
        self.existing = existing


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def organization_snapshot(org: Organization) -> dict[str, Any]:
    data = {f: getattr(org, f) for f in SCALAR_FIELDS + ["status", "filing_number", "registration"]}
    for f in ("town", "community", "hub_area"):
        data[f] = getattr(org, f).name if getattr(org, f + "_id") else None
    if org.pk:
        for f in M2M_FIELDS:
            data[f] = sorted(str(x) for x in getattr(org, f).all())
    return data


def _audit_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, list]:
    from shezhi.audit.services import diff

    changes = diff(old, new)
    if not old:  # a new record: list what it has, not every empty field
        changes = {k: v for k, v in changes.items() if v[1] not in (None, "", [], False)}
    for key in MASKED_IN_AUDIT & changes.keys():
        changes[key] = ["(changed)" if old.get(key) else "", "(changed)" if new.get(key) else ""]
    return changes


def organization_check(org: Organization) -> None:
    """Registry rules beyond single-field validity; raises ValidationError by field."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if org.town_id and org.town.level != AreaLevel.TOWN:
        add("town", _("Choose a town or street, not %(area)s.") % {"area": org.town.name})
    if org.community_id:
        if org.community.level != AreaLevel.COMMUNITY:
            add("community", _("Choose a community."))
        elif org.community.parent_id != org.town_id:
            add("community", _("%(community)s is not in %(town)s.") % {"community": org.community.name, "town": org.town.name})
    if org.registration == RegistrationKind.REGISTERED:
        if not org.legal_form:
            add("legal_form", _("A registered organization needs its legal form."))
        code = cc.normalize(org.credit_code)
        org.credit_code = code
        if not code:
            add("credit_code", _("A registered organization needs its unified social credit code."))
        else:
            type_digit = LEGAL_FORM_TYPE_DIGIT.get(org.legal_form)
            for problem in cc.problems(code, type_digit=type_digit):
                add("credit_code", problem.message)
    else:
        if org.credit_code:
            add("credit_code", _("A filed organization has a filing number, not a credit code."))
        if org.legal_form:
            add("legal_form", _("A filed organization is not a legal person and has no legal form."))
        if not org.is_community_org:
            add("is_community_org", _("Only community social organizations are filed by towns."))
    if org.is_community_org and not org.community_category:
        add("community_category", _("Choose the community organization's category."))
    if org.hub_kind and not org.hub_area_id:
        add("hub_area", _("Say which town or community the organization is the hub of."))
    if org.hub_area_id and not org.hub_kind:
        add("hub_kind", _("Choose hub or support organization, or leave the area empty."))
    if org.hub_area_id and org.hub_area.level not in (AreaLevel.TOWN, AreaLevel.COMMUNITY):
        add("hub_area", _("A hub serves a town/street or a community."))
    if org.rating and not org.rated_on:
        add("rated_on", _("Enter the date the rating was awarded."))
    if org.rated_on and not org.rating:
        add("rating", _("Choose the rating level, or clear its date."))
    if org.charity_recognized_on and not org.is_charity:
        add("is_charity", _("A recognition date is only for charity organizations."))
    if org.public_fundraising and not org.is_charity:
        add("public_fundraising", _("Only charity organizations can hold the public fundraising qualification."))
    today = timezone.localdate()
    for field in ("founded_on", "rated_on", "charity_recognized_on"):
        value = getattr(org, field)
        if value and value > today:
            add(field, _("The date cannot be in the future."))
    if errors:
        raise ValidationError(errors)


def organization_check_duplicate(org: Organization) -> None:
    existing = find_duplicate(credit_code=org.credit_code, name=org.name, town_id=org.town_id, exclude_id=org.pk)
    if existing is not None:
        if org.credit_code and existing.credit_code == org.credit_code:
            message = _("An organization with credit code %(code)s is already in the registry: %(name)s.")
        else:
            message = _("An organization named %(name)s is already registered or filed in this town.")
        raise DuplicateOrganizationError(message % {"code": org.credit_code, "name": existing.name}, existing=existing)


def organization_prepare(org: Organization, data: Mapping[str, Any]) -> dict[str, Iterable]:
    unknown = set(data) - set(SCALAR_FIELDS) - set(M2M_FIELDS) - {"rating_valid_until"}
    if unknown:
        raise TypeError(f"unknown organization fields: {sorted(unknown)}")
    for field in SCALAR_FIELDS:
        if field in data:
            value = data[field]
            if isinstance(value, str):
                value = value.strip()
            setattr(org, field, value if value is not None or field not in _BLANK_STR else "")
    org.name = " ".join(org.name.split())
    if org.town_id:
        org.city_id = org.town.parent_id
    # The validity comes from the assessment's rules when they say it; otherwise the
    # national default of five years from the rating date.
    if "rating_valid_until" in data:
        org.rating_valid_until = data["rating_valid_until"]
    elif "rating" in data or "rated_on" in data or (org.rating and not org.rating_valid_until):
        org.rating_valid_until = _add_years(org.rated_on, RATING_VALID_YEARS) if org.rated_on else None
    if not (org.rated_on and org.rating):
        org.rating_valid_until = None
    org.sort_key = sort_key(org.name)
    org.search_document = search_document(org.name, org.business_scope)
    return {f: data[f] for f in M2M_FIELDS if f in data}


_BLANK_STR = {
    f.name for f in Organization._meta.get_fields() if getattr(f, "blank", False) and f.get_internal_type() in ("CharField", "TextField")
}


def _save_new(org: Organization, m2m: Mapping[str, Iterable], *, by, action: AuditAction, source: str, reason: str) -> Organization:
    organization_check(org)
    org.full_clean(exclude=["city", "filing_number"] if not org.filing_number else ["city"], validate_constraints=False)
    organization_check_duplicate(org)
    org.created_by = by if getattr(by, "is_authenticated", False) else None
    org.save()
    for field, values in m2m.items():
        getattr(org, field).set(values)
    organization_written.send(Organization, organization=org, on=org.founded_on or timezone.localdate(), founded_on_before=None)
    audit_record(action=action, by=by, target=org, changes=_audit_changes({}, organization_snapshot(org)), reason=reason, source=source)
    return org


@transaction.atomic
def organization_register(*, data: Mapping[str, Any], by, source: str = "", reason: str = "") -> Organization:
    """Enter a registered organization (legal person with a credit code) into the registry."""
    org = Organization(registration=RegistrationKind.REGISTERED)
    m2m = organization_prepare(org, data)
    return _save_new(org, m2m, by=by, action=AuditAction.ORG_CREATED, source=source, reason=reason)


def next_filing_number(*, town: Area, year: int) -> str:
    """Issue the next filing number of a town for a year: <town code>-<year>-<seq>.

    Must run inside the transaction that saves the filing; the sequence row is locked so
    two officers filing at once never get the same number.
    """
    FilingSequence.objects.get_or_create(town=town, year=year)
    seq = FilingSequence.objects.select_for_update().get(town=town, year=year)
    seq.last += 1
    seq.save(update_fields=["last"])
    return f"{town.code}-{year}-{seq.last:04d}"


@transaction.atomic
def organization_file(*, town: Area, data: Mapping[str, Any], by, source: str = "") -> Organization:
    """A town files (备案) a community social organization and the system issues its filing number."""
    if town.level != AreaLevel.TOWN:
        raise ValidationError({"town": _("Only a town or street files community organizations.")})
    org = Organization(registration=RegistrationKind.FILED, is_community_org=True)
    m2m = organization_prepare(org, {**data, "town": town, "is_community_org": True})
    if not org.founded_on:
        org.founded_on = timezone.localdate()
    organization_check(org)
    org.full_clean(exclude=["city", "filing_number"], validate_constraints=False)
    organization_check_duplicate(org)
    org.filing_number = next_filing_number(town=town, year=org.founded_on.year)
    return _save_new(org, m2m, by=by, action=AuditAction.ORG_FILED, source=source, reason="")


@transaction.atomic
def organization_update(*, organization: Organization, data: Mapping[str, Any], by, reason: str, source: str = "") -> Organization:
    """Change an organization's facts. A reason is required and every change is kept as history."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the record is being changed.")})
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    if "town" in data and data["town"] != org.town and by is not None and getattr(by, "role", None) == Role.TOWN:
        raise ValidationError({"town": _("A town officer cannot move an organization to another town.")})
    old = organization_snapshot(org)
    founded_on_before = org.founded_on
    m2m = organization_prepare(org, data)
    organization_check(org)
    org.full_clean(exclude=["city"], validate_constraints=False)
    organization_check_duplicate(org)
    org.save()
    for field, values in m2m.items():
        getattr(org, field).set(values)
    organization_written.send(Organization, organization=org, on=timezone.localdate(), founded_on_before=founded_on_before)
    changes = _audit_changes(old, organization_snapshot(org))
    if changes:
        audit_record(action=AuditAction.ORG_CHANGED, by=by, target=org, changes=changes, reason=reason.strip(), source=source)
    return org


@transaction.atomic
def organization_set_status(
    *, organization: Organization, status: OrganizationStatus, by, reason: str, on: dt.date | None = None, source: str = ""
) -> Organization:
    """Move an organization to a new status (lists, revocation, deregistration), with its reason."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the status changes.")})
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    if org.status == status:
        raise ValidationError({"status": _("The organization already has this status.")})
    if org.status in (OrganizationStatus.DEREGISTERED, OrganizationStatus.REVOKED):
        raise ValidationError({"status": _("A deregistered or revoked organization cannot change status.")})
    old = org.status
    org.status = status
    org.status_changed_on = on or timezone.localdate()
    org.save(update_fields=["status", "status_changed_on", "updated_at"])
    organization_written.send(Organization, organization=org, on=org.status_changed_on, founded_on_before=org.founded_on)
    audit_record(
        action=AuditAction.ORG_STATUS_CHANGED,
        by=by,
        target=org,
        changes={"status": [old, status], "status_changed_on": [None, org.status_changed_on.isoformat()]},
        reason=reason.strip(),
        source=source,
    )
    return org


DEFAULT_SERVICE_DOMAINS = [
    ("elderly_care", "养老服务"),
    ("child_care", "儿童关爱"),
    ("disability", "助残服务"),
    ("poverty_relief", "社会救助"),
    ("community_governance", "社区治理"),
    ("culture_sports", "文体活动"),
    ("legal_aid", "法律服务"),
    ("dispute_mediation", "纠纷化解"),
    ("community_correction", "社区矫正"),
    ("resettlement", "安置帮教"),
    ("environment", "环境保护"),
    ("education", "教育培训"),
    ("health", "健康服务"),
    ("volunteering", "志愿服务"),
    ("industry", "行业服务"),
]
DEFAULT_TARGET_GROUPS = [
    ("elderly", "老年人"),
    ("women", "妇女"),
    ("children", "儿童"),
    ("disabled", "残疾人"),
    ("entitled_groups", "优抚对象"),
    ("unemployed", "失业人员"),
    ("migrant_workers", "农民工"),
    ("hardship_families", "特殊困难家庭"),
    ("mental_illness", "严重精神障碍患者"),
    ("community_correction", "社区矫正人员"),
    ("youth", "青少年"),
    ("residents", "社区居民"),
]


@transaction.atomic
def organization_bulk_register(
    *,
    items: Sequence[tuple[Organization, Mapping[str, Iterable]]],
    by,
    source: str,
    reasons: Sequence[str] = (),
    ip: str | None = None,
    user_agent: str = "",
) -> list[Organization]:
    """Write many new organizations at once: the spreadsheet import's write path (issue 2 §5).

    Every organization must already have gone through organization_prepare,
    organization_check, full_clean and organization_check_duplicate inside the caller's
    transaction (the importer checks each row with them just before). What the one-by-one
    path does after those checks is done here in bulk statements: filing numbers are issued
    in blocks per town and year under the same row lock next_filing_number takes (skipping
    numbers a file supplied itself), rows and many-to-many links are inserted, and one
    audit entry per organization is appended, exactly as organization_register and
    organization_file would record it.
    """
    from collections import defaultdict

    from django.db import connection

    from shezhi.audit.models import AuditEntry
    from shezhi.audit.services import actor_label

    def issue_filing_numbers(wanting: Mapping[tuple[int, int], list[Organization]], *, supplied: set[str]) -> None:
        """Filing numbers for many organizations: the sequences of all (town, year) pairs are
        locked and advanced in a few statements instead of three per organization."""
        towns, years = {town_id for town_id, _y in wanting}, {year for _t, year in wanting}
        present = set(FilingSequence.objects.filter(town_id__in=towns, year__in=years).values_list("town_id", "year"))
        FilingSequence.objects.bulk_create(
            [FilingSequence(town_id=town_id, year=year) for town_id, year in wanting if (town_id, year) not in present],
            ignore_conflicts=True,
        )
        ids = [
            pk
            for pk, town_id, year in FilingSequence.objects.filter(town_id__in=towns, year__in=years).values_list("pk", "town_id", "year")
            if (town_id, year) in wanting
        ]
        sequences = {(s.town_id, s.year): s for s in FilingSequence.objects.select_for_update().filter(pk__in=ids)}

        def number_of(key: tuple[int, int], group: list[Organization], n: int) -> str:
            return f"{group[0].town.code}-{key[1]}-{n:04d}"  # the format next_filing_number issues

        # A number already in the registry or supplied by the file itself is skipped.
        candidates = [number_of(key, group, sequences[key].last + i) for key, group in wanting.items() for i in range(1, len(group) + 1)]
        taken = supplied | set(
            Organization.objects.filter(filing_number__in=candidates).exclude(filing_number="").values_list("filing_number", flat=True)
        )
        checked = set(candidates)
        for key, group in wanting.items():
            number = sequences[key].last
            for org in group:
                number += 1
                while (candidate := number_of(key, group, number)) in taken or (
                    candidate not in checked and Organization.objects.filter(filing_number=candidate).exists()
                ):
                    number += 1
                org.filing_number = candidate
            sequences[key].last = number
        with connection.cursor() as cursor:  # one statement for all pairs, cheaper than bulk_update's CASE
            cursor.executemany(
                f"UPDATE {FilingSequence._meta.db_table} SET last = %s WHERE id = %s",
                [(seq.last, seq.pk) for seq in sequences.values()],
            )

    orgs = [org for org, _m2m in items]
    if not orgs:
        return []
    wanting: dict[tuple[int, int], list[Organization]] = defaultdict(list)
    for org in orgs:
        if org.registration == RegistrationKind.FILED and not org.filing_number:
            wanting[(org.town_id, org.founded_on.year)].append(org)
    if wanting:
        issue_filing_numbers(wanting, supplied={org.filing_number for org in orgs if org.filing_number})

    creator = by if getattr(by, "is_authenticated", False) else None
    # Snapshots before the insert: with no primary key yet they read no relations.
    snapshots = []
    for org, m2m in items:
        org.created_by = creator
        snapshot = organization_snapshot(org)
        for name in M2M_FIELDS:
            snapshot[name] = sorted(str(x) for x in m2m.get(name, ()))
        snapshots.append(snapshot)
    Organization.objects.bulk_create(orgs)

    for name in M2M_FIELDS:
        relation = Organization._meta.get_field(name)
        through = relation.remote_field.through
        source_column, target_column = f"{relation.m2m_field_name()}_id", f"{relation.m2m_reverse_field_name()}_id"
        links = [through(**{source_column: org.pk, target_column: target.pk}) for org, m2m in items for target in m2m.get(name, ())]
        if links:
            through.objects.bulk_create(links)
    organizations_created.send(
        Organization, organizations=orgs, served={org.pk: list(m2m.get("served_communities", ())) for org, m2m in items}
    )

    label = actor_label(by)
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                actor=creator,
                actor_label=label,
                action=AuditAction.ORG_FILED if org.registration == RegistrationKind.FILED else AuditAction.ORG_CREATED,
                target_type=Organization._meta.label_lower,
                target_id=str(org.pk),
                target_label=str(org)[:300],
                changes=_audit_changes({}, snapshot),
                reason=reasons[i] if i < len(reasons) else "",
                source=source[:100],
                ip=ip,
                user_agent=(user_agent or "")[:300],
            )
            for i, (org, snapshot) in enumerate(zip(orgs, snapshots, strict=True))
        ]
    )
    return orgs
