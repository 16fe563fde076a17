"""The search document, and PostgreSQL's search table kept from it by triggers."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from shezhi.registry import search
from shezhi.registry.models import Organization
from shezhi.registry.services import organization_update
from shezhi.testing import make_filed

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's search table")

TEXTS = [
    ("平湖市阳光养老服务中心", "为老年人提供养老服务"),
    ("乍浦镇ＡＢＣ科普协会２号", "科普宣传 Science 123"),
    ("东湖社区“平·湖”读书会", ""),
    ("会", "湖"),
    ("——", "只有经营范围"),
    ("只有名称", "。。"),
    ("——", "……"),
    ("xsepx", "a | b / c"),
]


def _table_rows() -> dict[int, tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, sort_key, content FROM {search.SEARCH_TABLE}")
        return {pk: (key, content) for pk, key, content in cursor.fetchall()}


def _expected_rows() -> dict[int, tuple[str, str]]:
    return {o.pk: (o.sort_key, search.search_text(o.name, o.business_scope)) for o in Organization.objects.all()}


def _without_mark(document: str) -> str:
    return document.replace(f" {search.TEXT_END}", "")


def test_the_end_mark_follows_the_single_characters():
    document = search.search_document("平湖市当湖", "邻里互助")
    runs = ["平 湖 市 当 湖", "邻 里 互 助", "平湖 湖市 市当 当湖", "邻里 里互 互助", "平湖市 湖市当 市当湖", "邻里互 里互助"]
    assert document.startswith("平 湖 市 当 湖 xsepx 邻 里 互 助 | ")
    assert _without_mark(document) == " xsepx ".join(runs)


@postgres_only
def test_the_end_mark_adds_no_token_and_no_position():
    document = search.search_document("平湖市当湖", "邻里互助")
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_tsvector('simple', %s) = to_tsvector('simple', %s)", [document, _without_mark(document)])
        assert cursor.fetchone()[0]


def test_search_text_runs_each_part_together():
    assert search.search_text("平湖·市", "Ｓcience 1") == "平湖市/science1"
    assert search.search_text("平湖", "") == "平湖"
    assert search.search_document("", "") == ""


@postgres_only
@pytest.mark.parametrize(("name", "scope"), TEXTS)
def test_sql_reads_the_text_back_from_the_document(name, scope):
    with connection.cursor() as cursor:
        cursor.execute("SELECT registry_search_text(%s)", [search.search_document(name, scope)])
        assert cursor.fetchone()[0] == search.search_text(name, scope)


@postgres_only
def test_grams_are_characters_pairs_and_triples_of_each_part():
    with connection.cursor() as cursor:
        cursor.execute("SELECT registry_search_grams(%s)", ["平湖市当/老年"])
        grams = set(cursor.fetchone()[0])
    assert grams == {"平", "湖", "市", "当", "老", "年", "平湖", "湖市", "市当", "老年", "1平湖市", "1湖市当"}


@postgres_only
def test_the_table_follows_every_write(areas):
    org = make_filed(town=areas.town_a, name="平湖市测试读书会", business_scope="组织读书")
    other = make_filed(town=areas.town_a, name="另一个组织", business_scope="邻里互助")
    assert _table_rows() == _expected_rows()
    organization_update(organization=org, data={"name": "新埭镇测试舞蹈队", "business_scope": "广场舞"}, by=None, reason="更名")
    assert _table_rows()[org.pk] == (Organization.objects.get(pk=org.pk).sort_key, "新埭镇测试舞蹈队/广场舞")
    Organization.objects.filter(pk=other.pk).update(business_scope="不改文档")  # the document did not change
    assert _table_rows() == _expected_rows() | {other.pk: (other.sort_key, "另一个组织/邻里互助")}
    Organization.objects.filter(pk=org.pk).delete()
    assert set(_table_rows()) == {other.pk}
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's transaction holds deferred checks
        cursor.execute("TRUNCATE registry_organization CASCADE")
    assert _table_rows() == {}


@postgres_only
def test_the_table_follows_a_bulk_seed():
    call_command("seed_demo", scale="tiny", seed=3, stdout=None)
    assert len(_table_rows()) == Organization.objects.count() > 100
    assert _table_rows() == _expected_rows()
