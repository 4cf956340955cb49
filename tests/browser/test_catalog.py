"""A selected participant on a phone: search with a typo, filter, compare three platforms, buy the
cheapest with a double click, and find the redemption code and the new balance."""
from __future__ import annotations

import pytest
from django.urls import reverse

from catalog.models import Category, Enrollment
from tests.catalog.factories import (CourseFactory, InstitutionFactory, ListingFactory, PlatformFactory,
                                     balance_of, participant_factory)

from .test_registration import assert_fits_the_phone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Pemasaran Digital untuk UMKM"
TYPO = "pemasaran digial"


def _marketplace():
    skill, pintaria, tokopedia = (PlatformFactory(name=n, slug=s) for n, s in [
        ("Skill Academy", "skill-academy"), ("Pintaria", "pintaria"), ("Tokopedia", "tokopedia")])
    institution = InstitutionFactory(name="Akademi Bisnis Nusantara", province="32")
    course = CourseFactory(
        title=TITLE, institution=institution, category=Category.DIGITAL_MARKETING, hours=16,
        description="Belajar memasarkan produk usaha kecil lewat media sosial dan marketplace.",
        competency_outcomes="Membuat kalender konten\nMengiklankan produk di media sosial\nMembaca laporan penjualan")
    ListingFactory(course=course, platform=skill, price=400_000)
    cheapest = ListingFactory(course=course, platform=pintaria, price=250_000)
    ListingFactory(course=course, platform=tokopedia, price=300_000)
    # Same words, another category: the filter must leave it out.
    ListingFactory(course__title="Pemasaran Digital Lanjutan", course__category=Category.BUSINESS,
                   course__institution=institution, platform=skill, price=500_000)
    ListingFactory(course__title="Barista Kopi untuk Pemula", course__category=Category.FOOD_BEVERAGE,
                   platform=tokopedia, price=350_000)
    return course, cheapest


def test_a_participant_finds_a_course_with_a_typo_and_buys_the_cheapest_once(page, shot, live_server):
    from playwright.sync_api import expect

    url = live_server.url
    course, cheapest = _marketplace()
    participant = participant_factory(full_name="Siti Rahmawati")
    user = participant.profile.user

    # Given a selected participant signed in on her phone
    page.goto(url + reverse("account_login"))
    page.fill("#id_login", user.email)
    page.fill("#id_password", "rahasia-123")
    page.click("#login-submit")
    expect(page).to_have_url(url + reverse("accounts:dashboard"))
    expect(page.locator("#dashboard-catalog")).to_be_visible()

    # When she opens the catalog and searches with a typo
    page.click("#nav-catalog")
    expect(page).to_have_url(url + reverse("catalog:list"))
    expect(page.locator("html")).to_have_attribute("lang", "id")
    assert_fits_the_phone(page)
    shot("catalog")
    page.fill("#id_q", TYPO)
    page.click("#search-submit")
    cards = page.locator(".course-card")
    # Then the typo is corrected (trigram similarity on PostgreSQL, the demo's lexicon on SQLite),
    # the course is found, and the page says which words it searched instead.
    expect(cards.filter(has_text=TITLE)).to_have_count(1)
    expect(page.locator("#search-corrected")).to_contain_text("pemasaran digital")
    expect(page.locator("#search-corrected")).to_contain_text(TYPO)
    shot("search-typo")
    expect(cards).to_have_count(2)  # the course and "Pemasaran Digital Lanjutan"
    assert_fits_the_phone(page)

    # When she filters by category
    page.click("#filters summary")
    page.select_option("#id_category", Category.DIGITAL_MARKETING)
    shot("filters")
    page.click("#filter-submit")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text(TITLE)
    expect(cards.first).to_contain_text("Rp250.000")  # the cheapest of the three platforms
    expect(page.locator("#filter-count")).to_have_text("1")
    assert_fits_the_phone(page)
    shot("filtered")

    # And opens the course, offered on three platforms, cheapest first and marked
    cards.first.locator("a").click()
    expect(page).to_have_url(url + reverse("catalog:course", args=[course.pk]))
    offers = page.locator(".offer")
    expect(offers).to_have_count(3)
    expect(offers.locator(".offer-platform")).to_have_text(["Pintaria", "Tokopedia", "Skill Academy"])
    expect(offers.first).to_have_class("offer cheapest")
    expect(page.locator(".cheapest-badge")).to_have_count(1)
    expect(page.locator("#outcomes li")).to_have_count(3)
    assert_fits_the_phone(page)
    shot("course")

    # When she picks the cheapest: the confirmation shows the balance before and after
    offers.first.locator(".buy-link").click()
    expect(page).to_have_url(url + reverse("catalog:buy", args=[cheapest.pk]))
    expect(page.locator("#balance-before")).to_have_text("Rp1.000.000")
    expect(page.locator("#balance-after")).to_have_text("Rp750.000")
    expect(page.locator("#buy-platform")).to_have_text("Pintaria")
    assert_fits_the_phone(page)
    shot("confirm")

    # And double-clicks the buy button
    page.dblclick("#buy-submit")

    # Then one purchase is made: the redemption code and the new balance are shown
    expect(page.locator("#purchase-ok")).to_be_visible()
    enrollment = Enrollment.objects.get(participant=participant)
    code = page.locator("#redemption-code")
    expect(code).to_have_text(f"{enrollment.redemption_code[:4]}-{enrollment.redemption_code[4:8]}-"
                              f"{enrollment.redemption_code[8:]}")
    expect(page.locator("#balance")).to_have_text("Rp750.000")
    assert Enrollment.objects.filter(participant=participant).count() == 1
    assert balance_of(participant) == 750_000
    assert enrollment.listing_id == cheapest.pk and enrollment.price == 250_000
    assert_fits_the_phone(page)
    shot("bought")

    # And going back to the course says it is bought, without offering to buy again
    page.goto(url + reverse("catalog:course", args=[course.pk]))
    expect(page.locator("#owned")).to_be_visible()
    expect(page.locator(".buy-link")).to_have_count(0)

    # And My training lists it with its code and status
    page.click("#nav-my-training")
    expect(page).to_have_url(url + reverse("catalog:my_training"))
    item = page.locator(f"#enrollment-{enrollment.pk}")
    expect(item).to_contain_text(TITLE)
    expect(item.locator(".code-inline")).to_have_text(enrollment.redemption_code[:4] + "-"
                                                      + enrollment.redemption_code[4:8] + "-"
                                                      + enrollment.redemption_code[8:])
    expect(item).to_have_attribute("data-status", "purchased")
    assert_fits_the_phone(page)
    shot("my-training")
    assert Enrollment.objects.count() == 1


def test_a_participant_rates_a_completed_course_once_from_my_training(page, shot, live_server):
    import datetime as dt

    from django.utils import timezone
    from playwright.sync_api import expect

    from catalog.models import Rating
    from catalog.services import enrollment_complete, enrollment_purchase, enrollment_redeem

    url = live_server.url
    participant = participant_factory(full_name="Budi Santoso")
    done = enrollment_purchase(participant=participant, token="done",
                               listing=ListingFactory(course__title="Barista Kopi untuk Pemula",
                                                      platform__name="Pintaria", price=300_000))
    enrollment_redeem(enrollment=done)
    enrollment_complete(enrollment=done, certificate_number="PRK/2020/04/000123",
                        completed_on=timezone.localdate() - dt.timedelta(days=0))
    enrollment_purchase(participant=participant, token="open",
                        listing=ListingFactory(course__title="Akuntansi Dasar UMKM", platform__name="Tokopedia",
                                               price=200_000))
    page.goto(url + reverse("account_login"))
    page.fill("#id_login", participant.profile.user.email)
    page.fill("#id_password", "rahasia-123")
    page.click("#login-submit")
    page.click("#nav-my-training")

    card = page.locator(f"#enrollment-{done.pk}")
    expect(card.locator(".certificate")).to_have_text("PRK/2020/04/000123")
    expect(page.locator(".rating-form")).to_have_count(1)  # only the completed course
    assert_fits_the_phone(page)
    shot("my-training")

    # Sending a review without stars: the message stands beside the stars, the review is kept.
    card.locator("textarea").fill("Instrukturnya sabar, praktiknya banyak.")
    card.locator(".rating-form button[type=submit]").click()
    card = page.locator(f"#enrollment-{done.pk}")
    expect(card.locator(".stars-field .errorlist")).to_be_visible()
    expect(card.locator("textarea")).to_have_value("Instrukturnya sabar, praktiknya banyak.")
    assert_fits_the_phone(page)
    shot("rating-error")

    card.locator(".star-choices label").first.click()  # 5 stars
    card.locator(".rating-form button[type=submit]").click()
    expect(page.locator(".messages .msg")).to_be_visible()
    expect(page.locator(f"#enrollment-{done.pk} .my-rating")).to_contain_text("Instrukturnya sabar")
    expect(page.locator(".rating-form")).to_have_count(0)
    rating = Rating.objects.get()
    assert (rating.stars, rating.enrollment_id) == (5, done.pk)
    assert_fits_the_phone(page)
    shot("rated")


def test_a_participant_whose_balance_is_short_is_told_before_buying(page, shot, live_server):
    from playwright.sync_api import expect

    url = live_server.url
    course, cheapest = _marketplace()
    participant = participant_factory(balance=200_000)
    page.goto(url + reverse("account_login"))
    page.fill("#id_login", participant.profile.user.email)
    page.fill("#id_password", "rahasia-123")
    page.click("#login-submit")

    page.goto(url + reverse("catalog:buy", args=[cheapest.pk]))
    expect(page.locator("#purchase-error")).to_have_attribute("data-code", "insufficient_balance")
    expect(page.locator("#balance-before")).to_have_text("Rp200.000")
    expect(page.locator("#buy-submit")).to_have_count(0)
    assert_fits_the_phone(page)
    shot("confirm-short-balance")
    assert not Enrollment.objects.exists() and balance_of(participant) == 200_000

    # The page offers the training she can afford: nothing here costs more than Rp200.000.
    page.click("#within-balance")
    expect(page.locator("#id_price_max")).to_have_value("200000")
    expect(page.locator("#no-results")).to_be_visible()
