"""The one workflow mechanism of the project: guarded transitions.

A workflow is a set of named Transitions, each allowed only from some states. run() locks
the item's row, checks that the item is still in a state the transition may start from,
applies the change, writes the item's timeline (WorkflowEvent) and the audit log, and
sends notifications after commit. Two people acting on the same item at once are
serialized by the row lock: the second sees the new state and gets a clear refusal,
never a second decision.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from shezhi.audit.models import AuditAction
from shezhi.audit.services import actor_label, audit_record
from shezhi.workflow.models import WorkflowEvent

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: str
    label: str = ""
    # Who may take the step is decided by the caller's selector; the note requirement is
    # part of the rule (e.g. a refusal must give its reason).
    note_required: bool = False
    note_hint: str = ""

    def allowed_from(self, status: str) -> bool:
        return status in self.sources


def transition(
    name: str, sources: Iterable[str], target: str, *, label: str = "", note_required: bool = False, note_hint: str = ""
) -> Transition:
    return Transition(name=name, sources=frozenset(sources), target=target, label=label, note_required=note_required, note_hint=note_hint)


class TransitionRefused(ValidationError):
    """The item is not in a state this step may start from (e.g. someone already decided it)."""

    def __init__(self, message: str, *, current: str, last_event: WorkflowEvent | None):
        super().__init__(message, code="transition_refused")
        self.current = current
        self.last_event = last_event


@dataclass
class Step:
    """What a transition did, for the caller (e.g. to issue a document)."""

    item: Any
    event: WorkflowEvent
    extra: dict = field(default_factory=dict)


def item_key(item: models.Model) -> tuple[str, str]:
    return item._meta.label_lower, str(item.pk)


def timeline(item: models.Model):
    item_type, item_id = item_key(item)
    return WorkflowEvent.objects.filter(item_type=item_type, item_id=item_id).order_by("at", "id")


def run(
    item: M,
    step: Transition,
    *,
    by,
    note: str = "",
    status_field: str = "status",
    apply: Callable[[M], None] | None = None,
    notify: Callable[[M, WorkflowEvent], None] | None = None,
    data: dict | None = None,
    action: AuditAction = AuditAction.WORKFLOW_STEP,
) -> Step:
    """Take `step` on `item` (which must be saved). Must be called inside transaction.atomic
    if the caller does more work that has to succeed or fail with it; run() opens its own
    atomic block either way."""
    note = (note or "").strip()
    with transaction.atomic():
        locked = type(item).objects.select_for_update().get(pk=item.pk)
        current = getattr(locked, status_field)
        if not step.allowed_from(current):
            item_type, item_id = item_key(locked)
            last = WorkflowEvent.objects.filter(item_type=item_type, item_id=item_id).order_by("-at", "-id").first()
            label = locked._meta.get_field(status_field).choices and dict(locked._meta.get_field(status_field).flatchoices).get(
                current, current
            )
            if last is not None and last.by_label:
                message = _("This item is already %(state)s (%(who)s, %(when)s); the step “%(step)s” is no longer possible.") % {
                    "state": label,
                    "who": last.by_label,
                    "when": last.at.strftime("%Y-%m-%d %H:%M"),
                    "step": step.label or step.name,
                }
            else:
                message = _("This item is %(state)s; the step “%(step)s” is not possible now.") % {
                    "state": label,
                    "step": step.label or step.name,
                }
            raise TransitionRefused(message, current=current, last_event=last)
        if step.note_required and not note:
            raise ValidationError({"note": step.note_hint or _("Give the reason for this step.")})
        setattr(locked, status_field, step.target)
        if apply is not None:
            apply(locked)
        locked.save()
        item_type, item_id = item_key(locked)
        event = WorkflowEvent.objects.create(
            item_type=item_type,
            item_id=item_id,
            transition=step.name,
            from_status=current,
            to_status=step.target,
            by=by if getattr(by, "is_authenticated", False) else None,
            by_label=actor_label(by),
            note=note,
            data=data or {},
        )
        audit_record(
            action=action, by=by, target=locked, changes={"status": [current, step.target]}, reason=note, source=f"workflow:{step.name}"
        )
        if notify is not None:
            transaction.on_commit(lambda: notify(locked, event))
    # The caller's instance reflects the new state.
    for f in locked._meta.concrete_fields:
        setattr(item, f.attname, getattr(locked, f.attname))
    return Step(item=item, event=event)
