"""OpenAPI documentation of every operation: summary, description, request and response examples,
and the error responses it can give. Views attach it with `document(name)` / `document_view(...)`."""
from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view

from prakerja.exceptions import error_body

from . import serializers as s

# ---------------------------------------------------------------- example objects

PLATFORM = {"object": "platform", "id": "skill-academy", "name": "Skill Academy", "legal_name": "PT Ruang Raya Indonesia",
            "portal_url": "https://skillacademy.com", "status": "active", "is_selling": True, "livemode": False}
INSTITUTION = {"object": "institution", "id": 42, "name": "Lembaga Kursus Digital Nusantara",
               "legal_entity_number": "9120001234567", "province": "31", "accreditation": "B",
               "status": "active", "curation_reason": "",
               "partnership": {"status": "approved", "curation_reason": "MoU checked",
                               "created_at": "2020-04-20T09:15:00+07:00"}}
COURSE = {"object": "course", "id": 310, "institution": 42, "title": "Digital Marketing untuk UMKM",
          "description": "Belajar memasarkan produk usaha kecil lewat media sosial.", "category": "digital_marketing",
          "level": "beginner", "hours": 12, "mode": "online", "language": "id",
          "competency_outcomes": "Membuat rencana konten\nMengukur hasil iklan", "status": "under_curation",
          "curation_reason": "", "proposed_by_you": True, "published_at": None,
          "created_at": "2020-04-21T10:00:00+07:00"}
LISTING = {"object": "listing", "id": 901, "course": 310, "price": 250000, "is_active": True,
           "external_ref": "SA-DM-UMKM", "sales_count": 1520, "created_at": "2020-04-22T08:00:00+07:00",
           "updated_at": "2020-04-22T08:00:00+07:00"}
ORDER = {"object": "order", "code": "7HQ4MZ2KX9PB", "status": "purchased", "price": 250000, "listing": 901,
         "course": 310, "participant": {"card_number": "5001000012345678", "name": "Siti Rahmawati"},
         "certificate_number": None, "completed_on": None, "created_at": "2020-05-02T19:41:07+07:00",
         "redeemed_at": None, "completed_at": None, "refunded_at": None}
ORDER_REDEEMED = {**ORDER, "status": "redeemed", "redeemed_at": "2020-05-03T08:02:11+07:00"}
ORDER_COMPLETED = {**ORDER_REDEEMED, "status": "completed", "certificate_number": "SA-2020-000123",
                   "completed_on": "2020-05-10", "completed_at": "2020-05-10T16:20:00+07:00"}
ORDER_REFUNDED = {**ORDER, "status": "refunded", "refunded_at": "2020-05-02T20:00:00+07:00"}
CHECKOUT = {"object": "checkout_session", "id": "cs_3f9a1c0b7d2e4f5a6b7c8d9e",
            "url": "https://prakerja.go.id/checkout/cs_3f9a1c0b7d2e4f5a6b7c8d9e/", "listing": 901, "status": "open",
            "return_url": "https://skillacademy.com/prakerja/return", "client_reference_id": "cart-8812",
            "order": None, "expires_at": "2020-05-02T20:11:07+07:00", "created_at": "2020-05-02T19:41:07+07:00",
            "completed_at": None}
ENDPOINT = {"object": "webhook_endpoint", "id": "we_8c1d2e3f4a5b6c7d8e9f0a1b", "url": "https://skillacademy.com/hooks/prakerja",
            "description": "Order sync", "enabled_events": ["order.created", "order.refunded"], "is_enabled": True,
            "created_at": "2020-04-22T08:00:00+07:00"}
ENDPOINT_SECRET = {**ENDPOINT, "secret": "whsec_Zq3n4m…(shown once)"}
DELIVERY = {"object": "webhook_delivery", "id": "whd_0a1b2c3d4e5f6a7b8c9d0e1f", "endpoint": ENDPOINT["id"],
            "event": {"id": "evt_1a2b3c4d5e6f7a8b9c0d1e2f", "type": "order.created",
                      "created_at": "2020-05-02T19:41:08+07:00", "data": {"object": ORDER}},
            "status": "succeeded", "attempt_count": 2, "next_attempt_at": None, "last_status_code": 200,
            "last_error": "", "created_at": "2020-05-02T19:41:08+07:00", "delivered_at": "2020-05-02T19:42:09+07:00",
            "attempts": [{"number": 1, "at": "2020-05-02T19:41:08+07:00", "status_code": 503, "error": "",
                          "response_body": "Service Unavailable", "duration_ms": 41, "replay": False},
                         {"number": 2, "at": "2020-05-02T19:42:09+07:00", "status_code": 200, "error": "",
                          "response_body": "ok", "duration_ms": 37, "replay": False}]}


def page(obj: dict, path: str) -> dict:
    """A list example: drf-spectacular wraps the one object in the page shape of ApiCursorPagination."""
    return obj


def err(code: str, message: str, fields: dict | None = None, field: str | None = None) -> dict:
    return error_body(code, message, field=field, fields=fields)


def _ex(name: str, value, *, request=False, status: str = "200", summary: str | None = None) -> OpenApiExample:
    return OpenApiExample(name, value=value, request_only=request, response_only=not request,
                          status_codes=[status], summary=summary or name)


E401 = OpenApiResponse(s.ErrorSerializer, "No key, an unknown key, or a revoked or expired key.",
                       examples=[_ex("Invalid key", err("api_key_invalid", "Invalid API key."), status="401")])
E404 = OpenApiResponse(s.ErrorSerializer, "Not found for this platform (another platform's objects are never shown).",
                       examples=[_ex("Not found", err("not_found", "Not found."), status="404")])
E400 = OpenApiResponse(s.ErrorSerializer, "Invalid input: `fields` says which and why.",
                       examples=[_ex("Invalid", err("invalid", "Some fields are invalid.",
                                                    {"price": ["Ensure this value is less than or equal to 1000000."]}),
                                     status="400")])
E409 = OpenApiResponse(s.ErrorSerializer, "A rule refused the change, or the Idempotency-Key is in use.")
E422 = OpenApiResponse(s.ErrorSerializer, "The Idempotency-Key was used with another request.",
                       examples=[_ex("Key reused", err("idempotency_key_reused",
                                                       "This Idempotency-Key was already used with a different request."),
                                     status="422")])
E429 = OpenApiResponse(s.ErrorSerializer, "Too many requests for this key; wait `Retry-After` seconds.",
                       examples=[_ex("Throttled", err("throttled", "Request was throttled. Expected available in 1 second."),
                                     status="429")])

IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description="A unique value you generate (a UUID) so that retrying the request is safe: the same key and body "
                "return the first response (header `Idempotent-Replayed: true`) for 24 hours; the same key with "
                "another body is refused with 422; a retry while the first is still running gets 409.")

READ = {"400": E400, "401": E401, "429": E429}
WRITE = {"400": E400, "401": E401, "409": E409, "422": E422, "429": E429}


def _op(summary, description, *, tag, response, examples, request=None, status="200", errors=None, params=None,
        post=False):
    responses = {status: response, **(errors or READ)}
    parameters = list(params or [])
    if post:
        parameters.append(IDEMPOTENCY)
    return dict(summary=summary, description=description, tags=[tag], request=request, responses=responses,
                examples=examples, parameters=parameters or None)


DOCS = {
    "platform_retrieve": _op(
        "Your platform", "The calling platform's record and its status in the program. Only an `active` or "
        "`warned` platform takes new orders (`is_selling`).", tag="Platform", response=s.PlatformSerializer,
        examples=[_ex("Platform", PLATFORM)]),

    "institutions_list": _op(
        "List partner institutions", "Institutions your platform partners with or has proposed, with the "
        "curation state of the institution and of the partnership.", tag="Institutions",
        response=s.InstitutionSerializer(many=True), examples=[_ex("A page", page(INSTITUTION, "institutions"))]),
    "institutions_retrieve": _op("Retrieve a partner institution", "", tag="Institutions",
                                 response=s.InstitutionSerializer, examples=[_ex("Institution", INSTITUTION)],
                                 errors={**READ, "404": E404}),
    "institutions_create": _op(
        "Propose an institution or a partnership", "Either `institution` (the id of an institution already in the "
        "program: proposes a partnership) or the new institution's `name`, `legal_entity_number` (NIB) and "
        "`province`: it is created `under_curation`. The program office decides; read the outcome and "
        "`curation_reason` back here.", tag="Institutions", request=s.InstitutionProposeSerializer,
        response=s.InstitutionSerializer, status="201", post=True, errors=WRITE,
        examples=[_ex("New institution", {"name": "Lembaga Kursus Digital Nusantara",
                                          "legal_entity_number": "9120001234567", "province": "31",
                                          "accreditation": "B"}, request=True),
                  _ex("Existing institution", {"institution": 42}, request=True),
                  _ex("Proposed", {**INSTITUTION, "status": "under_curation",
                                   "partnership": {**INSTITUTION["partnership"], "status": "proposed",
                                                   "curation_reason": ""}}, status="201")]),

    "courses_list": _op("List courses", "Courses of your partner institutions and the courses you proposed. "
                        "Filter by `status`, `institution`, `category`.", tag="Courses",
                        response=s.CourseSerializer(many=True), examples=[_ex("A page", page(COURSE, "courses"))]),
    "courses_retrieve": _op("Retrieve a course", "Includes the curation outcome (`status`) and `curation_reason`.",
                            tag="Courses", response=s.CourseSerializer, examples=[_ex("Course", COURSE)],
                            errors={**READ, "404": E404}),
    "courses_create": _op(
        "Create a course", "A new course of one of your partner institutions (partnership proposed or approved). "
        "It starts `under_curation`; it can be sold once the program office publishes it.", tag="Courses",
        request=s.CourseWriteSerializer, response=s.CourseSerializer, status="201", post=True, errors=WRITE,
        examples=[_ex("Course", {k: COURSE[k] for k in ("institution", "title", "description", "category", "level",
                                                         "hours", "mode", "language", "competency_outcomes")},
                      request=True), _ex("Created", COURSE, status="201")]),
    "courses_update": _op(
        "Update a course", "Change any content field of a course your platform proposed. Changing a published "
        "course sends it back to `under_curation`: its listings stop selling until it is published again.",
        tag="Courses", request=s.CourseUpdateSerializer, response=s.CourseSerializer,
        errors={**WRITE, "403": E409, "404": E404},
        examples=[_ex("New title", {"title": "Digital Marketing untuk UMKM (2020)"}, request=True),
                  _ex("Back under curation", {**COURSE, "title": "Digital Marketing untuk UMKM (2020)"})]),

    "listings_list": _op("List your listings", "Filter by `is_active`, `course`.", tag="Listings",
                         response=s.ListingSerializer(many=True), examples=[_ex("A page", page(LISTING, "listings"))]),
    "listings_retrieve": _op("Retrieve a listing", "", tag="Listings", response=s.ListingSerializer,
                             examples=[_ex("Listing", LISTING)], errors={**READ, "404": E404}),
    "listings_create": _op(
        "List a course", "Offer a course of an approved partner institution at your price (whole rupiah, 1 to "
        "1,000,000). A course not yet published is listed inactive.", tag="Listings",
        request=s.ListingCreateSerializer, response=s.ListingSerializer, status="201", post=True, errors=WRITE,
        examples=[_ex("Listing", {"course": 310, "price": 250000, "external_ref": "SA-DM-UMKM"}, request=True),
                  _ex("Created", LISTING, status="201")]),
    "listings_update": _op("Change a listing's price", "Orders keep the price they were bought at.", tag="Listings",
                           request=s.ListingUpdateSerializer, response=s.ListingSerializer,
                           errors={**WRITE, "404": E404},
                           examples=[_ex("New price", {"price": 199000}, request=True),
                                     _ex("Updated", {**LISTING, "price": 199000})]),
    "listings_activate": _op("Activate a listing", "Offer it again (its course must be published).",
                             tag="Listings", request=None, response=s.ListingSerializer, post=True,
                             errors={**WRITE, "404": E404}, examples=[_ex("Active", LISTING)]),
    "listings_deactivate": _op("Deactivate a listing", "Stop offering it; orders already taken are unaffected.",
                               tag="Listings", request=None, response=s.ListingSerializer, post=True,
                               errors={**WRITE, "404": E404}, examples=[_ex("Inactive", {**LISTING, "is_active": False})]),

    "orders_list": _op("List orders", "Purchases on your platform, newest first. Filter by `status`, "
                       "`created_after`, `created_before` (ISO 8601), `listing`, `course`.", tag="Orders",
                       response=s.OrderSerializer(many=True), examples=[_ex("A page", page(ORDER, "orders"))],
                       errors={**READ, "400": E400}),
    "orders_retrieve": _op("Retrieve an order", "By its redemption code (dashes and case are ignored).",
                           tag="Orders", response=s.OrderSerializer, examples=[_ex("Order", ORDER)],
                           errors={**READ, "404": E404}),
    "orders_redeem": _op("Redeem an order", "The participant started the training with the code. Only a "
                         "`purchased` order; repeating it returns the order unchanged.", tag="Orders", request=None,
                         response=s.OrderSerializer, post=True, errors={**WRITE, "404": E404},
                         examples=[_ex("Redeemed", ORDER_REDEEMED)]),
    "orders_complete": _op("Complete an order", "The participant finished the training: the certificate number "
                           "and completion date (not in the future, not before the purchase). Only a `redeemed` order.",
                           tag="Orders", request=s.OrderCompleteSerializer, response=s.OrderSerializer, post=True,
                           errors={**WRITE, "404": E404},
                           examples=[_ex("Certificate", {"certificate_number": "SA-2020-000123",
                                                         "completed_on": "2020-05-10"}, request=True),
                                     _ex("Completed", ORDER_COMPLETED)]),
    "orders_refund": _op("Refund an order", "Cancel an order not yet redeemed: the price goes back to the "
                         "participant's training balance. A redeemed order cannot be refunded (409 "
                         "`refund_not_allowed`).", tag="Orders", request=s.OrderRefundSerializer,
                         response=s.OrderSerializer, post=True, errors={**WRITE, "404": E404},
                         examples=[_ex("Reason", {"reason": "Class cancelled by the institution"}, request=True),
                                   _ex("Refunded", ORDER_REFUNDED),
                                   _ex("Too late", err("refund_not_allowed", "Only an order that has not been "
                                                       "redeemed yet can be refunded."), status="409")]),

    "checkout_sessions_list": _op("List checkout sessions", "Filter by `status`.", tag="Checkout sessions",
                                  response=s.CheckoutSessionSerializer(many=True),
                                  examples=[_ex("A page", page(CHECKOUT, "checkout-sessions"))]),
    "checkout_sessions_retrieve": _op("Retrieve a checkout session", "", tag="Checkout sessions",
                                      response=s.CheckoutSessionSerializer, examples=[_ex("Session", CHECKOUT)],
                                      errors={**READ, "404": E404}),
    "checkout_sessions_create": _op(
        "Create a checkout session", "Start a purchase of one of your active listings. Redirect the participant "
        "to `url`: they log in, see their training balance before and after, and confirm. They come back to "
        "`return_url?checkout_session=cs_…&order=CODE`, and you receive `order.created`. Nothing is paid "
        "before they confirm; a session expires after 30 minutes and is used once.", tag="Checkout sessions",
        request=s.CheckoutSessionCreateSerializer, response=s.CheckoutSessionSerializer, status="201", post=True,
        errors=WRITE,
        examples=[_ex("Session", {"listing": 901, "return_url": "https://skillacademy.com/prakerja/return",
                                  "client_reference_id": "cart-8812"}, request=True),
                  _ex("Created", CHECKOUT, status="201")]),
    "checkout_sessions_expire": _op("Expire a checkout session", "Cancel an open session (the participant "
                                    "left your checkout).", tag="Checkout sessions", request=None,
                                    response=s.CheckoutSessionSerializer, post=True, errors={**WRITE, "404": E404},
                                    examples=[_ex("Expired", {**CHECKOUT, "status": "expired"})]),

    "webhook_endpoints_list": _op("List webhook endpoints", "", tag="Webhooks",
                                  response=s.WebhookEndpointSerializer(many=True),
                                  examples=[_ex("A page", page(ENDPOINT, "webhook-endpoints"))]),
    "webhook_endpoints_retrieve": _op("Retrieve a webhook endpoint", "The secret is not shown again.",
                                      tag="Webhooks", response=s.WebhookEndpointSerializer,
                                      examples=[_ex("Endpoint", ENDPOINT)], errors={**READ, "404": E404}),
    "webhook_endpoints_create": _op(
        "Register a webhook endpoint", "An https URL that receives `order.created`, `order.refunded` and "
        "`course.curated` (or only `enabled_events`). The response holds the signing `secret`, shown only once: "
        "verify each delivery's `Prakerja-Signature` with it (see the guide).", tag="Webhooks",
        request=s.WebhookEndpointCreateSerializer, response=s.WebhookEndpointWithSecretSerializer, status="201",
        post=True, errors=WRITE,
        examples=[_ex("Endpoint", {"url": ENDPOINT["url"], "description": "Order sync",
                                   "enabled_events": ["order.created", "order.refunded"]}, request=True),
                  _ex("Created", ENDPOINT_SECRET, status="201")]),
    "webhook_endpoints_update": _op("Update a webhook endpoint", "Change the URL, description, events, or "
                                    "switch it off with `is_enabled: false`.", tag="Webhooks",
                                    request=s.WebhookEndpointUpdateSerializer, response=s.WebhookEndpointSerializer,
                                    errors={**WRITE, "404": E404},
                                    examples=[_ex("Switch off", {"is_enabled": False}, request=True),
                                              _ex("Updated", {**ENDPOINT, "is_enabled": False})]),
    "webhook_endpoints_delete": dict(summary="Delete a webhook endpoint", tags=["Webhooks"],
                                     description="Nothing more is sent to it; pending deliveries are dropped.",
                                     request=None, responses={"204": OpenApiResponse(description="Deleted."),
                                                              "404": E404, **READ}),
    "webhook_endpoints_roll_secret": _op("Roll the signing secret", "A new secret, shown once; the old one stops "
                                         "signing at once.", tag="Webhooks", request=None,
                                         response=s.WebhookEndpointWithSecretSerializer, post=True,
                                         errors={**WRITE, "404": E404},
                                         examples=[_ex("New secret", ENDPOINT_SECRET)]),

    "webhook_deliveries_list": _op("List webhook deliveries", "The delivery log: every event sent to your "
                                   "endpoints and each attempt's outcome. Filter by `status`, `endpoint`, "
                                   "`event_type`.", tag="Webhooks", response=s.WebhookDeliverySerializer(many=True),
                                   examples=[_ex("A page", page(DELIVERY, "webhook-deliveries"))]),
    "webhook_deliveries_retrieve": _op("Retrieve a webhook delivery", "", tag="Webhooks",
                                       response=s.WebhookDeliverySerializer, examples=[_ex("Delivery", DELIVERY)],
                                       errors={**READ, "404": E404}),
    "webhook_deliveries_replay": _op("Replay a webhook delivery", "Send a succeeded or failed delivery again now, "
                                     "freshly signed (409 while it is still being retried).", tag="Webhooks",
                                     request=None, response=s.WebhookDeliverySerializer, status="202", post=True,
                                     errors={**WRITE, "404": E404},
                                     examples=[_ex("Queued", {**DELIVERY, "status": "pending", "attempt_count": 0},
                                                   status="202")]),
}


def document(name: str):
    return extend_schema(operation_id=name, **DOCS[name])


def document_view(**names):
    return extend_schema_view(**{action: extend_schema(operation_id=name, **DOCS[name])
                                 for action, name in names.items()})
