"""The population history behind Area.population: every change of an area's figure through
area_save (the form, the spreadsheet import, the reference data) is kept as a count on its
day, and population_on picks the count that holds on a day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from shezhi.areas.models import Area, AreaKind, PopulationCount, by_day, population_on
from shezhi.areas.services import area_save
from shezhi.testing import make_area

pytestmark = pytest.mark.django_db


def counts(area: Area) -> list[tuple[dt.date | None, int]]:
    return list(PopulationCount.objects.filter(area=area).order_by("on").values_list("on", "population"))


def save(area: Area, **data) -> Area:
    return area_save(code=area.code, data=data, by=None)[0]


def test_a_new_area_starts_its_history(areas):
    assert counts(areas.town_a) == [(dt.date(2020, 11, 1), 150000)]


def test_a_new_count_is_added_and_the_old_one_kept(areas):
    save(areas.town_a, population=160000, population_date=dt.date(2024, 11, 1))
    assert counts(areas.town_a) == [(dt.date(2020, 11, 1), 150000), (dt.date(2024, 11, 1), 160000)]
    assert Area.objects.get(pk=areas.town_a.pk).population == 160000


def test_a_corrected_figure_for_the_same_day_replaces_it(areas):
    save(areas.town_a, population=151234)
    assert counts(areas.town_a) == [(dt.date(2020, 11, 1), 151234)]


def test_other_changes_leave_the_history_alone(areas):
    save(areas.town_a, name="当湖街道（新）")
    assert counts(areas.town_a) == [(dt.date(2020, 11, 1), 150000)]


def test_a_figure_without_its_date_is_taken_as_of_the_day_it_is_entered(areas):
    save(areas.town_b, population=80000, population_date=None)
    assert counts(areas.town_b) == [(dt.date(2020, 11, 1), 75000), (timezone.localdate(), 80000)]


def test_an_area_without_history_keeps_the_figure_it_had(areas):
    """Rows inserted directly (the demo data) have no counts; the first change through the
    service keeps the old figure for the days before the new one."""
    Area.objects.filter(pk=areas.community_a1.pk).update(population=7000, population_date=dt.date(2019, 1, 1))
    PopulationCount.objects.filter(area=areas.community_a1).delete()
    save(areas.community_a1, population=9000, population_date=dt.date(2023, 1, 1))
    assert counts(areas.community_a1) == [(dt.date(2019, 1, 1), 7000), (dt.date(2023, 1, 1), 9000)]


def test_an_undated_first_figure_holds_before_every_dated_one(areas):
    area = make_area("330482101201", "测试村", AreaKind.RURAL, areas.town_b)
    save(area, population=1200)
    assert counts(area) == [(None, 1200)]
    save(area, population=1300, population_date=dt.date(2022, 6, 30))
    history = by_day(counts(area))
    assert history == [(None, 1200), (dt.date(2022, 6, 30), 1300)]
    assert population_on(history, dt.date(2010, 1, 1)) == 1200
    assert population_on(history, dt.date(2022, 6, 30)) == 1300


def test_a_citys_counts_are_kept_too(areas):
    save(areas.city, population=690000, population_date=dt.date(2023, 12, 31))
    assert [p for _, p in counts(areas.city)] == [680000, 690000]


dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 12, 31))


@given(
    st.dictionaries(dates, st.integers(min_value=0, max_value=10**7), max_size=8),
    st.one_of(st.none(), st.integers(min_value=0, max_value=10**7)),
    dates,
)
def test_population_on_is_the_last_count_on_or_before_the_day_else_the_first(dated, undated, day):
    history = ([(None, undated)] if undated is not None else []) + sorted(dated.items())
    got = population_on(history, day)
    before = [p for d, p in sorted(dated.items()) if d <= day]
    if before:
        assert got == before[-1]
    elif undated is not None:
        assert got == undated
    elif dated:
        assert got == sorted(dated.items())[0][1]
    else:
        assert got is None
