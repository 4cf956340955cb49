"""Idempotency-Key on POST: same key and body → the first response; other body → 422; two at once
→ exactly one executes; keys live 24 hours; a server error releases the key."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from api.models import CheckoutSession, IdempotencyKey
from api.services.idempotency import idempotency_keys_purge
from catalog.models import Listing

pytestmark = pytest.mark.django_db


def _create(client, key, listing, url="https://a.example/back"):
    return client.post("/api/v1/checkout-sessions", {"listing": listing.pk, "return_url": url}, format="json",
                       HTTP_IDEMPOTENCY_KEY=key)


def test_same_key_and_body_returns_the_first_response(tenant):
    first = _create(tenant.client, "k1", tenant.listing)
    second = _create(tenant.client, "k1", tenant.listing)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json() and second["Idempotent-Replayed"] == "true"
    assert CheckoutSession.objects.count() == 1


def test_same_json_with_other_spacing_is_the_same_request(tenant):
    a = tenant.client.post("/api/v1/checkout-sessions", '{"listing": %d, "return_url": "https://a.example"}'
                           % tenant.listing.pk, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-json")
    b = tenant.client.post("/api/v1/checkout-sessions", '{"return_url":"https://a.example","listing":%d}'
                           % tenant.listing.pk, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-json")
    assert a.status_code == 201 and a.json()["id"] == b.json()["id"]


def test_same_key_other_body_is_422(tenant):
    _create(tenant.client, "k2", tenant.listing)
    response = _create(tenant.client, "k2", tenant.listing, url="https://a.example/other")
    assert response.status_code == 422 and response.json()["error"]["code"] == "idempotency_key_reused"
    assert CheckoutSession.objects.count() == 1


def test_same_key_on_another_path_is_422(tenant):
    tenant.client.post(f"/api/v1/listings/{tenant.listing.pk}/deactivate", HTTP_IDEMPOTENCY_KEY="k3")
    response = tenant.client.post(f"/api/v1/listings/{tenant.listing.pk}/activate", HTTP_IDEMPOTENCY_KEY="k3")
    assert response.status_code == 422
    assert Listing.objects.get(pk=tenant.listing.pk).is_active is False


def test_keys_are_per_platform(tenant, other):
    a = _create(tenant.client, "shared", tenant.listing)
    b = _create(other.client, "shared", other.listing)
    assert a.status_code == b.status_code == 201 and a.json()["id"] != b.json()["id"]


def test_an_error_response_is_replayed_too(tenant):
    Listing.objects.filter(pk=tenant.listing.pk).update(is_active=False)
    first = _create(tenant.client, "k4", tenant.listing)
    Listing.objects.filter(pk=tenant.listing.pk).update(is_active=True)
    second = _create(tenant.client, "k4", tenant.listing)
    assert first.status_code == second.status_code == 409 and second.json() == first.json()


def test_keys_expire_after_24_hours(tenant):
    first = _create(tenant.client, "k5", tenant.listing)
    IdempotencyKey.objects.update(created_at=timezone.now() - dt.timedelta(hours=24, seconds=1))
    second = _create(tenant.client, "k5", tenant.listing)
    assert second.status_code == 201 and second.json()["id"] != first.json()["id"]
    IdempotencyKey.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))
    assert idempotency_keys_purge() == 1 and not IdempotencyKey.objects.exists()


def test_a_request_still_running_gets_409(tenant):
    IdempotencyKey.objects.create(platform=tenant.platform, key="k6", method="POST", path="/x",
                                  request_hash=_fingerprint_of(tenant))
    response = _create(tenant.client, "k6", tenant.listing)
    assert response.status_code == 409 and response.json()["error"]["code"] == "idempotency_key_in_use"


def _fingerprint_of(tenant):
    import json

    from api.services.idempotency import request_fingerprint
    body = json.dumps({"listing": tenant.listing.pk, "return_url": "https://a.example/back"}, sort_keys=True,
                      separators=(",", ":")).encode()
    return request_fingerprint(method="POST", path="/api/v1/checkout-sessions", body=body)


def test_invalid_key_is_400(tenant):
    response = _create(tenant.client, "x" * 300, tenant.listing)
    assert response.status_code == 400 and response.json()["error"]["code"] == "idempotency_key_invalid"


def test_a_server_error_releases_the_key(tenant, monkeypatch):
    from api.services import checkout

    def boom(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(checkout, "checkout_session_create", boom)
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tenant.raw_key}")
    assert _create(client, "k7", tenant.listing).status_code == 500
    assert not IdempotencyKey.objects.filter(key="k7").exists()
    monkeypatch.undo()
    assert _create(tenant.client, "k7", tenant.listing).status_code == 201


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_requests_at_once_execute_once(tenant):
    n = 6
    barrier = threading.Barrier(n)
    results = []

    def call():
        try:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {tenant.raw_key}")
            barrier.wait()
            results.append(_create(client, "race", tenant.listing))
        finally:
            connection.close()

    threads = [threading.Thread(target=call) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(r.status_code for r in results)
    assert CheckoutSession.objects.count() == 1
    created = [r for r in results if r.status_code == 201]
    assert all(r.json()["id"] == created[0].json()["id"] for r in created)
    assert set(codes) <= {201, 409} and codes.count(409) == n - len(created)
    assert sum(1 for r in created if r.get("Idempotent-Replayed") != "true") == 1


def test_an_error_echoing_a_nul_character_is_stored_and_replayed_not_a_500(tenant):
    body = {"title": "Kursus", "mode": "online\x00", "category": "technology", "hours": 10}  # "… is not a valid choice"
    first = tenant.client.post("/api/v1/courses", body, format="json", HTTP_IDEMPOTENCY_KEY="k-nul")
    again = tenant.client.post("/api/v1/courses", body, format="json", HTTP_IDEMPOTENCY_KEY="k-nul")
    assert first.status_code == again.status_code == 400
    assert first.json()["error"]["code"] == again.json()["error"]["code"]
    assert again["Idempotent-Replayed"] == "true"
