"""Webhook endpoints and deliveries.

A delivery is retried on any answer but a 2xx (a redirect is not followed and counts as a failure)
and on network errors, with exponential backoff: 1, 2, 4 … minutes, capped at 12 hours, for
MAX_ATTEMPTS attempts (about three days), then it is marked failed. The platform reads every
attempt in the delivery log and may replay any delivery."""
from __future__ import annotations

import datetime as dt
import secrets
import time
import urllib.error
import urllib.request
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from platforms.models import Platform

from ..exceptions import DeliveryInProgress, WebhookEndpointLimit
from ..models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from ..webhooks import SIGNATURE_HEADER, event_body, signature_header

MAX_ATTEMPTS = 16
BASE_DELAY = dt.timedelta(minutes=1)
MAX_DELAY = dt.timedelta(hours=12)
TIMEOUT_SECONDS = 10
MAX_ENDPOINTS = 16


def backoff(attempt_count: int) -> dt.timedelta:
    """Delay after the `attempt_count`-th failed attempt."""
    return min(BASE_DELAY * (2 ** max(attempt_count - 1, 0)), MAX_DELAY)


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    insecure_ok = getattr(settings, "API_WEBHOOK_ALLOW_INSECURE", settings.DEBUG)
    if parts.scheme != "https" and not insecure_ok:
        raise ValidationError({"url": [_("A webhook URL must start with https://.")]})
    host = (parts.hostname or "").lower()
    if not insecure_ok and (host in {"localhost", "127.0.0.1", "::1", "0.0.0.0"} or host.endswith(".local")):
        raise ValidationError({"url": [_("A webhook URL must be reachable on the internet.")]})


def _check_events(events: list[str]) -> list[str]:
    unknown = sorted(set(events) - set(WebhookEndpoint.EVENT_TYPES))
    if unknown:
        raise ValidationError({"enabled_events": [_("Unknown event type: %(types)s.") % {"types": ", ".join(unknown)}]})
    return sorted(set(events))


@transaction.atomic
def webhook_endpoint_create(*, platform: Platform, url: str, description: str = "",
                            enabled_events: list[str] | None = None) -> WebhookEndpoint:
    """Register a URL; the returned endpoint carries its signing secret, shown to the platform once.

    Raises ValidationError (url, enabled_events), WebhookEndpointLimit."""
    _check_url(url)
    Platform.objects.select_for_update().get(pk=platform.pk)
    if WebhookEndpoint.objects.filter(platform=platform, deleted_at__isnull=True).count() >= MAX_ENDPOINTS:
        raise WebhookEndpointLimit()
    endpoint = WebhookEndpoint(public_id=f"we_{uuid.uuid4().hex[:24]}", platform=platform, url=url,
                               description=description.strip()[:200], enabled_events=_check_events(enabled_events or []),
                               secret=f"whsec_{secrets.token_urlsafe(32)}")
    endpoint.full_clean()
    endpoint.save(force_insert=True)
    return endpoint


@transaction.atomic
def webhook_endpoint_update(*, endpoint: WebhookEndpoint, url: str | None = None, description: str | None = None,
                            enabled_events: list[str] | None = None, is_enabled: bool | None = None) -> WebhookEndpoint:
    """Change an endpoint's URL, description, events or switch it off. Raises ValidationError."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if url is not None:
        _check_url(url)
        endpoint.url = url
    if description is not None:
        endpoint.description = description.strip()[:200]
    if enabled_events is not None:
        endpoint.enabled_events = _check_events(enabled_events)
    if is_enabled is not None:
        endpoint.is_enabled = is_enabled
    endpoint.full_clean()
    endpoint.save()
    return endpoint


@transaction.atomic
def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    """Stop sending to an endpoint; its delivery log stays readable to the program office."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(deleted_at=timezone.now(), is_enabled=False)
    WebhookDelivery.objects.filter(endpoint=endpoint, status=WebhookDelivery.Status.PENDING).update(
        status=WebhookDelivery.Status.FAILED, next_attempt_at=None, last_error="endpoint deleted")


@transaction.atomic
def webhook_endpoint_roll_secret(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.secret = f"whsec_{secrets.token_urlsafe(32)}"
    endpoint.save(update_fields=["secret"])
    return endpoint


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _post(url: str, body: bytes, headers: dict) -> tuple[int | None, str, str]:
    """POST and return (status, body cut to 1 KB, error)."""
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, response.read(1024).decode("utf-8", "replace"), ""
    except urllib.error.HTTPError as exc:
        return exc.code, (exc.read(1024) or b"").decode("utf-8", "replace"), ""
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return None, "", f"{type(exc).__name__}: {reason}"[:300]


def webhook_delivery_attempt(*, delivery_id: int, force: bool = False) -> WebhookDelivery | None:
    """Send one attempt of a pending delivery that is due, record it, schedule the next on failure.

    Not one transaction on purpose: the HTTP request (up to 10 s) must not hold a row lock. The
    delivery is claimed under a lock (its next attempt pushed out so a concurrent worker skips it),
    sent, then the outcome is recorded in a second short transaction."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (WebhookDelivery.objects.select_for_update().select_related("event", "endpoint")
                    .filter(pk=delivery_id).first())
        if delivery is None or delivery.status != WebhookDelivery.Status.PENDING:
            return delivery
        if not force and delivery.next_attempt_at and delivery.next_attempt_at > now:
            return delivery
        endpoint = delivery.endpoint
        if endpoint.deleted_at is not None or not endpoint.is_enabled:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.next_attempt_at = None
            delivery.last_error = "endpoint disabled"
            delivery.save(update_fields=["status", "next_attempt_at", "last_error"])
            return delivery
        number = delivery.attempt_count + 1
        replay = delivery.attempts.exists() and delivery.attempt_count == 0
        delivery.attempt_count = number
        delivery.next_attempt_at = now + dt.timedelta(seconds=TIMEOUT_SECONDS * 3)  # claimed
        delivery.save(update_fields=["attempt_count", "next_attempt_at"])

    body = event_body(delivery.event)
    headers = {"Content-Type": "application/json", "User-Agent": "Prakerja-Webhooks/1.0",
               SIGNATURE_HEADER: signature_header(secret=endpoint.secret, payload=body),
               "Prakerja-Event-Id": delivery.event.public_id, "Prakerja-Delivery-Id": delivery.public_id}
    started = time.monotonic()
    status_code, response_body, error = _post(endpoint.url, body, headers)
    duration_ms = int((time.monotonic() - started) * 1000)

    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        total = delivery.attempts.count() + 1
        WebhookAttempt.objects.create(delivery=delivery, number=total, status_code=status_code, error=error,
                                      response_body=response_body.replace("\x00", "\ufffd"), duration_ms=duration_ms, replay=replay)
        delivery.last_status_code = status_code
        delivery.last_error = error or ("" if status_code and 200 <= status_code < 300 else f"HTTP {status_code}")
        if status_code is not None and 200 <= status_code < 300:
            delivery.status = WebhookDelivery.Status.SUCCEEDED
            delivery.delivered_at = timezone.now()
            delivery.next_attempt_at = None
        elif delivery.attempt_count >= MAX_ATTEMPTS:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.next_attempt_at = None
        else:
            delay = backoff(delivery.attempt_count)
            delivery.next_attempt_at = timezone.now() + delay
            _schedule(delivery.pk, delay)
        delivery.save()
    return delivery


def _schedule(delivery_id: int, delay: dt.timedelta) -> None:
    # In-process (eager) Celery would run the retry at once, ignoring the countdown: there the
    # beat sweep (webhook_deliveries_retry_due_task) picks it up when due instead.
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return
    from ..tasks import webhook_delivery_attempt_task

    transaction.on_commit(lambda: webhook_delivery_attempt_task.apply_async(
        args=[delivery_id], countdown=int(delay.total_seconds())))


@transaction.atomic
def webhook_delivery_replay(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again now (after it succeeded or failed for good), with a fresh signature and
    a new retry budget; the earlier attempts stay in the log. Raises DeliveryInProgress."""
    from ..tasks import webhook_delivery_attempt_task

    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.status == WebhookDelivery.Status.PENDING:
        raise DeliveryInProgress()
    delivery.status = WebhookDelivery.Status.PENDING
    delivery.attempt_count = 0
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["status", "attempt_count", "next_attempt_at"])
    transaction.on_commit(lambda: webhook_delivery_attempt_task.delay(delivery.pk))
    return delivery


def webhook_deliveries_due_queue(*, limit: int = 1000) -> int:
    """Queue every pending delivery whose next attempt is due; returns how many."""
    from ..tasks import webhook_delivery_attempt_task

    ids = list(WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING,
                                              next_attempt_at__lte=timezone.now())
               .order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    for pk in ids:
        webhook_delivery_attempt_task.delay(pk)
    return len(ids)
