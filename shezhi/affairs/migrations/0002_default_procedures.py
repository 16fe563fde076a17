"""The default procedure types, their forms and materials checklists.

Everything here is data the bureau edits in the admin. The time limits are defaults to
check against the regulations and the bureau's own service promises (limits_verified is
False until someone does): the statutory limits follow the State Council regulations on
social groups / social service agencies / foundations as commonly applied in Zhejiang,
converted to working days; the promised limits follow the 最多跑一次 practice of
promising about half. Labels are Chinese because they are the forms' content, not UI text.
"""

from django.db import migrations

LEGAL_FORMS = [["social_group", "社会团体"], ["social_service_agency", "社会服务机构（民办非企业单位）"], ["foundation", "基金会"]]
DIRECT_CATEGORIES = [
    ["trade_association", "行业协会商会类"],
    ["science_tech", "科技类"],
    ["charity", "公益慈善类"],
    ["community_service", "城乡社区服务类"],
]
COMMUNITY_CATEGORIES = [
    ["life_service", "生活服务类"],
    ["charity", "公益慈善类"],
    ["mutual_aid", "居民互助类"],
    ["culture_sports", "文体类"],
    ["safety", "平安类"],
    ["self_governance", "自治类"],
]
ANNUAL_RESULTS = [["合格", "合格"], ["基本合格", "基本合格"], ["不合格", "不合格"]]


def f(name, label, type="text", required=False, registry=None, **extra):
    spec = {"name": name, "label": label, "type": type, "required": required}
    if registry:
        spec["registry_field"] = registry
    spec.update(extra)
    return spec


def m(code, name, required=True, when="", description=""):
    return {"code": code, "name": name, "required": required, "required_when": when, "description": description}


PROCEDURES = [
    {
        "code": "establishment",
        "kind": "establishment",
        "name": "成立登记",
        "description": "社会团体、社会服务机构、基金会的成立登记。申请人为拟成立组织的发起人或拟任负责人。",
        "applicant": "prospective",
        "handled_by": "bureau",
        "statutory_days": 40,
        "promised_days": 15,
        "approval_title": "准予成立登记决定书",
        "refusal_title": "不予成立登记决定书",
        "form_fields": [
            f("name", "拟登记名称", required=True, registry="name"),
            f("legal_form", "组织类型", "choice", required=True, registry="legal_form", choices=LEGAL_FORMS),
            f("direct_category", "直接登记类别", "choice", registry="direct_category", choices=DIRECT_CATEGORIES),
            f("town", "住所所在镇（街道）", "town", required=True, registry="town"),
            f("address", "住所", required=True, registry="address"),
            f("legal_representative", "拟任法定代表人", required=True, registry="legal_representative"),
            f("phone", "联系电话", registry="phone"),
            f("supervising_unit", "业务主管单位", registry="supervising_unit", help="直接登记的四类组织可不填"),
            f("registered_funds", "注册资金（万元）", "decimal", required=True, registry="registered_funds", min=0),
            f("business_scope", "业务范围", "textarea", required=True, registry="business_scope"),
        ],
        "decision_fields": [f("credit_code", "统一社会信用代码", required=True, help="赋予的18位统一社会信用代码")],
        "materials": [
            m("application", "成立登记申请书"),
            m("charter", "章程草案"),
            m("supervisor_approval", "业务主管单位批准文件", when="supervising_unit"),
            m("capital", "验资报告或注册资金证明"),
            m("premises", "住所使用权证明"),
            m("leader_identity", "拟任负责人基本情况及身份证明"),
        ],
    },
    {
        "code": "change",
        "kind": "change",
        "name": "变更登记",
        "description": "名称、法定代表人、住所、业务范围、注册资金、业务主管单位的变更。只填写需要变更的事项。",
        "applicant": "organization",
        "handled_by": "bureau",
        "for_registration": "registered",
        "statutory_days": 20,
        "promised_days": 10,
        "approval_title": "准予变更登记决定书",
        "refusal_title": "不予变更登记决定书",
        "form_fields": [
            f("name", "变更后名称", registry="name"),
            f("legal_representative", "新任法定代表人", registry="legal_representative"),
            f("address", "变更后住所", registry="address"),
            f("business_scope", "变更后业务范围", "textarea", registry="business_scope"),
            f("registered_funds", "变更后注册资金（万元）", "decimal", registry="registered_funds", min=0),
            f("supervising_unit", "变更后业务主管单位", registry="supervising_unit"),
            f("reason", "变更理由", "textarea", required=True),
        ],
        "decision_fields": [],
        "materials": [
            m("application", "变更登记申请表"),
            m("resolution", "理事会（会员大会）决议"),
            m("charter_amendment", "章程修正案", when="name"),
            m("representative", "新任法定代表人任职资格材料及身份证明", when="legal_representative"),
            m("premises", "新住所使用权证明", when="address"),
            m("scope_approval", "业务范围变更的审查同意文件", when="business_scope"),
            m("capital", "验资报告或资金证明", when="registered_funds"),
            m("supervisor_consent", "原、新业务主管单位同意文件", when="supervising_unit"),
        ],
    },
    {
        "code": "deregistration",
        "kind": "deregistration",
        "name": "注销登记",
        "description": "组织终止后，在清算完成后申请注销登记。",
        "applicant": "organization",
        "handled_by": "bureau",
        "for_registration": "registered",
        "statutory_days": 15,
        "promised_days": 10,
        "approval_title": "准予注销登记决定书",
        "refusal_title": "不予注销登记决定书",
        "form_fields": [
            f("reason", "注销原因", "textarea", required=True),
            f("liquidation_completed_on", "清算完成日期", "date", required=True),
        ],
        "decision_fields": [],
        "materials": [
            m("application", "注销登记申请书"),
            m("resolution", "同意注销的决议"),
            m("supervisor_consent", "业务主管单位审查同意文件", required=False),
            m("liquidation_report", "清算报告"),
            m("certificates", "登记证书正副本及印章缴回说明"),
        ],
    },
    {
        "code": "reelection",
        "kind": "reelection",
        "name": "换届备案",
        "description": "理事会（董事会）换届选举后报送换届材料；法定代表人变更的一并办理。",
        "applicant": "organization",
        "handled_by": "bureau",
        "for_registration": "registered",
        "statutory_days": 20,
        "promised_days": 10,
        "approval_title": "换届备案通知书",
        "refusal_title": "换届备案不予通过通知书",
        "form_fields": [
            f("meeting_date", "换届大会日期", "date", required=True),
            f("term_years", "本届任期（年）", "integer", required=True, min=1, max=5),
            f("legal_representative", "新任法定代表人（有变更时填写）", registry="legal_representative"),
            f("board", "新一届理事会（负责人）名单", "textarea", required=True),
        ],
        "decision_fields": [],
        "materials": [
            m("minutes", "换届大会决议及会议纪要"),
            m("board_list", "新一届理事会、监事会成员名单"),
            m("audit", "法定代表人离任审计报告"),
            m("representative", "新任法定代表人任职资格材料", when="legal_representative"),
        ],
    },
    {
        "code": "annual-report",
        "kind": "annual_report",
        "name": "年检年报",
        "description": "报送上一年度工作报告，由登记管理机关作出年度检查结论。",
        "applicant": "organization",
        "handled_by": "bureau",
        "for_registration": "registered",
        "statutory_days": 20,
        "promised_days": 10,
        "approval_title": "年度检查结论通知书",
        "refusal_title": "年度工作报告退回通知书",
        "form_fields": [
            f("year", "报告年度", "integer", required=True, min=2000, max=2100),
            f("activities", "年度业务活动情况", "textarea", required=True),
            f("income", "年度收入（万元）", "decimal", min=0),
            f("expenditure", "年度支出（万元）", "decimal", min=0),
            f("net_assets", "年末净资产（万元）", "decimal"),
            f("staff", "专职工作人员（人）", "integer", min=0),
        ],
        "decision_fields": [
            f("result", "年检结论", "choice", required=True, choices=ANNUAL_RESULTS),
            f("remarks", "审查意见", "textarea"),
        ],
        "materials": [
            m("report", "年度工作报告书"),
            m("audit", "年度财务审计报告"),
            # Required by the inspection rules in some years (shezhi/inspection/rules.py), so optional here.
            m("rectification_report", "整改报告", required=False),
            m("tax_deductible_report", "公益性捐赠税前扣除资格专项信息报告", required=False),
        ],
    },
    {
        "code": "rating",
        "kind": "rating",
        "name": "等级评估申请",
        "description": "申请社会组织等级评估；评估机构按1000分指标打分，登记管理机关确定等级。",
        "applicant": "organization",
        "handled_by": "bureau",
        "for_registration": "registered",
        "statutory_days": 60,
        "promised_days": 40,
        "approval_title": "社会组织等级评估结果通知书",
        "refusal_title": "等级评估申请不予受理（评定）通知书",
        "form_fields": [
            f("self_score", "自评得分", "decimal", required=True, min=0, max=1100),
            f("summary", "自评报告摘要", "textarea", required=True),
        ],
        "decision_fields": [
            f("total_score", "评估总分（不填则取评审专家平均分）", "decimal", required=False, min=0, max=1100),
            f("remarks", "评估意见", "textarea"),
        ],
        "materials": [
            m("application", "等级评估申请书"),
            m("self_assessment", "自评报告"),
            m("audit", "近两年财务审计报告"),
        ],
    },
    {
        "code": "town-filing",
        "kind": "town_filing",
        "name": "社区社会组织备案",
        "description": "在镇（街道）备案社区社会组织。申请人为组织负责人。",
        "applicant": "prospective",
        "handled_by": "town",
        "statutory_days": 20,
        "promised_days": 5,
        "approval_title": "社区社会组织备案证明",
        "refusal_title": "不予备案通知书",
        "form_fields": [
            f("name", "组织名称", required=True, registry="name"),
            f("town", "所在镇（街道）", "town", required=True, registry="town"),
            f("community", "所在社区（村）", "community", registry="community"),
            f("community_category", "类别", "choice", required=True, registry="community_category", choices=COMMUNITY_CATEGORIES),
            f("legal_representative", "负责人", required=True, registry="legal_representative"),
            f("phone", "联系电话", registry="phone"),
            f("address", "活动场所", registry="address"),
            f("business_scope", "活动内容", "textarea", required=True, registry="business_scope"),
        ],
        "decision_fields": [],
        "materials": [
            m("application", "社区社会组织备案申请表"),
            m("rules", "组织章程或活动规则"),
            m("leader_identity", "负责人身份证明"),
            m("members", "成员名单"),
            m("venue", "活动场所证明", required=False),
        ],
    },
    {
        "code": "town-defiling",
        "kind": "town_defiling",
        "name": "撤销备案",
        "description": "已备案的社区社会组织申请撤销备案。",
        "applicant": "organization",
        "handled_by": "town",
        "for_registration": "filed",
        "statutory_days": 10,
        "promised_days": 5,
        "approval_title": "准予撤销备案通知书",
        "refusal_title": "不予撤销备案通知书",
        "form_fields": [f("reason", "撤销原因", "textarea", required=True)],
        "decision_fields": [],
        "materials": [m("application", "撤销备案申请书"), m("assets", "财产处置情况说明", required=False)],
    },
]


def load(apps, schema_editor):
    ProcedureType = apps.get_model("affairs", "ProcedureType")
    MaterialRequirement = apps.get_model("affairs", "MaterialRequirement")
    for position, spec in enumerate(PROCEDURES, start=1):
        spec = dict(spec)
        materials = spec.pop("materials")
        procedure, created = ProcedureType.objects.get_or_create(code=spec["code"], defaults={**spec, "position": position * 10})
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
    dependencies = [("affairs", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
