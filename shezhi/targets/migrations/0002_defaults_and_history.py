"""Pinghu's targets as the defaults, and the history of the organizations already in the
registry (derived from their present state)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from shezhi.targets.defaults import install_defaults

    install_defaults(apps.get_model("targets", "Target"), apps.get_model("targets", "Milestone"))
    if apps.get_model("registry", "Organization").objects.exists():
        from shezhi.targets.facts import rebuild_facts

        rebuild_facts()


class Migration(migrations.Migration):
    dependencies = [("targets", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
