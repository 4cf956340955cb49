"""Checkout started on a platform's site: the platform creates a session through the API, the
participant logs in on a phone, sees the balance before and after, confirms; the order exists once
even when confirmed twice, the participant lands back on the platform with the order code, and
the platform's webhook receiver gets order.created, verified with the guide's own code."""
from __future__ import annotations

import html as htmlmod
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from rest_framework.test import APIClient

from catalog.models import Enrollment
from tests.api.conftest import Tenant
from tests.api.receiver import Receiver
from tests.catalog.factories import balance_of, participant_factory

from .test_registration import assert_fits_the_phone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _documented_verify(page, url):
    """The Python `verify` function exactly as printed in the getting-started guide."""
    page.goto(url + "/api/v1/docs/guide/")
    blocks = [htmlmod.unescape(re.sub(r"<[^>]+>", "", b)) for b in
              re.findall(r"<pre>(.*?)</pre>", page.content(), flags=re.S)]
    code = next(b for b in blocks if "def verify(" in b and "import hashlib" in b)
    namespace: dict = {}
    exec(compile(code, "guide", "exec"), namespace)  # noqa: S102 — our own documentation
    return namespace["verify"]


def test_platform_checkout_confirmed_once_on_a_phone(page, shot, live_server, settings, browser):
    from playwright.sync_api import expect

    settings.API_WEBHOOK_ALLOW_INSECURE = True
    receiver = Receiver().start()
    try:
        url = live_server.url
        tenant = Tenant("Checkout")
        participant = participant_factory(full_name="Siti Rahmawati")
        user = participant.profile.user

        # Given the platform registered a webhook endpoint and created a checkout session by API
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {tenant.raw_key}")
        secret = api.post("/api/v1/webhook-endpoints", {"url": receiver.url}, format="json",
                          HTTP_IDEMPOTENCY_KEY="hooks-1").json()["secret"]
        created = api.post("/api/v1/checkout-sessions",
                           {"listing": tenant.listing.pk, "return_url": f"http://127.0.0.1:{receiver.port}/return",
                            "client_reference_id": "cart-77"}, format="json", HTTP_IDEMPOTENCY_KEY="cart-77")
        assert created.status_code == 201, created.content
        checkout_path = urlsplit(created.json()["url"]).path

        # When the participant arrives on a phone, she is asked to log in first
        page.goto(url + checkout_path)
        expect(page.locator("#login-form")).to_be_visible()
        page.fill("input[name=login]", user.email)
        page.fill("input[name=password]", "rahasia-123")
        page.click("#login-submit")

        # Then she sees the course, the price, and her balance before and after, in Indonesian
        expect(page).to_have_url(url + checkout_path)
        expect(page.locator("html")).to_have_attribute("lang", "id")
        expect(page.locator("#balance-before")).to_have_text("Rp1.000.000")
        expect(page.locator("#balance-after")).to_have_text("Rp750.000")
        expect(page.locator("#checkout-course h2")).to_have_text(tenant.course.title)
        assert not Enrollment.objects.exists()
        assert_fits_the_phone(page)
        shot("confirm")

        # A second tab holds the same confirmation form (a double submit, a back button)
        second = page.context.new_page()
        second.goto(url + checkout_path)

        # When she confirms
        page.click("#confirm")
        page.wait_for_url(re.compile(rf"http://127\.0\.0\.1:{receiver.port}/return\?.*"))
        query = parse_qs(urlsplit(page.url).query)
        enrollment = Enrollment.objects.get()
        assert query["order"] == [enrollment.redemption_code]
        assert query["checkout_session"] == [created.json()["id"]]
        shot("back-on-platform")

        # and confirms again from the other tab: the same order, nothing more paid
        second.click("#confirm")
        second.wait_for_url(re.compile(r".*/return\?.*"))
        assert parse_qs(urlsplit(second.url).query)["order"] == [enrollment.redemption_code]
        second.close()
        assert Enrollment.objects.count() == 1 and balance_of(participant) == 750_000

        # Coming back to the checkout page shows the purchase and the code
        page.goto(url + checkout_path)
        expect(page.locator("#checkout-done")).to_contain_text(enrollment.redemption_code)
        assert_fits_the_phone(page)
        shot("already-bought")

        # And the platform's session reads complete with the order
        session = api.get(f"/api/v1/checkout-sessions/{created.json()['id']}").json()
        assert (session["status"], session["order"]) == ("complete", enrollment.redemption_code)

        # The webhook reached the receiver and verifies with the algorithm the guide documents
        hooks = [r for r in receiver.requests if r["method"] == "POST"]
        assert len(hooks) == 1
        verify = _documented_verify(page, url)
        assert verify(hooks[0]["body"], hooks[0]["headers"]["Prakerja-Signature"], secret)
        assert not verify(hooks[0]["body"] + b" ", hooks[0]["headers"]["Prakerja-Signature"], secret)
        event = json.loads(hooks[0]["body"])
        assert event["type"] == "order.created" and event["data"]["object"]["code"] == enrollment.redemption_code
    finally:
        receiver.stop()


def test_expired_checkout_on_a_phone(page, shot, live_server):
    import datetime as dt

    from django.utils import timezone
    from playwright.sync_api import expect

    from api.models import CheckoutSession
    from api.services.checkout import checkout_session_create

    tenant = Tenant("Expired")
    participant = participant_factory()
    session = checkout_session_create(platform=tenant.platform, listing=tenant.listing,
                                      return_url="https://platform.example.id/back")
    CheckoutSession.objects.filter(pk=session.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    page.goto(live_server.url + f"/checkout/{session.public_id}/")
    page.fill("input[name=login]", participant.profile.user.email)
    page.fill("input[name=password]", "rahasia-123")
    page.click("#login-submit")
    expect(page.locator("#checkout-expired")).to_be_visible()
    expect(page.locator("#confirm")).to_have_count(0)
    assert_fits_the_phone(page)
    shot("expired")


def test_api_docs_render_offline(page, shot, live_server):
    """The reference docs and the guide render in Chromium with every request to our own host."""
    from playwright.sync_api import expect

    # What the browser actually fetched (a request the page's policy blocks never gets a response).
    requested: list[str] = []
    page.on("response", lambda r: requested.append(r.url))
    page.goto(live_server.url + "/api/v1/docs/")
    expect(page.get_by_text("Create a checkout session").first).to_be_attached()
    expect(page.locator("a[href='/api/v1/docs/guide/']").first).to_be_visible()
    shot("reference")
    page.goto(live_server.url + "/api/v1/docs/guide/")
    expect(page.locator("#verify")).to_be_visible()
    shot("guide")
    outside = [u for u in requested if not u.startswith(live_server.url) and not u.startswith(("data:", "blob:"))]
    assert outside == []
