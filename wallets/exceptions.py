"""The ledger's refusals; services raise these, the API and pages map them once."""
from django.utils.translation import gettext_lazy as _

from prakerja.exceptions import DomainError


class UnbalancedTransaction(DomainError):
    code = "unbalanced_transaction"
    message = _("A ledger transaction needs at least two non-zero whole-rupiah entries that sum to zero.")


class InsufficientBalance(DomainError):
    code = "insufficient_balance"
    message = _("The training balance is not enough for this purchase.")
    field = None
    http_status = 409


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    message = _("This request key was already used for a different request.")
    http_status = 409
