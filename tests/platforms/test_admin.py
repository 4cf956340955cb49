"""The PMO admin: each decision has a confirmation page; roles are checked; maker-checker holds; the
index shows pending work."""
from __future__ import annotations

import re

import pytest
from django.urls import reverse

from platforms.models import Evaluation, Platform, QuarterlyReview

from .factories import all_met, platform_at, staff

pytestmark = pytest.mark.django_db
S = Platform.Status


def decide(pk, key):
    return reverse("admin:platforms_platform_decide", args=[pk, key])


def test_a_decision_asks_for_confirmation_then_records_the_reason(client_en):
    approver = staff("approver")
    platform = platform_at(S.ACTIVE, approver=approver)
    client_en.force_login(approver)

    page = client_en.get(reverse("admin:platforms_platform_change", args=[platform.pk]))
    assert page.status_code == 200 and b'id="action-suspend"' in page.content and b"Timeline" in page.content

    confirm = client_en.get(decide(platform.pk, "suspend"))
    assert confirm.status_code == 200 and b"leave the catalogue" in confirm.content
    platform.refresh_from_db()
    assert platform.status == S.ACTIVE  # nothing happens before the confirmation

    empty = client_en.post(decide(platform.pk, "suspend"), {"reason": ""})
    assert empty.status_code == 200 and empty.context["form"].errors["reason"]
    done = client_en.post(decide(platform.pk, "suspend"), {"reason": "Selling bundles", "evidence": "Report 7"})
    assert done.status_code == 302
    platform.refresh_from_db()
    last = platform.status_changes.last()
    assert (platform.status, last.reason, last.evidence, last.by_user) == (S.SUSPENDED, "Selling bundles", "Report 7",
                                                                          approver)


def test_a_viewer_sees_the_platform_but_cannot_act(client_en):
    platform = platform_at(S.ACTIVE)
    client_en.force_login(staff("viewer"))
    page = client_en.get(reverse("admin:platforms_platform_change", args=[platform.pk]))
    assert page.status_code == 200 and b"pmo-action" not in page.content
    response = client_en.post(decide(platform.pk, "terminate"), {"reason": "because"}, follow=True)
    assert b"does not allow" in response.content
    platform.refresh_from_db()
    assert platform.status == S.ACTIVE and platform.status_changes.last().to_status == S.ACTIVE


def test_an_impossible_decision_shows_why_and_changes_nothing(client_en):
    approver = staff("approver")
    platform = platform_at(S.APPLIED)
    client_en.force_login(approver)
    assert b"not possible now" in client_en.get(decide(platform.pk, "activate")).content
    response = client_en.post(decide(platform.pk, "activate"), {"reason": ""}, follow=True)
    assert "cannot go from" in response.content.decode()
    platform.refresh_from_db()
    assert platform.status == S.APPLIED


def test_evaluate_in_the_admin_then_a_second_person_signs_off(client_en):
    evaluator, approver = staff("evaluator"), staff("approver")
    platform = platform_at(S.UNDER_EVALUATION, evaluator=evaluator)
    client_en.force_login(evaluator)
    url = reverse("admin:platforms_platform_evaluate", args=[platform.pk])
    data = {f"{c}_{k}": v for c, s in all_met().items() for k, v in
            (("met", "yes"), ("note", s["note"]), ("evidence", s["evidence"]))}
    missing = client_en.post(url, {**data, "own_portal_note": ""})
    assert missing.status_code == 200 and missing.context["form"].errors["own_portal_note"]
    assert client_en.post(url, data).status_code == 302
    evaluation = Evaluation.objects.get(platform=platform)

    # The evaluator cannot sign off their own evaluation, even with the approver role added
    evaluator.groups.add(*approver.groups.all())
    sign = reverse("admin:platforms_evaluation_sign_off", args=[evaluation.pk, "approve"])
    assert b"second PMO member" in client_en.get(sign).content
    client_en.post(sign, {"reason": "ok"})
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.SUBMITTED

    client_en.force_login(approver)
    assert client_en.post(sign, {"reason": "All four criteria met"}).status_code == 302
    platform.refresh_from_db()
    assert platform.status == S.APPROVED


def test_quarterly_review_page_shows_figures_and_records_the_outcome(client_en):
    approver = staff("approver")
    platform = platform_at(S.ACTIVE, approver=approver)
    client_en.force_login(approver)
    url = reverse("admin:platforms_platform_review", args=[platform.pk])
    page = client_en.get(url + "?year=2026&quarter=2")
    assert page.status_code == 200 and b"2026-Q2" in page.content and b"2026-Q1" in page.content
    assert b"Refund rate" in page.content
    client_en.post(url, {"year": 2026, "quarter": 2, "record": "1", "outcome": "warn", "reason": "Late reports"})
    review = QuarterlyReview.objects.get(platform=platform)
    assert (review.year, review.quarter, review.outcome) == (2026, 2, "warn")
    platform.refresh_from_db()
    assert platform.status == S.WARNED


def test_the_admin_index_lists_pending_work(client_en):
    platform_at(S.APPLIED)
    platform_at(S.APPROVED)
    client_en.force_login(staff("viewer"))
    page = client_en.get(reverse("admin:index")).content.decode()
    assert 'id="pmo-pending"' in page
    assert "Applications to evaluate" in page and "MoUs due for renewal" in page
    # the counts: one application to evaluate, one MoU to sign
    counts = dict(re.findall(r'id="pending-(\w+)".*?<strong[^>]*>(\d+)</strong>', page, flags=re.S))
    assert counts["applications_to_evaluate"] == "1" and counts["mous_to_sign"] == "1"
    assert counts["approvals_waiting"] == "0"
