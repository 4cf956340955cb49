"""Input and output shapes of the platform API. Inputs parse and validate; outputs describe the
objects (the OpenAPI schema reads these) and delegate to representations.py where speed matters."""
from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.regions import PROVINCE_CHOICES
from catalog.models import MAX_PRICE, MIN_PRICE, Category, Course, Enrollment, Institution, Partnership
from platforms.models import Platform

from .models import CheckoutSession, WebhookDelivery, WebhookEndpoint
from .representations import order_object


def _local(value):
    return timezone.localtime(value).isoformat() if value else None


# ---- errors (documentation only: prakerja.exceptions.api_exception_handler produces them)

class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable reason, e.g. `invalid`, `not_found`, `refund_not_allowed`.")
    message = serializers.CharField(help_text="Human-readable explanation.")
    field = serializers.CharField(allow_null=True, help_text="The input field at fault, if one.")
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()),
                                   help_text="Messages per input field (validation errors).")
    details = serializers.DictField(help_text="Extra facts about the error.")


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


# ---- platform

class PlatformSerializer(serializers.Serializer):
    object = serializers.CharField(default="platform")
    id = serializers.SlugField(source="slug")
    name = serializers.CharField()
    legal_name = serializers.CharField()
    portal_url = serializers.CharField()
    status = serializers.ChoiceField(choices=Platform.Status.choices)
    is_selling = serializers.BooleanField(help_text="Whether the platform may take new orders now (active or warned).")
    livemode = serializers.SerializerMethodField(help_text="True with a live key, false with a sandbox key.")

    def get_livemode(self, obj) -> bool:
        return bool(self.context.get("livemode"))


# ---- institutions

class PartnershipSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Partnership.Status.choices)
    curation_reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class InstitutionSerializer(serializers.Serializer):
    """Built from a Partnership row: the institution as this platform sees it."""

    object = serializers.CharField(default="institution")
    id = serializers.IntegerField(source="institution.id")
    name = serializers.CharField(source="institution.name")
    legal_entity_number = serializers.CharField(source="institution.legal_entity_number")
    province = serializers.CharField(source="institution.province")
    accreditation = serializers.ChoiceField(source="institution.accreditation",
                                            choices=Institution.Accreditation.choices)
    status = serializers.ChoiceField(source="institution.status", choices=Institution.Status.choices,
                                     help_text="The program office's curation of the institution.")
    curation_reason = serializers.CharField(source="institution.curation_reason")
    partnership = PartnershipSerializer(source="*")


class InstitutionProposeSerializer(serializers.Serializer):
    institution = serializers.IntegerField(required=False, min_value=1,
                                           help_text="An institution already in the program: propose a partnership with it.")
    name = serializers.CharField(required=False, max_length=200)
    legal_entity_number = serializers.RegexField(r"^\d{13}$", required=False,
                                                 help_text="The institution's 13-digit NIB.",
                                                 error_messages={"invalid": _("The NIB has 13 digits.")})
    province = serializers.ChoiceField(choices=PROVINCE_CHOICES, required=False,
                                       help_text="Province code (BPS), e.g. `31` for DKI Jakarta.")
    accreditation = serializers.ChoiceField(choices=Institution.Accreditation.choices, required=False,
                                            default=Institution.Accreditation.NONE)

    def validate(self, attrs):
        if attrs.get("institution"):
            return attrs
        missing = {f: [_("This field is required.")] for f in ("name", "legal_entity_number", "province")
                   if not attrs.get(f)}
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


# ---- courses

class CourseSerializer(serializers.Serializer):
    object = serializers.CharField(default="course")
    id = serializers.IntegerField()
    institution = serializers.IntegerField(source="institution_id")
    title = serializers.CharField()
    description = serializers.CharField()
    category = serializers.ChoiceField(choices=Category.choices)
    level = serializers.ChoiceField(choices=Course.Level.choices)
    hours = serializers.IntegerField()
    mode = serializers.ChoiceField(choices=Course.Mode.choices)
    language = serializers.ChoiceField(choices=Course.Language.choices)
    competency_outcomes = serializers.CharField()
    status = serializers.ChoiceField(choices=Course.Status.choices,
                                     help_text="`under_curation` until the program office decides.")
    curation_reason = serializers.CharField(help_text="Why the program office published or rejected it.")
    proposed_by_you = serializers.SerializerMethodField()
    published_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()

    def get_proposed_by_you(self, obj) -> bool:
        return obj.proposed_by_id == self.context["platform"].pk


class CourseWriteSerializer(serializers.Serializer):
    institution = serializers.IntegerField(min_value=1)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=20_000)
    category = serializers.ChoiceField(choices=Category.choices)
    level = serializers.ChoiceField(choices=Course.Level.choices, default=Course.Level.BEGINNER)
    hours = serializers.IntegerField(min_value=1, max_value=500)
    mode = serializers.ChoiceField(choices=Course.Mode.choices, default=Course.Mode.ONLINE)
    language = serializers.ChoiceField(choices=Course.Language.choices, default=Course.Language.INDONESIAN)
    competency_outcomes = serializers.CharField(max_length=5_000, required=False, default="", allow_blank=True,
                                                help_text="One outcome per line.")


class CourseUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(max_length=20_000, required=False)
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    level = serializers.ChoiceField(choices=Course.Level.choices, required=False)
    hours = serializers.IntegerField(min_value=1, max_value=500, required=False)
    mode = serializers.ChoiceField(choices=Course.Mode.choices, required=False)
    language = serializers.ChoiceField(choices=Course.Language.choices, required=False)
    competency_outcomes = serializers.CharField(max_length=5_000, required=False, allow_blank=True)


# ---- listings

class ListingSerializer(serializers.Serializer):
    object = serializers.CharField(default="listing")
    id = serializers.IntegerField()
    course = serializers.IntegerField(source="course_id")
    price = serializers.IntegerField(help_text="Whole rupiah.")
    is_active = serializers.BooleanField()
    external_ref = serializers.CharField()
    sales_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ListingCreateSerializer(serializers.Serializer):
    course = serializers.IntegerField(min_value=1)
    price = serializers.IntegerField(min_value=MIN_PRICE, max_value=MAX_PRICE, help_text="Whole rupiah, 1 to 1,000,000.")
    external_ref = serializers.CharField(max_length=64, required=False, default="", allow_blank=True)
    is_active = serializers.BooleanField(required=False, default=True)


class ListingUpdateSerializer(serializers.Serializer):
    price = serializers.IntegerField(min_value=MIN_PRICE, max_value=MAX_PRICE, required=False)
    external_ref = serializers.CharField(max_length=64, required=False, allow_blank=True)


# ---- orders

class OrderParticipantSerializer(serializers.Serializer):
    card_number = serializers.CharField()
    name = serializers.CharField()


class OrderSerializer(serializers.Serializer):
    object = serializers.CharField(default="order")
    code = serializers.CharField(help_text="The redemption code (voucher) the participant holds; the order's id.")
    status = serializers.ChoiceField(choices=Enrollment.Status.choices)
    price = serializers.IntegerField(help_text="Whole rupiah paid from the training balance.")
    listing = serializers.IntegerField()
    course = serializers.IntegerField()
    participant = OrderParticipantSerializer()
    certificate_number = serializers.CharField(allow_null=True)
    completed_on = serializers.DateField(allow_null=True)
    created_at = serializers.DateTimeField()
    redeemed_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    refunded_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, instance):
        return order_object(instance)


class OrderCompleteSerializer(serializers.Serializer):
    certificate_number = serializers.CharField(max_length=64)
    completed_on = serializers.DateField(help_text="Date of completion (Asia/Jakarta), not in the future.")


class OrderRefundSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


# ---- checkout sessions

class CheckoutSessionSerializer(serializers.Serializer):
    object = serializers.CharField(default="checkout_session")
    id = serializers.CharField(source="public_id")
    url = serializers.SerializerMethodField(help_text="Send the participant here to confirm the purchase.")
    listing = serializers.IntegerField(source="listing_id")
    status = serializers.SerializerMethodField()
    return_url = serializers.URLField()
    client_reference_id = serializers.CharField()
    order = serializers.SerializerMethodField(help_text="The order's code once the participant confirmed.")
    expires_at = serializers.DateTimeField()
    created_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)

    def get_url(self, obj) -> str:
        path = reverse("checkout:confirm", args=[obj.public_id])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_status(self, obj) -> str:
        return obj.current_status()

    def get_order(self, obj) -> str | None:
        return obj.enrollment.redemption_code if obj.enrollment_id else None


class CheckoutSessionCreateSerializer(serializers.Serializer):
    listing = serializers.IntegerField(min_value=1, help_text="One of your listings.")
    return_url = serializers.URLField(max_length=500, help_text="Where we send the participant back, with "
                                      "`?checkout_session=cs_…&order=CODE` (or `&status=expired`).")
    client_reference_id = serializers.CharField(max_length=64, required=False, default="", allow_blank=True)

    def validate_return_url(self, value):
        if not value.lower().startswith(("https://", "http://")):
            raise serializers.ValidationError(_("Enter an http(s) URL."))
        return value


# ---- webhooks

EVENT_CHOICES = [(t, t) for t in WebhookEndpoint.EVENT_TYPES]


class WebhookEndpointSerializer(serializers.Serializer):
    object = serializers.CharField(default="webhook_endpoint")
    id = serializers.CharField(source="public_id")
    url = serializers.URLField()
    description = serializers.CharField()
    enabled_events = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_CHOICES),
                                           help_text="Empty: every event type.")
    is_enabled = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class WebhookEndpointWithSecretSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(help_text="The signing secret. Shown only now: store it.")


class WebhookEndpointCreateSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=500)
    description = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    enabled_events = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_CHOICES), required=False,
                                           default=list, max_length=len(EVENT_CHOICES) * 2)


class WebhookEndpointUpdateSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=500, required=False)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    enabled_events = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_CHOICES), required=False,
                                           max_length=len(EVENT_CHOICES) * 2)
    is_enabled = serializers.BooleanField(required=False)


class WebhookAttemptSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    at = serializers.DateTimeField()
    status_code = serializers.IntegerField(allow_null=True, help_text="Your server's answer; null on a network error.")
    error = serializers.CharField()
    response_body = serializers.CharField(help_text="The first KB of your server's answer.")
    duration_ms = serializers.IntegerField()
    replay = serializers.BooleanField()


class WebhookEventSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    type = serializers.CharField()
    created_at = serializers.DateTimeField()
    data = serializers.DictField()


class WebhookDeliverySerializer(serializers.Serializer):
    object = serializers.CharField(default="webhook_delivery")
    id = serializers.CharField(source="public_id")
    endpoint = serializers.CharField(source="endpoint.public_id")
    event = WebhookEventSerializer()
    status = serializers.ChoiceField(choices=WebhookDelivery.Status.choices)
    attempt_count = serializers.IntegerField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    last_status_code = serializers.IntegerField(allow_null=True)
    last_error = serializers.CharField()
    created_at = serializers.DateTimeField()
    delivered_at = serializers.DateTimeField(allow_null=True)
    attempts = WebhookAttemptSerializer(many=True)


class CheckoutSessionListStatus:
    CHOICES = CheckoutSession.Status.choices
