"""Idempotency keys for platform POSTs (the Stripe rules).

The first request with a key reserves it (a unique row, committed at once); its response is stored
when it finishes. A retry with the same key and the same request gets that stored response; the
same key with another request is refused (422); a retry while the first is still running is
refused (409) so that exactly one of two concurrent requests executes. Keys live 24 hours. A
request that failed with a server error releases its key, so it can be retried."""
from __future__ import annotations

import datetime as dt
import hashlib

from django.db import IntegrityError, transaction
from django.utils import timezone

from platforms.models import Platform

from ..exceptions import IdempotencyKeyInUse, IdempotencyKeyInvalid, IdempotencyKeyReused
from ..models import IdempotencyKey

LIFETIME = dt.timedelta(hours=24)
MAX_KEY_LENGTH = 255


def request_fingerprint(*, method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + body).hexdigest()


def idempotency_key_reserve(*, platform: Platform, key: str, method: str, path: str,
                            fingerprint: str) -> tuple[IdempotencyKey, bool]:
    """Reserve `key`; returns (row, True) for a new reservation or (row, False) with the stored response.

    Raises IdempotencyKeyInvalid, IdempotencyKeyReused, IdempotencyKeyInUse."""
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise IdempotencyKeyInvalid()
    now = timezone.now()
    for _attempt in range(2):
        try:
            with transaction.atomic():
                row = IdempotencyKey.objects.create(platform=platform, key=key, method=method, path=path,
                                                    request_hash=fingerprint, created_at=now)
            return row, True
        except IntegrityError:
            row = IdempotencyKey.objects.filter(platform=platform, key=key).first()
            if row is None:
                continue  # released meanwhile
            if row.created_at <= now - LIFETIME:
                IdempotencyKey.objects.filter(pk=row.pk, created_at=row.created_at).delete()
                continue
            if row.request_hash != fingerprint:
                raise IdempotencyKeyReused()
            if row.status == IdempotencyKey.Status.IN_PROGRESS:
                raise IdempotencyKeyInUse()
            return row, False
    raise IdempotencyKeyInUse()


@transaction.atomic
def idempotency_key_finish(*, row: IdempotencyKey, status: int, body) -> None:
    """Store the response of the request that reserved the key (a 5xx releases it instead)."""
    if status >= 500:
        IdempotencyKey.objects.filter(pk=row.pk).delete()
        return
    IdempotencyKey.objects.filter(pk=row.pk).update(status=IdempotencyKey.Status.DONE, response_status=status,
                                                    response_body=_storable(body))


def _storable(value):
    """PostgreSQL's jsonb cannot hold U+0000, which an error body may echo from the request: kept
    as U+FFFD (the replacement character) in the stored copy."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_storable(k): _storable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_storable(v) for v in value]
    return value


@transaction.atomic
def idempotency_keys_purge() -> int:
    """Delete keys older than 24 hours; returns how many."""
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - LIFETIME).delete()
    return deleted
