"""Database triggers that keep a published disclosure as it was published, whatever code runs
against the table (a queryset .update(), raw SQL, the admin).

- UPDATE of a published row is refused, always.
- DELETE of a published row is refused where the audit log's append-only triggers are
  installed (setting AUDIT_APPEND_ONLY_TRIGGERS, default on): the test suite turns them off
  because it empties tables between browser tests; a test installs them on its own.
A draft changes freely; publishing a draft is an UPDATE of a draft, so it passes.
"""

from django.db import migrations

MESSAGE = "a published disclosure cannot be changed"

SQLITE_UPDATE = [
    "CREATE TRIGGER charity_disclosure_published_no_update BEFORE UPDATE ON charity_disclosure "
    f"WHEN OLD.status = 'published' BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
]
SQLITE_DELETE = [
    "CREATE TRIGGER charity_disclosure_published_no_delete BEFORE DELETE ON charity_disclosure "
    f"WHEN OLD.status = 'published' BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS charity_disclosure_published_no_update",
    "DROP TRIGGER IF EXISTS charity_disclosure_published_no_delete",
]
POSTGRES_UPDATE = [
    "CREATE OR REPLACE FUNCTION charity_disclosure_published_immutable() RETURNS trigger AS $$ "
    f"BEGIN IF OLD.status = 'published' THEN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation'; END IF; "
    "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END; $$ LANGUAGE plpgsql",
    "CREATE TRIGGER charity_disclosure_published_no_update BEFORE UPDATE ON charity_disclosure "
    "FOR EACH ROW EXECUTE FUNCTION charity_disclosure_published_immutable()",
]
POSTGRES_DELETE = [
    "CREATE TRIGGER charity_disclosure_published_no_delete BEFORE DELETE ON charity_disclosure "
    "FOR EACH ROW EXECUTE FUNCTION charity_disclosure_published_immutable()",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS charity_disclosure_published_no_delete ON charity_disclosure",
    "DROP TRIGGER IF EXISTS charity_disclosure_published_no_update ON charity_disclosure",
    "DROP FUNCTION IF EXISTS charity_disclosure_published_immutable()",
]


def install(connection, *, delete: bool = True) -> None:
    postgres = connection.vendor == "postgresql"
    statements = list(POSTGRES_UPDATE if postgres else SQLITE_UPDATE)
    if delete:
        statements += POSTGRES_DELETE if postgres else SQLITE_DELETE
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def install_delete(connection) -> None:
    """The DELETE trigger alone (tests install it inside a rolled-back transaction)."""
    with connection.cursor() as cursor:
        for sql in POSTGRES_DELETE if connection.vendor == "postgresql" else SQLITE_DELETE:
            cursor.execute(sql)


def forwards(apps, schema_editor):
    from django.conf import settings

    install(schema_editor.connection, delete=getattr(settings, "AUDIT_APPEND_ONLY_TRIGGERS", True))


def backwards(apps, schema_editor):
    for sql in POSTGRES_REVERSE if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("charity", "0002_default_rules_and_procedures")]
    operations = [migrations.RunPython(forwards, backwards)]
