from django.utils.translation import gettext_lazy as _

from prakerja.exceptions import DomainError


class ApiKeyTransitionNotAllowed(DomainError):
    code = "api_key_transition_not_allowed"
    message = _("This API key is already revoked.")
    http_status = 409
