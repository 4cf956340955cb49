"""An index measured by bench/catalog.py at 100,000 listings (PostgreSQL only).

Every catalog query asks, per course, for its active offers on selling platforms: EXISTS for the
filter, the count and the cheapest price for the page. With only (course_id) and
(course_id, price) to go on, a search matching a thousand courses made PostgreSQL hash all
100,000 listings for the count (126 ms); with the platform and price in a partial covering index
it probes each course's offers by index-only scan (18 ms).

Raw SQL, as for the search indexes of 0002: INCLUDE has no portable form, and a model index would
change SQLite's schema for nothing."""
from django.db import migrations

FORWARD = """
CREATE INDEX IF NOT EXISTS catalog_listing_active_offers
    ON catalog_listing (course_id, platform_id) INCLUDE (price) WHERE is_active;
"""
BACKWARD = "DROP INDEX IF EXISTS catalog_listing_active_offers;"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0005_search_words")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
