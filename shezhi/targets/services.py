"""Writes to the targets: a city's bureau adopts the default targets as its own, changes
them, adds new ones and sets their milestones. Every change is audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shezhi.areas.models import Area, AreaLevel
from shezhi.audit.models import AuditAction
from shezhi.audit.services import audit_record
from shezhi.targets.models import Indicator, Milestone, Scope, Target

PERCENT_INDICATORS = {
    Indicator.HUB_COVERAGE,
    Indicator.SOCIAL_WORK_URBAN,
    Indicator.SOCIAL_WORK_RURAL,
    Indicator.VOLUNTEER_ORGANIZATIONS,
    Indicator.VOLUNTEERS,
    Indicator.TRADE_DECOUPLING,
}
TARGET_FIELDS = ("code", "name", "indicator", "scope", "position", "source", "active")


def _snapshot(target: Target) -> dict:
    data = {f: getattr(target, f) for f in TARGET_FIELDS}
    data["milestones"] = [f"{m.due_on:%Y-%m-%d} ≥ {m.value}" for m in target.milestones.order_by("due_on")] if target.pk else []
    return data


@transaction.atomic
def targets_adopt(*, city: Area, by) -> list[Target]:
    """Give a city its own copy of the default targets (once), so that it can change them
    without changing anyone else's."""
    if city.level != AreaLevel.CITY:
        raise ValidationError(_("Targets belong to a city."))
    Area.objects.select_for_update().filter(pk=city.pk).first()  # two bureau officers adopting at once get one copy
    own = list(Target.objects.filter(city=city))
    if own:
        return own
    for default in Target.objects.filter(city__isnull=True).prefetch_related("milestones"):
        copy = Target.objects.create(city=city, **{f: getattr(default, f) for f in TARGET_FIELDS})
        Milestone.objects.bulk_create([Milestone(target=copy, due_on=m.due_on, value=m.value) for m in default.milestones.all()])
        audit_record(
            action=AuditAction.RECORD_CREATED,
            by=by,
            target=copy,
            changes={k: [None, v] for k, v in _snapshot(copy).items()},
            reason=_("Default targets adopted by the city."),
            source="targets",
        )
        own.append(copy)
    return own


def _clean_milestones(indicator: str, milestones: Sequence[tuple[dt.date | None, Decimal | None]]) -> list[tuple[dt.date, Decimal]]:
    out: dict[dt.date, Decimal] = {}
    for n, (due_on, value) in enumerate(milestones, start=1):
        if due_on is None and value is None:
            continue
        if due_on is None or value is None:
            raise ValidationError(_("Milestone %(n)s: give both the date and the value.") % {"n": n})
        if value < 0:
            raise ValidationError(_("Milestone %(n)s: the value cannot be negative.") % {"n": n})
        if indicator in PERCENT_INDICATORS and value > 100:
            raise ValidationError(_("Milestone %(n)s: this indicator is a percentage; give a value from 0 to 100.") % {"n": n})
        if due_on in out:
            raise ValidationError(_("Milestone %(n)s: two milestones have the same date %(day)s.") % {"n": n, "day": due_on.isoformat()})
        out[due_on] = value
    if not out:
        raise ValidationError(_("Give at least one milestone: the date and the value to reach by then."))
    return sorted(out.items())


@transaction.atomic
def target_save(
    *,
    city: Area,
    by,
    data: Mapping,
    milestones: Sequence[tuple[dt.date | None, Decimal | None]],
    reason: str,
    target: Target | None = None,
) -> Target:
    """Change one of the city's targets, or add a new one (target=None), with its milestones.
    The city first adopts the defaults if it has no targets of its own."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the targets change (e.g. the plan or meeting that decided it).")})
    targets_adopt(city=city, by=by)
    if target is not None:
        if target.city_id is None:  # a default: change the city's copy of it
            target = Target.objects.get(city=city, code=target.code)
        target = Target.objects.select_for_update().get(pk=target.pk, city=city)
        old = _snapshot(target)
    else:
        target, old = Target(city=city), {}
    for f in TARGET_FIELDS:
        if f in data:
            setattr(target, f, data[f].strip() if isinstance(data[f], str) else data[f])
    if target.indicator not in Indicator.values:
        raise ValidationError({"indicator": _("Choose an indicator.")})
    if target.scope not in Scope.values:
        raise ValidationError({"scope": _("Choose where the target applies.")})
    cleaned = _clean_milestones(target.indicator, milestones)
    if Target.objects.filter(city=city, code=target.code).exclude(pk=target.pk).exists():
        raise ValidationError({"code": _("The city already has a target with the code %(code)s.") % {"code": target.code}})
    target.full_clean(exclude=["city"], validate_constraints=False)
    target.save()
    target.milestones.all().delete()
    Milestone.objects.bulk_create([Milestone(target=target, due_on=d, value=v) for d, v in cleaned])
    from shezhi.audit.services import diff

    changes = diff(old, _snapshot(target))
    audit_record(
        action=AuditAction.RECORD_CHANGED if old else AuditAction.RECORD_CREATED,
        by=by,
        target=target,
        changes=changes,
        reason=reason,
        source="targets",
    )
    return target
