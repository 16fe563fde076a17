"""The default rules, and the two online procedures: charity recognition (慈善组织认定) and the
public fundraising qualification (公开募捐资格).

Everything here is data the bureau edits in the admin. Labels are Chinese because they are
the forms' content, not UI text.

Time limits. 慈善法 art. 10 and 22: the bureau decides "自受理申请之日起二十日内" — twenty
days, which the law does not call working days (行政许可法 art. 82 counts working days for
its own limits only). The online-affairs procedures count working days, so the statutory
limit is entered as 14 working days: the most working days that never run past twenty
calendar days in weeks without a public holiday (14 working days end at most 20 days after
acceptance). Around a public holiday 14 working days can run longer than twenty days: the
charity section's bureau page shows each open application's twenty-day date as well
(CharityRules.decision_days). limits_verified stays False until the bureau confirms.
"""

from django.db import migrations

DISCLOSURE_NOTE = (
    "慈善法第七十七条至第八十条；慈善组织信息公开办法（民政部令第61号）：年度工作报告和财务会计报告于次年5月31日前公开；"
    "公开募捐活动和慈善项目周期超过六个月的至少每三个月公开一次，结束后三个月内全面公开；重大资产变动、投资、关联交易30日内公开。"
)
CHARITY_NOTE = (
    "慈善法第十条、第二十二条（二十日内作出决定）；慈善组织公开募捐管理办法（依法履行信息公开义务）；"
    "公益性捐赠税前扣除资格：财政部 税务总局 民政部公告2020年第27号（有效期三年，审计专项报告）。"
    "登记年限、评估等级、名单和处罚等条件见信用模块的资格规则（charity_recognition、public_fundraising、tax_deductible）；"
    "注意：2023年修正后的慈善法（2024年9月5日施行）第二十二条为“依法登记满一年”，DESIGN.md沿用二年。"
)


def f(name, label, type="text", required=False, **extra):
    spec = {"name": name, "label": label, "type": type, "required": required}
    spec.update(extra)
    return spec


def m(code, name, required=True, when="", description=""):
    return {"code": code, "name": name, "required": required, "required_when": when, "description": description}


PROCEDURES = [
    {
        "code": "charity-recognition",
        "kind": "charity_recognition",
        "name": "慈善组织认定",
        "description": (
            "已登记的基金会、社会团体、社会服务机构申请认定为慈善组织（慈善法第十条，慈善组织认定办法）。"
            "申请前二年内受过行政处罚或者申请时被列入异常名录、严重违法失信名单的，不予认定。"
            "法定时限为自受理之日起二十日（日历日），本系统按14个工作日计时。"
        ),
        "applicant": "organization",
        "handled_by": "bureau",
        "for_registration": "registered",
        "statutory_days": 14,
        "promised_days": 10,
        "approval_title": "准予认定慈善组织决定书",
        "refusal_title": "不予认定慈善组织决定书",
        "form_fields": [
            f("purposes", "慈善宗旨", "textarea", required=True, help="以开展慈善活动为宗旨，业务范围符合慈善法第三条"),
            f("activities", "开展的慈善活动（领域、内容、受益对象）", "textarea", required=True),
            f("charter_amended_on", "章程按慈善法修改并经核准的日期", "date", required=True),
            f("last_year_income", "上一年度总收入（万元）", "decimal", required=True, min=0),
            f("last_year_charity_spending", "上一年度慈善活动支出（万元）", "decimal", required=True, min=0),
            f("last_year_management_costs", "上一年度管理费用（万元）", "decimal", required=True, min=0),
        ],
        "decision_fields": [f("remarks", "审查意见", "textarea")],
        "materials": [
            m("application", "慈善组织认定申请书"),
            m("charter", "符合慈善法规定的章程"),
            m("audit", "上一年度财务审计报告（含慈善活动年度支出和管理费用专项审计）"),
            m("activities", "开展慈善活动的说明"),
            m("pledge", "不存在不予认定情形的书面承诺"),
            m("minutes", "理事会（董事会）同意申请认定的会议纪要"),
        ],
    },
    {
        "code": "public-fundraising",
        "kind": "public_fundraising",
        "name": "公开募捐资格申请",
        "description": (
            "依法登记满规定年限的慈善组织申请公开募捐资格（慈善法第二十二条，慈善组织公开募捐管理办法）。"
            "法定时限为自受理之日起二十日（日历日），本系统按14个工作日计时。"
        ),
        "applicant": "organization",
        "handled_by": "bureau",
        "for_registration": "registered",
        "statutory_days": 14,
        "promised_days": 10,
        "approval_title": "准予公开募捐资格决定书",
        "refusal_title": "不予公开募捐资格决定书",
        "form_fields": [
            f("governance", "内部治理结构（理事会、监事会）情况", "textarea", required=True),
            f("full_time_staff", "专职工作人员（人）", "integer", required=True, min=0),
            f("plan", "拟开展的公开募捐活动", "textarea", required=True),
        ],
        "decision_fields": [f("remarks", "审查意见", "textarea")],
        "materials": [
            m("application", "公开募捐资格申请书"),
            m("governance", "内部治理结构说明及理事会、监事会成员名单"),
            m("staff", "专职工作人员情况"),
            m("audit", "上一年度财务审计报告"),
            m("disclosure", "信息公开情况说明"),
            m("plan", "公开募捐活动方案", required=False),
        ],
    },
]


def load(apps, schema_editor):
    DisclosureRules = apps.get_model("charity", "DisclosureRules")
    CharityRules = apps.get_model("charity", "CharityRules")
    if not DisclosureRules.objects.filter(city=None).exists():
        DisclosureRules.objects.create(city=None, note=DISCLOSURE_NOTE)
    if not CharityRules.objects.filter(city=None).exists():
        CharityRules.objects.create(city=None, note=CHARITY_NOTE)
    ProcedureType = apps.get_model("affairs", "ProcedureType")
    MaterialRequirement = apps.get_model("affairs", "MaterialRequirement")
    position = (ProcedureType.objects.order_by("-position").values_list("position", flat=True).first() or 0) + 10
    for spec in PROCEDURES:
        spec = dict(spec)
        materials = spec.pop("materials")
        procedure, created = ProcedureType.objects.get_or_create(code=spec["code"], defaults={**spec, "position": position})
        position += 10
        if not created:
            continue
        for i, item in enumerate(materials, start=1):
            MaterialRequirement.objects.create(procedure=procedure, position=i * 10, **item)


def unload(apps, schema_editor):
    ProcedureType = apps.get_model("affairs", "ProcedureType")
    Filing = apps.get_model("affairs", "Filing")
    codes = [p["code"] for p in PROCEDURES]
    used = set(Filing.objects.values_list("procedure__code", flat=True))
    ProcedureType.objects.filter(code__in=[c for c in codes if c not in used]).delete()


class Migration(migrations.Migration):
    dependencies = [("charity", "0001_initial"), ("affairs", "0003_procedure_kinds_charity")]
    operations = [migrations.RunPython(load, unload)]
