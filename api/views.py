"""The platform API's views: parse input, call one service, shape output. Every queryset starts
from the calling platform, so another platform's object is simply not found (404)."""
from __future__ import annotations

import json

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog import services as catalog
from catalog.codes import code_normalise
from catalog.models import Course, Enrollment, Institution, Listing, Partnership

from . import filters, serializers as s
from .authentication import ApiKeyAuthentication, NotAuthenticated, PlatformClient
from .models import CheckoutSession, WebhookDelivery, WebhookEndpoint
from .pagination import ApiCursorPagination
from .representations import ORDER_ROW_FIELDS, order_objects_from_rows
from .schema import document, document_view
from .services import checkout, idempotency, webhooks
from .throttling import ApiKeyRateThrottle


class IsPlatform(BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.user, PlatformClient)


class _Replay(Exception):
    def __init__(self, row):
        self.row = row


class PlatformApiMixin:
    """Authentication by API key, throttling per key, one error shape, and Idempotency-Key on POST."""

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [IsPlatform]
    throttle_classes = [ApiKeyRateThrottle]
    pagination_class = ApiCursorPagination
    filter_backends = [DjangoFilterBackend]
    parser_classes = [JSONParser]
    _idempotency_row = None

    @property
    def platform(self):
        return self.request.user.platform

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if isinstance(getattr(self.request, "user", None), PlatformClient):
            context["platform"] = self.platform
        return context

    def permission_denied(self, request, message=None, code=None):
        if not request.successful_authenticator:
            raise NotAuthenticated()
        super().permission_denied(request, message, code)

    def allowed_query_params(self) -> set[str]:
        if getattr(self, "action", None) == "list":
            filterset = getattr(self, "filterset_class", None)
            return {"cursor", "limit", *(filterset.base_filters if filterset else ())}
        return set()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method.lower() not in self.http_method_names or not hasattr(self, request.method.lower()):
            return  # the handler answers 405
        # As Stripe does: a misspelt parameter is an error, not silently ignored.
        unknown = sorted(set(request.query_params) - self.allowed_query_params())
        if unknown:
            raise ValidationError({name or "(empty)": [_("Unknown parameter.")] for name in unknown})
        key = request.headers.get("Idempotency-Key")
        if request.method == "POST" and key is not None:
            body = request._request.body
            try:  # the same JSON with other spacing or key order is the same request
                body = json.dumps(json.loads(body or b"null"), sort_keys=True, separators=(",", ":")).encode()
            except ValueError:
                pass
            fingerprint = idempotency.request_fingerprint(method=request.method, path=request.path, body=body)
            row, fresh = idempotency.idempotency_key_reserve(platform=self.platform, key=key.strip(),
                                                             method=request.method, path=request.path,
                                                             fingerprint=fingerprint)
            if not fresh:
                raise _Replay(row)
            self._idempotency_row = row

    def handle_exception(self, exc):
        if isinstance(exc, _Replay):
            response = Response(exc.row.response_body, status=exc.row.response_status)
            response["Idempotent-Replayed"] = "true"
            return response
        try:
            return super().handle_exception(exc)
        except Exception:
            self._release()
            raise

    def _release(self):
        if self._idempotency_row is not None:
            idempotency.idempotency_key_finish(row=self._idempotency_row, status=500, body=None)
            self._idempotency_row = None

    def finalize_response(self, request, response, *args, **kwargs):
        row, self._idempotency_row = self._idempotency_row, None
        if row is not None:
            body = json.loads(JSONRenderer().render(response.data)) if response.data is not None else None
            idempotency.idempotency_key_finish(row=row, status=response.status_code, body=body)
        return super().finalize_response(request, response, *args, **kwargs)

    def get_object(self):
        obj = super().get_object()
        return obj

    def _input(self, serializer_class, partial=False):
        serializer = serializer_class(data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _out(self, serializer_class, obj, status_code=status.HTTP_200_OK):
        return Response(serializer_class(obj, context=self.get_serializer_context()).data, status=status_code)


class PlatformView(PlatformApiMixin, APIView):
    @document("platform_retrieve")
    def get(self, request):
        return Response(s.PlatformSerializer(self.platform, context={"livemode": request.auth.livemode}).data)


def _not_found(field: str, message=None):
    raise ValidationError({field: [message or _("No such object for this platform.")]})


@document_view(list="institutions_list", retrieve="institutions_retrieve")
class InstitutionViewSet(PlatformApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                         viewsets.GenericViewSet):
    queryset = Partnership.objects.none()  # for the schema; get_queryset scopes to the platform
    serializer_class = s.InstitutionSerializer
    filterset_class = filters.InstitutionFilter
    lookup_field = "institution_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = r"[^/]+"

    def get_queryset(self):
        return Partnership.objects.filter(platform=self.platform).select_related("institution")


    @document("institutions_create")
    def create(self, request):
        data = self._input(s.InstitutionProposeSerializer)
        if data.get("institution"):
            institution = Institution.objects.filter(pk=data["institution"]).first()
            if institution is None:
                _not_found("institution", _("No such institution."))
            partnership = catalog.partnership_propose(platform=self.platform, institution=institution)
        else:
            partnership = catalog.institution_propose(
                platform=self.platform, name=data["name"], legal_entity_number=data["legal_entity_number"],
                province=data["province"], accreditation=data["accreditation"])
        partnership = Partnership.objects.select_related("institution").get(pk=partnership.pk)
        return self._out(s.InstitutionSerializer, partnership, status.HTTP_201_CREATED)


def courses_visible(platform):
    return Course.objects.filter(
        Q(proposed_by=platform)
        | Q(institution__partnerships__platform=platform,
            institution__partnerships__status__in=[Partnership.Status.PROPOSED, Partnership.Status.APPROVED])
    ).distinct()


@document_view(list="courses_list", retrieve="courses_retrieve")
class CourseViewSet(PlatformApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Course.objects.none()  # for the schema; get_queryset scopes to the platform
    serializer_class = s.CourseSerializer
    filterset_class = filters.CourseFilter
    lookup_value_regex = r"[^/]+"
    lookup_url_kwarg = "id"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return courses_visible(self.platform).order_by("-pk")


    @document("courses_create")
    def create(self, request):
        data = self._input(s.CourseWriteSerializer)
        institution = Institution.objects.filter(pk=data.pop("institution")).first()
        if institution is None:
            _not_found("institution", _("No such institution."))
        course = catalog.course_create(platform=self.platform, institution=institution, **data)
        return self._out(s.CourseSerializer, course, status.HTTP_201_CREATED)

    @document("courses_update")
    def partial_update(self, request, id=None):
        course = self.get_object()
        data = self._input(s.CourseUpdateSerializer)
        course = catalog.course_update(platform=self.platform, course=course, **data)
        return self._out(s.CourseSerializer, course)


@document_view(list="listings_list", retrieve="listings_retrieve")
class ListingViewSet(PlatformApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Listing.objects.none()  # for the schema; get_queryset scopes to the platform
    serializer_class = s.ListingSerializer
    filterset_class = filters.ListingFilter
    lookup_value_regex = r"[^/]+"
    lookup_url_kwarg = "id"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return Listing.objects.filter(platform=self.platform)


    @document("listings_create")
    def create(self, request):
        data = self._input(s.ListingCreateSerializer)
        course = courses_visible(self.platform).filter(pk=data["course"]).first()
        if course is None:
            _not_found("course", _("No such course among your partner institutions' courses."))
        listing = catalog.listing_create(platform=self.platform, course=course, price=data["price"],
                                         external_ref=data["external_ref"], is_active=data["is_active"])
        return self._out(s.ListingSerializer, listing, status.HTTP_201_CREATED)

    @document("listings_update")
    def partial_update(self, request, id=None):
        listing = self.get_object()
        data = self._input(s.ListingUpdateSerializer)
        return self._out(s.ListingSerializer, catalog.listing_update(listing=listing, **data))

    @document("listings_activate")
    @action(detail=True, methods=["post"])
    def activate(self, request, id=None):
        return self._out(s.ListingSerializer, catalog.listing_activate(listing=self.get_object()))

    @document("listings_deactivate")
    @action(detail=True, methods=["post"])
    def deactivate(self, request, id=None):
        return self._out(s.ListingSerializer, catalog.listing_deactivate(listing=self.get_object()))


@document_view(list="orders_list", retrieve="orders_retrieve")
class OrderViewSet(PlatformApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Enrollment.objects.none()  # for the schema; get_queryset scopes to the platform
    serializer_class = s.OrderSerializer
    filterset_class = filters.OrderFilter
    lookup_field = "redemption_code"
    lookup_url_kwarg = "code"
    lookup_value_regex = r"[^/]+"

    def get_queryset(self):
        return Enrollment.objects.filter(platform=self.platform).select_related("participant__profile")

    def get_object(self):
        self.kwargs["code"] = code_normalise(self.kwargs["code"])
        return super().get_object()

    def list(self, request, *args, **kwargs):
        rows = self.filter_queryset(self.get_queryset()).values(*ORDER_ROW_FIELDS)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(order_objects_from_rows(page))

    def _order(self, enrollment):
        return self._out(s.OrderSerializer, Enrollment.objects.select_related("participant__profile")
                         .get(pk=enrollment.pk))


    @document("orders_redeem")
    @action(detail=True, methods=["post"])
    def redeem(self, request, code=None):
        return self._order(catalog.enrollment_redeem(enrollment=self.get_object(), by_platform=self.platform))

    @document("orders_complete")
    @action(detail=True, methods=["post"])
    def complete(self, request, code=None):
        enrollment = self.get_object()
        data = self._input(s.OrderCompleteSerializer)
        return self._order(catalog.enrollment_complete(enrollment=enrollment, by_platform=self.platform, **data))

    @document("orders_refund")
    @action(detail=True, methods=["post"])
    def refund(self, request, code=None):
        enrollment = self.get_object()
        data = self._input(s.OrderRefundSerializer)
        return self._order(catalog.enrollment_refund(enrollment=enrollment, by_platform=self.platform,
                                                     reason=data["reason"]))


@document_view(list="checkout_sessions_list", retrieve="checkout_sessions_retrieve")
class CheckoutSessionViewSet(PlatformApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                             viewsets.GenericViewSet):
    queryset = CheckoutSession.objects.none()  # for the schema; get_queryset scopes to the platform
    serializer_class = s.CheckoutSessionSerializer
    filterset_class = filters.CheckoutSessionFilter
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = r"[^/]+"

    def get_queryset(self):
        return CheckoutSession.objects.filter(platform=self.platform).select_related("enrollment")


    @document("checkout_sessions_create")
    def create(self, request):
        data = self._input(s.CheckoutSessionCreateSerializer)
        listing = Listing.objects.filter(platform=self.platform, pk=data["listing"]).first()
        if listing is None:
            _not_found("listing", _("No such listing on this platform."))
        session = checkout.checkout_session_create(platform=self.platform, listing=listing,
                                                   return_url=data["return_url"],
                                                   client_reference_id=data["client_reference_id"])
        return self._out(s.CheckoutSessionSerializer, session, status.HTTP_201_CREATED)

    @document("checkout_sessions_expire")
    @action(detail=True, methods=["post"])
    def expire(self, request, id=None):
        return self._out(s.CheckoutSessionSerializer, checkout.checkout_session_expire(session=self.get_object()))


@document_view(list="webhook_endpoints_list", retrieve="webhook_endpoints_retrieve")
class WebhookEndpointViewSet(PlatformApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                             viewsets.GenericViewSet):
    queryset = WebhookEndpoint.objects.none()  # for the schema; get_queryset scopes to the platform
    serializer_class = s.WebhookEndpointSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = r"[^/]+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return WebhookEndpoint.objects.filter(platform=self.platform, deleted_at__isnull=True)


    @document("webhook_endpoints_create")
    def create(self, request):
        data = self._input(s.WebhookEndpointCreateSerializer)
        endpoint = webhooks.webhook_endpoint_create(platform=self.platform, **data)
        return self._out(s.WebhookEndpointWithSecretSerializer, endpoint, status.HTTP_201_CREATED)

    @document("webhook_endpoints_update")
    def partial_update(self, request, id=None):
        endpoint = self.get_object()
        data = self._input(s.WebhookEndpointUpdateSerializer)
        return self._out(s.WebhookEndpointSerializer, webhooks.webhook_endpoint_update(endpoint=endpoint, **data))

    @document("webhook_endpoints_delete")
    def destroy(self, request, id=None):
        webhooks.webhook_endpoint_delete(endpoint=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @document("webhook_endpoints_roll_secret")
    @action(detail=True, methods=["post"], url_path="roll-secret")
    def roll_secret(self, request, id=None):
        endpoint = webhooks.webhook_endpoint_roll_secret(endpoint=self.get_object())
        return self._out(s.WebhookEndpointWithSecretSerializer, endpoint)


@document_view(list="webhook_deliveries_list", retrieve="webhook_deliveries_retrieve")
class WebhookDeliveryViewSet(PlatformApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                             viewsets.GenericViewSet):
    queryset = WebhookDelivery.objects.none()  # for the schema; get_queryset scopes to the platform
    serializer_class = s.WebhookDeliverySerializer
    filterset_class = filters.WebhookDeliveryFilter
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = r"[^/]+"

    def get_queryset(self):
        return (WebhookDelivery.objects.filter(platform=self.platform).select_related("event", "endpoint")
                .prefetch_related("attempts"))


    @document("webhook_deliveries_replay")
    @action(detail=True, methods=["post"])
    def replay(self, request, id=None):
        webhooks.webhook_delivery_replay(delivery=self.get_object())
        return self._out(s.WebhookDeliverySerializer, self.get_queryset().get(pk=self.get_object().pk),
                         status.HTTP_202_ACCEPTED)


class NotFoundView(PlatformApiMixin, APIView):
    """Any other path under /api/v1/: the same JSON 404 as a missing object."""

    schema = None

    def _404(self, request, *args, **kwargs):
        raise Http404

    get = post = patch = put = delete = _404
