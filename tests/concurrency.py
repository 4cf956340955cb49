"""Run the same work from many threads released at the same instant (PostgreSQL race tests)."""
from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection


def run_at_once(n: int, work: Callable[[int], object], *, timeout: float = 120,
                connections: int | None = None) -> list:
    """Run work(i) in n threads released together by a barrier. Each thread uses its own database
    connection and closes it; the result holds each call's return value or the exception it raised.

    `connections` caps how many threads hold a connection at a time, as a web tier's connection
    pool does: every call is made at once, and those beyond the cap wait for a connection (the
    server's max_connections is shared with the test run)."""
    barrier = threading.Barrier(n)
    slots = threading.BoundedSemaphore(connections or n)
    outcomes: list = [None] * n

    def target(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            with slots:
                try:
                    outcomes[i] = work(i)
                finally:
                    connection.close()
        except Exception as exc:  # noqa: BLE001 — the outcome under test
            outcomes[i] = exc

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return outcomes
