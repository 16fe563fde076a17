"""The default sampling rules of 双随机一公开: the minimum annual sample of each level of
authority (DESIGN.md "Supervision and credit": county 3%, city 4%, province 5%) and the
suggested rectification period. The bureau changes them in the admin."""

from decimal import Decimal

from django.db import migrations

RULES = [
    ("county", Decimal("3.00"), "县级登记管理机关：每年抽查比例不低于本级登记社会组织总数的3%。"),
    ("city", Decimal("4.00"), "设区的市级登记管理机关：每年抽查比例不低于4%。"),
    ("province", Decimal("5.00"), "省级登记管理机关：每年抽查比例不低于5%。"),
]


def create(apps, schema_editor):
    SamplingRule = apps.get_model("spotchecks", "SamplingRule")
    for level, ratio, note in RULES:
        SamplingRule.objects.get_or_create(level=level, defaults={"min_ratio_percent": ratio, "rectification_days": 30, "note": note})


class Migration(migrations.Migration):
    dependencies = [("spotchecks", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
