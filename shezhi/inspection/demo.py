"""Demo annual inspection results, so a fresh `make run` looks like a bureau mid-way
through its work: most registered organizations reported on time for the last years, a
few late, a few not at all (those appear on the not-reported list and, after the daily
run, in the credit review queue) — not every organization at once."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from shezhi.inspection.models import AnnualInspection, InspectionResult
from shezhi.inspection.rules import RulesBook, annual_report_due, annual_report_obligation
from shezhi.registry.models import Organization, RegistrationKind

# Of the organizations obliged to report for a year: how many reported, and of those how many late.
REPORTED_SHARE = 0.97
LATE_SHARE = 0.03
RESULT_WEIGHTS = [(InspectionResult.QUALIFIED, 0.9), (InspectionResult.BASICALLY_QUALIFIED, 0.08), (InspectionResult.UNQUALIFIED, 0.02)]
YEARS_BACK = {"tiny": 2, "city": 3, "province": 1}


def seed(scale: str, seed: int, log: Callable[[str], None]) -> None:
    today = timezone.localdate()
    book = RulesBook.load()
    years = range(today.year - YEARS_BACK.get(scale, 1), today.year)
    orgs = Organization.objects.filter(is_demo=True, registration=RegistrationKind.REGISTERED).order_by("id")
    done = set(AnnualInspection.objects.filter(organization__is_demo=True).values_list("organization_id", "year"))
    rows: list[AnnualInspection] = []
    for org in orgs.only("id", "registration", "status", "founded_on", "legal_form", "supervising_unit", "city_id").iterator(
        chunk_size=2000
    ):
        rules = book.for_city(org.city_id)
        for year in years:
            if (org.pk, year) in done or not annual_report_obligation(org, year, rules=rules).required:
                continue
            deadline = annual_report_due(org, year, rules=rules).bureau
            # One generator per organization and year: the same row gets the same story on every run.
            rng = random.Random(f"inspection-demo-{seed}-{org.pk}-{year}")
            if rng.random() > REPORTED_SHARE:
                continue
            late = rng.random() < LATE_SHARE
            reported = deadline + dt.timedelta(days=rng.randint(1, 40)) if late else deadline - dt.timedelta(days=rng.randint(0, 60))
            if reported > today:
                continue
            decided = min(reported + dt.timedelta(days=rng.randint(5, 30)), today)
            result = rng.choices([r for r, _ in RESULT_WEIGHTS], weights=[w for _, w in RESULT_WEIGHTS])[0]
            rows.append(
                AnnualInspection(
                    organization_id=org.pk, year=year, result=result, reported_on=reported, late=late, decided_on=decided, note="演示数据"
                )
            )
    with transaction.atomic():
        AnnualInspection.objects.bulk_create(rows, batch_size=2000)
    log(f"{len(rows)} annual inspection results for {len(years)} year(s)")
