"""Telling people that something needs them: in-app messages plus e-mail.

The messages are written in the caller's transaction (they vanish if the change is rolled
back); e-mail leaves only after the transaction commits, so nobody is told about a
decision that did not happen.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import models, transaction
from django.utils import timezone

from shezhi.notifications.models import Notification

log = logging.getLogger(__name__)


def _send_emails(ids: list[int]) -> None:
    for note in Notification.objects.filter(pk__in=ids).select_related("recipient"):
        address = note.recipient.email
        if not address:
            continue
        body = note.body
        if note.url:
            body = f"{body}\n\n{note.url}" if body else note.url
        try:
            send_mail(note.title, body, settings.DEFAULT_FROM_EMAIL, [address])
        except Exception:  # a mail server outage must not undo or hide the in-app message
            log.exception("notification %s: e-mail to recipient %s failed", note.pk, note.recipient_id)
            continue
        Notification.objects.filter(pk=note.pk).update(emailed=True)


def notify(
    *, recipients: Iterable, title: str, body: str = "", url: str = "", subject: models.Model | None = None, exclude=None
) -> list[Notification]:
    """Write one message per distinct active recipient (except `exclude`, usually the person
    who acted) and e-mail it after commit."""
    seen: set[int] = set()
    rows = []
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        if exclude is not None and user.pk == getattr(exclude, "pk", None):
            continue
        seen.add(user.pk)
        rows.append(
            Notification(
                recipient=user,
                title=str(title)[:200],
                body=str(body),
                url=url[:300],
                subject_type=subject._meta.label_lower if subject is not None else "",
                subject_id=str(subject.pk) if subject is not None else "",
            )
        )
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    ids = [n.pk for n in created]  # SQLite and PostgreSQL both return the new keys
    transaction.on_commit(lambda: _send_emails(ids))
    return created


def notification_mark_read(*, user, pk: int | None = None, subject: models.Model | None = None) -> int:
    """Mark one message, all of a subject's, or all of the user's messages read. Returns how many."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if pk is not None:
        qs = qs.filter(pk=pk)
    if subject is not None:
        qs = qs.filter(subject_type=subject._meta.label_lower, subject_id=str(subject.pk))
    return qs.update(read_at=timezone.now())
