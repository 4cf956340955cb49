"""Test-wide switches: tests that need PostgreSQL, Redis or Chromium skip locally without them,
and fail when PRAKERJA_REQUIRE_SERVICES=1 (set by .ci/run), so CI can never pass by skipping."""
from __future__ import annotations

import os
import shutil
from io import StringIO

import pytest
from django.conf import settings

REQUIRE = os.environ.get("PRAKERJA_REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _missing(what: str) -> None:
    if REQUIRE:
        pytest.fail(f"{what} is required here (PRAKERJA_REQUIRE_SERVICES=1) but is not available", pytrace=False)
    pytest.skip(f"{what} not available")


def is_postgresql() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def redis_url() -> str:
    """The Redis that Celery's broker setting names, else REDIS_URL."""
    broker = settings.CELERY_BROKER_URL or ""
    return broker if broker.startswith("redis") else os.environ.get("REDIS_URL", "")


def redis_available() -> bool:
    url = redis_url()
    if not url.startswith("redis"):
        return False
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgresql") and not is_postgresql():
        _missing("PostgreSQL (DATABASE_URL=postgres://…)")
    if item.get_closest_marker("redis") and not redis_available():
        _missing("Redis (CELERY_BROKER_URL=redis://…)")
    if item.get_closest_marker("browser") and not shutil.which(CHROMIUM):
        _missing(f"Chromium at {CHROMIUM}")


@pytest.fixture
def client_en(client):
    """A browser whose person picked English with the switcher (the default is Indonesian)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (filter choices, API throttle counters)."""
    from django.core.cache import cache

    cache.clear()
    yield


def seed(**options) -> str:
    """Run seed_demo; its output."""
    from django.core.management import call_command

    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """seed_demo once for the module (default size: 300 bulk participants), rolled back at the end.
    Each test using db_seeded runs in a savepoint inside this transaction."""
    from django.db import connection, transaction

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            output = seed()
            yield output
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            connection.close()


@pytest.fixture
def db_seeded(seeded, django_db_blocker):
    with django_db_blocker.unblock():
        yield seeded
