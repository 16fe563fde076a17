"""PostgreSQL: the search index moves to a stored tsvector column (see registry.search)."""

from django.db import migrations

from shezhi.registry import search


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS registry_org_search_gin")
    for sql in search.POSTGRES_COLUMN_SQL + search.POSTGRES_SQL:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in search.POSTGRES_REVERSE_SQL:
        schema_editor.execute(sql)
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS registry_org_search_gin ON registry_organization USING gin (to_tsvector('simple', search_document))"
    )


class Migration(migrations.Migration):
    dependencies = [("registry", "0004_search_document_pairs")]
    operations = [migrations.RunPython(forwards, backwards)]
