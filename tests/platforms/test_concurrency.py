"""Concurrent PMO decisions on PostgreSQL: the row lock makes exactly one win; the trail has one row."""
from __future__ import annotations


import pytest

from platforms import services
from platforms.exceptions import EvaluationAlreadyDecided, PlatformTransitionNotAllowed
from platforms.models import Evaluation, Platform

from tests.concurrency import run_at_once

from .factories import all_met, platform_at, staff

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]




def test_eight_approvers_ending_a_platform_at_once_end_it_once():
    approvers = [staff("approver") for _ in range(8)]
    platform = platform_at(Platform.Status.ACTIVE, approver=approvers[0])
    before = platform.status_changes.count()

    def end(i):
        service = services.platform_terminate if i % 2 else services.platform_withdraw
        return service(platform=platform, by=approvers[i], reason=f"decision {i}")

    outcomes = run_at_once(8, end)

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

    outcomes = run_at_once(4, lambda i: services.evaluation_decide(
        evaluation=evaluation, approve=i % 2 == 0, by=approvers[i], reason=f"sign-off {i}"))

    won = [o for o in outcomes if isinstance(o, Evaluation)]
    refused = [o for o in outcomes if isinstance(o, EvaluationAlreadyDecided)]
    assert (len(won), len(refused)) == (1, 3), outcomes
    platform.refresh_from_db()
    assert platform.status == (Platform.Status.APPROVED if won[0].status == "approved" else Platform.Status.REJECTED)
    assert platform.status_changes.filter(from_status=Platform.Status.UNDER_EVALUATION).count() == 1
