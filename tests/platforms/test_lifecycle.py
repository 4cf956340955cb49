"""The platform lifecycle: every allowed step through its service, with its audit row; every other
step refused with a clear message; maker-checker; roles; the MoU renewal due date."""
from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from platforms import services
from platforms.exceptions import (CriteriaNotMet, EvaluationIncomplete, InvalidMou, MakerCheckerViolation,
                                  PlatformTransitionNotAllowed, PmoPermissionDenied, ReasonRequired)
from platforms.models import Evaluation, Platform, PlatformStatusChange
from platforms.selectors import pending_work, platforms_due_for_renewal

from .factories import all_met, application, platform_at, staff

pytestmark = pytest.mark.django_db
S = Platform.Status


def trail(platform):
    return list(PlatformStatusChange.objects.filter(platform=platform).order_by("at", "pk"))


def test_the_whole_lifecycle_is_walked_and_each_step_is_in_the_audit_trail():
    evaluator, approver = staff("evaluator"), staff("approver")

    # Given an application from the public form
    platform, token = application()
    assert platform.status == S.APPLIED and platform.reference.startswith("MITRA-")
    assert len(token) >= 40 and platform.status_token_hash and token not in platform.status_token_hash
    steps = [("", S.APPLIED, None)]

    # When it is evaluated, signed off by a second person, contracted, integrated and activated
    platform = services.platform_evaluation_start(platform=platform, by=evaluator)
    steps.append((S.APPLIED, S.UNDER_EVALUATION, evaluator))
    evaluation = services.evaluation_submit(platform=platform, by=evaluator, scores=all_met(), summary="Good")
    services.evaluation_decide(evaluation=evaluation, approve=True, by=approver, reason="Every criterion met")
    steps.append((S.UNDER_EVALUATION, S.APPROVED, approver))
    platform = services.platform_mou_sign(platform=platform, by=approver, mou_number="NK-12/PMO/2026",
                                          signed_on=dt.date(2026, 2, 1), term_end=dt.date(2028, 1, 31),
                                          evidence="scan of the signed MoU")
    steps.append((S.APPROVED, S.MOU_SIGNED, approver))
    platform = services.platform_integration_start(platform=platform, by=approver)
    steps.append((S.MOU_SIGNED, S.INTEGRATING, approver))
    platform = services.platform_activate(platform=platform, by=approver, reason="Sandbox tests passed")
    steps.append((S.INTEGRATING, S.ACTIVE, approver))
    platform = services.platform_warn(platform=platform, by=approver, reason="Refund rate 12%", evidence="Q1 report")
    steps.append((S.ACTIVE, S.WARNED, approver))
    platform = services.platform_suspend(platform=platform, by=approver, reason="Refund rate still 15%")
    steps.append((S.WARNED, S.SUSPENDED, approver))
    platform = services.platform_terminate(platform=platform, by=approver, reason="No correction in 60 days")
    steps.append((S.SUSPENDED, S.TERMINATED, approver))

    # Then each step is one audit row, in order, with who, from, to and why
    rows = trail(platform)
    assert [(r.from_status, r.to_status, r.by_user) for r in rows] == steps
    assert all(r.reason.strip() and r.at for r in rows)
    assert rows[2].details["evaluation"] == evaluation.pk and "met" in rows[2].evidence
    assert rows[3].details["mou_number"] == "NK-12/PMO/2026" and rows[3].evidence == "scan of the signed MoU"
    assert rows[6].reason == "Refund rate 12%" and rows[6].evidence == "Q1 report"
    platform.refresh_from_db()
    assert (platform.status, platform.mou_number, platform.mou_term_end) == (S.TERMINATED, "NK-12/PMO/2026",
                                                                            dt.date(2028, 1, 31))


ALL_MOVES = [(a, b) for a in S for b in S if a != b]


@pytest.mark.parametrize("start", [s for s in S if s not in (S.REJECTED, S.TERMINATED, S.WITHDRAWN)])
def test_every_disallowed_transition_is_refused_with_a_message_and_leaves_no_trace(start):
    approver = staff("approver")
    platform = platform_at(start, approver=approver)
    before = len(trail(platform))
    moves = {
        S.UNDER_EVALUATION: lambda: services.platform_evaluation_start(platform=platform, by=staff("evaluator")),
        S.MOU_SIGNED: lambda: services.platform_mou_sign(platform=platform, by=approver, mou_number="NK-1",
                                                         signed_on=dt.date(2026, 1, 1), term_end=dt.date(2027, 1, 1)),
        S.INTEGRATING: lambda: services.platform_integration_start(platform=platform, by=approver),
        S.ACTIVE: lambda: (services.platform_activate if start == S.INTEGRATING else services.platform_reinstate)(
            platform=platform, by=approver, reason="ok"),
        S.WARNED: lambda: services.platform_warn(platform=platform, by=approver, reason="x"),
        S.SUSPENDED: lambda: services.platform_suspend(platform=platform, by=approver, reason="x"),
        S.TERMINATED: lambda: services.platform_terminate(platform=platform, by=approver, reason="x"),
        S.WITHDRAWN: lambda: services.platform_withdraw(platform=platform, by=approver, reason="x"),
    }
    if start == S.INTEGRATING:
        moves[S.ACTIVE] = lambda: services.platform_activate(platform=platform, by=approver)
    refused = [to for to in moves if to not in Platform.TRANSITIONS[start] and to != start]
    assert refused, start
    for to in refused:
        with pytest.raises(PlatformTransitionNotAllowed) as exc:
            moves[to]()
        # The message names the platform and both statuses.
        assert platform.name in str(exc.value.message) and str(S(start).label) in str(exc.value.message)
        assert str(S(to).label) in str(exc.value.message)
        assert exc.value.details["from"] == start and exc.value.details["to"] == to
    platform.refresh_from_db()
    assert platform.status == start and len(trail(platform)) == before


@pytest.mark.parametrize("final", [S.REJECTED, S.TERMINATED, S.WITHDRAWN])
def test_a_final_status_allows_nothing(final):
    approver = staff("approver")
    platform = platform_at(S.ACTIVE, approver=approver)
    if final == S.REJECTED:
        platform = platform_at(S.UNDER_EVALUATION, approver=approver)
        evaluation = services.evaluation_submit(platform=platform, by=staff("evaluator"), scores=all_met(False))
        services.evaluation_decide(evaluation=evaluation, approve=False, by=approver, reason="No national reach")
    elif final == S.TERMINATED:
        services.platform_terminate(platform=platform, by=approver, reason="Fraud")
    else:
        services.platform_withdraw(platform=platform, by=approver, reason="Company request of 1 May")
    platform.refresh_from_db()
    assert platform.status == final and not platform.is_live
    for call in (lambda: services.platform_withdraw(platform=platform, by=approver, reason="again"),
                 lambda: services.platform_reinstate(platform=platform, by=approver, reason="again"),
                 lambda: services.platform_activate(platform=platform, by=approver)):
        with pytest.raises(PlatformTransitionNotAllowed):
            call()


@pytest.mark.parametrize("start", [S.APPLIED, S.UNDER_EVALUATION, S.APPROVED, S.MOU_SIGNED, S.INTEGRATING,
                                   S.ACTIVE, S.WARNED, S.SUSPENDED])
def test_a_platform_may_withdraw_from_any_live_status(start):
    approver = staff("approver")
    platform = platform_at(start, approver=approver)
    platform = services.platform_withdraw(platform=platform, by=approver, reason="Letter of 3 March")
    assert platform.status == S.WITHDRAWN
    last = trail(platform)[-1]
    assert (last.from_status, last.to_status, last.reason) == (start, S.WITHDRAWN, "Letter of 3 March")


def test_maker_checker_the_evaluator_cannot_sign_off_their_own_evaluation():
    # Given one person in both groups
    both = staff("evaluator")
    both.groups.add(*staff("approver").groups.all())
    platform = platform_at(S.UNDER_EVALUATION, evaluator=both)
    evaluation = services.evaluation_submit(platform=platform, by=both, scores=all_met())

    # When they try to approve it, then it is refused and nothing changes
    with pytest.raises(MakerCheckerViolation):
        services.evaluation_decide(evaluation=evaluation, approve=True, by=both, reason="fine")
    evaluation.refresh_from_db()
    platform.refresh_from_db()
    assert evaluation.status == Evaluation.Status.SUBMITTED and platform.status == S.UNDER_EVALUATION

    # And the database refuses it too, whatever code writes
    with pytest.raises(IntegrityError), transaction.atomic():
        Evaluation.objects.filter(pk=evaluation.pk).update(decided_by=both)

    # But a second person can
    services.evaluation_decide(evaluation=evaluation, approve=True, by=staff("approver"), reason="fine")
    platform.refresh_from_db()
    assert platform.status == S.APPROVED


def test_approval_needs_every_criterion_met_and_every_criterion_scored():
    evaluator, approver = staff("evaluator"), staff("approver")
    platform = platform_at(S.UNDER_EVALUATION, evaluator=evaluator)
    scores = all_met()
    del scores["own_portal"]
    with pytest.raises(EvaluationIncomplete):
        services.evaluation_submit(platform=platform, by=evaluator, scores=scores)
    scores = all_met()
    scores["national_reach"]["met"] = False
    evaluation = services.evaluation_submit(platform=platform, by=evaluator, scores=scores)
    with pytest.raises(CriteriaNotMet) as exc:
        services.evaluation_decide(evaluation=evaluation, approve=True, by=approver, reason="ok")
    assert exc.value.details["not_met"] == ["national_reach"]
    services.evaluation_decide(evaluation=evaluation, approve=False, by=approver, reason="Serves 3 provinces only")
    platform.refresh_from_db()
    assert platform.status == S.REJECTED
    assert trail(platform)[-1].reason == "Serves 3 provinces only"


@pytest.mark.parametrize("group", ["viewer", "finance", None, "evaluator"])
def test_a_viewer_finance_or_evaluator_cannot_decide(group):
    platform = platform_at(S.ACTIVE)
    user = staff(group)
    for call in (lambda: services.platform_suspend(platform=platform, by=user, reason="x"),
                 lambda: services.platform_terminate(platform=platform, by=user, reason="x"),
                 lambda: services.platform_withdraw(platform=platform, by=user, reason="x")):
        with pytest.raises(PmoPermissionDenied):
            call()
    applicant, _t = application(name="Another One")
    if group != "evaluator":
        with pytest.raises(PmoPermissionDenied):
            services.platform_evaluation_start(platform=applicant, by=user)
    platform.refresh_from_db()
    assert platform.status == S.ACTIVE


def test_sanctions_need_a_reason_and_the_mou_a_sane_term():
    approver = staff("approver")
    platform = platform_at(S.ACTIVE, approver=approver)
    with pytest.raises(ReasonRequired):
        services.platform_suspend(platform=platform, by=approver, reason="   ")
    approved = platform_at(S.APPROVED, approver=approver)
    with pytest.raises(InvalidMou):
        services.platform_mou_sign(platform=approved, by=approver, mou_number="NK-9", signed_on=dt.date(2026, 5, 1),
                                   term_end=dt.date(2026, 4, 30))


def test_an_mou_past_its_term_end_is_due_for_renewal_until_renewed():
    approver = staff("approver")
    platform = platform_at(S.ACTIVE, approver=approver)
    Platform.objects.filter(pk=platform.pk).update(mou_signed_on=dt.date(2020, 3, 20), mou_term_end=dt.date(2021, 3, 19))
    assert list(platforms_due_for_renewal()) == [platform]
    assert pending_work()["mous_due_for_renewal"] == 1

    services.platform_mou_renew(platform=platform, by=approver, mou_number="NK-2/PMO/2026",
                                signed_on=dt.date(2026, 1, 1), term_end=dt.date(2099, 12, 31), reason="Renewed")
    assert list(platforms_due_for_renewal()) == []
    last = trail(platform)[-1]
    assert (last.from_status, last.to_status) == (S.ACTIVE, S.ACTIVE)
    assert last.details["previous"]["term_end"] == "2021-03-19"


def test_the_audit_trail_cannot_be_rewritten():
    platform = platform_at(S.APPLIED)
    row = trail(platform)[0]
    row.reason = "changed"
    with pytest.raises(ValueError):
        row.save()
    with pytest.raises(ValueError):
        row.delete()


@pytest.mark.postgresql
def test_the_database_refuses_updates_and_deletes_of_the_audit_trail():
    platform = platform_at(S.APPLIED)
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        PlatformStatusChange.objects.filter(platform=platform).update(reason="forged")
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        PlatformStatusChange.objects.filter(platform=platform).delete()


def test_pending_work_counts_what_waits_for_the_office():
    evaluator = staff("evaluator")
    platform_at(S.APPLIED)
    waiting = platform_at(S.UNDER_EVALUATION, evaluator=evaluator)
    services.evaluation_submit(platform=waiting, by=evaluator, scores=all_met())
    platform_at(S.APPROVED)
    work = pending_work()
    assert (work["applications_to_evaluate"], work["approvals_waiting"], work["mous_to_sign"]) == (1, 1, 1)
