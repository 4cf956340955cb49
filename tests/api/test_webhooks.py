"""Webhooks: signed deliveries of order.created / order.refunded / course.curated, retried with
exponential backoff while the receiver is down, a readable log, and replay."""
from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from django.utils import timezone

from api.models import WebhookDelivery, WebhookEndpoint
from api.services.webhooks import MAX_ATTEMPTS, backoff, webhook_delivery_attempt, webhook_deliveries_due_queue
from api.webhooks import SignatureVerificationError, event_publish, signature_header, signature_verify
from catalog.services import enrollment_purchase, enrollment_refund
from tests.api.receiver import Receiver
from tests.catalog.factories import participant_factory

# Real commits: deliveries are queued with transaction.on_commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def receiver():
    r = Receiver().start()
    yield r
    r.stop()


def _endpoint(tenant, url, events=None):
    response = tenant.client.post("/api/v1/webhook-endpoints", {"url": url, "enabled_events": events or []},
                                  format="json")
    assert response.status_code == 201, response.json()
    return response.json()


# ---------------------------------------------------------------- signature

def test_signature_verifies_and_rejects_tampering_and_old_timestamps():
    body = b'{"id":"evt_1"}'
    header = signature_header(secret="whsec_x", payload=body)
    assert signature_verify(payload=body, header=header, secret="whsec_x") > 0
    for payload, secret in [(body + b" ", "whsec_x"), (body, "whsec_other")]:
        with pytest.raises(SignatureVerificationError):
            signature_verify(payload=payload, header=header, secret=secret)
    old = signature_header(secret="whsec_x", payload=body, timestamp=time.time() - 301)
    with pytest.raises(SignatureVerificationError):
        signature_verify(payload=body, header=old, secret="whsec_x")
    with pytest.raises(SignatureVerificationError):
        signature_verify(payload=body, header="garbage", secret="whsec_x")


# ---------------------------------------------------------------- endpoints

def test_endpoint_secret_is_shown_once(tenant, receiver):
    created = _endpoint(tenant, receiver.url)
    assert created["secret"].startswith("whsec_")
    read = tenant.client.get(f"/api/v1/webhook-endpoints/{created['id']}").json()
    assert "secret" not in read and read["url"] == receiver.url
    rolled = tenant.client.post(f"/api/v1/webhook-endpoints/{created['id']}/roll-secret").json()
    assert rolled["secret"] != created["secret"]


def test_endpoint_update_and_delete(tenant, receiver):
    created = _endpoint(tenant, receiver.url)
    patched = tenant.client.patch(f"/api/v1/webhook-endpoints/{created['id']}",
                                  {"enabled_events": ["order.refunded"], "is_enabled": False}, format="json").json()
    assert patched["enabled_events"] == ["order.refunded"] and patched["is_enabled"] is False
    assert tenant.client.delete(f"/api/v1/webhook-endpoints/{created['id']}").status_code == 204
    assert tenant.client.get(f"/api/v1/webhook-endpoints/{created['id']}").status_code == 404


def test_endpoint_must_be_https_and_public_outside_development(tenant, settings):
    settings.API_WEBHOOK_ALLOW_INSECURE = False
    for url in ["http://example.com/h", "https://127.0.0.1/h", "https://localhost/h"]:
        response = tenant.client.post("/api/v1/webhook-endpoints", {"url": url}, format="json")
        assert response.status_code == 400 and "url" in response.json()["error"]["fields"], url
    assert tenant.client.post("/api/v1/webhook-endpoints", {"url": "https://example.com/h"},
                              format="json").status_code == 201


# ---------------------------------------------------------------- delivery

def test_order_created_reaches_the_receiver_signed(tenant, receiver):
    secret = _endpoint(tenant, receiver.url)["secret"]
    order = enrollment_purchase(participant=participant_factory(), listing=tenant.listing, token="w1")
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    signature_verify(payload=request["body"], header=request["headers"]["Prakerja-Signature"], secret=secret)
    event = json.loads(request["body"])
    assert event["type"] == "order.created" and event["data"]["object"]["code"] == order.redemption_code
    assert request["headers"]["Prakerja-Event-Id"] == event["id"]
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempt_count, delivery.last_status_code) == ("succeeded", 1, 200)


def test_order_refunded_event_and_event_filter(tenant, receiver):
    _endpoint(tenant, receiver.url, events=["order.refunded"])
    order = enrollment_purchase(participant=participant_factory(), listing=tenant.listing, token="w2")
    assert receiver.requests == []  # order.created not subscribed
    enrollment_refund(enrollment=order, by_platform=tenant.platform)
    assert [json.loads(r["body"])["type"] for r in receiver.requests] == ["order.refunded"]


def test_course_curated_event_is_published_to_the_proposer(tenant, receiver):
    _endpoint(tenant, receiver.url)
    event_publish(platform=tenant.platform, type="course.curated",
                  data={"id": tenant.course.pk, "status": "published", "curation_reason": "OK"})
    assert json.loads(receiver.requests[0]["body"])["data"]["object"]["status"] == "published"


def test_a_rolled_back_change_sends_nothing(tenant, receiver):
    from django.db import transaction

    _endpoint(tenant, receiver.url)
    with pytest.raises(RuntimeError), transaction.atomic():
        enrollment_purchase(participant=participant_factory(), listing=tenant.listing, token="w3")
        raise RuntimeError
    assert receiver.requests == [] and not WebhookDelivery.objects.exists()


def test_receiver_down_then_up_is_retried_with_backoff(tenant):
    down = Receiver()  # a port nobody listens on yet
    secret = _endpoint(tenant, down.url)["secret"]
    enrollment_purchase(participant=participant_factory(), listing=tenant.listing, token="w4")
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and delivery.attempt_count == 1 and delivery.last_status_code is None
    assert "Connection" in delivery.last_error or "refused" in delivery.last_error.lower()
    first_wait = delivery.next_attempt_at - delivery.attempts.get().at
    assert dt.timedelta(seconds=55) < first_wait <= dt.timedelta(minutes=1, seconds=5)

    # not due yet: the sweep sends nothing
    assert webhook_deliveries_due_queue() == 0
    # the receiver answers 503 the second time: still retried, the wait doubles
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    failing = Receiver(port=down.port, status=503).start()
    try:
        assert webhook_deliveries_due_queue() == 1
    finally:
        failing.stop()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempt_count, delivery.last_status_code) == ("pending", 2, 503)

    up = Receiver(port=down.port).start()
    try:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        assert webhook_deliveries_due_queue() == 1
    finally:
        up.stop()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempt_count, delivery.last_status_code) == ("succeeded", 3, 200)
    signature_verify(payload=up.requests[0]["body"], header=up.requests[0]["headers"]["Prakerja-Signature"],
                     secret=secret)
    log = tenant.client.get(f"/api/v1/webhook-deliveries/{delivery.public_id}").json()
    assert [a["status_code"] for a in log["attempts"]] == [None, 503, 200]


def test_backoff_is_exponential_and_capped_and_gives_up():
    assert [backoff(n).total_seconds() / 60 for n in range(1, 6)] == [1, 2, 4, 8, 16]
    assert backoff(20) == dt.timedelta(hours=12)
    assert sum((backoff(n) for n in range(1, MAX_ATTEMPTS)), dt.timedelta()) > dt.timedelta(days=3)


def test_last_attempt_marks_failed_and_redirects_are_failures(tenant):
    r = Receiver(status=302).start()
    try:
        _endpoint(tenant, r.url)
        enrollment_purchase(participant=participant_factory(), listing=tenant.listing, token="w5")
        delivery = WebhookDelivery.objects.get()
        assert delivery.last_status_code == 302 and delivery.status == "pending"
        WebhookDelivery.objects.filter(pk=delivery.pk).update(attempt_count=MAX_ATTEMPTS - 1,
                                                              next_attempt_at=timezone.now())
        webhook_delivery_attempt(delivery_id=delivery.pk)
    finally:
        r.stop()
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.next_attempt_at is None


def test_replay_sends_again_and_logs_it(tenant, receiver):
    _endpoint(tenant, receiver.url)
    enrollment_purchase(participant=participant_factory(), listing=tenant.listing, token="w6")
    delivery = WebhookDelivery.objects.get()
    response = tenant.client.post(f"/api/v1/webhook-deliveries/{delivery.public_id}/replay")
    assert response.status_code == 202
    assert len(receiver.requests) == 2 and receiver.requests[0]["body"] == receiver.requests[1]["body"]
    body = tenant.client.get(f"/api/v1/webhook-deliveries/{delivery.public_id}").json()
    assert body["status"] == "succeeded" and [a["replay"] for a in body["attempts"]] == [False, True]


def test_replay_while_pending_is_409(tenant):
    _endpoint(tenant, Receiver().url)  # down
    enrollment_purchase(participant=participant_factory(), listing=tenant.listing, token="w7")
    delivery = WebhookDelivery.objects.get()
    response = tenant.client.post(f"/api/v1/webhook-deliveries/{delivery.public_id}/replay")
    assert response.status_code == 409 and response.json()["error"]["code"] == "delivery_in_progress"


def test_delivery_log_filters(tenant, receiver):
    _endpoint(tenant, receiver.url)
    order = enrollment_purchase(participant=participant_factory(), listing=tenant.listing, token="w8")
    enrollment_refund(enrollment=order, by_platform=tenant.platform)
    types = lambda q: [d["event"]["type"] for d in tenant.client.get(f"/api/v1/webhook-deliveries{q}").json()["data"]]  # noqa: E731
    assert types("") == ["order.refunded", "order.created"]
    assert types("?event_type=order.created") == ["order.created"]
    assert types("?status=failed") == []


def test_disabled_endpoint_receives_nothing(tenant, receiver):
    created = _endpoint(tenant, receiver.url)
    WebhookEndpoint.objects.filter(public_id=created["id"]).update(is_enabled=False)
    enrollment_purchase(participant=participant_factory(), listing=tenant.listing, token="w9")
    assert receiver.requests == [] and not WebhookDelivery.objects.exists()


def test_periodic_jobs_are_scheduled():
    from prakerja.celery import app

    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {"api.tasks.webhook_deliveries_retry_due_task", "api.tasks.checkout_sessions_expire_task",
            "api.tasks.idempotency_keys_purge_task"} <= tasks


def test_checkout_sessions_expire_job(tenant):
    from api.models import CheckoutSession
    from api.services.checkout import checkout_session_create, checkout_sessions_expire

    session = checkout_session_create(platform=tenant.platform, listing=tenant.listing,
                                      return_url="https://a.example/back")
    assert checkout_sessions_expire() == 0
    CheckoutSession.objects.filter(pk=session.pk).update(expires_at=timezone.now())
    assert checkout_sessions_expire() == 1
    session.refresh_from_db()
    assert session.status == "expired"


def test_with_a_broker_each_failure_queues_the_retry_with_the_backoff_countdown(tenant, settings, monkeypatch):
    """The broker is what leaves the process: record what would be sent to it."""
    from api import tasks

    queued = []
    monkeypatch.setattr(tasks.webhook_delivery_attempt_task, "apply_async",
                        lambda args, countdown: queued.append((args[0], countdown)))
    monkeypatch.setattr(tasks.webhook_delivery_attempt_task, "delay", lambda pk: None)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    _endpoint(tenant, Receiver().url)  # down
    enrollment_purchase(participant=participant_factory(), listing=tenant.listing, token="w10")
    delivery = WebhookDelivery.objects.get()
    for _ in range(3):
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        webhook_delivery_attempt(delivery_id=delivery.pk)
    assert queued == [(delivery.pk, 60), (delivery.pk, 120), (delivery.pk, 240)]
