import importlib

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from shezhi.audit.models import AuditAction, AuditEntry
from shezhi.audit.services import audit_record

pytestmark = pytest.mark.django_db

append_only = importlib.import_module("shezhi.audit.migrations.0002_append_only")


def test_model_refuses_update_and_delete():
    entry = audit_record(action=AuditAction.AREA_CHANGED, by=None, target_type="x", target_id="1", changes={"a": [1, 2]})
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()


def test_database_refuses_update_and_delete_even_raw():
    append_only.install(connection)  # rolled back with the test's transaction
    entry = audit_record(action=AuditAction.AREA_CHANGED, by=None, target_type="x", target_id="1")
    for statement in ("UPDATE audit_auditentry SET reason = 'rewritten'", "DELETE FROM audit_auditentry"):
        with pytest.raises(IntegrityError), transaction.atomic():
            AuditEntry.objects.raw("SELECT 1")  # keep the ORM connection warm
            with connection.cursor() as cur:
                cur.execute(statement)
    assert AuditEntry.objects.get(pk=entry.pk).reason == ""


def test_queryset_update_refused_by_database():
    append_only.install(connection)
    audit_record(action=AuditAction.AREA_CHANGED, by=None, target_type="x", target_id="1")
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEntry.objects.update(reason="x")


def test_change_records_who_what_why_and_ip(client, users, orgs):
    client.force_login(users.town_a)
    url = reverse("registry:reveal_phone", args=[orgs.filed_a.pk])
    client.post(url, REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="pytest-agent")
    entry = AuditEntry.objects.get(action=AuditAction.PERSONAL_DATA_VIEWED)
    assert entry.actor == users.town_a and entry.actor_label == "town_a"
    assert entry.ip == "10.1.2.3" and entry.user_agent == "pytest-agent"
    assert entry.target_label == orgs.filed_a.name


def test_login_and_failed_login_are_logged(client, users):
    client.post(reverse("accounts:login"), {"username": "town_a", "password": "wrong"})
    client.post(reverse("accounts:login"), {"username": "town_a", "password": "pass-Shezhi-2026"})
    actions = list(AuditEntry.objects.filter(action__startswith="user.login").order_by("id").values_list("action", flat=True))
    assert actions == [AuditAction.LOGIN_FAILED, AuditAction.LOGIN]
