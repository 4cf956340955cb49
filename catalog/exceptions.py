from django.utils.translation import gettext_lazy as _

from prakerja.exceptions import DomainError


class NotActiveParticipant(DomainError):
    code = "not_active_participant"
    message = _("Only active program participants can buy training.")
    http_status = 403


class ListingUnavailable(DomainError):
    code = "listing_unavailable"
    message = _("This offer is no longer available. Choose another platform for this course.")
    field = "listing"
    http_status = 409


class PlatformNotSelling(DomainError):
    code = "platform_not_selling"
    message = _("This platform is not taking new orders at the moment. Choose another platform.")
    field = "listing"
    http_status = 409


class AlreadyPurchased(DomainError):
    code = "already_purchased"
    message = _("You have already bought this course. Find it under My training.")
    http_status = 409


class PurchaseTokenReused(DomainError):
    code = "purchase_token_reused"
    message = _("This purchase form was already used for another purchase. Reload the page and try again.")
    http_status = 409


class EnrollmentTransitionNotAllowed(DomainError):
    code = "order_transition_not_allowed"
    message = _("This order cannot change to that status.")
    http_status = 409


class RefundNotAllowed(DomainError):
    code = "refund_not_allowed"
    message = _("Only an order that has not been redeemed yet can be refunded.")
    http_status = 409


class RatingNotAllowed(DomainError):
    code = "rating_not_allowed"
    message = _("You can rate a course once, after you complete it.")
    http_status = 409


class CourseTransitionNotAllowed(DomainError):
    code = "course_transition_not_allowed"
    message = _("This course cannot change to that status.")
    http_status = 409


class InstitutionTransitionNotAllowed(DomainError):
    code = "institution_transition_not_allowed"
    message = _("This institution cannot change to that status.")
    http_status = 409


class PartnershipDecisionNotAllowed(DomainError):
    code = "partnership_decision_not_allowed"
    message = _("Only a proposed partnership can be approved or rejected.")
    http_status = 409


class InvalidRedemptionCode(DomainError):
    code = "invalid_redemption_code"
    message = _("This redemption code is not valid: check it for typing mistakes.")
    field = "code"
    http_status = 400


class OrderNotFound(DomainError):
    code = "not_found"
    message = _("No such order.")
    http_status = 404


class NotAPartner(DomainError):
    code = "not_a_partner"
    message = _("This platform has no partnership with that institution.")
    field = "institution"
    http_status = 400


class CourseNotEditable(DomainError):
    code = "course_not_editable"
    message = _("Only the platform that proposed a course can edit it.")
    http_status = 403


class PartnershipExists(DomainError):
    code = "partnership_exists"
    message = _("This platform already has a partnership (or a proposal) with this institution.")
    field = "institution"
    http_status = 409


class InstitutionNotProposable(DomainError):
    code = "institution_not_proposable"
    message = _("This institution is not active in the program; a partnership cannot be proposed.")
    field = "institution"
    http_status = 409


class ListingExists(DomainError):
    code = "listing_exists"
    message = _("This platform already lists this course; change that listing's price instead.")
    field = "course"
    http_status = 409


class ListingNotAllowed(DomainError):
    code = "listing_not_allowed"
    message = _("A course can be listed only once the program office has approved the partnership "
                "with its institution.")
    field = "course"
    http_status = 409


class ListingNotActivatable(DomainError):
    code = "listing_not_activatable"
    message = _("Only a published course can be offered; wait for the curation decision.")
    http_status = 409
