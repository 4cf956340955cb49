"""Checkout sessions: the platform starts a purchase, the participant confirms it on our page.

The session's public id is the purchase token given to catalog.services.enrollment_purchase, so a
second confirm (a double click, a reload, another tab) returns the same order and moves nothing."""
from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction
from django.utils import timezone

from accounts.models import Participant, User
from catalog.models import Enrollment, Listing
from catalog.services import enrollment_purchase
from catalog.services.orders import listing_check_buyable
from platforms.models import Platform

from ..exceptions import CheckoutSessionExpired, CheckoutSessionNotOpen, CheckoutSessionUsed
from ..models import CheckoutSession


def checkout_token(session: CheckoutSession) -> str:
    return f"checkout:{session.public_id}"


@transaction.atomic
def checkout_session_create(*, platform: Platform, listing: Listing, return_url: str,
                            client_reference_id: str = "") -> CheckoutSession:
    """Open a 30-minute session for one of the platform's own listings. Nothing is paid yet.

    Raises PlatformNotSelling, ListingUnavailable (catalog), ValidationError (return_url)."""
    listing = Listing.objects.select_related("platform", "course__institution").get(pk=listing.pk)
    listing_check_buyable(listing)
    now = timezone.now()
    session = CheckoutSession(public_id=f"cs_{uuid.uuid4().hex[:24]}", platform=platform, listing=listing,
                              return_url=return_url, client_reference_id=client_reference_id.strip()[:64],
                              created_at=now,
                              expires_at=now + dt.timedelta(minutes=CheckoutSession.LIFETIME_MINUTES))
    session.full_clean(exclude=["enrollment"])
    session.save(force_insert=True)
    return session


@transaction.atomic
def checkout_session_confirm(*, session: CheckoutSession, participant: Participant,
                             by_user: User | None = None) -> Enrollment:
    """The participant confirms: buy the listing with their balance, once.

    A second confirm by the same participant returns the same order. Raises CheckoutSessionExpired,
    CheckoutSessionNotOpen, CheckoutSessionUsed and everything enrollment_purchase raises."""
    session = CheckoutSession.objects.select_for_update().select_related("listing").get(pk=session.pk)
    if session.status == CheckoutSession.Status.COMPLETE:
        if session.enrollment.participant_id != participant.pk:
            raise CheckoutSessionUsed()
        return session.enrollment
    if session.current_status() == CheckoutSession.Status.EXPIRED:
        raise CheckoutSessionExpired()
    enrollment = enrollment_purchase(participant=participant, listing=session.listing,
                                     token=checkout_token(session), by_user=by_user)
    session.status = CheckoutSession.Status.COMPLETE
    session.enrollment = enrollment
    session.completed_at = timezone.now()
    session.save(update_fields=["status", "enrollment", "completed_at"])
    return enrollment


@transaction.atomic
def checkout_session_expire(*, session: CheckoutSession) -> CheckoutSession:
    """The platform cancels an open session (or its time ran out). Raises CheckoutSessionNotOpen."""
    session = CheckoutSession.objects.select_for_update().get(pk=session.pk)
    if CheckoutSession.Status.EXPIRED not in CheckoutSession.TRANSITIONS[session.status]:
        raise CheckoutSessionNotOpen()
    session.status = CheckoutSession.Status.EXPIRED
    session.save(update_fields=["status"])
    return session


@transaction.atomic
def checkout_sessions_expire() -> int:
    """Mark open sessions past their time as expired; returns how many."""
    return CheckoutSession.objects.filter(status=CheckoutSession.Status.OPEN,
                                          expires_at__lte=timezone.now()).update(status=CheckoutSession.Status.EXPIRED)
