"""Concurrent PMO decisions on PostgreSQL: the row lock makes exactly one win; the trail has one row."""
from __future__ import annotations

import threading

import pytest
from django.db import connection

from platforms import services
from platforms.exceptions import EvaluationAlreadyDecided, PlatformTransitionNotAllowed
from platforms.models import Evaluation, Platform

from .factories import all_met, platform_at, staff

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


def _run_at_once(n: int, work) -> list:
    barrier = threading.Barrier(n)
    outcomes: list = [None] * n

    def target(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[i] = work(i)
        except Exception as exc:  # noqa: BLE001 — the outcome under test
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def test_eight_approvers_ending_a_platform_at_once_end_it_once():
    approvers = [staff("approver") for _ in range(8)]
    platform = platform_at(Platform.Status.ACTIVE, approver=approvers[0])
    before = platform.status_changes.count()

    def end(i):
        service = services.platform_terminate if i % 2 else services.platform_withdraw
        return service(platform=platform, by=approvers[i], reason=f"decision {i}")

    outcomes = _run_at_once(8, end)

    won = [o for o in outcomes if isinstance(o, Platform)]
    refused = [o for o in outcomes if isinstance(o, PlatformTransitionNotAllowed)]
    assert (len(won), len(refused)) == (1, 7), outcomes
    platform.refresh_from_db()
    assert platform.status == won[0].status
    assert platform.status_changes.count() == before + 1


def test_two_approvers_signing_off_one_evaluation_at_once_decide_once():
    evaluator = staff("evaluator")
    approvers = [staff("approver") for _ in range(4)]
    platform = platform_at(Platform.Status.UNDER_EVALUATION, evaluator=evaluator)
    evaluation = services.evaluation_submit(platform=platform, by=evaluator, scores=all_met())

    outcomes = _run_at_once(4, lambda i: services.evaluation_decide(
        evaluation=evaluation, approve=i % 2 == 0, by=approvers[i], reason=f"sign-off {i}"))

    won = [o for o in outcomes if isinstance(o, Evaluation)]
    refused = [o for o in outcomes if isinstance(o, EvaluationAlreadyDecided)]
    assert (len(won), len(refused)) == (1, 3), outcomes
    platform.refresh_from_db()
    assert platform.status == (Platform.Status.APPROVED if won[0].status == "approved" else Platform.Status.REJECTED)
    assert platform.status_changes.filter(from_status=Platform.Status.UNDER_EVALUATION).count() == 1
