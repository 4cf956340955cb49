"""Writes for the marketplace: orders (purchase, redeem, complete, refund), ratings, curation."""
from .curation import course_transition, institution_transition
from .orders import enrollment_complete, enrollment_purchase, enrollment_redeem, enrollment_refund, purchase_key
from .ratings import rating_create

__all__ = [
    "course_transition", "enrollment_complete", "enrollment_purchase", "enrollment_redeem", "enrollment_refund",
    "institution_transition", "purchase_key", "rating_create",
]
