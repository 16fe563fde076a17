from django.db import migrations

from shezhi.registry import search

# As first shipped; 0005 replaces the PostgreSQL index by one on a stored column.
POSTGRES_SQL = [
    "CREATE INDEX IF NOT EXISTS registry_org_search_gin ON registry_organization USING gin (to_tsvector('simple', search_document))",
]


def forwards(apps, schema_editor):
    statements = POSTGRES_SQL if schema_editor.connection.vendor == "postgresql" else search.SQLITE_FTS_SQL
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    statements = (
        ["DROP INDEX IF EXISTS registry_org_search_gin"]
        if schema_editor.connection.vendor == "postgresql"
        else search.SQLITE_FTS_REVERSE_SQL
    )
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
