"""The participant's marketplace pages: browse (public), buy (login), My training and rating.

Every refusal on the confirmation page shows its message and moves nothing; a double submit of
the same confirmation buys once."""
from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Participant
from catalog.codes import code_display
from catalog.models import Category, Course, Enrollment, Institution, Rating
from catalog.services import enrollment_complete, enrollment_purchase, enrollment_redeem
from platforms.models import Platform
from tests.accounts.factories import ProfileFactory, UserFactory
from wallets.models import LedgerTransaction

from .factories import (CourseFactory, InstitutionFactory, ListingFactory, PlatformFactory, balance_of,
                        participant_factory, payable_of)

pytestmark = pytest.mark.django_db


def _logged_in(client, participant: Participant):
    client.force_login(participant.profile.user)
    return client


def _token(response) -> str:
    match = re.search(r'name="token" value="([0-9a-f-]{36})"', response.content.decode())
    assert match, "the confirmation page carries a hidden idempotency token"
    return match.group(1)


def _titles(response) -> list[str]:
    return [c.title for c in response.context["courses"]]


def _nothing_moved(participant, platform, balance=1_000_000):
    assert balance_of(participant) == balance
    assert payable_of(platform) == 0
    assert not Enrollment.objects.filter(participant=participant).exists()
    assert not LedgerTransaction.objects.filter(code=LedgerTransaction.Code.PURCHASE).exists()


# --- Browsing -------------------------------------------------------------------------------------

def test_the_catalog_is_public_and_shows_only_what_can_be_sold(client):
    selling = PlatformFactory(name="Skill Academy")
    warned = PlatformFactory(name="Pintaria", status=Platform.Status.WARNED)
    suspended = PlatformFactory(name="Sekolahmu", status=Platform.Status.SUSPENDED)
    shown = ListingFactory(course__title="Pemasaran Digital", platform=selling, price=300_000).course
    ListingFactory(course=shown, platform=suspended, price=100_000)  # cheaper but not selling
    ListingFactory(course=shown, platform=PlatformFactory(), price=50_000, is_active=False)  # inactive
    ListingFactory(course__title="Barista Kopi", platform=warned, price=400_000)  # warned platforms sell
    ListingFactory(course__title="Draft", course__status=Course.Status.DRAFT, platform=selling)
    ListingFactory(course__title="Withdrawn", course__status=Course.Status.WITHDRAWN, platform=selling)
    ListingFactory(course__title="Inactive institution", platform=selling,
                   course__institution__status=Institution.Status.INACTIVE)
    ListingFactory(course__title="Suspended only", platform=suspended)
    CourseFactory(title="No listing at all")

    response = client.get(reverse("catalog:list"))

    assert response.status_code == 200
    assert sorted(_titles(response)) == ["Barista Kopi", "Pemasaran Digital"]
    by_title = {c.title: c for c in response.context["courses"]}
    # The price shown is the cheapest of the offers that can be bought, never a suspended one's.
    assert by_title["Pemasaran Digital"].min_price == 300_000
    assert by_title["Pemasaran Digital"].offer_count == 1
    assert "Rp300.000" in response.content.decode()
    assert "Rp100.000" not in response.content.decode()


def test_the_catalog_speaks_indonesian_by_default_and_english_when_chosen(client_en):
    from django.test import Client

    ListingFactory()
    assert 'lang="id"' in Client().get(reverse("catalog:list")).content.decode()
    page = client_en.get(reverse("catalog:list")).content.decode()
    assert 'lang="en"' in page
    assert "Find training" in page and "1 course" in page


def test_search_without_postgresql_finds_every_word_in_title_description_or_institution(client):
    ListingFactory(course__title="Pemasaran Digital untuk UMKM", course__institution__name="Akademi Niaga")
    ListingFactory(course__title="Barista Kopi", course__description="Menyeduh kopi manual dan espresso")
    ListingFactory(course__title="Menjahit Pakaian", course__institution__name="Rumah Jahit Digital")

    assert _titles(client.get(reverse("catalog:list"), {"q": "pemasaran digital"})) == [
        "Pemasaran Digital untuk UMKM"]
    assert _titles(client.get(reverse("catalog:list"), {"q": "espresso"})) == ["Barista Kopi"]
    assert sorted(_titles(client.get(reverse("catalog:list"), {"q": "  DIGITAL "}))) == [
        "Menjahit Pakaian", "Pemasaran Digital untuk UMKM"]
    empty = client.get(reverse("catalog:list"), {"q": "las listrik"})
    assert _titles(empty) == [] and 'id="no-results"' in empty.content.decode()


def test_each_filter_narrows_the_catalog(client):
    tokopedia = PlatformFactory(name="Tokopedia", slug="tokopedia")
    pintaria = PlatformFactory(name="Pintaria", slug="pintaria")
    jakarta = InstitutionFactory(name="LPK Jakarta", province="31")
    bali = InstitutionFactory(name="LPK Bali", province="51")
    a = ListingFactory(course__title="A", course__category=Category.CULINARY, course__mode=Course.Mode.OFFLINE,
                       course__institution=jakarta, platform=tokopedia, price=100_000).course
    ListingFactory(course=a, platform=pintaria, price=600_000)
    b = ListingFactory(course__title="B", course__category=Category.DIGITAL_MARKETING, course__institution=bali,
                       platform=pintaria, price=500_000).course
    Course.objects.filter(pk=b.pk).update(rating_count=2, rating_sum=9)  # 4.5
    Course.objects.filter(pk=a.pk).update(rating_count=2, rating_sum=6)  # 3.0

    def titles(**params):
        return sorted(_titles(client.get(reverse("catalog:list"), params)))

    assert titles() == ["A", "B"]
    assert titles(category="culinary") == ["A"]
    assert titles(platform="tokopedia") == ["A"]
    assert titles(institution=bali.pk) == ["B"]
    assert titles(province="31") == ["A"]
    assert titles(mode="offline") == ["A"]
    assert titles(rating_min="4") == ["B"]
    assert titles(price_min="450000") == ["A", "B"]  # A is also on Pintaria at Rp600.000
    assert titles(price_max="200000") == ["A"]
    assert titles(platform="pintaria", price_max="550000") == ["B"]  # A on Pintaria costs more
    # The price shown follows the filters: A on Pintaria is Rp600.000.
    response = client.get(reverse("catalog:list"), {"platform": "pintaria", "category": "culinary"})
    assert [c.min_price for c in response.context["courses"]] == [600_000]
    assert response.context["active_filters"] == 2


def test_an_invalid_filter_is_reported_beside_its_field_and_the_rest_still_applies(client_en):
    ListingFactory(course__title="Cheap", price=100_000)
    ListingFactory(course__title="Dear", price=900_000)

    response = client_en.get(reverse("catalog:list"), {"price_min": "500000", "price_max": "abc",
                                                        "category": "nope"})

    assert response.status_code == 200
    form = response.context["form"]
    assert "price_max" in form.errors and "category" in form.errors
    assert _titles(response) == ["Dear"]
    page = response.content.decode()
    assert 'id="field-price_max"' in page and "has-error" in page
    assert 'value="abc"' in page  # nothing typed is lost

    reversed_range = client_en.get(reverse("catalog:list"), {"price_min": "500000", "price_max": "100000"})
    assert "must not be below the lowest price" in str(reversed_range.context["form"].errors["price_max"])


def test_sorting_by_price_rating_newest_and_best_selling(client):
    now = timezone.now()
    cheap = ListingFactory(course__title="Cheap", price=100_000, course__published_at=now - dt.timedelta(days=3))
    mid = ListingFactory(course__title="Mid", price=200_000, course__published_at=now - dt.timedelta(days=1))
    dear = ListingFactory(course__title="Dear", price=300_000, course__published_at=now - dt.timedelta(days=2))
    Course.objects.filter(pk=dear.course_id).update(rating_count=1, rating_sum=5, sales_count=1)
    Course.objects.filter(pk=cheap.course_id).update(rating_count=2, rating_sum=6, sales_count=7)
    Course.objects.filter(pk=mid.course_id).update(sales_count=3)

    def order(sort):
        return _titles(client.get(reverse("catalog:list"), {"sort": sort}))

    assert order("price") == ["Cheap", "Mid", "Dear"]
    assert order("rating") == ["Dear", "Cheap", "Mid"]  # unrated last
    assert order("newest") == ["Mid", "Dear", "Cheap"]
    assert order("popular") == ["Cheap", "Mid", "Dear"]
    assert _titles(client.get(reverse("catalog:list"))) == ["Cheap", "Mid", "Dear"]  # default: best-selling


def test_pagination_keeps_the_search_and_filters(client):
    platform = PlatformFactory(slug="skill-academy")
    for i in range(45):
        ListingFactory(course__title=f"Kursus Barista {i:02d}", platform=platform, price=100_000 + i)
    ListingFactory(course__title="Kursus Menjahit", platform=platform)

    first = client.get(reverse("catalog:list"), {"q": "barista", "sort": "price"})
    assert first.context["total"] == 45
    assert len(first.context["courses"]) == 20
    assert _titles(first)[0] == "Kursus Barista 00"
    page = first.content.decode()
    assert 'href="?q=barista&amp;sort=price&amp;page=2"' in page

    third = client.get(reverse("catalog:list"), {"q": "barista", "sort": "price", "page": "3"})
    assert _titles(third) == [f"Kursus Barista {i}" for i in range(40, 45)]
    assert 'id="page-next"' not in third.content.decode()
    # A page number out of range or not a number gives a page, never an error.
    assert client.get(reverse("catalog:list"), {"page": "99"}).status_code == 200
    assert client.get(reverse("catalog:list"), {"page": "x"}).status_code == 200


def test_the_course_page_lists_every_selling_platform_cheapest_first_and_marks_it(client_en):
    course = CourseFactory(title="Barista Kopi", competency_outcomes="Menyeduh espresso\nMerawat mesin kopi")
    ListingFactory(course=course, platform=PlatformFactory(name="Tokopedia"), price=300_000)
    cheapest = ListingFactory(course=course, platform=PlatformFactory(name="Pintaria"), price=150_000)
    ListingFactory(course=course, platform=PlatformFactory(name="Bukalapak"), price=200_000)
    ListingFactory(course=course, platform=PlatformFactory(name="Gone", status=Platform.Status.SUSPENDED),
                   price=10_000)
    buyer = participant_factory(full_name="Siti Rahmawati")
    enrollment = enrollment_purchase(participant=buyer, listing=cheapest, token="r1")
    enrollment_redeem(enrollment=enrollment)
    enrollment_complete(enrollment=enrollment, certificate_number="C-1", completed_on=timezone.localdate())
    from catalog.services import rating_create
    rating_create(enrollment=enrollment, participant=buyer, stars=4, review="Praktis dan jelas")

    response = client_en.get(reverse("catalog:course", args=[course.pk]))

    assert response.status_code == 200
    offers = response.context["offers"]
    assert [(o.platform.name, o.price) for o in offers] == [
        ("Pintaria", 150_000), ("Bukalapak", 200_000), ("Tokopedia", 300_000)]
    assert [o.is_cheapest for o in offers] == [True, False, False]
    page = response.content.decode()
    assert page.count("cheapest-badge") == 1
    assert "You save Rp150.000" in page
    assert "Gone" not in page
    assert "Menyeduh espresso" in page and "Praktis dan jelas" in page
    assert "Siti R." in page and "Rahmawati" not in page  # a reviewer's surname stays private
    assert "★ 4.0" in page
    assert reverse("catalog:buy", args=[cheapest.pk]) in page


def test_a_course_that_cannot_be_sold_has_no_page(client):
    draft = ListingFactory(course__status=Course.Status.DRAFT).course
    assert client.get(reverse("catalog:course", args=[draft.pk])).status_code == 404
    assert client.get(reverse("catalog:course", args=[999999])).status_code == 404


# --- Buying -----------------------------------------------------------------------------------------

def test_buying_needs_a_login(client):
    listing = ListingFactory()
    response = client.get(reverse("catalog:buy", args=[listing.pk]))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_the_confirmation_shows_the_balance_before_and_after(client_en):
    participant = participant_factory()
    listing = ListingFactory(course__title="Barista Kopi", platform__name="Pintaria", price=350_000)

    response = _logged_in(client_en, participant).get(reverse("catalog:buy", args=[listing.pk]))

    page = response.content.decode()
    assert response.context["balance"] == 1_000_000 and response.context["balance_after"] == 650_000
    assert 'id="balance-before">Rp1.000.000' in page
    assert 'id="balance-after">Rp650.000' in page
    assert "Barista Kopi" in page and "Pintaria" in page
    uuid.UUID(_token(response))
    assert 'id="buy-submit"' in page and "this.dataset.sent" in page  # disabled on submit
    _nothing_moved(participant, listing.platform)


def test_a_purchase_shows_the_redemption_code_and_the_new_balance(client_en):
    participant = participant_factory()
    listing = ListingFactory(price=350_000)
    client = _logged_in(client_en, participant)
    token = _token(client.get(reverse("catalog:buy", args=[listing.pk])))

    response = client.post(reverse("catalog:buy", args=[listing.pk]), {"token": token}, follow=True)

    enrollment = Enrollment.objects.get(participant=participant)
    assert response.redirect_chain == [(reverse("catalog:enrollment", args=[enrollment.pk]) + "?baru=1", 302)]
    page = response.content.decode()
    assert enrollment.purchase_token == token
    assert code_display(enrollment.redemption_code) in page
    assert re.search(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}", page)
    assert 'id="balance">Rp650.000' in page
    assert "Purchase complete" in page
    assert balance_of(participant) == 650_000 and payable_of(listing.platform) == 350_000
    assert enrollment.status_changes.get().by_user == participant.profile.user


def test_a_double_submit_of_the_same_confirmation_buys_once(client):
    participant = participant_factory()
    listing = ListingFactory(price=400_000)
    client = _logged_in(client, participant)
    token = _token(client.get(reverse("catalog:buy", args=[listing.pk])))

    first = client.post(reverse("catalog:buy", args=[listing.pk]), {"token": token})
    second = client.post(reverse("catalog:buy", args=[listing.pk]), {"token": token})

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Enrollment.objects.filter(participant=participant).count() == 1
    assert LedgerTransaction.objects.filter(code=LedgerTransaction.Code.PURCHASE).count() == 1
    assert balance_of(participant) == 600_000


REFUSALS = ["insufficient_balance", "not_active_participant", "listing_unavailable", "platform_not_selling",
            "already_purchased", "purchase_token_reused", "not_a_participant", "no_profile", "form_expired"]


@pytest.mark.parametrize("case", REFUSALS)
def test_each_refusal_is_shown_on_the_page_and_nothing_moves(client_en, case):
    participant = participant_factory(balance=100_000 if case == "insufficient_balance" else 1_000_000)
    listing = ListingFactory(price=250_000)
    user = participant.profile.user
    balance = balance_of(participant)
    token = str(uuid.uuid4())
    expected = {
        "insufficient_balance": "The training balance is not enough for this purchase.",
        "not_active_participant": "Only active program participants can buy training.",
        "listing_unavailable": "This offer is no longer available.",
        "platform_not_selling": "This platform is not taking new orders at the moment.",
        "already_purchased": "You have already bought this course.",
        "purchase_token_reused": "This purchase form was already used for another purchase.",
        "not_a_participant": "Only selected Kartu Prakerja participants can buy training.",
        "no_profile": "Only selected Kartu Prakerja participants can buy training.",
        "form_expired": "This confirmation page has expired.",
    }[case]
    before = Enrollment.objects.count(), LedgerTransaction.objects.count()
    if case == "not_active_participant":
        Participant.objects.filter(pk=participant.pk).update(status=Participant.Status.FORFEITED)
    elif case == "listing_unavailable":
        type(listing).objects.filter(pk=listing.pk).update(is_active=False)
    elif case == "platform_not_selling":
        Platform.objects.filter(pk=listing.platform_id).update(status=Platform.Status.SUSPENDED)
    elif case == "already_purchased":
        other = ListingFactory(course=listing.course, price=200_000)
        enrollment_purchase(participant=participant, listing=other, token="first")
        balance = balance_of(participant)
        before = Enrollment.objects.count(), LedgerTransaction.objects.count()
    elif case == "purchase_token_reused":
        other = ListingFactory(price=100_000)
        enrollment_purchase(participant=participant, listing=other, token=token)
        balance = balance_of(participant)
        before = Enrollment.objects.count(), LedgerTransaction.objects.count()
    elif case == "not_a_participant":
        user = ProfileFactory().user  # a complete profile, never selected
    elif case == "no_profile":
        user = UserFactory()
    elif case == "form_expired":
        token = "not-a-token"
    client_en.force_login(user)

    response = client_en.post(reverse("catalog:buy", args=[listing.pk]), {"token": token})

    assert response.status_code == 200
    page = response.content.decode()
    assert expected in page
    assert 'id="purchase-error"' in page
    assert (Enrollment.objects.count(), LedgerTransaction.objects.count()) == before
    assert balance_of(participant) == balance
    assert payable_of(listing.platform) == 0
    if case in ("purchase_token_reused", "form_expired"):
        # The page offers a fresh token to try again.
        assert _token(response) != token and 'id="buy-submit"' in page


def test_the_confirmation_warns_before_the_button_when_the_balance_is_short(client_en):
    participant = participant_factory(balance=100_000)
    listing = ListingFactory(price=250_000)

    response = _logged_in(client_en, participant).get(reverse("catalog:buy", args=[listing.pk]))

    page = response.content.decode()
    assert "The training balance is not enough for this purchase." in page
    assert 'id="buy-submit"' not in page
    assert "See training up to Rp100.000" in page
    assert reverse("catalog:list") + "?sort=price&amp;price_max=100000" in page


# --- My training and rating -----------------------------------------------------------------------

def _completed(participant, **listing_kwargs) -> Enrollment:
    enrollment = enrollment_purchase(participant=participant, listing=ListingFactory(**listing_kwargs),
                                     token=str(uuid.uuid4()))
    enrollment_redeem(enrollment=enrollment)
    return enrollment_complete(enrollment=enrollment, certificate_number="SERT-2020-0001",
                               completed_on=timezone.localdate())


def test_my_training_lists_every_enrollment_with_code_status_and_certificate(client_en):
    participant = participant_factory()
    bought = enrollment_purchase(participant=participant, token="a",
                                 listing=ListingFactory(course__title="Bought", platform__name="Tokopedia",
                                                        price=100_000))
    completed = _completed(participant, course__title="Done", price=200_000)
    ListingFactory(course__title="Someone else's")
    enrollment_purchase(participant=participant_factory(), listing=ListingFactory(course__title="Not mine"),
                        token="b")

    response = _logged_in(client_en, participant).get(reverse("catalog:my_training"))

    page = response.content.decode()
    assert [e.course.title for e in response.context["enrollments"]] == ["Done", "Bought"]
    assert "Not mine" not in page
    assert code_display(bought.redemption_code) in page and code_display(completed.redemption_code) in page
    assert "Tokopedia" in page and "Rp100.000" in page
    assert "SERT-2020-0001" in page
    assert 'data-status="purchased"' in page and 'data-status="completed"' in page
    assert 'id="balance">Rp700.000' in page
    # Only the completed course can be rated.
    assert page.count('class="form rating-form"') == 1
    assert reverse("catalog:rate", args=[completed.pk]) in page


def test_rating_a_completed_course_once(client_en):
    participant = participant_factory()
    enrollment = _completed(participant)
    client = _logged_in(client_en, participant)
    url = reverse("catalog:rate", args=[enrollment.pk])
    prefix = f"r{enrollment.pk}-"

    response = client.post(url, {prefix + "stars": "5", prefix + "review": "Sangat membantu"}, follow=True)

    rating = Rating.objects.get(enrollment=enrollment)
    assert (rating.stars, rating.review) == (5, "Sangat membantu")
    assert "Thank you" in response.content.decode()
    assert 'class="form rating-form"' not in response.content.decode()
    course = Course.objects.get(pk=enrollment.course_id)
    assert (course.rating_count, course.rating_sum) == (1, 5)

    again = client.post(url, {prefix + "stars": "1", prefix + "review": "changed my mind"})
    assert again.status_code == 400
    assert "You can rate a course once" in again.content.decode()
    assert Rating.objects.filter(enrollment=enrollment).count() == 1
    assert Course.objects.get(pk=enrollment.course_id).rating_sum == 5


def test_a_rating_without_stars_shows_the_error_beside_the_stars_and_keeps_the_review(client_en):
    participant = participant_factory()
    enrollment = _completed(participant)
    prefix = f"r{enrollment.pk}-"

    response = _logged_in(client_en, participant).post(reverse("catalog:rate", args=[enrollment.pk]),
                                                       {prefix + "stars": "9", prefix + "review": "Bagus"})

    assert response.status_code == 400
    page = response.content.decode()
    assert f'stars-field has-error" id="field-{prefix}stars"' in page
    assert "Bagus</textarea>" in page
    assert not Rating.objects.exists()


def test_an_enrollment_not_completed_cannot_be_rated_and_others_enrollments_are_hidden(client_en):
    participant = participant_factory()
    enrollment = enrollment_purchase(participant=participant, listing=ListingFactory(), token="x")
    client = _logged_in(client_en, participant)
    prefix = f"r{enrollment.pk}-"

    response = client.post(reverse("catalog:rate", args=[enrollment.pk]), {prefix + "stars": "5"})
    assert response.status_code == 400 and "You can rate a course once, after you complete it." in (
        response.content.decode())
    assert not Rating.objects.exists()

    stranger = participant_factory()
    client.force_login(stranger.profile.user)
    assert client.get(reverse("catalog:enrollment", args=[enrollment.pk])).status_code == 404
    assert client.post(reverse("catalog:rate", args=[enrollment.pk]), {prefix + "stars": "5"}).status_code == 404


def test_my_training_for_someone_not_selected_says_how_to_become_a_participant(client_en):
    client_en.force_login(UserFactory())
    page = client_en.get(reverse("catalog:my_training")).content.decode()
    assert 'id="not-participant"' in page and reverse("accounts:dashboard") in page


def test_the_navigation_and_dashboard_link_to_the_catalog_and_my_training(client_en):
    participant = participant_factory()
    page = _logged_in(client_en, participant).get(reverse("accounts:dashboard")).content.decode()
    assert 'id="nav-catalog"' in page and 'id="nav-my-training"' in page
    assert 'id="dashboard-catalog"' in page and 'id="dashboard-my-training"' in page


def test_a_broad_search_counts_up_to_the_cap_and_says_there_are_more(client_en, monkeypatch):
    from catalog import views

    monkeypatch.setattr(views, "COUNT_CAP", 30)
    for i in range(35):
        ListingFactory(course__title=f"Kursus {i}", course__institution__name="Akademi Kerja")

    response = client_en.get(reverse("catalog:list"))

    assert response.context["total"] == 30 and response.context["total_capped"]
    assert response.context["page_obj"].paginator.num_pages == 2
    assert "30+ courses" in response.content.decode()
    assert 'id="found">1 course ' in client_en.get(reverse("catalog:list"), {"q": "Kursus 34"}).content.decode()
    monkeypatch.setattr(views, "COUNT_CAP", 35)  # exactly as many as there are: no "+"
    exact = client_en.get(reverse("catalog:list"))
    assert exact.context["total"] == 35 and not exact.context["total_capped"]
    assert 'id="found">35 courses' in exact.content.decode()


def test_the_filter_choices_list_selling_platforms_and_active_institutions_by_name(client):
    PlatformFactory(name="Tokopedia", slug="tokopedia")
    PlatformFactory(name="bukalapak", slug="bukalapak", status=Platform.Status.WARNED)
    PlatformFactory(name="Gone", slug="gone", status=Platform.Status.SUSPENDED)
    b = InstitutionFactory(name="LPK Bali")
    a = InstitutionFactory(name="Akademi Aceh")
    InstitutionFactory(name="Closed", status=Institution.Status.INACTIVE)

    form = client.get(reverse("catalog:list")).context["form"]

    assert list(form.fields["platform"].choices)[1:] == [("bukalapak", "bukalapak"), ("tokopedia", "Tokopedia")]
    assert list(form.fields["institution"].choices)[1:] == [(a.pk, "Akademi Aceh"), (b.pk, "LPK Bali")]
