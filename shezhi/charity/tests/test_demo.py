"""Demo charities: deterministic, on demo organizations only, one item late, one corrected."""

import io

import pytest
from django.core.management import call_command

from shezhi.charity.models import Disclosure
from shezhi.charity.selectors import obligations
from shezhi.registry.models import Organization

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_demo_charities_with_disclosures():
    call_command("seed_demo", scale="tiny", seed=5, stdout=io.StringIO())
    charities = list(Organization.objects.filter(is_charity=True).order_by("pk"))
    assert all(o.is_demo for o in charities)
    assert Organization.objects.filter(fundraising_campaigns__isnull=False).distinct().count() == 2
    published = Disclosure.objects.filter(status="published")
    assert published.exists() and all(d.organization.is_demo for d in published)
    assert Disclosure.objects.filter(corrects__isnull=False).count() == 1
    assert not published.filter(created_by__isnull=False).exists()  # no account is made up for demo items
    assert any(d.late for d in published)
    late = [(org.pk, o.key) for org in charities for o in obligations(org) if o.state == "late"]
    assert len(late) == 1 and late[0][1].endswith(":2")  # the one missing periodic report
