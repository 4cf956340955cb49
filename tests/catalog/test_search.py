"""Course search: the stored search vector is kept by PostgreSQL triggers whatever writes the rows
(ORM, bulk insert, COPY, an institution rename); full-text search with Indonesian stemming and
weights; trigram similarity finds typos; SQLite falls back to icontains."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Course, Institution
from catalog.search import course_search_filter, search_normalise
from catalog.selectors import CatalogFilters, course_catalog_list

from .factories import CourseFactory, InstitutionFactory, ListingFactory

pg = pytest.mark.postgresql


def _found(q: str) -> list[str]:
    return [c.title for c in course_catalog_list(filters=CatalogFilters(q=q))]


def _vector(course: Course) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_vector::text FROM catalog_course WHERE id = %s", [course.pk])
        return cursor.fetchone()[0] or ""


def test_the_query_is_trimmed_collapsed_and_bounded():
    assert search_normalise("  pemasaran   digital\n") == "pemasaran digital"
    assert search_normalise(None) == ""
    assert len(search_normalise("a" * 500)) == 100


@pytest.mark.django_db
def test_an_empty_query_keeps_every_course():
    CourseFactory.create_batch(3)
    assert course_search_filter(Course.objects.all(), "   ").count() == 3


@pytest.mark.django_db
def test_odd_characters_in_a_search_are_not_an_error(client):
    ListingFactory(course__title="Akuntansi Dasar")
    for q in ["'", '"unterminated', "a & | ! : * ( )", "-", "%_\\", "<script>", "kopi\x00", "untuk dan"]:
        response = client.get(reverse("catalog:list"), {"q": q})
        assert response.status_code == 200, q
        assert "<script>" not in response.content.decode().split("<main")[1]


# --- PostgreSQL: the vector and its triggers -----------------------------------------------------

@pg
@pytest.mark.django_db
def test_a_course_inserted_by_the_orm_gets_weighted_vector_from_title_institution_and_description():
    course = CourseFactory(title="Barista Kopi", institution__name="Akademi Kuliner Nusantara",
                           description="Belajar menyeduh espresso")
    vector = _vector(course)
    assert "'barista':1A" in vector
    assert "'akadem':3B" in vector and "'nusantara':5B" in vector
    assert "'seduh'" in vector and "C" in vector.split("'seduh'")[1][:6]  # menyeduh → seduh, weight C


@pg
@pytest.mark.django_db
def test_bulk_create_and_copy_get_vectors_too():
    institution = InstitutionFactory(name="LPK Mandiri")
    Course.objects.bulk_create([Course(institution=institution, title="Menjahit Pakaian Wanita",
                                       description="Pola dan potong", category="fashion", hours=10,
                                       status=Course.Status.PUBLISHED)])
    with connection.cursor() as cursor:
        with cursor.cursor.copy(
                "COPY catalog_course (institution_id, title, description, category, level, hours, mode, language,"
                " competency_outcomes, status, curation_reason, created_at, sales_count, rating_count, rating_sum)"
                " FROM STDIN") as copy:
            copy.write_row([institution.pk, "Mengemudi Truk", "SIM B1", "driving", "beginner", 40, "offline", "id",
                            "", "published", "", "2020-04-11 10:00:00+07", 0, 0, 0])
    assert Course.objects.filter(search_vector__isnull=True).count() == 0
    assert "'jahit'" in _vector(Course.objects.get(title="Menjahit Pakaian Wanita"))
    assert "'emud':1A" in _vector(Course.objects.get(title="Mengemudi Truk"))


@pg
@pytest.mark.django_db
def test_changing_a_title_or_renaming_the_institution_updates_the_vectors():
    course = CourseFactory(title="Kursus Lama", institution__name="Lembaga Lama")
    Course.objects.filter(pk=course.pk).update(title="Fotografi Produk")
    assert "'fotograf':1A" in _vector(course) and "'lama':2A" not in _vector(course)

    Institution.objects.filter(pk=course.institution_id).update(name="Sekolah Foto Nusantara")
    assert "'nusantara'" in _vector(course)
    assert "'lembaga'" not in _vector(course)


@pg
@pytest.mark.django_db
def test_the_gin_and_trigram_indexes_exist():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'catalog_course'")
        indexes = dict(cursor.fetchall())
    assert "gin (search_vector)" in indexes["catalog_course_search_vector_gin"]
    assert "gin (title gin_trgm_ops)" in indexes["catalog_course_title_trgm"]


# --- PostgreSQL: what a participant finds ----------------------------------------------------------

@pg
@pytest.mark.django_db
def test_indonesian_stemming_finds_other_forms_of_a_word():
    ListingFactory(course__title="Pemasaran Digital untuk UMKM")
    ListingFactory(course__title="Menjahit Kebaya")
    assert _found("memasarkan") == ["Pemasaran Digital untuk UMKM"]
    assert _found("jahit") == ["Menjahit Kebaya"]


@pg
@pytest.mark.django_db
def test_a_title_match_ranks_above_an_institution_match_above_a_description_match():
    ListingFactory(course__title="Dasar Akuntansi", course__description="Mencatat kas")
    ListingFactory(course__title="Administrasi Kantor", course__description="Termasuk pengantar fotografi")
    ListingFactory(course__title="Editing Video", course__institution__name="Sekolah Fotografi Jakarta")
    ListingFactory(course__title="Fotografi Produk untuk Toko Online")
    assert _found("fotografi") == ["Fotografi Produk untuk Toko Online", "Editing Video", "Administrasi Kantor"]


@pytest.mark.django_db
@pytest.mark.parametrize("typo, title", [
    ("pemasaran digial", "Pemasaran Digital untuk UMKM"),
    ("barsita kopi", "Barista Kopi untuk Pemula"),
    ("barista kopy", "Barista Kopi untuk Pemula"),
    ("menjait", "Menjahit Pakaian Dasar"),
    ("akuntasi", "Akuntansi Keuangan UMKM"),
    ("barsita", "Barista Kopi untuk Pemula"),
    ("menjahid pakaian", "Menjahit Pakaian Dasar"),
    ("bahasa inggirs", "Bahasa Inggris Percakapan"),
])
def test_a_typo_still_finds_the_course(typo, title):
    for t in ["Pemasaran Digital untuk UMKM", "Barista Kopi untuk Pemula", "Menjahit Pakaian Dasar",
              "Akuntansi Keuangan UMKM", "Bahasa Inggris Percakapan", "Mengemudi Ojek Online"]:
        ListingFactory(course__title=t)
    found = _found(typo)
    assert found[0] == title, found
    unrelated = {"Bahasa Inggris Percakapan", "Mengemudi Ojek Online"} - {title}
    assert not unrelated & set(found), found


@pytest.mark.django_db
def test_the_catalog_page_searches_with_a_typo_and_a_filter(client):
    ListingFactory(course__title="Pemasaran Digital untuk UMKM", course__category="digital_marketing")
    ListingFactory(course__title="Pemasaran Digital Lanjutan", course__category="business")
    response = client.get(reverse("catalog:list"), {"q": "pemasaran digial", "category": "digital_marketing"})
    assert [c.title for c in response.context["courses"]] == ["Pemasaran Digital untuk UMKM"]


@pg
@pytest.mark.django_db
def test_words_of_new_titles_descriptions_and_institutions_join_the_lexicon_and_known_words_are_kept():
    from catalog.search import SearchPlan, _full_text_plan

    ListingFactory(course__title="Budidaya Lele Bioflok", course__description="Kolam terpal dan probiotik",
                   course__institution__name="Balai Perikanan Sleman")
    with connection.cursor() as cursor:
        cursor.execute("SELECT word FROM catalog_search_word WHERE word IN"
                       " ('budidaya', 'bioflok', 'probiotik', 'perikanan', 'sleman')")
        assert {w for (w,) in cursor.fetchall()} == {"budidaya", "bioflok", "probiotik", "perikanan", "sleman"}
    # A word found only in a description is a word, not a typo.
    assert _full_text_plan("probiotik") == SearchPlan(text="probiotik")
    assert _found("probiotik") == ["Budidaya Lele Bioflok"]
    # A typo is corrected, and the page can say what was searched.
    assert _full_text_plan("budidaya bioflog") == SearchPlan(text="budidaya bioflok", corrected="budidaya bioflok")
    assert _found("budidaya bioflog") == ["Budidaya Lele Bioflok"]
    # Nothing near: searched as typed, nothing found, no error.
    assert _found("xyzzy") == []


@pytest.mark.django_db
def test_the_page_says_which_words_it_searched_when_it_corrected_a_typo(client):
    ListingFactory(course__title="Barista Kopi untuk Pemula")
    ListingFactory(course__title="Menjahit Pakaian Dasar")
    corrected = client.get(reverse("catalog:list"), {"q": "barsita"})
    assert [c.title for c in corrected.context["courses"]] == ["Barista Kopi untuk Pemula"]
    assert corrected.context["corrected"] == "barista"
    html = corrected.content.decode()
    assert 'id="search-corrected"' in html and "“barista”" in html and "“barsita”" in html
    # Spelled right: nothing to announce.
    exact = client.get(reverse("catalog:list"), {"q": "barista"})
    assert exact.context["corrected"] is None and 'id="search-corrected"' not in exact.content.decode()


@pg
@pytest.mark.django_db
def test_a_search_is_planned_once_then_read_from_the_cache(client, django_assert_num_queries):
    from django.core.cache import cache

    ListingFactory(course__title="Barista Kopi untuk Pemula")
    cache.clear()
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("catalog:list"), {"q": "barsita"})
    with CaptureQueriesContext(connection) as again:
        client.get(reverse("catalog:list"), {"q": "barsita"})
    planned = [q for q in first.captured_queries if "catalog_search_word" in q["sql"]]
    assert len(planned) == 1
    assert not [q for q in again.captured_queries if "catalog_search_word" in q["sql"]]
    assert len(again.captured_queries) == len(first.captured_queries) - 2  # no plan, filter choices cached


@pg
@pytest.mark.django_db(transaction=True)
def test_the_title_similarity_fallback_sets_its_threshold_on_every_connection():
    """A cached fallback plan on a fresh (or pooled) connection must still search with 0.5, not
    pg_trgm's stricter default of 0.6."""
    from catalog.search import SearchPlan, search_plan_get

    # "rotan" is a word of the lexicon only through a draft: the corrected query finds nothing
    # published, so titles are compared with the query as typed.
    CourseFactory(title="Kerajinan Rotan", status=Course.Status.DRAFT)
    ListingFactory(course__title="Menjahit Pakaian Dasar")
    assert search_plan_get("rotam") == SearchPlan(text=None, corrected="rotan")
    connection.close()  # the plan is cached; the next search runs on a new session
    with connection.cursor() as cursor:  # pg_trgm not loaded yet in this session, or its default
        cursor.execute("SELECT current_setting('pg_trgm.word_similarity_threshold', true)")
        assert cursor.fetchone()[0] in (None, "", "0.6")
    assert _found("rotam") == []  # no published title is near enough; no error either
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('pg_trgm.word_similarity_threshold', true)")
        assert cursor.fetchone()[0] == "0.5"


@pytest.mark.django_db
def test_the_lexicon_plan_keeps_known_words_and_prefixes_and_corrects_only_unknown_ones():
    """The correction used off PostgreSQL (the demo's SQLite), tested on either database."""
    from catalog.search import SearchPlan, _lexicon_plan

    ListingFactory(course__title="Barista Kopi untuk Pemula", course__description="Espresso dan latte art")
    ListingFactory(course__title="Menjahit Pakaian Dasar", course__institution__name="LPK Busana Sleman")
    assert _lexicon_plan("barista") == SearchPlan(text="barista")
    assert _lexicon_plan("baris") == SearchPlan(text="baris")  # a prefix of a title word: as typed
    assert _lexicon_plan("latte") == SearchPlan(text="latte")  # a description word
    assert _lexicon_plan("busana") == SearchPlan(text="busana")  # an institution's word
    assert _lexicon_plan("barsita kopi") == SearchPlan(text="barista kopi", corrected="barista kopi")
    assert _lexicon_plan("menjahid") == SearchPlan(text="menjahit", corrected="menjahit")
    assert _lexicon_plan("xyzzy") == SearchPlan(text="xyzzy")  # nothing near: as typed
    # Corrected, but the corrected words find no course together: searched as typed.
    assert _lexicon_plan("barsita menjahid") == SearchPlan(text="barsita menjahid", corrected="barista menjahit")
