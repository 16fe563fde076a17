"""Demo data and the admin of the rules."""

import datetime as dt

import pytest
from django.urls import reverse

from shezhi.credit.demo import seed_credit
from shezhi.credit.models import CreditRules, Ground, ListEntry, Penalty, Proposal
from shezhi.registry.models import Organization, OrganizationStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_orgs(make_org, orgs):
    made = [make_org(founded_on=dt.date(2012, 1, 1) + dt.timedelta(days=i)) for i in range(6)]
    Organization.objects.filter(pk__in=[o.pk for o in made]).update(is_demo=True)
    return made


def test_demo_data_touches_demo_organizations_only_and_runs_once(demo_orgs, orgs):
    lines: list[str] = []
    seed_credit(scale_name="tiny", seed=1, log=lines.append)
    demo_ids = {o.pk for o in demo_orgs}
    entries = ListEntry.objects.all()
    assert entries.exists() and {e.organization_id for e in entries} <= demo_ids
    assert Penalty.objects.exists() and set(Penalty.objects.values_list("organization_id", flat=True)) <= demo_ids
    assert Proposal.objects.filter(status="pending").exists()
    assert set(Proposal.objects.values_list("organization_id", flat=True)) <= demo_ids
    assert Organization.objects.filter(pk__in=demo_ids, status=OrganizationStatus.SERIOUS_VIOLATION).exists()
    assert Organization.objects.get(pk=orgs.reg_a.pk).status == OrganizationStatus.NORMAL
    counts = (ListEntry.objects.count(), Penalty.objects.count(), Proposal.objects.count())
    seed_credit(scale_name="tiny", seed=1, log=lines.append)
    assert (ListEntry.objects.count(), Penalty.objects.count(), Proposal.objects.count()) == counts
    assert "already present" in lines[-1]


def test_demo_data_needs_enough_demo_organizations(orgs):
    seed_credit(scale_name="tiny", seed=1, log=lambda m: None)
    assert not ListEntry.objects.exists()


@pytest.fixture
def admin_client(client, django_user_model, areas):
    user = django_user_model.objects.create_superuser("root", "root@example.com", "pass-Shezhi-2026")
    client.force_login(user)
    return client


def test_admin_edits_the_rules_and_shows_records_read_only(admin_client, orgs, include):
    entry = include(orgs.reg_a, dt.date(2026, 1, 5))
    rules = CreditRules.objects.get(city=None)
    for url in (
        reverse("admin:credit_creditrules_changelist"),
        reverse("admin:credit_creditrules_change", args=[rules.pk]),
        reverse("admin:credit_ground_changelist"),
        reverse("admin:credit_eligibilityrule_changelist"),
        reverse("admin:credit_listentry_changelist"),
        reverse("admin:credit_listentry_change", args=[entry.pk]),
        reverse("admin:credit_penalty_changelist"),
        reverse("admin:credit_proposal_changelist"),
    ):
        assert admin_client.get(url).status_code == 200, url
    assert admin_client.get(reverse("admin:credit_listentry_add")).status_code == 403
    assert admin_client.post(reverse("admin:credit_ground_delete", args=[Ground.objects.first().pk]), {"post": "yes"}).status_code == 403
