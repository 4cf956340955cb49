"""Quarterly review: figures computed from orders and ratings, beside the previous quarter, stored as
they were; the outcome takes effect through the lifecycle services."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from catalog.models import Enrollment
from catalog.services import enrollment_complete, enrollment_purchase, enrollment_redeem, enrollment_refund, rating_create
from platforms import services
from platforms.exceptions import PmoPermissionDenied, ReviewAlreadyRecorded
from platforms.models import Platform, QuarterlyReview
from platforms.selectors import platform_figures, quarter_bounds
from tests.catalog.factories import ListingFactory, participant_factory

from .factories import platform_at, staff

pytestmark = pytest.mark.django_db
WIB = ZoneInfo("Asia/Jakarta")


def _order(listing, token, at, *, redeem_after=None, complete=False, refund=False, stars=None):
    participant = participant_factory()
    e = enrollment_purchase(participant=participant, listing=listing, token=token)
    Enrollment.objects.filter(pk=e.pk).update(created_at=at)
    e.refresh_from_db()
    if refund:
        return enrollment_refund(enrollment=e, reason="changed mind")
    if redeem_after is not None:
        enrollment_redeem(enrollment=e)
        Enrollment.objects.filter(pk=e.pk).update(redeemed_at=at + redeem_after)
    if complete:
        enrollment_complete(enrollment=e, certificate_number=f"C-{token}", completed_on=timezone.localdate())
        if stars:
            rating_create(enrollment=e, participant=participant, stars=stars)
    return e


def test_figures_are_computed_from_the_quarters_orders_and_ratings():
    # Given, in Q2 2026 (WIB), four orders on platform A (one refunded) and one on platform B
    a = platform_at(Platform.Status.ACTIVE, name="A")
    b = platform_at(Platform.Status.ACTIVE, name="B")
    la, lb = ListingFactory(platform=a, price=300_000), ListingFactory(platform=b, price=600_000)
    q2 = dt.datetime(2026, 4, 10, 9, tzinfo=WIB)
    _order(la, "a1", q2, redeem_after=dt.timedelta(days=2), complete=True, stars=5)
    _order(la, "a2", q2, redeem_after=dt.timedelta(days=9), complete=True, stars=3)
    _order(la, "a3", q2, redeem_after=dt.timedelta(days=1))
    _order(la, "a4", q2, refund=True)
    _order(lb, "b1", q2)
    # And one order on A just before the quarter (31 March, 23:30 WIB): it belongs to Q1
    _order(la, "a0", dt.datetime(2026, 3, 31, 23, 30, tzinfo=WIB))

    f = platform_figures(platform=a, year=2026, quarter=2)

    assert (f["orders"], f["sales_count"], f["sales_rupiah"]) == (4, 3, 900_000)
    assert f["sales_share"] == round(900_000 / 1_500_000, 4)
    assert f["participants_served"] == 3
    assert f["completion_rate"] == round(2 / 3, 4)
    assert (f["average_rating"], f["ratings"]) == (4.0, 2)
    assert f["refund_rate"] == 0.25
    assert f["redeemed_within_7_days"] == round(2 / 3, 4)
    q1 = platform_figures(platform=a, year=2026, quarter=1)
    assert (q1["orders"], q1["sales_rupiah"], q1["completion_rate"], q1["average_rating"]) == (1, 300_000, 0.0, None)
    assert quarter_bounds(2026, 4)[1] == dt.datetime(2027, 1, 1, tzinfo=WIB)


def test_a_review_stores_the_figures_as_they_were_and_its_outcome_takes_effect():
    approver = staff("approver")
    platform = platform_at(Platform.Status.ACTIVE, approver=approver)
    listing = ListingFactory(platform=platform, price=200_000)
    _order(listing, "x1", dt.datetime(2026, 5, 2, 10, tzinfo=WIB), refund=True)

    review = services.quarterly_review_record(platform=platform, year=2026, quarter=2,
                                              outcome=QuarterlyReview.Outcome.WARN, reason="Refund rate 100%", by=approver)
    # Later orders do not change what the review saw
    _order(listing, "x2", dt.datetime(2026, 5, 3, 10, tzinfo=WIB))
    review.refresh_from_db()
    assert (review.figures["orders"], review.figures["refund_rate"]) == (1, 1.0)
    assert review.previous_figures["quarter"] == 1 and review.previous_figures["orders"] == 0
    platform.refresh_from_db()
    assert platform.status == Platform.Status.WARNED
    last = platform.status_changes.last()
    assert last.details == {"review": review.pk, "period": "2026-Q2"} and last.reason == "Refund rate 100%"

    with pytest.raises(ReviewAlreadyRecorded):
        services.quarterly_review_record(platform=platform, year=2026, quarter=2, outcome="continue", reason="x",
                                         by=approver)
    with pytest.raises(PmoPermissionDenied):
        services.quarterly_review_record(platform=platform, year=2026, quarter=3, outcome="continue", reason="x",
                                         by=staff("viewer"))
    services.quarterly_review_record(platform=platform, year=2026, quarter=3, outcome="continue",
                                     reason="Refunds back to normal", by=approver)
    platform.refresh_from_db()
    assert platform.status == Platform.Status.ACTIVE


def test_platforms_without_a_review_of_last_quarter_are_due():
    from platforms.selectors import platforms_review_due, quarter_of, quarter_previous

    approver = staff("approver")
    reviewed = platform_at(Platform.Status.ACTIVE, approver=approver, name="Reviewed")
    waiting = platform_at(Platform.Status.WARNED, approver=approver, name="Waiting")
    platform_at(Platform.Status.APPLIED, name="Applicant")
    year, quarter = quarter_previous(*quarter_of(timezone.localdate()))
    assert set(platforms_review_due()) == {reviewed, waiting}
    services.quarterly_review_record(platform=reviewed, year=year, quarter=quarter, outcome="continue",
                                     reason="Figures in line", by=approver)
    assert list(platforms_review_due()) == [waiting]


def test_a_quarter_is_reviewed_only_once_it_is_over():
    from platforms.exceptions import ReviewNotAllowed
    from platforms.selectors import quarter_of

    approver = staff("approver")
    platform = platform_at(Platform.Status.ACTIVE, approver=approver)
    year, quarter = quarter_of(timezone.localdate())
    with pytest.raises(ReviewNotAllowed):
        services.quarterly_review_record(platform=platform, year=year, quarter=quarter, outcome="continue",
                                         reason="too early", by=approver)
    assert not QuarterlyReview.objects.exists()
