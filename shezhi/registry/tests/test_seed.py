"""seed_demo: deterministic demo data that the registry's own rules accept."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shezhi.areas.models import Area, AreaLevel
from shezhi.audit.models import AuditEntry
from shezhi.jobs.models import Job
from shezhi.registry import credit_code as cc
from shezhi.registry.models import FilingSequence, Organization
from shezhi.registry.search import search_document, sort_key
from shezhi.registry.services import _add_years, organization_check, organization_check_duplicate, organization_file

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def registry_only(monkeypatch):
    """These tests are about the registry's demo data: other sections' seeders stay out."""
    from shezhi import extensions

    monkeypatch.setattr(extensions, "_seeders", {})


def seed(**options):
    call_command("seed_demo", scale=options.pop("scale", "tiny"), seed=options.pop("seed", 7), stdout=None, **options)


def snapshot() -> dict:
    return {
        "orgs": sorted(
            Organization.objects.values_list(
                "name", "credit_code", "filing_number", "town__code", "community__code", "founded_on", "status", "rating", "hub_kind"
            )
        ),
        "communities": sorted(Area.objects.filter(level=AreaLevel.COMMUNITY).values_list("code", "name", "kind", "population")),
    }


def wipe() -> None:
    Organization.objects.all().delete()
    FilingSequence.objects.all().delete()
    Area.objects.filter(is_demo=True, level=AreaLevel.COMMUNITY).delete()
    Job.objects.all().delete()


def test_same_seed_same_data_other_seed_other_data():
    seed(seed=7)
    first = snapshot()
    assert len(first["orgs"]) == 100 and len(first["communities"]) >= 22
    wipe()
    seed(seed=7)
    assert snapshot() == first
    wipe()
    seed(seed=8)
    other = snapshot()
    assert other["orgs"] != first["orgs"]
    assert len(other["orgs"]) == len(first["orgs"])


def test_seeded_rows_pass_the_registry_rules():
    seed(seed=3, communities=30, filed=300, registered=120)
    orgs = list(Organization.objects.select_related("town", "community", "hub_area", "city"))
    assert len(orgs) == 420
    for org in random.Random(1).sample(orgs, 150):
        organization_check(org)
        org.full_clean(exclude=["city"], validate_constraints=False)
        organization_check_duplicate(org)
        assert org.sort_key == sort_key(org.name)
        assert org.search_document == search_document(org.name, org.business_scope)
        assert org.city_id == org.town.parent_id and org.is_demo
        if org.credit_code:
            assert (
                cc.problems(
                    org.credit_code, type_digit={"social_group": "1", "social_service_agency": "2", "foundation": "3"}[org.legal_form]
                )
                == []
            )
            assert org.credit_code[2:8] == org.city.code
        else:
            town_code, year, seq = org.filing_number.split("-")
            assert town_code == org.town.code and int(year) == org.founded_on.year and len(seq) == 4
        if org.rating:
            assert org.rating_valid_until == _add_years(org.rated_on, 5)
        assert org.founded_on <= dt.date(2025, 6, 30)
    # Phones are stored encrypted, like every phone the services store.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM registry_organization WHERE phone <> '' LIMIT 5")
        assert all(not row[0].isdigit() for row in cursor.fetchall())


def test_seed_gives_history_facets_and_gaps():
    seed(seed=5, communities=40, filed=500, registered=200)
    orgs = Organization.objects.all()
    assert orgs.filter(registration="registered", legal_form="social_group").exists()
    assert orgs.filter(legal_form="social_service_agency").exists()
    assert orgs.filter(legal_form="foundation").exists() or orgs.filter(is_charity=True).exists()
    assert orgs.filter(is_volunteer_org=True).exists() and orgs.filter(is_charity=True).exists()
    assert orgs.exclude(rating="").exists()
    assert orgs.exclude(status="normal").exists()
    # Every organization has its registration or filing entry; status changes have theirs.
    created = AuditEntry.objects.filter(action__in=["organization.created", "organization.filed"]).count()
    assert created == orgs.count()
    changed = orgs.exclude(status="normal").first()
    entry = AuditEntry.objects.filter(action="organization.status_changed", target_id=str(changed.pk)).last()
    assert entry.changes["status"][1] == changed.status and entry.reason
    # Most, not all, towns and communities have a hub: the targets have gaps to show.
    towns = Area.objects.filter(level=AreaLevel.TOWN, city__code="330482")
    communities = Area.objects.filter(level=AreaLevel.COMMUNITY)
    town_hubs = set(orgs.filter(hub_area__level=AreaLevel.TOWN).values_list("hub_area", flat=True))
    community_hubs = set(orgs.filter(hub_area__level=AreaLevel.COMMUNITY).values_list("hub_area", flat=True))
    assert 0 < len(town_hubs) < towns.count()
    assert 0 < len(community_hubs) < communities.count()
    # Social work agencies serve most urban communities and some villages.
    served = Organization.served_communities.through.objects.values_list("area_id", flat=True)
    assert communities.filter(pk__in=served).exists()
    # Communities are demo data under their towns, with sensible populations.
    for town in towns:
        kids = communities.filter(parent=town)
        assert kids.exists()
        assert all(c.is_demo and c.town_id == town.pk and c.city_id == town.city_id and c.code.startswith(town.code) for c in kids)
        assert sum(c.population for c in kids) <= town.population


def test_province_shape_with_demo_cities():
    seed(seed=2, cities=3, communities=60, filed=300, registered=90)
    cities = Area.objects.filter(level=AreaLevel.CITY).order_by("code")
    assert [c.code for c in cities] == ["330482", "339001", "339002"]
    assert not cities[0].is_demo and all(c.is_demo for c in cities[1:])
    assert all(c.parent.code == "330000" for c in cities)
    for city in cities[1:]:
        assert city.name.endswith(("市", "县")) and "平湖" not in city.name
        towns = Area.objects.filter(parent=city, level=AreaLevel.TOWN)
        assert towns.count() >= 7 and all(t.is_demo for t in towns)
        for town in towns:  # what areas.services.area_save derives
            assert town.code.startswith(city.code) and len(town.code) == 9
            assert (town.town_id, town.city_id, town.kind in ("street", "town", "dev_zone")) == (town.pk, city.pk, True)
        assert sum(t.population for t in towns) == city.population
        assert Organization.objects.filter(city=city).exists()
        codes = Organization.objects.filter(city=city).exclude(credit_code="").values_list("credit_code", flat=True)
        assert all(code[2:8] == city.code for code in codes)


def test_filing_sequences_move_past_demo_numbers():
    seed(seed=7)
    org = Organization.objects.filter(registration="filed").order_by("-founded_on").first()
    year = org.founded_on.year
    numbers = Organization.objects.filter(town=org.town, filing_number__startswith=f"{org.town.code}-{year}-")
    last = max(int(n.rsplit("-", 1)[1]) for n in numbers.values_list("filing_number", flat=True))
    new = organization_file(
        town=org.town,
        data={"name": "新备案的测试组织", "community_category": "culture_sports", "founded_on": dt.date(year, 7, 1)},
        by=None,
    )
    assert new.filing_number == f"{org.town.code}-{year}-{last + 1:04d}"


def test_if_empty_and_refusal():
    seed(seed=7)
    count = Organization.objects.count()
    call_command("seed_demo", scale="tiny", seed=9, if_empty=True, stdout=None)
    assert Organization.objects.count() == count
    with pytest.raises(CommandError, match="already has organizations"):
        seed(seed=9)


def test_loads_reference_areas_when_missing():
    assert not Area.objects.exists()
    seed(seed=1)
    assert Area.objects.filter(code="330482", name="平湖市").exists()
    assert Area.objects.filter(level=AreaLevel.TOWN, city__code="330482").count() == 11
    job = Job.objects.get(kind="seed_demo")
    assert job.status == "done" and job.params["seed"] == 1 and job.result["registered"] == 30


def test_city_scale_is_pinghu_sized():
    seed(scale="city", seed=1)
    assert Area.objects.filter(level=AreaLevel.COMMUNITY, city__code="330482").count() == 120
    assert Organization.objects.filter(registration="filed").count() == 2000
    assert Organization.objects.filter(registration="registered").count() == 400


def test_large_loads_build_the_search_index_afterwards(monkeypatch):
    from shezhi.registry import demo
    from shezhi.registry.search import filter_text

    monkeypatch.setattr(demo, "BULK_INDEX_THRESHOLD", 1)
    seed(seed=4)
    for query in ("协会", "社区", "平湖"):
        expected = {o.pk for o in Organization.objects.all() if query in o.name or query in o.business_scope}
        assert set(filter_text(Organization.objects.all(), query).values_list("pk", flat=True)) == expected
    # The index is live again for rows written afterwards.
    town = Area.objects.get(code="330482001")
    new = organization_file(town=town, data={"name": "索引恢复测试舞蹈队", "community_category": "culture_sports"}, by=None)
    assert list(filter_text(Organization.objects.all(), "索引恢复").values_list("pk", flat=True)) == [new.pk]
