"""The platform API's orders list at benchmark size on PostgreSQL: 100,000 orders of one platform.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<any> .venv/bin/python bench/api.py \
        [--orders 100000] [--requests 2000] [--limit 100] [--reuse]

Works in its own scratch database (--db, default prakerja_bench_api) on the server DATABASE_URL
names: migrates it, then creates one platform with 200 listings, 500 participants and --orders
enrollments of them (one INSERT … SELECT), plus another platform's orders as noise. Then, in one run:
  1. GET /api/v1/orders?limit=N through Django's test client with a sandbox API key: the whole
     stack (middleware, key authentication, throttle, filters, cursor pagination, serialization,
     JSON rendering), requests per second; every 4th request follows a `next` cursor, every 8th
     filters by status;
  2. the same pages read by one raw SQL query each (the same columns and joins, the same keyset
     condition for the cursor pages) and json.dumps of the same objects;
and prints both rates and their ratio (target: the API within 3x of raw SQL + json.dumps) and
the queries per API request.
"""
from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from seed import recreate_database  # noqa: E402

PARTICIPANTS = 500
print = functools.partial(print, flush=True)  # noqa: A001 — progress shows at once in a log
LISTINGS = 200


def _setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prakerja.settings.local")
    os.environ["DEBUG"] = "false"
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ["API_RATE_PER_KEY"] = "1000000/s"  # measure the work, not the throttle's refusals
    import django

    django.setup()


def _seed(n_orders: int, reuse: bool) -> str:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from accounts.models import Participant
    from api.models import ApiKey
    from api.services import api_key_issue
    from catalog.models import Course, Enrollment, Institution, Listing, Partnership
    from platforms.models import Platform
    from tests.catalog.factories import participant_factory

    call_command("migrate", verbosity=0)
    if reuse and Participant.objects.count() >= PARTICIPANTS and Platform.objects.filter(slug="bench-1").exists():
        platform = Platform.objects.get(slug="bench-1")
        if Enrollment.objects.filter(platform=platform).count() < n_orders:
            Enrollment.objects.all().delete()
            _insert_orders(n_orders, list(Participant.objects.values_list("pk", flat=True)[:PARTICIPANTS]),
                           list(Listing.objects.filter(platform=platform).values_list("pk", flat=True)),
                           list(Listing.objects.exclude(platform=platform).values_list("pk", flat=True)), platform)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        ApiKey.objects.filter(platform=platform).delete()
        return api_key_issue(platform=platform, mode="test", name="bench")[1]
    t0 = time.perf_counter()
    platforms = [Platform.objects.create(name=f"Bench {i}", slug=f"bench-{i}", status="active") for i in (1, 2)]
    institution = Institution.objects.create(name="LPK Bench", legal_entity_number="9120000000001", province="31",
                                             status="active")
    listings = []
    for i in range(LISTINGS):
        course = Course.objects.create(institution=institution, title=f"Kursus {i}", description="-",
                                       category="business", hours=10, status="published",
                                       published_at=timezone.now())
        for platform in platforms:
            Partnership.objects.get_or_create(platform=platform, institution=institution,
                                              defaults={"status": "approved"})
            listings.append(Listing.objects.create(course=course, platform=platform, price=100_000 + i * 1000))
    participants = [participant_factory(balance=0).pk for _ in range(PARTICIPANTS)]
    print(f"seeded {PARTICIPANTS:,} participants and {len(listings)} listings in {time.perf_counter() - t0:.1f} s")

    _insert_orders(n_orders, participants, [l.pk for l in listings if l.platform_id == platforms[0].pk],
                   [l.pk for l in listings if l.platform_id == platforms[1].pk], platforms[0])
    _key, raw = api_key_issue(platform=platforms[0], mode="test", name="bench")
    return raw


def _insert_orders(n_orders, participants, main_listings, noise_listings, platform) -> None:
    from django.db import connection

    from catalog.models import Enrollment

    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        # The other platform's orders are refunded ones: the live index allows them beside the main orders.
        main_status = "(ARRAY['purchased','redeemed','completed','refunded'])[1 + g.n %% 4]"
        for platform_listings, count, tag, status in ((main_listings, n_orders, "a", main_status),
                                                      (noise_listings, n_orders // 10, "b", "'refunded'")):
            # participant p buys listing l: distinct (participant, course) pairs, as the live index demands
            cursor.execute("""
                INSERT INTO catalog_enrollment (participant_id, listing_id, course_id, platform_id, price,
                    redemption_code, purchase_token, status, certificate_number, created_at)
                SELECT p.id, l.id, l.course_id, l.platform_id, l.price,
                       upper(substr(md5('{tag}' || g.n::text), 1, 12)), '{tag}bench:' || g.n,
                       {status}, '',
                       now() - (g.n || ' seconds')::interval
                FROM generate_series(0, %s - 1) AS g(n)
                JOIN LATERAL (SELECT id FROM unnest(%s::bigint[]) WITH ORDINALITY u(id, i)
                              WHERE i = 1 + (g.n / %s) %% %s) p ON true
                JOIN catalog_listing l ON l.id = (%s::bigint[])[1 + g.n %% %s]
            """.format(tag=tag, status=status), [count, participants, len(platform_listings), PARTICIPANTS, platform_listings, len(platform_listings)])
        cursor.execute("ANALYZE")
    print(f"inserted {Enrollment.objects.filter(platform=platform).count():,} orders of the measured platform "
          f"(+{Enrollment.objects.exclude(platform=platform).count():,} of another) "
          f"in {time.perf_counter() - t0:.1f} s")


SQL = """
SELECT e.id, e.redemption_code, e.status, e.price, e.listing_id, e.course_id, p.card_number, pr.full_name,
       e.certificate_number, e.completed_on, e.created_at, e.redeemed_at, e.completed_at, e.refunded_at
FROM catalog_enrollment e
JOIN accounts_participant p ON p.id = e.participant_id
JOIN accounts_profile pr ON pr.id = p.profile_id
WHERE e.platform_id = %s {extra}
ORDER BY e.id DESC LIMIT %s
"""


def _raw_page(cursor, platform_id: int, limit: int, *, before: int | None = None, status: str | None = None) -> bytes:
    from django.utils import timezone

    extra, params = "", [platform_id]
    if before is not None:
        extra += " AND e.id < %s"
        params.append(before)
    if status is not None:
        extra += " AND e.status = %s"
        params.append(status)
    cursor.execute(SQL.format(extra=extra), [*params, limit + 1])
    rows = cursor.fetchall()

    def dt(v):
        return timezone.localtime(v).isoformat() if v else None

    data = [{"object": "order", "code": r[1], "status": r[2], "price": r[3], "listing": r[4], "course": r[5],
             "participant": {"card_number": r[6], "name": r[7]}, "certificate_number": r[8] or None,
             "completed_on": r[9].isoformat() if r[9] else None, "created_at": dt(r[10]),
             "redeemed_at": dt(r[11]), "completed_at": dt(r[12]), "refunded_at": dt(r[13])} for r in rows[:limit]]
    return json.dumps({"object": "list", "data": data, "has_more": len(rows) > limit,
                       "next": f"?cursor={rows[limit - 1][0]}" if len(rows) > limit else None,
                       "previous": None}).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=2_000)
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--db", default="prakerja_bench_api")
    parser.add_argument("--reuse", action="store_true", help="keep the database if it is already seeded")
    args = parser.parse_args()

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    from urllib.parse import urlsplit, urlunsplit

    url = urlunsplit(urlsplit(base)._replace(path=f"/{args.db}"))
    if not args.reuse:
        url = recreate_database(base, args.db)
    _setup(url)
    raw = _seed(args.orders, args.reuse)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from platforms.models import Platform

    platform_id = Platform.objects.get(slug="bench-1").pk
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    first = f"/api/v1/orders?limit={args.limit}"

    # The request mix: first pages, cursor pages, status-filtered pages
    def api_requests(n):
        next_url, total_bytes = None, 0
        for i in range(n):
            if i % 8 == 7:
                response = client.get(first + "&status=completed")
            elif i % 4 == 3 and next_url:
                response = client.get(next_url)
            else:
                response = client.get(first)
            assert response.status_code == 200, response.content[:300]
            body = response.content
            total_bytes += len(body)
            if i % 4 != 3:
                next_url = json.loads(body)["next"]
        return total_bytes

    def raw_requests(n):
        total_bytes, before = 0, None
        with connection.cursor() as cursor:
            for i in range(n):
                if i % 8 == 7:
                    body = _raw_page(cursor, platform_id, args.limit, status="completed")
                elif i % 4 == 3 and before:
                    body = _raw_page(cursor, platform_id, args.limit, before=before)
                else:
                    body = _raw_page(cursor, platform_id, args.limit)
                total_bytes += len(body)
                if i % 4 != 3:
                    nxt = json.loads(body)["next"]
                    before = int(nxt.split("=")[1]) if nxt else None
        return total_bytes

    api_requests(20)
    raw_requests(20)  # warm up: imports, plans, caches
    with CaptureQueriesContext(connection) as queries:
        client.get(first)
    per_request = len(queries.captured_queries)

    t0 = time.perf_counter()
    api_bytes = api_requests(args.requests)
    api_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    raw_bytes = raw_requests(args.requests)
    raw_s = time.perf_counter() - t0

    api_rps, raw_rps = args.requests / api_s, args.requests / raw_s
    print(f"\norders list, {args.limit} per page, platform with {args.orders:,} orders, {args.requests:,} requests each")
    print(f"  API (test client, whole stack) : {api_rps:8.1f} req/s  {1000 / api_rps:6.2f} ms/req  "
          f"{api_bytes / args.requests / 1024:5.1f} KiB/page  {per_request} queries/request")
    print(f"  raw SQL + json.dumps           : {raw_rps:8.1f} req/s  {1000 / raw_rps:6.2f} ms/req  "
          f"{raw_bytes / args.requests / 1024:5.1f} KiB/page  1 query/request")
    ratio = raw_rps / api_rps
    print(f"  ratio raw/API                  : {ratio:8.2f}x  (target <= 3x: {'met' if ratio <= 3 else 'NOT met'})")


if __name__ == "__main__":
    main()
