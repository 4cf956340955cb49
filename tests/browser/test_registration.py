"""A new participant on a phone: register, verify the email by its link, complete the profile."""
from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.models import Profile, User

from .conftest import mail_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "siti.rahma@example.id"
PASSWORD = "Kursus-Jahit-2025"
GOOD_NIK = "3201015505900001"  # Jawa Barat, a woman (day 15 + 40) born 15-05-1990
WRONG_NIK = "3201015605900001"  # one digit off: says 16-05-90
PROFILE = {
    "kk": "3201010101100003",
    "full_name": "Siti Rahmawati",
    "birth_date": "1990-05-15",
    "phone": "0812 3456 7890",
}
SELECTS = {"province": "32", "education": "sma", "employment": "unemployed"}


def test_a_new_participant_registers_verifies_and_completes_the_profile(page, shot, live_server, console_mail):
    from playwright.sync_api import expect

    url = live_server.url
    html = page.locator("html")

    # Given a phone in Indonesia opening the home page: the site speaks Indonesian.
    page.goto(url + "/")
    expect(html).to_have_attribute("lang", "id")
    expect(page.locator("#language option:checked")).to_have_text("Bahasa Indonesia")
    assert_fits_the_phone(page)
    shot("home")

    # When she registers with her email and a password
    page.locator(f".hero a[href='{reverse('account_signup')}']").click()
    expect(page).to_have_url(url + reverse("account_signup"))
    expect(html).to_have_attribute("lang", "id")
    expect(page.locator("h1")).not_to_have_text("Sign Up")  # "Daftar", from allauth's Indonesian catalogue
    assert_fits_the_phone(page)
    shot("signup")
    page.fill("#id_email", EMAIL)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.click("#signup-submit")

    # Then she is asked to verify her email, and the demo's console backend printed the link.
    expect(page).to_have_url(url + reverse("account_email_verification_sent"))
    expect(page.locator("#verification-sent")).to_be_visible()
    assert_fits_the_phone(page)
    shot("verification-sent")
    mails = [m for m in console_mail() if m["To"] == EMAIL]
    assert len(mails) == 1, [m["Subject"] for m in mails]
    assert mails[0]["Subject"].startswith("[Kartu Prakerja]")
    links = re.findall(r"https?://\S+/akun/confirm-email/\S+/", mail_text(mails[0]))
    assert len(links) == 1, mail_text(mails[0])
    assert links[0].startswith(url)

    # When she follows the link and confirms
    page.goto(links[0])
    expect(page.locator("#email-confirm")).to_contain_text(EMAIL)
    assert_fits_the_phone(page)
    shot("confirm")
    page.click("#confirm-submit")

    # Then she is signed in and sent straight to her profile.
    expect(page).to_have_url(url + reverse("accounts:profile"))
    assert User.objects.get(email=EMAIL).emailaddress_set.get().verified
    expect(page.locator("form.form .field")).to_have_count(9)
    expect(page.locator("#field-sex input[type=radio]")).to_have_count(2)  # male, female: no blank choice
    assert_fits_the_phone(page)
    shot("profile")

    # When she fills it with a NIK whose birth-date digits disagree with her birth date
    page.fill("#id_nik", WRONG_NIK)
    for name, value in PROFILE.items():
        page.fill(f"#id_{name}", value)
    page.check("#field-sex input[value=F]")
    for name, value in SELECTS.items():
        page.select_option(f"#id_{name}", value)
    page.click("form.form button[type=submit]")

    # Then the message stands beside the NIK, the only field marked, and all she typed is kept.
    expect(page).to_have_url(url + reverse("accounts:profile"))
    expect(page.locator("#field-nik .errorlist")).to_contain_text("16-05-90")
    expect(page.locator("#field-nik .errorlist")).to_be_visible()
    expect(page.locator(".field.has-error")).to_have_count(1)
    expect(page.locator(".alert.error")).to_be_visible()
    expect(page.locator("#id_nik")).to_have_value(WRONG_NIK)
    for name, value in PROFILE.items():
        expect(page.locator(f"#id_{name}")).to_have_value(value)
    for name, value in SELECTS.items():
        expect(page.locator(f"#id_{name}")).to_have_value(value)
    expect(page.locator("input[name=sex][value=F]")).to_be_checked()
    assert not Profile.objects.exists()
    assert_fits_the_phone(page)
    shot("profile-error")

    # When she corrects the NIK and saves
    page.fill("#id_nik", GOOD_NIK)
    shot("profile-corrected")
    page.click("form.form button[type=submit]")

    # Then the dashboard shows the profile complete, with the NIK masked.
    expect(page).to_have_url(url + reverse("accounts:dashboard"))
    expect(html).to_have_attribute("lang", "id")
    card = page.locator("#profile")
    expect(card.locator(".badge.ok")).to_be_visible()
    expect(page.locator("#masked-nik")).to_have_text("3201********0001")
    expect(page.locator("body")).not_to_contain_text(GOOD_NIK)
    expect(page.locator(".messages .msg")).to_have_count(1)
    profile = Profile.objects.get(user__email=EMAIL)
    assert (profile.nik, profile.sex, profile.phone) == (GOOD_NIK, "F", "+6281234567890")
    assert_fits_the_phone(page)
    shot("dashboard")

    # When she switches the footer's language to English, the same page speaks English.
    page.select_option("#language", "en")
    expect(html).to_have_attribute("lang", "en")
    expect(page).to_have_url(url + reverse("accounts:dashboard"))
    expect(page.locator("label[for=language]")).to_have_text("Language")
    expect(card.locator(".badge.ok")).to_have_text("Complete")
    expect(page.locator("#language option:checked")).to_have_text("English")
    assert_fits_the_phone(page)
    shot("dashboard-en")


def assert_fits_the_phone(page) -> None:
    """Nothing scrolls sideways at 390 px: the commonest way a page breaks on a phone."""
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the phone"


def test_the_sign_in_and_password_reset_pages_work_on_a_phone(page, shot, live_server, console_mail):
    from playwright.sync_api import expect

    url = live_server.url
    page.goto(url + reverse("account_login"))
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.locator("h1")).not_to_have_text("Sign In")  # "Masuk"
    shot("login")

    # A wrong password: the form says so at the top and keeps the email typed.
    page.fill("#id_login", EMAIL)
    page.fill("#id_password", "not-the-password")
    page.click("#login-submit")
    expect(page.locator("#login-form .alert.error")).to_be_visible()
    expect(page.locator("#id_login")).to_have_value(EMAIL)
    assert_fits_the_phone(page)
    shot("login-error")

    page.click(f"a[href='{reverse('account_reset_password')}']")
    expect(page).to_have_url(url + reverse("account_reset_password"))
    assert_fits_the_phone(page)
    shot("password-reset")
    page.fill("#id_email", EMAIL)
    page.click("#password-reset-submit")
    expect(page).to_have_url(url + reverse("account_reset_password_done"))
    expect(page.locator("#password-reset-done")).to_be_visible()
    assert_fits_the_phone(page)
    shot("password-reset-done")
