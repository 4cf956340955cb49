"""Course search: PostgreSQL full-text search plus trigram similarity for typos; icontains on SQLite.

On PostgreSQL a course matches when its stored `search_vector` (title A, institution name B,
description C, `indonesian` configuration, kept by the triggers of migration 0002) matches the
query as a person types it (websearch syntax: words, "quoted phrases", -excluded), ranked by
ts_rank. When no course matches that way (a typo), each word is corrected to the nearest word of
the titles' lexicon by trigram similarity and the corrected query searched in full text; failing
that, the query is compared with titles by trigram word similarity (pg_trgm's `%>` operator,
served by the trigram GIN index), so "pemasaran digial" still finds "Pemasaran Digital untuk
UMKM".

On SQLite (the demo, local development and the fast test run) every word of the query must
appear in the title, the description or the institution name, case-insensitively; relevance falls
back to best-selling. A word found nowhere is corrected to the closest word of the same lexicon
(difflib's ratio, Python side), so the demo forgives "barsita" as PostgreSQL does."""
from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, FloatField, Q, QuerySet, Value

CONFIG = "indonesian"
# pg_trgm's default word-similarity threshold (0.6) misses a swapped pair of letters in a short
# word ("barsita" for "barista" scores 0.53); 0.5 still keeps unrelated titles out.
WORD_SIMILARITY_THRESHOLD = 0.5
MAX_QUERY_LENGTH = 100
# A typed word is replaced by the nearest lexicon word only this similar (pg_trgm's default for
# `%`): "barsita" and "barista" score 0.33, unrelated words far less.
WORD_CORRECTION_SIMILARITY = 0.3
# A search plan depends on the lexicon and on which courses are published, both of which change
# only when a course or an institution does: the same words are planned once a minute at most.
PLAN_CACHE_SECONDS = 60


def search_normalise(raw: str | None) -> str:
    """The query as searched: surrounding and repeated spaces removed, at most MAX_QUERY_LENGTH."""
    return " ".join((raw or "").split())[:MAX_QUERY_LENGTH]


def is_full_text() -> bool:
    return connection.vendor == "postgresql"


def course_search_filter(queryset: QuerySet, query: str, *, plan: SearchPlan | None = None) -> QuerySet:
    """Keep the courses of `queryset` that match `query`, annotated with `rank` (higher is better).
    `plan` is the query's search_plan_get, when the caller already read it.

    PostgreSQL:
    1. when every word is in the lexicon of titles, descriptions and institution names (migration
       0005), full-text search of the query as typed;
    2. otherwise full-text search of the query with each unknown word corrected to the nearest
       lexicon word by trigram similarity: "menjahid" → "menjahit", "barsita" → "barista";
    3. when that finds no published course, the titles word-similar to the query as typed
       (trigram `%>`, the title's trigram index), the slowest.
    Deciding first keeps each search on one index: an OR of full text and trigrams makes
    PostgreSQL compute trigram similarity for every course. The decision takes one query, cached
    for PLAN_CACHE_SECONDS per query (search_plan_get).

    Elsewhere (SQLite): every word of the plan's text (the query, its typos corrected by
    _lexicon_plan) in the title, the description or the institution's name."""
    query = search_normalise(query)
    if not query:
        return queryset.annotate(rank=Value(0.0, output_field=FloatField()))
    plan = plan or search_plan_get(query)
    if is_full_text():
        if plan.text is not None:
            ts_query = SearchQuery(plan.text, config=CONFIG, search_type="websearch")
            return (queryset.filter(search_vector=ts_query)
                    .annotate(rank=SearchRank(F("search_vector"), ts_query)))
        _word_similarity_threshold_set()
        return (queryset.filter(title__trigram_word_similar=query)
                .annotate(rank=TrigramWordSimilarity(query, "title")))
    return queryset.filter(_words_condition(plan.text)).annotate(rank=Value(0.0, output_field=FloatField()))


def _words_condition(text: str) -> Q:
    """Off PostgreSQL: every word in the title, the description or the institution's name."""
    condition = Q()
    for word in text.split():
        condition &= (Q(title__icontains=word) | Q(description__icontains=word)
                      | Q(institution__name__icontains=word))
    return condition


PLAN_SQL = """
WITH token AS (
    SELECT t.token, t.n
      FROM unnest(regexp_split_to_array(lower(%(query)s), '[^[:alnum:]]+')) WITH ORDINALITY AS t(token, n)
     WHERE t.token <> ''
), fixed AS (
    SELECT n, token,
           CASE WHEN length(token) < 3 OR token ~ '^[0-9]+$'
                     OR EXISTS (SELECT 1 FROM catalog_search_word w WHERE w.word = token) THEN token
                ELSE coalesce((SELECT near.word
                                 FROM (SELECT w.word FROM catalog_search_word w
                                        ORDER BY w.word <-> token LIMIT 1) near
                                WHERE similarity(near.word, token) >= %(similarity)s), token)
           END AS word
      FROM token
), plan AS (
    SELECT string_agg(word, ' ' ORDER BY n) AS corrected, coalesce(bool_or(word <> token), false) AS changed
      FROM fixed
)
SELECT plan.changed,
       plan.corrected,
       -- Only a corrected query is tried here (an EXISTS over a rare tsquery can scan the table);
       -- its tsquery is an uncorrelated subquery, a parameter the GIN index can take.
       CASE WHEN plan.changed THEN EXISTS (
           SELECT 1 FROM catalog_course WHERE status = 'published' AND search_vector @@
               (SELECT websearch_to_tsquery(%(config)s, corrected) FROM plan)) END
  FROM plan
"""


@dataclass(frozen=True)
class SearchPlan:
    """How a query is searched: `text` is what is searched (in full text on PostgreSQL, word by
    word elsewhere; None: titles by trigram word similarity, PostgreSQL's fallback); `corrected`
    is the query with its unknown words corrected, when any was (shown as "Showing results for …"
    when `text` is it)."""

    text: str | None
    corrected: str | None = None

    @property
    def announced(self) -> str | None:
        """The corrected query, when the results are for it (the page says so); else None."""
        return self.corrected if self.corrected is not None and self.text == self.corrected else None


def search_plan_get(query: str) -> SearchPlan:
    """The plan of a normalised, non-empty query, cached for PLAN_CACHE_SECONDS (one query when
    not). Words of the lexicon are kept as typed, so a query without typos is searched exactly as
    typed (websearch syntax included)."""
    key = "catalog:search-plan:" + hashlib.sha256(query.encode()).hexdigest()
    plan = _full_text_plan if is_full_text() else _lexicon_plan
    return cache.get_or_set(key, lambda: plan(query), PLAN_CACHE_SECONDS)


def _full_text_plan(query: str) -> SearchPlan:
    with connection.cursor() as cursor:
        cursor.execute(PLAN_SQL, {"config": CONFIG, "query": query, "similarity": WORD_CORRECTION_SIMILARITY})
        changed, corrected, corrected_found = cursor.fetchone()
    if not changed:
        return SearchPlan(text=query)
    return SearchPlan(text=corrected if corrected_found else None, corrected=corrected)


# Off PostgreSQL, a typed word is replaced by a lexicon word at least this similar (difflib's
# ratio): "barsita"/"barista" 0.86, "digial"/"digital" 0.92, "akutansi"/"akuntansi" 0.94.
LEXICON_CORRECTION_RATIO = 0.75
WORD_RE = re.compile(r"[^\W_]+")


def _lexicon_plan(query: str) -> SearchPlan:
    """Off PostgreSQL: each word that no course's title, description or institution contains is
    replaced by the closest word of theirs; the corrected query is used when it finds a course."""
    from .models import Course, Institution

    words = WORD_RE.findall(query.lower())
    candidates = [w for w in words if len(w) >= 3 and not w.isdigit()]
    if not candidates:
        return SearchPlan(text=query)
    # One query tells which words some course contains.
    seen = Course.objects.aggregate(**{f"w{i}": Count("pk", filter=_words_condition(word))
                                       for i, word in enumerate(candidates)})
    unknown = [word for i, word in enumerate(candidates) if not seen[f"w{i}"]]
    if not unknown:
        return SearchPlan(text=query)
    lexicon: set[str] = set()
    for title, description in Course.objects.filter(status=Course.Status.PUBLISHED).values_list("title", "description"):
        lexicon.update(WORD_RE.findall(f"{title} {description}".lower()))
    for name in Institution.objects.values_list("name", flat=True):
        lexicon.update(WORD_RE.findall(name.lower()))
    fixed = {}
    ordered = sorted(lexicon)  # ties go the same way in every process
    for word in unknown:
        near = difflib.get_close_matches(word, ordered, n=1, cutoff=LEXICON_CORRECTION_RATIO)
        if near:
            fixed[word] = near[0]
    if not fixed:
        return SearchPlan(text=query)
    corrected = " ".join(fixed.get(w, w) for w in words)
    found = Course.objects.filter(status=Course.Status.PUBLISHED).filter(_words_condition(corrected)).exists()
    return SearchPlan(text=corrected if found else query, corrected=corrected)


def _word_similarity_threshold_set() -> None:
    """pg_trgm's `%>` reads the session's threshold: set before each fallback search, so a pooled
    or reopened connection never searches with the stricter default."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('pg_trgm.word_similarity_threshold', %s, false)",
                       [str(WORD_SIMILARITY_THRESHOLD)])
