"""Chinese substring search over organization names and business scopes.

Chinese has no spaces, and trigram indexes cannot answer the 1- and 2-character queries
people type most (平湖, 养老). So each organization keeps a search document: its text as
single characters, pairs and triples of characters, each a separate token. Both databases
answer a query from an index over that document:

- SQLite: an FTS5 table kept in sync by triggers; a query is one token (its character,
  its pair, its triple) or a phrase of its triples, which matches exactly the rows whose
  text contains the substring.
- PostgreSQL: a narrow table, registry_organization_search (id, sort_key, content), kept
  in sync by triggers, where `content` is the name and the scope run together ("平湖市阳光
  养老服务中心/为老年人提供养老服务"). A GIN index over its characters, pairs and triples
  finds the candidates; for 4+ characters strpos() on the content keeps the rows where
  the triples are adjacent. Checking a candidate reads a row of ~150 bytes instead
  of the organization's wide row, and walking the pinyin order reads the same small rows.
  The organization table's stored tsvector (search_vector) serves the searches that
  combine the text with other filters.
"""

from __future__ import annotations

import unicodedata
from itertools import pairwise

from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL
from pypinyin import Style, lazy_pinyin


def tokens(text: str) -> list[str]:
    """Lower-cased, width-normalized characters; punctuation and spaces dropped."""
    normalized = unicodedata.normalize("NFKC", text or "").lower()
    return [ch for ch in normalized if ch.isalnum()]


def _bigrams(chars: list[str]) -> list[str]:
    return [a + b for a, b in pairwise(chars)]


def _trigrams(chars: list[str]) -> list[str]:
    return ["".join(chars[i : i + 3]) for i in range(len(chars) - 2)]


# Between the runs of the document. Query tokens have at most three characters, so a
# five-letter token can never be part of a match.
SEPARATOR = "xsepx"
# Ends the single characters. Tokenizers skip punctuation (FTS5 and to_tsvector give the
# same tokens and positions with or without it); PostgreSQL's search table reads the
# text back from the document up to this mark (registry_search_text, POSTGRES_SEARCH_SQL).
TEXT_END = "|"
# Separates name and scope in the search table's text; never part of a query.
PART_END = "/"


def search_document(name: str, scope: str = "") -> str:
    """The text as single characters, then as overlapping pairs, then as overlapping
    triples of characters.

    A 1-character query matches a single-character token; a 2-character query is a pair;
    a longer one is a phrase of its triples (平湖市当 → "平湖市 湖市当"), which matches exactly
    where the substring occurs. Triples are far rarer than pairs, so the index hands the
    database almost only rows that really match, and each candidate it must check costs a
    visit to the row. A separator token keeps a phrase from spanning name and scope.
    The single characters end with TEXT_END, so that PostgreSQL can read the text back.
    """
    token_lists = [tokens(p) for p in (name, scope) if p]
    if not token_lists:
        return ""
    singles = [" ".join(t) for t in token_lists]
    pairs = [" ".join(_bigrams(t)) for t in token_lists]
    triples = [" ".join(_trigrams(t)) for t in token_lists if len(t) >= 3]
    return f" {SEPARATOR} ".join(singles) + f" {TEXT_END} {SEPARATOR} " + f" {SEPARATOR} ".join(pairs + triples)


def search_text(name: str, scope: str = "") -> str:
    """What PostgreSQL's search table holds: the characters of name and scope, each run
    together, PART_END between them. The SQL function registry_search_text computes it
    from the document; the tests hold the two equal."""
    return PART_END.join("".join(tokens(p)) for p in (name, scope) if p)


def index_phrase(query: str) -> str:
    """The tokens to look up for a query: its single character, its pair, or its triples."""
    chars = tokens(query)
    if len(chars) <= 1:
        return "".join(chars)
    if len(chars) == 2:
        return "".join(chars)
    return " ".join(_trigrams(chars))


def sort_key(name: str) -> str:
    """Pinyin with tones stripped, e.g. 平湖市 -> 'ping hu shi', so ORDER BY is by pinyin."""
    return " ".join(lazy_pinyin(unicodedata.normalize("NFKC", name or ""), style=Style.NORMAL, errors="default"))[:300].lower()


def filter_text(queryset: QuerySet, query: str) -> QuerySet:
    """Rows of `queryset` (Organization) whose name or business scope contains `query`."""
    phrase = index_phrase(query)
    if not phrase:
        return queryset
    table = queryset.model._meta.db_table
    if connection.vendor == "postgresql":
        return queryset.filter(
            # The table name comes from the model, the query text is a bound parameter.
            RawSQL(  # noqa: S611
                f"{table}.search_vector @@ phraseto_tsquery('simple', %s)", [phrase], output_field=BooleanField()
            )
        )
    # FTS5 phrase: double quotes; the tokens are alphanumerics, so no quote can appear.
    return queryset.filter(
        id__in=RawSQL("SELECT rowid FROM registry_organization_fts WHERE registry_organization_fts MATCH %s", [f'"{phrase}"'])
    )


SQLITE_FTS_SQL = [
    "CREATE VIRTUAL TABLE registry_organization_fts USING fts5("
    "search_document, content='registry_organization', content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER registry_organization_fts_ai AFTER INSERT ON registry_organization BEGIN "
    "INSERT INTO registry_organization_fts(rowid, search_document) VALUES (new.id, new.search_document); END",
    "CREATE TRIGGER registry_organization_fts_ad AFTER DELETE ON registry_organization BEGIN "
    "INSERT INTO registry_organization_fts(registry_organization_fts, rowid, search_document) "
    "VALUES ('delete', old.id, old.search_document); END",
    "CREATE TRIGGER registry_organization_fts_au AFTER UPDATE OF search_document ON registry_organization BEGIN "
    "INSERT INTO registry_organization_fts(registry_organization_fts, rowid, search_document) "
    "VALUES ('delete', old.id, old.search_document); "
    "INSERT INTO registry_organization_fts(rowid, search_document) VALUES (new.id, new.search_document); END",
]
SQLITE_FTS_REVERSE_SQL = [
    "DROP TRIGGER IF EXISTS registry_organization_fts_au",
    "DROP TRIGGER IF EXISTS registry_organization_fts_ad",
    "DROP TRIGGER IF EXISTS registry_organization_fts_ai",
    "DROP TABLE IF EXISTS registry_organization_fts",
]
# PostgreSQL keeps the parsed document in a stored generated column, so that checking a
# candidate row from the index (phrase positions) reads the vector instead of re-parsing
# the text: the difference between milliseconds and seconds for common characters.
POSTGRES_COLUMN_SQL = [
    "ALTER TABLE registry_organization ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', search_document)) STORED",
]
POSTGRES_SQL = [
    "CREATE INDEX IF NOT EXISTS registry_org_search_gin ON registry_organization USING gin (search_vector)",
]
POSTGRES_REVERSE_SQL = [
    "DROP INDEX IF EXISTS registry_org_search_gin",
    "ALTER TABLE registry_organization DROP COLUMN IF EXISTS search_vector",
]

# PostgreSQL's search table. Its text comes from the document (the single characters, up
# to TEXT_END), so every writer of search_document keeps it right without knowing of it.
# The GIN index holds each row's characters and pairs, and its triples tagged with the
# part they come from (1 name, 2 scope): a phrase must then find all its triples in one
# part, and a name that says 互助会 with a scope that says 邻里互助 is no candidate for
# 邻里互助会. The index's function is only computed when a row is written (and, were a
# bitmap ever lossy, to recheck); its COST (~20 µs a row) keeps the planner from calling
# it on each row of a scan instead of asking the index.
SEARCH_TABLE = "registry_organization_search"
SEARCH_PARTS = (1, 2)
POSTGRES_SEARCH_SQL = [
    f"""CREATE OR REPLACE FUNCTION registry_search_text(document text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT CASE WHEN strpos(document, ' {TEXT_END} ') > 0
            THEN replace(replace(split_part(document, ' {TEXT_END} ', 1), ' {SEPARATOR} ', '{PART_END}'), ' ', '')
            ELSE '' END
    $$""",
    f"""CREATE OR REPLACE FUNCTION registry_search_grams(content text) RETURNS text[]
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 1000 AS $$
    DECLARE
        part text;
        k int := 0;
        n int;
        grams text[] := '{{}}';
    BEGIN
        FOREACH part IN ARRAY string_to_array(content, '{PART_END}') LOOP
            k := k + 1;
            n := length(part);
            FOR i IN 1..n LOOP
                grams := grams || substr(part, i, 1);
                IF i < n THEN grams := grams || substr(part, i, 2); END IF;
                IF i < n - 1 THEN grams := grams || (k::text || substr(part, i, 3)); END IF;
            END LOOP;
        END LOOP;
        RETURN grams;
    END
    $$""",
    # Parallel workers cost more to start than these small scans take.
    f"CREATE TABLE {SEARCH_TABLE} (id bigint PRIMARY KEY, sort_key varchar(300) NOT NULL, content text NOT NULL) "
    "WITH (parallel_workers = 0)",
    f"INSERT INTO {SEARCH_TABLE} (id, sort_key, content) "
    "SELECT id, sort_key, registry_search_text(search_document) FROM registry_organization",
    f"CREATE INDEX registry_org_search_sort ON {SEARCH_TABLE} (sort_key, id)",
    f"CREATE INDEX registry_org_search_grams ON {SEARCH_TABLE} USING gin (registry_search_grams(content))",
    # Statement triggers with transition tables: a bulk insert (an import, the demo seed)
    # fills the table in one statement.
    f"""CREATE OR REPLACE FUNCTION registry_organization_search_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO {SEARCH_TABLE} (id, sort_key, content)
        SELECT id, sort_key, registry_search_text(search_document) FROM new_rows;
        RETURN NULL;
    END
    $$""",
    f"""CREATE OR REPLACE FUNCTION registry_organization_search_updated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO {SEARCH_TABLE} (id, sort_key, content)
        SELECT n.id, n.sort_key, registry_search_text(n.search_document)
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE n.sort_key IS DISTINCT FROM o.sort_key OR n.search_document IS DISTINCT FROM o.search_document
        ON CONFLICT (id) DO UPDATE SET sort_key = EXCLUDED.sort_key, content = EXCLUDED.content;
        RETURN NULL;
    END
    $$""",
    f"""CREATE OR REPLACE FUNCTION registry_organization_search_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM {SEARCH_TABLE} s USING old_rows o WHERE s.id = o.id;
        RETURN NULL;
    END
    $$""",
    f"""CREATE OR REPLACE FUNCTION registry_organization_search_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        TRUNCATE {SEARCH_TABLE};
        RETURN NULL;
    END
    $$""",
    "CREATE TRIGGER registry_organization_search_ai AFTER INSERT ON registry_organization "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION registry_organization_search_inserted()",
    "CREATE TRIGGER registry_organization_search_au AFTER UPDATE ON registry_organization "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION registry_organization_search_updated()",
    "CREATE TRIGGER registry_organization_search_ad AFTER DELETE ON registry_organization "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION registry_organization_search_deleted()",
    "CREATE TRIGGER registry_organization_search_at AFTER TRUNCATE ON registry_organization "
    "FOR EACH STATEMENT EXECUTE FUNCTION registry_organization_search_truncated()",
    f"ANALYZE {SEARCH_TABLE}",
]
POSTGRES_SEARCH_REVERSE_SQL = [
    "DROP TRIGGER IF EXISTS registry_organization_search_at ON registry_organization",
    "DROP TRIGGER IF EXISTS registry_organization_search_ad ON registry_organization",
    "DROP TRIGGER IF EXISTS registry_organization_search_au ON registry_organization",
    "DROP TRIGGER IF EXISTS registry_organization_search_ai ON registry_organization",
    "DROP FUNCTION IF EXISTS registry_organization_search_truncated()",
    "DROP FUNCTION IF EXISTS registry_organization_search_deleted()",
    "DROP FUNCTION IF EXISTS registry_organization_search_updated()",
    "DROP FUNCTION IF EXISTS registry_organization_search_inserted()",
    f"DROP TABLE IF EXISTS {SEARCH_TABLE}",
    "DROP FUNCTION IF EXISTS registry_search_grams(text)",
    "DROP FUNCTION IF EXISTS registry_search_text(text)",
]


def postgres_match(query: str) -> tuple[str, list]:
    """PostgreSQL: a condition on the search table (SEARCH_TABLE: id, sort_key, content)
    true exactly for the rows whose name or scope contains `query`, and its parameters.

    Up to three characters the index alone is exact: the character, the pair, the triple
    in either part. A longer text needs all its triples in one part, then strpos() to
    check that they follow each other there (PART_END keeps it from spanning the parts).
    """
    chars = tokens(query)
    text = "".join(chars)
    grams = "registry_search_grams(content)"
    if len(chars) <= 2:
        return f"{grams} @> %s::text[]", [[text]]
    if len(chars) == 3:
        return f"{grams} && %s::text[]", [[f"{part}{text}" for part in SEARCH_PARTS]]
    in_one_part = " OR ".join([f"{grams} @> %s::text[]"] * len(SEARCH_PARTS))
    params = [[f"{part}{t}" for t in _trigrams(chars)] for part in SEARCH_PARTS]
    return f"({in_one_part}) AND strpos(content, %s) > 0", [*params, text]


def postgres_contains(query: str) -> tuple[str, list]:
    """PostgreSQL: the same test made on a row of the search table without the index, for
    reading the table in pinyin order."""
    return "strpos(content, %s) > 0", ["".join(tokens(query))]
