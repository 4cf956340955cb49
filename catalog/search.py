"""Course search: PostgreSQL full-text search plus trigram similarity for typos; icontains on SQLite.

On PostgreSQL a course matches when its stored `search_vector` (title A, institution name B,
description C, `indonesian` configuration, kept by the triggers of migration 0002) matches the
query as a person types it (websearch syntax: words, "quoted phrases", -excluded), ranked by
ts_rank. When no course matches that way (a typo), the query is compared with titles by trigram
word similarity (pg_trgm's `%>` operator, served by the trigram GIN index), so "pemasaran digial"
still finds "Pemasaran Digital untuk UMKM", ranked by that similarity.

On SQLite (local development and the fast test run) every word of the query must appear in the
title, the description or the institution name, case-insensitively; relevance falls back to
best-selling."""
from __future__ import annotations

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db import connection
from django.db.models import F, FloatField, Q, QuerySet, Value

CONFIG = "indonesian"
# pg_trgm's default word-similarity threshold (0.6) misses a swapped pair of letters in a short
# word ("barsita" for "barista" scores 0.53); 0.5 still keeps unrelated titles out.
WORD_SIMILARITY_THRESHOLD = 0.5
MAX_QUERY_LENGTH = 100


def search_normalise(raw: str | None) -> str:
    """The query as searched: surrounding and repeated spaces removed, at most MAX_QUERY_LENGTH."""
    return " ".join((raw or "").split())[:MAX_QUERY_LENGTH]


def is_full_text() -> bool:
    return connection.vendor == "postgresql"


def course_search_filter(queryset: QuerySet, query: str) -> QuerySet:
    """Keep the courses of `queryset` that match `query`, annotated with `rank` (higher is better).

    PostgreSQL: full-text search when any published course matches the words as typed; otherwise
    (a typo, most often) the titles word-similar to the query. Deciding first keeps each case on
    its own index: an OR of the two would make PostgreSQL compute trigram similarity for every
    course. The decision and the session's similarity threshold take one query."""
    query = search_normalise(query)
    if not query:
        return queryset.annotate(rank=Value(0.0, output_field=FloatField()))
    if is_full_text():
        ts_query = SearchQuery(query, config=CONFIG, search_type="websearch")
        if _full_text_matches(query):
            return (queryset.filter(search_vector=ts_query)
                    .annotate(rank=SearchRank(F("search_vector"), ts_query)))
        return (queryset.filter(title__trigram_word_similar=query)
                .annotate(rank=TrigramWordSimilarity(query, "title")))
    condition = Q()
    for word in query.split():
        condition &= (Q(title__icontains=word) | Q(description__icontains=word)
                      | Q(institution__name__icontains=word))
    return queryset.filter(condition).annotate(rank=Value(0.0, output_field=FloatField()))


def _full_text_matches(query: str) -> bool:
    """Whether any published course matches `query` in full text; also sets the session's
    word-similarity threshold (only `%>`/`<%` read it), before each search, so a pooled or
    reopened connection never searches with the stricter default."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, false),"
            " EXISTS (SELECT 1 FROM catalog_course WHERE status = 'published'"
            "         AND search_vector @@ websearch_to_tsquery(%s, %s))",
            [str(WORD_SIMILARITY_THRESHOLD), CONFIG, query])
        return cursor.fetchone()[1]
