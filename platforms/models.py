"""Digital platforms: the partner companies (Skill Academy, Pintaria, ...) that sell training.

Only a platform whose status is in `Platform.SELLING` shows its listings and takes orders."""
from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Platform(models.Model):
    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        UNDER_EVALUATION = "under_evaluation", _("Under evaluation")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        MOU_SIGNED = "mou_signed", _("MoU signed")
        INTEGRATING = "integrating", _("Integrating")
        ACTIVE = "active", _("Active")
        WARNED = "warned", _("Warned")
        SUSPENDED = "suspended", _("Suspended")
        TERMINATED = "terminated", _("Terminated")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # A warned platform goes on selling while it corrects what the evaluation found.
    SELLING = frozenset({Status.ACTIVE, Status.WARNED})

    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    portal_url = models.URLField(_("portal URL"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.APPLIED,
                              db_index=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("digital platform")
        verbose_name_plural = _("digital platforms")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_selling(self) -> bool:
        return self.status in self.SELLING
