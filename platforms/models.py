"""Digital platforms: the partner companies (Skill Academy, Pintaria, ...) that sell training.

A platform becomes a partner by memorandum of understanding under Permenko 3/2020: it applies,
the program office evaluates each criterion with evidence, a second PMO member signs off, the MoU
is signed for a term, the platform integrates, then sells until it withdraws or is ended. Every
status change is one row in `PlatformStatusChange`, never edited.

Only a platform whose status is in `Platform.SELLING` shows its listings and takes orders."""
from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Criterion(models.TextChoices):
    """The criteria of Permenko 3/2020, art. 10."""

    NATIONAL_REACH = "national_reach", _("National reach")
    IT_SYSTEM = "it_system", _("Adequate IT system")
    OWN_PORTAL = "own_portal", _("Own portal")
    INSTITUTIONS = "institutions", _("Cooperation with competency training institutions")


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

    class Kind(models.TextChoices):
        MARKETPLACE = "marketplace", _("Marketplace")
        EDTECH = "edtech", _("Education technology company")
        STATE_OWNED = "state_owned", _("State-owned enterprise")
        GOVERNMENT = "government", _("Government training portal")

    # A warned platform goes on selling while it corrects what the evaluation found.
    SELLING = frozenset({Status.ACTIVE, Status.WARNED})
    # Ended for good: nothing follows. Every other status is "live" and may be withdrawn from.
    FINAL = frozenset({Status.REJECTED, Status.TERMINATED, Status.WITHDRAWN})
    TRANSITIONS = {
        Status.APPLIED: {Status.UNDER_EVALUATION, Status.WITHDRAWN},
        Status.UNDER_EVALUATION: {Status.APPROVED, Status.REJECTED, Status.WITHDRAWN},
        Status.APPROVED: {Status.MOU_SIGNED, Status.WITHDRAWN},
        Status.MOU_SIGNED: {Status.INTEGRATING, Status.WITHDRAWN},
        Status.INTEGRATING: {Status.ACTIVE, Status.WITHDRAWN},
        # A serious breach may suspend or end an active platform without a warning first.
        Status.ACTIVE: {Status.WARNED, Status.SUSPENDED, Status.TERMINATED, Status.WITHDRAWN},
        Status.WARNED: {Status.ACTIVE, Status.SUSPENDED, Status.TERMINATED, Status.WITHDRAWN},
        Status.SUSPENDED: {Status.ACTIVE, Status.TERMINATED, Status.WITHDRAWN},
        Status.REJECTED: set(),
        Status.TERMINATED: set(),
        Status.WITHDRAWN: set(),
    }

    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    portal_url = models.URLField(_("portal URL"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.APPLIED,
                              db_index=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    # The application (Permenko 3/2020 criteria and the company behind it).
    reference = models.CharField(_("reference number"), max_length=20, unique=True, null=True, blank=True)
    status_token_hash = models.CharField(max_length=64, blank=True, editable=False,
                                         help_text="SHA-256 of the applicant's secret status link.")
    kind = models.CharField(_("kind of applicant"), max_length=16, choices=Kind.choices, blank=True)
    business_number = models.CharField(_("business identification number (NIB)"), max_length=13, blank=True)
    address = models.TextField(_("registered address"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=120, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    provinces_served = models.PositiveSmallIntegerField(_("provinces served"), null=True, blank=True,
                                                        validators=[MaxValueValidator(38)])
    active_users = models.PositiveIntegerField(_("active users"), null=True, blank=True)
    security_certification = models.CharField(_("security certification"), max_length=200, blank=True)
    uptime_percent = models.DecimalField(_("uptime over the last 12 months (%)"), max_digits=5, decimal_places=2,
                                         null=True, blank=True,
                                         validators=[MinValueValidator(0), MaxValueValidator(100)])
    incident_contact = models.CharField(_("security incident contact"), max_length=200, blank=True)
    training_institutions = models.TextField(_("partner training institutions"), blank=True,
                                             help_text=_("One institution per line."))
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    # The memorandum of understanding.
    mou_number = models.CharField(_("MoU number"), max_length=60, blank=True)
    mou_signed_on = models.DateField(_("MoU signing date"), null=True, blank=True)
    mou_term_end = models.DateField(_("MoU term end"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("digital platform")
        verbose_name_plural = _("digital platforms")
        ordering = ["name"]
        permissions = [
            ("evaluate_platform", _("Can evaluate platform applications and propose review outcomes")),
            ("approve_platform", _("Can sign off evaluations and decide a platform's lifecycle")),
            ("curate_catalog", _("Can approve or reject proposed institutions, courses and partnerships")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(mou_term_end__isnull=True) | Q(mou_signed_on__isnull=True)
                                   | Q(mou_term_end__gt=models.F("mou_signed_on")), name="platform_mou_term_after_signing"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_selling(self) -> bool:
        return self.status in self.SELLING

    @property
    def is_live(self) -> bool:
        return self.status not in self.FINAL

    @property
    def mou_due_for_renewal(self) -> bool:
        return bool(self.mou_term_end and self.is_live and self.mou_term_end < timezone.localdate())

    def allowed_transitions(self) -> list[str]:
        return sorted(self.TRANSITIONS.get(self.status, set()))


class PlatformStatusChange(models.Model):
    """Append-only audit trail of a platform's lifecycle: who, when, from, to, why, with what evidence.

    A renewal of the MoU is recorded too, with the same status before and after."""

    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="status_changes",
                                 verbose_name=_("platform"))
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20)
    by_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name=_("by"))
    reason = models.TextField(_("reason"))
    evidence = models.TextField(_("evidence"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("platform status change")
        verbose_name_plural = _("platform status changes")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.platform}: {self.from_status or '—'} → {self.to_status}"

    def save(self, *args, **kwargs):
        # The trail is evidence: rows are added, never rewritten.
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Platform status changes are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Platform status changes are append-only.")

    @property
    def from_label(self) -> str:
        return Platform.Status(self.from_status).label if self.from_status else "—"

    @property
    def to_label(self) -> str:
        return Platform.Status(self.to_status).label


class PrivateDocumentStorage(FileSystemStorage):
    """Application documents, outside MEDIA_ROOT (which a debug server serves): only staff download them,
    through a view that checks permissions. The folder is read from settings at each use."""

    def __init__(self):
        super().__init__()

    @property
    def base_location(self):
        return str(getattr(settings, "PLATFORM_DOCUMENTS_ROOT", None)
                   or Path(settings.BASE_DIR) / "private" / "platform-documents")

    @property
    def location(self):
        return str(Path(self.base_location).resolve())

    @property
    def base_url(self):
        return None


private_documents = PrivateDocumentStorage()


def document_path(instance: PlatformDocument, filename: str) -> str:
    # The stored name never comes from the uploader: it is the content's hash and its sniffed extension.
    return f"{instance.platform_id}/{instance.sha256[:32]}.{instance.extension}"


class PlatformDocument(models.Model):
    """Evidence an applicant uploaded: PDF or image, its type sniffed from the content."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company registration (deed, NIB)")
        NATIONAL_REACH = Criterion.NATIONAL_REACH.value, Criterion.NATIONAL_REACH.label
        IT_SYSTEM = Criterion.IT_SYSTEM.value, Criterion.IT_SYSTEM.label
        INSTITUTIONS = Criterion.INSTITUTIONS.value, Criterion.INSTITUTIONS.label

    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("document"), max_length=20, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=document_path, storage=private_documents, max_length=200)
    original_name = models.CharField(_("file name as uploaded"), max_length=200)
    content_type = models.CharField(_("content type (sniffed)"), max_length=60)
    extension = models.CharField(max_length=8)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")
        ordering = ["platform", "kind", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"


class Evaluation(models.Model):
    """One evaluator's assessment of an application against each criterion. It decides nothing until
    a second PMO member signs it off (maker-checker)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for sign-off")
        APPROVED = "approved", _("Signed off: approved")
        REJECTED = "rejected", _("Signed off: rejected")

    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="evaluations",
                                 verbose_name=_("platform"))
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("evaluator"))
    summary = models.TextField(_("summary"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED,
                              db_index=True)
    created_at = models.DateTimeField(_("evaluated at"), default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("signed off by"))
    decided_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    decision_reason = models.TextField(_("sign-off reason"), blank=True)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-created_at"]
        constraints = [
            # Maker-checker, also in the database.
            models.CheckConstraint(condition=~Q(decided_by=models.F("evaluator")), name="evaluation_maker_checker"),
            models.UniqueConstraint(fields=["platform"], condition=Q(status="submitted"),
                                    name="evaluation_one_pending_per_platform"),
        ]

    def __str__(self) -> str:
        return f"{self.platform} · {timezone.localtime(self.created_at):%Y-%m-%d}"

    @property
    def all_met(self) -> bool:
        scores = list(self.scores.all())
        return len(scores) == len(Criterion.choices) and all(s.met for s in scores)


class CriterionScore(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="scores")
    criterion = models.CharField(_("criterion"), max_length=20, choices=Criterion.choices)
    met = models.BooleanField(_("met"))
    note = models.TextField(_("note"))
    evidence = models.TextField(_("evidence"), blank=True)

    class Meta:
        verbose_name = _("criterion score")
        verbose_name_plural = _("criterion scores")
        constraints = [models.UniqueConstraint(fields=["evaluation", "criterion"], name="score_one_per_criterion")]


class QuarterlyReview(models.Model):
    """The periodic evaluation of an active platform: the figures as they were, and the outcome."""

    class Outcome(models.TextChoices):
        CONTINUE = "continue", _("Continue")
        WARN = "warn", _("Warn")
        SUSPEND = "suspend", _("Suspend")
        TERMINATE = "terminate", _("Terminate")

    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="reviews",
                                 verbose_name=_("platform"))
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    figures = models.JSONField(_("figures"))
    previous_figures = models.JSONField(_("previous quarter's figures"))
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    reason = models.TextField(_("reason"))
    by_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("reviewed by"))
    created_at = models.DateTimeField(_("reviewed at"), default=timezone.now)

    class Meta:
        verbose_name = _("quarterly review")
        verbose_name_plural = _("quarterly reviews")
        ordering = ["-year", "-quarter", "platform"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "year", "quarter"], name="review_one_per_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1) & Q(quarter__lte=4), name="review_quarter_range"),
        ]

    def __str__(self) -> str:
        return f"{self.platform} {self.year}-Q{self.quarter}"
