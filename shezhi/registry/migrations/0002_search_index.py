from django.db import migrations

from shezhi.registry import search


def forwards(apps, schema_editor):
    statements = search.POSTGRES_SQL if schema_editor.connection.vendor == "postgresql" else search.SQLITE_FTS_SQL
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    statements = search.POSTGRES_REVERSE_SQL if schema_editor.connection.vendor == "postgresql" else search.SQLITE_FTS_REVERSE_SQL
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
