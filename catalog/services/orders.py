"""Orders (enrollments): purchase with the training balance, redemption, completion, refund.

The same functions serve the participant's pages, the PMO admin and the platform API. Each is one
database transaction; money moves only through `wallets.services.ledger_post`."""
from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Participant, User
from platforms.models import Platform
from wallets.models import Account, LedgerTransaction
from wallets.services import account_get_or_create, ledger_post

from ..codes import code_generate
from ..exceptions import (AlreadyPurchased, EnrollmentTransitionNotAllowed, ListingUnavailable,
                          NotActiveParticipant, OrderNotFound, PlatformNotSelling, PurchaseTokenReused, RefundNotAllowed)
from ..models import Course, Enrollment, EnrollmentStatusChange, Institution, Listing

PURCHASE_KEY = "purchase:{token}"
REFUND_KEY = "refund:{enrollment_id}"


def purchase_key(token: str) -> str:
    return PURCHASE_KEY.format(token=token)


def listing_check_buyable(listing: Listing) -> None:
    """Raise why this listing cannot be bought now (platform first: it is what the buyer can change)."""
    if listing.platform.status not in Platform.SELLING:
        raise PlatformNotSelling()
    if (not listing.is_active or listing.course.status != Course.Status.PUBLISHED
            or listing.course.institution.status != Institution.Status.ACTIVE):
        raise ListingUnavailable()


@transaction.atomic
def enrollment_purchase(*, participant: Participant, listing: Listing, token: str,
                        by_user: User | None = None) -> Enrollment:
    """Buy `listing` for `participant` with their training balance.

    `token` is the buyer's idempotency token (one per purchase form or checkout session): the same
    token again, also from a concurrent double click, returns the first enrollment and moves nothing.

    Raises NotActiveParticipant, OrderNotFound, PlatformNotSelling, ListingUnavailable, AlreadyPurchased,
    PurchaseTokenReused, wallets' InsufficientBalance; on any of them nothing is saved or moved."""
    if earlier := Enrollment.objects.filter(purchase_token=token).first():
        return _replay(earlier, participant=participant, listing=listing)
    listing = Listing.objects.select_related("platform", "course__institution").get(pk=listing.pk)
    participant = Participant.objects.get(pk=participant.pk)
    if participant.status != Participant.Status.ACTIVE:
        raise NotActiveParticipant()
    listing_check_buyable(listing)

    now = timezone.now()
    enrollment = Enrollment(participant=participant, listing=listing, course=listing.course,
                            platform=listing.platform, price=listing.price, purchase_token=token,
                            redemption_code=code_generate(), created_at=now)
    try:
        # The unique token and the one-live-enrollment-per-course index make a concurrent double
        # submit wait here for the first, then fail: nothing of this attempt is kept.
        with transaction.atomic():
            enrollment.save(force_insert=True)
    except IntegrityError:
        if earlier := Enrollment.objects.filter(purchase_token=token).first():
            return _replay(earlier, participant=participant, listing=listing)
        raise AlreadyPurchased() from None

    balance = account_get_or_create(kind=Account.Kind.PARTICIPANT_BALANCE, owner=participant)
    payable = account_get_or_create(kind=Account.Kind.PLATFORM_PAYABLE, owner=listing.platform)
    ledger_post(code=LedgerTransaction.Code.PURCHASE, idempotency_key=purchase_key(token),
                entries=[(balance, -listing.price), (payable, listing.price)],
                reference=f"enrollment:{enrollment.pk}",
                memo=f"{listing.course.title} @ {listing.platform.name}"[:200])
    EnrollmentStatusChange.objects.create(enrollment=enrollment, from_status="", to_status=enrollment.status,
                                          by_user=by_user, reason="purchased",
                                          at=now)
    _publish(enrollment, "order.created")
    # Counters for "best-selling": one statement each, the transaction's last, so that buyers of
    # the same course wait on its row for the commit alone.
    Listing.objects.filter(pk=listing.pk).update(sales_count=F("sales_count") + 1)
    Course.objects.filter(pk=listing.course_id).update(sales_count=F("sales_count") + 1)
    return enrollment


def _publish(enrollment: Enrollment, event_type: str) -> None:
    """Tell the platform by webhook (queued after commit; nothing is sent if this rolls back)."""
    from api.representations import order_event_data
    from api.webhooks import event_publish

    event_publish(platform=enrollment.platform, type=event_type, data=lambda: order_event_data(enrollment))


def _replay(earlier: Enrollment, *, participant: Participant, listing: Listing) -> Enrollment:
    if earlier.participant_id != participant.pk or earlier.listing_id != listing.pk:
        raise PurchaseTokenReused()
    return earlier


def _transition(enrollment: Enrollment, to: str, *, by_user: User | None, by_platform: Platform | None,
                reason: str, **fields) -> Enrollment:
    """Lock the enrollment, check Enrollment.TRANSITIONS, record the change. A repeat of the
    transition already made (a platform retrying) returns the enrollment unchanged."""
    locked = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if by_platform is not None and locked.platform_id != by_platform.pk:
        raise OrderNotFound()
    if locked.status == to:
        return locked
    if to not in Enrollment.TRANSITIONS[locked.status]:
        if to == Enrollment.Status.REFUNDED:
            raise RefundNotAllowed()
        raise EnrollmentTransitionNotAllowed.for_transition(locked, to)
    EnrollmentStatusChange.objects.create(enrollment=locked, from_status=locked.status, to_status=to,
                                          by_user=by_user, by_platform=by_platform, reason=reason[:200])
    locked.status = to
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save(update_fields=["status", *fields])
    return locked


@transaction.atomic
def enrollment_redeem(*, enrollment: Enrollment, by_user: User | None = None,
                      by_platform: Platform | None = None) -> Enrollment:
    """The participant started the training on the platform with their redemption code."""
    return _transition(enrollment, Enrollment.Status.REDEEMED, by_user=by_user, by_platform=by_platform,
                       reason="redeemed", redeemed_at=timezone.now())


@transaction.atomic
def enrollment_complete(*, enrollment: Enrollment, certificate_number: str, completed_on: dt.date,
                        by_user: User | None = None, by_platform: Platform | None = None) -> Enrollment:
    """The participant finished the training and holds a certificate."""
    from django.core.exceptions import ValidationError

    certificate_number = (certificate_number or "").strip()
    if not certificate_number:
        raise ValidationError({"certificate_number": ["A certificate number is required."]})
    if completed_on > timezone.localdate():
        raise ValidationError({"completed_on": ["The completion date cannot be in the future."]})
    if completed_on < timezone.localtime(enrollment.created_at).date():
        raise ValidationError({"completed_on": ["The completion date cannot be before the purchase."]})
    return _transition(enrollment, Enrollment.Status.COMPLETED, by_user=by_user, by_platform=by_platform,
                       reason="completed", certificate_number=certificate_number[:64], completed_on=completed_on,
                       completed_at=timezone.now())


@transaction.atomic
def enrollment_refund(*, enrollment: Enrollment, reason: str = "", by_user: User | None = None,
                      by_platform: Platform | None = None) -> Enrollment:
    """Cancel an order not yet redeemed: the price goes back from the platform's payable to the
    participant's training balance. Raises RefundNotAllowed after redemption."""
    already = Enrollment.objects.filter(pk=enrollment.pk, status=Enrollment.Status.REFUNDED).exists()
    refunded = _transition(enrollment, Enrollment.Status.REFUNDED, by_user=by_user, by_platform=by_platform,
                           reason=reason or "refunded", refunded_at=timezone.now())
    if already:
        return refunded
    balance = account_get_or_create(kind=Account.Kind.PARTICIPANT_BALANCE, owner=refunded.participant)
    payable = account_get_or_create(kind=Account.Kind.PLATFORM_PAYABLE, owner=refunded.platform)
    ledger_post(code=LedgerTransaction.Code.REFUND, idempotency_key=REFUND_KEY.format(enrollment_id=refunded.pk),
                entries=[(payable, -refunded.price), (balance, refunded.price)],
                reference=f"enrollment:{refunded.pk}", memo=(reason or "refund")[:200])
    Listing.objects.filter(pk=refunded.listing_id).update(sales_count=F("sales_count") - 1)
    Course.objects.filter(pk=refunded.course_id).update(sales_count=F("sales_count") - 1)
    _publish(refunded, "order.refunded")
    return refunded
