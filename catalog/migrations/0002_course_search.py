"""Course search on PostgreSQL: the stored search vector kept by triggers, its GIN index, and a
trigram index on titles for typos. Nothing happens on SQLite, where search falls back to icontains.

Triggers (not Django signals or save()) keep `catalog_course.search_vector`, because demo data and
the platform API create courses in bulk, also by COPY, which no Python code sees:
- before a course is inserted, or its title, description or institution changes: title (weight A),
  institution name (B), description (C), all in the `indonesian` text search configuration;
- after an institution is renamed: the vectors of all its courses."""
from django.db import migrations

FORWARD = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE OR REPLACE FUNCTION catalog_course_search_vector(title text, institution_id bigint, description text)
RETURNS tsvector LANGUAGE sql STABLE AS $$
    SELECT setweight(to_tsvector('indonesian', coalesce(title, '')), 'A')
        || setweight(to_tsvector('indonesian', coalesce(
               (SELECT name FROM catalog_institution WHERE id = institution_id), '')), 'B')
        || setweight(to_tsvector('indonesian', coalesce(description, '')), 'C')
$$;

CREATE OR REPLACE FUNCTION catalog_course_search_vector_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector := catalog_course_search_vector(NEW.title, NEW.institution_id, NEW.description);
    RETURN NEW;
END $$;

CREATE TRIGGER catalog_course_search_vector_insert BEFORE INSERT ON catalog_course
    FOR EACH ROW EXECUTE FUNCTION catalog_course_search_vector_trigger();
CREATE TRIGGER catalog_course_search_vector_update BEFORE UPDATE OF title, description, institution_id
    ON catalog_course FOR EACH ROW EXECUTE FUNCTION catalog_course_search_vector_trigger();

CREATE OR REPLACE FUNCTION catalog_institution_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE catalog_course
       SET search_vector = catalog_course_search_vector(title, institution_id, description)
     WHERE institution_id = NEW.id;
    RETURN NULL;
END $$;

CREATE TRIGGER catalog_institution_renamed AFTER UPDATE OF name ON catalog_institution
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION catalog_institution_renamed();

UPDATE catalog_course SET search_vector = catalog_course_search_vector(title, institution_id, description);

CREATE INDEX catalog_course_search_vector_gin ON catalog_course USING gin (search_vector);
CREATE INDEX catalog_course_title_trgm ON catalog_course USING gin (title gin_trgm_ops);
"""

BACKWARD = """
DROP INDEX IF EXISTS catalog_course_title_trgm;
DROP INDEX IF EXISTS catalog_course_search_vector_gin;
DROP TRIGGER IF EXISTS catalog_institution_renamed ON catalog_institution;
DROP FUNCTION IF EXISTS catalog_institution_renamed();
DROP TRIGGER IF EXISTS catalog_course_search_vector_update ON catalog_course;
DROP TRIGGER IF EXISTS catalog_course_search_vector_insert ON catalog_course;
DROP FUNCTION IF EXISTS catalog_course_search_vector_trigger();
DROP FUNCTION IF EXISTS catalog_course_search_vector(text, bigint, text);
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
