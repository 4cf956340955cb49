"""Ledger throughput on PostgreSQL, in one run:

1. purchases per second, 8 workers from distinct participants into ONE platform payable (the hot
   account) and into 8 DISTINCT payables; the ratio hot/distinct shows whether the hot account
   is a queue (target >= 0.8);
2. pgbench's built-in tpcb-like TPS with 8 clients on the same server (target ledger/pgbench >= 1/3);
3. the selection lottery's write: N participants' accounts created and credited with
   ledger_post_batch in chunks, against a plain COPY of the same number of rows (target <= 5x).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/ledger.py

It works in its own scratch databases (prakerja_bench_ledger, prakerja_bench_pgbench), created
afresh each run; DATABASE_URL only says which server. Workers are processes by default (one
Python process is GIL-bound); --mode threads measures threads instead, --mode both measures both.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCRATCH = "prakerja_bench_ledger"
PGBENCH_DB = "prakerja_bench_pgbench"
PRICE = 1_000
PARTICIPANTS_PER_WORKER = 100
FUNDING = 100_000_000


def _with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin_sql(url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(_with_db(url, "postgres"), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def _setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = _with_db(url, SCRATCH)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prakerja.settings.local")
    os.environ["DEBUG"] = "false"  # DEBUG keeps every query in memory
    import django

    django.setup()


# --- posting workers ------------------------------------------------------------------------

def _post_loop(worker: int, participant_ids: list[int], payable_id: int, seconds: float, label: str,
               start_at: float) -> int:
    from django.db import connection

    from wallets.models import Account, LedgerTransaction
    from wallets.services import ledger_post

    try:
        participants = list(Account.objects.filter(pk__in=participant_ids))
        payable = Account.objects.get(pk=payable_id)
        while time.time() < start_at:
            time.sleep(0.001)
        deadline, n = start_at + seconds, 0
        while time.time() < deadline:
            buyer = participants[n % len(participants)]
            ledger_post(code=LedgerTransaction.Code.PURCHASE, idempotency_key=f"{label}:{worker}:{n}",
                        entries=[(buyer, -PRICE), (payable, PRICE)], reference=f"bench:{label}")
            n += 1
        return n
    finally:
        connection.close()


def _proc_entry(args) -> int:
    return _post_loop(*args)


def _run_workers(mode: str, jobs: list[tuple]) -> int:
    from django.db import connections

    connections.close_all()  # no socket may be shared with forked children
    if mode == "processes":
        with mp.get_context("fork").Pool(len(jobs)) as pool:
            return sum(pool.map(_proc_entry, jobs))
    results = [0] * len(jobs)

    def target(i: int) -> None:
        results[i] = _post_loop(*jobs[i])

    threads = [threading.Thread(target=target, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(results)


def bench_postings(mode: str, workers: int, seconds: float) -> tuple[float, float]:
    from accounts.models import User
    from wallets.models import Account, LedgerTransaction
    from wallets.services import (Posting, account_program_get, accounts_create_bulk, ledger_post_batch)

    fund = account_program_get(kind=Account.Kind.TRAINING_FUND)
    base = int(time.time() * 1000) % 10**9 * 1000  # fresh owner ids per run
    payables = list(accounts_create_bulk(kind=Account.Kind.PLATFORM_PAYABLE, owner_model=User,
                                         owner_ids=range(base, base + workers)).values())
    owners = list(range(base, base + workers * PARTICIPANTS_PER_WORKER))
    participants = list(accounts_create_bulk(kind=Account.Kind.PARTICIPANT_BALANCE, owner_model=User,
                                             owner_ids=owners).values())
    ledger_post_batch(code=LedgerTransaction.Code.BALANCE_CREDIT, postings=[
        Posting(idempotency_key=f"bench-fund:{a}", entries=[(fund, -FUNDING), (a, FUNDING)]) for a in participants])
    groups = [participants[i::workers] for i in range(workers)]

    rates = []
    for label, payable_of in (("hot", lambda i: payables[0]), ("distinct", lambda i: payables[i])):
        tag = f"{label}-{mode}-{base}"
        start_at = time.time() + 1.0
        total = _run_workers(mode, [(i, groups[i], payable_of(i), seconds, tag, start_at) for i in range(workers)])
        rates.append(total / seconds)
        print(f"  {label:8s} payable, {workers} {mode}: {total} postings in {seconds:.0f}s = {total / seconds:,.0f}/s",
              flush=True)
    return rates[0], rates[1]


# --- pgbench --------------------------------------------------------------------------------

def bench_pgbench(url: str, clients: int, seconds: int) -> float:
    exe = shutil.which("pgbench") or "/usr/lib/postgresql/15/bin/pgbench"
    parts = urlsplit(url)
    env = {**os.environ, "PGHOST": parts.hostname or "127.0.0.1", "PGPORT": str(parts.port or 5432),
           "PGUSER": parts.username or "postgres"}
    if parts.password:
        env["PGPASSWORD"] = parts.password
    _admin_sql(url, f"DROP DATABASE IF EXISTS {PGBENCH_DB} WITH (FORCE)", f"CREATE DATABASE {PGBENCH_DB}")
    try:
        subprocess.run([exe, "-i", "-q", "-s", "8", PGBENCH_DB], env=env, check=True, capture_output=True)
        out = subprocess.run([exe, "-c", str(clients), "-j", "2", "-T", str(seconds), "-b", "tpcb-like", PGBENCH_DB],
                             env=env, check=True, capture_output=True, text=True).stdout
    finally:
        _admin_sql(url, f"DROP DATABASE IF EXISTS {PGBENCH_DB} WITH (FORCE)")
    match = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", out) or re.search(r"tps = ([0-9.]+)", out)
    return float(match.group(1))


# --- the selection lottery's write ----------------------------------------------------------

def bench_selection(n: int, chunk: int) -> tuple[float, float]:
    from django.db import connection

    from accounts.models import User
    from wallets.models import Account, LedgerTransaction
    from wallets.services import Posting, account_program_get, accounts_create_bulk, ledger_post_batch

    fund = account_program_get(kind=Account.Kind.TRAINING_FUND)
    base = 10**12 + int(time.time()) % 10**6 * 10**6
    started = time.perf_counter()
    for lo in range(0, n, chunk):
        owners = range(base + lo, base + min(lo + chunk, n))
        accounts = accounts_create_bulk(kind=Account.Kind.PARTICIPANT_BALANCE, owner_model=User, owner_ids=owners)
        ledger_post_batch(code=LedgerTransaction.Code.BALANCE_CREDIT, postings=[
            Posting(idempotency_key=f"wave:bench:{base}:credit:{o}", reference="wave:bench",
                    entries=[(fund, -1_000_000), (accounts[o], 1_000_000)]) for o in owners])
    ledger = time.perf_counter() - started

    # The same rows, COPYed into plain tables shaped like the ledger's (indexes, no triggers, no FKs).
    with connection.cursor() as cursor:
        for table in ("wallets_account", "wallets_transaction", "wallets_entry"):
            cursor.execute(f"DROP TABLE IF EXISTS bench_{table}")
            cursor.execute(f"CREATE TABLE bench_{table} (LIKE {table} INCLUDING ALL)")
        started = time.perf_counter()
        raw = cursor.cursor
        with connection.connection.transaction():
            with raw.copy("COPY bench_wallets_account (kind, owner_type_id, owner_id, balance, no_overdraft, created_at) "
                          "FROM STDIN") as copy:
                for i in range(n):
                    copy.write_row(("participant_balance", 1, i, 1_000_000, True, "2020-04-11 10:00+07"))
            with raw.copy("COPY bench_wallets_transaction (code, idempotency_key, reference, memo, created_at) "
                          "FROM STDIN") as copy:
                for i in range(n):
                    copy.write_row(("balance_credit", f"wave:bench:credit:{i}", "wave:bench", "", "2020-04-11 10:00+07"))
            with raw.copy("COPY bench_wallets_entry (transaction_id, account_id, amount) FROM STDIN") as copy:
                for i in range(n):
                    copy.write_row((i + 1, 1, -1_000_000))
                    copy.write_row((i + 1, i + 2, 1_000_000))
        baseline = time.perf_counter() - started
        for table in ("wallets_account", "wallets_transaction", "wallets_entry"):
            cursor.execute(f"DROP TABLE bench_{table}")
    return ledger, baseline


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", choices=["processes", "threads", "both"], default="processes")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--selection", type=int, default=200_000, help="participants credited (0 skips)")
    parser.add_argument("--chunk", type=int, default=5_000)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("DATABASE_URL=postgres://… is required (the scratch databases go on that server)")
    _admin_sql(url, f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)", f"CREATE DATABASE {SCRATCH}")
    _setup_django(url)
    from django.core.management import call_command
    from django.db import connection, connections

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        print(cursor.fetchone()[0].split(",")[0], f"| CPUs: {os.cpu_count()}", flush=True)

    print(f"Ledger postings (ledger_post, 2 entries, Rp{PRICE} each, {args.seconds:.0f}s per scenario):")
    modes = ["processes", "threads"] if args.mode == "both" else [args.mode]
    results = {m: bench_postings(m, args.workers, args.seconds) for m in modes}

    print(f"pgbench tpcb-like, {args.workers} clients, -j 2, 10s:", flush=True)
    connections.close_all()
    tps = bench_pgbench(url, args.workers, 10)
    print(f"  {tps:,.0f} tps")

    for mode, (hot, distinct) in results.items():
        print(f"[{mode}] hot/distinct = {hot / distinct:.2f} (target >= 0.80); "
              f"ledger(hot)/pgbench = {hot / tps:.2f}, ledger(distinct)/pgbench = {distinct / tps:.2f} "
              f"(target >= 0.33)")

    if args.selection:
        print(f"Selection: {args.selection:,} participants created and credited in chunks of {args.chunk:,} "
              f"({args.selection:,} transactions, {2 * args.selection:,} entries, {args.selection:,} accounts):",
              flush=True)
        ledger, baseline = bench_selection(args.selection, args.chunk)
        print(f"  ledger_post_batch + accounts_create_bulk: {ledger:.2f}s; plain COPY of the same rows: "
              f"{baseline:.2f}s; ratio {ledger / baseline:.2f}x (target <= 5x)")

    connections.close_all()
    if not args.keep:
        _admin_sql(url, f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")


if __name__ == "__main__":
    main()
