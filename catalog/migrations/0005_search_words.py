"""Typo correction on PostgreSQL: a lexicon of the words in course titles, descriptions and
institution names,
with a trigram index, kept by the same trigger that keeps the search vector.

A search word missing from the lexicon is corrected to the nearest lexicon word
("menjahid" → "menjahit", "barsita" → "barista") and searched again in full text, which stays on
the GIN index; comparing the query with every title by trigram similarity is slow at 50,000
courses. Words are never removed: a stale word only fails to match, then the title trigram
fallback runs. Nothing happens on SQLite."""
from django.db import migrations

FORWARD = """
CREATE TABLE IF NOT EXISTS catalog_search_word (word text PRIMARY KEY);
-- GiST, not GIN: it serves `ORDER BY word <-> token LIMIT 1`, the nearest word, by index.
CREATE INDEX IF NOT EXISTS catalog_search_word_trgm ON catalog_search_word USING gist (word gist_trgm_ops);

CREATE OR REPLACE FUNCTION catalog_search_words_add(body text) RETURNS void LANGUAGE sql AS $$
    INSERT INTO catalog_search_word (word)
    SELECT DISTINCT w FROM regexp_split_to_table(lower(coalesce(body, '')), '[^[:alnum:]]+') AS w
     WHERE length(w) >= 3 AND w !~ '^[0-9]+$'
    ON CONFLICT DO NOTHING
$$;

CREATE OR REPLACE FUNCTION catalog_course_search_vector_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector := catalog_course_search_vector(NEW.title, NEW.institution_id, NEW.description);
    IF TG_OP = 'INSERT' OR NEW.title IS DISTINCT FROM OLD.title OR NEW.description IS DISTINCT FROM OLD.description THEN
        PERFORM catalog_search_words_add(NEW.title || ' ' || NEW.description);
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION catalog_institution_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE catalog_course
       SET search_vector = catalog_course_search_vector(title, institution_id, description)
     WHERE institution_id = NEW.id;
    PERFORM catalog_search_words_add(NEW.name);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION catalog_institution_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM catalog_search_words_add(NEW.name);
    RETURN NULL;
END $$;

CREATE TRIGGER catalog_institution_words AFTER INSERT ON catalog_institution
    FOR EACH ROW EXECUTE FUNCTION catalog_institution_words();

SELECT catalog_search_words_add(title || ' ' || description) FROM catalog_course;
SELECT catalog_search_words_add(name) FROM catalog_institution;
"""

BACKWARD = """
DROP TRIGGER IF EXISTS catalog_institution_words ON catalog_institution;
DROP FUNCTION IF EXISTS catalog_institution_words();
CREATE OR REPLACE FUNCTION catalog_course_search_vector_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector := catalog_course_search_vector(NEW.title, NEW.institution_id, NEW.description);
    RETURN NEW;
END $$;
CREATE OR REPLACE FUNCTION catalog_institution_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE catalog_course
       SET search_vector = catalog_course_search_vector(title, institution_id, description)
     WHERE institution_id = NEW.id;
    RETURN NULL;
END $$;
DROP FUNCTION IF EXISTS catalog_search_words_add(text);
DROP TABLE IF EXISTS catalog_search_word;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0004_catalog_price_rating_indexes"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
