"""registry.search.filter_text over the demo data, held against Python's own `in`."""

from __future__ import annotations

import random

import pytest
from django.core.management import call_command
from django.db import connection

from shezhi.registry import search
from shezhi.registry.models import Organization
from shezhi.registry.search import filter_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    call_command("seed_demo", scale="tiny", seed=11, stdout=None)
    return list(Organization.objects.values_list("pk", "name", "business_scope"))


def _queries(rows, rng: random.Random) -> list[str]:
    """Substrings of real names and scopes, 1 to 6 characters, plus 平湖 and strings that occur nowhere."""
    found = {"平湖", "协会", "社区", "养老", "会", "湖", "老年协会", "平湖市当湖街道", "火星", "养老协会社区"}
    for _, name, scope in rng.sample(rows, 30):
        for text in (name, scope):
            if len(text) < 2:
                continue
            size = rng.randint(1, min(6, len(text)))
            start = rng.randrange(len(text) - size + 1)
            piece = text[start : start + size]
            if piece.isalnum():
                found.add(piece)
    return sorted(found)


def test_filter_text_equals_substring_check(seeded):
    for query in _queries(seeded, random.Random(5)):
        expected = {pk for pk, name, scope in seeded if query in name or query in scope}
        got = set(filter_text(Organization.objects.all(), query).values_list("pk", flat=True))
        assert got == expected, query


def test_two_character_pinghu_matches_every_row_that_says_it(seeded):
    expected = {pk for pk, name, scope in seeded if "平湖" in name or "平湖" in scope}
    assert len(expected) > 10  # the demo data is full of 平湖市…
    assert set(filter_text(Organization.objects.all(), "平湖").values_list("pk", flat=True)) == expected
    assert set(filter_text(Organization.objects.all(), "平 湖").values_list("pk", flat=True)) == expected


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's search table")
def test_search_table_conditions_equal_substring_check(seeded):
    """The page's two tests on PostgreSQL: from the index, and row by row in pinyin order."""
    for query in _queries(seeded, random.Random(7)):
        expected = {pk for pk, name, scope in seeded if query in name or query in scope}
        for sql, params in (search.postgres_match(query), search.postgres_contains(query)):
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT id FROM {search.SEARCH_TABLE} WHERE {sql}", params)
                assert {pk for (pk,) in cursor.fetchall()} == expected, (query, sql)
