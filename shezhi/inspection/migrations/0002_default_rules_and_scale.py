"""The default rules (DESIGN.md) and a default 1000-point indicator scale.

The scale follows the four top-level parts every national and provincial indicator system
uses (基础条件、内部治理、工作绩效、社会评价); the points per sub-indicator are a
reasonable default for the bureau to replace with the province's published table.
"""

from django.db import migrations

DEFAULT_SCALE = [
    ("A", "基础条件", 100, [("A1", "法人资格", 30), ("A2", "章程与登记备案", 30), ("A3", "年度检查", 20), ("A4", "办公条件", 20)]),
    (
        "B",
        "内部治理",
        350,
        [
            ("B1", "发展规划", 20),
            ("B2", "组织机构（会员大会、理事会、监事会）", 80),
            ("B3", "人力资源", 40),
            ("B4", "领导班子建设", 30),
            ("B5", "党建工作", 40),
            ("B6", "财务资产管理", 100),
            ("B7", "档案证章管理", 40),
        ],
    ),
    (
        "C",
        "工作绩效",
        400,
        [
            ("C1", "业务活动与服务", 150),
            ("C2", "服务能力建设", 70),
            ("C3", "参与社会治理", 60),
            ("C4", "诚信建设与信息公开", 70),
            ("C5", "特色工作", 50),
        ],
    ),
    ("D", "社会评价", 150, [("D1", "内部评价", 50), ("D2", "外部评价", 60), ("D3", "表彰奖励与媒体评价", 40)]),
]


def create(apps, schema_editor):
    InspectionRules = apps.get_model("inspection", "InspectionRules")
    IndicatorScale = apps.get_model("inspection", "IndicatorScale")
    Indicator = apps.get_model("inspection", "Indicator")
    if not InspectionRules.objects.filter(city=None).exists():
        InspectionRules.objects.create(
            city=None,
            note="DESIGN.md defaults; 社会团体登记管理条例 art. 31; 社会组织评估管理办法 (民政部令第39号) art. 6, 7, 28.",
        )
    if IndicatorScale.objects.exists():
        return
    scale = IndicatorScale.objects.create(name="社会组织评估指标（默认，1000分）", total_points=1000, active=True)
    for position, (code, name, points, children) in enumerate(DEFAULT_SCALE):
        parent = Indicator.objects.create(scale=scale, code=code, name=name, max_points=points, position=position * 10)
        for sub, (child_code, child_name, child_points) in enumerate(children):
            Indicator.objects.create(
                scale=scale, parent=parent, code=child_code, name=child_name, max_points=child_points, position=position * 10 + sub + 1
            )


class Migration(migrations.Migration):
    dependencies = [("inspection", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
