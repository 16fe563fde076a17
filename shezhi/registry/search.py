"""Chinese substring search over organization names and business scopes.

Chinese has no spaces, and trigram indexes cannot answer the 1- and 2-character queries
people type most (平湖, 养老). So each organization keeps a search document: its text with
every character a separate token. A phrase query over that document ("平 湖") matches
exactly the rows whose text contains the substring, and both databases answer it from an
index — SQLite through an FTS5 table kept in sync by triggers, PostgreSQL through a GIN
index on the stored column search_vector = to_tsvector('simple', document).
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


def search_document(*parts: str) -> str:
    """The text as single characters, then as overlapping pairs, then as overlapping
    triples of characters.

    A 1-character query matches a single-character token; a 2-character query is a pair;
    a longer one is a phrase of its triples (平湖市当 → "平湖市 湖市当"), which matches exactly
    where the substring occurs. Triples are far rarer than pairs, so the index hands the
    database almost only rows that really match, and each candidate it must check costs a
    visit to the row. A separator token keeps a phrase from spanning name and scope.
    """
    token_lists = [tokens(p) for p in parts if p]
    singles = [" ".join(t) for t in token_lists]
    pairs = [" ".join(_bigrams(t)) for t in token_lists]
    triples = [" ".join(_trigrams(t)) for t in token_lists if len(t) >= 3]
    return f" {SEPARATOR} ".join(singles + pairs + triples)


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
