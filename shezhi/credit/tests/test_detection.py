"""The daily detection: each detector at its edge dates, and idempotency."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from shezhi.credit import detection, services
from shezhi.credit.detection import Detected, detect, detector
from shezhi.credit.models import ListEntry, ListKind, PenaltyKind, Proposal, ProposalAction, ProposalStatus
from shezhi.inspection.models import AnnualInspection, InspectionRules
from shezhi.jobs.models import DailyRun

pytestmark = pytest.mark.django_db
D = dt.date


def sources(org) -> set[str]:
    return set(Proposal.objects.filter(organization=org).values_list("source", flat=True))


def report(org, year, on):
    return AnnualInspection.objects.create(organization=org, year=year, result="qualified", reported_on=on, decided_on=on)


# --- annual report not filed ------------------------------------------------------------


def test_annual_report_deadline_day_is_on_time_the_day_after_is_not(orgs):
    key = f"annual_report:2025:org-{orgs.reg_a.pk}"
    detect(D(2026, 5, 31))
    assert key not in sources(orgs.reg_a)
    detect(D(2026, 6, 1))
    assert key in sources(orgs.reg_a)
    p = Proposal.objects.get(organization=orgs.reg_a, source=key)
    assert p.list_kind == ListKind.ABNORMAL and p.ground.code == "annual_report_missed" and p.action == ProposalAction.INCLUDE
    assert "2026-05-31" in p.evidence and "2026-06-01" in p.evidence and "2025" in p.evidence
    assert p.detected_on == D(2026, 6, 1)


def test_reported_organizations_filed_ones_and_other_cities(orgs, areas):
    report(orgs.reg_a, 2025, D(2026, 5, 31))
    detect(D(2026, 6, 1))
    assert not sources(orgs.reg_a)
    # Filed community organizations report to their town, not to the bureau.
    assert not sources(orgs.filed_a)
    # The job covers every city.
    assert f"annual_report:2025:org-{orgs.reg_other.pk}" in sources(orgs.reg_other)


def test_next_years_miss_is_a_new_case(orgs):
    detect(D(2026, 6, 1))
    detect(D(2027, 6, 1))
    assert {f"annual_report:2025:org-{orgs.reg_a.pk}", f"annual_report:2026:org-{orgs.reg_a.pk}"} <= sources(orgs.reg_a)


def test_before_the_deadline_the_previous_year_is_checked(orgs):
    """On 2026-03-01 the 2025 report is not due yet; the latest due year is 2024."""
    detect(D(2026, 3, 1))
    assert sources(orgs.reg_a) == {f"annual_report:2024:org-{orgs.reg_a.pk}"}


def test_exempt_when_registered_in_the_second_half_year(make_org):
    late = make_org(founded_on=D(2025, 7, 1))
    early = make_org(founded_on=D(2025, 6, 30))
    detect(D(2026, 6, 1))
    assert not sources(late)
    assert sources(early) == {f"annual_report:2025:org-{early.pk}"}


def test_records_complete_from_limits_the_years(orgs):
    InspectionRules.objects.filter(city=None).update(records_complete_from=2026)
    detect(D(2026, 6, 1))
    assert not sources(orgs.reg_a)


def test_already_on_the_list_for_the_ground_is_skipped_until_removed(orgs, include, users):
    entry = include(orgs.reg_a, D(2025, 7, 1), "annual_report_missed")
    result = detect(D(2026, 6, 1))
    assert not sources(orgs.reg_a)
    assert result.already_listed >= 1
    services.entry_remove(entry=entry, removed_on=D(2026, 6, 2), reason="已补报", by=users.bureau)
    detect(D(2026, 6, 3))
    assert f"annual_report:2025:org-{orgs.reg_a.pk}" in sources(orgs.reg_a)


# --- idempotency --------------------------------------------------------------------------


def test_running_twice_proposes_nothing_twice(orgs, include, penalize):
    include(orgs.reg_b, D(2023, 1, 10))
    penalize(orgs.reg_a, D(2026, 1, 5))
    first = detect(D(2026, 6, 1))
    count = Proposal.objects.count()
    second = detect(D(2026, 6, 1))
    assert first.proposed >= 3
    assert second.proposed == 0
    assert Proposal.objects.count() == count
    assert second.already_proposed >= first.proposed
    # A later day finds nothing new either.
    assert detect(D(2026, 6, 2)).proposed == 0


def test_a_dismissed_case_is_not_proposed_again(orgs, users):
    detect(D(2026, 6, 1))
    p = Proposal.objects.get(organization=orgs.reg_a)
    services.proposal_dismiss(proposal=p, by=users.bureau, note="纸质报告已于5月30日收到")
    detect(D(2026, 6, 2))
    assert Proposal.objects.filter(organization=orgs.reg_a).count() == 1


def test_the_daily_job_and_the_command(orgs):
    call_command("run_daily", "--on", "2026-06-01", "--only", "credit_detection")
    assert DailyRun.objects.filter(key="credit_detection", day=D(2026, 6, 1)).exists()
    count = Proposal.objects.count()
    assert count >= 2
    call_command("run_daily", "--on", "2026-06-01", "--only", "credit_detection", "--force")
    call_command("credit_detect", "--on", "2026-06-01")
    assert Proposal.objects.count() == count


def test_the_command_rejects_a_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("credit_detect", "--on", "2026-02-30")
    with pytest.raises(CommandError):
        call_command("credit_detect", "--only", "nope")


def test_the_bureau_is_told_once_per_run(orgs, users):
    from shezhi.notifications.models import Notification

    detect(D(2026, 6, 1))
    detect(D(2026, 6, 1))
    assert Notification.objects.filter(recipient=users.bureau).count() == 1
    assert Notification.objects.filter(recipient=users.other_bureau).count() == 1


# --- penalties ----------------------------------------------------------------------------


def test_a_warning_is_proposed_for_the_abnormal_list_at_once(orgs, penalize):
    p = penalize(orgs.reg_a, D(2026, 1, 5))
    proposal = Proposal.objects.get(organization=orgs.reg_a, source=f"penalty:{p.pk}")
    assert proposal.list_kind == ListKind.ABNORMAL and proposal.ground.code == "small_penalty"
    assert proposal.status == ProposalStatus.PENDING
    assert not ListEntry.objects.filter(organization=orgs.reg_a).exists()  # proposed, not included


@pytest.mark.parametrize(
    ("amount", "kind", "ground"),
    [(Decimal("49999.99"), ListKind.ABNORMAL, "small_penalty"), (Decimal("50000"), ListKind.SERIOUS, "large_fine")],
)
def test_fine_limit(orgs, penalize, amount, kind, ground):
    p = penalize(orgs.reg_a, D(2026, 1, 5), PenaltyKind.FINE, amount)
    proposal = Proposal.objects.get(source=f"penalty:{p.pk}")
    assert (proposal.list_kind, proposal.ground.code) == (kind, ground)


def test_stop_activities_revocation_and_confiscation(orgs, penalize):
    stop = penalize(orgs.reg_a, D(2026, 1, 5), PenaltyKind.STOP_ACTIVITIES)
    assert Proposal.objects.get(source=f"penalty:{stop.pk}").ground.code == "stop_activities"
    seized = penalize(orgs.reg_b, D(2026, 1, 5), PenaltyKind.CONFISCATION, confiscated="违法所得3000元")
    assert not Proposal.objects.filter(source=f"penalty:{seized.pk}").exists()
    revoked = penalize(orgs.reg_b, D(2026, 2, 5), PenaltyKind.REVOCATION)
    assert Proposal.objects.get(source=f"penalty:{revoked.pk}").ground.code == "revoked"


@pytest.mark.parametrize(
    ("first", "second", "repeat"),
    [
        # The three years ending on 2026-05-10 start on 2023-05-11.
        (D(2023, 5, 10), D(2026, 5, 10), False),
        (D(2023, 5, 11), D(2026, 5, 10), True),
        # Leap day: the three years ending on 2024-02-29 start on 2021-03-01 (2021-02-28 + 1 day).
        (D(2021, 2, 28), D(2024, 2, 29), False),
        (D(2021, 3, 1), D(2024, 2, 29), True),
        # The three years ending on 2024-03-01 start on 2021-03-02.
        (D(2021, 3, 1), D(2024, 3, 1), False),
    ],
)
def test_two_small_penalties_within_three_years(make_org, penalize, first, second, repeat):
    org = make_org()
    penalize(org, first)
    p2 = penalize(org, second, PenaltyKind.FINE, Decimal("1000"))
    proposal = Proposal.objects.get(source=f"penalty:{p2.pk}")
    if repeat:
        assert (proposal.list_kind, proposal.ground.code) == (ListKind.SERIOUS, "repeat_penalties")
        assert first.isoformat() in proposal.evidence and second.isoformat() in proposal.evidence
    else:
        assert (proposal.list_kind, proposal.ground.code) == (ListKind.ABNORMAL, "small_penalty")


def test_a_withdrawn_penalty_does_not_count_towards_repeats(orgs, penalize, users):
    p1 = penalize(orgs.reg_a, D(2025, 1, 5))
    services.penalty_withdraw(penalty=p1, withdrawn_on=D(2025, 3, 1), reason="行政复议撤销", by=users.bureau)
    p2 = penalize(orgs.reg_a, D(2026, 1, 5))
    assert Proposal.objects.get(source=f"penalty:{p2.pk}").ground.code == "small_penalty"
    # Its own pending case was dismissed with the withdrawal.
    assert Proposal.objects.get(source=f"penalty:{p1.pk}").status == ProposalStatus.DISMISSED


def test_penalties_recorded_outside_the_services_are_found_by_the_daily_run(orgs):
    from shezhi.credit.models import Penalty

    p = Penalty.objects.create(
        organization=orgs.reg_a, kind=PenaltyKind.WARNING, legal_basis="x", decision_number="admin-1", decided_on=D(2026, 4, 1)
    )
    detect(D(2026, 4, 2))
    assert Proposal.objects.filter(source=f"penalty:{p.pk}").exists()
    old = Penalty.objects.create(
        organization=orgs.reg_b, kind=PenaltyKind.WARNING, legal_basis="x", decision_number="admin-2", decided_on=D(2020, 4, 1)
    )
    detect(D(2026, 4, 2))
    assert not Proposal.objects.filter(source=f"penalty:{old.pk}").exists()  # older than the removal period


# --- escalation and removal -------------------------------------------------------------


@pytest.mark.parametrize(
    ("included", "quiet", "due"),
    [
        (D(2024, 3, 10), D(2026, 3, 10), D(2026, 3, 11)),
        (D(2024, 2, 29), D(2026, 2, 28), D(2026, 3, 1)),
        (D(2024, 2, 28), D(2026, 2, 28), D(2026, 3, 1)),
    ],
)
def test_escalation_after_two_full_years(orgs, include, included, quiet, due):
    entry = include(orgs.reg_a, included)
    detect(quiet)
    assert not Proposal.objects.filter(organization=orgs.reg_a, action=ProposalAction.ESCALATE).exists()
    detect(due)
    p = Proposal.objects.get(organization=orgs.reg_a, action=ProposalAction.ESCALATE)
    assert p.entry_id == entry.pk and p.source == f"escalate:entry-{entry.pk}"
    assert p.list_kind == ListKind.SERIOUS and p.ground.code == "abnormal_two_years"
    assert included.isoformat() in p.evidence and quiet.isoformat() in p.evidence and due.isoformat() in p.evidence


def test_escalation_period_is_data(orgs, include, credit_rules):
    credit_rules.escalate_after_years = 3
    credit_rules.save()
    include(orgs.reg_a, D(2022, 5, 1))
    detect(D(2025, 5, 1))
    assert not Proposal.objects.filter(action=ProposalAction.ESCALATE).exists()
    detect(D(2025, 5, 2))
    assert Proposal.objects.filter(action=ProposalAction.ESCALATE).exists()


def test_serious_removal_after_five_years_without_new_grounds(orgs, include):
    entry = include(orgs.reg_a, D(2020, 4, 1), "judgment_defaulter")
    detect(D(2025, 4, 1))
    assert not Proposal.objects.filter(action=ProposalAction.REMOVE).exists()
    detect(D(2025, 4, 2))
    p = Proposal.objects.get(action=ProposalAction.REMOVE)
    assert p.entry_id == entry.pk and p.source == f"remove:entry-{entry.pk}:since-2020-04-01"
    assert "2025-04-01" in p.evidence


def test_a_new_ground_restarts_the_removal_period(orgs, include, penalize):
    include(orgs.reg_a, D(2020, 4, 1), "judgment_defaulter")
    penalize(orgs.reg_a, D(2021, 6, 15))
    detect(D(2025, 4, 2))
    assert not Proposal.objects.filter(action=ProposalAction.REMOVE).exists()
    detect(D(2026, 6, 15))
    assert not Proposal.objects.filter(action=ProposalAction.REMOVE).exists()
    detect(D(2026, 6, 16))
    p = Proposal.objects.get(action=ProposalAction.REMOVE)
    assert p.source.endswith("since-2021-06-15") and "2021-06-15" in p.evidence


# --- other apps' detectors --------------------------------------------------------------


@pytest.fixture
def extra_detector():
    found: list[Detected] = []
    detector("test_rectification", lambda on: list(found))
    yield found
    detection._detectors.pop("test_rectification", None)


def test_a_registered_detector_feeds_the_queue(orgs, extra_detector):
    extra_detector.append(
        Detected(orgs.reg_b.pk, "rectification:42", ListKind.ABNORMAL, "rectification_not_completed", "整改期限2026-05-01已过")
    )
    extra_detector.append(Detected(orgs.reg_b.pk, "rectification:43", ListKind.ABNORMAL, "no_such_ground", "x"))
    result = detect(D(2026, 5, 2))
    assert result.by_detector["test_rectification"] == 1
    assert result.ignored == 1
    assert Proposal.objects.get(source="rectification:42").ground.code == "rectification_not_completed"
    assert detect(D(2026, 5, 3)).by_detector["test_rectification"] == 0


def test_an_inactive_ground_is_not_proposed(orgs):
    from shezhi.credit.models import Ground

    Ground.objects.filter(code="annual_report_missed").update(active=False)
    detect(D(2026, 6, 1))
    assert not Proposal.objects.exists()


def test_a_case_proposed_by_a_concurrent_run_is_skipped(orgs, monkeypatch):
    """Two runs at the same moment: the second does not see the first's rows when it looks,
    and its insert meets the unique key; the batch falls back to row by row."""
    from shezhi.audit.models import AuditAction, AuditEntry

    detect(D(2026, 6, 1))
    before = Proposal.objects.count()
    Proposal.objects.filter(organization=orgs.reg_b).delete()
    monkeypatch.setattr(detection, "_known_cases", lambda items: set())
    result = detect(D(2026, 6, 1))
    assert result.proposed == 1 and result.already_proposed == before - 1
    assert Proposal.objects.count() == before
    assert AuditEntry.objects.filter(action=AuditAction.CREDIT_PROPOSED).count() == before + 1
