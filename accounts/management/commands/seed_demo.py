"""Demo data for every app, safe to run again: a second run creates nothing and prints the same logins."""
from __future__ import annotations

import time
from collections.abc import Callable

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts import demo as accounts_demo
from accounts.demo import DemoContext
from api import demo as api_demo
from catalog import demo as catalog_demo
from platforms import demo as platforms_demo

# The steps in dependency order. An app adds its demo data by writing `<app>/demo.py` with a
# `step_<what>(ctx: DemoContext) -> None` that is safe to run twice, and listing it here, after
# the steps it builds on (e.g. wallets after participants).
STEPS: list[tuple[str, Callable[[DemoContext], None]]] = [
    ("PMO staff", accounts_demo.step_staff),
    ("demo participant", accounts_demo.step_demo_participant),
    ("bulk participants", accounts_demo.step_participants),
    ("waves and selection", accounts_demo.step_waves),
    ("digital platforms", platforms_demo.step_platforms),
    ("catalog and purchases", catalog_demo.step_catalog),
    ("platform lifecycle", platforms_demo.step_lifecycle),
    ("platform API sandbox key", api_demo.step_api),
]


class Command(BaseCommand):
    help = "Create the demo logins and participants (tops up; never duplicates)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--participants", type=int, default=accounts_demo.DEFAULT_PARTICIPANTS,
                            help="Total number of bulk demo participants to reach (default %(default)s).")
        parser.add_argument("--seed", type=int, default=0, help="Seed of the demo data generator.")
        parser.add_argument("--batch-size", type=int, default=None,
                            help="Participants per transaction (default 50,000 on PostgreSQL, 2,000 otherwise).")
        parser.add_argument("--listings", type=int, default=None,
                            help="Total number of catalogue listings to reach (for benchmarks; e.g. 100000).")
        parser.add_argument("--bench", action="store_true", help="Print how long each step took.")

    def handle(self, *args, **options) -> None:
        if options["participants"] < 0:
            raise CommandError("--participants cannot be negative.")
        ctx = DemoContext(stdout=self.stdout, participants=options["participants"], seed=options["seed"],
                          batch_size=options["batch_size"], listings=options["listings"])
        started = time.perf_counter()
        for label, step in STEPS:
            step_started = time.perf_counter()
            step(ctx)
            if options["bench"]:
                self.stdout.write(f"[bench] {label}: {time.perf_counter() - step_started:.2f}s")
        if options["bench"]:
            self.stdout.write(f"[bench] total: {time.perf_counter() - started:.2f}s")
        self.stdout.write(self.style.SUCCESS("Demo logins:"))
        for who, login, password in ctx.logins:
            self.stdout.write(f"  {who}: {login}  password: {password}" if password else f"  {who}: {login}")
