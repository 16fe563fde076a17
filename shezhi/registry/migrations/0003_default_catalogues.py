from django.db import migrations


def forwards(apps, schema_editor):
    from shezhi.registry.services import DEFAULT_SERVICE_DOMAINS, DEFAULT_TARGET_GROUPS

    ServiceDomain = apps.get_model("registry", "ServiceDomain")
    TargetGroup = apps.get_model("registry", "TargetGroup")
    for i, (code, name) in enumerate(DEFAULT_SERVICE_DOMAINS):
        ServiceDomain.objects.get_or_create(code=code, defaults={"name": name, "position": i})
    for i, (code, name) in enumerate(DEFAULT_TARGET_GROUPS):
        TargetGroup.objects.get_or_create(code=code, defaults={"name": name, "position": i})


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_search_index")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
