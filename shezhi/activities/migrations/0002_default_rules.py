"""Default hours rules and star levels (data the bureau can change in the admin)."""

from decimal import Decimal

from django.db import migrations

STARS = [
    # 中国注册志愿者管理办法 (共青团中央, 2013) art. 21: 100 / 300 / 600 / 1000 / 1500 hours.
    (1, Decimal("100"), "一星级志愿者"),
    (2, Decimal("300"), "二星级志愿者"),
    (3, Decimal("600"), "三星级志愿者"),
    (4, Decimal("1000"), "四星级志愿者"),
    (5, Decimal("1500"), "五星级志愿者"),
]


def forwards(apps, schema_editor):
    HoursRules = apps.get_model("activities", "HoursRules")
    StarLevel = apps.get_model("activities", "StarLevel")
    if not HoursRules.objects.filter(city__isnull=True).exists():
        HoursRules.objects.create(
            city=None,
            step_hours=Decimal("0.5"),
            rounding="down",
            minimum_hours=Decimal("0.5"),
            cap_to_activity=True,
            sign_in_opens_minutes=60,
            sign_out_closes_minutes=120,
            self_submit_days=30,
            note=(
                "志愿服务记录与证明出具办法（民政部2020年）第八条：服务时长指实际提供志愿服务的时间，不含往返交通时间。"
                "按0.5小时向下取整、不足0.5小时不计、不超过活动时长，为本地做法，可修改。"
            ),
        )
    for stars, hours, name in STARS:
        StarLevel.objects.get_or_create(stars=stars, defaults={"min_hours": hours, "name": name})


def backwards(apps, schema_editor):
    pass


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
