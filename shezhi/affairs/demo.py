"""Demo online affairs for seed_demo: two years of filings of the home city, so that the
metrics page and the targets dashboard's service panel have something to show.

A few hundred filings at city scale (a few dozen at tiny; province scale seeds the home
city only, the other demo cities have none), over the ~24 months up to the day of seeding,
across every procedure kind: most approved, some refused or not accepted, a few withdrawn
or deemed withdrawn after a correction period ran out; most handled fully online, some with
an in-person step; some with a correction period (补正) before or after acceptance; most
decided within the promised limit, some late; and a handful still in progress.

Why rows are written here and not by the services: the services take every date from the
clock (`timezone.now()` / `localdate()` at each step), issue PDFs and notify people, so they
cannot be run two years back. Each filing is therefore played through the same transitions
in memory (the `Transition` objects of shezhi.affairs.services guard every step, so no
filing takes a step the workflow forbids) and written in bulk, with every stored figure
computed the way the services compute it:
- acceptance: `due_on` / `statutory_due_on` = `add_workdays(accepted_on, limit)`
  (services.filing_accept);
- a correction: `correction_due_on` = `add_workdays(day, procedure.correction_days)`, a
  ClockStop from that day; resuming (resubmission, withdrawal, lapse) closes it with
  `workdays_between(started_on, day)`, adds that to `paused_workdays` and moves both due
  dates by it (services._resume_clock);
- a decision (approval, refusal, non-acceptance): `done_on`, `workdays_taken` and `on_time`
  by `services._finish` itself, on the filing before it is saved;
- numbers `BJ<year><seq>` in order of first submission, the year's FilingSequence moved past them.
All working days come from shezhi.workdays (the holiday calendar).

What an approval does to the registry is done through the registry's own services, dated on
the decision day: an establishment registers the organization (organization_register) and a
town filing files it (organization_file), founded on the decision day; a deregistration or a
cancelled filing sets the status (organization_set_status, on the decision day); a rating
opens and decides an assessment (shezhi.inspection.services, on the acceptance and decision
days). Approved changes and re-elections carry the registry's current values (the change
already applied); annual reports are the online filings behind the inspection demo's results
(same organization, year, submission day, decision day and result), whose `filing_number` is
set to them; an approved charity recognition is the filing behind a recognition the registry
already dates in the window, and the other charity applications were turned down or
withdrawn. An approval the registry's rules refuse on the day becomes a refusal. New
organizations are marked is_demo; filings have no such flag, and the seeder does nothing when
the home city already has filings.

The filing page has what it shows for a real filing: the timeline (WorkflowEvent rows, the
handler's steps signed with the authority's name since no staff account exists yet), the
clock stops, the checklist's materials (one small demo PDF per item under MEDIA_ROOT) and
the notices and decisions each step issues, with the services' text (their PDF is rendered
when first downloaded). Not written: notifications and audit entries of the filing steps.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from shezhi.accounts.models import Role, User
from shezhi.affairs import fieldspec, services, uploads
from shezhi.affairs.models import (
    ClockStop,
    Decision,
    Filing,
    FilingSequence,
    FilingStatus,
    HandlingRole,
    Material,
    MaterialRequirement,
    ProcedureKind,
    ProcedureType,
)
from shezhi.areas.models import Area, AreaLevel
from shezhi.audit.services import actor_label
from shezhi.documents.models import NUMBER_MARK, Document, DocumentKind, DocumentSequence
from shezhi.documents.services import CODE_ALPHABET, CODE_LENGTH, chinese_date
from shezhi.registry.credit_code import make_code
from shezhi.registry.models import (
    LEGAL_FORM_TYPE_DIGIT,
    CommunityCategory,
    LegalForm,
    Organization,
    OrganizationStatus,
    RegistrationKind,
)
from shezhi.workdays.services import add_workdays, is_workday, workdays_between
from shezhi.workflow.engine import Transition
from shezhi.workflow.models import WorkflowEvent

S = FilingStatus
K = ProcedureKind
WINDOW_DAYS = 730
ITEM_TYPE = Filing._meta.label_lower
USERNAME = "affairs-demo-{}"
BATCH = 500

# Decided filings per procedure kind over the window, and filings started in the last days
# (most still open on the day of seeding). Province scale seeds the home city as "city".
SIZES = {
    "tiny": {
        K.ESTABLISHMENT: 3,
        K.CHANGE: 5,
        K.DEREGISTRATION: 1,
        K.REELECTION: 3,
        K.ANNUAL_REPORT: 16,
        K.RATING: 2,
        K.TOWN_FILING: 8,
        K.TOWN_DEFILING: 1,
        K.CHARITY_RECOGNITION: 1,
        K.PUBLIC_FUNDRAISING: 1,
        "open": 3,
    },
    "city": {
        K.ESTABLISHMENT: 24,
        K.CHANGE: 48,
        K.DEREGISTRATION: 8,
        K.REELECTION: 30,
        K.ANNUAL_REPORT: 170,
        K.RATING: 10,
        K.TOWN_FILING: 80,
        K.TOWN_DEFILING: 8,
        K.CHARITY_RECOGNITION: 4,
        K.PUBLIC_FUNDRAISING: 2,
        "open": 7,
    },
}
OPEN_KINDS = [K.CHANGE, K.TOWN_FILING, K.REELECTION, K.ESTABLISHMENT, K.TOWN_FILING, K.CHANGE, K.RATING]
OUTCOMES = {"approved": 0.80, "refused": 0.05, "not_accepted": 0.08, "withdrawn": 0.05, "lapsed": 0.02}
LATE_SHARE = 0.10
CORRECTION_SHARE = 0.18
IN_PERSON_ACCEPT = 0.07
IN_PERSON_APPROVE = {K.ESTABLISHMENT: 0.3, K.DEREGISTRATION: 0.3}  # certificates and seals handed over

NOT_ACCEPTED = [
    ("申请事项依法不需要取得行政许可，已告知申请人向业务主管单位报告。", "《中华人民共和国行政许可法》第三十二条第一款第一项"),
    ("申请事项不属于本机关职权范围，已告知申请人向有关行政机关申请。", "《中华人民共和国行政许可法》第三十二条第一款第二项"),
    ("申请材料与申请事项不符，且申请人表示不再补正。", "《中华人民共和国行政许可法》第三十二条第一款第四项"),
]
REFUSED = {
    K.ESTABLISHMENT: ("拟登记名称与本行政区域内已登记组织名称相同或相近，易产生混淆。", "《社会团体登记管理条例》第十三条第二项"),
    K.CHANGE: ("拟任法定代表人曾因故意犯罪被判处刑罚，不符合任职条件。", "《社会团体登记管理条例》第十三条第四项"),
    K.DEREGISTRATION: ("清算报告未经审计，债权债务尚未清理完毕。", "《社会团体登记管理条例》第二十条"),
    K.REELECTION: ("换届大会到会会员未达到章程规定的三分之二，选举结果无效。", "《社会团体登记管理条例》第十五条"),
    K.ANNUAL_REPORT: ("年度工作报告书所载财务数据与审计报告不一致，经告知后未作说明。", "《社会团体登记管理条例》第二十八条"),
    K.RATING: ("自评报告所述情况与实地核查不符，不予受理参加本次评估。", "《社会组织评估管理办法》第七条"),
    K.TOWN_FILING: ("活动内容超出社区社会组织备案范围，应依法申请登记。", "《浙江省社区社会组织备案管理办法》第六条"),
    K.TOWN_DEFILING: ("组织财产处置情况未说明，尚有未结清的活动经费。", "《浙江省社区社会组织备案管理办法》第十二条"),
    K.CHARITY_RECOGNITION: ("上一年度慈善活动支出未达到规定比例。", "《慈善组织认定办法》第四条"),
    K.PUBLIC_FUNDRAISING: ("内部治理结构不健全，未设立监事会。", "《慈善组织公开募捐管理办法》第五条"),
}
WITHDRAW_REASONS = ["理事会决定暂缓办理，申请人主动撤回申请。", "申请事项有变，申请人撤回后将重新提交。", "申请人主动撤回。"]
CORRECTION_NOTES = ["材料内容不完整，请补充后重新上传。", "材料签章不清晰，请重新上传清晰的扫描件。", "请补充上传相关证明文件。"]
IN_PERSON_NOTE = "请携带材料原件到政务服务中心民政窗口核验。"
LAPSE_NOTE = "申请人未在补正期限（{date}）内补正材料，申请视为撤回。"

ESTABLISHMENTS = [
    (LegalForm.SOCIAL_SERVICE_AGENCY, "community_service", "乐龄居家养老服务中心", "为辖区老年人提供居家养老、助餐助洁和精神慰藉服务"),
    (LegalForm.SOCIAL_SERVICE_AGENCY, "community_service", "心悦社会工作服务中心", "开展社区社会工作服务、个案辅导和小组活动"),
    (LegalForm.SOCIAL_SERVICE_AGENCY, "community_service", "启航青少年成长服务中心", "开展青少年课后托管、心理辅导和成长教育服务"),
    (LegalForm.SOCIAL_SERVICE_AGENCY, "charity", "善行公益服务中心", "开展扶贫济困、助学助残等公益慈善服务"),
    (LegalForm.SOCIAL_SERVICE_AGENCY, "community_service", "和美社区发展中心", "培育社区社会组织，开展社区治理和邻里服务"),
    (LegalForm.SOCIAL_GROUP, "charity", "志愿服务联合会", "联络志愿服务组织，开展志愿者培训和志愿服务项目"),
    (LegalForm.SOCIAL_GROUP, "trade_association", "电子商务协会", "开展行业自律、信息交流和技能培训服务"),
    (LegalForm.SOCIAL_GROUP, "science_tech", "农业科技推广协会", "开展农业新技术推广、科普宣传和技术培训"),
]
FILED = {
    CommunityCategory.LIFE_SERVICE: ["助老服务队", "便民服务队", "助餐服务队", "家政互助社"],
    CommunityCategory.CHARITY: ["爱心帮扶队", "关爱留守儿童服务队", "助残志愿队", "慈善义工队"],
    CommunityCategory.MUTUAL_AID: ["邻里互助会", "睦邻服务社", "家长互助会", "新居民互助会"],
    CommunityCategory.CULTURE_SPORTS: ["舞蹈队", "合唱团", "书画社", "太极拳协会", "排舞队", "读书会"],
    CommunityCategory.SAFETY: ["平安巡逻队", "护河志愿队", "矛盾调解工作室"],
    CommunityCategory.SELF_GOVERNANCE: ["居民议事会", "垃圾分类督导队", "楼道自治小组"],
}
FILED_SCOPE = {
    CommunityCategory.LIFE_SERVICE: "为辖区居民提供助老、助餐、便民维修等生活服务",
    CommunityCategory.CHARITY: "开展困难家庭帮扶、关爱儿童和助残志愿服务",
    CommunityCategory.MUTUAL_AID: "组织居民开展邻里互助、互帮互学活动",
    CommunityCategory.CULTURE_SPORTS: "组织居民开展文体排练、演出和健身活动",
    CommunityCategory.SAFETY: "协助社区开展平安巡防、矛盾调解和护河宣传",
    CommunityCategory.SELF_GOVERNANCE: "组织居民议事协商，参与社区环境和公共事务管理",
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯沈姚陆顾钱俞"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚英华建国志红玉兰春梅海燕林文斌慧云飞鹏宇浩婷雪琴晓峰"
ROADS = ["人民路", "新华路", "胜利路", "建国路", "解放路", "中山路", "环城路", "城南路", "和平路", "振兴路", "文化路", "东方路"]


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def handler_day(day: dt.date, n: int) -> dt.date:
    """The working day `n` working days after `day` (n = 0: `day` itself if it is one)."""
    if n == 0 and is_workday(day):
        return day
    return add_workdays(day, max(n, 1))


def workdays_back(day: dt.date, n: int) -> dt.date:
    """The working day `n` working days before `day`."""
    counted = 0
    while counted < n:
        day -= dt.timedelta(days=1)
        if is_workday(day):
            counted += 1
    return day


class _Later(Exception):
    """The next step would come after the moment of seeding: the filing stays where it is."""


@dataclass
class Plan:
    """What one filing is about and how it ends; the days follow from its story."""

    procedure: ProcedureType
    organization: Organization | None
    town: Area
    subject_name: str
    data: dict
    outcome: str  # approved, refused, not_accepted, withdrawn, lapsed
    submit_day: dt.date
    correction: str = ""  # "", "before" or "during" acceptance
    late: bool = False
    decision_values: dict = field(default_factory=dict)
    decide_on: dt.date | None = None  # a given decision day (annual reports: the inspection's)
    decide_before: dt.date | None = None  # a report turned back before the one that was approved
    inspection: object | None = None  # the AnnualInspection an approved report stands for
    keep_open: bool = False  # started in the last days: not decided yet


@dataclass
class Story:
    """One filing played through the workflow in memory, step by step, storing what the
    service of each step stores (see the module's docstring)."""

    filing: Filing
    plan: Plan
    rng: random.Random
    now: dt.datetime
    handler_label: str
    events: list[dict] = field(default_factory=list)
    stops: list[ClockStop] = field(default_factory=list)
    uploads: list[tuple[MaterialRequirement, dt.datetime]] = field(default_factory=list)
    cursor: dt.datetime | None = None

    def last_day(self) -> dt.date:
        return timezone.localtime(self.cursor).date()

    def _at(self, day: dt.date, *, staff: bool) -> dt.datetime:
        tz = timezone.get_current_timezone()
        if self.cursor is not None and day <= self.last_day():
            end = dt.datetime.combine(self.last_day(), dt.time(23, 59, 59), tzinfo=tz)
            at = min(self.cursor + dt.timedelta(minutes=self.rng.randint(3, 90)), max(end, self.cursor + dt.timedelta(seconds=1)))
        else:
            start, span = (8 * 60 + 40, 8 * 60) if staff else (7 * 60, 15 * 60)
            minute = start + self.rng.randrange(span)
            at = dt.datetime.combine(day, dt.time(minute // 60, minute % 60, self.rng.randrange(60)), tzinfo=tz)
        if at > self.now:
            if self.plan.decide_on is None:
                raise _Later
            # A given decision day (an inspection decided earlier today) is never left open.
            at = max(self.now, self.cursor + dt.timedelta(seconds=1)) if self.cursor else self.now
        return at

    def _step(self, step: Transition, day: dt.date, *, actor: str, note: str = "", data: dict | None = None, apply=None, at=None) -> None:
        f = self.filing
        if not step.allowed_from(f.status):
            raise ValueError(f"demo story: {step.name} is not allowed from {f.status}")
        at = at or self._at(day, staff=actor != "applicant")
        previous = f.status
        f.status = step.target
        if apply is not None:
            apply(at)
        self.events.append(
            {
                "transition": step.name,
                "from_status": previous,
                "to_status": step.target,
                "actor": actor,
                "note": note,
                "data": data or {},
                "at": at,
            }
        )
        self.cursor = at

    def _resume_clock(self, day: dt.date) -> None:
        """services._resume_clock on the stops kept in memory."""
        f = self.filing
        stop = next((s for s in reversed(self.stops) if s.ended_on is None), None)
        if stop is None:
            return
        stop.ended_on = day
        stop.workdays = workdays_between(stop.started_on, day)
        f.paused_workdays += stop.workdays
        if f.due_on:
            f.due_on = add_workdays(f.due_on, stop.workdays)
        if f.statutory_due_on:
            f.statutory_due_on = add_workdays(f.statutory_due_on, stop.workdays)

    def _upload(self, requirements: list[MaterialRequirement], day: dt.date) -> None:
        at = self._at(day, staff=False)
        self.uploads += [(r, at) for r in requirements]
        self.cursor = at

    # -- the steps (services.filing_<step>)
    def submit(self, day: dt.date) -> None:
        f = self.filing
        self._upload([r for r in f.procedure.materials.all() if r.is_required_for(f.data)], day)

        def apply(at):
            f.submitted_at = at

        self._step(services.SUBMIT, day, actor="applicant", apply=apply)

    def request_correction(self, day: dt.date, *, in_person: bool) -> None:
        f = self.filing
        wanted = [r for r in f.procedure.materials.all() if r.is_required_for(f.data)]
        items = self.rng.sample(wanted, min(len(wanted), self.rng.choice((1, 1, 2))))
        due = add_workdays(day, f.procedure.correction_days)
        note = IN_PERSON_NOTE if in_person else self.rng.choice(CORRECTION_NOTES)

        def apply(at):
            f.correction_items = [i.pk for i in items]
            f.correction_requested_at = at
            f.correction_due_on = due
            if in_person:
                f.fully_online = False
            self.stops.append(ClockStop(started_on=day))

        self._step(
            services.REQUEST_CORRECTION,
            day,
            actor="handler",
            note=note,
            apply=apply,
            data={"items": [i.name for i in items], "due": due.isoformat()},
        )

    def resubmit(self, day: dt.date) -> None:
        f = self.filing
        self._upload([r for r in f.procedure.materials.all() if r.pk in set(f.correction_items)], day)

        def apply(at):
            self._resume_clock(day)
            f.correction_due_on = None

        self._step(services.RESUBMIT_TO_REVIEW if f.accepted_on else services.RESUBMIT, day, actor="applicant", apply=apply)

    def accept(self, day: dt.date, *, in_person: bool) -> None:
        f, procedure = self.filing, self.filing.procedure

        def apply(at):
            f.accepted_on = day
            f.due_on = add_workdays(day, procedure.promised_days)
            f.statutory_due_on = add_workdays(day, procedure.statutory_days)
            if in_person:
                f.fully_online = False

        note = IN_PERSON_NOTE if in_person else ""
        self._step(services.ACCEPT, day, actor="handler", note=note, apply=apply, data={"in_person": in_person})

    def start_review(self, day: dt.date) -> None:
        self._step(services.START_REVIEW, day, actor="handler")

    def approve(self, day: dt.date, *, values: dict, in_person: bool) -> None:
        f = self.filing
        values = fieldspec.clean_values(f.procedure.decision_fields, values)

        def apply(at):
            f.decision = Decision.APPROVED
            f.decision_data = values
            f.decided_at = at
            if in_person:
                f.fully_online = False

        self._step(services.APPROVE, day, actor="handler", apply=apply, data={"decision": values})
        # Closed in the decision's own transaction (services.filing_approve): the same moment.
        self._step(services.COMPLETE, day, actor="handler", apply=lambda at: services._finish(f, day), at=self.cursor)

    def refuse(self, day: dt.date, *, reason: str, legal_ground: str) -> None:
        f = self.filing

        def apply(at):
            f.decision = Decision.REFUSED
            f.decision_reason = reason
            f.legal_ground = legal_ground
            f.decided_at = at

        self._step(services.REFUSE, day, actor="handler", note=reason, apply=apply, data={"legal_ground": legal_ground})
        self._step(services.COMPLETE, day, actor="handler", apply=lambda at: services._finish(f, day), at=self.cursor)

    def refused_instead(self, reason: str, legal_ground: str) -> None:
        """Turn the approval that ends the story into a refusal on the same day (the same
        working days and on-time verdict: services._finish does not depend on the decision)."""
        f = self.filing
        f.decision, f.decision_data, f.decision_reason, f.legal_ground = Decision.REFUSED, {}, reason, legal_ground
        approve, complete = self.events[-2:]
        approve.update(transition=services.REFUSE.name, to_status=S.REFUSED, note=reason, data={"legal_ground": legal_ground})
        complete["from_status"] = S.REFUSED

    def not_accept(self, day: dt.date, *, reason: str, legal_ground: str) -> None:
        f = self.filing

        def apply(at):
            f.decision = Decision.NOT_ACCEPTED
            f.decision_reason = reason
            f.legal_ground = legal_ground
            f.decided_at = at
            services._finish(f, day)

        self._step(services.NOT_ACCEPT, day, actor="handler", note=reason, apply=apply, data={"legal_ground": legal_ground})

    def withdraw(self, day: dt.date, *, reason: str) -> None:
        f = self.filing

        def apply(at):
            self._resume_clock(day)
            f.decision = Decision.WITHDRAWN
            f.decided_at = at

        self._step(services.WITHDRAW, day, actor="applicant", note=reason, apply=apply)

    def lapse(self) -> None:
        """The daily run of the day after the correction period closes the filing
        (services.filings_lapse_corrections with on = that day)."""
        f = self.filing
        on = f.correction_due_on + dt.timedelta(days=1)
        note = LAPSE_NOTE.format(date=f.correction_due_on.isoformat())

        def apply(at):
            self._resume_clock(on)
            f.decision = Decision.WITHDRAWN
            f.decided_at = at

        self._step(services.LAPSE, on, actor="system", note=note, apply=apply)


class Seeder:
    def __init__(self, *, city: Area, sizes: dict, seed: int, today: dt.date, now: dt.datetime, log: Callable[[str], None]):
        self.city = city
        self.sizes = sizes
        self.rng = random.Random(f"shezhi-demo:affairs:{seed}")
        self.today = today
        self.now = now
        self.start = today - dt.timedelta(days=WINDOW_DAYS)
        self.log = log
        self.procedures = {p.kind: p for p in ProcedureType.objects.prefetch_related("materials").order_by("-position", "-code")}
        self.towns = list(Area.objects.filter(level=AreaLevel.TOWN, parent=city).order_by("code"))
        self.town_by_id = {t.pk: t for t in self.towns}
        self.communities: dict[int, list[Area]] = defaultdict(list)
        for community in Area.objects.filter(level=AreaLevel.COMMUNITY, city=city).order_by("code"):
            self.communities[community.town_id].append(community)
        self.towns_qs = services.towns_for_application(city)
        self.communities_qs = services.communities_for_application(city)
        self.reserved: set[int] = set()  # organizations a plan uses in a way no other plan may
        self.names: set[tuple[int, str]] = set()
        self.codes: set[str] = set()

    # -- helpers
    def _day(self, *, after: dt.date | None = None, before: dt.date | None = None) -> dt.date:
        first = max(self.start + dt.timedelta(days=1), after or self.start)
        last = max(min(before or self.today, self.today), first)
        day = first + dt.timedelta(days=self.rng.randrange((last - first).days + 1))
        # Most applications come in on working days.
        if not is_workday(day) and self.rng.random() < 0.7:
            day = add_workdays(day, 1)
        return min(day, self.today)

    def _outcome(self) -> str:
        return _pick(self.rng, OUTCOMES)

    def _plan(self, procedure, *, data, org=None, town=None, name="", outcome=None, submit_day=None) -> Plan:
        outcome = outcome or self._outcome()
        correction = ""
        if outcome == "lapsed":
            correction = "before" if self.rng.random() < 0.5 else "during"
        elif outcome in ("approved", "refused", "withdrawn") and self.rng.random() < CORRECTION_SHARE:
            correction = "before" if self.rng.random() < 0.4 else "during"
        return Plan(
            procedure=procedure,
            organization=org,
            town=town or self.town_by_id[org.town_id],
            subject_name=name or org.name,
            data=fieldspec.clean_values(procedure.form_fields, data, towns=self.towns_qs, communities=self.communities_qs),
            outcome=outcome,
            submit_day=submit_day or self._day(before=self.today - dt.timedelta(days=14)),
            correction=correction,
            late=self.rng.random() < LATE_SHARE,
        )

    def _orgs(self, registration: str) -> list[Organization]:
        return list(
            Organization.objects.filter(city=self.city, registration=registration, status=OrganizationStatus.NORMAL)
            .select_related("town")
            .order_by("id")
        )

    def _free(self, pool: list[Organization]) -> list[Organization]:
        return [o for o in pool if o.pk not in self.reserved]

    def _phone(self) -> str:
        return f"13{self.rng.randint(5, 9)}{self.rng.randrange(10**8):08d}"

    def _address(self, town: Area) -> str:
        return f"{self.city.name}{town.name}{self.rng.choice(ROADS)}{self.rng.randint(1, 999)}号"

    def _new_name(self, town: Area, name: str) -> bool:
        from shezhi.registry.selectors import find_duplicate

        if (town.pk, name) in self.names or find_duplicate(credit_code="", name=name, town_id=town.pk):
            return False
        self.names.add((town.pk, name))
        return True

    def _credit_code(self, legal_form: str) -> str:
        while True:
            org_code = f"MJ{self.rng.randrange(10**7):07d}"
            code = make_code(type_digit=LEGAL_FORM_TYPE_DIGIT[legal_form], division=self.city.code, org_code=org_code)
            if code not in self.codes and not Organization.objects.filter(credit_code=code).exists():
                self.codes.add(code)
                return code

    # -- the plans
    def plans(self) -> list[Plan]:
        registered = self._orgs(RegistrationKind.REGISTERED)
        filed = self._orgs(RegistrationKind.FILED)
        # The organization demo_accounts gives the "demo-org" log-in keeps its registration
        # and gets filings of its own (accounts/management/commands/demo_accounts.py).
        danghu = next((t for t in self.towns if t.name == "当湖街道"), None)
        first = None
        if danghu is not None:
            first = (
                Organization.objects.filter(town=danghu, registration=RegistrationKind.REGISTERED, status=OrganizationStatus.NORMAL)
                .order_by("-is_demo", "-legal_form", "sort_key", "id")
                .first()
            )
        keep = {first.pk} if first else set()
        out = self._endings(registered, filed, keep)
        out += self._annual_reports(keep)
        self.reserved |= keep
        out += self._changes(registered, first)
        out += self._reelections(registered)
        out += self._establishments(self.sizes[K.ESTABLISHMENT])
        out += self._town_filings(self.sizes[K.TOWN_FILING])
        out += self._ratings(registered, self.sizes[K.RATING])
        out += self._charity(registered)
        out += self._open(registered, first)
        return out

    def _endings(self, registered, filed, keep) -> list[Plan]:
        """Deregistrations and cancelled filings, of organizations no other plan touches, after
        their last annual inspection."""
        from django.db.models import Max

        from shezhi.inspection.models import AnnualInspection

        last_report = dict(
            AnnualInspection.objects.filter(organization__city=self.city)
            .values("organization_id")
            .annotate(last=Max("decided_on"))
            .values_list("organization_id", "last")
        )
        out = []
        for kind, pool in ((K.DEREGISTRATION, registered), (K.TOWN_DEFILING, filed)):
            procedure = self.procedures.get(kind)
            if procedure is None:
                continue
            candidates = [o for o in pool if o.pk not in keep and not o.is_charity and not o.hub_kind]
            made = 0
            for org in self.rng.sample(candidates, min(len(candidates), self.sizes[kind] * 3)):
                if made == self.sizes[kind]:
                    break
                after = max(d for d in (last_report.get(org.pk), self.start, org.founded_on) if d)
                if after >= self.today - dt.timedelta(days=60):
                    continue
                day = self._day(after=after + dt.timedelta(days=7), before=self.today - dt.timedelta(days=30))
                if kind == K.DEREGISTRATION:
                    data = {
                        "reason": self.rng.choice(["经会员大会决议解散", "举办者决定终止，业务不再开展", "宗旨已经实现，经理事会决议注销"]),
                        "liquidation_completed_on": day - dt.timedelta(days=self.rng.randint(5, 40)),
                    }
                else:
                    data = {
                        "reason": self.rng.choice(["成员大多外出务工，活动无法正常开展", "组织自行解散", "已并入本社区其他社区社会组织"])
                    }
                self.reserved.add(org.pk)
                out.append(self._plan(procedure, org=org, data=data, submit_day=day))
                made += 1
        return out

    def _annual_reports(self, keep) -> list[Plan]:
        """The online reports behind the inspection demo's results decided in the window: the
        same organization, year, submission day, decision day and result."""
        from shezhi.inspection.models import RESULT_CHINESE, AnnualInspection

        procedure = self.procedures.get(K.ANNUAL_REPORT)
        if procedure is None:
            return []
        rows = list(
            AnnualInspection.objects.filter(
                organization__city=self.city,
                organization__registration=RegistrationKind.REGISTERED,
                reported_on__gt=self.start + dt.timedelta(days=30),
                decided_on__lte=self.today,
                filing_number="",
            )
            .exclude(organization_id__in=self.reserved)
            .select_related("organization", "organization__town")
            .order_by("organization_id", "year")
        )
        chosen = [r for r in rows if r.organization_id in keep]
        rest = [r for r in rows if r.organization_id not in keep]
        chosen += self.rng.sample(rest, min(len(rest), max(self.sizes[K.ANNUAL_REPORT] - len(chosen), 0)))
        out = []
        for row in sorted(chosen, key=lambda r: (r.reported_on, r.organization_id)):
            org = row.organization
            income = Decimal(self.rng.randint(5, 300))
            data = {
                "year": row.year,
                "activities": f"{row.year}年共开展各类活动{self.rng.randint(6, 60)}次，服务{self.rng.randint(100, 5000)}人次。",
                "income": income,
                "expenditure": (income * Decimal(str(round(self.rng.uniform(0.7, 1.05), 2)))).quantize(Decimal("0.01")),
                "net_assets": Decimal(self.rng.randint(3, 200)),
                "staff": self.rng.randint(0, 12),
            }
            # Some organizations had a first report turned back, or withdrew it, before this one.
            before = row.reported_on - dt.timedelta(days=self.rng.randint(10, 25))
            if self.rng.random() < 0.08 and before > self.start:
                outcome = "not_accepted" if self.rng.random() < 0.7 else "withdrawn"
                plan = self._plan(procedure, org=org, data=data, outcome=outcome, submit_day=before)
                plan.correction, plan.late, plan.decide_before = "", False, row.reported_on
                out.append(plan)
            plan = self._plan(procedure, org=org, data=data, outcome="approved", submit_day=row.reported_on)
            plan.decide_on, plan.inspection = row.decided_on, row
            plan.decision_values = {"result": RESULT_CHINESE[row.result], "remarks": "材料齐全，符合年检要求。"}
            out.append(plan)
        return out

    def _changes(self, registered, first) -> list[Plan]:
        procedure = self.procedures.get(K.CHANGE)
        if procedure is None:
            return []
        pool = self._free(registered)
        chosen = self.rng.sample(pool, min(len(pool), self.sizes[K.CHANGE]))
        if first is not None:
            chosen = [first, *chosen[1:]]
        out = []
        for org in chosen:
            outcome = "approved" if org is first else self._outcome()
            fields = self.rng.sample(["legal_representative", "address", "business_scope"], self.rng.choice((1, 1, 2)))
            data = {"reason": self.rng.choice(["理事会换届后法定代表人变更", "办公场所搬迁", "根据业务发展调整业务范围"])}
            for name in fields:
                if outcome == "approved":  # approved: the registry has the new value already
                    data[name] = getattr(org, name)
                elif name == "legal_representative":
                    data[name] = _person(self.rng)
                elif name == "address":
                    data[name] = self._address(org.town)
                else:
                    data[name] = (org.business_scope or "").rstrip("。") + "；开展相关培训和咨询服务。"
            if not any(data.get(n) for n in fields):
                continue
            self.reserved.add(org.pk)  # one change at a time: never two open filings of one kind
            out.append(self._plan(procedure, org=org, data=data, outcome=outcome))
        return out

    def _reelections(self, registered) -> list[Plan]:
        procedure = self.procedures.get(K.REELECTION)
        if procedure is None:
            return []
        pool = self._free(registered)
        out = []
        for org in self.rng.sample(pool, min(len(pool), self.sizes[K.REELECTION])):
            day = self._day(before=self.today - dt.timedelta(days=14))
            people = [_person(self.rng) for _ in range(4)]
            data = {
                "meeting_date": day - dt.timedelta(days=self.rng.randint(5, 40)),
                "term_years": self.rng.choice((4, 5, 5)),
                "board": f"理事长：{people[0]}；副理事长：{people[1]}、{people[2]}；秘书长：{people[3]}",
            }
            self.reserved.add(org.pk)
            outcome = self._outcome()
            if outcome == "approved" and org.legal_representative and self.rng.random() < 0.3:
                data["legal_representative"] = org.legal_representative
            out.append(self._plan(procedure, org=org, data=data, outcome=outcome, submit_day=day))
        return out

    def _establishments(self, count: int, *, outcome: str | None = None) -> list[Plan]:
        procedure = self.procedures.get(K.ESTABLISHMENT)
        out = []
        for _i in range(count if procedure else 0):
            town = self.rng.choice(self.towns)
            legal_form, category, suffix, scope = self.rng.choice(ESTABLISHMENTS)
            name = f"{self.city.name}{town.name[:2]}{suffix}"
            if not self._new_name(town, name):
                continue
            data = {
                "name": name,
                "legal_form": legal_form,
                "direct_category": category,
                "town": town.pk,
                "address": self._address(town),
                "legal_representative": _person(self.rng),
                "phone": self._phone(),
                "registered_funds": Decimal(self.rng.choice((3, 5, 10, 20, 50))),
                "business_scope": scope + "。",
            }
            plan = self._plan(procedure, town=town, name=name, data=data, outcome=outcome)
            plan.decision_values = {"credit_code": self._credit_code(legal_form)} if plan.outcome == "approved" else {}
            out.append(plan)
        return out

    def _town_filings(self, count: int, *, outcome: str | None = None) -> list[Plan]:
        procedure = self.procedures.get(K.TOWN_FILING)
        towns = [t for t in self.towns if self.communities.get(t.pk)]
        out = []
        for _i in range(count if procedure and towns else 0):
            town = self.rng.choice(towns)
            community = self.rng.choice(self.communities[town.pk])
            category = self.rng.choice(list(FILED))
            name = f"{community.name}{self.rng.choice(FILED[category])}"
            if not self._new_name(town, name):
                continue
            data = {
                "name": name,
                "town": town.pk,
                "community": community.pk,
                "community_category": category,
                "legal_representative": _person(self.rng),
                "phone": self._phone(),
                "address": f"{community.name}居民活动中心",
                "business_scope": FILED_SCOPE[category] + "。",
            }
            # Town filings are simple: fewer are refused.
            chosen = outcome or _pick(self.rng, {**OUTCOMES, "approved": 0.86, "refused": 0.02})
            out.append(self._plan(procedure, town=town, name=name, data=data, outcome=chosen))
        return out

    def _ratings(self, registered, count: int, *, open_: bool = False) -> list[Plan]:
        from shezhi.inspection.rules import rating_eligibility

        procedure = self.procedures.get(K.RATING)
        pool = [o for o in self._free(registered) if o.founded_on and o.founded_on < self.start]
        self.rng.shuffle(pool)
        out = []
        for _i in range(count if procedure else 0):
            outcome = "approved" if open_ else self._outcome()
            day = self._day(before=self.today - dt.timedelta(days=80))
            org = None
            while pool and org is None:
                candidate = pool.pop()
                # An assessment is opened only for an eligible organization (checked again on the day).
                if outcome != "approved" or not rating_eligibility(candidate, day):
                    org = candidate
            if org is None:
                break
            self.reserved.add(org.pk)
            data = {
                "self_score": Decimal(self.rng.randint(780, 960)),
                "summary": "对照评估指标逐项自评，基础条件、内部治理、工作绩效和社会评价情况良好。",
            }
            plan = self._plan(procedure, org=org, data=data, outcome=outcome, submit_day=day)
            if outcome == "approved":
                plan.late = self.rng.random() < 0.2
                score = Decimal(self.rng.randint(760, 960))
                plan.decision_values = {"total_score": score, "remarks": "经专家实地评估，评估委员会审定。"}
            out.append(plan)
        return out

    def _charity(self, registered) -> list[Plan]:
        """Charity procedures are few. An approved recognition is the filing behind a
        recognition the registry already dates in the window; the others were turned down or
        withdrawn. (Approving new ones here would leave them without the disclosures the
        charity demo writes, and late.)"""
        out = []
        for kind in (K.CHARITY_RECOGNITION, K.PUBLIC_FUNDRAISING):
            procedure = self.procedures.get(kind)
            if procedure is None:
                continue
            recognition = kind == K.CHARITY_RECOGNITION
            recognized = [
                o
                for o in self._free(registered)
                if recognition and o.is_charity and o.charity_recognized_on and self.start + dt.timedelta(days=30) < o.charity_recognized_on
            ]
            pool = [o for o in self._free(registered) if o.is_charity != recognition and not o.public_fundraising]
            self.rng.shuffle(pool)
            for i in range(self.sizes[kind]):
                linked = recognized[i] if i < len(recognized) else None
                org = linked or (pool.pop() if pool else None)
                if org is None or org.pk in self.reserved:
                    break
                self.reserved.add(org.pk)
                day = self._day(before=self.today - dt.timedelta(days=30))
                if linked is not None:
                    day = org.charity_recognized_on - dt.timedelta(days=self.rng.randint(12, 25))
                if recognition:
                    income = Decimal(self.rng.randint(50, 500))
                    data = {
                        "purposes": "以扶贫、济困、扶老、救孤、恤病、助残为宗旨开展慈善活动。",
                        "activities": "在全市开展助学、助老、助残慈善项目，受益对象为困难家庭和特殊群体。",
                        "charter_amended_on": day - dt.timedelta(days=self.rng.randint(20, 120)),
                        "last_year_income": income,
                        "last_year_charity_spending": (income * Decimal("0.75")).quantize(Decimal("0.01")),
                        "last_year_management_costs": (income * Decimal("0.08")).quantize(Decimal("0.01")),
                    }
                else:
                    data = {
                        "governance": "设理事会、监事会，理事会每年召开两次以上会议，重大事项集体决策。",
                        "full_time_staff": self.rng.randint(2, 8),
                        "plan": "面向社会公开募集助学、助老项目资金。",
                    }
                outcome = "approved" if linked else _pick(self.rng, {"refused": 0.5, "not_accepted": 0.3, "withdrawn": 0.2})
                plan = self._plan(procedure, org=org, data=data, outcome=outcome, submit_day=day)
                if linked is not None:
                    plan.decide_on = org.charity_recognized_on
                out.append(plan)
        return out

    def _open(self, registered, first) -> list[Plan]:
        """Filings started in the last working days: most are still being handled."""
        out = []
        for i in range(self.sizes["open"]):
            kind = OPEN_KINDS[i % len(OPEN_KINDS)]
            if kind == K.ESTABLISHMENT:
                plans = self._establishments(1, outcome="approved")
            elif kind == K.TOWN_FILING:
                plans = self._town_filings(1, outcome="approved")
            elif kind == K.RATING:
                plans = self._ratings(registered, 1, open_=True)
            else:
                procedure = self.procedures.get(kind)
                pool = self._free(registered)
                if procedure is None or not pool:
                    continue
                org = first if kind == K.REELECTION and first is not None else self.rng.choice(pool)
                if kind == K.CHANGE:
                    data = {"legal_representative": _person(self.rng), "reason": "理事会换届后法定代表人变更"}
                else:
                    people = [_person(self.rng) for _ in range(3)]
                    data = {
                        "meeting_date": workdays_back(self.today, 12),
                        "term_years": 5,
                        "board": f"理事长：{people[0]}；副理事长：{people[1]}；秘书长：{people[2]}",
                    }
                self.reserved.add(org.pk)
                plans = [self._plan(procedure, org=org, data=data, outcome="approved")]
            for plan in plans:
                plan.submit_day = workdays_back(self.today, self.rng.randint(1, 8))
                plan.late, plan.keep_open = False, True
                plan.correction = "during" if i == 1 else ""
            out += plans
        return out

    # -- playing the plans
    def play(self, plan: Plan) -> Story:
        procedure = plan.procedure
        filing = Filing(
            procedure=procedure,
            organization=plan.organization,
            subject_name=plan.subject_name,
            city=self.city,
            town=plan.town,
            status=S.DRAFT,
            data=plan.data,
        )
        if procedure.handled_by == HandlingRole.TOWN:
            authority = plan.town.authority_name or plan.town.name
        else:
            authority = self.city.authority_name or settings.SHEZHI_AUTHORITY_NAME
        story = Story(filing=filing, plan=plan, rng=self.rng, now=self.now, handler_label=authority)
        try:
            if plan.decide_on is not None:
                self._fixed(story, plan)
            else:
                self._script(story, plan)
        except _Later:
            pass  # still open on the day of seeding
        return story

    def _script(self, story: Story, plan: Plan) -> None:
        rng, promised, outcome = self.rng, plan.procedure.promised_days, plan.outcome
        story.submit(plan.submit_day)
        day = handler_day(plan.submit_day, rng.choice((0, 0, 1, 1, 1, 2, 3)))
        if outcome == "not_accepted":
            if plan.decide_before is not None and day >= plan.decide_before:
                day = handler_day(plan.submit_day, 0)
            story.not_accept(day, **dict(zip(("reason", "legal_ground"), rng.choice(NOT_ACCEPTED), strict=True)))
            return
        if plan.correction == "before":
            story.request_correction(day, in_person=rng.random() < 0.3)
            if outcome == "lapsed":
                story.lapse()
                return
            back = add_workdays(day, rng.randint(1, min(8, plan.procedure.correction_days)))
            story.resubmit(back)
            day = handler_day(back, rng.choice((0, 1, 1, 2)))
        if outcome == "withdrawn" and (plan.decide_before is not None or rng.random() < 0.4):
            story.withdraw(day, reason=rng.choice(WITHDRAW_REASONS))
            return
        accepted = day
        story.accept(accepted, in_person=rng.random() < IN_PERSON_ACCEPT)
        # Working days the clock runs until the decision: within the promised limit, or past it.
        running = promised + rng.randint(1, 6) if plan.late else rng.randint(max(1, promised // 3), promised)
        review = handler_day(accepted, rng.choice((0, 0, 1, 2))) if rng.random() < 0.8 else None
        if plan.correction == "during" or outcome == "lapsed":
            stop = add_workdays(accepted, rng.randint(1, max(1, min(running - 1, 4))))
            if review is not None and review < stop:
                story.start_review(review)
            story.request_correction(stop, in_person=rng.random() < 0.3)
            if outcome == "lapsed":
                story.lapse()
                return
            back = add_workdays(stop, rng.randint(2, min(10, plan.procedure.correction_days)))
            story.resubmit(back)
            decision = add_workdays(back, max(1, running - workdays_between(accepted, stop)))
        else:
            if review is not None:
                story.start_review(review)
            decision = max(add_workdays(accepted, running), story.last_day())
        if outcome == "withdrawn":
            story.withdraw(max(workdays_back(decision, rng.randint(1, 3)), story.last_day()), reason=rng.choice(WITHDRAW_REASONS))
            return
        self._decide(story, plan, decision)

    def _fixed(self, story: Story, plan: Plan) -> None:
        """Between a given submission day and a given decision day (annual reports, charity
        recognitions: the day the registry has)."""
        rng, promised = self.rng, plan.procedure.promised_days
        submit, decision = plan.submit_day, plan.decide_on
        story.submit(submit)
        accepted = min(handler_day(submit, rng.choice((0, 1, 1, 2, 3))), decision)
        story.accept(accepted, in_person=rng.random() < IN_PERSON_ACCEPT)
        running = workdays_between(accepted, decision)
        # A filing decided later than promised mostly waited for materials (补正).
        if running > promised + 1 and rng.random() < 0.8:
            stop = add_workdays(accepted, rng.randint(1, 3))
            back = add_workdays(stop, max(running - promised + rng.randint(-1, 2), 1))
            if stop < back < decision:
                story.start_review(stop)
                story.request_correction(stop, in_person=rng.random() < 0.2)
                story.resubmit(back)
        elif accepted < decision and rng.random() < 0.8:
            story.start_review(min(handler_day(accepted, rng.choice((0, 1))), decision))
        self._decide(story, plan, decision)

    def _decide(self, story: Story, plan: Plan, day: dt.date) -> None:
        if plan.keep_open:
            return
        day = max(day, story.last_day())
        if plan.outcome == "refused":
            reason, ground = REFUSED[plan.procedure.kind]
            story.refuse(day, reason=reason, legal_ground=ground)
        else:
            in_person = self.rng.random() < IN_PERSON_APPROVE.get(plan.procedure.kind, 0.02)
            story.approve(day, values=plan.decision_values, in_person=in_person)

    # -- writing
    def run(self) -> list[Story]:
        stories = [s for s in (self.play(p) for p in self.plans()) if s.events]
        stories.sort(key=lambda s: (s.filing.submitted_at, s.plan.subject_name))
        self._number(stories)
        self._registry(stories)
        self._applicants(stories)
        self._write(stories)
        return stories

    def _number(self, stories: list[Story]) -> None:
        """BJ<year><seq> in order of first submission, as services.next_filing_number issues them."""
        by_year: dict[int, list[Story]] = defaultdict(list)
        for story in stories:
            by_year[timezone.localtime(story.filing.submitted_at).year].append(story)
        for year, group in sorted(by_year.items()):
            sequence, _created = FilingSequence.objects.get_or_create(year=year)
            for n, story in enumerate(group, start=sequence.last + 1):
                story.filing.number = f"BJ{year}{n:06d}"
            sequence.last += len(group)
            sequence.save(update_fields=["last"])

    def _registry(self, stories: list[Story]) -> None:
        """What each approval does to the registry, in the order of the decisions. An approval
        the registry's rules refuse (they are checked again on the day) becomes a refusal."""
        approved = [s for s in stories if s.filing.decision == Decision.APPROVED]
        for story in sorted(approved, key=lambda s: s.filing.decided_at):
            try:
                with transaction.atomic():
                    self._apply(story)
            except ValidationError as exc:
                self.log(f"{story.filing.number} {story.plan.subject_name}: refused ({'; '.join(exc.messages)})")
                story.refused_instead(*REFUSED[story.filing.procedure.kind])

    def _apply(self, story: Story) -> None:
        from shezhi.registry import services as registry

        f, kind = story.filing, story.filing.procedure.kind
        source, reason = services._source(f), f"{f.procedure.name}（{f.number}）"
        if kind == K.ESTABLISHMENT:
            data = services._registry_values(f)
            data.update({"credit_code": f.decision_data["credit_code"], "founded_on": f.done_on, "town": f.town})
            org = registry.organization_register(data=data, by=None, source=source, reason=reason)
        elif kind == K.TOWN_FILING:
            data = services._registry_values(f)
            data.pop("town", None)
            data["founded_on"] = f.done_on
            org = registry.organization_file(town=f.town, data=data, by=None, source=source)
        elif kind in (K.DEREGISTRATION, K.TOWN_DEFILING):
            registry.organization_set_status(
                organization=f.organization, status=OrganizationStatus.DEREGISTERED, by=None, reason=reason, on=f.done_on, source=source
            )
            return
        elif kind == K.RATING:
            from shezhi.inspection.services import rating_assessment_open, rating_decide

            assessment = rating_assessment_open(organization=f.organization, by=None, filing_number=f.number, on=f.accepted_on)
            values = f.decision_data
            rating_decide(assessment=assessment, by=None, score=values["total_score"], note=values.get("remarks") or "", on=f.done_on)
            return
        else:
            return
        Organization.objects.filter(pk=org.pk).update(is_demo=True)
        f.organization, f.subject_name = org, org.name

    def _applicants(self, stories: list[Story]) -> None:
        """An account per organization that files, and one per person who applied for an
        organization being set up (an organization's account once it is approved)."""
        wanted: dict[str, dict] = {}
        for story in stories:
            f = story.filing
            if f.procedure.applicant == "prospective":
                person = f.data.get("legal_representative") or "申请人"
                wanted[USERNAME.format(f.number.lower())] = {
                    "role": Role.ORGANIZATION if f.organization else Role.PUBLIC,
                    "organization": f.organization,
                    "display_name": person,
                }
            else:
                wanted[USERNAME.format(f"org-{f.organization.pk}")] = {
                    "role": Role.ORGANIZATION,
                    "organization": f.organization,
                    "display_name": f.organization.name[:60],
                }
        existing = {u.username: u for u in User.objects.filter(username__in=list(wanted))}
        new = [
            User(username=name, password=make_password(None), **fields) for name, fields in sorted(wanted.items()) if name not in existing
        ]
        User.objects.bulk_create(new, batch_size=BATCH)
        users = {**existing, **{u.username: u for u in new}}
        for story in stories:
            f = story.filing
            key = f.number.lower() if f.procedure.applicant == "prospective" else f"org-{f.organization.pk}"
            f.applicant = users[USERNAME.format(key)]

    def _write(self, stories: list[Story]) -> None:
        filings = [s.filing for s in stories]
        Filing.objects.bulk_create(filings, batch_size=BATCH)
        stops, events, materials = [], [], []
        for story in stories:
            f = story.filing
            for stop in story.stops:
                stop.filing = f
                stops.append(stop)
            for e in story.events:
                actor = e.pop("actor")
                by = f.applicant if actor == "applicant" else None
                label = actor_label(by) if by else (story.handler_label if actor == "handler" else "")
                events.append(WorkflowEvent(item_type=ITEM_TYPE, item_id=str(f.pk), by=by, by_label=label, **e))
            for requirement, at in story.uploads:
                token = hashlib.sha256(f"{f.number}:{requirement.code}:{at.isoformat()}".encode()).hexdigest()[:32]
                materials.append(
                    Material(
                        filing=f,
                        requirement=requirement,
                        original_name=f"{requirement.name}.pdf"[:200],
                        stored_name=f"{f.pk}/{token}.pdf",
                        content_type="application/pdf",
                        size=len(DEMO_PDF),
                        sha256=DEMO_PDF_SHA256,
                        uploaded_by=f.applicant,
                        uploaded_at=at,
                    )
                )
            # The draft was started a little before its first upload; the row last changed at its last step.
            f.created_at = (story.uploads[0][1] if story.uploads else f.submitted_at) - dt.timedelta(minutes=self.rng.randint(5, 120))
            f.updated_at = story.events[-1]["at"]
        ClockStop.objects.bulk_create(stops, batch_size=BATCH)
        # auto_now_add stamps the moment of seeding on the objects: put back the story's times.
        times = [e.at for e in events], [m.uploaded_at for m in materials]
        WorkflowEvent.objects.bulk_create(events, batch_size=BATCH)
        Material.objects.bulk_create(materials, batch_size=BATCH)
        for event, at in zip(events, times[0], strict=True):
            event.at = at
        for material, at in zip(materials, times[1], strict=True):
            material.uploaded_at = at
        Filing.objects.bulk_update(filings, ["created_at", "updated_at"], batch_size=BATCH)
        WorkflowEvent.objects.bulk_update(events, ["at"], batch_size=BATCH)
        Material.objects.bulk_update(materials, ["uploaded_at"], batch_size=BATCH)
        self._link_inspections(stories)
        self._documents(stories)
        folder = uploads.materials_dir()
        for material in materials:
            path = folder / material.stored_name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(DEMO_PDF)

    def _documents(self, stories: list[Story]) -> None:
        """The notices and decisions each step issues (services._issue and _issue_approval),
        dated on the step's day, numbered per kind and year in the order issued. Their PDF is
        rendered from the stored text when first downloaded (documents.services.document_pdf)."""
        issued: list[tuple[dt.datetime, Document]] = []
        for story in stories:
            for event in story.events:
                doc = _document(story, event)
                if doc is not None:
                    issued.append((event["at"], doc))
        issued.sort(key=lambda pair: (pair[0], pair[1].subject_id))
        counters: dict[tuple[str, int], int] = {}
        codes = set(Document.objects.values_list("verification_code", flat=True))
        for _at, doc in issued:
            key = (doc.kind, doc.issued_on.year)
            if key not in counters:
                counters[key] = (
                    DocumentSequence.objects.filter(kind=doc.kind, year=doc.issued_on.year).values_list("last", flat=True).first() or 0
                )
            counters[key] += 1
            doc.number = f"社{NUMBER_MARK[DocumentKind(doc.kind)]}〔{doc.issued_on.year}〕{counters[key]}号"
            while not doc.verification_code or doc.verification_code in codes:
                doc.verification_code = "".join(self.rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            codes.add(doc.verification_code)
        docs = [doc for _at, doc in issued]
        Document.objects.bulk_create(docs, batch_size=BATCH)
        for at, doc in issued:
            doc.created_at = at
        Document.objects.bulk_update(docs, ["created_at"], batch_size=BATCH)
        for (kind, year), last in counters.items():
            DocumentSequence.objects.update_or_create(kind=kind, year=year, defaults={"last": last})

    def _link_inspections(self, stories: list[Story]) -> None:
        """The inspection results now stand for their online reports (as on_approved records them)."""
        from shezhi.inspection.models import AnnualInspection

        rows = []
        for story in stories:
            row = story.plan.inspection
            if row is not None and story.filing.decision == Decision.APPROVED:
                row.filing_number = story.filing.number
                rows.append(row)
        AnnualInspection.objects.bulk_update(rows, ["filing_number"], batch_size=BATCH)


def _document(story: Story, event: dict) -> Document | None:
    """The document the step of `event` issues, with the text the service writes (numbered later)."""
    f, procedure, step = story.filing, story.filing.procedure, event["transition"]
    day = timezone.localtime(event["at"]).date()
    received = chinese_date(timezone.localtime(f.submitted_at).date())
    opening = f"你（单位）于{received}提交的{procedure.name}申请（办件编号：{f.number}），"
    facts: list[tuple[str, str]] = []
    if step == "accept":
        due = add_workdays(day, procedure.promised_days)
        kind, title = DocumentKind.ACCEPTANCE, "受理通知书"
        body = [
            opening + "申请材料齐全、符合法定形式，本机关决定予以受理。",
            f"本机关将在受理之日起{procedure.promised_days}个工作日内（承诺时限；法定时限为{procedure.statutory_days}个工作日）"
            f"作出决定，预计于{chinese_date(due)}前办结。需要补正材料的，补正期间不计入办理时限。",
        ]
        facts = [("受理日期", day.isoformat())]
    elif step == "request_correction":
        due = dt.date.fromisoformat(event["data"]["due"])
        kind, title = DocumentKind.CORRECTION, "补正材料通知书"
        body = [
            opening + f"申请材料不齐全或者不符合法定形式，请于{chinese_date(due)}前通过网上办理补正以下材料：",
            *[f"- {n}. {name}" for n, name in enumerate(event["data"]["items"], start=1)],
        ]
        if event["note"]:
            body.append(f"说明：{event['note']}")
        body.append("补正期间不计入办理时限。逾期未补正的，视为放弃申请。")
        facts = [("补正期限", due.isoformat())]
    elif step in ("not_accept", "refuse"):
        ground = event["data"].get("legal_ground", "")
        if step == "not_accept":
            kind, title, verdict = DocumentKind.NON_ACCEPTANCE, "不予受理通知书", "不予受理"
            body = [opening + "经审查，本机关决定不予受理。", f"理由：{event['note']}"]
        else:
            kind, title, verdict = DocumentKind.REFUSAL, procedure.refusal_title, "不予批准"
            body = [opening + "经审查，本机关决定不予批准。", f"理由：{event['note']}"]
        body += [f"依据：{ground}"] if ground else []
        body.append(services.APPEAL_RIGHTS)
        facts = [("结论", verdict)]
    elif step == "approve":
        kind, title, body, facts = _approval(f, opening)
    else:
        return None
    return Document(
        kind=kind,
        title=title,
        issued_on=day,
        authority_name=story.handler_label,
        addressee=f.subject_name,
        body=body,
        public_facts=[list(pair) for pair in [("事项", procedure.name), ("办件编号", f.number), *facts]],
        subject_type=ITEM_TYPE,
        subject_id=str(f.pk),
    )


def _approval(f: Filing, opening: str) -> tuple[str, str, list[str], list[tuple[str, str]]]:
    """services._issue_approval's text."""
    procedure, org = f.procedure, f.organization
    facts: list[tuple[str, str]] = [("结论", "准予")]
    if procedure.kind == K.TOWN_FILING and org is not None:
        lines = [
            f"{org.name}：经审核，符合社区社会组织备案条件，准予备案。",
            f"备案编号：{org.filing_number}",
            f"所在镇（街道）：{org.town.name}" + (f"　所在社区：{org.community.name}" if org.community_id else ""),
            f"类别：{org.get_community_category_display()}",
        ]
        return DocumentKind.FILING_CERTIFICATE, procedure.approval_title, lines, [*facts, ("备案编号", org.filing_number)]
    lines = [opening + "经审查，符合规定条件，本机关决定准予。"]
    if procedure.kind == K.ESTABLISHMENT and org is not None:
        lines.append(f"统一社会信用代码：{org.credit_code}")
        facts.append(("统一社会信用代码", org.credit_code))
    if procedure.kind in (K.CHANGE, K.REELECTION, K.ESTABLISHMENT):
        registry_specs = [spec for spec in procedure.form_fields if spec.get("registry_field")]
        lines += [f"- {label}：{shown}" for label, shown in fieldspec.labelled(registry_specs, f.data)]
    for label, shown in fieldspec.labelled(procedure.decision_fields, f.decision_data):
        lines.append(f"{label}：{shown}")
        facts.append((label, shown))
    return DocumentKind.APPROVAL, procedure.approval_title, lines, facts


def _noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=timezone.get_current_timezone())


# One small PDF stands for every demo material (what a scanned page would be).
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
    b"4 0 obj<</Length 58>>stream\nBT /F1 18 Tf 72 760 Td (Shezhi demo material) Tj ET\nendstream endobj\n"
    b"5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
DEMO_PDF_SHA256 = hashlib.sha256(DEMO_PDF).hexdigest()


def seed(scale_name: str, seed: int, log: Callable[[str], None], *, today: dt.date | None = None) -> int:
    """Seed the home city's filings (settings.SHEZHI_CITY_CODE); returns how many were made.
    `today` (tests) stands for the day of seeding, with every step of that day done."""
    city = Area.objects.filter(code=settings.SHEZHI_CITY_CODE, level=AreaLevel.CITY).first()
    if city is None or not ProcedureType.objects.exists():
        log("no home city or no procedure types: nothing to do")
        return 0
    if Filing.objects.filter(city=city).exists():
        log(f"{city.name} already has filings: nothing to do")
        return 0
    if today is None:
        today, now = timezone.localdate(), timezone.now()
    else:
        now = dt.datetime.combine(today, dt.time(23, 59, 59), tzinfo=timezone.get_current_timezone())
    sizes = SIZES.get(scale_name, SIZES["city"])
    with transaction.atomic():
        stories = Seeder(city=city, sizes=sizes, seed=seed, today=today, now=now, log=log).run()
    filings = [s.filing for s in stories]
    decided = [f for f in filings if f.status in (S.DONE, S.NOT_ACCEPTED)]
    timed = [f for f in decided if f.on_time is not None]
    log(
        f"{len(filings)} filings in {city.name}: {len(decided)} decided "
        f"({sum(f.decision == Decision.APPROVED for f in decided)} approved), "
        f"{sum(f.status == S.WITHDRAWN for f in filings)} withdrawn, {sum(f.is_open for f in filings)} open; "
        f"{sum(f.fully_online for f in decided)} of the decided fully online, {sum(bool(f.on_time) for f in timed)} on time"
    )
    return len(filings)
