"""API keys: issue (shown once), rotate with an overlap, revoke; only a SHA-256 is stored.

A key is 32 random bytes in URL-safe base64 after `pk_live_`/`pk_test_`: far too much entropy to
guess, so one unsalted SHA-256 is enough to store it (as GitHub and Stripe do) and lets us find
the key by its hash in one indexed lookup."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from platforms.models import Platform

from ..exceptions import ApiKeyTransitionNotAllowed
from ..models import ApiKey

PREFIX_CHARS = 8  # of the secret, after "pk_live_", shown to recognise a key
MAX_OVERLAP = dt.timedelta(days=7)


def api_key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_key_prefix(raw: str) -> str:
    """The visible part of a key: `pk_live_` or `pk_test_` and the first PREFIX_CHARS of the secret."""
    mode_part = raw[:raw.index("_", 3) + 1]
    return raw[:len(mode_part) + PREFIX_CHARS]


def _generate(mode: str) -> tuple[str, str]:
    secret = secrets.token_urlsafe(32)
    raw = f"pk_{mode}_{secret}"
    return raw, api_key_prefix(raw)


@transaction.atomic
def api_key_issue(*, platform: Platform, mode: str, name: str = "", by: User | None = None) -> tuple[ApiKey, str]:
    """Create a key for `platform`; returns the key and its secret, which is never readable again."""
    if mode not in ApiKey.Mode.values:
        from django.core.exceptions import ValidationError
        raise ValidationError({"mode": ["Choose test or live."]})
    while True:
        raw, prefix = _generate(mode)
        if not ApiKey.objects.filter(prefix=prefix).exists():
            break
    key = ApiKey(platform=platform, mode=mode, name=name.strip()[:80], prefix=prefix, key_hash=api_key_hash(raw),
                 created_by=by)
    key.full_clean(exclude=["created_by", "replaced_by", "revoked_by"])
    key.save(force_insert=True)
    return key, raw


@transaction.atomic
def api_key_roll(*, api_key: ApiKey, by: User | None = None,
                 overlap: dt.timedelta = dt.timedelta(hours=24)) -> tuple[ApiKey, str]:
    """Rotate a key: a new key of the same platform and mode; the old one keeps working for
    `overlap` (at most 7 days; zero ends it now) so the platform can deploy the new one.

    Raises ApiKeyTransitionNotAllowed if the key is revoked or already rotated."""
    old = ApiKey.objects.select_for_update().get(pk=api_key.pk)
    if old.status != ApiKey.Status.ACTIVE or old.replaced_by_id is not None:
        raise ApiKeyTransitionNotAllowed()
    overlap = max(dt.timedelta(0), min(overlap, MAX_OVERLAP))
    new, raw = api_key_issue(platform=old.platform, mode=old.mode, name=old.name, by=by)
    now = timezone.now()
    expires = now + overlap
    old.expires_at = min(old.expires_at, expires) if old.expires_at else expires
    old.replaced_by = new
    old.save(update_fields=["expires_at", "replaced_by"])
    return new, raw


def _revoke(key: ApiKey, *, by: User | None, reason: str, now) -> None:
    key.status = ApiKey.Status.REVOKED
    key.revoked_at = now
    key.revoked_by = by
    key.revoked_reason = reason.strip()[:200]
    key.save(update_fields=["status", "revoked_at", "revoked_by", "revoked_reason"])


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey, by: User | None = None, reason: str = "") -> ApiKey:
    """Stop a key at once. Raises ApiKeyTransitionNotAllowed if it is already revoked."""
    key = ApiKey.objects.select_for_update().get(pk=api_key.pk)
    if ApiKey.Status.REVOKED not in ApiKey.TRANSITIONS[key.status]:
        raise ApiKeyTransitionNotAllowed()
    _revoke(key, by=by, reason=reason, now=timezone.now())
    return key


@transaction.atomic
def api_keys_revoke_for_platform(*, platform: Platform, reason: str = "", by: User | None = None) -> int:
    """Revoke every active key of `platform` (it was terminated or withdrew); returns how many.

    Safe to call again: already revoked keys are left as they are."""
    now = timezone.now()
    keys = list(ApiKey.objects.select_for_update().filter(platform=platform, status=ApiKey.Status.ACTIVE)
                .order_by("pk"))
    for key in keys:
        _revoke(key, by=by, reason=reason, now=now)
    return len(keys)


def api_key_touch(*, api_key: ApiKey, now=None) -> None:
    """Record use, at most once a minute per key so that a busy key is not a hot row."""
    now = now or timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at > dt.timedelta(minutes=1):
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
