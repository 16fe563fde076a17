"""Writes of the charity section. Views, the daily job, the demo seeder and the affairs hooks
all call these: keyword-only, atomic, validated, audited.

- Campaigns and disclosures are the organization's own: its account writes drafts,
  previews and publishes them. Publishing is a guarded transition (workflow.engine); a
  published item never changes — a correction is a new item pointing at it.
- Audited special reports are recorded by the organization or by the bureau.
- Tax-deductible status is confirmed (or refused) by the bureau after the rules are checked;
  a confirmation writes the registry's TaxDeductibleYear rows for the years it covers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shezhi.accounts.models import Role, User
from shezhi.audit.models import AuditAction
from shezhi.audit.services import audit_record, diff
from shezhi.charity import rules as R
from shezhi.charity.models import (
    ANNUAL_KINDS,
    CampaignKind,
    Disclosure,
    DisclosureKind,
    DisclosureNotice,
    DisclosureRules,
    DisclosureStatus,
    FundraisingCampaign,
    TaxOutcome,
    TaxSpecialReport,
    TaxStatusDecision,
    TransactionKind,
)
from shezhi.charity.selectors import bureau_covers, obligations_for_many, own_organization
from shezhi.notifications.services import notify
from shezhi.registry.models import Organization, TaxDeductibleYear
from shezhi.workflow.engine import run, transition

# Organizations with something to publish: charities, and any organization that entered a
# campaign or an item (a campaign's reports stay owed after a recognition ends).
HAS_DUTIES = Q(is_charity=True) | Q(fundraising_campaigns__isnull=False) | Q(charity_disclosures__isnull=False)
PUBLISH = transition("publish", [DisclosureStatus.DRAFT], DisclosureStatus.PUBLISHED, label=gettext_lazy("Publish"))


def _require(ok: bool) -> None:
    # Views check first (and answer 404); this guards every other caller.
    if not ok:
        raise PermissionDenied(_("You may not do this for this organization."))


def _today() -> dt.date:
    return timezone.localdate()


def _clean_text(value: Any, *, limit: int | None = None) -> str:
    text = str(value or "").strip()
    return text[:limit] if limit else text


def _full_clean(obj, exclude: list[str] | None = None) -> None:
    # Constraints are checked too: a broken rule is a message, not an IntegrityError.
    obj.full_clean(exclude=exclude)


# --- attachments -----------------------------------------------------------------------------


def attachments_dir() -> Path:
    """Under MEDIA_ROOT, outside the web root: files are served only by a view that checks access."""
    path = Path(settings.MEDIA_ROOT) / "charity"
    path.mkdir(parents=True, exist_ok=True)
    return path


def attachment_path(stored: str) -> Path | None:
    if not stored:
        return None
    root = attachments_dir().resolve()
    path = (root / stored).resolve()
    if root not in path.parents or not path.exists():
        return None
    return path


def _store_attachment(d: Disclosure, upload) -> None:
    """Check the upload (PDF, PNG or JPEG by its first bytes) and store it under a random name."""
    from shezhi.affairs.uploads import check_upload

    checked = check_upload(upload)
    folder = attachments_dir() / str(d.organization_id)
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"{d.organization_id}/{secrets.token_hex(16)}.{checked.extension}"
    digest = hashlib.sha256()
    with open(attachments_dir() / stored, "wb") as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            out.write(chunk)
    d.attachment_name = (getattr(upload, "name", "") or "file").replace("\\", "/").rsplit("/", 1)[-1][:200]
    d.attachment_stored = stored
    d.attachment_type = checked.content_type
    d.attachment_size = checked.size
    d.attachment_sha256 = digest.hexdigest()


# --- campaigns -------------------------------------------------------------------------------

CAMPAIGN_FIELDS = ["name", "kind", "record_number", "starts_on", "ends_on", "purpose"]


def _campaign_snapshot(c: FundraisingCampaign) -> dict:
    return {f: getattr(c, f) for f in CAMPAIGN_FIELDS}


def _apply_campaign(c: FundraisingCampaign, data: Mapping[str, Any]) -> None:
    for f in CAMPAIGN_FIELDS:
        if f in data:
            value = data[f]
            setattr(c, f, value.strip() if isinstance(value, str) else value)
    org = c.organization
    if not org.is_charity:
        raise ValidationError(_("Only a charity organization raises funds (慈善法 art. 21); apply for recognition first."))
    if c.kind == CampaignKind.PUBLIC and not org.public_fundraising:
        raise ValidationError(
            {
                "kind": _(
                    "Public fundraising needs the public fundraising qualification (慈善法 art. 22); record a directed campaign instead."
                )
            }
        )
    if c.kind == CampaignKind.PUBLIC and not c.record_number:
        raise ValidationError({"record_number": _("A public fundraising campaign needs the record number of its plan (备案编号).")})
    if c.starts_on and c.ends_on and c.ends_on < c.starts_on:
        raise ValidationError({"ends_on": _("The campaign cannot end before it starts.")})


@transaction.atomic
def campaign_create(*, organization: Organization, by, data: Mapping[str, Any]) -> FundraisingCampaign:
    """The organization records a fundraising campaign or charity project; its reports
    become obligations (see rules.compute_obligations)."""
    _require(own_organization(by, organization))
    c = FundraisingCampaign(organization=organization, created_by=by)
    _apply_campaign(c, data)
    _full_clean(c)
    c.save()
    audit_record(
        action=AuditAction.RECORD_CREATED,
        by=by,
        target=c,
        changes={k: v for k, v in diff({}, _campaign_snapshot(c)).items() if v[1] not in (None, "")},
        source="charity",
    )
    return c


@transaction.atomic
def campaign_update(*, campaign: FundraisingCampaign, by, data: Mapping[str, Any]) -> FundraisingCampaign:
    """Change a campaign (e.g. extend its end). Once a report on it is published its start
    stays as it is: the reports' periods are counted from it."""
    c = FundraisingCampaign.objects.select_for_update().get(pk=campaign.pk)
    _require(own_organization(by, c.organization))
    old = _campaign_snapshot(c)
    _apply_campaign(c, data)
    if c.starts_on != old["starts_on"] and c.disclosures.filter(status=DisclosureStatus.PUBLISHED).exists():
        raise ValidationError({"starts_on": _("Reports on this campaign are published; its start date can no longer change.")})
    _full_clean(c)
    c.save()
    changes = diff(old, _campaign_snapshot(c))
    if changes:
        audit_record(action=AuditAction.RECORD_CHANGED, by=by, target=c, changes=changes, source="charity")
    return c


# --- disclosures -----------------------------------------------------------------------------

ITEM_FIELDS = ["title", "body", "year", "campaign", "period_number", "transaction_kind", "transaction_date"]


def _validate_item(d: Disclosure, *, today: dt.date, rules: DisclosureRules) -> None:
    """What an item must say for its kind, and that it is about something that has happened."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not d.title:
        add("title", _("Give the item a title."))
    if not d.body:
        add("body", _("Write the text to publish."))
    kind = d.kind
    if kind in ANNUAL_KINDS:
        if not d.year:
            add("year", _("Say which year the report is on."))
        elif d.year >= today.year:
            add("year", _("%(year)s is not over yet; the report is on a past year.") % {"year": d.year})
        elif d.year < 1990:
            add("year", _("Enter a year from 1990 on."))
    else:
        d.year = None
    if kind in (DisclosureKind.CAMPAIGN_QUARTERLY, DisclosureKind.CAMPAIGN_FINAL):
        campaign = d.campaign if d.campaign_id else None
        if campaign is None:
            add("campaign", _("Choose the campaign the report is on."))
        elif campaign.organization_id != d.organization_id:
            add("campaign", _("Choose one of your organization's campaigns."))
        elif kind == DisclosureKind.CAMPAIGN_QUARTERLY:
            count = R.period_count(campaign, rules)
            if count == 0:
                add(
                    "campaign",
                    _("%(campaign)s runs %(months)s months or less: it owes only the final report.")
                    % {"campaign": campaign.name, "months": rules.long_campaign_months},
                )
            elif not d.period_number or not 1 <= d.period_number <= count:
                add("period_number", _("Choose a report number from 1 to %(count)s.") % {"count": count})
            elif R.period_start(campaign, d.period_number, rules) > today:
                add(
                    "period_number",
                    _("Report %(n)s covers the period from %(start)s, which has not begun.")
                    % {"n": d.period_number, "start": R.period_start(campaign, d.period_number, rules).isoformat()},
                )
        elif campaign.ends_on > today:
            add(
                "campaign",
                _("The campaign ends on %(date)s; its final report comes after the end.") % {"date": campaign.ends_on.isoformat()},
            )
    else:
        d.campaign = None
    if kind != DisclosureKind.CAMPAIGN_QUARTERLY:
        d.period_number = None
    if kind == DisclosureKind.MAJOR_TRANSACTION:
        if d.transaction_kind not in TransactionKind.values:
            add("transaction_kind", _("Choose the kind of transaction."))
        if not d.transaction_date:
            add("transaction_date", _("Enter the date of the transaction."))
        elif d.transaction_date > today:
            add("transaction_date", _("The transaction date cannot be in the future."))
    else:
        d.transaction_kind = ""
        d.transaction_date = None
    if errors:
        raise ValidationError(errors)


def _apply_item(d: Disclosure, data: Mapping[str, Any]) -> None:
    for f in ITEM_FIELDS:
        if f in data:
            value = data[f]
            if f in ("title", "body", "transaction_kind"):
                value = _clean_text(value, limit=200 if f == "title" else None)
            setattr(d, f, value)


def _save_item(d: Disclosure) -> None:
    _full_clean(d, exclude=["created_by"])
    try:
        with transaction.atomic():
            d.save()
    except IntegrityError:
        raise ValidationError(_("An item for this report already exists: open it from your list and continue it, or correct it.")) from None


def _duplicate(d: Disclosure) -> Disclosure | None:
    qs = Disclosure.objects.filter(organization_id=d.organization_id, kind=d.kind, corrects__isnull=True).exclude(pk=d.pk)
    if d.kind in ANNUAL_KINDS:
        return qs.filter(year=d.year).first()
    if d.kind == DisclosureKind.CAMPAIGN_QUARTERLY:
        return qs.filter(campaign_id=d.campaign_id, period_number=d.period_number).first()
    if d.kind == DisclosureKind.CAMPAIGN_FINAL:
        return qs.filter(campaign_id=d.campaign_id).first()
    return None


@transaction.atomic
def disclosure_create(*, organization: Organization, by, kind: str, data: Mapping[str, Any], upload=None) -> Disclosure:
    """The organization writes a draft: it is seen only by its own accounts until published.
    The due date follows from the rules and what the item is about."""
    _require(own_organization(by, organization))
    if kind not in DisclosureKind.values:
        raise ValidationError({"kind": _("Choose what kind of item to publish.")})
    if not organization.is_charity and kind not in (DisclosureKind.CAMPAIGN_QUARTERLY, DisclosureKind.CAMPAIGN_FINAL):
        # A former charity still reports on the campaigns it ran; nothing else is published here.
        raise ValidationError(_("Only a charity organization publishes here; the organization is not recognized as a charity."))
    rules = R.disclosure_rules_for(organization)
    d = Disclosure(organization=organization, kind=kind, created_by=by)
    _apply_item(d, data)
    _validate_item(d, today=_today(), rules=rules)
    existing = _duplicate(d)
    if existing is not None:
        raise ValidationError(
            _("“%(title)s” is already there for this report (%(status)s): continue it, or publish a correction.")
            % {"title": existing.title, "status": existing.get_status_display()},
            code="duplicate",
            params={"existing": existing.pk},
        )
    d.due_on = R.due_for(d, rules)
    if upload is not None:
        _store_attachment(d, upload)
    _save_item(d)
    audit_record(
        action=AuditAction.RECORD_CREATED, by=by, target=d, changes={"status": [None, d.status], "kind": [None, kind]}, source="charity"
    )
    return d


def _lock_draft(disclosure: Disclosure, by) -> Disclosure:
    d = Disclosure.objects.select_for_update(of=("self",)).select_related("organization", "campaign").get(pk=disclosure.pk)
    _require(own_organization(by, d.organization))
    if d.is_published:
        raise ValidationError(_("A published disclosure cannot be changed; publish a correction instead."), code="published")
    return d


@transaction.atomic
def disclosure_update(*, disclosure: Disclosure, by, data: Mapping[str, Any], upload=None, remove_attachment: bool = False) -> Disclosure:
    """Change a draft (a published item cannot change)."""
    d = _lock_draft(disclosure, by)
    old = {f: getattr(d, f) for f in ITEM_FIELDS + ["attachment_name"]}
    if d.corrects_id:  # a correction says only what it corrects
        data = {k: v for k, v in data.items() if k in ("title", "body")}
    _apply_item(d, data)
    if d.corrects_id:
        if not d.title or not d.body:
            raise ValidationError({"body" if d.title else "title": _("Write the correction's title and text.")})
    else:
        rules = R.disclosure_rules_for(d.organization)
        _validate_item(d, today=_today(), rules=rules)
        if _duplicate(d) is not None:
            raise ValidationError(_("Another item for this report already exists."), code="duplicate")
        d.due_on = R.due_for(d, rules)
    if remove_attachment:
        d.attachment_name = d.attachment_stored = d.attachment_type = d.attachment_sha256 = ""
        d.attachment_size = None
    if upload is not None:
        _store_attachment(d, upload)
    _save_item(d)
    changes = diff(old, {f: getattr(d, f) for f in old})
    if changes:
        audit_record(action=AuditAction.RECORD_CHANGED, by=by, target=d, changes=changes, source="charity")
    return d


@transaction.atomic
def disclosure_delete(*, disclosure: Disclosure, by) -> None:
    """Throw a draft away (a published item stays)."""
    d = _lock_draft(disclosure, by)
    audit_record(
        action=AuditAction.RECORD_CHANGED,
        by=by,
        target=d,
        changes={"status": [d.status, "deleted"], "title": [d.title, None]},
        source="charity",
    )
    d.delete()


@transaction.atomic
def correction_create(*, original: Disclosure, by, title: str, body: str, upload=None) -> Disclosure:
    """Draft a correction note for a published item. It is about the same thing as the item
    it corrects and has no due date of its own; published, it is shown linked to it."""
    original = Disclosure.objects.select_related("organization").get(pk=original.pk)
    _require(own_organization(by, original.organization))
    if not original.is_published:
        raise ValidationError(_("Only a published item is corrected; change the draft instead."))
    d = Disclosure(
        organization=original.organization,
        kind=original.kind,
        year=original.year,
        campaign_id=original.campaign_id,
        period_number=original.period_number,
        transaction_kind=original.transaction_kind,
        transaction_date=original.transaction_date,
        corrects=original,
        created_by=by,
        title=_clean_text(title, limit=200),
        body=_clean_text(body),
    )
    errors = {}
    if not d.title:
        errors["title"] = _("Give the correction a title.")
    if not d.body:
        errors["body"] = _("Say what is corrected and what is right.")
    if errors:
        raise ValidationError(errors)
    if upload is not None:
        _store_attachment(d, upload)
    _save_item(d)
    audit_record(
        action=AuditAction.RECORD_CREATED,
        by=by,
        target=d,
        changes={"status": [None, d.status], "corrects": [None, original.pk]},
        source="charity",
    )
    return d


def disclosure_publish(*, disclosure: Disclosure, by) -> Disclosure:
    """Publish a draft: from now on it is public and never changes. Checked again at
    publication: the item must still be valid (e.g. the campaign may have changed), and an
    original's due date is fixed as the rules give it today, so a late item stays late."""
    _require(own_organization(by, disclosure.organization))
    now = timezone.now()

    def apply(d: Disclosure) -> None:
        if d.corrects_id:
            if not Disclosure.objects.filter(pk=d.corrects_id, status=DisclosureStatus.PUBLISHED).exists():
                raise ValidationError(_("The item this corrects is not published."))
        else:
            rules = R.disclosure_rules_for(d.organization)
            _validate_item(d, today=timezone.localdate(now), rules=rules)
            d.due_on = R.due_for(d, rules)
        d.published_at = now
        d.published_by = by

    with transaction.atomic():
        step = run(disclosure, PUBLISH, by=by, apply=apply, action=AuditAction.CHARITY_DISCLOSED)
    d = step.item
    return d


# --- tax-deductible donation status -----------------------------------------------------------

REPORT_FIELDS = ["year", "auditor", "report_number", "report_date", "summary"]


@transaction.atomic
def special_report_record(*, organization: Organization, by, data: Mapping[str, Any]) -> TaxSpecialReport:
    """Record the audited special report (审计专项报告) on a year: by the organization itself
    or the bureau of its city. One per year; a recorded report is not replaced here."""
    _require(own_organization(by, organization) or bureau_covers(by, organization))
    report = TaxSpecialReport(organization=organization, recorded_by=by)
    for f in REPORT_FIELDS:
        if f in data:
            value = data[f]
            setattr(report, f, value.strip() if isinstance(value, str) else value)
    if report.year and report.year >= _today().year:
        raise ValidationError({"year": _("%(year)s is not over yet; the audit is on a past year.") % {"year": report.year}})
    if report.report_date and report.report_date > _today():
        raise ValidationError({"report_date": _("The report date cannot be in the future.")})
    existing = TaxSpecialReport.objects.filter(organization=organization, year=report.year).first()
    if existing is not None:
        raise ValidationError(
            {
                "year": _("The special report on %(year)s is already recorded (%(auditor)s).")
                % {"year": report.year, "auditor": existing.auditor}
            }
        )
    _full_clean(report)
    report.save()
    audit_record(
        action=AuditAction.RECORD_CREATED,
        by=by,
        target=report,
        changes={f: [None, str(getattr(report, f))] for f in REPORT_FIELDS if getattr(report, f) not in (None, "")},
        source="charity",
    )
    return report


@dataclass
class TaxCheck:
    """The rules for tax-deductible status from `year` on, checked as of `on`."""

    organization: Organization
    year: int
    on: dt.date
    checks: list[R.Check]
    years: list[int]
    already: TaxStatusDecision | None

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks) and self.already is None

    @property
    def reasons(self) -> list[str]:
        return R.reasons(self.checks)


def tax_check(*, organization: Organization, year: int, on: dt.date | None = None) -> TaxCheck:
    """Check the rule of DESIGN.md for tax-deductible donation status (公益性捐赠税前扣除资格,
    财政部 税务总局 民政部公告2020年第27号) from `year`, as of `on` (default today):

    - the credit record's rule "tax_deductible" on `on` (credit EligibilityRule, data):
      rated 3A or above with the rating valid on `on`, no penalty but a warning in the two
      years before `on`, on no list on `on`, the last annual report filed;
    - the audited special report of the year(s) before `year` on file;
    - not already confirmed from that year.
    Valid for the rules' number of years (default three: `year` and the two after).
    """
    on = on or _today()
    rules = R.charity_rules_for(organization)
    checks: list[R.Check] = R.credit_checks(organization, "tax_deductible", on)
    reported = TaxSpecialReport.objects.filter(organization=organization).values_list("year", flat=True)
    report = R.special_report_check(organization, year, rules, reported)
    if report is not None:
        checks.append(report)
    already = TaxStatusDecision.objects.filter(organization=organization, year=year, outcome=TaxOutcome.CONFIRMED).first()
    return TaxCheck(organization=organization, year=year, on=on, checks=checks, years=R.tax_years(year, rules), already=already)


def tax_status_decide(
    *, organization: Organization, year: int, by, confirm: bool, note: str = "", on: dt.date | None = None
) -> TaxStatusDecision:
    """The bureau confirms tax-deductible status from `year` (all rules met: the registry's
    TaxDeductibleYear rows are written for every year it covers) or refuses it (with the
    reason). The rules as checked are kept with the decision."""
    _require(bureau_covers(by, organization))
    note = (note or "").strip()
    if not confirm and not note:
        raise ValidationError({"note": _("Give the reason for the refusal.")})
    today = _today()
    if year < 2000 or year > today.year + 1:
        raise ValidationError({"year": _("Choose a year from 2000 to %(max)s.") % {"max": today.year + 1}})
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=organization.pk)
        result = tax_check(organization=org, year=year, on=on)
        if confirm and result.already is not None:
            raise ValidationError(_("Tax-deductible status from %(year)s is already confirmed.") % {"year": year})
        if confirm and not result.ok:
            raise ValidationError([_("The rules are not met:"), *result.reasons])
        years = result.years if confirm else []
        decision = TaxStatusDecision(
            organization=org,
            year=year,
            outcome=TaxOutcome.CONFIRMED if confirm else TaxOutcome.REFUSED,
            checked_on=result.on,
            checks=[c.as_dict() for c in result.checks],
            years=years,
            note=note,
            decided_by=by,
        )
        _full_clean(decision)
        decision.save()
        have = set(TaxDeductibleYear.objects.filter(organization=org, year__in=years).values_list("year", flat=True))
        # The registry keeps one row per year of status; a year already held (an earlier
        # confirmation overlapping this one) stays as it is.
        TaxDeductibleYear.objects.bulk_create([TaxDeductibleYear(organization=org, year=y) for y in years if y not in have])
        audit_record(
            action=AuditAction.TAX_STATUS_DECIDED,
            by=by,
            target=org,
            changes={
                "tax_deductible_years": [sorted(have), sorted(have | set(years))] if confirm else [None, None],
                "outcome": [None, decision.outcome],
                "first_year": [None, year],
                "checked_on": [None, result.on.isoformat()],
            },
            reason=note or "; ".join(f"{c.label}: {c.explanation}" for c in result.checks),
            source=f"charity:tax:{decision.pk}",
        )
        accounts = list(User.objects.filter(organization=org, role=Role.ORGANIZATION, is_active=True))
        if confirm:
            title = _("Tax-deductible donation status confirmed for %(years)s") % {"years": "、".join(str(y) for y in years)}
        else:
            title = _("Tax-deductible donation status from %(year)s refused") % {"year": year}
        notify(recipients=accounts, title=title, body=note, url=reverse("charity:mine"), subject=decision, exclude=by)
    return decision


# --- the daily job: reminders before due dates, lateness flagged ------------------------------


@dataclass
class NoticeRun:
    reminders: int = 0
    late_flagged: int = 0
    already_sent: int = 0
    without_account: int = 0


def _stage(days_left: int, days: list[int]) -> int | None:
    """The reminder stage for a number of days left: the smallest configured lead time that
    is at least `days_left` (a missed day catches up; nobody gets "30 days" with 5 left)."""
    if days_left < 0:
        return None
    fitting = [d for d in days if d >= days_left]
    return min(fitting) if fitting else None


def disclosure_notices_send(*, today: dt.date | None = None) -> NoticeRun:
    """Tell each organization of what it must publish soon (N days before the due date, N
    from the rules' reminder days), and flag each item that has become late: the
    organization is told once, and the flag (with its date) shows on the bureau's list.
    Idempotent: each (organization, item, stage) goes out at most once, enforced by a
    unique key, so the job can run any number of times a day."""
    today = today or _today()
    outcome = NoticeRun()
    book = R.RulesBook.load(DisclosureRules)
    orgs = list(Organization.objects.filter(HAS_DUTIES).distinct().order_by("pk"))
    if not orgs:
        return outcome
    sent = set(
        DisclosureNotice.objects.filter(organization_id__in=[o.pk for o in orgs]).values_list("organization_id", "obligation", "stage")
    )
    accounts: dict[int, list[User]] = {}
    for user in User.objects.filter(organization_id__in=[o.pk for o in orgs], role=Role.ORGANIZATION, is_active=True):
        accounts.setdefault(user.organization_id, []).append(user)
    for org_id, items in obligations_for_many(orgs, today, book=book).items():
        org = next(o for o in orgs if o.pk == org_id)
        days = book.for_city(org.city_id).reminder_day_list
        for o in items:
            if o.done:
                continue
            if o.state == R.ObligationState.LATE:
                stage = DisclosureNotice.LATE
            else:
                found = _stage(o.days_left(today), days)
                if found is None:
                    continue
                stage = str(found)
            if (org_id, o.key, stage) in sent:
                outcome.already_sent += 1
                continue
            people = accounts.get(org_id, [])
            if not people and stage != DisclosureNotice.LATE:
                outcome.without_account += 1  # not recorded: an account opened later still gets it
                continue
            if _send_notice(org=org, obligation=o, stage=stage, today=today, people=people):
                if stage == DisclosureNotice.LATE:
                    outcome.late_flagged += 1
                else:
                    outcome.reminders += 1
            else:
                outcome.already_sent += 1
    return outcome


def _send_notice(*, org: Organization, obligation: R.Obligation, stage: str, today: dt.date, people: list[User]) -> bool:
    with transaction.atomic():
        _row, created = DisclosureNotice.objects.get_or_create(
            organization=org,
            obligation=obligation.key,
            stage=stage,
            defaults={"due_on": obligation.due_on, "sent_on": today, "recipients": len(people)},
        )
        if not created:
            return False
        if stage == DisclosureNotice.LATE:
            title = _("Late disclosure: %(item)s was due on %(date)s") % {"item": obligation.label, "date": obligation.due_on.isoformat()}
        else:
            title = _("Disclosure due on %(date)s: %(item)s") % {"item": obligation.label, "date": obligation.due_on.isoformat()}
        notify(recipients=people, title=title, url=reverse("charity:mine"), subject=org)
    return True
