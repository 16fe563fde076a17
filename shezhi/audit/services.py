from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models

from shezhi.audit.middleware import current_request_context
from shezhi.audit.models import AuditAction, AuditEntry


def actor_label(user) -> str:
    """The name logs show for the acting user (empty for the system or an anonymous user)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    return (getattr(user, "display_name", "") or user.get_username())[:150]


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    return str(value)


def diff(old: Mapping[str, Any], new: Mapping[str, Any], *, fields: Iterable[str] | None = None) -> dict[str, list]:
    """The changed fields as {field: [old, new]}, JSON-safe."""
    keys = fields if fields is not None else sorted(set(old) | set(new))
    return {k: [_jsonable(old.get(k)), _jsonable(new.get(k))] for k in keys if old.get(k) != new.get(k)}


def audit_record(
    *,
    action: AuditAction,
    by,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    target_label: str = "",
    changes: Mapping[str, Any] | None = None,
    reason: str = "",
    source: str = "",
) -> AuditEntry:
    """Append one entry to the audit log. Call it inside the transaction of the change."""
    ctx = current_request_context()
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
        target_label = target_label or str(target)
    return AuditEntry.objects.create(
        actor=by if getattr(by, "is_authenticated", False) else None,
        actor_label=actor_label(by),
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_label=target_label[:300],
        changes=dict(changes or {}),
        reason=reason,
        source=source[:100],
        ip=ctx.ip if ctx else None,
        user_agent=ctx.user_agent if ctx else "",
    )
