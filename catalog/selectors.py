"""Reads for the participant's marketplace pages: the catalog, a course's offers, My training.

Only what may be sold shows: a course that is published, of an active institution, with at least
one active listing on a platform whose status is in Platform.SELLING; prices come only from such
listings. Every function runs a fixed number of queries whatever the number of rows."""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from django.core.cache import cache
from django.db.models import CharField, Count, Exists, F, FilteredRelation, FloatField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce, NullIf

from accounts.models import Participant, User
from platforms.models import Platform

from .models import Course, Enrollment, Institution, Listing, Rating
from .search import course_search_filter, search_normalise, search_plan_get


class Sort:
    RELEVANCE = "relevance"
    POPULAR = "popular"
    PRICE = "price"
    RATING = "rating"
    NEWEST = "newest"


@dataclass(frozen=True)
class CatalogFilters:
    """What the catalog page was asked for; every field optional."""

    q: str = ""
    category: str = ""
    platform: str = ""  # a platform's slug
    institution: int | None = None
    province: str = ""
    mode: str = ""
    price_min: int | None = None
    price_max: int | None = None
    rating_min: int | None = None
    sort: str = ""


def offer_condition(prefix: str = "") -> Q:
    """A listing that may be sold now (prefix "listings__" from a course)."""
    return Q(**{f"{prefix}is_active": True, f"{prefix}platform__status__in": Platform.SELLING})


def sellable_courses() -> QuerySet[Course]:
    return Course.objects.filter(status=Course.Status.PUBLISHED, institution__status=Institution.Status.ACTIVE)


def _offers_q(filters: CatalogFilters, prefix: str = "") -> Q:
    """Listings that may be bought now and pass the platform and price filters. Platforms are a
    subquery of ids, not a join, so the condition also serves a FilteredRelation."""
    platforms = Platform.objects.filter(status__in=Platform.SELLING).order_by()
    if filters.platform:
        platforms = platforms.filter(slug=filters.platform)
    q = Q(**{f"{prefix}is_active": True, f"{prefix}platform_id__in": Subquery(platforms.values("pk"))})
    if filters.price_min is not None:
        q &= Q(**{f"{prefix}price__gte": filters.price_min})
    if filters.price_max is not None:
        q &= Q(**{f"{prefix}price__lte": filters.price_max})
    return q


# The columns a catalogue card reads (catalog/list.html); the rest stay in the database (the sorts
# and filters read them there). A card reading another field would cost a query per course:
# tests/catalog/test_queries.py counts them.
CARD_FIELDS = ("title", "category", "hours", "mode", "rating_count", "rating_sum", "institution__name",
               "institution__province")
RATING_ORDER = Coalesce(Cast("rating_sum", FloatField()) / NullIf(F("rating_count"), 0), Value(-1.0))


def course_catalog_list(*, filters: CatalogFilters) -> QuerySet[Course]:
    """The catalog's courses in order (see course_catalog_pages)."""
    return course_catalog_pages(filters=filters).courses


class CatalogPages(NamedTuple):
    courses: QuerySet[Course]
    counted: QuerySet[Course]
    corrected: str | None  # the corrected search the courses are for, when a typed word was corrected


def course_catalog_pages(*, filters: CatalogFilters) -> CatalogPages:
    """The catalog's courses, filtered and sorted, each annotated with `min_price` (the cheapest
    matching offer), `offer_count` (how many platforms offer it within the filters) and `rank`;
    the institution is joined; the same courses unordered, for counting; and the corrected search
    to announce. Two queries once paginated (count and page), plus one to plan a search when its
    plan is not cached.

    The platform and price-range filters apply to the offers themselves: "Tokopedia, up to
    Rp300.000" keeps a course offered on Tokopedia for at most Rp300.000 and shows that price.

    No GROUP BY over the listings: offers are a correlated EXISTS and per-row subqueries, so
    sorted by sales, rating or date PostgreSQL reads the first page of courses in index order and
    prices only those rows. Sorted by price, it walks the active listings in price order (index
    listing_price_active) keeping each course's cheapest matching offer (no cheaper one exists),
    and stops after the page."""
    query = search_normalise(filters.q)
    offers = Listing.objects.filter(_offers_q(filters), course=OuterRef("pk"))

    courses = sellable_courses()
    if filters.category:
        courses = courses.filter(category=filters.category)
    if filters.institution:
        courses = courses.filter(institution_id=filters.institution)
    if filters.province:
        courses = courses.filter(institution__province=filters.province)
    if filters.mode:
        courses = courses.filter(mode=filters.mode)
    if filters.rating_min:
        courses = courses.filter(rating_count__gt=0, rating_sum__gte=F("rating_count") * filters.rating_min)
    # Only what a result card shows is fetched (CARD_FIELDS).
    plan = search_plan_get(query) if query else None
    corrected = plan.announced if plan else None
    courses = course_search_filter(courses, query, plan=plan).select_related("institution").only(*CARD_FIELDS).annotate(
        offer_count=Subquery(offers.order_by().values("course").annotate(n=Count("pk")).values("n")))

    sort = filters.sort or (Sort.RELEVANCE if query else Sort.POPULAR)
    if sort == Sort.RELEVANCE and not query:
        sort = Sort.POPULAR
    # Counting needs neither order nor prices: whatever the sort, the courses with a matching offer.
    counted = courses.filter(Exists(offers)).order_by()
    if sort == Sort.PRICE:
        # Through annotations: an OuterRef("offer__…") in a later filter() would join listings again.
        cheaper = offers.filter(Q(price__lt=OuterRef("min_price"))
                                | Q(price=OuterRef("min_price"), pk__lt=OuterRef("offer_id")))
        offer = FilteredRelation("listings", condition=_offers_q(filters, "listings__"))
        cheapest_first = (courses.annotate(offer=offer)
                          .filter(offer__isnull=False)
                          .annotate(min_price=F("offer__price"), offer_id=F("offer__id"))
                          .filter(~Exists(cheaper))
                          .order_by("min_price", "offer_id"))
        return CatalogPages(cheapest_first, counted, corrected)

    # The same courses (one EXISTS, built once), priced and ordered.
    courses = counted.annotate(min_price=Subquery(offers.order_by("price").values("price")[:1]))
    order = {
        Sort.RELEVANCE: [F("rank").desc(), F("sales_count").desc()],
        Sort.POPULAR: [F("sales_count").desc()],
        Sort.RATING: [RATING_ORDER.desc(), F("rating_count").desc()],
        Sort.NEWEST: [F("published_at").desc()],  # published courses always have the date
    }[sort]
    return CatalogPages(courses.order_by(*order, "pk"), counted, corrected)


CHOICES_CACHE_KEY = "catalog:filter-choices"
CHOICES_CACHE_SECONDS = 60


def catalog_choices_invalidate() -> None:
    """Forget the cached filter choices: called when a platform or institution changes status."""
    cache.delete(CHOICES_CACHE_KEY)


def catalog_choices_get() -> dict:
    """The options of the catalog's platform and institution filters: {"platforms": [(slug, name)],
    "institutions": [(pk, name)]}, each sorted by name. The same on every request, so cached for a
    minute (one query, a UNION, when not); status changes clear it at once through
    catalog_choices_invalidate. Which listings show never depends on this cache."""
    return cache.get_or_set(CHOICES_CACHE_KEY, _catalog_choices_read, CHOICES_CACHE_SECONDS)


def _catalog_choices_read() -> dict:
    platforms = (Platform.objects.filter(status__in=Platform.SELLING).order_by()
                 .values_list(Value("p"), "slug", "name"))
    institutions = (Institution.objects.filter(status=Institution.Status.ACTIVE).order_by()
                    .values_list(Value("i"), Cast("pk", CharField()), "name"))
    rows = sorted(platforms.union(institutions, all=True), key=lambda row: (row[0], row[2].casefold(), row[1]))
    return {
        "platforms": [(key, name) for kind, key, name in rows if kind == "p"],
        "institutions": [(int(key), name) for kind, key, name in rows if kind == "i"],
    }


def course_public_get(*, course_id: int) -> Course | None:
    """A published course of an active institution (with the institution), else None."""
    return sellable_courses().select_related("institution").filter(pk=course_id).first()


def course_offers_list(*, course: Course) -> list[Listing]:
    """The course's listings that may be bought now, cheapest first, with their platforms."""
    return list(Listing.objects.filter(offer_condition(), course=course).select_related("platform")
                .order_by("price", "platform__name"))


def course_reviews_list(*, course: Course, limit: int = 20) -> list[Rating]:
    """The most recent ratings of a course, with the rater's profile (for a first name)."""
    return list(Rating.objects.filter(course=course).select_related("participant__profile")
                .order_by("-created_at", "-pk")[:limit])


def participant_for_user_get(*, user: User) -> Participant | None:
    """The program participant behind a login, or None (no profile yet, or never selected)."""
    if not user.is_authenticated:
        return None
    return Participant.objects.filter(profile__user=user).first()


def enrollment_live_get(*, participant: Participant, course: Course) -> Enrollment | None:
    """The participant's enrollment of this course that was not refunded, if any."""
    return (Enrollment.objects.filter(participant=participant, course=course)
            .exclude(status=Enrollment.Status.REFUNDED).first())


def listing_for_purchase_get(*, listing_id: int) -> Listing | None:
    return (Listing.objects.select_related("course__institution", "platform").filter(pk=listing_id).first())


def enrollment_list(*, participant: Participant) -> list[Enrollment]:
    """My training: the participant's enrollments, newest first, with course, platform and rating."""
    return list(Enrollment.objects.filter(participant=participant)
                .select_related("course__institution", "platform", "rating")
                .order_by("-created_at", "-pk"))


def enrollment_of_participant_get(*, participant: Participant, enrollment_id: int) -> Enrollment | None:
    return (Enrollment.objects.filter(participant=participant, pk=enrollment_id)
            .select_related("course__institution", "platform", "rating").first())


def offers_cheapest_mark(offers: list[Listing]) -> list[Listing]:
    """Set `is_cheapest` on the offers at the lowest price (ties all marked, none when only one),
    `saving` (how much less than the dearest offer) and `extra` (how much more than the cheapest)."""
    if not offers:
        return offers
    cheapest = min(o.price for o in offers)
    dearest = max(o.price for o in offers)
    for offer in offers:
        offer.is_cheapest = len(offers) > 1 and offer.price == cheapest
        offer.saving = dearest - offer.price
        offer.extra = offer.price - cheapest
    return offers


def review_author_name(rating: Rating) -> str:
    """A rater shown by first name and initial only ("Siti R."): reviews are public."""
    parts = (rating.participant.profile.full_name or "").split()
    if not parts:
        return ""
    return parts[0] + (f" {parts[-1][0]}." if len(parts) > 1 else "")


__all__ = [
    "CatalogFilters", "Sort", "catalog_choices_get", "course_catalog_list", "course_catalog_pages", "course_offers_list",
    "course_public_get", "course_reviews_list", "enrollment_list", "enrollment_live_get",
    "enrollment_of_participant_get", "listing_for_purchase_get", "offers_cheapest_mark",
    "participant_for_user_get", "review_author_name",
]
