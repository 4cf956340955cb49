"""How close seed_demo's bulk path comes to a plain COPY of the same rows, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<any> .venv/bin/python bench/seed.py [--rows 100000]

Drops and recreates its own scratch database (--db, default prakerja_bench_seed) on that server,
migrates it, then in one run:
  1. writes --rows participants through the seed_demo path (generate, COPY into the real tables,
     with their foreign keys and indexes, in 50,000-row transactions);
  2. COPYs the very same tuples, generated beforehand in memory, into bare tables of the same
     shape (CREATE TABLE … (LIKE … INCLUDING ALL)) in one transaction;
and prints both rates, their ratio (target: the seed within 3x of COPY) and the peak memory.
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class SqlTimes:
    """Database time by statement, for the benchmarks' BENCH_SQL=1 mode:
    `with connection.execute_wrapper(times.wrap): ...`, then `times.report(top)`."""

    def __init__(self, width: int = 110):
        self.width = width
        self.times: dict[str, list[float]] = {}

    def record(self, statement, seconds: float) -> None:
        self.times.setdefault(" ".join(str(statement).split())[:self.width], []).append(seconds)

    def wrap(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.record(sql, time.perf_counter() - started)

    def report(self, top: int) -> None:
        for key, times in sorted(self.times.items(), key=lambda kv: -sum(kv[1]))[:top]:
            print(f"  {sum(times):6.2f}s {len(times):5d}x  {key}")


def recreate_database(url: str, name: str) -> str:
    """Drop and create `name` on the server of `url`; return the URL of the new database."""
    import psycopg

    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        sys.exit("bench/seed.py needs DATABASE_URL=postgres://… (COPY is PostgreSQL's).")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000, help="participants to write (default %(default)s)")
    parser.add_argument("--db", default="prakerja_bench_seed", help="scratch database (dropped and recreated)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    os.environ["DATABASE_URL"] = recreate_database(url, args.db)
    os.environ["DJANGO_SETTINGS_MODULE"] = "prakerja.settings.local"
    os.environ.setdefault("LOG_LEVEL", "WARNING")

    import django

    django.setup()

    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts import demo
    from accounts.models import Profile, User

    call_command("migrate", verbosity=0)
    n = args.rows
    print(f"Database {args.db}: migrated. Writing {n:,} participants.")

    class Quiet:
        def write(self, text: str) -> None:
            if text.startswith("Bulk participants"):
                print("   ", text, end="")

    # 1. The seed_demo path, as `seed_demo --participants N` runs it.
    started = time.perf_counter()
    created = demo.seed_participants(n=n, stdout=Quiet(), seed=args.seed)
    seed_seconds = time.perf_counter() - started
    assert created == n == User.objects.count() == Profile.objects.count() == EmailAddress.objects.count()
    print(f"seed_demo path : {n:,} participants in {seed_seconds:.2f}s = {n / seed_seconds:,.0f} participants/s"
          f" ({3 * n / seed_seconds:,.0f} table rows/s)")

    # 2. The same tuples, generated first, then COPY alone into bare tables of the same shape.
    started = time.perf_counter()
    rows = list(demo.participant_rows(1, n, args.seed))
    users, emails, profiles = demo.table_rows(rows, first_user_id=1, password=make_password(demo.DEMO_PASSWORD),
                                              now=timezone.now())
    del rows
    generate_seconds = time.perf_counter() - started
    tables = [(User._meta.db_table, demo.USER_COLUMNS, users),
              (EmailAddress._meta.db_table, demo.EMAIL_COLUMNS, emails),
              (Profile._meta.db_table, demo.PROFILE_COLUMNS, profiles)]
    with connection.cursor() as wrapper:
        for table, _, _ in tables:
            wrapper.execute(f'CREATE TABLE "bench_{table}" (LIKE "{table}" INCLUDING ALL)')
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as wrapper:
        for table, columns, table_rows in tables:
            demo.copy_rows(wrapper.cursor, f"bench_{table}", columns, table_rows)
    copy_seconds = time.perf_counter() - started
    with connection.cursor() as wrapper:
        wrapper.execute(f'SELECT count(*) FROM "bench_{Profile._meta.db_table}"')
        assert wrapper.fetchone()[0] == n
    print(f"(generating the tuples in memory: {generate_seconds:.2f}s, not counted below)")
    print(f"plain COPY     : {n:,} participants in {copy_seconds:.2f}s = {n / copy_seconds:,.0f} participants/s"
          f" ({3 * n / copy_seconds:,.0f} table rows/s)")

    ratio = seed_seconds / copy_seconds
    verdict = "within" if ratio <= 3 else "NOT within"
    print(f"ratio          : seed_demo takes {ratio:.2f}x the plain COPY time ({verdict} the 3x target)")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"peak memory    : {peak_mb:,.0f} MiB (ru_maxrss)")


if __name__ == "__main__":
    main()
