"""Reads for the public portal. Everything here is public: no acting user, public fields only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import BooleanField, Count, Prefetch, Q, QuerySet, TextField
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone

from shezhi.areas.models import Area, AreaLevel
from shezhi.audit.models import AuditAction, AuditEntry
from shezhi.registry import search
from shezhi.registry.models import LegalForm, Organization, OrganizationStatus, RegistrationKind
from shezhi.registry.search import filter_text
from shezhi.registry.selectors import DEFAULT_SORT, SORTS, OrganizationFilters, apply_filters, organizations_public

PER_PAGE = 20
# Counting every match of a one-character query (会, 市) means reading most of the table:
# ~330k rows at province scale, far beyond the page's time budget, to print a number nobody
# needs exactly. Counts stop here and the page says "more than 10,000"; pagination then
# reaches the first 500 pages, and narrowing the search gives exact numbers again.
COUNT_CAP = 10_000
# A text search counts less far: at province scale a common phrase (邻里互助会) has
# thousands of matches, and each counted match costs a visit to its row to check that its
# characters are adjacent. Two thousand is a hundred pages, more than anyone reads; the
# page says "more than 2,000" and narrowing the search gives the exact number.
TEXT_COUNT_CAP = 2_000
# Walking the sort order for a capped text search reads about (offset + 20) × table /
# matches rows; beyond this many, the page counts further to choose the cheaper plan.
WALK_BUDGET = 50_000
HEADLINE_CACHE_SECONDS = 60
# The columns a result row shows; the big text columns (scope, search document) and the
# encrypted phone are never read for a list.
LIST_COLUMNS = (
    "id",
    "name",
    "registration",
    "legal_form",
    "credit_code",
    "filing_number",
    "is_community_org",
    "community_category",
    "town__name",
    "community__name",
    "founded_on",
    "rating",
    "rating_valid_until",
    "status",
    "hub_kind",
    "is_social_work_agency",
    "is_charity",
    "is_volunteer_org",
    "is_demo",
)
ACTIVE = ~Q(status__in=[OrganizationStatus.DEREGISTERED, OrganizationStatus.REVOKED])


# --- areas for the filters --------------------------------------------------------------


def home_city() -> Area | None:
    return Area.objects.filter(code=settings.SHEZHI_CITY_CODE, level=AreaLevel.CITY).first()


def town_options() -> list[Area]:
    """Towns offered in the town filter: those of this deployment's city (settings.SHEZHI_CITY_CODE)."""
    towns = list(
        Area.objects.filter(level=AreaLevel.TOWN, city__code=settings.SHEZHI_CITY_CODE)
        .only("id", "name", "code", "kind", "is_demo")
        .order_by("code")
    )
    if towns:
        return towns
    return list(Area.objects.filter(level=AreaLevel.TOWN).only("id", "name", "code", "kind", "is_demo").order_by("code")[:300])


def town_by_id(pk: int) -> Area | None:
    return Area.objects.filter(pk=pk, level=AreaLevel.TOWN).only("id", "name", "code", "kind", "is_demo").first()


def community_by_id(pk: int) -> Area | None:
    return Area.objects.filter(pk=pk, level=AreaLevel.COMMUNITY).only("id", "name", "code", "kind", "is_demo", "town_id").first()


def community_options(town: Area) -> list[Area]:
    return list(Area.objects.filter(parent=town, level=AreaLevel.COMMUNITY).only("id", "name", "code", "kind", "is_demo").order_by("code"))


# --- the home page ----------------------------------------------------------------------


@dataclass(frozen=True)
class TownCount:
    town: Area
    registered: int
    filed: int

    @property
    def total(self) -> int:
        return self.registered + self.filed


@dataclass(frozen=True)
class Headline:
    social_groups: int
    social_service_agencies: int
    foundations: int
    filed: int
    community_orgs: int
    rated: int
    charities: int
    hubs: int
    social_work_agencies: int
    volunteer_orgs: int
    demo: int
    city: Area | None
    by_town: list[TownCount]

    @property
    def registered(self) -> int:
        return self.social_groups + self.social_service_agencies + self.foundations


def _headline() -> Headline:
    today = timezone.localdate()
    counts = Organization.objects.filter(ACTIVE).aggregate(
        social_groups=Count("id", filter=Q(registration=RegistrationKind.REGISTERED, legal_form=LegalForm.SOCIAL_GROUP)),
        social_service_agencies=Count("id", filter=Q(registration=RegistrationKind.REGISTERED, legal_form=LegalForm.SOCIAL_SERVICE_AGENCY)),
        foundations=Count("id", filter=Q(registration=RegistrationKind.REGISTERED, legal_form=LegalForm.FOUNDATION)),
        filed=Count("id", filter=Q(registration=RegistrationKind.FILED)),
        community_orgs=Count("id", filter=Q(is_community_org=True)),
        rated=Count("id", filter=~Q(rating="") & Q(rating_valid_until__gte=today)),
        charities=Count("id", filter=Q(is_charity=True)),
        hubs=Count("id", filter=~Q(hub_kind="")),
        social_work_agencies=Count("id", filter=Q(is_social_work_agency=True)),
        volunteer_orgs=Count("id", filter=Q(is_volunteer_org=True)),
    )
    demo = Organization.objects.filter(is_demo=True).exists()
    city = home_city()
    by_town: list[TownCount] = []
    if city is not None:
        towns = {t.pk: t for t in Area.objects.filter(level=AreaLevel.TOWN, city=city).order_by("code")}
        rows = (
            Organization.objects.filter(ACTIVE, city=city)
            .values("town_id")
            .annotate(
                registered=Count("id", filter=Q(registration=RegistrationKind.REGISTERED)),
                filed=Count("id", filter=Q(registration=RegistrationKind.FILED)),
            )
        )
        per_town = {r["town_id"]: r for r in rows}
        by_town = [
            TownCount(town=t, registered=per_town.get(pk, {}).get("registered", 0), filed=per_town.get(pk, {}).get("filed", 0))
            for pk, t in towns.items()
        ]
    return Headline(**counts, demo=int(demo), city=city, by_town=by_town)


def headline() -> Headline:
    """The registry's headline counts (active organizations: not deregistered, not revoked).

    The counts read the whole table (~0.3 s at province scale), the same for every visitor;
    they are cached for a minute, which is as fresh as a public summary needs to be.
    """
    return cache.get_or_set("portal:headline:v1", _headline, HEADLINE_CACHE_SECONDS)


# --- search -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultPage:
    rows: list[Organization]
    number: int
    total: int
    capped: bool  # total is the cap and the real number is larger
    per_page: int = PER_PAGE
    cap: int = COUNT_CAP

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.rows else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.rows)

    @property
    def page_links(self) -> list[int | None]:
        """Page numbers to link: the first, the last, and two either side; None marks a gap."""
        last = self.num_pages
        wanted = sorted({1, last, *range(max(1, self.number - 2), min(last, self.number + 2) + 1)})
        links: list[int | None] = []
        for n in wanted:
            if links and n - (links[-1] or 0) > 1:
                links.append(None)
            links.append(n)
        return links


def search_queryset(filters: OrganizationFilters) -> QuerySet[Organization]:
    return apply_filters(organizations_public(), filters)


def count_capped(qs: QuerySet, cap: int | None = None) -> tuple[int, bool]:
    """The number of rows, exact up to `cap` (COUNT_CAP); (cap, True) beyond it."""
    cap = COUNT_CAP if cap is None else cap
    # Without order_by() the sliced subquery would sort every match before the LIMIT.
    n = qs.order_by().select_related(None)[: cap + 1].count()
    return (cap, True) if n > cap else (n, False)


# How the page finds the rows containing a text, measured at province scale (330k rows).
#
# registry.search.filter_text defines the matching and is what the API uses. Run as it
# is, one query shape cannot serve both a rare text (平湖市当湖街道: 400 rows) and a common
# one (会, 社区: half the registry): fetching every match to sort them costs as many row
# visits as there are matches, while walking the pinyin order and testing each row stops
# after a page for a common text but reads the whole table for a rare one.
#
# PostgreSQL, a text alone sorted by name (the public search as people use it): the
# narrow search table (registry.search.SEARCH_TABLE) answers both. One query takes up to
# TEXT_COUNT_CAP + 1 matches from its index, in whatever order they come, and returns
# their number and the page of them in pinyin order: when there are no more matches,
# that is the count and the page (~1 ms for 平湖市当湖街道, ~3 ms for 2,001 of 邻里互助会).
# When there are, a second query walks the table's pinyin index testing each small row,
# which finds 20 matches after reading about 20 × table / matches rows (a few thousand
# at most, since matches exceed the cap), and fetches their organizations: ~1 ms. The
# sample bounds the walk: at least offset + 20 matches lie up to the last key of its page.
#
# Other filters or another order, and SQLite: the page first learns how many rows match
# (SQLite: the FTS index, counting at most COUNT_CAP; PostgreSQL: the organization
# table's GIN index finds rows holding all the tokens and a LIKE on the document keeps
# those where they are adjacent, which is the same test as the phrase), then walks the
# sort order when that reads fewer rows than fetching the matches. SQLite answers
# `id IN (FTS matches)` by reading every match and sorting them all; walking the pinyin
# index and testing each row instead stops after 20 hits.
#
# The tests hold every plan to filter_text's results and to Python's `in`.


@dataclass(frozen=True)
class TextPlan:
    text: str  # the query's characters, space separated, as in the search document
    phrase: str  # the index tokens for it: the character, or the character pairs
    base: QuerySet[Organization]  # every filter but the text, sorted
    only_text: bool  # no other filter: the text's own count is the page's count


def _fts_matches(phrase: str, limit: int) -> int:
    """SQLite: how many rows contain the text, reading at most `limit` FTS postings."""
    # The phrase filter_text builds; asked of the FTS table alone, LIMIT stops the read
    # early, which `id IN (subquery)` cannot.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT rowid FROM registry_organization_fts WHERE registry_organization_fts MATCH %s LIMIT %s)",
            [f'"{phrase}"', limit],
        )
        return cursor.fetchone()[0]


def _row_contains(qs: QuerySet[Organization], text: str) -> QuerySet[Organization]:
    """Rows whose search document holds the characters in a row: the phrase test, made on
    the row. The document is single characters separated by spaces, so padding both
    sides anchors the match at character boundaries, and the word separating name from
    scope can never be part of it."""
    # Plain || rather than Concat(), whose NULL guards cost more than the test itself.
    padded = RawSQL("(' ' || registry_organization.search_document || ' ')", [], output_field=TextField())
    return qs.alias(_padded_document=padded).filter(_padded_document__contains=f" {text} ")


def _indexed(plan: TextPlan) -> QuerySet[Organization]:
    if connection.vendor == "postgresql":
        # All index tokens present (answered by the GIN index alone, no re-parsing), then adjacency.
        has_all = RawSQL(
            "registry_organization.search_vector @@ plainto_tsquery('simple', %s)",
            [plan.phrase],
            output_field=BooleanField(),
        )
        return _row_contains(plan.base.filter(has_all), plan.text)
    return filter_text(plan.base, plan.text)


def _walk_is_cheaper(matches: int, offset: int, per_page: int) -> bool:
    # Walking reads about (offset + 20) × table / matches rows; fetching reads the matches.
    return (offset + per_page) * _table_size() < matches * matches


def _table_size() -> int:
    return cache.get_or_set("portal:organization-count", Organization.objects.count, 600)


def _walk(base: QuerySet[Organization], text: str, offset: int, limit: int) -> list[int]:
    """PostgreSQL: the ids of a page of rows containing the text, walking the sort order.

    Asked in SQL, the planner takes the LIKE for rare and reads the whole table; reading
    the sort order in growing slices and testing each document stops after the page. The
    test runs in the database on each slice, so documents never travel to Python.
    """
    needle, found, start, size = f"% {text} %", [], 0, 1000
    while len(found) < offset + limit:
        sql, params = base.values_list("id", "search_document")[start : start + size].query.sql_with_params()
        with connection.cursor() as cursor:
            # The aggregate reads the slice in its sort order. The text is a parameter; its
            # tokens are letters and digits only, so it holds no LIKE wildcard.
            cursor.execute(
                f"SELECT count(*), array_agg(slice.id) FILTER (WHERE (' ' || slice.search_document || ' ') LIKE %s) FROM ({sql}) AS slice",
                [needle, *params],
            )
            read, hits = cursor.fetchone()
        found += hits or []
        if read < size:
            break
        start, size = start + size, min(size * 2, 40_000)
    return found[offset : offset + limit]


SEARCH_TABLE_ORDER = {"name": "sort_key, id", "-name": "sort_key DESC, id DESC"}


def _search_table_page(query: str, sort: str, offset: int, paging: Paging) -> tuple[int, bool, Callable[[int], list[Organization]]]:
    """PostgreSQL, a text alone sorted by name: count and pages from the search table."""
    cap, order, per_page = TEXT_COUNT_CAP, SEARCH_TABLE_ORDER[sort], paging.per_page
    match, params = search.postgres_match(query)

    def sample_page(at: int) -> list[tuple[int, str, int]]:
        # Up to cap + 1 matches as the index gives them; of those, the page at `at` in
        # pinyin order, each row with the number of matches taken.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, sort_key, count(*) OVER () FROM (SELECT id, sort_key FROM {search.SEARCH_TABLE} WHERE {match} LIMIT %s) "
                f"AS found ORDER BY {order} LIMIT %s OFFSET %s",
                [*params, cap + 1, per_page, at],
            )
            return cursor.fetchall()

    pages = {offset: sample_page(offset)}
    if not pages[offset] and offset:
        pages[0] = sample_page(0)  # beyond the last page: the count comes with the first
    first = next((rows for rows in pages.values() if rows), [])
    total = first[0][2] if first else 0

    def sample_at(at: int) -> list[tuple[int, str, int]]:
        if at not in pages:
            pages[at] = sample_page(at)
        return pages[at]

    if total <= cap:
        return total, False, lambda at: _rows_in_order([pk for pk, _, _ in sample_at(at)], paging)
    contains, contains_params = search.postgres_contains(query)

    def walked(at: int) -> list[Organization]:
        # More matches than the sample: the page's rows are the first of the whole table
        # in pinyin order. The planner cannot know how selective the test is, so it reads
        # the pinyin index testing each row until it has the page, which is short when
        # matches are common. The sample bounds the read: its own page ends at a key that
        # offset + 20 matches do not pass.
        bound, bound_params = "", []
        sampled = sample_at(at)
        if len(sampled) == per_page:
            last_id, last_key, _ = sampled[-1]
            bound, bound_params = f"AND (sort_key, id) {'<=' if sort == 'name' else '>='} (%s, %s)", [last_key, last_id]
        # Table, test and order come from registry.search and SEARCH_TABLE_ORDER; the text is a parameter.
        ids = RawSQL(  # noqa: S611
            f"SELECT id FROM {search.SEARCH_TABLE} WHERE {contains} {bound} ORDER BY {order} LIMIT %s OFFSET %s",
            [*contains_params, *bound_params, per_page, at],
        )
        return paging.rows(organizations_public().filter(pk__in=ids).order_by(*SORTS[sort]), 0)

    return cap, True, walked


def _rows_in_order(ids: list[int], paging: Paging) -> list[Organization]:
    by_id = {o.pk: o for o in paging.rows(organizations_public().filter(pk__in=ids).order_by(), 0)}
    return [by_id[pk] for pk in ids if pk in by_id]


def _text_page(filters: OrganizationFilters, number: int, paging: Paging) -> tuple[int, bool, Callable[[int], list[Organization]]]:
    """The count (capped) and a function giving the rows of a page at an offset."""
    if (
        connection.vendor == "postgresql"
        and filters.sort in SEARCH_TABLE_ORDER
        and replace(filters, q="", sort=DEFAULT_SORT) == OrganizationFilters()
    ):
        return _search_table_page(filters.q, filters.sort, (max(number, 1) - 1) * paging.per_page, paging)
    plan = TextPlan(
        text=" ".join(search.tokens(filters.q)),
        phrase=search.index_phrase(filters.q),
        base=apply_filters(organizations_public(), replace(filters, q="")),
        only_text=replace(filters, q="", sort=DEFAULT_SORT) == OrganizationFilters(),
    )
    per_page = paging.per_page
    offset = (max(number, 1) - 1) * per_page
    cap = TEXT_COUNT_CAP
    if connection.vendor == "sqlite":
        matches = _fts_matches(plan.phrase, COUNT_CAP + 1)
        qs = _row_contains(plan.base, plan.text) if _walk_is_cheaper(matches, offset, per_page) else _indexed(plan)
        total, capped = (min(matches, cap), matches > cap) if plan.only_text else count_capped(qs, cap)
        return total, capped, lambda at: paging.rows(qs, at)
    total, capped = count_capped(_indexed(plan), cap)
    if capped:
        # More than `cap` rows match: walking finds a page after about (offset + 20) ×
        # table / matches rows; for a deep page of a phrase that is not so common, count
        # further before choosing.
        matches = cap + 1
        if (offset + per_page) * _table_size() > WALK_BUDGET * matches:
            more, over = count_capped(_indexed(plan), COUNT_CAP)
            matches = more + over
    else:
        matches = total
    if _walk_is_cheaper(matches, offset, per_page) or (capped and matches == cap + 1):

        def walked(at: int) -> list[Organization]:
            return _rows_in_order(_walk(plan.base, plan.text, at, per_page), paging)

        return total, capped, walked
    return total, capped, lambda at: paging.rows(_indexed(plan), at)


def _list_columns(qs: QuerySet[Organization]) -> QuerySet[Organization]:
    return qs.select_related("town", "community").only(*LIST_COLUMNS)


@dataclass(frozen=True)
class Paging:
    """How many rows a page holds and how they are read: the portal's page reads the
    columns of its result rows (LIST_COLUMNS); the API reads its serializer's."""

    per_page: int = PER_PAGE
    load: Callable[[QuerySet[Organization]], QuerySet[Organization]] = _list_columns

    def rows(self, qs: QuerySet[Organization], offset: int) -> list[Organization]:
        return list(self.load(qs)[offset : offset + self.per_page])


def search_page(filters: OrganizationFilters, number: int, paging: Paging | None = None, *, clamp: bool = True) -> ResultPage:
    """The page `number` of the public search, with the number of matches (capped: see
    COUNT_CAP and TEXT_COUNT_CAP). A page past the last gives the last page, or with
    `clamp=False` (the API, where such a page is an error) no rows."""
    paging = paging or Paging()
    if search.tokens(filters.q):
        cap = TEXT_COUNT_CAP
        total, capped, page_at = _text_page(filters, number, paging)
    else:
        cap = COUNT_CAP
        qs = search_queryset(filters)
        total, capped = count_capped(qs)

        def page_at(at: int) -> list[Organization]:
            return paging.rows(qs, at)

    last = max(1, -(-total // paging.per_page))
    number = max(number, 1)
    if clamp:
        number = min(number, last)
    rows = page_at((number - 1) * paging.per_page) if total and number <= last else []
    return ResultPage(rows=rows, number=number, total=total, capped=capped, per_page=paging.per_page, cap=cap)


# --- one organization -------------------------------------------------------------------


def organization_public(pk: int) -> Organization:
    """One organization for its public page; missing is 404."""
    try:
        return (
            Organization.objects.select_related("city", "town", "community", "hub_area")
            .prefetch_related(
                "service_domains",
                "target_groups",
                Prefetch("served_communities", queryset=Area.objects.only("id", "name", "code", "kind", "is_demo").order_by("code")),
                "tax_deductible_years",
            )
            .get(pk=pk)
        )
    except (Organization.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


@dataclass(frozen=True)
class HistoryItem:
    on: dt.date
    action: str
    old_status: str
    new_status: str
    reason: str

    @property
    def action_label(self) -> str:
        return AuditAction(self.action).label

    @property
    def old_label(self) -> str:
        return _status_label(self.old_status)

    @property
    def new_label(self) -> str:
        return _status_label(self.new_status)


def _status_label(value: str) -> str:
    try:
        return OrganizationStatus(value).label
    except ValueError:
        return value


HISTORY_ACTIONS = (AuditAction.ORG_CREATED, AuditAction.ORG_FILED, AuditAction.ORG_STATUS_CHANGED)


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def organization_history(org: Organization) -> list[HistoryItem]:
    """The public history: registration or filing, then every change of status with its reason.

    Other edits (phone, address, …) stay in the staff view. Each item is dated by when it
    took effect (the filing date, the status's date), which is also when the record says it
    happened for data entered later.
    """
    entries = AuditEntry.objects.filter(target_type="registry.organization", target_id=str(org.pk), action__in=HISTORY_ACTIONS).order_by(
        "at", "id"
    )
    items = []
    for entry in entries.only("at", "action", "changes", "reason"):
        changes = entry.changes if isinstance(entry.changes, dict) else {}
        recorded = timezone.localtime(entry.at).date()
        if entry.action == AuditAction.ORG_STATUS_CHANGED:
            old, new = (changes.get("status") or [None, None])[:2]
            on = _date((changes.get("status_changed_on") or [None, None])[1]) or recorded
            items.append(HistoryItem(on=on, action=entry.action, old_status=old or "", new_status=new or "", reason=entry.reason))
        else:
            on = _date((changes.get("founded_on") or [None, None])[1]) or recorded
            items.append(HistoryItem(on=on, action=entry.action, old_status="", new_status="", reason=entry.reason))
    # sorted() is stable: entries of the same day keep the order they were recorded in.
    return sorted(items, key=lambda item: item.on)
