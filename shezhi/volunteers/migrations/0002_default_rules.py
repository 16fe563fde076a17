"""Default age rules and skills catalogue (data the bureau can change in the admin)."""

import datetime as dt

from django.db import migrations

SKILLS = [
    ("medical", "医疗护理"),
    ("first_aid", "应急救护"),
    ("legal", "法律咨询"),
    ("psychology", "心理疏导"),
    ("tutoring", "教育辅导"),
    ("elderly_care", "助老服务"),
    ("disability", "助残服务"),
    ("arts", "文艺表演"),
    ("sports", "体育健身"),
    ("language", "外语翻译"),
    ("sign_language", "手语"),
    ("driving", "驾驶"),
    ("repair", "家电维修"),
    ("it", "信息技术"),
    ("photography", "摄影摄像"),
    ("publicity", "宣传策划"),
    ("environment", "环境保护"),
    ("traffic", "文明交通"),
]


def forwards(apps, schema_editor):
    AgeRules = apps.get_model("volunteers", "AgeRules")
    Skill = apps.get_model("volunteers", "Skill")
    AgeRules.objects.get_or_create(
        valid_from=dt.date(2000, 1, 1),
        defaults={
            "adult_age": 18,
            "self_registration_age": 14,
            "note": (
                "志愿服务条例（2017）：未成年人参加志愿服务须经监护人同意；中国注册志愿者管理办法（2013）：十四至十八周岁须经法定代理人同意"
            ),
        },
    )
    for position, (code, name) in enumerate(SKILLS):
        Skill.objects.get_or_create(code=code, defaults={"name": name, "position": position})


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
