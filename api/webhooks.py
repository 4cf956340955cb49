"""Webhook events for partner platforms: publish, sign, verify.

An event is recorded in the caller's transaction and one delivery per subscribed endpoint is
queued after commit, so a rolled-back change sends nothing. Each delivery is a POST of the event's
JSON with the header

    Prakerja-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the endpoint secret>

`signature_verify` below is the algorithm the getting-started guide documents for platforms."""
from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

SIGNATURE_HEADER = "Prakerja-Signature"
TOLERANCE_SECONDS = 300


class SignatureVerificationError(Exception):
    pass


def signature_header(*, secret: str, payload: bytes, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else int(timestamp)
    mac = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def signature_verify(*, payload: bytes, header: str, secret: str, tolerance: int = TOLERANCE_SECONDS,
                     now: float | None = None) -> int:
    """Check a `Prakerja-Signature` header against the raw request body; returns its timestamp.

    Raises SignatureVerificationError if the header is malformed, no v1 signature matches
    (compared with hmac.compare_digest, in constant time) or the timestamp is older than
    `tolerance` seconds (a replayed request)."""
    try:
        parts = [item.split("=", 1) for item in header.split(",")]
        t = int(next(v for k, v in parts if k.strip() == "t"))
        signatures = [v for k, v in parts if k.strip() == "v1"]
    except (ValueError, StopIteration):
        raise SignatureVerificationError("malformed signature header") from None
    expected = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected, s) for s in signatures):
        raise SignatureVerificationError("no signature matches the payload")
    if abs((time.time() if now is None else now) - t) > tolerance:
        raise SignatureVerificationError("timestamp outside the tolerance")
    return t


def event_body(event) -> bytes:
    """The exact bytes sent for an event (the same on every attempt and replay)."""
    return json.dumps({"id": event.public_id, "object": "event", "type": event.type,
                       "created": event.created_at.isoformat(), "data": {"object": event.data}},
                      cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False).encode()


def event_publish(*, platform, type: str, data) -> None:  # noqa: A002 — the event's type
    """Record an event for `platform` and deliver it to its endpoints after commit.

    `data` is the event's object (a dict), or a function returning it, called only when some
    endpoint listens, so that the purchase path pays nothing for platforms without webhooks."""
    if platform is None:
        return
    from .models import WebhookDelivery, WebhookEndpoint, WebhookEvent
    from .tasks import webhook_delivery_attempt_task

    endpoints = [e for e in WebhookEndpoint.objects.filter(platform=platform, is_enabled=True, deleted_at__isnull=True)
                 if e.wants(type)]
    if not endpoints:
        return  # nobody listens: no event row on the purchase path (events are not listed by the API)
    with transaction.atomic():
        data = json.loads(json.dumps(data() if callable(data) else data, cls=DjangoJSONEncoder))
        event = WebhookEvent.objects.create(public_id=f"evt_{uuid.uuid4().hex[:24]}", platform=platform,
                                            type=type, data=data)
        now = timezone.now()
        deliveries = [WebhookDelivery(public_id=f"whd_{uuid.uuid4().hex[:24]}", event=event, endpoint=endpoint,
                                      platform=platform, next_attempt_at=now) for endpoint in endpoints]
        WebhookDelivery.objects.bulk_create(deliveries)
        for delivery in deliveries:
            transaction.on_commit(lambda pk=delivery.pk: webhook_delivery_attempt_task.delay(pk))
