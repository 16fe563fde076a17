"""Items written by the system (demo data) have no author account. SQLite rebuilds the table
for these changes and drops its triggers with it: they are installed again afterwards."""

import importlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def reinstall_triggers(apps, schema_editor):
    triggers = importlib.import_module("shezhi.charity.migrations.0003_published_disclosures_immutable")
    triggers.backwards(apps, schema_editor)
    triggers.forwards(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("charity", "0003_published_disclosures_immutable"),
        ("registry", "0006_search_document_triples"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="disclosure",
            name="disclosure_published_fields",
        ),
        migrations.AlterField(
            model_name="disclosure",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="written by",
            ),
        ),
        migrations.AddConstraint(
            model_name="disclosure",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("published_at__isnull", True), ("published_by__isnull", True), ("status", "draft")),
                    models.Q(("published_at__isnull", False), ("status", "published")),
                    _connector="OR",
                ),
                name="disclosure_published_fields",
            ),
        ),
        migrations.RunPython(reinstall_triggers, migrations.RunPython.noop),
    ]
