"""The default rules, categories and outcomes (the bureau edits them in the admin)."""

from django.db import migrations

CATEGORIES = [
    ("illegal_fees", "违规收费"),
    ("illegal_fundraising", "违法募捐"),
    ("charter_breach", "未按章程活动"),
    ("service_quality", "服务质量"),
    ("illegal_organization", "非法社会组织"),
    ("other", "其他"),
]
OUTCOMES = [
    # code, name, needs a reference to the action taken
    ("substantiated", "查实并处理", True),
    ("partly_substantiated", "部分属实", False),
    ("unsubstantiated", "不属实", False),
    ("referred", "转交其他部门", True),
    ("withdrawn", "投诉人撤回", False),
]


def create(apps, schema_editor):
    ComplaintRules = apps.get_model("complaints", "ComplaintRules")
    ComplaintCategory = apps.get_model("complaints", "ComplaintCategory")
    ComplaintOutcome = apps.get_model("complaints", "ComplaintOutcome")
    if not ComplaintRules.objects.filter(city=None).exists():
        ComplaintRules.objects.create(
            city=None, note="Defaults: an answer within 15 working days, reminders 3 and 1 working days before the due date."
        )
    for position, (code, name) in enumerate(CATEGORIES):
        ComplaintCategory.objects.get_or_create(code=code, defaults={"name": name, "position": position * 10})
    for position, (code, name, action) in enumerate(OUTCOMES):
        ComplaintOutcome.objects.get_or_create(code=code, defaults={"name": name, "action_required": action, "position": position * 10})


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
