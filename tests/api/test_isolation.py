"""Tenant isolation: platform A's key, walking every route of the API, never sees or changes
platform B's objects: each detail route answers 404 (never 403), each list leaves them out."""
from __future__ import annotations

import pytest
from django.urls import reverse

from api import urls as api_urls
from api.models import CheckoutSession, WebhookDelivery, WebhookEndpoint
from api.services.checkout import checkout_session_create
from api.services.webhooks import webhook_endpoint_create
from catalog.models import Enrollment
from catalog.services import enrollment_purchase
from tests.catalog.factories import participant_factory

pytestmark = pytest.mark.django_db

BODIES = {"patch": {"title": "hijacked", "price": 1, "url": "https://evil.example/x"},
          "post": {"reason": "x", "certificate_number": "X", "completed_on": "2020-01-01"}}


@pytest.fixture
def b_objects(other):
    endpoint = webhook_endpoint_create(platform=other.platform, url="http://127.0.0.1:9/hook")
    order = enrollment_purchase(participant=participant_factory(), listing=other.listing, token="b-order")
    session = checkout_session_create(platform=other.platform, listing=other.listing,
                                      return_url="https://b.example/back")
    delivery = WebhookDelivery.objects.filter(platform=other.platform).first()
    assert delivery is not None  # order.created was queued to B's endpoint
    return {"institution": other.institution.pk, "course": other.course.pk, "listing": other.listing.pk,
            "order": order.redemption_code, "checkout-session": session.public_id,
            "webhook-endpoint": endpoint.public_id, "webhook-delivery": delivery.public_id}


def _detail_routes():
    for pattern in api_urls.urlpatterns:
        kwargs = list(pattern.pattern.regex.groupindex)
        if kwargs and hasattr(pattern.callback, "actions"):
            yield pattern.name, kwargs[0], [m for m in pattern.callback.actions if m not in ("head", "options")]


def test_every_detail_route_is_404_for_another_platforms_object(tenant, other, b_objects):
    walked = []
    for name, kwarg, actions in _detail_routes():
        basename = next(b for b in b_objects if name.startswith(b + "-"))
        path = reverse(f"api:{name}", kwargs={kwarg: b_objects[basename]})
        for method in actions:
            response = getattr(tenant.client, method)(path, BODIES.get(method, {}), format="json")
            assert response.status_code == 404, (method, path, response.status_code, response.content)
            assert response.json()["error"]["code"] == "not_found"
            walked.append(f"{method.upper()} {name}")
    # every kind of object and every action on it was tried
    assert {w.split()[1].rsplit("-", 1)[0] for w in walked} >= {"institution", "course", "listing", "order",
                                                                 "checkout-session", "webhook-endpoint",
                                                                 "webhook-delivery"}
    assert len(walked) >= 19, walked  # 19 method-routes today; new ones are walked automatically
    # and nothing of B's changed
    order = Enrollment.objects.get(redemption_code=b_objects["order"])
    assert order.status == "purchased"
    assert other.course.__class__.objects.get(pk=other.course.pk).title != "hijacked"
    assert CheckoutSession.objects.get(public_id=b_objects["checkout-session"]).status == "open"
    assert WebhookEndpoint.objects.get(public_id=b_objects["webhook-endpoint"]).deleted_at is None


def test_lists_never_include_another_platforms_objects(tenant, other, b_objects):
    for path, key, kind in [("institutions", "id", "institution"), ("courses", "id", "course"),
                            ("listings", "id", "listing"), ("orders", "code", "order"),
                            ("checkout-sessions", "id", "checkout-session"),
                            ("webhook-endpoints", "id", "webhook-endpoint"),
                            ("webhook-deliveries", "id", "webhook-delivery")]:
        body = tenant.client.get(f"/api/v1/{path}?limit=100").json()
        assert b_objects[kind] not in {item[key] for item in body["data"]}, path


def test_another_platforms_listing_cannot_be_sold_or_listed_through_a(tenant, other):
    response = tenant.client.post("/api/v1/checkout-sessions", {"listing": other.listing.pk,
                                                                 "return_url": "https://a.example"}, format="json")
    assert response.status_code == 400 and "listing" in response.json()["error"]["fields"]
    response = tenant.client.post("/api/v1/listings", {"course": other.course.pk, "price": 1000}, format="json")
    assert response.status_code == 400 and "course" in response.json()["error"]["fields"]
