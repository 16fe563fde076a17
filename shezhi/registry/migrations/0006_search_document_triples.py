"""Search documents gain character triples (see registry.search.search_document): rebuild them."""

from django.db import migrations


def forwards(apps, schema_editor):
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


class Migration(migrations.Migration):
    dependencies = [("registry", "0005_search_vector_column")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
