"""The history the targets count: kept by the registry's writes, so that "as of" a past day
gives what held then, even after later changes; and the interval arithmetic under it."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from shezhi.registry.models import HubKind, Organization
from shezhi.registry.services import organization_set_status, organization_update
from shezhi.targets.facts import rebuild_facts
from shezhi.targets.indicators import Counter, Interval, holds, merged
from shezhi.targets.models import FactKind, Indicator, OrganizationFact
from shezhi.targets.selectors import area_view
from shezhi.testing import make_filed, make_registered


def _figure(area, on, indicator):
    return next(r for r in area_view(area, on, trend=False).rows if r.target.indicator == indicator).figure


def test_a_filing_counts_from_its_date(areas):
    org = make_filed(town=areas.town_a, community=areas.community_a1, founded_on=dt.date(2018, 6, 1))
    fact = OrganizationFact.objects.get(organization=org)
    assert (fact.kind, fact.since, fact.until, fact.town_id, fact.community_id) == (
        FactKind.COMMUNITY_ORG,
        dt.date(2018, 6, 1),
        None,
        areas.town_a.pk,
        areas.community_a1.pk,
    )
    assert _figure(areas.city, dt.date(2018, 5, 31), Indicator.COMMUNITY_ORGS).numerator == 0
    assert _figure(areas.town_a, dt.date(2018, 6, 1), Indicator.COMMUNITY_ORGS).numerator == 1


@pytest.fixture
def bureau(users):
    return users.bureau


def test_a_later_change_does_not_rewrite_the_past(areas, bureau):
    today = timezone.localdate()
    org = make_registered(town=areas.town_a, founded_on=dt.date(2017, 1, 1))
    before = _figure(areas.town_a, today - dt.timedelta(days=1), Indicator.HUB_COVERAGE).numerator
    organization_update(
        organization=org, data={"hub_kind": HubKind.HUB, "hub_area": areas.community_a2}, by=bureau, reason="镇里指定为枢纽型组织"
    )
    assert _figure(areas.town_a, today, Indicator.HUB_COVERAGE).numerator == before + 1
    assert _figure(areas.town_a, today - dt.timedelta(days=1), Indicator.HUB_COVERAGE).numerator == before
    # It moves to the other community: the first one stays covered up to yesterday only.
    organization_update(organization=org, data={"hub_area": areas.community_a1}, by=bureau, reason="调整")
    facts = OrganizationFact.objects.filter(organization=org, kind=FactKind.HUB)
    # Both changes happened today: the first assignment never held a whole day and is gone.
    assert [(f.community_id, f.since, f.until) for f in facts] == [(areas.community_a1.pk, today, None)]


def test_a_deregistration_ends_every_fact_on_its_day(areas, bureau):
    org = make_registered(
        town=areas.town_b,
        founded_on=dt.date(2016, 1, 1),
        is_community_org=True,
        community_category="charity",
        is_social_work_agency=True,
        served_communities=[areas.community_b1],
    )
    organization_set_status(organization=org, status="deregistered", by=bureau, reason="注销", on=dt.date(2020, 3, 1))
    facts = OrganizationFact.objects.filter(organization=org)
    ended = dt.date(2020, 3, 1)
    assert {(f.kind, f.until) for f in facts} == {(FactKind.COMMUNITY_ORG, ended), (FactKind.SOCIAL_WORK, ended)}
    assert _figure(areas.town_b, dt.date(2020, 2, 29), Indicator.SOCIAL_WORK_URBAN).numerator == 1
    assert _figure(areas.town_b, dt.date(2020, 3, 1), Indicator.SOCIAL_WORK_URBAN).numerator == 0


def test_a_corrected_registration_date_moves_the_start(areas, bureau):
    org = make_filed(town=areas.town_a, founded_on=dt.date(2019, 6, 1))
    organization_update(organization=org, data={"founded_on": dt.date(2018, 2, 1)}, by=bureau, reason="更正备案日期")
    assert OrganizationFact.objects.get(organization=org).since == dt.date(2018, 2, 1)


def test_decoupling_dates_are_dates_of_the_record_not_changes(areas, bureau):
    org = make_registered(town=areas.town_a, founded_on=dt.date(2015, 1, 1), direct_category="trade_association")
    fields = ("decoupled_institution_on", "decoupled_functions_on", "decoupled_finances_on", "decoupled_personnel_on")
    organization_update(organization=org, data={f: dt.date(2018, 5, 1) for f in fields}, by=bureau, reason="脱钩进展")
    assert _figure(areas.city, dt.date(2019, 1, 1), Indicator.TRADE_DECOUPLING).numerator == 0
    organization_update(organization=org, data={"decoupled_party_affairs_on": dt.date(2018, 9, 1)}, by=bureau, reason="脱钩完成")
    # Entered today, dated 2018: the association counts as done from 2018-09-01.
    assert _figure(areas.city, dt.date(2018, 9, 1), Indicator.TRADE_DECOUPLING).numerator == 1
    assert _figure(areas.city, dt.date(2018, 8, 31), Indicator.TRADE_DECOUPLING).numerator == 0


def test_rebuild_gives_the_facts_the_services_wrote(areas, orgs, bureau):
    make_registered(town=areas.town_a, founded_on=dt.date(2016, 1, 1), hub_kind=HubKind.SUPPORT, hub_area=areas.town_a)
    org = make_filed(town=areas.town_b, community=areas.community_b1, founded_on=dt.date(2017, 1, 1))
    organization_set_status(organization=org, status="revoked", by=bureau, reason="撤销", on=dt.date(2021, 1, 1))

    def rows():
        return sorted(
            OrganizationFact.objects.values_list(
                "organization_id", "kind", "city_id", "town_id", "community_id", "since", "until", "done_on"
            )
        )

    written = rows()
    assert written
    OrganizationFact.objects.all().delete()
    assert rebuild_facts() == len(written)
    assert rows() == written


def test_the_spreadsheet_import_writes_history(users, tmp_path, settings):
    from django.core.management import call_command

    from shezhi.registry.tests.test_import_support import as_lists, filed_row, make_csv

    settings.MEDIA_ROOT = tmp_path / "media"
    path = make_csv(tmp_path / "rows.csv", as_lists([filed_row(**{"名称": f"导入组织{i}"}) for i in range(3)]))
    call_command("import_organizations", str(path), user="bureau", yes=True)
    imported = Organization.objects.filter(name__startswith="导入组织")
    assert imported.count() == 3
    facts = OrganizationFact.objects.filter(organization__in=imported, kind=FactKind.COMMUNITY_ORG)
    assert sorted((f.organization_id, f.since) for f in facts) == sorted((o.pk, o.founded_on) for o in imported)


# --- interval arithmetic --------------------------------------------------------------------------

days = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2016, 12, 31))


@st.composite
def intervals(draw):
    since = draw(days)
    until = draw(st.one_of(st.none(), st.dates(min_value=since + dt.timedelta(days=1), max_value=dt.date(2017, 1, 31))))
    return Interval(since, until, None, draw(st.integers(1, 4)), 0)


@given(st.lists(intervals(), max_size=30), st.lists(days, min_size=1, max_size=10))
def test_counter_counts_the_intervals_holding_on_each_day(items, probe_days):
    counter = Counter(items)
    for day in probe_days:
        assert counter.on(day) == sum(1 for i in items if holds(i, day))


@given(st.lists(intervals(), max_size=30), st.lists(days, min_size=1, max_size=10))
def test_merged_runs_cover_exactly_the_days_some_interval_covers(items, probe_days):
    runs = merged(items)
    for a, b in itertools.pairwise(runs):
        assert a[1] is not None and a[1] < b[0]  # disjoint, ordered, not even touching
    for day in probe_days:
        covered = any(holds(i, day) for i in items)
        assert covered == any(a <= day and (b is None or day < b) for a, b in runs)
