"""PostgreSQL: the narrow search table (see registry.search); documents mark the end of their
single characters, from which the table reads its text: rebuild them first."""

from django.db import migrations

from shezhi.registry import search


def rebuild_documents(apps, schema_editor):
    from shezhi.registry.search import search_document

    Organization = apps.get_model("registry", "Organization")
    last = 0
    while True:
        batch = list(Organization.objects.filter(pk__gt=last).order_by("pk").only("pk", "name", "business_scope")[:5000])
        if not batch:
            break
        for org in batch:
            org.search_document = search_document(org.name, org.business_scope)
        Organization.objects.bulk_update(batch, ["search_document"], batch_size=1000)
        last = batch[-1].pk


def create_table(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in search.POSTGRES_SEARCH_SQL:
        schema_editor.execute(sql)


def drop_table(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in search.POSTGRES_SEARCH_REVERSE_SQL:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("registry", "0006_search_document_triples")]
    operations = [
        migrations.RunPython(rebuild_documents, migrations.RunPython.noop),
        migrations.RunPython(create_table, drop_table),
    ]
