"""The marketplace: training institutions, their courses, the listings platforms sell them through,
the participants' enrollments (orders) and ratings.

A course belongs to one institution; a listing offers it on one platform at that platform's price.
The same course may be listed on several platforms at different prices."""
from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Participant
from accounts.regions import PROVINCE_CHOICES
from platforms.models import Platform

MIN_PRICE = 1
MAX_PRICE = 1_000_000


class Category(models.TextChoices):
    DIGITAL_MARKETING = "digital_marketing", _("Digital marketing")
    BUSINESS = "business", _("Business and entrepreneurship")
    CULINARY = "culinary", _("Culinary and baking")
    FOOD_BEVERAGE = "food_beverage", _("Food and beverage service")
    DRIVING = "driving", _("Driving and transport")
    LANGUAGE = "language", _("Foreign languages")
    FINANCE = "finance", _("Finance and accounting")
    FASHION = "fashion", _("Fashion and tailoring")
    TECHNOLOGY = "technology", _("Information technology")
    DESIGN = "design", _("Design and creative")
    OFFICE = "office", _("Office administration")
    HOSPITALITY = "hospitality", _("Hospitality and tourism")
    BEAUTY = "beauty", _("Beauty and wellness")
    AGRICULTURE = "agriculture", _("Agriculture and fisheries")
    TRADES = "trades", _("Technical trades")


class Institution(models.Model):
    """A training institution (lembaga pelatihan) whose courses platforms sell."""

    class Status(models.TextChoices):
        UNDER_CURATION = "under_curation", _("Under curation")
        ACTIVE = "active", _("Active")
        REJECTED = "rejected", _("Rejected")
        INACTIVE = "inactive", _("Inactive")

    TRANSITIONS = {
        Status.UNDER_CURATION: {Status.ACTIVE, Status.REJECTED},
        Status.REJECTED: {Status.UNDER_CURATION},
        Status.ACTIVE: {Status.INACTIVE},
        Status.INACTIVE: {Status.ACTIVE},
    }

    class Accreditation(models.TextChoices):
        A = "A", _("Accredited A")
        B = "B", _("Accredited B")
        C = "C", _("Accredited C")
        NONE = "none", _("Not accredited")

    name = models.CharField(_("name"), max_length=200)
    legal_entity_number = models.CharField(_("legal entity number (NIB)"), max_length=13, unique=True,
                                           help_text=_("The 13-digit business identification number."))
    province = models.CharField(_("province"), max_length=2, choices=PROVINCE_CHOICES)
    accreditation = models.CharField(_("accreditation"), max_length=4, choices=Accreditation.choices,
                                     default=Accreditation.NONE)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.UNDER_CURATION,
                              db_index=True)
    curation_reason = models.TextField(_("curation reason"), blank=True)
    proposed_by = models.ForeignKey(Platform, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="proposed_institutions", verbose_name=_("proposed by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("training institution")
        verbose_name_plural = _("training institutions")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Partnership(models.Model):
    """A platform's partnership with an institution: it may list that institution's courses once
    the program office has approved it."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        ENDED = "ended", _("Ended")

    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="partnerships")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="partnerships")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED)
    curation_reason = models.TextField(_("curation reason"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("platform partnership")
        verbose_name_plural = _("platform partnerships")
        constraints = [models.UniqueConstraint(fields=["platform", "institution"], name="partnership_unique")]

    def __str__(self) -> str:
        return f"{self.platform} × {self.institution}"


class Course(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        UNDER_CURATION = "under_curation", _("Under curation")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", pgettext_lazy("course status", "Withdrawn")

    TRANSITIONS = {
        Status.DRAFT: {Status.UNDER_CURATION},
        Status.UNDER_CURATION: {Status.PUBLISHED, Status.REJECTED},
        Status.REJECTED: {Status.UNDER_CURATION},
        # Editing a published course's content sends it back to curation.
        Status.PUBLISHED: {Status.UNDER_CURATION, Status.WITHDRAWN},
        Status.WITHDRAWN: {Status.UNDER_CURATION},
    }

    class Level(models.TextChoices):
        BEGINNER = "beginner", _("Beginner")
        INTERMEDIATE = "intermediate", _("Intermediate")
        ADVANCED = "advanced", _("Advanced")

    class Mode(models.TextChoices):
        ONLINE = "online", _("Online")
        OFFLINE = "offline", _("Offline (in person)")
        BLENDED = "blended", _("Blended")

    class Language(models.TextChoices):
        INDONESIAN = "id", _("Indonesian")
        ENGLISH = "en", _("English")

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="courses",
                                    verbose_name=_("institution"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    category = models.CharField(_("category"), max_length=24, choices=Category.choices, db_index=True)
    level = models.CharField(_("skill level"), max_length=16, choices=Level.choices, default=Level.BEGINNER)
    hours = models.PositiveSmallIntegerField(_("hours"), validators=[MinValueValidator(1), MaxValueValidator(500)])
    mode = models.CharField(_("mode"), max_length=8, choices=Mode.choices, default=Mode.ONLINE)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.INDONESIAN)
    competency_outcomes = models.TextField(_("competency outcomes"), blank=True,
                                           help_text=_("One outcome per line."))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT,
                              db_index=True)
    curation_reason = models.TextField(_("curation reason"), blank=True)
    proposed_by = models.ForeignKey(Platform, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="proposed_courses", verbose_name=_("proposed by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # Kept by the purchase and rating services (one F() statement each), read by catalog sorting.
    sales_count = models.PositiveIntegerField(_("sales"), default=0)
    rating_count = models.PositiveIntegerField(_("ratings"), default=0)
    rating_sum = models.PositiveIntegerField(_("sum of ratings"), default=0)
    # PostgreSQL only: title (A), institution name (B), description (C) in the `indonesian`
    # configuration, with its GIN index made by a PostgreSQL-only migration. Empty on SQLite,
    # where search falls back to icontains.
    search_vector = SearchVectorField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        # The catalog's sort orders: read a page of courses in index order, not sort them all.
        indexes = [
            models.Index(F("sales_count").desc(), "id", name="course_best_selling"),
            models.Index(F("published_at").desc(), "id", name="course_newest"),
            # The same expression as catalog.selectors.RATING_ORDER: unrated courses last.
            models.Index(Coalesce(Cast("rating_sum", models.FloatField()) / NullIf(F("rating_count"), 0),
                                  Value(-1.0)).desc(), F("rating_count").desc(), "id", name="course_top_rated"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def rating_average(self) -> float | None:
        return round(self.rating_sum / self.rating_count, 1) if self.rating_count else None

    @property
    def outcomes_list(self) -> list[str]:
        return [line.strip() for line in self.competency_outcomes.splitlines() if line.strip()]


class Listing(models.Model):
    """A course offered on a digital platform at that platform's price."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="listings",
                               verbose_name=_("course"))
    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="listings",
                                 verbose_name=_("platform"))
    price = models.BigIntegerField(_("price (Rp)"),
                                   validators=[MinValueValidator(MIN_PRICE), MaxValueValidator(MAX_PRICE)])
    is_active = models.BooleanField(_("active"), default=True)
    external_ref = models.CharField(_("platform's own reference"), max_length=64, blank=True)
    sales_count = models.PositiveIntegerField(_("sales"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("listing")
        verbose_name_plural = _("listings")
        constraints = [
            models.UniqueConstraint(fields=["course", "platform"], name="listing_course_platform_unique"),
            models.CheckConstraint(condition=Q(price__gte=MIN_PRICE) & Q(price__lte=MAX_PRICE),
                                   name="listing_price_range"),
        ]
        indexes = [
            models.Index(fields=["platform", "is_active"], name="listing_platform_active"),
            # A course's cheapest active offer (catalog prices, the course page) from the index alone.
            models.Index(fields=["course", "price"], condition=Q(is_active=True), name="listing_course_price_active"),
            # The catalog sorted by price walks the active listings in this order.
            models.Index(fields=["price", "id"], condition=Q(is_active=True), name="listing_price_active"),
        ]

    def __str__(self) -> str:
        return f"{self.course} @ {self.platform}"


class Enrollment(models.Model):
    """A participant's purchase of a listing: the order a platform redeems and completes."""

    class Status(models.TextChoices):
        PURCHASED = "purchased", _("Purchased")
        REDEEMED = "redeemed", _("Redeemed")
        COMPLETED = "completed", _("Completed")
        REFUNDED = "refunded", _("Refunded")

    TRANSITIONS = {
        Status.PURCHASED: {Status.REDEEMED, Status.REFUNDED},
        Status.REDEEMED: {Status.COMPLETED},
        Status.COMPLETED: set(),
        Status.REFUNDED: set(),
    }

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="enrollments",
                                    verbose_name=_("participant"))
    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="enrollments",
                                verbose_name=_("listing"))
    # Copied from the listing at purchase: what was bought, where, at what price.
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrollments",
                               verbose_name=_("course"))
    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="enrollments",
                                 verbose_name=_("platform"))
    price = models.BigIntegerField(_("price (Rp)"))
    redemption_code = models.CharField(_("redemption code"), max_length=14, unique=True)
    purchase_token = models.CharField(_("purchase token"), max_length=64, unique=True,
                                      help_text=_("The buyer's idempotency token; also the ledger key."))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PURCHASED,
                              db_index=True)
    certificate_number = models.CharField(_("certificate number"), max_length=64, blank=True)
    completed_on = models.DateField(_("completion date"), null=True, blank=True)
    created_at = models.DateTimeField(_("purchased at"), default=timezone.now, db_index=True)
    redeemed_at = models.DateTimeField(_("redeemed at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    refunded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        constraints = [
            # A course is bought once per participant unless that purchase was refunded.
            models.UniqueConstraint(fields=["participant", "course"], condition=~Q(status="refunded"),
                                    name="enrollment_one_live_per_course"),
            models.CheckConstraint(condition=Q(price__gte=MIN_PRICE) & Q(price__lte=MAX_PRICE),
                                   name="enrollment_price_range"),
        ]
        indexes = [models.Index(fields=["platform", "status", "created_at"], name="enrollment_platform_status")]

    def __str__(self) -> str:
        return self.redemption_code


class EnrollmentStatusChange(models.Model):
    """Append-only history of an enrollment's status: who (a PMO user or a platform), when, why."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    by_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    by_platform = models.ForeignKey(Platform, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reason = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("enrollment status change")
        ordering = ["at", "pk"]


class Rating(models.Model):
    """A participant's rating of a course they completed: one per enrollment."""

    enrollment = models.OneToOneField(Enrollment, on_delete=models.PROTECT, related_name="rating")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="ratings")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="ratings")
    stars = models.PositiveSmallIntegerField(_("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    review = models.TextField(_("review"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("rated at"), default=timezone.now)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [models.CheckConstraint(condition=Q(stars__gte=1) & Q(stars__lte=5), name="rating_stars_range")]
        indexes = [models.Index(fields=["course", "-created_at"], name="rating_course_recent")]

    def __str__(self) -> str:
        return f"{self.stars}★ {self.course}"
