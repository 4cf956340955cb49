"""The participant's marketplace pages: browse the catalog, compare a course's offers, buy with the
training balance, follow My training and rate a completed course.

Browsing needs no login; buying and My training do. Views parse input, call one selector or
service and shape the output; refusals are DomainErrors shown beside the form."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models.expressions import RawSQL
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.models import Participant
from accounts.selectors import participant_balance_get
from prakerja.exceptions import DomainError, form_add_domain_error
from wallets.exceptions import InsufficientBalance

from .codes import code_display
from .exceptions import AlreadyPurchased, NotActiveParticipant
from .forms import CatalogFilterForm, PurchaseForm, RatingForm
from .models import Enrollment
from .selectors import (CatalogFilters, catalog_choices_get, course_catalog_pages, course_offers_list, course_public_get,
                        course_reviews_list, enrollment_list, enrollment_live_get, enrollment_of_participant_get,
                        listing_for_purchase_get, offers_cheapest_mark, participant_for_user_get,
                        review_author_name)
from .services import enrollment_purchase, rating_create
from .services.orders import listing_check_buyable

PAGE_SIZE = 20
# Counting every match of a broad search costs as much as finding them all; past this many, the
# page says "500+" and offers the first COUNT_CAP // PAGE_SIZE = 25 pages, more than a person
# pages through on a phone (a filter or a search narrows the rest). Counting to 1,000 cost ~10 ms
# of a ~60 ms request at 100,000 listings.
COUNT_CAP = 500


class CappedPaginator(Paginator):
    """A paginator whose count stops at COUNT_CAP (a LIMITed COUNT), counted on `counted` (the
    same rows without order or annotations) when given, and read within the page's query."""

    def __init__(self, object_list, per_page, *, counted=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.counted = counted if counted is not None else object_list

    def _capped(self):
        """The matching rows' keys, at most one past the cap: enough to tell "500+"."""
        return self.counted.order_by().values("pk")[:COUNT_CAP + 1]

    @cached_property
    def _found(self) -> int:
        return self._capped().count()

    def _found_expression(self) -> RawSQL:
        """The capped count as a scalar subquery, so it rides along with the page's own query
        (PostgreSQL and SQLite run an uncorrelated subquery once): one round trip, not two."""
        sql, params = self._capped().query.sql_with_params()
        return RawSQL(f"SELECT COUNT(*) FROM ({sql}) AS capped", params)

    def get_page(self, number) -> Page:
        """The page, read with the count in the same query. A page past the results (rare: an
        old link) falls back to counting first and showing the last page."""
        try:
            number = max(int(number), 1)
        except (TypeError, ValueError):
            number = 1
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list.annotate(found_total=self._found_expression())[bottom:bottom + self.per_page])
        if rows or number == 1:
            self.__dict__["_found"] = rows[0].found_total if rows else 0
            return self._get_page(rows, number, self)
        return super().get_page(number)

    @cached_property
    def count(self) -> int:
        return min(self._found, COUNT_CAP)

    @property
    def capped(self) -> bool:
        return self._found > COUNT_CAP


class NotAParticipant(DomainError):
    """A logged-in person who has no profile yet, or was not (yet) selected in a wave."""

    code = "not_a_participant"
    message = _("Only selected Kartu Prakerja participants can buy training. Complete your profile and join "
                "a wave from your dashboard; once selected, your training balance appears here.")
    http_status = 403


class PurchaseFormExpired(DomainError):
    """The hidden token is missing or not a UUID: an old or tampered page."""

    code = "purchase_form_expired"
    message = _("This confirmation page has expired. Check the details and confirm again.")


# Refusals the buyer can retry from the same page: it gets a fresh token.
RETRY_WITH_NEW_TOKEN = frozenset({PurchaseFormExpired.code, "purchase_token_reused"})


def catalog_list(request: HttpRequest) -> HttpResponse:
    """The catalog: search, filters, sorting, pages of 20 courses.

    Template `catalog/list.html` reads, besides the filter `form`:
    - `page_obj`: a Django Page whose items (also given as `courses`) are Course objects with
      `pk`, `title`, `hours`, `get_category_display`, `get_mode_display`, `institution.name`,
      `institution.get_province_display`, `rating_average` and `rating_count` (model attributes),
      plus the annotations `min_price` (int rupiah, the cheapest matching offer) and
      `offer_count` (how many platforms offer it within the filters);
    - `total` (courses found, at most COUNT_CAP), `total_capped` (True when there are more),
      `total_grouped` (`total` with thousands separators), `query` (the normalised search),
      `corrected` (the corrected search the results are for, when a typed word was corrected),
      `querystring` (the GET parameters without `page`, for the pagination links),
      `active_filters` (how many filters are set).
    The form is CatalogFilterForm(request.GET, platforms=[(slug, name)], institutions=[(pk, name)]).
    A bare baseline can render it from an in-memory list: Paginator(list_of_objects, 20).page(1)
    with Course(...) objects given `min_price` and `offer_count` attributes."""
    choices = catalog_choices_get()
    form = CatalogFilterForm(request.GET or None, **choices)
    filters = form.filters() if request.GET else CatalogFilters()
    courses, counted, corrected = course_catalog_pages(filters=filters)
    paginator = CappedPaginator(courses, PAGE_SIZE, counted=counted)
    page_obj = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "catalog/list.html", {
        "form": form,
        "page_obj": page_obj,
        "courses": page_obj.object_list,
        "total": paginator.count,
        "total_capped": paginator.capped,
        "total_grouped": number_format(paginator.count, force_grouping=True),
        "query": filters.q,
        "corrected": corrected,
        "querystring": params.urlencode(),
        "active_filters": form.active_filter_count() if request.GET else 0,
    })


def course_detail(request: HttpRequest, course_id: int) -> HttpResponse:
    """One course: its facts and outcomes, every platform offering it cheapest first (the cheapest
    marked), the average rating and the latest reviews."""
    course = course_public_get(course_id=course_id)
    if course is None:
        raise Http404
    offers = offers_cheapest_mark(course_offers_list(course=course))
    reviews = course_reviews_list(course=course)
    for review in reviews:
        review.author = review_author_name(review)
    participant = participant_for_user_get(user=request.user)
    return render(request, "catalog/course.html", {
        "course": course,
        "offers": offers,
        "cheapest": offers[0] if offers else None,
        "reviews": reviews,
        "owned": enrollment_live_get(participant=participant, course=course) if participant else None,
    })


@login_required
def buy(request: HttpRequest, listing_id: int) -> HttpResponse:
    """Confirm and buy one listing. GET shows the course, platform, price and the balance before and
    after, with a fresh idempotency token; POST passes the token to enrollment_purchase, so a double
    click or a resubmitted page buys once, and redirects to the enrollment with its code."""
    listing = listing_for_purchase_get(listing_id=listing_id)
    if listing is None:
        raise Http404
    participant = participant_for_user_get(user=request.user)
    refusal: DomainError | None = None
    if request.method == "POST":
        form = PurchaseForm(request.POST)
        if not form.is_valid():
            refusal = PurchaseFormExpired()
        elif participant is None:
            refusal = NotAParticipant()
        else:
            try:
                enrollment = enrollment_purchase(participant=participant, listing=listing,
                                                 token=str(form.cleaned_data["token"]), by_user=request.user)
            except DomainError as exc:
                refusal = exc
            else:
                return redirect(reverse("catalog:enrollment", args=[enrollment.pk]) + "?baru=1")
        if refusal is not None and refusal.code in RETRY_WITH_NEW_TOKEN:
            form = PurchaseForm.renewed()
        if refusal is not None:
            form_add_domain_error(form, refusal)
    else:
        form = PurchaseForm.fresh()
    balance = participant_balance_get(participant=participant) if participant else None
    if refusal is None:
        refusal = _purchase_blocker(participant, listing, balance)
    return render(request, "catalog/buy.html", {
        "listing": listing,
        "course": listing.course,
        "platform": listing.platform,
        "participant": participant,
        "balance": balance,
        "balance_after": balance - listing.price if balance is not None else None,
        "form": form,
        "refusal": refusal,
        "can_buy": participant is not None and (refusal is None or refusal.code in RETRY_WITH_NEW_TOKEN),
    })


def _purchase_blocker(participant: Participant | None, listing, balance: int | None) -> DomainError | None:
    """Why a purchase would be refused, to say so before the button rather than after; the service
    still decides on POST."""
    if participant is None:
        return NotAParticipant()
    if participant.status != Participant.Status.ACTIVE:
        return NotActiveParticipant()
    try:
        listing_check_buyable(listing)
    except DomainError as exc:
        return exc
    if enrollment_live_get(participant=participant, course=listing.course):
        return AlreadyPurchased()
    if balance is not None and balance < listing.price:
        return InsufficientBalance()
    return None


@login_required
def enrollment_detail(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    """One purchase: the redemption code to give the platform, its status and the balance left."""
    participant = participant_for_user_get(user=request.user)
    enrollment = (enrollment_of_participant_get(participant=participant, enrollment_id=enrollment_id)
                  if participant else None)
    if enrollment is None:
        raise Http404
    enrollment.code_display = code_display(enrollment.redemption_code)
    return render(request, "catalog/enrollment.html", {
        "enrollment": enrollment,
        "just_bought": request.GET.get("baru") == "1",
        "balance": participant_balance_get(participant=participant),
    })


@login_required
def my_training(request: HttpRequest) -> HttpResponse:
    """The participant's enrollments with code, status, certificate, and a rating form for each
    completed course not rated yet."""
    return _my_training_render(request, bound={})


def _my_training_render(request: HttpRequest, *, bound: dict[int, RatingForm], status: int = 200) -> HttpResponse:
    participant = participant_for_user_get(user=request.user)
    enrollments = enrollment_list(participant=participant) if participant else []
    for enrollment in enrollments:
        enrollment.code_display = code_display(enrollment.redemption_code)
        # A missing reverse one-to-one raises RelatedObjectDoesNotExist, an AttributeError.
        enrollment.rating_obj = getattr(enrollment, "rating", None)
        form = bound.get(enrollment.pk)
        if enrollment.status == Enrollment.Status.COMPLETED and enrollment.rating_obj is None:
            enrollment.rating_form = form or RatingForm(prefix=f"r{enrollment.pk}")
        elif form is not None:
            # Refused (already rated, not completed): the reason stands on that enrollment's card.
            enrollment.rating_refusal = form.non_field_errors()
    return render(request, "catalog/my_training.html", {
        "participant": participant,
        "enrollments": enrollments,
        "balance": participant_balance_get(participant=participant) if participant else None,
    }, status=status)


@login_required
@require_POST
def rate(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    """Rate a completed course once: 1 to 5 stars and an optional review."""
    participant = participant_for_user_get(user=request.user)
    enrollment = (enrollment_of_participant_get(participant=participant, enrollment_id=enrollment_id)
                  if participant else None)
    if enrollment is None:
        raise Http404
    form = RatingForm(request.POST, prefix=f"r{enrollment.pk}")
    if form.is_valid():
        try:
            rating_create(enrollment=enrollment, participant=participant, stars=form.cleaned_data["stars"],
                          review=form.cleaned_data["review"])
        except DomainError as exc:
            form_add_domain_error(form, exc)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Thank you! Your rating of “%(course)s” is published.")
                             % {"course": enrollment.course.title})
            return redirect(reverse("catalog:my_training") + f"#enrollment-{enrollment.pk}")
    return _my_training_render(request, bound={enrollment.pk: form}, status=400)
