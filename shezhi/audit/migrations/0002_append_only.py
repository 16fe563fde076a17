"""Database triggers that make the audit log append-only, whatever code runs against it."""

from django.db import migrations

SQLITE = [
    "CREATE TRIGGER audit_auditentry_no_update BEFORE UPDATE ON audit_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
    "CREATE TRIGGER audit_auditentry_no_delete BEFORE DELETE ON audit_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS audit_auditentry_no_update", "DROP TRIGGER IF EXISTS audit_auditentry_no_delete"]
POSTGRES = [
    "CREATE OR REPLACE FUNCTION audit_auditentry_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'audit log is append-only' USING ERRCODE = 'integrity_constraint_violation'; END; $$ LANGUAGE plpgsql",
    "CREATE TRIGGER audit_auditentry_no_change BEFORE UPDATE OR DELETE ON audit_auditentry "
    "FOR EACH ROW EXECUTE FUNCTION audit_auditentry_append_only()",
    "CREATE TRIGGER audit_auditentry_no_truncate BEFORE TRUNCATE ON audit_auditentry "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_auditentry_append_only()",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_auditentry_no_truncate ON audit_auditentry",
    "DROP TRIGGER IF EXISTS audit_auditentry_no_change ON audit_auditentry",
    "DROP FUNCTION IF EXISTS audit_auditentry_append_only()",
]


def install(connection) -> None:
    with connection.cursor() as cursor:
        for sql in POSTGRES if connection.vendor == "postgresql" else SQLITE:
            cursor.execute(sql)


def forwards(apps, schema_editor):
    from django.conf import settings

    # The test suite flushes tables between browser tests, which the triggers would refuse;
    # its append-only test installs them itself inside a rolled-back transaction.
    if getattr(settings, "AUDIT_APPEND_ONLY_TRIGGERS", True):
        install(schema_editor.connection)


def backwards(apps, schema_editor):
    for sql in POSTGRES_REVERSE if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
