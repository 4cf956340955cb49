"""The catalog page at benchmark size on PostgreSQL, and one purchase with 8 buyers at once.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<any> .venv/bin/python bench/catalog.py \
        [--listings 100000] [--seconds 15] [--reuse]

Works in its own scratch database (--db, default prakerja_bench_catalog) on the server DATABASE_URL
names: migrates it and runs `seed_demo --listings N` in a child process (the demo catalogue, its
purchases, then COPY up to N listings). --reuse keeps the database when it already holds N listings.
Then, in one run:
  1. catalog page requests per second through Django's test client (the whole middleware stack,
     single thread), alternating with the bare view below request by request: a fixed, seeded
     mix of realistic requests to /pelatihan/: searches (some with typos), filters (category,
     platform, province, mode, price range, minimum rating), every sort order, pages 1-3;
  2. the same requests, same query strings, to a bare Django view that renders the same
     template (catalog/list.html) from an in-memory list of courses, 20 per page, with an
     in-memory filter form: the cost of the template and the middleware alone;
  and prints both rates, their ratio (target: the catalog within 2x of the bare view), the
  queries per catalog request, and the slowest kinds of request. The machine's load moves both
  rates; alternating the two keeps their ratio comparable;
  3. one purchase (enrollment_purchase, the page's service) by 8 distinct participants at once from
     8 threads, all on the same platform (its payable is the hot account), in --rounds rounds:
     per-purchase latency p50 and max, and each round's wall time.
BENCH_SQL=1 adds the database time by statement; BENCH_EXPLAIN=1 prints EXPLAIN ANALYZE of the
slowest request's queries.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import types
import uuid
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from seed import SqlTimes, recreate_database  # noqa: E402

SEARCHES = ("digital marketing", "barista", "bahasa inggris", "akuntansi", "menjahit", "kue kering", "excel",
            "mengemudi", "hidroponik", "desain grafis", "python", "tata rias", "facebook ads", "pembukuan umkm",
            "teknisi ac", "public speaking", "budidaya lele", "latte art", "bahasa jepang", "fotografi produk",
            # typos, as people type them on a phone
            "pemasaran digial", "barsita", "akutansi", "menjahid", "bahasa inggirs", "hidroponk")
CATEGORIES = ("digital_marketing", "culinary", "language", "finance", "technology", "food_beverage", "driving",
              "beauty", "business", "office")
PLATFORMS = ("skill-academy", "sisnaker", "pintaria", "tokopedia", "bukalapak", "sekolahmu", "maubelajarapa",
             "pijar-mahir")
PROVINCES = ("31", "32", "33", "35", "36", "12", "51", "73")
SORTS = ("", "", "price", "rating", "newest", "popular")


def request_mix(n: int, seed: int = 1) -> list[str]:
    """`n` catalog query strings: 60% searches, 0-2 filters, any sort, mostly page 1."""
    rng = random.Random(seed)
    mix = []
    for _ in range(n):
        params: dict[str, str] = {}
        if rng.random() < 0.6:
            params["q"] = rng.choice(SEARCHES)
        for _ in range(rng.choices((0, 1, 2), (35, 45, 20))[0]):
            kind = rng.choice(("category", "platform", "province", "mode", "price", "rating"))
            if kind == "category":
                params["category"] = rng.choice(CATEGORIES)
            elif kind == "platform":
                params["platform"] = rng.choice(PLATFORMS)
            elif kind == "province":
                params["province"] = rng.choice(PROVINCES)
            elif kind == "mode":
                params["mode"] = rng.choice(("online", "offline", "blended"))
            elif kind == "price":
                params["price_max"] = str(rng.choice((200_000, 300_000, 500_000)))
                if rng.random() < 0.3:
                    params["price_min"] = "100000"
            else:
                params["rating_min"] = rng.choice(("3", "4"))
        if sort := rng.choice(SORTS):
            params["sort"] = sort
        page = rng.choices((1, 2, 3), (80, 15, 5))[0]
        if page > 1:
            params["page"] = str(page)
        mix.append(urlencode(params))
    return mix


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=15.0, help="time per view measured (default %(default)s)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of 8 simultaneous purchases")
    parser.add_argument("--db", default="prakerja_bench_catalog")
    parser.add_argument("--reuse", action="store_true", help="keep the scratch database if it holds the listings")
    args = parser.parse_args()

    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith(("postgres://", "postgresql://")):
        sys.exit("bench/catalog.py needs DATABASE_URL=postgres://… (a PostgreSQL server).")
    scratch_url = urlunsplit(urlsplit(base_url)._replace(path=f"/{args.db}"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "prakerja.settings.local"
    os.environ["DEBUG"] = "false"  # DEBUG keeps every query in memory and serves tracebacks
    os.environ.setdefault("DB_POOL", "true")  # as in production: connections reused across requests
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.setdefault("LOG_LEVEL", "WARNING")

    def manage(*argv: str) -> None:
        subprocess.run([sys.executable, "manage.py", *argv], cwd=ROOT, check=True, env=os.environ)

    reuse = False
    if args.reuse:
        import psycopg

        try:
            with psycopg.connect(scratch_url) as conn:
                reuse = conn.execute("SELECT count(*) FROM catalog_listing").fetchone()[0] >= args.listings
        except psycopg.Error:
            reuse = False
    if not reuse:
        os.environ["DATABASE_URL"] = recreate_database(base_url, args.db)
        started = time.perf_counter()
        manage("migrate", "--noinput", "-v0")
        manage("seed_demo", "--listings", str(args.listings))
        print(f"Seeded the demo and {args.listings:,} listings in {time.perf_counter() - started:.1f}s "
              f"(child process).")
    os.environ["DATABASE_URL"] = scratch_url
    if reuse:
        manage("migrate", "--noinput", "-v0")  # the catalog's indexes may be newer than the data

    import django

    django.setup()
    from django.conf import settings
    from django.core.paginator import Paginator
    from django.db import connection, connections
    from django.shortcuts import render
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import clear_url_caches, include, path

    from catalog.forms import CatalogFilterForm
    from catalog.models import Course, Listing
    from catalog.selectors import CatalogFilters, catalog_choices_get, course_catalog_list

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM catalog_listing")
        n_listings = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM catalog_course")
        n_courses = cursor.fetchone()[0]
    print(f"Database {args.db}: {n_courses:,} courses, {n_listings:,} listings.")
    with connection.cursor() as cursor:  # as autovacuum would have left a live database
        cursor.execute("VACUUM ANALYZE")

    # --- the bare view: the same template from memory ------------------------------------------
    memory_choices = catalog_choices_get()
    memory_courses = list(course_catalog_list(filters=CatalogFilters())[:60])
    for course in memory_courses:  # the template reads the institution; already joined
        course.institution.get_province_display()

    def bare_catalog(request):
        form = CatalogFilterForm(request.GET or None, **memory_choices)
        page_obj = Paginator(memory_courses, 20).get_page(request.GET.get("page"))
        params = request.GET.copy()
        params.pop("page", None)
        return render(request, "catalog/list.html", {
            "form": form, "page_obj": page_obj, "courses": page_obj.object_list, "total": 1000,
            "total_capped": True, "total_grouped": "1.000", "query": form.data.get("q", "") if form.data else "",
            "querystring": params.urlencode(),
            "active_filters": form.active_filter_count() if request.GET else 0,
        })

    bench_urls = types.ModuleType("bench_catalog_urls")
    bench_urls.urlpatterns = [path("bench/bare/", bare_catalog), path("", include(settings.ROOT_URLCONF))]
    sys.modules["bench_catalog_urls"] = bench_urls
    settings.ROOT_URLCONF = "bench_catalog_urls"
    clear_url_caches()

    client = Client()
    mix = request_mix(400)
    catalog_url, bare_url = "/pelatihan/", "/bench/bare/"
    for qs in mix[:3]:  # warm up both: imports, template loading, first connection
        assert client.get(f"{catalog_url}?{qs}").status_code == 200
        assert client.get(f"{bare_url}?{qs}").status_code == 200
    with CaptureQueriesContext(connection) as captured:  # its courses are wholly in memory
        client.get(f"{bare_url}?{mix[0]}")
    assert not captured.captured_queries, [q["sql"] for q in captured.captured_queries]

    def measure() -> tuple[dict[str, list[float]], dict[str, dict[str, list[float]]]]:
        """Catalog and bare requests alternate, one of each per query string, so that both see
        the same machine load (the ratio is what counts); rates are requests per second of time
        spent in each view."""
        latencies: dict[str, list[float]] = {catalog_url: [], bare_url: []}
        by_qs: dict[str, dict[str, list[float]]] = {catalog_url: {}, bare_url: {}}
        deadline = time.perf_counter() + 2 * args.seconds
        i = 0
        while time.perf_counter() < deadline:
            qs = mix[i % len(mix)]
            for prefix in (catalog_url, bare_url) if i % 2 else (bare_url, catalog_url):
                t0 = time.perf_counter()
                response = client.get(f"{prefix}?{qs}")
                elapsed = time.perf_counter() - t0
                assert response.status_code == 200, (prefix, qs, response.status_code)
                latencies[prefix].append(elapsed)
                by_qs[prefix].setdefault(qs, []).append(elapsed)
            i += 1
        return latencies, by_qs

    if os.environ.get("BENCH_SQL"):
        sql_times = SqlTimes(width=110)
        with connection.execute_wrapper(sql_times.wrap):
            latencies, by_qs = measure()
        print("database time by statement (catalog requests):")
        sql_times.report(12)
    else:
        latencies, by_qs = measure()
    catalog_lat, bare_lat = latencies[catalog_url], latencies[bare_url]
    catalog_rps, bare_rps = len(catalog_lat) / sum(catalog_lat), len(bare_lat) / sum(bare_lat)
    catalog_by_qs = by_qs[catalog_url]

    query_counts = []
    for qs in mix[:40]:
        with CaptureQueriesContext(connection) as captured:
            client.get(f"{catalog_url}?{qs}")
        query_counts.append(len(captured.captured_queries))

    print(f"catalog page   : {catalog_rps:7.1f} requests/s  (p50 {1000 * statistics.median(catalog_lat):.1f} ms, "
          f"p95 {1000 * percentile(catalog_lat, 95):.1f} ms, max {1000 * max(catalog_lat):.1f} ms; "
          f"{len(catalog_lat):,} requests, {len(set(mix)):,} distinct query strings)")
    print(f"bare view      : {bare_rps:7.1f} requests/s  (p50 {1000 * statistics.median(bare_lat):.1f} ms, "
          f"p95 {1000 * percentile(bare_lat, 95):.1f} ms; same template, 20 in-memory courses per page)")
    ratio = bare_rps / catalog_rps
    print(f"ratio bare/catalog: {ratio:.2f}x (target <= 2x) {'OK' if ratio <= 2 else 'MISSED'}")
    print(f"queries per catalog request: {min(query_counts)}-{max(query_counts)} "
          f"(over {len(query_counts)} requests of the mix)")
    slowest = sorted(catalog_by_qs.items(), key=lambda kv: -statistics.median(kv[1]))[:5]
    print("slowest catalog requests (median):")
    for qs, times in slowest:
        print(f"  {1000 * statistics.median(times):7.1f} ms  ?{qs}")
    if os.environ.get("BENCH_EXPLAIN"):
        qs = slowest[0][0]
        with CaptureQueriesContext(connection) as captured:
            client.get(f"{catalog_url}?{qs}")
        for query in captured.captured_queries:
            if query["sql"].lstrip().upper().startswith("SELECT") and "catalog_course" in query["sql"]:
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                    print(f"--- {query['time']}s\n" + "\n".join(row[0] for row in cursor.fetchall()))

    # --- 8 buyers at once ---------------------------------------------------------------------
    from accounts.models import Participant
    from catalog.models import Enrollment
    from catalog.services import enrollment_purchase
    from platforms.models import Platform
    from wallets.models import Account

    platform = Platform.objects.get(slug="skill-academy")
    if platform.status not in Platform.SELLING:  # the lifecycle demo may have moved it on
        platform = Platform.objects.filter(status__in=Platform.SELLING).order_by("pk").first()
    def round_setup() -> tuple[Listing, list[Participant]]:
        """A cheap course nobody bought yet on `platform`, and 8 participants who can afford it."""
        listing = (Listing.objects.filter(platform=platform, is_active=True, price__lte=100_000,
                                          course__status=Course.Status.PUBLISHED)
                   .exclude(course__enrollments__isnull=False).order_by("?").select_related("platform").first())
        owners = Account.objects.filter(kind=Account.Kind.PARTICIPANT_BALANCE,
                                        balance__gte=listing.price).values_list("owner_id", flat=True)
        buyers = list(Participant.objects.filter(pk__in=list(owners), status=Participant.Status.ACTIVE)
                      .order_by("?")[:8])
        assert len(buyers) == 8, "not enough funded participants left; run without --reuse"
        return listing, buyers

    # For scale: the same purchase with nobody else buying, one after another.
    listing, buyers = round_setup()
    alone: list[float] = []
    for buyer in buyers:
        t0 = time.perf_counter()
        enrollment_purchase(participant=buyer, listing=listing, token=f"bench:{uuid.uuid4()}")
        alone.append(time.perf_counter() - t0)
    print(f"one buyer at a time (8 purchases in a row): p50 {1000 * statistics.median(alone):.1f} ms, "
          f"max {1000 * max(alone):.1f} ms")

    latencies: list[float] = []
    walls: list[float] = []
    errors: list[BaseException] = []
    for round_ in range(args.rounds):
        listing, buyers = round_setup()
        barrier = threading.Barrier(8)
        round_latencies: list[float] = [0.0] * 8

        def buy(i: int) -> None:
            try:
                barrier.wait()
                t0 = time.perf_counter()
                enrollment_purchase(participant=buyers[i], listing=listing, token=f"bench:{uuid.uuid4()}")
                round_latencies[i] = time.perf_counter() - t0
            except BaseException as exc:  # reported below
                errors.append(exc)
            finally:
                connections["default"].close()

        threads = [threading.Thread(target=buy, args=(i,)) for i in range(8)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        walls.append(time.perf_counter() - started)
        latencies.extend(round_latencies)
        assert Enrollment.objects.filter(listing=listing, participant__in=buyers).count() == 8
    if errors:
        raise errors[0]
    print(f"8 buyers at once (same platform, {platform.name}; {args.rounds} rounds): per purchase p50 "
          f"{1000 * statistics.median(latencies):.1f} ms, max {1000 * max(latencies):.1f} ms; "
          f"all 8 done in {1000 * statistics.median(walls):.1f} ms (median round), "
          f"{1000 * max(walls):.1f} ms (slowest round)")
    from wallets.selectors import ledger_reconcile

    print(f"ledger reconciled after the purchases: {ledger_reconcile().ok}")


if __name__ == "__main__":
    main()
