"""The platform API's own records: credentials, idempotency keys, webhook endpoints, events and
their deliveries, and checkout sessions.

A secret (an API key, a webhook signing secret is the exception: we must sign with it) is never
stored in clear: an API key is kept as its SHA-256 with a visible prefix to recognise it by."""
from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from platforms.models import Platform


class ApiKey(models.Model):
    """A secret key a platform sends as `Authorization: Bearer pk_live_…` (or `pk_test_…`).

    Issued by the program office in the admin and shown once. During a rotation the old key keeps
    working until `expires_at`, so two keys are valid at once."""

    class Mode(models.TextChoices):
        TEST = "test", _("Sandbox (test)")
        LIVE = "live", _("Live")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        REVOKED = "revoked", _("Revoked")

    TRANSITIONS = {
        Status.ACTIVE: {Status.REVOKED},
        Status.REVOKED: set(),
    }

    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="api_keys",
                                 verbose_name=_("platform"))
    mode = models.CharField(_("mode"), max_length=4, choices=Mode.choices, default=Mode.TEST)
    name = models.CharField(_("name"), max_length=80, blank=True,
                            help_text=_("What the platform uses this key for, e.g. 'production server'."))
    # "pk_live_" or "pk_test_" and the first characters of the secret: shown in lists, never enough
    # to authenticate.
    prefix = models.CharField(_("prefix"), max_length=24, unique=True)
    key_hash = models.CharField(_("key hash (SHA-256)"), max_length=64, unique=True, editable=False)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE,
                              db_index=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("issued by"))
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True,
                                      help_text=_("Set when the key is rotated: it stops working then."))
    replaced_by = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="replaces", verbose_name=_("replaced by"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("revoked by"))
    revoked_reason = models.CharField(_("reason for revoking"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status="active", revoked_at__isnull=True)
                                   | Q(status="revoked", revoked_at__isnull=False),
                                   name="apikey_revoked_has_time"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}…"

    @property
    def masked(self) -> str:
        return f"{self.prefix}…"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.ACTIVE and (self.expires_at is None or self.expires_at > now)

    @property
    def livemode(self) -> bool:
        return self.mode == self.Mode.LIVE


def _public_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:24]}"


class IdempotencyKey(models.Model):
    """A platform's `Idempotency-Key` for one POST: the first response is kept 24 hours and
    returned for a retry with the same body; another body under the same key is refused."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        constraints = [models.UniqueConstraint(fields=["platform", "key"], name="idempotency_platform_key")]


class WebhookEndpoint(models.Model):
    """A URL of the platform that receives signed events."""

    EVENT_TYPES = ("order.created", "order.refunded", "course.curated")

    public_id = models.CharField(max_length=32, unique=True, editable=False)
    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="webhook_endpoints",
                                 verbose_name=_("platform"))
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    # An empty list receives every event type.
    enabled_events = models.JSONField(_("events"), default=list, blank=True)
    # Needed in clear to sign each delivery; shown to the platform once, when created or rolled.
    secret = models.CharField(_("signing secret"), max_length=80, editable=False)
    is_enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return self.url

    def wants(self, event_type: str) -> bool:
        return self.is_enabled and self.deleted_at is None and (not self.enabled_events
                                                                 or event_type in self.enabled_events)


class WebhookEvent(models.Model):
    """Something that happened to a platform's objects; its JSON body is fixed when it is created."""

    public_id = models.CharField(max_length=32, unique=True, editable=False)
    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="webhook_events")
    type = models.CharField(_("type"), max_length=40, db_index=True)
    data = models.JSONField(_("data"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.type} {self.public_id}"


class WebhookDelivery(models.Model):
    """One event sent to one endpoint: retried with exponential backoff until a 2xx or the last try."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    TRANSITIONS = {
        Status.PENDING: {Status.SUCCEEDED, Status.FAILED, Status.PENDING},
        Status.FAILED: {Status.PENDING},  # replay
        Status.SUCCEEDED: {Status.PENDING},  # replay
    }

    public_id = models.CharField(max_length=32, unique=True, editable=False)
    event = models.ForeignKey(WebhookEvent, on_delete=models.PROTECT, related_name="deliveries")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.PROTECT, related_name="deliveries")
    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    attempt_count = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True, db_index=True)
    last_status_code = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return self.public_id


class WebhookAttempt(models.Model):
    """One HTTP request of a delivery and what came back (the body cut to 1 KB)."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField()
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    response_body = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    replay = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("webhook attempt")
        ordering = ["number"]


class CheckoutSession(models.Model):
    """A purchase started on the platform's own site and confirmed by the participant on our page.

    Nothing is paid until the participant confirms; it can be completed once and expires after
    30 minutes. The session id is the purchase token: a second confirm returns the same order."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        COMPLETE = "complete", _("Complete")
        EXPIRED = "expired", _("Expired")

    TRANSITIONS = {
        Status.OPEN: {Status.COMPLETE, Status.EXPIRED},
        Status.COMPLETE: set(),
        Status.EXPIRED: set(),
    }
    LIFETIME_MINUTES = 30

    public_id = models.CharField(max_length=32, unique=True, editable=False)
    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="checkout_sessions")
    listing = models.ForeignKey("catalog.Listing", on_delete=models.PROTECT, related_name="+")
    return_url = models.URLField(_("return URL"), max_length=500)
    client_reference_id = models.CharField(_("platform's reference"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    expires_at = models.DateTimeField(_("expires at"))
    enrollment = models.OneToOneField("catalog.Enrollment", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="checkout_session")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("checkout session")
        verbose_name_plural = _("checkout sessions")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return self.public_id

    def current_status(self, now=None) -> str:
        """An open session past its time reads as expired before any job has marked it."""
        if self.status == self.Status.OPEN and self.expires_at <= (now or timezone.now()):
            return self.Status.EXPIRED
        return self.status
