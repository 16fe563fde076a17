"""Demo filings: the stored figures are the ones the services would have stored, the same
seed gives the same filings, a second run adds nothing, and the pages and the targets
dashboard's service panel show them."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from shezhi.accounts.models import Role, User
from shezhi.affairs import demo
from shezhi.affairs.models import Decision, Filing, FilingSequence, FilingStatus, Material, ProcedureKind
from shezhi.areas.models import Area, AreaLevel
from shezhi.documents.models import Document, DocumentKind, DocumentSequence
from shezhi.documents.selectors import documents_of
from shezhi.inspection import demo as inspection_demo
from shezhi.inspection.models import AnnualInspection
from shezhi.registry import demo as registry_demo
from shezhi.registry.models import OrganizationStatus
from shezhi.targets.panels import DECIDED_STATUSES, second_panel, year_before
from shezhi.workdays.services import add_workdays, workdays_between
from shezhi.workflow.engine import timeline

pytestmark = pytest.mark.django_db
S = FilingStatus
ISSUING = {"accept", "request_correction", "not_accept", "approve", "refuse"}
DECISION_DOCUMENT = {
    (False, Decision.APPROVED): DocumentKind.APPROVAL,
    (True, Decision.APPROVED): DocumentKind.FILING_CERTIFICATE,
    (False, Decision.REFUSED): DocumentKind.REFUSAL,
    (True, Decision.REFUSED): DocumentKind.REFUSAL,
    (False, Decision.NOT_ACCEPTED): DocumentKind.NON_ACCEPTANCE,
    (True, Decision.NOT_ACCEPTED): DocumentKind.NON_ACCEPTANCE,
}


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def registry(today):
    registry_demo.seed(scale=registry_demo.SCALES["tiny"], seed=1)
    inspection_demo.seed("tiny", 1, lambda message: None)
    return Area.objects.get(code="330482", level=AreaLevel.CITY)


def run(today, seed=1) -> list[str]:
    lines: list[str] = []
    demo.seed("tiny", seed, lines.append, today=today)
    return lines


def snapshot() -> dict:
    filings = list(
        Filing.objects.order_by("number").values_list(
            "number",
            "procedure__code",
            "subject_name",
            "town__code",
            "status",
            "decision",
            "submitted_at",
            "accepted_on",
            "due_on",
            "done_on",
            "workdays_taken",
            "on_time",
            "fully_online",
            "paused_workdays",
            "applicant__username",
            "data",
        )
    )
    events = sorted((e.item_id, e.transition, e.at) for e in demo.WorkflowEvent.objects.filter(item_type="affairs.filing"))
    numbers = dict(Filing.objects.values_list("pk", "number"))
    documents = sorted(
        (numbers[int(d.subject_id)], d.kind, d.number, d.verification_code, d.issued_on, d.body) for d in Document.objects.all()
    )
    return {"filings": filings, "events": sorted((numbers[int(i)], t, at) for i, t, at in events), "documents": documents}


def test_stored_figures_are_the_ones_the_services_compute(registry, today):
    lines = run(today)
    city = registry
    filings = list(Filing.objects.filter(city=city).select_related("procedure").prefetch_related("clock_stops"))
    assert 30 <= len(filings) <= 120, len(filings)
    assert lines and "filings in" in lines[-1]
    decided = [f for f in filings if f.status in DECIDED_STATUSES]
    for f in decided:
        submitted = timezone.localtime(f.submitted_at).date()
        stops = list(f.clock_stops.all())
        # Every clock stop is closed and counted in working days; the filing adds them up.
        assert all(s.ended_on and s.workdays == workdays_between(s.started_on, s.ended_on) for s in stops)
        assert f.paused_workdays == sum(s.workdays for s in stops)
        assert f.workdays_taken == workdays_between(submitted, f.done_on) - f.paused_workdays
        assert f.done_on >= submitted and f.done_on <= today
        assert timezone.localtime(f.decided_at).date() == f.done_on
        if f.accepted_on:
            # The promised date runs from acceptance and moves by the stops after it.
            due = add_workdays(f.accepted_on, f.procedure.promised_days)
            for s in stops:
                if s.started_on >= f.accepted_on:
                    due = add_workdays(due, s.workdays)
            assert f.due_on == due
            assert f.statutory_due_on >= f.due_on
            assert f.on_time == (f.done_on <= f.due_on)
        else:
            assert f.status == S.NOT_ACCEPTED
            assert f.on_time == (f.workdays_taken <= f.procedure.promised_days)
        assert (f.status == S.NOT_ACCEPTED) == (f.decision == Decision.NOT_ACCEPTED)
        # The timeline goes from submission to this decision, each step from the state the last one left.
        steps = list(timeline(f))
        assert steps[0].transition == "submit" and steps[0].at == f.submitted_at
        assert all(a.to_status == b.from_status and a.at <= b.at for a, b in itertools.pairwise(steps))
        assert steps[-1].to_status == f.status
        assert len([s for s in steps if s.transition == "request_correction"]) == len(stops)
        # One notice per acceptance and per correction, and the decision, dated on their day.
        docs = list(documents_of(f))
        assert len(docs) == len([s for s in steps if s.transition in ISSUING])
        decision = docs[-1]
        assert decision.kind == DECISION_DOCUMENT[(f.procedure.kind == ProcedureKind.TOWN_FILING, f.decision)]
        assert decision.issued_on == f.done_on and f.number in dict(decision.public_facts).values()
    # Realistic mixes: decided and open, approved and not, online and not, on time and late.
    statuses = Counter(f.status for f in filings)
    decisions = Counter(f.decision for f in decided)
    assert decisions[Decision.APPROVED] > len(decided) * 0.7
    assert decisions[Decision.REFUSED] + decisions[Decision.NOT_ACCEPTED] >= 1
    assert statuses[S.WITHDRAWN] >= 1 and any(f.is_open for f in filings)
    assert 0.6 < sum(f.fully_online for f in decided) / len(decided) < 1
    assert 0.6 < sum(bool(f.on_time) for f in decided) / len(decided) < 1
    assert any(f.paused_workdays for f in decided)
    assert {f.procedure.kind for f in decided} >= {ProcedureKind.ANNUAL_REPORT, ProcedureKind.CHANGE, ProcedureKind.TOWN_FILING}
    # Document numbers are unique per kind and year, and each sequence is past them.
    for (kind, year), n in Counter((d.kind, d.issued_on.year) for d in Document.objects.all()).items():
        assert DocumentSequence.objects.get(kind=kind, year=year).last == n
    # Numbers in order of first submission, and the year's sequence past them.
    by_submission = sorted(filings, key=lambda f: f.submitted_at)
    for year in {f.submitted_at.year for f in filings}:
        numbers = [f.number for f in by_submission if timezone.localtime(f.submitted_at).year == year]
        assert numbers == sorted(numbers)
        assert FilingSequence.objects.get(year=year).last == int(numbers[-1][-6:])


def test_open_filings_are_consistent(registry, today):
    run(today)
    for f in Filing.objects.filter(status__in=[S.SUBMITTED, S.CORRECTION, S.ACCEPTED, S.UNDER_REVIEW]):
        assert f.done_on is None and f.workdays_taken is None and f.decision == ""
        if f.status == S.CORRECTION:
            assert f.correction_due_on >= today and f.clock_stops.filter(ended_on=None).count() == 1
        if f.status in (S.ACCEPTED, S.UNDER_REVIEW):
            assert f.due_on >= add_workdays(f.accepted_on, f.procedure.promised_days)


def test_approvals_are_in_the_registry(registry, today):
    run(today)
    approved = Filing.objects.filter(decision=Decision.APPROVED).select_related("procedure", "organization")
    kinds = set()
    for f in approved:
        kind, org = f.procedure.kind, f.organization
        kinds.add(kind)
        if kind in (ProcedureKind.ESTABLISHMENT, ProcedureKind.TOWN_FILING):
            assert org.founded_on == f.done_on and org.is_demo and org.name == f.subject_name
            assert f.applicant.role == Role.ORGANIZATION and f.applicant.organization_id == org.pk
        elif kind in (ProcedureKind.DEREGISTRATION, ProcedureKind.TOWN_DEFILING):
            assert org.status == OrganizationStatus.DEREGISTERED and org.status_changed_on == f.done_on
        elif kind == ProcedureKind.ANNUAL_REPORT:
            row = AnnualInspection.objects.get(organization=org, year=f.data["year"])
            assert row.filing_number == f.number and row.decided_on == f.done_on
            assert row.reported_on == timezone.localtime(f.submitted_at).date()
        elif kind == ProcedureKind.CHANGE:
            changed = [k for k in ("legal_representative", "address", "business_scope") if f.data.get(k)]
            assert changed and all(getattr(org, k) == f.data[k] for k in changed)
        elif kind == ProcedureKind.RATING:
            assert org.rated_on == f.done_on
    assert {ProcedureKind.ANNUAL_REPORT, ProcedureKind.TOWN_FILING} <= kinds


def test_same_seed_same_filings_and_a_second_run_adds_nothing(registry, today):
    with transaction.atomic():
        run(today)
        first = snapshot()
        transaction.set_rollback(True)
    assert not Filing.objects.exists()
    run(today)
    assert snapshot() == first

    def counts():
        return [m.objects.count() for m in (Filing, demo.WorkflowEvent, Material, User, Document)]

    before = counts()
    assert "nothing to do" in run(today)[-1]
    assert counts() == before


def test_the_service_panel_shows_the_decisions(registry, today):
    run(today)
    panel = second_panel(registry, today)
    services = panel["services"]
    window = Filing.objects.filter(city=registry, status__in=DECIDED_STATUSES, done_on__gt=year_before(today), done_on__lte=today)
    assert services.decided == window.count() > 0
    assert services.online_share is not None and services.on_time_rate is not None and services.median_workdays is not None
    assert panel["kinds"] and sum(k.decided for k in panel["kinds"]) == services.decided
    assert sum(m.decided for m in panel["months"]) == services.decided
    town = Area.objects.get(pk=window.values_list("town", flat=True).first())
    assert second_panel(town, today)["services"].decided == window.filter(town=town).count()


def test_the_filing_page_shows_its_steps_and_materials(registry, today, client):
    run(today)
    bureau = User.objects.create_user(username="bureau", password="x", role=Role.BUREAU, area=registry)
    filing = Filing.objects.filter(status=S.DONE, paused_workdays__gt=0).first() or Filing.objects.filter(status=S.DONE).first()
    client.force_login(bureau)
    response = client.get(reverse("affairs:detail", args=[filing.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert filing.number in page and filing.subject_name in page
    steps = response.context["steps"]
    assert len(steps) == timeline(filing).count() >= 3
    # Every required material is there, and downloads.
    assert not any(row["missing"] for row in response.context["checklist"])
    material = filing.materials.first()
    download = client.get(reverse("affairs:material", args=[filing.pk, material.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    # Its notices and decision are listed, download as PDF and can be verified by anyone.
    documents = list(response.context["documents"])
    assert [d.kind for d in documents][-1] in (DocumentKind.APPROVAL, DocumentKind.FILING_CERTIFICATE, DocumentKind.REFUSAL)
    pdf = client.get(reverse("affairs:document", args=[filing.pk, documents[-1].pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    client.logout()
    assert client.get(reverse("documents:verify", args=[documents[-1].verification_code])).status_code == 200
    # The applicant's account sees it too; the metrics page counts it.
    client.force_login(filing.applicant)
    assert client.get(reverse("affairs:detail", args=[filing.pk])).status_code == 200
    client.force_login(bureau)
    metrics = client.get(reverse("affairs:metrics"), {"year": filing.done_on.year})
    assert metrics.status_code == 200
    assert any(r["done"] for r in metrics.context["rows"])


def test_nothing_without_the_home_city(db, today):
    assert "nothing to do" in run(today)[-1]
    assert not Filing.objects.exists()


def test_registered_as_a_demo_seeder(db):
    from shezhi.extensions import demo_seeders

    seeder = next(s for s in demo_seeders() if s.key == "affairs")
    assert seeder.run is demo.seed and seeder.order == 70


def test_workdays_back_is_the_inverse_of_add_workdays(db):
    day = dt.date(2026, 10, 9)  # after the National Day holiday
    for n in (1, 3, 8):
        assert add_workdays(demo.workdays_back(day, n), n) == day
