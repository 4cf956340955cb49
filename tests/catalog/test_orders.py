"""Purchase, redemption, completion, refund: each refusal moves nothing; a retry buys once."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from catalog.codes import code_is_valid
from catalog.exceptions import (AlreadyPurchased, EnrollmentTransitionNotAllowed, ListingUnavailable,
                                NotActiveParticipant, OrderNotFound, PlatformNotSelling, PurchaseTokenReused,
                                RatingNotAllowed, RefundNotAllowed)
from catalog.models import Course, Enrollment, Institution, Rating
from catalog.services import (enrollment_complete, enrollment_purchase, enrollment_redeem, enrollment_refund,
                              rating_create)
from platforms.models import Platform
from wallets.exceptions import InsufficientBalance
from wallets.models import LedgerTransaction

from .factories import ListingFactory, PlatformFactory, balance_of, participant_factory, payable_of

pytestmark = pytest.mark.django_db


def _nothing_moved(participant, platform, balance=1_000_000):
    assert balance_of(participant) == balance
    assert payable_of(platform) == 0
    assert not Enrollment.objects.filter(participant=participant).exists()
    assert not LedgerTransaction.objects.filter(code=LedgerTransaction.Code.PURCHASE).exists()


def test_purchase_moves_the_price_from_the_balance_to_the_platform_payable():
    participant = participant_factory()
    listing = ListingFactory(price=350_000)

    enrollment = enrollment_purchase(participant=participant, listing=listing, token="t1")

    assert enrollment.status == Enrollment.Status.PURCHASED
    assert enrollment.price == 350_000
    assert code_is_valid(enrollment.redemption_code)
    assert balance_of(participant) == 650_000
    assert payable_of(listing.platform) == 350_000
    tx = LedgerTransaction.objects.get(code=LedgerTransaction.Code.PURCHASE)
    assert tx.idempotency_key == "purchase:t1"
    assert sorted(tx.entries.values_list("amount", flat=True)) == [-350_000, 350_000]
    listing.refresh_from_db()
    assert listing.sales_count == 1 and listing.course.sales_count == 1
    call_command("reconcile_ledger")


def test_the_same_token_again_returns_the_first_purchase_and_moves_nothing():
    participant = participant_factory()
    listing = ListingFactory(price=100_000)

    first = enrollment_purchase(participant=participant, listing=listing, token="t1")
    again = enrollment_purchase(participant=participant, listing=listing, token="t1")

    assert again.pk == first.pk
    assert balance_of(participant) == 900_000
    assert Enrollment.objects.count() == 1


def test_a_token_used_for_another_purchase_is_refused():
    participant = participant_factory()
    enrollment_purchase(participant=participant, listing=ListingFactory(), token="t1")
    with pytest.raises(PurchaseTokenReused):
        enrollment_purchase(participant=participant, listing=ListingFactory(), token="t1")


def test_not_enough_balance_is_refused_and_nothing_moves():
    participant = participant_factory(balance=200_000)
    listing = ListingFactory(price=250_000)
    with pytest.raises(InsufficientBalance):
        enrollment_purchase(participant=participant, listing=listing, token="t1")
    _nothing_moved(participant, listing.platform, balance=200_000)


def test_a_forfeited_participant_cannot_buy():
    participant = participant_factory(status="forfeited")
    listing = ListingFactory()
    with pytest.raises(NotActiveParticipant):
        enrollment_purchase(participant=participant, listing=listing, token="t1")
    _nothing_moved(participant, listing.platform)


@pytest.mark.parametrize("change, error", [
    (lambda l: setattr(l, "is_active", False) or l.save(), ListingUnavailable),
    (lambda l: Course.objects.filter(pk=l.course_id).update(status=Course.Status.WITHDRAWN), ListingUnavailable),
    (lambda l: Institution.objects.filter(pk=l.course.institution_id).update(status=Institution.Status.INACTIVE),
     ListingUnavailable),
    (lambda l: Platform.objects.filter(pk=l.platform_id).update(status=Platform.Status.SUSPENDED), PlatformNotSelling),
    (lambda l: Platform.objects.filter(pk=l.platform_id).update(status=Platform.Status.TERMINATED), PlatformNotSelling),
])
def test_an_offer_that_is_not_on_sale_is_refused(change, error):
    participant = participant_factory()
    listing = ListingFactory()
    change(listing)
    with pytest.raises(error) as exc:
        enrollment_purchase(participant=participant, listing=listing, token="t1")
    assert exc.value.code and str(exc.value.message)
    _nothing_moved(participant, listing.platform)


def test_a_warned_platform_still_sells():
    listing = ListingFactory(platform=PlatformFactory(status=Platform.Status.WARNED))
    enrollment_purchase(participant=participant_factory(), listing=listing, token="t1")


def test_the_same_course_cannot_be_bought_twice_unless_refunded():
    participant = participant_factory()
    listing = ListingFactory(price=100_000)
    other_platform = ListingFactory(course=listing.course, price=90_000)
    first = enrollment_purchase(participant=participant, listing=listing, token="t1")

    with pytest.raises(AlreadyPurchased):
        enrollment_purchase(participant=participant, listing=other_platform, token="t2")
    assert balance_of(participant) == 900_000

    enrollment_refund(enrollment=first, reason="changed my mind")
    enrollment_purchase(participant=participant, listing=other_platform, token="t3")
    assert balance_of(participant) == 910_000


def test_refund_returns_the_price_once_and_only_before_redemption():
    participant = participant_factory()
    listing = ListingFactory(price=300_000)
    enrollment = enrollment_purchase(participant=participant, listing=listing, token="t1")

    refunded = enrollment_refund(enrollment=enrollment, reason="platform error")
    again = enrollment_refund(enrollment=enrollment)

    assert refunded.status == again.status == Enrollment.Status.REFUNDED
    assert balance_of(participant) == 1_000_000
    assert payable_of(listing.platform) == 0
    assert LedgerTransaction.objects.filter(code=LedgerTransaction.Code.REFUND).count() == 1

    redeemed = enrollment_redeem(enrollment=enrollment_purchase(participant=participant, listing=listing, token="t2"))
    with pytest.raises(RefundNotAllowed):
        enrollment_refund(enrollment=redeemed)
    assert balance_of(participant) == 700_000
    call_command("reconcile_ledger")


def test_redeem_then_complete_records_the_certificate_and_history():
    enrollment = enrollment_purchase(participant=participant_factory(), listing=ListingFactory(), token="t1")
    with pytest.raises(EnrollmentTransitionNotAllowed):
        enrollment_complete(enrollment=enrollment, certificate_number="C-1", completed_on=timezone.localdate())

    enrollment_redeem(enrollment=enrollment)
    with pytest.raises(ValidationError):
        enrollment_complete(enrollment=enrollment, certificate_number="C-1",
                            completed_on=timezone.localdate() + dt.timedelta(days=1))
    done = enrollment_complete(enrollment=enrollment, certificate_number="CERT-2020-001",
                               completed_on=timezone.localdate())

    assert done.status == Enrollment.Status.COMPLETED and done.certificate_number == "CERT-2020-001"
    assert list(done.status_changes.values_list("to_status", flat=True)) == ["purchased", "redeemed", "completed"]


def test_a_platform_cannot_touch_another_platforms_order():
    enrollment = enrollment_purchase(participant=participant_factory(), listing=ListingFactory(), token="t1")
    with pytest.raises(OrderNotFound):
        enrollment_redeem(enrollment=enrollment, by_platform=PlatformFactory())


def test_suspension_stops_new_sales_but_paid_orders_still_redeem_and_complete():
    listing = ListingFactory()
    enrollment = enrollment_purchase(participant=participant_factory(), listing=listing, token="t1")
    Platform.objects.filter(pk=listing.platform_id).update(status=Platform.Status.SUSPENDED)

    with pytest.raises(PlatformNotSelling):
        enrollment_purchase(participant=participant_factory(), listing=listing, token="t2")
    enrollment_redeem(enrollment=enrollment, by_platform=listing.platform)
    done = enrollment_complete(enrollment=enrollment, certificate_number="X", completed_on=timezone.localdate(),
                               by_platform=listing.platform)
    assert done.status == Enrollment.Status.COMPLETED


def test_a_completed_course_is_rated_once_by_its_buyer():
    participant = participant_factory()
    enrollment = enrollment_purchase(participant=participant, listing=ListingFactory(), token="t1")
    with pytest.raises(RatingNotAllowed):
        rating_create(enrollment=enrollment, participant=participant, stars=5)
    enrollment_redeem(enrollment=enrollment)
    enrollment_complete(enrollment=enrollment, certificate_number="C", completed_on=timezone.localdate())

    with pytest.raises(RatingNotAllowed):
        rating_create(enrollment=enrollment, participant=participant_factory(), stars=5)
    with pytest.raises(ValidationError):
        rating_create(enrollment=enrollment, participant=participant, stars=6)
    rating_create(enrollment=enrollment, participant=participant, stars=4, review="Bermanfaat")
    with pytest.raises(RatingNotAllowed):
        rating_create(enrollment=enrollment, participant=participant, stars=1)

    course = Course.objects.get(pk=enrollment.course_id)
    assert (course.rating_count, course.rating_average) == (1, 4.0)
    assert Rating.objects.count() == 1
