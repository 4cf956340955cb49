from django.utils.translation import gettext_lazy as _

from prakerja.exceptions import DomainError


class PlatformTransitionNotAllowed(DomainError):
    code = "platform_transition_not_allowed"
    message = _("This platform cannot change to that status.")
    http_status = 409


class PmoPermissionDenied(DomainError):
    code = "permission_denied"
    message = _("Your PMO role does not allow this decision.")
    http_status = 403


class MakerCheckerViolation(DomainError):
    code = "maker_checker"
    message = _("You made this evaluation: a second PMO member must sign it off.")
    http_status = 403


class ReasonRequired(DomainError):
    code = "reason_required"
    message = _("Give the reason for this decision: it is kept in the audit trail.")
    field = "reason"


class CriteriaNotMet(DomainError):
    code = "criteria_not_met"
    message = _("An application can be approved only when every criterion is met.")
    http_status = 409


class EvaluationIncomplete(DomainError):
    code = "evaluation_incomplete"
    message = _("Score every criterion, each with a note.")


class EvaluationAlreadyDecided(DomainError):
    code = "evaluation_already_decided"
    message = _("This evaluation has already been signed off.")
    http_status = 409


class EvaluationPending(DomainError):
    code = "evaluation_pending"
    message = _("This platform already has an evaluation waiting for sign-off.")
    http_status = 409


class InvalidMou(DomainError):
    code = "invalid_mou"
    message = _("The MoU term must end after its signing date.")
    field = "term_end"


class DocumentRejected(DomainError):
    code = "document_rejected"
    message = _("This file cannot be accepted.")
    http_status = 400


class PlatformNameTaken(DomainError):
    code = "platform_name_taken"
    message = _("A platform with this name has already applied. Use its status link, or contact the program office.")
    field = "name"
    http_status = 409


class ReviewAlreadyRecorded(DomainError):
    code = "review_already_recorded"
    message = _("This platform's review for that quarter has already been recorded.")
    http_status = 409


class ReviewNotAllowed(DomainError):
    code = "review_not_allowed"
    message = _("Only an active, warned or suspended platform is reviewed each quarter.")
    http_status = 409
