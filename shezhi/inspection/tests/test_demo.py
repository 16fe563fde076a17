import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from shezhi.inspection import demo
from shezhi.inspection.models import AnnualInspection
from shezhi.inspection.rules import annual_report_due, annual_report_obligation
from shezhi.registry.models import Organization, RegistrationKind

pytestmark = pytest.mark.django_db


def test_demo_results_are_plausible_and_leave_some_unreported(monkeypatch):
    from shezhi import extensions

    monkeypatch.setattr(extensions, "_seeders", {"inspection": extensions._seeders["inspection"]})
    call_command("seed_demo", scale="tiny", seed=3, registered=300, filed=10, stdout=None)
    today = timezone.localdate()
    results = list(AnnualInspection.objects.select_related("organization"))
    assert results
    for r in results:
        org = r.organization
        assert org.registration == RegistrationKind.REGISTERED and org.is_demo
        assert annual_report_obligation(org, r.year).required
        assert r.reported_on <= r.decided_on <= today
        assert r.late == (r.reported_on > annual_report_due(org, r.year).bureau)
    year = today.year - 1
    obliged = [
        o for o in Organization.objects.filter(registration=RegistrationKind.REGISTERED) if annual_report_obligation(o, year).required
    ]
    reported = AnnualInspection.objects.filter(year=year).count()
    if annual_report_due(obliged[0], year).bureau < today - dt.timedelta(days=60):
        # Most reported, not all: the not-reported list and the credit queue have something to show.
        assert 0.85 * len(obliged) < reported < len(obliged)
    # Seeding again adds nothing.
    before = AnnualInspection.objects.count()
    demo.seed("tiny", 3, lambda message: None)
    assert AnnualInspection.objects.count() == before
