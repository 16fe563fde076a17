"""Demo credit data on top of the demo registry: a few demo organizations on the lists, some
penalties and some cases in the review queue, so that a fresh `make run` shows a non-empty
lists page and queue. Deterministic for a seed; touches demo organizations only; written
through the services (so registry status, audit and history agree)."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from shezhi.credit import services
from shezhi.credit.detection import Detected, propose
from shezhi.credit.models import ListEntry, ListKind, PenaltyKind, Proposal, ProposalAction
from shezhi.registry.models import Organization, OrganizationStatus, RegistrationKind

# How many demo organizations get each kind of record, per scale.
SIZES = {"tiny": 1, "city": 2, "province": 4}


def _number(prefix: str, year: int, n: int) -> str:
    return f"{prefix}〔{year}〕{n}号"


@transaction.atomic
def seed_credit(*, scale_name: str, seed: int, log) -> None:
    per = SIZES.get(scale_name, 2)
    rng = random.Random(f"credit:{seed}")
    today = timezone.localdate()
    if ListEntry.objects.filter(organization__is_demo=True).exists():
        log("credit demo data already present")
        return
    cities = list(
        Organization.objects.filter(is_demo=True, registration=RegistrationKind.REGISTERED, status=OrganizationStatus.NORMAL)
        .order_by()
        .values_list("city_id", flat=True)
        .distinct()
    )
    made = {"abnormal": 0, "serious": 0, "penalties": 0, "proposals": 0}
    for city_id in sorted(cities):
        ids = list(
            Organization.objects.filter(
                is_demo=True,
                city_id=city_id,
                registration=RegistrationKind.REGISTERED,
                status=OrganizationStatus.NORMAL,
                founded_on__lte=dt.date(today.year - 4, 1, 1),
            )
            .order_by("id")
            .values_list("id", flat=True)[:2000]
        )
        if len(ids) < 5 * per:
            continue
        picks = rng.sample(ids, 5 * per)
        orgs = {o.pk: o for o in Organization.objects.filter(pk__in=picks)}
        groups = [picks[i * per : (i + 1) * per] for i in range(5)]
        year = today.year
        n = 1
        # 1. On the abnormal list for a report not filed last year, or an unreachable address.
        for i, pk in enumerate(groups[0]):
            ground = "annual_report_missed" if i % 2 == 0 else "address_unreachable"
            included = today - dt.timedelta(days=rng.randint(30, 300))
            services.entry_include(
                organization=orgs[pk],
                list_kind=ListKind.ABNORMAL,
                ground=ground,
                included_on=included,
                decision_number=_number("平民异", included.year, n),
                reason="演示数据",
                by=None,
            )
            n += 1
            made["abnormal"] += 1
        # 2. A large fine: the penalty, and its serious-list case confirmed by the bureau.
        for pk in groups[1]:
            decided = today - dt.timedelta(days=rng.randint(60, 400))
            penalty = services.penalty_record(
                organization=orgs[pk],
                kind=PenaltyKind.FINE,
                fine_amount=rng.choice([60000, 80000, 100000]),
                decided_on=decided,
                legal_basis="《社会团体登记管理条例》第三十条",
                decision_number=_number("平民罚", decided.year, n),
                facts="演示数据：违反规定收取费用",
                by=None,
            )
            proposal = Proposal.objects.get(organization_id=pk, source=f"penalty:{penalty.pk}")
            services.proposal_confirm(
                proposal=proposal, by=None, decided_on=today, decision_number=_number("平民严", today.year, n), note="演示数据"
            )
            n += 1
            made["penalties"] += 1
            made["serious"] += 1
        # 3. Warnings: recorded, proposed for the abnormal list, awaiting the bureau.
        for pk in groups[2]:
            decided = today - dt.timedelta(days=rng.randint(5, 60))
            services.penalty_record(
                organization=orgs[pk],
                kind=PenaltyKind.WARNING,
                decided_on=decided,
                legal_basis="《社会服务机构登记管理条例》第三十九条",
                decision_number=_number("平民罚", decided.year, n),
                facts="演示数据：未按规定办理变更登记",
                by=None,
            )
            n += 1
            made["penalties"] += 1
        # 4. On the abnormal list for more than two years: an escalation case in the queue.
        for pk in groups[3]:
            included = dt.date(year - 3, rng.randint(1, 12), rng.randint(1, 28))
            entry = services.entry_include(
                organization=orgs[pk],
                list_kind=ListKind.ABNORMAL,
                ground="address_unreachable",
                included_on=included,
                decision_number=_number("平民异", included.year, n),
                reason="演示数据",
                by=None,
            )
            n += 1
            made["abnormal"] += 1
            from shezhi.credit.detection import detect_escalations

            items = [d for d in detect_escalations(today) if d.entry_id == entry.pk]
            made["proposals"] += propose(items, on=today, source_label="demo")
        # 5. Annual reports not filed: cases in the queue.
        items = [
            Detected(
                organization_id=pk,
                source=f"annual_report:{year - 1}:org-{pk}",
                list_kind=ListKind.ABNORMAL,
                ground_code="annual_report_missed",
                evidence=f"演示数据：{year - 1}年度工作报告未按期报送。",
                action=ProposalAction.INCLUDE,
            )
            for pk in groups[4]
        ]
        made["proposals"] += propose(items, on=today, source_label="demo")
    log(
        f"{made['abnormal']} on the abnormal list, {made['serious']} on the serious list, "
        f"{made['penalties']} penalties, {made['proposals']} cases in the queue"
    )
