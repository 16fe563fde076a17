"""Demo complaints for seed_demo: a handful in the home city, one in each state of the workflow.

They go through the same services as real ones (as the system, since seed_demo runs before
any staff account exists) and are marked is_demo. The tracking numbers and query codes come
from a seeded random stream, so the same seed gives the same ones; they are printed so that
a demo visitor can follow them.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from shezhi.areas.models import Area
from shezhi.complaints import services
from shezhi.complaints.models import Complaint, ComplaintCategory, ComplaintOutcome
from shezhi.registry.models import Organization

HOME_CITY_CODE = "330482"
NOT_ACCEPTED_REASON = "所反映问题属于物业管理纠纷，不属于社会组织登记管理机关职责范围，请向住房和城乡建设部门反映。"
REPLY = "经调查核实，您反映的情况基本属实。我局已约谈该组织负责人，责令其停止相关行为并退还费用。"

# (category code, days ago received, anonymous, final state, description)
PLAN = [
    ("illegal_fees", 2, True, "received", "该组织在开展活动时向参加的老年人收取“会员费”每人200元，未出示任何收费依据。"),
    ("service_quality", 6, False, "accepted", "报名参加的助老服务多次无人上门，电话联系也没有回复。"),
    ("charter_breach", 40, True, "investigating", "该协会以协会名义对外开展商业培训并收取费用，与章程规定的业务范围不符。"),
    ("illegal_fundraising", 20, True, "answered", "有人以该组织名义在小区门口摆摊募捐，没有出示公开募捐资格。"),
    ("illegal_fees", 35, False, "closed", "组织向会员强制摊派年会费用，不交不能参加活动。"),
    ("other", 10, True, "not_accepted", "小区停车位分配不合理，物业不作为。"),
]


def seed_complaints(*, scale_name: str, seed: int, log: Callable[[str], None]) -> None:
    city = Area.objects.filter(code=HOME_CITY_CODE).first()
    if city is None or Complaint.objects.filter(is_demo=True).exists():
        return
    rng = random.Random(f"shezhi-demo:complaints:{seed}")
    orgs = list(Organization.objects.filter(city=city, is_demo=True).order_by("id").values_list("id", flat=True)[:400])
    if not orgs:
        return
    categories = {c.code: c for c in ComplaintCategory.objects.all()}
    outcomes = {o.code: o for o in ComplaintOutcome.objects.all()}
    today = timezone.localdate()
    with transaction.atomic():
        for code, days_ago, anonymous, state, text in PLAN:
            org = Organization.objects.select_related("town").get(pk=rng.choice(orgs))
            data = {
                "organization": org,
                "category": categories.get(code) or next(iter(categories.values())),
                "description": text,
                "anonymous": anonymous,
                "contact_name": "" if anonymous else rng.choice(["王", "李", "张", "陈"]) + rng.choice(["红", "明", "建国", "丽"]),
                "contact_phone": "" if anonymous else f"139{rng.randrange(10**8):08d}",
            }
            submitted = services.complaint_submit(data=data, on=today - dt.timedelta(days=days_ago), rng=rng, is_demo=True)
            c = submitted.complaint
            if state == "not_accepted":
                services._not_accept(c, by=None, note=NOT_ACCEPTED_REASON)
            if state in ("accepted", "investigating", "answered", "closed"):
                services._accept(c, by=None)
            if state in ("investigating", "answered", "closed"):
                services._investigate(c, by=None)
            if state in ("answered", "closed"):
                services._answer(c, by=None, reply=REPLY)
            if state == "closed":
                services._close(c, by=None, outcome=outcomes.get("substantiated"), action_reference="平民责改〔2025〕3号 责令改正通知书")
            log(f"{c.number} (query code {submitted.code}): {state}, {org.name}")
