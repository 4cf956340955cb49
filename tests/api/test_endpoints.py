"""Every endpoint of the platform API: given a platform with a key, when it calls, then the rows,
balances and response bodies are what the rules say."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from api.models import ApiKey, CheckoutSession
from api.services import api_key_revoke, api_key_roll
from api.services.checkout import checkout_session_confirm
from catalog.models import Course, Enrollment, Institution, Listing, Partnership
from catalog.services import enrollment_purchase, enrollment_redeem
from tests.catalog.factories import CourseFactory, InstitutionFactory, balance_of, participant_factory, payable_of

pytestmark = pytest.mark.django_db


def _order(tenant, participant=None, token="t1"):
    participant = participant or participant_factory()
    return enrollment_purchase(participant=participant, listing=tenant.listing, token=token)


def _err(response):
    body = response.json()
    assert set(body) == {"error"} and {"code", "message", "fields"} <= set(body["error"]), body
    return body["error"]


# ---------------------------------------------------------------- authentication

def test_no_key_is_401_with_a_code():
    response = APIClient().get("/api/v1/platform")
    assert response.status_code == 401
    assert _err(response)["code"] == "authentication_required"
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer pk_test_nope", "Token abc", "Bearer ", "Basic dXNlcjpwYXNz"])
def test_bad_key_is_401_invalid(header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/platform")
    assert response.status_code == 401 and _err(response)["code"] == "api_key_invalid"


def test_revoked_key_stops_at_once(tenant):
    api_key_revoke(api_key=tenant.key, reason="leaked")
    response = tenant.client.get("/api/v1/platform")
    assert response.status_code == 401 and _err(response)["code"] == "api_key_expired"


def test_rotation_keeps_both_keys_working_until_the_old_expires(tenant):
    new, raw = api_key_roll(api_key=tenant.key, overlap=dt.timedelta(hours=1))
    fresh = APIClient()
    fresh.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert tenant.client.get("/api/v1/platform").status_code == 200
    assert fresh.get("/api/v1/platform").status_code == 200
    ApiKey.objects.filter(pk=tenant.key.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert tenant.client.get("/api/v1/platform").status_code == 401
    assert fresh.get("/api/v1/platform").status_code == 200


def test_last_used_at_is_recorded(tenant):
    assert tenant.key.last_used_at is None
    tenant.client.get("/api/v1/platform")
    tenant.key.refresh_from_db()
    assert tenant.key.last_used_at is not None


def test_key_never_appears_in_logs(tenant, caplog):
    caplog.set_level("DEBUG")
    tenant.client.get("/api/v1/orders/NOPE")
    tenant.client.post("/api/v1/listings", {"course": "x"}, format="json")
    assert tenant.raw_key not in caplog.text


def test_throttled_key_gets_429_with_retry_after(tenant, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api_key": "3/min"}}
    from django.core.cache import cache
    cache.clear()
    codes = [tenant.client.get("/api/v1/platform").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = tenant.client.get("/api/v1/platform")
    assert _err(response)["code"] == "throttled" and int(response["Retry-After"]) > 0
    cache.clear()


# ---------------------------------------------------------------- platform

def test_platform_shows_own_record_and_mode(tenant):
    body = tenant.client.get("/api/v1/platform").json()
    assert body["id"] == tenant.platform.slug and body["status"] == "active"
    assert body["is_selling"] is True and body["livemode"] is False


# ---------------------------------------------------------------- institutions

def test_institutions_lists_partners_only(tenant, other):
    data = tenant.client.get("/api/v1/institutions").json()["data"]
    assert [i["id"] for i in data] == [tenant.institution.pk]
    assert data[0]["partnership"]["status"] == "approved"


def test_propose_new_institution_goes_to_curation(tenant):
    response = tenant.client.post("/api/v1/institutions", {"name": "LPK Maju", "legal_entity_number": "9120009999999",
                                                           "province": "32"}, format="json")
    assert response.status_code == 201, response.json()
    institution = Institution.objects.get(legal_entity_number="9120009999999")
    assert institution.status == "under_curation" and institution.proposed_by == tenant.platform
    assert response.json()["partnership"]["status"] == "proposed"


def test_propose_partnership_with_existing_institution_and_twice_is_409(tenant, other):
    response = tenant.client.post("/api/v1/institutions", {"institution": other.institution.pk}, format="json")
    assert response.status_code == 201
    assert Partnership.objects.get(platform=tenant.platform, institution=other.institution).status == "proposed"
    again = tenant.client.post("/api/v1/institutions", {"institution": other.institution.pk}, format="json")
    assert again.status_code == 409 and _err(again)["code"] == "partnership_exists"


def test_propose_institution_needs_fields(tenant):
    response = tenant.client.post("/api/v1/institutions", {"name": "X", "legal_entity_number": "12"}, format="json")
    assert response.status_code == 400
    assert set(_err(response)["fields"]) >= {"legal_entity_number"}


# ---------------------------------------------------------------- courses

COURSE = {"title": "Barista Dasar", "description": "Membuat kopi.", "category": "culinary", "hours": 8}


def test_create_course_starts_under_curation(tenant):
    response = tenant.client.post("/api/v1/courses", {**COURSE, "institution": tenant.institution.pk}, format="json")
    assert response.status_code == 201, response.json()
    course = Course.objects.get(pk=response.json()["id"])
    assert course.status == "under_curation" and course.proposed_by == tenant.platform
    assert response.json()["proposed_by_you"] is True


def test_create_course_for_non_partner_institution_is_refused(tenant, other):
    response = tenant.client.post("/api/v1/courses", {**COURSE, "institution": other.institution.pk}, format="json")
    assert response.status_code == 400 and _err(response)["code"] == "not_a_partner"
    assert not Course.objects.filter(title="Barista Dasar").exists()


def test_editing_a_published_course_sends_it_back_to_curation(tenant):
    response = tenant.client.patch(f"/api/v1/courses/{tenant.course.pk}", {"title": "Kursus baru"}, format="json")
    assert response.status_code == 200
    tenant.course.refresh_from_db()
    assert (tenant.course.title, tenant.course.status) == ("Kursus baru", "under_curation")
    assert response.json()["status"] == "under_curation"
    # and it stops selling until published again
    checkout = tenant.client.post("/api/v1/checkout-sessions", {"listing": tenant.listing.pk,
                                                                 "return_url": "https://a.example/r"}, format="json")
    assert checkout.status_code == 409 and _err(checkout)["code"] == "listing_unavailable"


def test_same_values_change_nothing(tenant):
    tenant.client.patch(f"/api/v1/courses/{tenant.course.pk}", {"title": tenant.course.title}, format="json")
    tenant.course.refresh_from_db()
    assert tenant.course.status == "published"


def test_curation_outcome_and_reason_are_readable(tenant):
    Course.objects.filter(pk=tenant.course.pk).update(status="rejected", curation_reason="Harga tidak wajar")
    body = tenant.client.get(f"/api/v1/courses/{tenant.course.pk}").json()
    assert (body["status"], body["curation_reason"]) == ("rejected", "Harga tidak wajar")


def test_only_the_proposer_edits_a_course(tenant):
    course = CourseFactory(institution=tenant.institution)  # proposed by nobody
    response = tenant.client.patch(f"/api/v1/courses/{course.pk}", {"title": "X"}, format="json")
    assert response.status_code == 403 and _err(response)["code"] == "course_not_editable"


def test_courses_filter_by_status(tenant):
    CourseFactory(institution=tenant.institution, status="under_curation")
    data = tenant.client.get("/api/v1/courses?status=under_curation").json()["data"]
    assert [c["status"] for c in data] == ["under_curation"]
    assert tenant.client.get("/api/v1/courses?status=bogus").status_code == 400


# ---------------------------------------------------------------- listings

def test_create_listing_change_price_deactivate_activate(tenant):
    course = CourseFactory(institution=tenant.institution)
    response = tenant.client.post("/api/v1/listings", {"course": course.pk, "price": 300_000}, format="json")
    assert response.status_code == 201, response.json()
    listing_id = response.json()["id"]
    assert tenant.client.patch(f"/api/v1/listings/{listing_id}", {"price": 199_000},
                               format="json").json()["price"] == 199_000
    assert tenant.client.post(f"/api/v1/listings/{listing_id}/deactivate").json()["is_active"] is False
    assert Listing.objects.get(pk=listing_id).is_active is False
    assert tenant.client.post(f"/api/v1/listings/{listing_id}/activate").json()["is_active"] is True


def test_listing_twice_is_409_and_price_out_of_range_is_400(tenant):
    again = tenant.client.post("/api/v1/listings", {"course": tenant.course.pk, "price": 1}, format="json")
    assert again.status_code == 409 and _err(again)["code"] == "listing_exists"
    too_much = tenant.client.patch(f"/api/v1/listings/{tenant.listing.pk}", {"price": 1_000_001}, format="json")
    assert too_much.status_code == 400 and "price" in _err(too_much)["fields"]


def test_listing_needs_an_approved_partnership(tenant):
    institution = InstitutionFactory()
    Partnership.objects.create(platform=tenant.platform, institution=institution)  # proposed only
    course = CourseFactory(institution=institution)
    response = tenant.client.post("/api/v1/listings", {"course": course.pk, "price": 100_000}, format="json")
    assert response.status_code == 409 and _err(response)["code"] == "listing_not_allowed"


def test_unpublished_course_cannot_be_activated(tenant):
    course = CourseFactory(institution=tenant.institution, status="under_curation")
    body = tenant.client.post("/api/v1/listings", {"course": course.pk, "price": 100_000}, format="json").json()
    assert body["is_active"] is False
    response = tenant.client.post(f"/api/v1/listings/{body['id']}/activate")
    assert response.status_code == 409 and _err(response)["code"] == "listing_not_activatable"


def test_price_change_does_not_touch_existing_orders(tenant):
    order = _order(tenant)
    tenant.client.patch(f"/api/v1/listings/{tenant.listing.pk}", {"price": 100_000}, format="json")
    assert tenant.client.get(f"/api/v1/orders/{order.redemption_code}").json()["price"] == 250_000


# ---------------------------------------------------------------- orders

def test_orders_list_and_filters(tenant):
    first = _order(tenant, token="a")
    second = _order(tenant, token="b")
    enrollment_redeem(enrollment=second, by_platform=tenant.platform)
    Enrollment.objects.filter(pk=first.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    codes = lambda q: [o["code"] for o in tenant.client.get(f"/api/v1/orders{q}").json()["data"]]  # noqa: E731
    assert codes("") == [second.redemption_code, first.redemption_code]
    assert codes("?status=redeemed") == [second.redemption_code]
    since = (timezone.now() - dt.timedelta(days=1)).isoformat().replace("+", "%2B")
    assert codes(f"?created_after={since}") == [second.redemption_code]
    assert codes(f"?created_before={since}") == [first.redemption_code]
    bad = tenant.client.get("/api/v1/orders?created_after=yesterday")
    assert bad.status_code == 400 and "created_after" in _err(bad)["fields"]


def test_cursor_pagination_walks_every_order_once(tenant):
    codes = {_order(tenant, token=f"p{i}").redemption_code for i in range(5)}
    seen, url = [], "/api/v1/orders?limit=2"
    while url:
        page = tenant.client.get(url).json()
        assert len(page["data"]) <= 2
        seen += [o["code"] for o in page["data"]]
        url = page["next"]
    assert sorted(seen) == sorted(codes)
    bad = tenant.client.get("/api/v1/orders?cursor=garbage")
    assert bad.status_code == 400 and _err(bad)["code"] == "invalid"


def test_order_shape(tenant):
    order = _order(tenant)
    body = tenant.client.get(f"/api/v1/orders/{order.redemption_code[:4]}-{order.redemption_code[4:8].lower()}-"
                             f"{order.redemption_code[8:]}").json()
    assert body["code"] == order.redemption_code and body["price"] == 250_000 and body["status"] == "purchased"
    assert body["participant"]["card_number"] == order.participant.card_number


def test_redeem_then_complete(tenant):
    order = _order(tenant)
    code = order.redemption_code
    redeemed = tenant.client.post(f"/api/v1/orders/{code}/redeem")
    assert redeemed.status_code == 200 and redeemed.json()["status"] == "redeemed"
    assert tenant.client.post(f"/api/v1/orders/{code}/redeem").json()["status"] == "redeemed"  # repeat: no change
    today = timezone.localdate().isoformat()
    done = tenant.client.post(f"/api/v1/orders/{code}/complete", {"certificate_number": "C-1", "completed_on": today},
                              format="json")
    assert done.status_code == 200, done.json()
    order.refresh_from_db()
    assert (order.status, order.certificate_number, order.completed_on.isoformat()) == ("completed", "C-1", today)
    assert order.status_changes.filter(to_status="completed", by_platform=tenant.platform).exists()


def test_complete_needs_redemption_and_valid_date(tenant):
    order = _order(tenant)
    code = order.redemption_code
    future = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    early = tenant.client.post(f"/api/v1/orders/{code}/complete",
                               {"certificate_number": "C", "completed_on": timezone.localdate().isoformat()}, format="json")
    assert early.status_code == 409 and _err(early)["code"] == "order_transition_not_allowed"
    tenant.client.post(f"/api/v1/orders/{code}/redeem")
    bad = tenant.client.post(f"/api/v1/orders/{code}/complete", {"certificate_number": "C", "completed_on": future},
                             format="json")
    assert bad.status_code == 400 and "completed_on" in _err(bad)["fields"]
    missing = tenant.client.post(f"/api/v1/orders/{code}/complete", {}, format="json")
    assert missing.status_code == 400 and set(_err(missing)["fields"]) == {"certificate_number", "completed_on"}


def test_refund_returns_the_price_to_the_balance_through_the_ledger(tenant):
    participant = participant_factory()
    order = _order(tenant, participant)
    assert balance_of(participant) == 750_000 and payable_of(tenant.platform) == 250_000
    response = tenant.client.post(f"/api/v1/orders/{order.redemption_code}/refund", {"reason": "kelas batal"},
                                  format="json")
    assert response.status_code == 200 and response.json()["status"] == "refunded"
    assert balance_of(participant) == 1_000_000 and payable_of(tenant.platform) == 0
    again = tenant.client.post(f"/api/v1/orders/{order.redemption_code}/refund", {}, format="json")
    assert again.status_code == 200 and balance_of(participant) == 1_000_000


def test_refund_after_redemption_is_refused(tenant):
    participant = participant_factory()
    order = _order(tenant, participant)
    tenant.client.post(f"/api/v1/orders/{order.redemption_code}/redeem")
    response = tenant.client.post(f"/api/v1/orders/{order.redemption_code}/refund", {}, format="json")
    assert response.status_code == 409 and _err(response)["code"] == "refund_not_allowed"
    assert balance_of(participant) == 750_000


# ---------------------------------------------------------------- checkout sessions (API side)

def test_checkout_session_create_list_retrieve_expire(tenant):
    response = tenant.client.post("/api/v1/checkout-sessions", {"listing": tenant.listing.pk,
                                                                 "return_url": "https://a.example/back",
                                                                 "client_reference_id": "cart-1"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "open" and body["url"].endswith(f"/checkout/{body['id']}/") and body["order"] is None
    assert [s["id"] for s in tenant.client.get("/api/v1/checkout-sessions").json()["data"]] == [body["id"]]
    expired = tenant.client.post(f"/api/v1/checkout-sessions/{body['id']}/expire")
    assert expired.json()["status"] == "expired"
    again = tenant.client.post(f"/api/v1/checkout-sessions/{body['id']}/expire")
    assert again.status_code == 409 and _err(again)["code"] == "checkout_session_not_open"


def test_checkout_session_reads_expired_after_30_minutes_and_shows_the_order(tenant):
    body = tenant.client.post("/api/v1/checkout-sessions", {"listing": tenant.listing.pk,
                                                             "return_url": "https://a.example/back"}, format="json").json()
    session = CheckoutSession.objects.get(public_id=body["id"])
    assert session.expires_at - session.created_at == dt.timedelta(minutes=30)
    enrollment = checkout_session_confirm(session=session, participant=participant_factory())
    assert tenant.client.get(f"/api/v1/checkout-sessions/{body['id']}").json()["order"] == enrollment.redemption_code
    CheckoutSession.objects.filter(pk=session.pk).update(status="open", enrollment=None)
    CheckoutSession.objects.filter(pk=session.pk).update(expires_at=timezone.now())
    assert tenant.client.get(f"/api/v1/checkout-sessions/{body['id']}").json()["status"] == "expired"


def test_checkout_session_for_inactive_listing_or_bad_url(tenant):
    Listing.objects.filter(pk=tenant.listing.pk).update(is_active=False)
    response = tenant.client.post("/api/v1/checkout-sessions", {"listing": tenant.listing.pk,
                                                                 "return_url": "https://a.example"}, format="json")
    assert response.status_code == 409 and _err(response)["code"] == "listing_unavailable"
    bad = tenant.client.post("/api/v1/checkout-sessions", {"listing": tenant.listing.pk, "return_url": "javascript:x"},
                             format="json")
    assert bad.status_code == 400 and "return_url" in _err(bad)["fields"]


def test_suspended_platform_reads_but_cannot_start_checkouts(tenant):
    tenant.platform.status = "suspended"
    tenant.platform.save()
    assert tenant.client.get("/api/v1/platform").json()["is_selling"] is False
    response = tenant.client.post("/api/v1/checkout-sessions", {"listing": tenant.listing.pk,
                                                                 "return_url": "https://a.example"}, format="json")
    assert response.status_code == 409 and _err(response)["code"] == "platform_not_selling"


# ---------------------------------------------------------------- bad input never 500

@pytest.mark.parametrize("path,body", [
    ("/api/v1/listings", "not json"),
    ("/api/v1/listings", {"course": "abc", "price": "lots"}),
    ("/api/v1/courses", {"institution": -1}),
    ("/api/v1/webhook-endpoints", {"url": "ftp://x", "enabled_events": ["nope"]}),
    ("/api/v1/checkout-sessions", {"listing": 10**30}),
    ("/api/v1/institutions", {"institution": 10**30}),
])
def test_bad_input_is_400_with_code(tenant, path, body):
    if isinstance(body, str):
        response = tenant.client.post(path, body, content_type="application/json")
    else:
        response = tenant.client.post(path, body, format="json")
    assert response.status_code == 400, response.content
    assert _err(response)["code"] in {"invalid", "parse_error"}


def test_unknown_route_and_method(tenant):
    assert tenant.client.delete("/api/v1/orders").status_code == 405
    assert _err(tenant.client.delete("/api/v1/orders"))["code"] == "method_not_allowed"


@pytest.mark.parametrize("status", ["terminated", "rejected"])
def test_an_ended_platforms_key_stops_working_even_if_not_revoked(tenant, status):
    tenant.platform.status = status
    tenant.platform.save()
    response = tenant.client.get("/api/v1/platform")
    assert response.status_code == 401 and _err(response)["code"] == "api_key_expired"


def test_a_withdrawn_platform_still_reports_paid_orders_but_sells_nothing_new(tenant):
    order = _order(tenant)
    tenant.platform.status = "withdrawn"
    tenant.platform.save()

    redeemed = tenant.client.post(f"/api/v1/orders/{order.redemption_code}/redeem")

    assert redeemed.status_code == 200 and redeemed.json()["status"] == "redeemed"
    from catalog.exceptions import PlatformNotSelling
    with pytest.raises(PlatformNotSelling):
        _order(tenant, token="t2")


def test_the_api_answers_in_english_whatever_the_site_cookie_unless_asked_for_indonesian(tenant):
    from django.conf import settings

    tenant.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    english = tenant.client.get("/api/v1/orders/NOPE")
    assert english.status_code == 404 and english["Content-Language"] == "en"
    assert _err(english)["message"] == "Not found."

    indonesian = tenant.client.get("/api/v1/orders/NOPE", HTTP_ACCEPT_LANGUAGE="id-ID,id;q=0.9")
    assert indonesian["Content-Language"] == "id" and _err(indonesian)["message"] != "Not found."
