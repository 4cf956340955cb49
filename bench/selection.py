"""The selection lottery at national scale, beside a plain COPY of as many ledger rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<any> .venv/bin/python bench/selection.py \
        [--applicants 1000000] [--quota 200000] [--chunk 10000] [--reuse]

Works in its own scratch database (--db, default prakerja_bench_selection): seeds the applicants'
accounts and profiles and the small demo waves (seed_demo's accounts steps, in a child process, so
this process's peak memory is the selection's own), applies them all to one wave, then in one run:
  1. runs the wave's selection (the Celery task, in-process): draw, participants, balance accounts,
     a Rp1.000.000 credit each, in chunks of SELECTION_CHUNK_SIZE (--chunk);
  2. COPYs the same number of ledger rows (an account, one transaction and two entries per winner),
     generated beforehand, into bare tables shaped like the ledger's (CREATE TABLE … (LIKE … INCLUDING
     ALL));
and prints both times (the COPY's the fastest of --copies runs), their ratio (target: within 5x of COPY)
and the peak memory of this process.
--reuse keeps the seeded database as a template (<db>_seeded) and clones it on the next run, so
every run selects from the same fresh applicants without seeding again.
BENCH_SQL=1 prints the database time by statement (COPY and commit included), BENCH_PROFILE=1 a
Python profile.
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from seed import SqlTimes, recreate_database  # noqa: E402


SEED_ACCOUNTS = """
import sys
from accounts import demo
ctx = demo.DemoContext(stdout=sys.stdout, participants={participants})
for step in (demo.step_staff, demo.step_demo_participant, demo.step_participants, demo.step_waves):
    step(ctx)
"""


def clone_database(url: str, source: str, target: str) -> bool:
    """Copy database `source` to `target` on the server of `url` (CREATE DATABASE … TEMPLATE, after
    dropping `target`); False when there is no `source`."""
    import psycopg

    maintenance = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [source]).fetchone():
            return False
        conn.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
    return True


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applicants", type=int, default=1_000_000)
    parser.add_argument("--quota", type=int, default=200_000)
    parser.add_argument("--db", default="prakerja_bench_selection")
    parser.add_argument("--chunk", type=int, default=None,
                        help="SELECTION_CHUNK_SIZE for this run (default: the environment's, else 10,000)")
    parser.add_argument("--copies", type=int, default=3, help="times the baseline COPY runs (the fastest counts)")
    parser.add_argument("--reuse", action="store_true",
                        help="seed once into the template <db>_seeded and clone it for each run")
    args = parser.parse_args()

    base_url = os.environ.get("DATABASE_URL", "")
    template = f"{args.db}_seeded"
    cloned = args.reuse and clone_database(base_url, template, args.db)
    os.environ["DATABASE_URL"] = (urlunsplit(urlsplit(base_url)._replace(path=f"/{args.db}")) if cloned
                                  else recreate_database(base_url, args.db))
    os.environ["DJANGO_SETTINGS_MODULE"] = "prakerja.settings.local"
    os.environ["DEBUG"] = "false"
    os.environ.pop("CELERY_BROKER_URL", None)  # the task runs in this process
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if args.chunk:
        os.environ["SELECTION_CHUNK_SIZE"] = str(args.chunk)
    os.environ.setdefault("SELECTION_CHUNK_SIZE", "10000")

    def manage(*argv: str) -> None:
        subprocess.run([sys.executable, "manage.py", *argv], cwd=ROOT, check=True, env=os.environ,
                       stdout=subprocess.DEVNULL)

    started = time.perf_counter()
    if cloned:
        manage("migrate", "--noinput", "-v0")  # migrations added since the template was seeded
        print(f"Cloned the seeded database {template} in {time.perf_counter() - started:.1f}s.")
    else:
        manage("migrate", "--noinput", "-v0")
        # The accounts steps of seed_demo (staff, demo participant, bulk participants, the small demo
        # waves); the other apps' demo data has no part in a selection.
        manage("shell", "-c", SEED_ACCOUNTS.format(participants=args.applicants))
        print(f"Seeded {args.applicants:,} profiles in {time.perf_counter() - started:.1f}s (child process).")
        if args.reuse:
            clone_database(os.environ["DATABASE_URL"], args.db, template)

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, connections, transaction
    from django.utils import timezone

    from accounts.models import Participant, Profile, Wave
    from accounts.services import wave_close, wave_create, wave_open, wave_selection_start
    from wallets.models import Account

    rss_before = rss_mib()
    now = timezone.now()
    number = (Wave.objects.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    for open_wave in Wave.objects.filter(status=Wave.Status.OPEN):
        wave_close(wave=open_wave, by=None)
    wave = wave_create(number=number, quota=args.quota, opens_at=now - timezone.timedelta(days=14),
                       closes_at=now + timezone.timedelta(days=1), by=None)
    wave_open(wave=wave, by=None)
    with connection.cursor() as cursor:
        # Every profile not yet a participant applies (what a million wave_apply calls would leave).
        cursor.execute(
            "INSERT INTO accounts_waveapplication (wave_id, profile_id, created_at) "
            "SELECT %s, p.id, now() FROM accounts_profile p "
            "WHERE NOT EXISTS (SELECT 1 FROM accounts_participant x WHERE x.profile_id = p.id)", [wave.pk])
        applicants = cursor.rowcount
        cursor.execute("ANALYZE")
    wave_close(wave=wave, by=None)
    print(f"Wave {number}: {applicants:,} applicants, quota {args.quota:,}.")

    # 1. The selection, as the admin's confirmation starts it (the task runs at commit).
    sql_times = SqlTimes(width=90)

    started = time.perf_counter()
    if os.environ.get("BENCH_SQL"):  # where the database time goes, by statement
        import contextlib

        import psycopg

        wrapper = type(connections["default"])
        real_copy, real_commit = psycopg.Cursor.copy, wrapper._commit

        @contextlib.contextmanager
        def timed_copy(self, statement, *args, **kwargs):  # the rows are written inside the block
            t0 = time.perf_counter()
            with real_copy(self, statement, *args, **kwargs) as copy:
                yield copy
            sql_times.record(statement, time.perf_counter() - t0)

        def timed_commit(self):  # deferred checks (foreign keys, unbalanced transactions) run here
            t0 = time.perf_counter()
            try:
                return real_commit(self)
            finally:
                sql_times.record("COMMIT", time.perf_counter() - t0)

        psycopg.Cursor.copy, wrapper._commit = timed_copy, timed_commit
        try:
            with connection.execute_wrapper(sql_times.wrap):
                wave_selection_start(wave=wave, by=None, seed="bench")
        finally:
            psycopg.Cursor.copy, wrapper._commit = real_copy, real_commit
    elif os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        with cProfile.Profile() as profiler:
            wave_selection_start(wave=wave, by=None, seed="bench")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    else:
        wave_selection_start(wave=wave, by=None, seed="bench")
    selection_seconds = time.perf_counter() - started
    sql_times.report(20)
    wave.refresh_from_db()
    assert wave.status == Wave.Status.SELECTED and wave.selected_count == min(args.quota, applicants)
    winners = wave.selected_count
    assert Participant.objects.filter(wave=wave).count() == winners
    rss_selection = rss_mib()
    print(f"selection      : {winners:,} selected in {selection_seconds:.2f}s "
          f"= {winners / selection_seconds:,.0f} participants/s")

    # 2. Baseline: COPY of as many ledger rows as the selection wrote (an account, a transaction and
    #    two entries per winner) into bare tables of the same shape, indexes included.
    fund = Account.objects.get(kind=Account.Kind.TRAINING_FUND, owner_type__isnull=True).pk
    owner_type = Account.objects.filter(kind=Account.Kind.PARTICIPANT_BALANCE).values_list("owner_type_id", flat=True)[0]
    account_rows = [("participant_balance", owner_type, 10_000_000 + i, 1_000_000, True, now) for i in range(winners)]
    tx_rows = [(f"bench:credit:{i}", "balance_credit", f"participant:{i}", "", now) for i in range(winners)]
    entry_rows = []
    for i in range(winners):
        entry_rows.append((i + 1, fund, -1_000_000))
        entry_rows.append((i + 1, i + 1, 1_000_000))
    tables = {"bench_account": "wallets_account", "bench_tx": "wallets_transaction", "bench_entry": "wallets_entry"}
    copies: list[float] = []
    for _ in range(args.copies):  # the fastest of a few: the machine is shared, so the ratio errs against us
        with transaction.atomic(), connection.cursor() as cursor:
            for bench_table, table in tables.items():
                cursor.execute(f"DROP TABLE IF EXISTS {bench_table}")
                cursor.execute(f"CREATE TABLE {bench_table} (LIKE {table} INCLUDING ALL)")
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            raw = cursor.cursor
            for sql, rows_ in (
                ("COPY bench_account (kind, owner_type_id, owner_id, balance, no_overdraft, created_at) FROM STDIN",
                 account_rows),
                ("COPY bench_tx (idempotency_key, code, reference, memo, created_at) FROM STDIN", tx_rows),
                ("COPY bench_entry (transaction_id, account_id, amount) FROM STDIN", entry_rows),
            ):
                with raw.copy(sql) as copy:
                    for row in rows_:
                        copy.write_row(row)
        copies.append(time.perf_counter() - started)
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE " + ", ".join(tables))
    copy_seconds = min(copies)
    rows = len(account_rows) + len(tx_rows) + len(entry_rows)
    print(f"plain COPY     : {rows:,} ledger rows (accounts, transactions, entries) in {copy_seconds:.2f}s "
          f"= {rows / copy_seconds:,.0f} rows/s (fastest of {', '.join(f'{c:.2f}s' for c in copies)})")

    ratio = selection_seconds / copy_seconds
    print(f"ratio selection/COPY: {ratio:.2f}x (target <= 5x) {'OK' if ratio <= 5 else 'MISSED'}")
    print(f"peak memory: {rss_selection:.0f} MiB after selection (process at {rss_before:.0f} MiB before it; "
          f"chunks of {settings.SELECTION_CHUNK_SIZE:,})")
    print(f"profiles {Profile.objects.count():,}; participants {Participant.objects.count():,}")


if __name__ == "__main__":
    main()
