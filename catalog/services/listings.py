"""A platform's listings: offer a course at its own price, change the price, switch on and off.

An order keeps the price it was bought at: a price change affects only later purchases."""
from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from platforms.models import Platform

from ..exceptions import ListingExists, ListingNotActivatable, ListingNotAllowed
from ..models import Course, Listing, Partnership


def _check_partner(platform: Platform, course: Course) -> None:
    if not Partnership.objects.filter(platform=platform, institution_id=course.institution_id,
                                      status=Partnership.Status.APPROVED).exists():
        raise ListingNotAllowed()
    if course.status in (Course.Status.REJECTED, Course.Status.WITHDRAWN):
        raise ListingNotActivatable()


@transaction.atomic
def listing_create(*, platform: Platform, course: Course, price: int, external_ref: str = "",
                   is_active: bool = True) -> Listing:
    """List a course of an approved partner institution. A course not yet published is listed
    inactive whatever was asked; activate it after curation.

    Raises ListingNotAllowed, ListingNotActivatable, ListingExists, ValidationError (price)."""
    _check_partner(platform, course)
    listing = Listing(course=course, platform=platform, price=price, external_ref=(external_ref or "").strip(),
                      is_active=is_active and course.status == Course.Status.PUBLISHED)
    listing.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            listing.save(force_insert=True)
    except IntegrityError:
        raise ListingExists() from None
    return listing


@transaction.atomic
def listing_update(*, listing: Listing, price: int | None = None, external_ref: str | None = None) -> Listing:
    """Change the price (Rp1 to Rp1.000.000) or the platform's reference. Raises ValidationError."""
    locked = Listing.objects.select_for_update().get(pk=listing.pk)
    if price is not None:
        locked.price = price
    if external_ref is not None:
        locked.external_ref = external_ref.strip()
    locked.updated_at = timezone.now()
    locked.full_clean(validate_unique=False, validate_constraints=False)
    locked.save(update_fields=["price", "external_ref", "updated_at"])
    return locked


@transaction.atomic
def listing_activate(*, listing: Listing) -> Listing:
    """Offer the listing again. Raises ListingNotAllowed, ListingNotActivatable."""
    locked = Listing.objects.select_for_update().select_related("course").get(pk=listing.pk)
    _check_partner(locked.platform, locked.course)
    if locked.course.status != Course.Status.PUBLISHED:
        raise ListingNotActivatable()
    if not locked.is_active:
        locked.is_active = True
        locked.updated_at = timezone.now()
        locked.save(update_fields=["is_active", "updated_at"])
    return locked


@transaction.atomic
def listing_deactivate(*, listing: Listing) -> Listing:
    """Stop offering the listing; orders already taken are not affected."""
    locked = Listing.objects.select_for_update().get(pk=listing.pk)
    if locked.is_active:
        locked.is_active = False
        locked.updated_at = timezone.now()
        locked.save(update_fields=["is_active", "updated_at"])
    return locked
