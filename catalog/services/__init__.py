"""Writes for the marketplace: orders (purchase, redeem, complete, refund), ratings, curation, and
the platforms' proposals (institutions, partnerships, courses, listings)."""
from .courses import course_create, course_update
from .curation import course_transition, institution_transition
from .institutions import institution_propose, partnership_propose
from .listings import listing_activate, listing_create, listing_deactivate, listing_update
from .orders import enrollment_complete, enrollment_purchase, enrollment_redeem, enrollment_refund, purchase_key
from .ratings import rating_create

__all__ = [
    "course_create", "course_transition", "course_update", "enrollment_complete", "enrollment_purchase",
    "enrollment_redeem", "enrollment_refund", "institution_propose", "institution_transition",
    "listing_activate", "listing_create", "listing_deactivate", "listing_update", "partnership_propose",
    "purchase_key", "rating_create",
]
