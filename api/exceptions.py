from django.utils.translation import gettext_lazy as _

from prakerja.exceptions import DomainError


class ApiKeyTransitionNotAllowed(DomainError):
    code = "api_key_transition_not_allowed"
    message = _("This API key is already revoked.")
    http_status = 409


class CheckoutSessionExpired(DomainError):
    code = "checkout_session_expired"
    message = _("This checkout has expired. Go back to the platform and start again.")
    http_status = 409


class CheckoutSessionNotOpen(DomainError):
    code = "checkout_session_not_open"
    message = _("This checkout is no longer open.")
    http_status = 409


class CheckoutSessionUsed(DomainError):
    code = "checkout_session_used"
    message = _("This checkout was already confirmed by another participant.")
    http_status = 409


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    message = _("This Idempotency-Key was already used with a different request. Use a new key for a new request.")
    http_status = 422


class IdempotencyKeyInUse(DomainError):
    code = "idempotency_key_in_use"
    message = _("A request with this Idempotency-Key is still being processed. Retry in a moment.")
    http_status = 409


class IdempotencyKeyInvalid(DomainError):
    code = "idempotency_key_invalid"
    message = _("The Idempotency-Key header must be 1 to 255 printable characters.")
    field = "Idempotency-Key"
    http_status = 400


class WebhookEndpointLimit(DomainError):
    code = "webhook_endpoint_limit"
    message = _("A platform can register at most 16 webhook endpoints.")
    http_status = 409


class DeliveryInProgress(DomainError):
    code = "delivery_in_progress"
    message = _("This delivery is still being retried; replay it after it succeeds or fails.")
    http_status = 409
