"""Deterministic demo data for the registry (`manage.py seed_demo`).

Two sizes matter: a Pinghu-sized city (what `make run` loads, ~120 communities, ~2,400
organizations) and a Zhejiang-sized province (~90 county-level cities, ~20,000 communities,
~330,000 organizations) for `make bench`. Everything is drawn from random streams seeded by
`--seed` and the area codes, and every date lies in a fixed window, so the same seed gives
the same names, codes and numbers whatever day it runs.

The province has to load in minutes, so organizations are not written one by one through
registry.services: rows are built here and bulk-inserted in batches. They are built to be
rows those services would accept (organization_check passes, sort_key and search_document
are what organization_prepare computes, filing numbers follow next_filing_number and the
filing sequences are advanced past them) and every row gets the audit entry of its
registration or filing, plus the status changes of its history. Tests hold a sample of
seeded rows against organization_check.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from types import SimpleNamespace

from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from shezhi.areas.models import Area, AreaKind, AreaLevel
from shezhi.areas.services import area_save
from shezhi.audit.models import AuditAction, AuditEntry
from shezhi.audit.services import audit_record
from shezhi.privacy import EncryptedCharField
from shezhi.registry import search
from shezhi.registry.credit_code import make_code
from shezhi.registry.models import (
    LEGAL_FORM_TYPE_DIGIT,
    CommunityCategory,
    DirectCategory,
    FilingSequence,
    HubKind,
    LegalForm,
    Organization,
    PartyOrganization,
    RegistrationKind,
    ServiceDomain,
    TargetGroup,
    TaxDeductibleYear,
)
from shezhi.registry.search import search_document, sort_key
from shezhi.registry.services import RATING_VALID_YEARS, _add_years

PROVINCE_CODE = "330000"
HOME_CITY_CODE = "330482"  # 平湖市: always part of the demo, with its reference towns
POPULATION_DATE = dt.date(2020, 11, 1)
# All generated dates fall in this window: the data never depends on the day it is made.
FIRST_DAY = dt.date(1995, 1, 1)
LAST_DAY = dt.date(2025, 6, 30)
CHARITY_LAW = dt.date(2016, 9, 1)  # 慈善法 in force: charity recognition starts here
SOURCE = "seed_demo"
BATCH = 2000
# From this many organizations on, the search index is built after the load, not per row.
BULK_INDEX_THRESHOLD = 20_000


@dataclass(frozen=True)
class Scale:
    name: str
    cities: int  # county-level cities, Pinghu included
    communities: int
    filed: int  # filed community organizations
    registered: int  # registered legal persons


SCALES = {
    # For tests: Pinghu's reference towns with a handful of communities.
    "tiny": Scale("tiny", cities=1, communities=22, filed=70, registered=30),
    "city": Scale("city", cities=1, communities=120, filed=2000, registered=400),
    "province": Scale("province", cities=90, communities=20000, filed=260000, registered=70000),
}


def _rng(seed: int, *labels: object) -> random.Random:
    # String seeds are hashed with SHA-512 by `random`, so streams are stable across runs
    # and independent of PYTHONHASHSEED; one stream per city keeps cities independent.
    return random.Random("shezhi-demo:" + ":".join(str(x) for x in (seed, *labels)))


def _allocate(total: int, weights: list[float]) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder), summing exactly."""
    if not weights:
        return []
    whole = sum(weights) or 1.0
    raw = [total * w / whole for w in weights]
    counts = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - counts[i]), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    if end <= start:
        return start
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


@cache
def _pinyin(fragment: str) -> str:
    return sort_key(fragment)


def name_sort_key(*fragments: str) -> str:
    """search.sort_key of the joined name, computed per fragment and cached.

    pypinyin costs ~12 µs a character; names here are a few hundred distinct fragments
    (city, town, community, kind) in many combinations. Fragments end in an
    administrative suffix (市, 街道, 镇, 社区, 村) or a whole word, so no polyphone reads
    differently across a boundary; the seed tests check the result equals sort_key(name).
    """
    return " ".join(p for p in (_pinyin(f) for f in fragments) if p)[:300]


# --- word lists -------------------------------------------------------------------------

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈姚卢钟陆汪范金顾毛钱严戴莫孔俞施屠褚"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰春梅海燕小林文斌慧云飞鹏宇浩婷雪琴晓峰德福荣根宝"
ROADS = [
    "人民路", "新华路", "胜利路", "建国路", "解放路", "中山路", "环城路", "城南路", "城北路", "和平路",
    "振兴路", "广场路", "南河路", "北河路", "文化路", "迎宾路", "东方路", "金桥路", "兴业路", "朝阳路",
]  # fmt: skip
AREA_FIRST = "东西南北新兴和安康乐永长清金银玉翠青红丰庆福寿吉富春秋梅兰竹桃李杨柳虹星明华光荣胜建群联民众文"
AREA_SECOND = "湖港塘桥浜泾湾园苑里坊庄河溪山林圩埭岸渡门亭洲"
TOWN_FIRST = "城东西南北新钟曹林广独全黄金马虹花石龙凤白青高大小上下古仁义"
TOWN_SECOND = "桥埭塘港浦泾仓山溪湾庄口河坝堰头"
CITY_FIRST = "安宁清云临长永嘉泰德兴龙天文武新东西南北江山海溪桐松梅青丰庆福吉富春秋丽金玉翠明华瑞泽"
CITY_SECOND = "安宁清溪山江河湖阳城源泉州平和兴昌华康乐丰都林"
# Real county-level names of Zhejiang, kept out of the generated demo names.
REAL_COUNTIES = set(
    "上城 拱墅 西湖 滨江 萧山 余杭 临平 钱塘 富阳 临安 桐庐 淳安 建德 海曙 江北 北仑 镇海 鄞州 奉化 象山 宁海 余姚 慈溪 "  # noqa: SIM905
    "鹿城 龙湾 瓯海 洞头 永嘉 平阳 苍南 文成 泰顺 瑞安 乐清 龙港 南湖 秀洲 嘉善 海盐 海宁 平湖 桐乡 吴兴 南浔 德清 长兴 "
    "安吉 越城 柯桥 上虞 新昌 诸暨 嵊州 婺城 金东 武义 浦江 磐安 兰溪 义乌 东阳 永康 柯城 衢江 常山 开化 龙游 江山 定海 "
    "普陀 岱山 嵊泗 椒江 黄岩 路桥 三门 天台 仙居 温岭 临海 玉环 莲都 青田 缙云 遂昌 松阳 云和 庆元 景宁 龙泉 杭州 宁波 "
    "温州 嘉兴 湖州 绍兴 金华 衢州 舟山 台州 丽水".split()
)
BRANDS = [
    "阳光", "爱心", "同心", "乐龄", "暖阳", "益家", "红船", "善缘", "康宁", "颐和", "福寿", "安康", "惠民", "星光", "彩虹",
    "启航", "乐群", "和美", "睦邻", "众益", "仁爱", "馨家", "友邻", "春晖", "夕阳红", "向日葵", "蒲公英", "萤火虫", "暖心", "聚善",
    "晨曦", "朝阳", "百合", "常青", "长乐", "德馨", "东方", "繁星", "丰泽", "福源", "广德", "海棠", "和煦", "恒爱", "鸿雁",
    "华夏", "怀德", "欢乐", "慧心", "吉祥", "嘉禾", "金色", "锦程", "敬老", "君安", "康乐", "兰亭", "乐善", "立德", "良友",
    "绿洲", "美好", "明德", "沐春", "宁馨", "暖流", "启明", "青禾", "清源", "仁和", "融爱", "瑞丰", "尚善", "书香", "顺心",
    "四季", "泰和", "天使", "同行", "童心", "万家", "温馨", "祥和", "向阳", "心连心", "新苗", "雨露", "悦享", "知行", "至善",
]  # fmt: skip
COMPLEXES = ["阳光小区", "金桥苑", "新港花园", "东方名苑", "南湖雅居", "锦绣家园", "翠苑", "滨河小区", "文化新村", "幸福里"]
PHONE_PREFIXES = ["135", "136", "137", "138", "139", "150", "151", "158", "159", "180", "187", "188", "189", "177"]

# (name, service domain codes, target group codes)
FILED_KINDS: dict[str, list[tuple[str, list[str], list[str]]]] = {
    CommunityCategory.LIFE_SERVICE: [
        ("居家养老服务队", ["elderly_care"], ["elderly"]),
        ("助餐服务队", ["elderly_care"], ["elderly"]),
        ("便民服务队", ["volunteering"], ["residents"]),
        ("家政互助社", ["community_governance"], ["residents", "women"]),
        ("便民维修队", ["volunteering"], ["residents"]),
        ("托育互助会", ["child_care"], ["children"]),
        ("健康服务队", ["health"], ["elderly", "residents"]),
        ("老年食堂服务队", ["elderly_care"], ["elderly"]),
    ],
    CommunityCategory.CHARITY: [
        ("爱心帮扶队", ["poverty_relief"], ["hardship_families"]),
        ("慈善工作站", ["poverty_relief"], ["hardship_families", "disabled"]),
        ("关爱留守儿童服务队", ["child_care"], ["children"]),
        ("助残志愿队", ["disability", "volunteering"], ["disabled"]),
        ("扶贫帮困队", ["poverty_relief"], ["hardship_families", "unemployed"]),
        ("公益服务社", ["volunteering"], ["residents"]),
        ("慈善义工队", ["volunteering"], ["hardship_families"]),
    ],
    CommunityCategory.MUTUAL_AID: [
        ("邻里互助会", ["community_governance"], ["residents"]),
        ("老年协会", ["elderly_care", "culture_sports"], ["elderly"]),
        ("妇女互助会", ["community_governance"], ["women"]),
        ("睦邻服务社", ["community_governance"], ["residents"]),
        ("家长互助会", ["education"], ["children", "youth"]),
        ("残疾人互助会", ["disability"], ["disabled"]),
        ("新居民互助会", ["community_governance"], ["migrant_workers"]),
        ("退役军人互助会", ["community_governance"], ["entitled_groups"]),
    ],
    CommunityCategory.CULTURE_SPORTS: [
        ("舞蹈队", ["culture_sports"], ["residents", "women"]),
        ("腰鼓队", ["culture_sports"], ["elderly"]),
        ("合唱团", ["culture_sports"], ["residents"]),
        ("太极拳协会", ["culture_sports", "health"], ["elderly"]),
        ("书画社", ["culture_sports"], ["residents"]),
        ("戏曲社", ["culture_sports"], ["elderly"]),
        ("门球队", ["culture_sports"], ["elderly"]),
        ("篮球队", ["culture_sports"], ["youth"]),
        ("读书会", ["education", "culture_sports"], ["residents", "youth"]),
        ("摄影协会", ["culture_sports"], ["residents"]),
        ("越剧社", ["culture_sports"], ["elderly"]),
        ("排舞队", ["culture_sports"], ["women"]),
    ],
    CommunityCategory.SAFETY: [
        ("平安巡逻队", ["community_governance"], ["residents"]),
        ("消防志愿队", ["volunteering"], ["residents"]),
        ("矛盾调解工作室", ["dispute_mediation"], ["residents"]),
        ("平安志愿者协会", ["volunteering", "community_governance"], ["residents"]),
        ("护河志愿队", ["environment", "volunteering"], ["residents"]),
        ("禁毒志愿队", ["volunteering"], ["youth"]),
        ("安置帮教工作室", ["resettlement", "community_correction"], ["community_correction"]),
    ],
    CommunityCategory.SELF_GOVERNANCE: [
        ("居民议事会", ["community_governance"], ["residents"]),
        ("乡贤参事会", ["community_governance"], ["residents"]),
        ("红白理事会", ["community_governance"], ["residents"]),
        ("环境卫生自治组", ["environment"], ["residents"]),
        ("垃圾分类督导队", ["environment", "volunteering"], ["residents"]),
        ("楼道自治小组", ["community_governance"], ["residents"]),
    ],
}
FILED_WEIGHTS = {
    CommunityCategory.LIFE_SERVICE: 18,
    CommunityCategory.CHARITY: 12,
    CommunityCategory.MUTUAL_AID: 18,
    CommunityCategory.CULTURE_SPORTS: 30,
    CommunityCategory.SAFETY: 12,
    CommunityCategory.SELF_GOVERNANCE: 10,
}
FILED_SCOPES = {
    CommunityCategory.LIFE_SERVICE: [
        "为辖区老年人提供助餐、助洁、助浴等居家服务",
        "开展便民维修、理发等上门服务",
        "协助社区开展托育、照护服务",
    ],
    CommunityCategory.CHARITY: ["开展困难家庭帮扶和节日慰问", "募集社会爱心物资，帮助困难群众", "关爱留守儿童和残疾人"],
    CommunityCategory.MUTUAL_AID: ["组织居民邻里互助，化解邻里矛盾", "开展老年人互助养老和精神慰藉", "组织新居民融入社区活动"],
    CommunityCategory.CULTURE_SPORTS: [
        "组织居民开展文体活动，丰富群众文化生活",
        "参加各级文艺汇演和体育比赛",
        "开展全民健身和文化传承活动",
    ],
    CommunityCategory.SAFETY: ["开展治安巡逻和平安宣传", "参与矛盾纠纷排查化解", "开展消防安全和禁毒宣传"],
    CommunityCategory.SELF_GOVERNANCE: ["组织居民议事协商，参与社区治理", "开展垃圾分类督导和环境整治", "推动移风易俗，倡导文明新风"],
}


@dataclass(frozen=True)
class RegisteredKind:
    legal_form: str
    suffix: str  # the part of the name after the city (or town) and brand
    weight: int
    domains: tuple[str, ...]
    targets: tuple[str, ...]
    scope: str
    where: str = "city"  # "city": <city><suffix>; "town": <city><town><suffix>; "either": mostly town
    branded: bool = False  # a brand word before the suffix: 平湖市阳光养老服务中心
    direct: str = ""  # direct-registration category: no supervising unit
    supervisor: str = ""  # supervising department (业务主管单位), after the city name
    volunteer: bool = False
    charity: float = 0.0  # chance of being a recognized charity
    community: bool = False  # a community social organization registered as a legal person


SG, SSA, FD = LegalForm.SOCIAL_GROUP, LegalForm.SOCIAL_SERVICE_AGENCY, LegalForm.FOUNDATION
TRADE, SCIENCE, CHARITY, COMMUNITY = (
    DirectCategory.TRADE_ASSOCIATION,
    DirectCategory.SCIENCE_TECH,
    DirectCategory.CHARITY,
    DirectCategory.COMMUNITY_SERVICE,
)


def _sports(suffix: str, targets: tuple[str, ...] = ("residents",)) -> RegisteredKind:
    return RegisteredKind(
        SG, suffix, 1, ("culture_sports",), targets, "推广体育运动，组织比赛、培训和交流", where="either", supervisor="体育总会"
    )


def _arts(suffix: str) -> RegisteredKind:
    return RegisteredKind(
        SG, suffix, 1, ("culture_sports",), ("residents",), "开展文艺创作、展演和交流", where="either", supervisor="文学艺术界联合会"
    )


def _trade(suffix: str, targets: tuple[str, ...] = ("residents",)) -> RegisteredKind:
    return RegisteredKind(SG, suffix, 1, ("industry",), targets, "行业自律、信息交流、技能培训和权益维护", where="city", direct=TRADE)


REGISTERED_KINDS = [
    *(_sports(s) for s in ["老年体育协会", "象棋协会", "围棋协会", "乒乓球协会", "羽毛球协会", "篮球协会", "足球协会", "游泳协会"]),
    *(_sports(s) for s in ["登山协会", "自行车运动协会", "钓鱼协会", "门球协会", "太极拳协会", "健身气功协会", "广场舞协会"]),
    *(_arts(s) for s in ["书法家协会", "美术家协会", "摄影家协会", "音乐家协会", "舞蹈家协会", "作家协会", "戏剧家协会", "曲艺家协会"]),
    *(_arts(s) for s in ["收藏家协会", "茶文化研究会", "花卉盆景协会", "越剧艺术研究会", "民间文艺家协会"]),
    *(_trade(s) for s in ["餐饮行业协会", "服装行业协会", "箱包行业协会", "物流行业协会", "家具行业协会", "纺织行业协会"]),
    *(_trade(s) for s in ["印刷行业协会", "旅游行业协会", "物业管理协会", "建材行业协会", "汽车配件行业协会", "光机电行业协会"]),
    *(_trade(s) for s in ["电子商务商会", "温州商会", "福建商会", "安徽商会", "江西商会", "青年企业家商会", "女企业家商会"]),
    *(_trade(s, ("residents",)) for s in ["西瓜产业协会", "蘑菇产业协会", "水产养殖协会", "农村经纪人协会", "种子行业协会"]),
    RegisteredKind(SG, "建筑业协会", 1, ("industry",), ("migrant_workers",), "行业自律、安全培训、权益维护", direct=TRADE),
    RegisteredKind(SG, "商会", 3, ("industry",), ("residents",), "服务辖区会员企业，促进交流合作", where="town", direct=TRADE),
    RegisteredKind(SG, "计算机学会", 1, ("education",), ("youth",), "开展学术交流和科学普及", direct=SCIENCE),
    RegisteredKind(SG, "农学会", 1, ("education",), ("residents",), "开展农业技术推广和学术交流", direct=SCIENCE),
    RegisteredKind(SG, "老科技工作者协会", 1, ("education",), ("elderly",), "组织老科技工作者开展科普和咨询服务", direct=SCIENCE),
    RegisteredKind(SG, "科普协会", 2, ("education",), ("youth",), "开展科学普及和科技咨询", where="town", direct=SCIENCE),
    RegisteredKind(
        SG, "个体劳动者协会", 1, ("industry",), ("residents",), "为个体工商户提供服务，维护会员权益", supervisor="市场监督管理局"
    ),
    RegisteredKind(SG, "家庭教育研究会", 1, ("education",), ("children",), "开展家庭教育研究和指导", supervisor="妇女联合会"),
    RegisteredKind(
        SG, "残疾人协会", 1, ("disability",), ("disabled",), "维护残疾人权益，组织康复和文体活动", where="either", supervisor="残疾人联合会"
    ),
    RegisteredKind(
        SG,
        "志愿者协会",
        3,
        ("volunteering",),
        ("residents",),
        "组织志愿服务活动，培训志愿者",
        where="either",
        direct=CHARITY,
        volunteer=True,
    ),
    RegisteredKind(SG, "慈善总会", 1, ("poverty_relief",), ("hardship_families",), "募集善款，开展慈善救助", direct=CHARITY, charity=1.0),
    RegisteredKind(
        SG,
        "慈善分会",
        2,
        ("poverty_relief",),
        ("hardship_families",),
        "募集善款，开展辖区慈善救助",
        where="town",
        direct=CHARITY,
        charity=0.5,
    ),
    RegisteredKind(
        SG,
        "老年人协会",
        5,
        ("elderly_care",),
        ("elderly",),
        "维护老年人合法权益，组织老年人活动",
        where="town",
        supervisor="民政局",
        community=True,
    ),
    RegisteredKind(
        SG, "乡贤联谊会", 2, ("community_governance",), ("residents",), "联络乡贤，参与乡村治理和公益事业", where="town", direct=COMMUNITY
    ),
    RegisteredKind(
        SSA,
        "养老服务中心",
        10,
        ("elderly_care", "health"),
        ("elderly",),
        "为老年人提供生活照料、康复护理服务",
        branded=True,
        supervisor="民政局",
    ),
    RegisteredKind(
        SSA,
        "居家养老服务中心",
        10,
        ("elderly_care",),
        ("elderly",),
        "为社区老年人提供居家养老、助餐助浴服务",
        where="town",
        branded=True,
        direct=COMMUNITY,
        community=True,
    ),
    RegisteredKind(SSA, "幼儿园", 8, ("education", "child_care"), ("children",), "学前教育", branded=True, supervisor="教育局"),
    RegisteredKind(SSA, "培训学校", 6, ("education",), ("youth",), "文化艺术和职业技能培训", branded=True, supervisor="教育局"),
    RegisteredKind(
        SSA, "康复中心", 3, ("disability", "health"), ("disabled",), "为残疾人提供康复训练服务", branded=True, supervisor="残疾人联合会"
    ),
    RegisteredKind(
        SSA, "托育中心", 3, ("child_care",), ("children",), "为三岁以下婴幼儿提供照护服务", branded=True, supervisor="卫生健康局"
    ),
    RegisteredKind(
        SSA, "心理咨询服务中心", 2, ("health",), ("residents", "youth"), "提供心理咨询和心理健康教育", branded=True, supervisor="卫生健康局"
    ),
    RegisteredKind(
        SSA,
        "公益服务中心",
        5,
        ("volunteering", "poverty_relief"),
        ("hardship_families",),
        "开展公益慈善项目，帮扶困难群众",
        branded=True,
        direct=CHARITY,
        charity=0.4,
    ),
    RegisteredKind(
        SSA,
        "志愿服务中心",
        3,
        ("volunteering",),
        ("residents",),
        "组织和培训志愿者，开展志愿服务",
        branded=True,
        direct=CHARITY,
        volunteer=True,
        charity=0.2,
    ),
    RegisteredKind(
        SSA,
        "社区服务中心",
        5,
        ("community_governance",),
        ("residents",),
        "承接社区公共服务项目，培育社区社会组织",
        where="town",
        branded=True,
        direct=COMMUNITY,
        community=True,
    ),
    RegisteredKind(
        SSA,
        "调解服务中心",
        2,
        ("dispute_mediation", "legal_aid"),
        ("residents",),
        "开展矛盾纠纷调解和法律咨询",
        branded=True,
        supervisor="司法局",
    ),
    RegisteredKind(
        FD, "教育基金会", 1, ("education",), ("children", "youth"), "资助贫困学生，奖励优秀教师", supervisor="教育局", charity=1.0
    ),
    RegisteredKind(FD, "慈善基金会", 1, ("poverty_relief",), ("hardship_families",), "资助扶贫济困和公益项目", branded=True, charity=1.0),
    RegisteredKind(
        FD, "见义勇为基金会", 1, ("community_governance",), ("residents",), "表彰奖励见义勇为人员", supervisor="公安局", charity=1.0
    ),
]
# Per town and branded, so its name space is the largest: used when another kind runs out.
FALLBACK_KIND = next(k for k in REGISTERED_KINDS if k.suffix == "居家养老服务中心")
STATUS_REASONS = {
    "abnormal": ["未按规定报送年度工作报告", "通过登记的住所无法联系", "未按期完成整改"],
    "cured": ["已补报年度工作报告，移出活动异常名录", "已更新住所并可联系，移出活动异常名录"],
    "serious_violation": ["被列入活动异常名录满2年"],
    "deregistered": ["经会员（代表）大会决议解散，完成清算，注销登记", "举办者申请终止，完成清算，注销登记"],
    "revoked": ["连续两年未参加年度检查，撤销登记"],
    "filed_deregistered": ["组织自行解散，注销备案"],
}


# --- the areas --------------------------------------------------------------------------


@dataclass
class CityPlan:
    city: Area
    towns: list[Area]
    communities: dict[int, list[Area]] = field(default_factory=dict)  # town id -> communities

    def all_communities(self) -> list[Area]:
        return [c for t in self.towns for c in self.communities.get(t.pk, [])]


def ensure_reference_areas() -> None:
    if not Area.objects.filter(code=HOME_CITY_CODE).exists():
        call_command("load_reference_areas", verbosity=0)


def _unique_name(rng: random.Random, first: str, second: str, suffix: str, taken: set[str], avoid: Iterable[str] = ()) -> str:
    avoid = set(avoid)
    for _ in range(200):
        stem = rng.choice(first) + rng.choice(second)
        if stem[0] != stem[1] and stem not in avoid and stem + suffix not in taken:
            taken.add(stem + suffix)
            return stem + suffix
    raise RuntimeError(f"ran out of demo names ending in {suffix}")


def _demo_cities(*, seed: int, count: int, province: Area) -> list[Area]:
    """The demo county-level cities beside Pinghu, created (with their towns) if missing."""
    rng = _rng(seed, "cities")
    taken: set[str] = set()
    cities = []
    for i in range(count):
        code = f"339{i + 1:03d}"  # 339xxx: no real prefecture of Zhejiang uses 339
        suffix = "县" if rng.random() < 0.4 else "市"
        name = _unique_name(rng, CITY_FIRST, CITY_SECOND, suffix, taken, avoid=REAL_COUNTIES)
        population = rng.randrange(250, 1200) * 1000
        city = Area.objects.filter(code=code).first()
        if city is None:
            city, _ = area_save(
                code=code,
                data={
                    "name": name,
                    "kind": AreaKind.CITY,
                    "parent": province,
                    "population": population,
                    "population_date": POPULATION_DATE,
                    "authority_name": f"{name}民政局",
                    "is_demo": True,
                },
                by=None,
                source=SOURCE,
            )
            _demo_towns(city, _rng(seed, "towns", code))
        cities.append(city)
    return cities


@transaction.atomic
def _demo_towns(city: Area, rng: random.Random) -> None:
    """A demo city's streets, towns and perhaps a development zone, written in one go.

    Like the communities, they are inserted directly (a thousand area_save calls took most
    of a minute) as rows area_save would accept: codes under the city's, level from kind,
    city/town pointing at their ancestors; one audit entry records them.
    """
    _lock_tables()
    taken: set[str] = set()
    streets = rng.randint(2, 4)
    towns = rng.randint(5, 11)
    specs = [(f"{i + 1:03d}", AreaKind.STREET, "街道") for i in range(streets)]
    specs += [(f"{101 + i:03d}", AreaKind.TOWN, "镇") for i in range(towns)]
    if rng.random() < 0.6:
        specs.append(("400", AreaKind.DEV_ZONE, "经济开发区"))
    weights = [rng.uniform(1.5, 3.0) if kind == AreaKind.STREET else rng.uniform(0.6, 1.4) for _, kind, _ in specs]
    populations = _allocate(city.population or 500_000, weights)
    first = _next_id(Area)
    rows = [
        Area(
            id=first + i,
            code=city.code + suffix_code,
            name=_unique_name(rng, TOWN_FIRST, TOWN_SECOND, word, taken),
            level=AreaLevel.TOWN,
            kind=kind,
            parent_id=city.pk,
            city_id=city.pk,
            town_id=first + i,
            population=population,
            population_date=POPULATION_DATE,
            is_demo=True,
        )
        for i, ((suffix_code, kind, word), population) in enumerate(zip(specs, populations, strict=True))
    ]
    _fast_insert(Area, rows, with_ids=True)
    _reset_sequences()
    audit_record(
        action=AuditAction.AREAS_IMPORTED,
        by=None,
        target=city,
        changes={"demo_towns": [None, len(rows)]},
        reason="demo data",
        source=SOURCE,
    )


def _plan_communities(plan: CityPlan, *, count: int, rng: random.Random) -> list[Area]:
    """Demo communities for the towns of a city that have none yet (unsaved rows)."""
    existing = defaultdict(list)
    for community in Area.objects.filter(level=AreaLevel.COMMUNITY, city=plan.city).order_by("code"):
        existing[community.town_id].append(community)
    weights = [float(t.population or 30_000) for t in plan.towns]
    counts = _allocate(count, weights)
    new: list[Area] = []
    for town, n in zip(plan.towns, counts, strict=True):
        if existing.get(town.pk):
            plan.communities[town.pk] = existing[town.pk]
            continue
        n = max(n, 1)
        urban_share = {AreaKind.STREET: 0.95, AreaKind.TOWN: 0.2, AreaKind.DEV_ZONE: 0.5}.get(town.kind, 0.3)
        kinds = [AreaKind.URBAN if rng.random() < urban_share else AreaKind.RURAL for _ in range(n)]
        # Urban communities are bigger; together they hold 90-98% of the town's residents.
        weights = [rng.uniform(2.0, 4.0) if k == AreaKind.URBAN else rng.uniform(0.8, 1.6) for k in kinds]
        populations = _allocate(int((town.population or 30_000) * rng.uniform(0.9, 0.98)), weights)
        taken: set[str] = set()
        numbers = {AreaKind.URBAN: 1, AreaKind.RURAL: 201}
        rows = []
        for kind, population in zip(kinds, populations, strict=True):
            code = f"{town.code}{numbers[kind]:03d}"
            numbers[kind] += 1
            name = _unique_name(rng, AREA_FIRST, AREA_SECOND, "社区" if kind == AreaKind.URBAN else "村", taken)
            rows.append(
                Area(
                    code=code,
                    name=name,
                    level=AreaLevel.COMMUNITY,
                    kind=kind,
                    parent=town,
                    city_id=town.city_id,
                    town=town,
                    population=population,
                    population_date=POPULATION_DATE,
                    is_demo=True,
                )
            )
        plan.communities[town.pk] = rows
        new += rows
    first = _next_id(Area)
    for i, area in enumerate(new):
        area.pk = first + i
    return new


# --- the organizations ------------------------------------------------------------------


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _phone(rng: random.Random) -> str:
    return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"


# An organization row to insert: attribute per column (attname), the model's defaults
# filled in. Model instances cost ~100 µs each to build; these a few µs.
ROW_DEFAULTS = {f.attname: f.get_default() for f in Organization._meta.concrete_fields if not f.primary_key}


def new_row(**values) -> SimpleNamespace:
    unknown = values.keys() - ROW_DEFAULTS.keys()
    if unknown:
        raise TypeError(f"unknown organization columns: {sorted(unknown)}")
    return SimpleNamespace(**{**ROW_DEFAULTS, **values})


@dataclass
class Draft:
    """One organization to insert, with what goes beside it."""

    org: SimpleNamespace
    domains: list[str]
    targets: list[str]
    history: list[tuple[str, str, dt.date, str]] = field(default_factory=list)  # (old, new, on, reason)
    served: list[Area] = field(default_factory=list)
    tax_years: list[int] = field(default_factory=list)


class CityBuilder:
    """Builds the organizations of one city from its own random stream."""

    def __init__(self, plan: CityPlan, *, seed: int, filed: int, registered: int):
        self.plan = plan
        self.city = plan.city
        self.rng = _rng(seed, "orgs", plan.city.code)
        self.filed = filed
        self.registered = registered
        self.names: dict[int, set[str]] = defaultdict(set)  # town id -> names in use
        self.city_names: set[str] = set()  # registered names are unique in the whole city
        self.codes: set[str] = set()
        self.drafts: list[Draft] = []

    # -- shared pieces
    def _take_name(self, town: Area, name: str) -> bool:
        if name in self.names[town.pk]:
            return False
        self.names[town.pk].add(name)
        return True

    def _credit_code(self, legal_form: str) -> str:
        while True:
            code = make_code(
                type_digit=LEGAL_FORM_TYPE_DIGIT[legal_form], division=self.city.code, org_code=f"MJ{self.rng.randrange(10**7):07d}"
            )
            if code not in self.codes:
                self.codes.add(code)
                return code

    def _history(self, draft: Draft, *, registered: bool) -> None:
        org, rng = draft.org, self.rng
        start = org.founded_on + dt.timedelta(days=400)
        if start >= LAST_DAY:
            return
        r = rng.random()
        if not registered:
            if r < 0.03:
                self._move(draft, "deregistered", _day(rng, start, LAST_DAY), rng.choice(STATUS_REASONS["filed_deregistered"]))
            return
        if r < 0.03:
            self._move(draft, "abnormal", _day(rng, start, LAST_DAY), rng.choice(STATUS_REASONS["abnormal"]))
        elif r < 0.035 and start < dt.date(2023, 1, 1):
            listed = _day(rng, start, dt.date(2022, 12, 31))
            self._move(draft, "abnormal", listed, rng.choice(STATUS_REASONS["abnormal"]))
            self._move(draft, "serious_violation", _add_years(listed, 2), STATUS_REASONS["serious_violation"][0])
        elif r < 0.06:
            self._move(draft, "deregistered", _day(rng, start, LAST_DAY), rng.choice(STATUS_REASONS["deregistered"]))
        elif r < 0.07:
            self._move(draft, "revoked", _day(rng, start, LAST_DAY), STATUS_REASONS["revoked"][0])
        elif r < 0.10:
            listed = _day(rng, start, LAST_DAY - dt.timedelta(days=120))
            self._move(draft, "abnormal", listed, rng.choice(STATUS_REASONS["abnormal"]))
            self._move(draft, "normal", _day(rng, listed + dt.timedelta(days=30), LAST_DAY), rng.choice(STATUS_REASONS["cured"]))

    @staticmethod
    def _move(draft: Draft, new: str, on: dt.date, reason: str) -> None:
        draft.history.append((draft.org.status, new, on, reason))
        draft.org.status = new
        draft.org.status_changed_on = on

    def _finish(self, org: SimpleNamespace, name_parts: tuple[str, ...]) -> None:
        org.name = "".join(name_parts)
        org.city_id = self.city.pk
        org.is_demo = True
        org.sort_key = name_sort_key(*name_parts)
        org.search_document = search_document(org.name, org.business_scope)

    # -- filed community organizations
    def build_filed(self, hub_communities: set[int]) -> None:
        rng = self.rng
        communities = self.plan.all_communities()
        weights = [1.6 if c.kind == AreaKind.URBAN else 1.0 for c in communities]
        hubs = [c for c in communities if c.pk in hub_communities]
        counts = _allocate(max(self.filed - len(hubs), 0), weights)
        town_of = {t.pk: t for t in self.plan.towns}
        categories = list(FILED_WEIGHTS)
        cat_weights = [FILED_WEIGHTS[c] for c in categories]
        for community, n in zip(communities, counts, strict=True):
            town = town_of[community.town_id]
            if community.pk in hub_communities:
                suffix, hub_kind, category = rng.choice(
                    [
                        ("社会组织联合会", HubKind.HUB, CommunityCategory.SELF_GOVERNANCE),
                        ("社会组织服务站", HubKind.SUPPORT, CommunityCategory.MUTUAL_AID),
                    ]
                )
                draft = self._filed_one(town, community, category, suffix, ["community_governance"], ["residents"])
                draft.org.hub_kind = hub_kind
                draft.org.hub_area_id = community.pk
            for _ in range(n):
                category = rng.choices(categories, cat_weights)[0]
                suffix, domains, targets = rng.choice(FILED_KINDS[category])
                self._filed_one(town, community, category, suffix, domains, targets)

    def _filed_one(self, town: Area, community: Area, category: str, suffix: str, domains, targets) -> Draft:
        rng = self.rng
        full = rng.random() < 0.4  # 平湖市当湖街道东湖社区老年协会 rather than 东湖社区老年协会
        parts: tuple[str, ...] = (community.name, suffix)
        if full:
            parts = (*self._prefix(town), community.name, suffix)
        if not self._take_name(town, "".join(parts)):
            for complex_name in rng.sample(COMPLEXES, len(COMPLEXES)):
                parts = (*parts[:-1], complex_name, suffix)
                if self._take_name(town, "".join(parts)):
                    break
            else:
                parts = (*parts[:-1], self._unique_brand(town, parts[:-1], suffix), suffix)
        urban = community.kind == AreaKind.URBAN
        scope_lines = rng.sample(FILED_SCOPES[category], 2)
        org = new_row(
            registration=RegistrationKind.FILED,
            is_community_org=True,
            community_category=category,
            town_id=town.pk,
            community_id=community.pk,
            legal_representative=_person(rng),
            founded_on=_day(rng, dt.date(2010, 1, 1), LAST_DAY),
            address=(
                f"{self.city.name}{town.name}{community.name}{rng.choice(ROADS)}{rng.randint(1, 300)}号"
                if urban
                else f"{self.city.name}{town.name}{community.name}{rng.randint(1, 20)}组{rng.randint(1, 120)}号"
            ),
            phone=_phone(rng) if rng.random() < 0.7 else "",
            supervising_unit=f"{community.name}{'居民委员会' if urban else '村民委员会'}",
            business_scope="；".join(scope_lines) + "。",
            is_volunteer_org="志愿" in suffix,
            party_organization=rng.choices([PartyOrganization.NONE, PartyOrganization.JOINT, PartyOrganization.INSTRUCTOR], [70, 15, 15])[
                0
            ],
        )
        self._finish(org, parts)
        draft = Draft(org, list(domains), list(targets))
        self._history(draft, registered=False)
        self.drafts.append(draft)
        return draft

    def _unique_brand(self, town: Area, prefix: tuple[str, ...], suffix: str) -> str:
        for brand in self.rng.sample(BRANDS, len(BRANDS)):
            if self._take_name(town, "".join(prefix) + brand + suffix):
                return brand
        raise RuntimeError(f"ran out of demo names for {''.join(prefix)}{suffix}")

    # -- registered organizations
    def build_registered(self, hub_towns: set[int], agencies: int) -> list[Draft]:
        rng = self.rng
        towns = self.plan.towns
        town_weights = [float(t.population or 30_000) * (1.5 if t.kind == AreaKind.STREET else 1.0) for t in towns]
        made = 0
        for town in towns:
            if town.pk in hub_towns:
                support = rng.random() < 0.5
                kind = RegisteredKind(
                    SSA if support else SG,
                    "社会组织服务中心" if support else "社会组织联合会",
                    0,
                    ("community_governance",),
                    ("residents",),
                    "培育扶持社会组织，提供孵化、培训和项目指导" if support else "联系服务辖区社会组织，促进行业自律",
                    direct=DirectCategory.COMMUNITY_SERVICE,
                )
                draft = self._registered_one(kind, town, (*self._prefix(town), kind.suffix))
                draft.org.hub_kind = HubKind.SUPPORT if support else HubKind.HUB
                draft.org.hub_area_id = town.pk
                made += 1
        social_work = []
        for _ in range(agencies):
            town = rng.choices(towns, town_weights)[0]
            suffix = rng.choice(["社会工作服务中心", "社工服务社"])
            kind = RegisteredKind(
                SSA,
                suffix,
                0,
                ("community_governance", "community_correction", "elderly_care"),
                ("residents", "hardship_families"),
                "开展专业社会工作服务，承接政府购买社会工作服务项目",
                branded=True,
                direct=DirectCategory.COMMUNITY_SERVICE,
            )
            brand = self._city_brand(suffix)
            draft = self._registered_one(kind, town, (self.city.name, brand, suffix))
            draft.org.is_social_work_agency = True
            social_work.append(draft)
            made += 1
        kind_weights = [k.weight for k in REGISTERED_KINDS]
        for _ in range(max(self.registered - made, 0)):
            town = rng.choices(towns, town_weights)[0]
            # A kind named once per city runs out of names; then draw another kind.
            for _attempt in range(8):
                kind = rng.choices(REGISTERED_KINDS, kind_weights)[0]
                parts = self._registered_name(kind, town)
                if parts is not None:
                    break
            else:
                kind = FALLBACK_KIND
                for town in rng.sample(towns, len(towns)):
                    parts = self._registered_name(kind, town)
                    if parts is not None:
                        break
                else:
                    raise RuntimeError(f"ran out of demo names for registered organizations in {self.city.name}")
            self._registered_one(kind, town, parts)
        return social_work

    def _prefix(self, town: Area | None = None) -> tuple[str, ...]:
        """The city and town words that open a name; 平湖经济技术开发区 already says 平湖."""
        if town is None:
            return (self.city.name,)
        if town.name.startswith(self.city.name[:-1]):
            return (town.name,)
        return (self.city.name, town.name)

    def _city_brand(self, suffix: str) -> str:
        for brand in self.rng.sample(BRANDS, len(BRANDS)):
            name = f"{self.city.name}{brand}{suffix}"
            if name not in self.city_names:
                self.city_names.add(name)
                return brand
        raise RuntimeError(f"ran out of demo names for {self.city.name}{suffix}")

    def _registered_name(self, kind: RegisteredKind, town: Area) -> tuple[str, ...] | None:
        """A name unique in the city; None when this kind has none left."""
        rng = self.rng
        if kind.where == "either":
            places = [town, None] if rng.random() < 0.7 else [None, town]
        else:
            places = [town if kind.where == "town" else None]
        brands = rng.sample(BRANDS, len(BRANDS)) if kind.branded else [""]
        for place in places:
            for brand in brands:
                parts = self._prefix(place) + ((brand,) if brand else ()) + (kind.suffix,)
                name = "".join(parts)
                if name not in self.city_names:
                    self.city_names.add(name)
                    return parts
        return None

    def _registered_one(self, kind: RegisteredKind, town: Area, parts: tuple[str, ...]) -> Draft:
        rng = self.rng
        self.names[town.pk].add("".join(parts))
        self.city_names.add("".join(parts))
        founded = _day(rng, FIRST_DAY, LAST_DAY)
        community = None
        if kind.community:
            candidates = self.plan.communities.get(town.pk) or []
            community = rng.choice(candidates) if candidates else None
        funds = {SG: (3, 50), SSA: (3, 300), FD: (200, 2000)}[kind.legal_form]
        org = new_row(
            registration=RegistrationKind.REGISTERED,
            legal_form=kind.legal_form,
            credit_code=self._credit_code(kind.legal_form),
            is_community_org=kind.community,
            community_category=(CommunityCategory.LIFE_SERVICE if kind.legal_form == SSA else CommunityCategory.MUTUAL_AID)
            if kind.community
            else "",
            direct_category=kind.direct,
            town_id=town.pk,
            community_id=community.pk if community else None,
            legal_representative=_person(rng),
            founded_on=founded,
            address=f"{self.city.name}{town.name}{rng.choice(ROADS)}{rng.randint(1, 999)}号",
            phone=_phone(rng) if rng.random() < 0.9 else "",
            supervising_unit="" if kind.direct or not kind.supervisor else self.city.name + kind.supervisor,
            business_scope=kind.scope + "。",
            registered_funds=Decimal(rng.randint(*funds)),
            is_volunteer_org=kind.volunteer,
            party_organization=rng.choices(
                [PartyOrganization.INDEPENDENT, PartyOrganization.JOINT, PartyOrganization.INSTRUCTOR, PartyOrganization.NONE],
                [30, 30, 25, 15],
            )[0],
        )
        if rng.random() < kind.charity:
            org.is_charity = True
            org.charity_recognized_on = _day(rng, max(founded, CHARITY_LAW), LAST_DAY)
            org.public_fundraising = kind.legal_form == FD and org.charity_recognized_on.year - founded.year >= 2 and rng.random() < 0.4
        if rng.random() < 0.3 and founded.year <= 2022:
            org.rating = rng.choices(["5A", "4A", "3A", "2A", "1A"], [5, 25, 45, 20, 5])[0]
            org.rated_on = _day(rng, max(founded + dt.timedelta(days=730), dt.date(2016, 1, 1)), LAST_DAY)
            org.rating_valid_until = _add_years(org.rated_on, RATING_VALID_YEARS)
        if kind.direct == DirectCategory.TRADE_ASSOCIATION:
            done = _day(rng, max(founded, dt.date(2016, 1, 1)), LAST_DAY)
            fields = ["institution", "functions", "finances", "personnel", "party_affairs"]
            finished = 5 if rng.random() < 0.8 else rng.randint(0, 4)
            for name in fields[:finished]:
                setattr(org, f"decoupled_{name}_on", done)
        self._finish(org, parts)
        draft = Draft(org, list(kind.domains), list(kind.targets))
        if org.is_charity and org.rating in ("5A", "4A", "3A") and rng.random() < 0.5:
            draft.tax_years = [2022, 2023, 2024]
        self._history(draft, registered=True)
        self.drafts.append(draft)
        return draft

    def build(self) -> list[Draft]:
        rng = self.rng
        towns = self.plan.towns
        communities = self.plan.all_communities()
        # Most towns and communities get a hub or support organization, not all: the targets
        # (T4, T5, T6) then have gaps to show.
        hub_towns = {t.pk for t in rng.sample(towns, len(towns) - max(1, round(len(towns) * 0.1)))} if len(towns) > 1 else set()
        missing = max(1, round(len(communities) * 0.15)) if len(communities) > 1 else 0
        hub_communities = {c.pk for c in rng.sample(communities, len(communities) - missing)}
        agencies = max(2, round(self.registered * 0.025)) if self.registered >= 20 else 1
        social_work = self.build_registered(hub_towns, agencies)
        self.build_filed(hub_communities)
        # Urban communities are nearly all served by a social work agency, villages about a third.
        for community in communities:
            if rng.random() < (0.92 if community.kind == AreaKind.URBAN else 0.3):
                rng.choice(social_work).served.append(community)
        self._number_filings()
        return self.drafts

    def _number_filings(self) -> None:
        """Filing numbers as next_filing_number issues them: <town code>-<year>-<seq>, in filing order."""
        by_town_year: dict[tuple[int, int], list[Draft]] = defaultdict(list)
        for draft in self.drafts:
            org = draft.org
            if org.registration == RegistrationKind.FILED:
                by_town_year[(org.town_id, org.founded_on.year)].append(draft)
        self.sequences: dict[tuple[int, int], int] = {}
        codes = {t.pk: t.code for t in self.plan.towns}
        for (town_id, year), drafts in by_town_year.items():
            drafts.sort(key=lambda d: (d.org.founded_on, d.org.name))
            for i, draft in enumerate(drafts, start=1):
                draft.org.filing_number = f"{codes[town_id]}-{year}-{i:04d}"
            self.sequences[(town_id, year)] = len(drafts)


# --- writing ----------------------------------------------------------------------------


def _batches(items: list, size: int) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _adapter(field, now: dt.datetime) -> Callable[[object], object] | None:
    """How one column's Python value becomes a query parameter (None: as it is)."""
    ops = connection.ops
    if isinstance(field, EncryptedCharField):
        return field.get_prep_value
    kind = field.get_internal_type()
    if kind == "DateField":
        return ops.adapt_datefield_value
    if kind == "DateTimeField":
        return ops.adapt_datetimefield_value
    if kind == "DecimalField":
        return lambda value: ops.adapt_decimalfield_value(value, field.max_digits, field.decimal_places)
    if kind == "JSONField":
        return lambda value: ops.adapt_json_value(value, field.encoder)
    return None


def _fast_insert(model: type[models.Model], rows: list, *, with_ids: bool = False) -> None:
    """INSERT rows (objects or dicts by attname) with executemany.

    bulk_create spends ~0.5 ms a row preparing values through every field layer; this
    prepares each column once per type, which is what makes the province load in minutes.
    Missing values take the field's default, as a model instance would.
    """
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if with_ids or not f.primary_key]
    now = timezone.now()
    adapters = [_adapter(f, now) for f in fields]
    defaults = [f.get_default() for f in fields]
    names = [f.attname for f in fields]
    for i, f in enumerate(fields):
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            names[i] = ""  # no row has this attribute: always the default, now
            defaults[i] = now
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields), ", ".join(["%s"] * len(fields))
    )
    missing = object()
    params = []
    for row in rows:
        get = row.get if isinstance(row, dict) else row.__dict__.get
        values = []
        for name, default, adapt in zip(names, defaults, adapters, strict=True):
            value = get(name, missing)
            value = default if value is missing else value
            values.append(adapt(value) if adapt is not None and value is not None else value)
        params.append(values)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # SQLite prepares the statement once and reuses it for every row.
            for chunk in _batches(params, BATCH):
                cursor.executemany(sql, chunk)
            return
        # PostgreSQL: COPY streams the rows; one INSERT per row would be parsed and planned
        # 330,000 times.
        columns = ", ".join(quote(f.column) for f in fields)
        with cursor.cursor.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
            for row in params:
                copy.write_row(row)


def _next_id(model: type[models.Model]) -> int:
    return (model.objects.aggregate(top=Max("id"))["top"] or 0) + 1


def _lock_tables() -> None:
    """Demo rows take ids in Python: keep other writers out until the city is committed.

    SQLite's IMMEDIATE transactions already hold the write lock; PostgreSQL needs a lock.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE areas_area, registry_organization IN SHARE ROW EXCLUSIVE MODE")


@contextmanager
def _search_index_suspended(enabled: bool):
    """Build the text-search index once at the end instead of row by row.

    Keeping the index up to date per row doubles the cost of a large load (SQLite's FTS
    triggers, PostgreSQL's GIN index); building it afterwards takes seconds. It uses the
    statements of registry.search, so the index is the one its migration makes. Only for
    an empty registry (seed_demo refuses any other), and always restored.
    """
    if not enabled:
        yield
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP INDEX IF EXISTS registry_org_search_gin")
        else:
            for trigger in ("ai", "ad", "au"):
                cursor.execute(f"DROP TRIGGER IF EXISTS registry_organization_fts_{trigger}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # Inside an outer transaction (tests) deferred foreign-key checks are still
                # pending, and PostgreSQL refuses CREATE INDEX on the table until they run.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                for sql in search.POSTGRES_SQL:
                    cursor.execute(sql)
            else:
                cursor.execute("INSERT INTO registry_organization_fts(registry_organization_fts) VALUES ('rebuild')")
                for sql in search.SQLITE_FTS_SQL[1:]:  # the triggers; the table is there
                    cursor.execute(sql)


def _reset_sequences() -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), [Area, Organization])
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _insert(drafts: list[Draft], *, domain_ids: dict[str, int], target_ids: dict[str, int]) -> None:
    """Insert organizations with their many-to-many rows and audit history."""
    next_id = _next_id(Organization)
    for i, draft in enumerate(drafts):
        draft.org.id = next_id + i
    _fast_insert(Organization, [d.org for d in drafts], with_ids=True)
    links_d, links_t, links_s, tax, audit = [], [], [], [], []
    for d in drafts:
        pk, org = d.org.id, d.org
        links_d += [{"organization_id": pk, "servicedomain_id": domain_ids[c]} for c in d.domains if c in domain_ids]
        links_t += [{"organization_id": pk, "targetgroup_id": target_ids[c]} for c in d.targets if c in target_ids]
        links_s += [{"organization_id": pk, "area_id": a.pk} for a in d.served]
        tax += [{"organization_id": pk, "year": y} for y in d.tax_years]
        filed = org.registration == RegistrationKind.FILED
        identifier = "filing_number" if filed else "credit_code"
        entry = {"target_type": "registry.organization", "target_id": str(pk), "target_label": org.name, "source": SOURCE}
        audit.append(
            {
                **entry,
                "action": AuditAction.ORG_FILED if filed else AuditAction.ORG_CREATED,
                "changes": {
                    "name": [None, org.name],
                    "registration": [None, org.registration],
                    identifier: [None, getattr(org, identifier)],
                    "founded_on": [None, org.founded_on.isoformat()],
                },
            }
        )
        audit += [
            {
                **entry,
                "action": AuditAction.ORG_STATUS_CHANGED,
                "changes": {"status": [old, new], "status_changed_on": [None, on.isoformat()]},
                "reason": reason,
            }
            for old, new, on, reason in d.history
        ]
    _fast_insert(Organization.service_domains.through, links_d)
    _fast_insert(Organization.target_groups.through, links_t)
    _fast_insert(Organization.served_communities.through, links_s)
    _fast_insert(TaxDeductibleYear, tax)
    _fast_insert(AuditEntry, audit)


def _advance_filing_sequences(sequences: dict[tuple[int, int], int]) -> None:
    """Move each town's filing sequence past the demo numbers so real filings never collide."""
    existing = {(s.town_id, s.year): s for s in FilingSequence.objects.filter(town_id__in={t for t, _ in sequences})}
    new, changed = [], []
    for (town_id, year), last in sequences.items():
        row = existing.get((town_id, year))
        if row is None:
            new.append(FilingSequence(town_id=town_id, year=year, last=last))
        elif row.last < last:
            row.last = last
            changed.append(row)
    FilingSequence.objects.bulk_create(new, batch_size=BATCH)
    FilingSequence.objects.bulk_update(changed, ["last"], batch_size=BATCH)


@dataclass
class SeedResult:
    scale: str
    seed: int
    cities: int = 0
    towns: int = 0
    communities: int = 0
    communities_created: int = 0
    filed: int = 0
    registered: int = 0
    seconds: float = 0.0

    @property
    def organizations(self) -> int:
        return self.filed + self.registered


def seed(*, scale: Scale, seed: int, log: Callable[[str], None] = lambda message: None) -> SeedResult:
    """Fill an empty registry with demo data. Each city is written in its own transaction."""
    started = time.perf_counter()
    ensure_reference_areas()
    province = Area.objects.get(code=PROVINCE_CODE)
    cities = [Area.objects.get(code=HOME_CITY_CODE)]
    if scale.cities > 1:
        cities += _demo_cities(seed=seed, count=scale.cities - 1, province=province)
    with_towns = set(Area.objects.filter(level=AreaLevel.TOWN, city__in=cities).values_list("city_id", flat=True))
    cities = [c for c in cities if c.pk in with_towns]
    result = SeedResult(scale=scale.name, seed=seed, cities=len(cities))
    with _search_index_suspended(scale.filed + scale.registered >= BULK_INDEX_THRESHOLD):
        _seed_cities(cities, scale=scale, seed=seed, result=result, log=log, started=started)
    result.seconds = round(time.perf_counter() - started, 1)
    return result


def _seed_cities(cities: list[Area], *, scale: Scale, seed: int, result: SeedResult, log: Callable[[str], None], started: float) -> None:
    weights = [float(c.population or 500_000) for c in cities]
    community_counts = _allocate(scale.communities, weights)
    filed_counts = _allocate(scale.filed, weights)
    registered_counts = _allocate(scale.registered, weights)
    domain_ids = dict(ServiceDomain.objects.values_list("code", "id"))
    target_ids = dict(TargetGroup.objects.values_list("code", "id"))
    towns_by_city = defaultdict(list)
    for town in Area.objects.filter(level=AreaLevel.TOWN, city__in=cities).order_by("code"):
        towns_by_city[town.city_id].append(town)
    for i, city in enumerate(cities):
        plan = CityPlan(city, towns_by_city[city.pk])
        with transaction.atomic():
            _lock_tables()
            new_communities = _plan_communities(plan, count=community_counts[i], rng=_rng(seed, "communities", city.code))
            _fast_insert(Area, new_communities, with_ids=True)
            if new_communities:
                audit_record(
                    action=AuditAction.AREAS_IMPORTED,
                    by=None,
                    target=city,
                    changes={"demo_communities": [None, len(new_communities)]},
                    reason=f"demo data: seed_demo --scale {scale.name} --seed {seed}",
                    source=SOURCE,
                )
            builder = CityBuilder(plan, seed=seed, filed=filed_counts[i], registered=registered_counts[i])
            drafts = builder.build()
            _insert(drafts, domain_ids=domain_ids, target_ids=target_ids)
            _advance_filing_sequences(builder.sequences)
            filed = sum(1 for d in drafts if d.org.registration == RegistrationKind.FILED)
            _reset_sequences()
            audit_record(
                action=AuditAction.ORG_IMPORTED,
                by=None,
                target=city,
                changes={"demo_organizations": [None, len(drafts)]},
                reason=f"demo data: seed_demo --scale {scale.name} --seed {seed}",
                source=SOURCE,
            )
        result.towns += len(plan.towns)
        result.communities += len(plan.all_communities())
        result.communities_created += len(new_communities)
        result.filed += filed
        result.registered += len(drafts) - filed
        if len(cities) < 10 or (i + 1) % 10 == 0 or i + 1 == len(cities):
            log(f"{i + 1}/{len(cities)} cities, {result.organizations} organizations, {time.perf_counter() - started:.0f} s")


def registry_is_empty() -> bool:
    return not Organization.objects.exists()


__all__ = ["SCALES", "Scale", "SeedResult", "registry_is_empty", "seed"]
