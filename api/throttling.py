from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class ApiKeyRateThrottle(SimpleRateThrottle):
    """Requests per API key (all of a platform's keys are separate buckets); 429 with Retry-After."""

    scope = "api_key"

    def get_rate(self):
        # Read at each request (not frozen at import) so the setting can change per environment and test.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        auth = request.auth
        if auth is None:
            return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
        return self.cache_format % {"scope": self.scope, "ident": f"key{auth.pk}"}
