import datetime as dt

import pytest

from shezhi.credit import selectors, services
from shezhi.credit.detection import detect
from shezhi.credit.models import ListKind, PenaltyKind, Proposal, ProposalStatus
from shezhi.registry.models import OrganizationStatus

pytestmark = pytest.mark.django_db


def test_interface_round_trip(orgs, users):
    on = dt.date(2026, 6, 1)
    result = detect(on)
    assert result.proposed >= 1
    again = detect(on)
    assert again.proposed == 0
    p = Proposal.objects.get(organization=orgs.reg_a, source="annual_report:2025:org-%d" % orgs.reg_a.pk)
    services.proposal_confirm(proposal=p, by=users.bureau, decided_on=dt.date(2026, 6, 2), decision_number="平民罚〔2026〕1号")
    p.refresh_from_db()
    assert p.status == ProposalStatus.CONFIRMED
    orgs.reg_a.refresh_from_db()
    assert orgs.reg_a.status == OrganizationStatus.ABNORMAL
    assert selectors.entries_on(orgs.reg_a, dt.date(2026, 6, 2), ListKind.ABNORMAL).count() == 1
    assert selectors.entries_on(orgs.reg_a, dt.date(2026, 6, 1)).count() == 0
    e = selectors.eligibility(orgs.reg_a, "catalogue", dt.date(2026, 6, 3))
    assert not e.ok
    services.penalty_record(
        organization=orgs.reg_b,
        kind=PenaltyKind.WARNING,
        decided_on=dt.date(2026, 3, 1),
        legal_basis="x",
        decision_number="n1",
        by=users.bureau,
    )
    assert selectors.penalties_between(orgs.reg_b, dt.date(2026, 3, 1), dt.date(2026, 3, 1)).count() == 1
    assert Proposal.objects.filter(organization=orgs.reg_b, source__startswith="penalty:").count() == 1
    rec = selectors.credit_record(orgs.reg_a)
    assert len(rec.current_entries) == 1
