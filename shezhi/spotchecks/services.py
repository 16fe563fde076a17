"""Writes of spot checks and rectification orders. Views, the admin, the demo seeder and the
daily detection call these; every change of state goes through the workflow engine."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shezhi.accounts.models import Role, User
from shezhi.areas.models import Area
from shezhi.audit.models import AuditAction
from shezhi.audit.services import audit_record
from shezhi.registry.models import Organization
from shezhi.spotchecks import draw as drawing
from shezhi.spotchecks.models import (
    AREA_SAMPLING_LEVEL,
    Aspect,
    Campaign,
    CampaignStatus,
    Check,
    CheckFinding,
    CheckResult,
    CheckStatus,
    ConflictDeclaredBy,
    Inspector,
    InspectorConflict,
    OrderStatus,
    RectificationOrder,
    SamplingRule,
)
from shezhi.spotchecks.pools import PoolPreview, organization_pool, pool_preview
from shezhi.workflow.engine import run, transition

log = logging.getLogger(__name__)

DRAW = transition("draw", [CampaignStatus.DRAFT], CampaignStatus.DRAWN, label=gettext_lazy("draw the sample"))
PUBLISH = transition("publish", [CampaignStatus.DRAWN], CampaignStatus.PUBLISHED, label=gettext_lazy("publish"))
CANCEL_CAMPAIGN = transition(
    "cancel",
    [CampaignStatus.DRAFT],
    CampaignStatus.CANCELLED,
    label=gettext_lazy("cancel"),
    note_required=True,
    note_hint=gettext_lazy("Give the reason for cancelling the campaign."),
)
RECORD = transition("record", [CheckStatus.PENDING], CheckStatus.RECORDED, label=gettext_lazy("record the findings"))
REPORT = transition("report", [OrderStatus.OPEN], OrderStatus.REPORTED, label=gettext_lazy("report completion"))
VERIFY = transition("verify", [OrderStatus.OPEN, OrderStatus.REPORTED], OrderStatus.COMPLETED, label=gettext_lazy("verify completion"))
REJECT = transition(
    "reject",
    [OrderStatus.REPORTED],
    OrderStatus.OPEN,
    label=gettext_lazy("not completed"),
    note_required=True,
    note_hint=gettext_lazy("Say what is still to be done."),
)
WITHDRAW = transition(
    "withdraw",
    [OrderStatus.OPEN, OrderStatus.REPORTED],
    OrderStatus.CANCELLED,
    label=gettext_lazy("withdraw the order"),
    note_required=True,
    note_hint=gettext_lazy("Give the reason for withdrawing the order."),
)

SEED_MAX = 64


# --- rules ---------------------------------------------------------------------------------


def sampling_rule_for(area: Area) -> SamplingRule:
    """The sampling rule of the level of authority that runs campaigns for `area`."""
    level = AREA_SAMPLING_LEVEL.get(area.level)
    rule = SamplingRule.objects.filter(level=level).first() if level else None
    if rule is None:
        raise ValidationError(_("No spot-check sampling rule applies to %(area)s; the bureau sets one in the admin.") % {"area": area.name})
    return rule


def authority_name(area: Area) -> str:
    return area.authority_name or settings.SHEZHI_AUTHORITY_NAME


def _user_or_none(by):
    return by if getattr(by, "is_authenticated", False) else None


def _tell(*, recipients: Iterable[User], title: str, body: str = "", url: str = "", subject=None, exclude=None) -> None:
    from shezhi.notifications.services import notify

    notify(recipients=recipients, title=title, body=body, url=url, subject=subject, exclude=exclude)


def organization_accounts(organization_ids: Iterable[int]) -> list[User]:
    return list(User.objects.filter(organization_id__in=list(organization_ids), role=Role.ORGANIZATION, is_active=True))


def bureau_accounts(city_id: int) -> list[User]:
    return list(User.objects.filter(role=Role.BUREAU, area_id=city_id, is_active=True))


# --- inspectors and conflicts ------------------------------------------------------------------


INSPECTOR_FIELDS = ("name", "unit", "user", "active", "note")


@transaction.atomic
def inspector_save(*, area: Area, data: Mapping, by, inspector: Inspector | None = None) -> Inspector:
    """Add an inspector to an area's pool or change one. A staff member is linked by their
    account (one record per account and area); an external expert is a name and a unit."""
    creating = inspector is None
    if creating:
        inspector = Inspector(area=area)
        old = {}
    else:
        inspector = Inspector.objects.select_for_update().get(pk=inspector.pk)
        if inspector.area_id != area.pk:
            raise ValidationError(_("This inspector belongs to another area."))
        old = {f: getattr(inspector, f) for f in INSPECTOR_FIELDS}
    for f in INSPECTOR_FIELDS:
        if f in data:
            value = data[f]
            setattr(inspector, f, value.strip() if isinstance(value, str) else value)
    user = inspector.user
    if user is not None:
        if user.role not in (Role.BUREAU, Role.DEPARTMENT, Role.TOWN, Role.COMMUNITY) or not user.is_active:
            raise ValidationError({"user": _("Only an active staff account can be linked to an inspector.")})
        if not inspector.name:
            inspector.name = (user.display_name or user.get_username())[:60]
        if not inspector.unit:
            inspector.unit = (user.unit_name or (user.area.authority_name if user.area else "") or "")[:100]
    if not inspector.name:
        raise ValidationError({"name": _("Give the inspector's name.")})
    inspector.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            inspector.save()
    except IntegrityError:
        raise ValidationError({"user": _("This account is already in the inspector pool of the area.")}) from None
    new = {f: getattr(inspector, f) for f in INSPECTOR_FIELDS}
    changes = {
        f: [str(old.get(f)) if old.get(f) is not None else None, str(new[f]) if new[f] is not None else None] for f in INSPECTOR_FIELDS
    }
    changes = {k: v for k, v in changes.items() if v[0] != v[1]}
    if changes:
        audit_record(
            action=AuditAction.RECORD_CREATED if creating else AuditAction.RECORD_CHANGED,
            by=by,
            target=inspector,
            changes=changes,
            source="spotchecks:inspector",
        )
    return inspector


@transaction.atomic
def conflict_declare(*, inspector: Inspector, organization: Organization, reason: str, declared_by: str, by) -> InspectorConflict:
    """Record that an inspector may not check an organization. The organization must be one
    of the inspector's area."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say how the inspector is linked to the organization.")})
    if declared_by not in ConflictDeclaredBy.values:
        raise ValidationError({"declared_by": _("Say who declared the conflict.")})
    area = inspector.area
    in_area = organization.city_id == area.pk or (area.level == "province" and organization.city.parent_id == area.pk)
    if not in_area:
        raise ValidationError({"organization": _("The organization is not in the inspector's area.")})
    if InspectorConflict.objects.filter(inspector=inspector, organization=organization).exists():
        raise ValidationError(_("This conflict is already recorded."))
    row = InspectorConflict(
        inspector=inspector, organization=organization, reason=reason[:200], declared_by=declared_by, recorded_by=_user_or_none(by)
    )
    row.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise ValidationError(_("This conflict is already recorded.")) from None
    audit_record(
        action=AuditAction.RECORD_CREATED,
        by=by,
        target=inspector,
        changes={"conflict": [None, f"{organization.name}: {reason}"]},
        source="spotchecks:conflict",
    )
    return row


@transaction.atomic
def conflict_remove(*, conflict: InspectorConflict, by, reason: str = "") -> None:
    """Remove a declared conflict. A campaign already drawn keeps the conflicts it froze."""
    inspector = conflict.inspector
    label = f"{conflict.organization.name}: {conflict.reason}"
    conflict.delete()
    audit_record(
        action=AuditAction.RECORD_CHANGED,
        by=by,
        target=inspector,
        changes={"conflict": [label, None]},
        reason=reason,
        source="spotchecks:conflict",
    )


# --- campaigns ---------------------------------------------------------------------------


def parse_ratio(value) -> Decimal:
    try:
        ratio = Decimal(str(value).strip().rstrip("%"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"ratio_percent": _("Enter the sample as a percentage, e.g. 3 or 3.5.")}) from None
    if not ratio.is_finite() or ratio != ratio.quantize(Decimal("0.01")):
        raise ValidationError({"ratio_percent": _("Use at most two decimals.")})
    return ratio


def clean_seed(seed: str) -> str:
    seed = (seed or "").strip()
    if len(seed) > SEED_MAX:
        raise ValidationError({"seed": _("The seed has at most %(n)s characters.") % {"n": SEED_MAX}})
    if any(not ch.isprintable() for ch in seed):
        raise ValidationError({"seed": _("The seed is a line of visible characters.")})
    return seed


@transaction.atomic
def campaign_create(
    *,
    area: Area,
    year: int,
    title: str,
    by,
    ratio_percent=None,
    seed: str = "",
    include_filed: bool = False,
    is_demo: bool = False,
) -> Campaign:
    """Plan a campaign for an area and a year. The sample ratio defaults to the minimum of
    the area's sampling rule and cannot go below it (双随机一公开: at least 3% of a county's
    organizations a year, 4% of a city's, 5% of a province's)."""
    rule = sampling_rule_for(area)
    ratio = rule.min_ratio_percent if ratio_percent in (None, "") else parse_ratio(ratio_percent)
    if ratio < rule.min_ratio_percent:
        raise ValidationError(
            {
                "ratio_percent": _("The sample cannot be below the minimum of %(min)s%% for %(level)s.")
                % {"min": rule.min_ratio_percent, "level": rule.get_level_display()}
            }
        )
    if ratio > 100:
        raise ValidationError({"ratio_percent": _("The sample is at most %(max)s%% of the pool.") % {"max": 100}})
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the campaign a title.")})
    campaign = Campaign(
        area=area,
        year=year,
        title=title,
        ratio_percent=ratio,
        min_ratio_percent=rule.min_ratio_percent,
        seed=clean_seed(seed),
        include_filed=bool(include_filed),
        created_by=_user_or_none(by),
        is_demo=is_demo,
    )
    campaign.full_clean(validate_constraints=False)
    campaign.save()
    audit_record(
        action=AuditAction.RECORD_CREATED,
        by=by,
        target=campaign,
        changes={
            "area": [None, area.name],
            "year": [None, year],
            "ratio_percent": [None, str(ratio)],
            "seed": [None, campaign.seed or None],
            "include_filed": [None, campaign.include_filed],
        },
        source="spotchecks:campaign",
    )
    return campaign


def organization_pool_counts(area: Area) -> dict[str, int]:
    """How many organizations of the area in normal status, per registration kind."""
    from django.db.models import Count

    qs = organization_pool(area, include_filed=True).order_by().values("registration").annotate(n=Count("id"))
    return {row["registration"]: row["n"] for row in qs}


def campaign_preview(campaign: Campaign) -> tuple[PoolPreview, int]:
    """The pool a draw would freeze now, and the sample size it would take."""
    preview = pool_preview(campaign.area, include_filed=campaign.include_filed)
    return preview, drawing.sample_size(len(preview.org_ids), campaign.ratio_percent)


def new_seed() -> str:
    return secrets.token_hex(8)


def _short_message(preview: PoolPreview) -> str:
    names = dict(Organization.objects.filter(pk__in=[org for org, _n in preview.short[:10]]).values_list("pk", "name"))
    listed = "、".join(f"{names.get(org, org)} ({n})" for org, n in preview.short[:10])
    more = len(preview.short) - 10
    text = _(
        "Every organization of the pool needs at least two inspectors without a conflict; these have fewer: %(list)s. "
        "Add inspectors to the pool first."
    ) % {"list": listed}
    if more > 0:
        text += " " + _("And %(n)s more.") % {"n": more}
    return text


def campaign_draw(*, campaign: Campaign, by) -> Campaign:
    """Draw the sample: freeze the pools (sorted ids of the organizations and inspectors,
    the excluded pairs, their hash), take the seed (generated now if none was given), run
    the documented draw and create one check per drawn organization.

    A draw that could fail for some seeds is refused for every seed: each organization of
    the pool must have two inspectors without a conflict, so nobody can try seeds until
    a failing draw "avoids" an organization."""
    if campaign.status != CampaignStatus.DRAFT:
        return run(campaign, DRAW, by=by).item  # refused by the engine, with who drew it and when
    preview, size = campaign_preview(campaign)
    if not preview.org_ids:
        raise ValidationError(_("The organization pool of %(area)s is empty: there is nothing to draw.") % {"area": campaign.area.name})
    if len(preview.inspector_ids) < drawing.INSPECTORS_PER_CHECK:
        raise ValidationError(
            _("The inspector pool has %(n)s active inspectors; a check needs two. Add inspectors first.")
            % {"n": len(preview.inspector_ids)}
        )
    if preview.short:
        raise ValidationError(_short_message(preview))
    pairs = preview.pairs

    def apply(locked: Campaign) -> None:
        locked.seed = locked.seed or new_seed()
        try:
            sample = drawing.draw(preview.org_ids, preview.inspector_ids, set(pairs), locked.seed, size)
        except drawing.DrawImpossible as exc:  # the pre-check makes this unreachable; kept as a guard
            raise ValidationError(_("An organization has fewer than two inspectors without a conflict.")) from exc
        locked.pool_organizations = preview.org_ids
        locked.pool_inspectors = preview.inspector_ids
        locked.pool_conflicts = [list(p) for p in pairs]
        locked.pool_hash = drawing.pool_hash(preview.org_ids, preview.inspector_ids, pairs)
        locked.sample_size = size
        locked.algorithm = drawing.ALGORITHM_VERSION
        locked.drawn_at = timezone.now()
        locked.drawn_by = _user_or_none(by)
        Check.objects.bulk_create(
            [
                Check(campaign=locked, organization_id=org, position=n, inspector_a_id=a, inspector_b_id=b)
                for n, (org, a, b) in enumerate(sample, start=1)
            ]
        )

    with transaction.atomic():
        step = run(
            campaign,
            DRAW,
            by=by,
            apply=apply,
            action=AuditAction.SPOTCHECK_DRAWN,
            data={"pool": len(preview.org_ids), "inspectors": len(preview.inspector_ids), "sample": size},
        )
        drawn = step.item
        audit_record(
            action=AuditAction.SPOTCHECK_DRAWN,
            by=by,
            target=drawn,
            changes={
                "seed": [None, drawn.seed],
                "pool_hash": [None, drawn.pool_hash],
                "pool_size": [None, len(drawn.pool_organizations)],
                "sample_size": [None, drawn.sample_size],
            },
            source="spotchecks:draw",
        )
    return drawn


def campaign_publish(*, campaign: Campaign, by) -> Campaign:
    """Publish the sample with its seed and pool hash (一公开); tell the drawn organizations
    and the inspectors with an account."""

    def apply(locked: Campaign) -> None:
        locked.published_at = timezone.now()

    def tell(locked: Campaign, _event) -> None:
        checks = list(locked.checks.select_related("organization", "inspector_a__user", "inspector_b__user"))
        url = reverse("spotchecks:campaign", args=[locked.pk])
        _tell(
            recipients=organization_accounts(c.organization_id for c in checks),
            title=_("Your organization is drawn for the spot check “%(title)s”") % {"title": locked.title},
            body=_("Two inspectors will check the annual report, disclosure, internal governance, finance and activities."),
            url=url,
            subject=locked,
        )
        people = {i.user for c in checks for i in (c.inspector_a, c.inspector_b) if i.user_id}
        _tell(
            recipients=people,
            title=_("Spot checks assigned to you: %(title)s") % {"title": locked.title},
            url=reverse("spotchecks:staff_campaign", args=[locked.pk]),
            subject=locked,
        )

    return run(campaign, PUBLISH, by=by, apply=apply, notify=tell, action=AuditAction.RECORD_PUBLISHED).item


def campaign_cancel(*, campaign: Campaign, by, note: str) -> Campaign:
    """Cancel a campaign that has not been drawn; a drawn sample stands."""
    return run(campaign, CANCEL_CAMPAIGN, by=by, note=note).item


@dataclass
class Redraw:
    sample: list[tuple[int, int, int]]
    published: list[tuple[int, int, int]]
    hash_ok: bool
    problem: str = ""

    @property
    def matches(self) -> bool:
        return self.hash_ok and not self.problem and self.sample == self.published


def campaign_redraw(*, campaign: Campaign, seed: str) -> Redraw:
    """Run the draw again on the campaign's frozen input with the given seed and compare it
    with the checks it created. The frozen input is checked against its published hash."""
    published = list(campaign.checks.order_by("position").values_list("organization_id", "inspector_a_id", "inspector_b_id"))
    pairs = [tuple(p) for p in campaign.pool_conflicts]
    hash_ok = drawing.pool_hash(campaign.pool_organizations, campaign.pool_inspectors, pairs) == campaign.pool_hash
    try:
        sample = drawing.draw(campaign.pool_organizations, campaign.pool_inspectors, set(pairs), seed, campaign.sample_size or 0)
    except (ValueError, drawing.DrawImpossible) as exc:
        return Redraw(sample=[], published=published, hash_ok=hash_ok, problem=str(exc))
    return Redraw(sample=sample, published=published, hash_ok=hash_ok)


# --- checks ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FindingInput:
    problem: bool
    text: str = ""


@dataclass(frozen=True)
class OrderInput:
    requirement: str
    due_on: dt.date
    issue_document: bool = True


def check_record(
    *,
    check: Check,
    by,
    checked_on: dt.date,
    inspector_a_present: bool,
    inspector_b_present: bool,
    result: str,
    findings: Mapping[str, FindingInput],
    summary: str = "",
    order: OrderInput | None = None,
) -> Check:
    """Record a check: the on-site date, both inspectors present (at least two on site), a
    finding for each of the five aspects (not needed when the organization could not be
    found at its address), and the result. "Problems found, rectification ordered" issues
    the rectification order in the same transaction."""
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    campaign = check.campaign
    if campaign.status != CampaignStatus.PUBLISHED:
        raise ValidationError(_("Findings are recorded once the sample is published."))
    if checked_on is None:
        errors.setdefault("checked_on", []).append(_("Give the date of the on-site check."))
    elif checked_on > today:
        errors.setdefault("checked_on", []).append(_("The check cannot be dated in the future."))
    elif campaign.drawn_at and checked_on < timezone.localtime(campaign.drawn_at).date():
        errors.setdefault("checked_on", []).append(_("The check cannot be dated before the draw."))
    if not (inspector_a_present and inspector_b_present):
        errors.setdefault("__all__", []).append(_("Both inspectors must be present on site: at least two inspectors check together."))
    if result not in CheckResult.values:
        errors.setdefault("result", []).append(_("Choose the result."))
    clean: dict[str, FindingInput] = {}
    for aspect in Aspect.values:
        finding = findings.get(aspect)
        if finding is None:
            if result != CheckResult.UNREACHABLE:
                errors.setdefault(aspect, []).append(_("Record a finding for this aspect."))
            continue
        text = (finding.text or "").strip()
        if finding.problem and not text:
            errors.setdefault(aspect, []).append(_("Describe the problem found."))
        clean[aspect] = FindingInput(problem=bool(finding.problem), text=text)
    unknown = set(findings) - set(Aspect.values)
    if unknown:
        errors.setdefault("__all__", []).append(_("Unknown aspects: %(list)s.") % {"list": ", ".join(sorted(unknown))})
    problems = [a for a, f in clean.items() if f.problem]
    if result == CheckResult.NO_PROBLEM and problems:
        errors.setdefault("result", []).append(_("A problem is recorded: the result cannot be “no problem found”."))
    if result == CheckResult.RECTIFICATION:
        if not problems:
            errors.setdefault("result", []).append(_("Record the problems that call for rectification."))
        if order is None:
            errors.setdefault("requirement", []).append(_("Say what is to be rectified and by when."))
    if errors:
        raise ValidationError(errors)

    def apply(locked: Check) -> None:
        locked.checked_on = checked_on
        locked.inspector_a_present = True
        locked.inspector_b_present = True
        locked.result = result
        locked.summary = (summary or "").strip()
        locked.recorded_at = timezone.now()
        locked.recorded_by = _user_or_none(by)

    with transaction.atomic():
        step = run(
            check,
            RECORD,
            by=by,
            apply=apply,
            action=AuditAction.SPOTCHECK_RECORDED,
            data={"result": result, "problems": problems},
        )
        recorded = step.item
        CheckFinding.objects.bulk_create(
            [CheckFinding(spot_check=recorded, aspect=a, problem=f.problem, text=f.text) for a, f in clean.items()]
        )
        if result == CheckResult.RECTIFICATION and order is not None:
            rectification_issue(
                organization=recorded.organization,
                by=by,
                requirement=order.requirement,
                due_on=order.due_on,
                spot_check=recorded,
                issue_document=order.issue_document,
            )
    return recorded


# --- rectification orders ---------------------------------------------------------------------


def default_due_on(area: Area, issued_on: dt.date | None = None) -> dt.date:
    """The suggested due date of an order issued in `area`: the rule's rectification period."""
    issued_on = issued_on or timezone.localdate()
    try:
        days = sampling_rule_for(area).rectification_days
    except ValidationError:
        days = SamplingRule._meta.get_field("rectification_days").default
    return issued_on + dt.timedelta(days=days)


def _order_document(order: RectificationOrder, by):
    from shezhi.documents.models import DocumentKind
    from shezhi.documents.services import chinese_date, document_issue

    org = order.organization
    body = []
    if order.spot_check_id:
        body.append(
            f"根据“双随机、一公开”抽查（{order.spot_check.campaign.title}），{chinese_date(order.spot_check.checked_on)}对你单位进行了检查，发现以下问题："
        )
    else:
        body.append("经查，你单位存在以下问题：")
    body += [f"- {line.strip()}" for line in order.requirement.splitlines() if line.strip()]
    body.append(
        f"请于{chinese_date(order.due_on)}前完成整改，并将整改情况书面报告我局。逾期未完成整改的，"
        "依照《社会组织信用信息管理办法》列入活动异常名录。"
    )
    return document_issue(
        kind=DocumentKind.RECTIFICATION_ORDER,
        title="责令整改通知书",
        authority_name=authority_name(org.city),
        addressee=org.name,
        body=body,
        public_facts=[("组织名称", org.name), ("统一社会信用代码/备案编号", org.identifier), ("整改期限", chinese_date(order.due_on))],
        subject=order,
        by=by,
        issued_on=order.issued_on,
    )


@transaction.atomic
def rectification_issue(
    *,
    organization: Organization,
    by,
    requirement: str,
    due_on: dt.date,
    issued_on: dt.date | None = None,
    spot_check: Check | None = None,
    issue_document: bool = True,
    is_demo: bool = False,
) -> RectificationOrder:
    """Order an organization to rectify by a due date (on or after the issue date), with the
    order as a numbered PDF document when asked. The organization's accounts are told."""
    issued_on = issued_on or timezone.localdate()
    requirement = (requirement or "").strip()
    errors: dict[str, list[str]] = {}
    if not requirement:
        errors.setdefault("requirement", []).append(_("Say what is to be rectified."))
    if due_on is None:
        errors.setdefault("due_on", []).append(_("Give the due date."))
    elif due_on < issued_on:
        errors.setdefault("due_on", []).append(_("The due date cannot be before the order is issued."))
    if spot_check is not None and spot_check.organization_id != organization.pk:
        errors.setdefault("__all__", []).append(_("The check is of another organization."))
    if errors:
        raise ValidationError(errors)
    order = RectificationOrder(
        organization=organization,
        spot_check=spot_check,
        requirement=requirement,
        issued_on=issued_on,
        due_on=due_on,
        issued_by=_user_or_none(by),
        is_demo=is_demo,
    )
    order.full_clean(validate_constraints=False)
    order.save()
    if issue_document:
        order.document = _order_document(order, by)
        order.save(update_fields=["document"])
    audit_record(
        action=AuditAction.RECTIFICATION_ORDERED,
        by=by,
        target=organization,
        changes={"rectification_order": [None, order.pk], "due_on": [None, due_on.isoformat()]},
        reason=requirement[:500],
        source=f"rectification:{order.pk}",
    )
    if not is_demo:
        _tell(
            recipients=organization_accounts([organization.pk]),
            title=_("Rectification order: due on %(date)s") % {"date": due_on.isoformat()},
            body=requirement,
            url=reverse("spotchecks:order", args=[order.pk]),
            subject=order,
            exclude=by,
        )
    return order


def attachments_dir() -> Path:
    """Under MEDIA_ROOT, outside the web root: only the checked view serves the files."""
    path = Path(settings.MEDIA_ROOT) / "spotchecks"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _store_attachment(upload, order_id: int) -> tuple[str, str, str]:
    from shezhi.affairs.uploads import check_upload

    checked = check_upload(upload)
    folder = attachments_dir() / str(order_id)
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"{order_id}/{secrets.token_hex(16)}.{checked.extension}"
    digest = hashlib.sha256()
    with open(attachments_dir() / stored, "wb") as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            out.write(chunk)
    name = (getattr(upload, "name", "") or "file").replace("\\", "/").rsplit("/", 1)[-1][:200]
    return name, stored, checked.content_type


def attachment_path(order: RectificationOrder) -> Path | None:
    if not order.attachment_stored:
        return None
    root = attachments_dir().resolve()
    path = (root / order.attachment_stored).resolve()
    if root not in path.parents or not path.exists():
        return None
    return path


def rectification_report(*, order: RectificationOrder, by, note: str, upload=None) -> RectificationOrder:
    """The organization reports that it has rectified, with a note and optionally a file
    (PDF, PNG or JPEG). The report's date counts as the completion date once the bureau
    verifies it."""
    if getattr(by, "role", None) != Role.ORGANIZATION or by.organization_id != order.organization_id:
        raise ValidationError(_("Only the organization's own account can report completion."))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say what was done to rectify.")})
    today = timezone.localdate()

    def apply(locked: RectificationOrder) -> None:
        locked.completion_note = note
        locked.completed_on = today
        locked.reported_at = timezone.now()
        locked.reported_by = by
        if upload is not None:  # stored only once the step is allowed
            locked.attachment_name, locked.attachment_stored, locked.attachment_type = _store_attachment(upload, locked.pk)

    def tell(locked: RectificationOrder, _event) -> None:
        _tell(
            recipients=bureau_accounts(locked.organization.city_id),
            title=_("Rectification reported by %(org)s") % {"org": locked.organization.name},
            body=note,
            url=reverse("spotchecks:order", args=[locked.pk]),
            subject=locked,
        )

    return run(order, REPORT, by=by, note=note, apply=apply, notify=tell).item


def rectification_verify(*, order: RectificationOrder, by, completed_on: dt.date | None = None, note: str = "") -> RectificationOrder:
    """The bureau confirms the rectification. After a report, the report's date is the
    completion date unless the bureau gives another; without a report (e.g. checked on
    site) the bureau gives the date."""
    today = timezone.localdate()

    def apply(locked: RectificationOrder) -> None:
        day = completed_on or locked.completed_on
        if day is None:
            raise ValidationError({"completed_on": _("Give the date the rectification was completed.")})
        if day > today:
            raise ValidationError({"completed_on": _("The completion date cannot be in the future.")})
        if day < locked.issued_on:
            raise ValidationError({"completed_on": _("The completion date cannot be before the order was issued.")})
        locked.completed_on = day
        locked.verified_on = today
        locked.verified_by = by

    def tell(locked: RectificationOrder, _event) -> None:
        _tell(
            recipients=organization_accounts([locked.organization_id]),
            title=_("Rectification verified as completed on %(date)s") % {"date": locked.completed_on.isoformat()},
            url=reverse("spotchecks:order", args=[locked.pk]),
            subject=locked,
        )

    return run(order, VERIFY, by=by, note=note, apply=apply, notify=tell).item


def rectification_reject(*, order: RectificationOrder, by, note: str) -> RectificationOrder:
    """The bureau finds the rectification not done: the order is open again, and the
    reported date no longer counts."""

    def apply(locked: RectificationOrder) -> None:
        locked.completed_on = None

    def tell(locked: RectificationOrder, _event) -> None:
        _tell(
            recipients=organization_accounts([locked.organization_id]),
            title=_("Rectification not accepted: due on %(date)s") % {"date": locked.due_on.isoformat()},
            body=note,
            url=reverse("spotchecks:order", args=[locked.pk]),
            subject=locked,
        )

    return run(order, REJECT, by=by, note=note, apply=apply, notify=tell).item


def rectification_withdraw(*, order: RectificationOrder, by, note: str) -> RectificationOrder:
    """Withdraw an order issued by mistake; the reason is kept."""
    return run(order, WITHDRAW, by=by, note=note).item
