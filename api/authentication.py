"""`Authorization: Bearer pk_live_…`: the platform is whoever holds the key.

The key is hashed at once and looked up by its hash; it is never logged or stored in clear."""
from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from platforms.models import Platform

from .models import ApiKey
from .services.api_keys import api_key_hash, api_key_touch


# A terminated (or rejected) platform's keys stop at once, even one that escaped revocation. A
# platform that withdrew keeps its keys: it sells nothing new (Platform.SELLING) but goes on
# reporting the redemption and completion of orders already paid.
ENDED = {Platform.Status.TERMINATED, Platform.Status.REJECTED}


@dataclass
class PlatformClient:
    """request.user for an API request: the calling platform and the key it used."""

    platform: Platform
    api_key: ApiKey
    is_authenticated: bool = True
    is_anonymous: bool = False
    is_staff: bool = False
    is_superuser: bool = False
    pk = None

    @property
    def id(self):  # throttles and logs identify the caller by key, never by secret
        return f"key:{self.api_key.pk}"


class InvalidApiKey(exceptions.AuthenticationFailed):
    default_code = "api_key_invalid"
    default_detail = _("Invalid API key. Send `Authorization: Bearer <key>` with a key the program office issued.")


class ExpiredApiKey(exceptions.AuthenticationFailed):
    default_code = "api_key_expired"
    default_detail = _("This API key was revoked or has expired after a rotation. Use the platform's current key.")


class ApiKeyModeNotAccepted(exceptions.AuthenticationFailed):
    default_code = "api_key_mode_not_accepted"
    default_detail = _("This server does not accept keys of that mode: sandbox keys work only on the sandbox.")


class NotAuthenticated(exceptions.NotAuthenticated):
    default_code = "authentication_required"
    default_detail = _("Send your API key as `Authorization: Bearer <key>`.")


class ApiKeyAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        scheme, _sep, raw = header.partition(" ")
        raw = raw.strip()
        if scheme.lower() != "bearer" or not raw.startswith(("pk_live_", "pk_test_")) or len(raw) > 200:
            raise InvalidApiKey()
        key = ApiKey.objects.select_related("platform").filter(key_hash=api_key_hash(raw)).first()
        if key is None:
            raise InvalidApiKey()
        now = timezone.now()
        if not key.is_usable(now):
            raise ExpiredApiKey()
        if key.platform.status in ENDED:
            # The termination service revokes the keys too; this holds even if one was missed.
            raise ExpiredApiKey()
        if key.mode not in getattr(settings, "API_KEY_MODES", ("test", "live")):
            raise ApiKeyModeNotAccepted()
        api_key_touch(api_key=key, now=now)
        return PlatformClient(platform=key.platform, api_key=key), key

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "pk_live_… / pk_test_…",
                "description": "Your secret API key, issued by the program office. Sandbox keys start "
                               "with `pk_test_`, live keys with `pk_live_`."}
