"""The default grounds of both lists, the default credit rules and eligibility rules.

Grounds: 社会组织信用信息管理办法 (民政部令第60号, 2018), the cases listed for the
abnormal-activity list and for the serious-violation list, as DESIGN.md "Supervision and
credit" lists them. Eligibility rules: DESIGN.md (catalogues; charity recognition; the
tax-deductible donation status) and the usual conditions of 政府购买服务 and 公益创投. All
are data the bureau can change in the admin.
"""

from django.db import migrations

BASIS = "《社会组织信用信息管理办法》（民政部令第60号）"

GROUNDS = [
    # (code, list, name, detectable)
    ("annual_report_missed", "abnormal", "未按照规定时限和要求向登记管理机关报送年度工作报告", True),
    ("address_unreachable", "abnormal", "通过登记的住所无法与社会组织取得联系", False),
    ("rectification_not_completed", "abnormal", "登记管理机关责令限期整改，未按期完成整改", True),
    ("small_penalty", "abnormal", "受到警告或者不满5万元罚款处罚", True),
    ("fundraising_violation", "abnormal", "具有公开募捐资格的慈善组织违反公开募捐有关规定", False),
    ("other_abnormal", "abnormal", "法律、行政法规规定应当列入活动异常名录的其他情形", False),
    ("abnormal_two_years", "serious", "被列入活动异常名录满2年", True),
    ("fraudulent_change", "serious", "弄虚作假办理变更登记，被撤销变更登记", False),
    ("stop_activities", "serious", "受到限期停止活动行政处罚", True),
    ("large_fine", "serious", "受到5万元以上罚款处罚", True),
    ("repeat_penalties", "serious", "三年内两次以上受到警告或者不满5万元罚款处罚", True),
    ("judgment_defaulter", "serious", "被司法机关纳入“失信被执行人”名单", False),
    ("revoked", "serious", "被登记管理机关作出吊销登记证书、撤销成立登记的处罚", True),
    ("other_serious", "serious", "法律、行政法规规定应当列入严重违法失信名单的其他情形", False),
]

ELIGIBILITY = [
    dict(
        purpose="catalogue",
        name="承接政府转移职能和购买服务的社会组织目录",
        legal_person_required=True,
        list_free_years=3,
        penalty_free_years=3,
        min_rating="3A",
        min_registered_years=1,
        annual_report_required=True,
        inspection_results_accepted=["qualified", "basically_qualified"],
        note=(
            "DESIGN.md: rated 3A or above, annual inspection passed, on no list, "
            "registered at least one year, no bad record in three years."
        ),
    ),
    dict(
        purpose="purchase",
        name="政府购买服务",
        legal_person_required=True,
        list_free_years=0,
        penalty_free_years=3,
        min_registered_years=1,
        annual_report_required=True,
        inspection_results_accepted=["qualified", "basically_qualified"],
        note="政府购买服务管理办法 (财政部令第102号) art. 8: sound credit, no major illegal record in the three years before.",
    ),
    dict(
        purpose="venture",
        name="公益创投",
        legal_person_required=False,
        list_free_years=0,
        penalty_free_years=2,
        annual_report_required=True,
        note=(
            "Community organizations filed by their town may apply; on no list, no penalty in two years, "
            "last annual report filed (registered ones)."
        ),
    ),
    dict(
        purpose="charity_recognition",
        name="慈善组织认定",
        legal_person_required=True,
        penalty_free_years=2,
        note=(
            "慈善组织认定办法 art. 4: not penalised in the two years before the application, on no list (the charity app checks the rest)."
        ),
    ),
    dict(
        purpose="tax_deductible",
        name="公益性捐赠税前扣除资格",
        legal_person_required=True,
        penalty_free_years=2,
        tolerated_penalty_kinds=["warning"],
        min_rating="3A",
        annual_report_required=True,
        note=(
            "财政部 税务总局 民政部公告2020年第27号: rated 3A or above, no administrative penalty but a warning "
            "in the two years before, on no list (the charity app checks the audit report)."
        ),
    ),
    dict(
        purpose="public_fundraising",
        name="公开募捐资格",
        legal_person_required=True,
        min_registered_years=2,
        penalty_free_years=2,
        annual_report_required=True,
        note="慈善法 art. 22: registered two years or more (the charity app checks recognition and governance).",
    ),
]


def create(apps, schema_editor):
    Ground = apps.get_model("credit", "Ground")
    CreditRules = apps.get_model("credit", "CreditRules")
    EligibilityRule = apps.get_model("credit", "EligibilityRule")
    for position, (code, kind, name, detectable) in enumerate(GROUNDS):
        Ground.objects.get_or_create(
            code=code,
            defaults=dict(
                list_kind=kind,
                name=name,
                legal_basis=BASIS + ("活动异常名录情形" if kind == "abnormal" else "严重违法失信名单情形"),
                detectable=detectable,
                position=position * 10,
            ),
        )
    if not CreditRules.objects.filter(city=None).exists():
        CreditRules.objects.create(city=None, note="DESIGN.md defaults; " + BASIS + ".")
    for row in ELIGIBILITY:
        row = dict(row)
        EligibilityRule.objects.get_or_create(purpose=row.pop("purpose"), defaults=row)


class Migration(migrations.Migration):
    dependencies = [("credit", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
