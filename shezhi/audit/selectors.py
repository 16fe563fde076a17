from __future__ import annotations

from django.db.models import QuerySet

from shezhi.audit.models import AuditEntry


def audit_entries_for(*, target_type: str, target_id: str) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(target_type=target_type, target_id=str(target_id)).order_by("-at", "-id")
