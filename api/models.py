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


def _uuid_hex() -> str:
    return uuid.uuid4().hex
