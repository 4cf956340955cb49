"""Writes of the platform API: credentials, idempotency, webhooks, checkout sessions."""
from .api_keys import api_key_issue, api_key_revoke, api_key_roll, api_key_touch, api_keys_revoke_for_platform

__all__ = ["api_key_issue", "api_key_revoke", "api_key_roll", "api_key_touch", "api_keys_revoke_for_platform"]
