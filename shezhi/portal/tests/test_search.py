"""The public registry search: Chinese substring matching, filters, sorting, paging, bad input."""

from __future__ import annotations

import unicodedata

import pytest
from django.urls import reverse

from shezhi.registry.models import Organization
from shezhi.testing import make_filed

pytestmark = pytest.mark.django_db
URL = reverse("portal:search")


def _norm(text: str) -> str:
    # The documented matching rule, written independently of registry.search: width and
    # case folded, spaces and punctuation ignored, name and scope matched separately.
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).lower() if ch.isalnum())


def expected_ids(query: str) -> set[int]:
    q = _norm(query)
    return {o.pk for o in Organization.objects.all() if q in _norm(o.name) or q in _norm(o.business_scope)}


def result_ids(client, query: str, **params) -> list[int]:
    response = client.get(URL, {"q": query, **params})
    assert response.status_code == 200
    page = response.context["page"]
    return [o.pk for o in page.rows]


@pytest.mark.parametrize(
    "query",
    [
        "湖",  # one character
        "平湖",  # two characters: name, scope and a name written 平·湖
        "老年",
        "养老服务",  # 3+ characters
        "平湖市阳光养老服务中心",
        "ＡＢＣ",  # full-width input finds the full-width name
        "abc",  # ... and so does half-width, any case
        "科普协会2号",  # mixed Chinese, digits (the name has a full-width ２)
        "Science 123",
        "太平湖",  # spans the end of a name and the start of its scope: no match
        "不存在的组织名称",
    ],
)
def test_results_are_exactly_the_rows_containing_the_text(client, registry, query):
    ids = result_ids(client, query)
    assert set(ids) == expected_ids(query)
    assert len(ids) == len(set(ids))


def test_two_character_query_finds_name_scope_and_punctuated_name(client, registry):
    ids = set(result_ids(client, "平湖"))
    assert registry.pinghu_elder.pk in ids
    assert registry.scope_only.pk in ids  # only its business scope says 平湖
    assert registry.pinghu_punct.pk in ids  # “平·湖”: punctuation is not part of the text
    assert registry.boundary.pk not in ids  # 太平 | 湖畔 must not join across name and scope
    assert registry.orgs.reg_b.pk not in ids


def test_punctuation_only_query_is_no_filter(client, registry):
    response = client.get(URL, {"q": "，。！ "})
    assert response.status_code == 200
    assert response.context["page"].total == Organization.objects.count()


def test_no_match_says_so(client, registry):
    response = client.get(URL, {"q": "火星移民协会"})
    assert response.context["page"].total == 0
    assert "No organization matches this search." in response.content.decode() or "没有" in response.content.decode()


def test_filters(client, registry):
    a = registry.areas
    cases = {
        "registration=filed": lambda o: o.registration == "filed",
        "legal_form=foundation": lambda o: o.legal_form == "foundation",
        f"town={a.town_b.pk}": lambda o: o.town_id == a.town_b.pk,
        f"town={a.town_a.pk}&community={a.community_a2.pk}": lambda o: o.community_id == a.community_a2.pk,
        "community_category=culture_sports": lambda o: o.community_category == "culture_sports",
        "rating=4A": lambda o: o.rating == "4A",
        "status=abnormal": lambda o: o.status == "abnormal",
        "hub=on": lambda o: bool(o.hub_kind),
        "social_work_agency=on": lambda o: o.is_social_work_agency,
        "charity=on": lambda o: o.is_charity,
    }
    for query, wanted in cases.items():
        response = client.get(f"{URL}?{query}")
        got = {o.pk for o in response.context["page"].rows}
        expected = {o.pk for o in Organization.objects.all() if wanted(o)}
        assert got == expected, query
        assert expected, f"the fixture has no row for {query}"


def test_community_filter_alone_selects_its_town(client, registry):
    a = registry.areas
    response = client.get(URL, {"community": a.community_b1.pk})
    assert response.context["search"].town == a.town_b
    assert {o.community_id for o in response.context["page"].rows} == {a.community_b1.pk}


def test_community_of_another_town_is_dropped_quietly(client, registry):
    a = registry.areas
    response = client.get(URL, {"town": a.town_b.pk, "community": a.community_a1.pk})
    assert response.context["filters"].community is None
    assert {o.town_id for o in response.context["page"].rows} == {a.town_b.pk}
    assert response.context["problems"] == []


def test_sort_by_pinyin_and_by_date(client, registry):
    names = [o.name for o in client.get(URL, {"q": "舞蹈队"}).context["page"].rows]
    assert names == ["阿里山舞蹈队", "左岸舞蹈队"]  # a- before z-, whatever the code points say
    names = [o.name for o in client.get(URL, {"q": "舞蹈队", "sort": "-name"}).context["page"].rows]
    assert names == ["左岸舞蹈队", "阿里山舞蹈队"]
    rows = client.get(URL, {"sort": "-founded"}).context["page"].rows
    dates = [o.founded_on for o in rows]
    assert dates == sorted(dates, reverse=True)
    rows = client.get(URL, {"sort": "founded"}).context["page"].rows
    assert [o.founded_on for o in rows] == sorted(o.founded_on for o in rows)


def test_full_listing_is_in_pinyin_order(client, registry):
    rows = client.get(URL).context["page"].rows
    keys = [(o.sort_key if hasattr(o, "sort_key") else "") for o in rows]
    db_order = list(Organization.objects.order_by("sort_key", "id").values_list("pk", flat=True)[:20])
    assert [o.pk for o in rows] == db_order
    assert keys  # the page is not empty


@pytest.fixture
def many(areas):
    return [make_filed(town=areas.town_a, community=areas.community_a1, name=f"分页测试组织{i:02d}") for i in range(45)]


def test_pagination(client, many):
    first = client.get(URL, {"q": "分页测试"})
    page = first.context["page"]
    assert (page.total, page.num_pages, len(page.rows), page.capped) == (45, 3, 20, False)
    html = first.content.decode()
    assert "page=2" in html and "page=3" in html
    second = client.get(URL, {"q": "分页测试", "page": 2}).context["page"]
    third = client.get(URL, {"q": "分页测试", "page": 3}).context["page"]
    assert len(third.rows) == 5
    seen = [o.pk for o in page.rows + second.rows + third.rows]
    assert sorted(seen) == sorted(o.pk for o in many)
    beyond = client.get(URL, {"q": "分页测试", "page": 99}).context["page"]
    assert beyond.number == 3


def test_count_is_capped_with_a_clear_summary(client, many, monkeypatch):
    from shezhi.portal import selectors

    monkeypatch.setattr(selectors, "TEXT_COUNT_CAP", 30)
    response = client.get(URL, {"q": "分页测试"})
    page = response.context["page"]
    assert page.capped and page.total == 30 and page.num_pages == 2
    html = response.content.decode()
    assert 'data-capped="1"' in html and "30" in html


@pytest.mark.parametrize("sort", ["name", "-name"])
@pytest.mark.parametrize("cap", [1, 7, 44, 2000])
def test_pages_are_the_same_below_and_above_the_count_cap(client, registry, many, monkeypatch, sort, cap):
    """Below the cap a page comes from all the matches, sorted; above it (PostgreSQL) from
    reading the pinyin order, bounded by a sample of the matches. Same rows, same order."""
    from shezhi.portal import selectors

    monkeypatch.setattr(selectors, "TEXT_COUNT_CAP", cap)
    order = ("sort_key", "id") if sort == "name" else ("-sort_key", "-id")
    for query in ["分页测试", "湖", "会", "平湖", "社区"]:
        expected = list(Organization.objects.filter(pk__in=expected_ids(query)).order_by(*order).values_list("pk", flat=True))
        for number in (1, 2, 3):
            page = client.get(URL, {"q": query, "sort": sort, "page": number}).context["page"]
            assert (page.total, page.capped) == ((cap, True) if len(expected) > cap else (len(expected), False)), query
            at = (page.number - 1) * selectors.PER_PAGE
            assert [o.pk for o in page.rows] == expected[at : at + selectors.PER_PAGE], (query, number)


@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": "-3"},
        {"page": "99999999999999999999"},
        {"town": "xyz"},
        {"town": "99999"},
        {"community": "abc"},
        {"community": "99999"},
        {"sort": "evil"},
        {"status": "bogus", "rating": "9A", "legal_form": "x", "registration": "x", "community_category": "x"},
        {"q": "平湖\x00"},
        {"q": "平" * 500},
        {"hub": "maybe"},
    ],
)
def test_bad_parameters_never_fail(client, registry, params):
    response = client.get(URL, params)
    assert response.status_code == 200
    assert response.context["page"] is not None


def test_bad_parameters_are_explained(client, registry):
    response = client.get(URL, {"page": "abc", "town": "xyz", "sort": "evil", "community": "99999"})
    problems = response.context["problems"]
    assert len(problems) == 4
    assert response.context["filters"].sort == "name"
    assert response.context["page"].number == 1


def test_htmx_request_gets_the_fragment(client, registry):
    a = registry.areas
    response = client.get(URL, {"q": "平湖", "town": a.town_a.pk}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="result-summary"' in html
    # The community list follows the chosen town (out-of-band swap).
    assert 'hx-swap-oob="true"' in html and a.community_a1.name in html and a.community_b1.name not in html
    assert "HX-Request" in response["Vary"]
    full = client.get(URL, {"q": "平湖"}).content.decode()
    assert "<html" in full and 'hx-get="/search/"' in full and 'hx-push-url="true"' in full


def test_search_query_count(client, registry, django_assert_max_num_queries):
    a = registry.areas
    # Towns, communities, the text's match count, the registry size (cached afterwards), count, page.
    with django_assert_max_num_queries(6):
        client.get(URL, {"q": "平湖", "town": a.town_a.pk, "community": a.community_a1.pk, "sort": "-founded", "page": 1})
    with django_assert_max_num_queries(4):
        client.get(URL, {"q": "平湖"})
    with django_assert_max_num_queries(3):
        client.get(URL)


@pytest.mark.parametrize("query", ["湖", "平湖", "ＡＢＣ", "科普协会2号", "舞蹈队", "太平湖", "社区"])
def test_both_search_plans_give_the_same_page(client, registry, monkeypatch, query):
    """The page may walk the sort order testing each row (common texts) or fetch the FTS
    matches (rare texts); both must find the same rows in the same order."""
    from shezhi.portal import selectors

    plain = client.get(URL, {"q": query}).context["page"]
    monkeypatch.setattr(selectors, "_table_size", lambda: 0)
    scanned = client.get(URL, {"q": query}).context["page"]
    filtered = client.get(URL, {"q": query, "town": registry.areas.town_a.pk, "sort": "-founded"}).context["page"]
    assert [o.pk for o in scanned.rows] == [o.pk for o in plain.rows]
    assert scanned.total == plain.total
    expected = sorted(
        (o for o in Organization.objects.filter(town=registry.areas.town_a) if o.pk in expected_ids(query)),
        key=lambda o: (o.founded_on, o.pk),
        reverse=True,
    )
    assert [o.pk for o in filtered.rows] == [o.pk for o in expected]
