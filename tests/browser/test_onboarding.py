"""A company applies on a phone; two PMO staff evaluate, sign off, record the MoU and activate it in the
admin; the platform's listings then show in the catalogue."""
from __future__ import annotations

import pytest
from django.urls import reverse

from catalog.models import Course, Institution
from platforms.models import Evaluation, Platform
from tests.catalog.factories import CourseFactory, InstitutionFactory, ListingFactory
from tests.platforms.factories import PDF_BYTES, PNG_BYTES, staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pmo-rahasia-2026"
COURSE_TITLE = "Teknik Fotografi Produk untuk UMKM"


def assert_fits_the_phone(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the phone"


def admin_login(page, url, email):
    page.goto(url + reverse("admin:login"))
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.locator("#login-form [type=submit]").click()
    page.wait_for_url(url + reverse("admin:index"))


def admin_logout(page, url):
    page.locator("#logout-form button").click()
    page.wait_for_load_state()


def test_an_applicant_applies_and_two_pmo_staff_bring_the_platform_live(page, shot, live_server, settings, tmp_path):
    from playwright.sync_api import expect

    settings.PLATFORM_DOCUMENTS_ROOT = tmp_path / "documents"
    url = live_server.url
    evaluator = staff("evaluator", email="evaluator@pmo.example", password=PASSWORD)
    approver = staff("approver", email="approver@pmo.example", password=PASSWORD)

    # Given a company on a phone filling in the public application form, without an account
    page.goto(url + reverse("platforms:apply"))
    expect(page.locator("#application-form")).to_be_visible()
    assert_fits_the_phone(page)
    shot("application-form")
    for field, value in {
        "name": "Belajar Kerja", "legal_name": "PT Belajar Kerja Indonesia", "business_number": "9120304455667",
        "address": "Jl. Gatot Subroto 12, Jakarta", "contact_name": "Dewi Lestari",
        "contact_email": "kemitraan@belajarkerja.id", "contact_phone": "021 5550 111", "provinces_served": "34",
        "active_users": "850000", "security_certification": "ISO/IEC 27001:2022 No. 8812",
        "uptime_percent": "99.95", "incident_contact": "soc@belajarkerja.id",
        "portal_url": "https://belajarkerja.id", "training_institutions": "LPK Sinar Terampil\nLKP Cipta Karya",
    }.items():
        page.fill(f"#id_{field}", value)
    page.select_option("#id_kind", "edtech")
    # A file named .pdf that is really an image is refused beside its field; the typing is kept
    page.set_input_files("#id_company", files=[{"name": "akta.pdf", "mimeType": "application/pdf",
                                                "buffer": PNG_BYTES}])
    page.set_input_files("#id_it_system", files=[{"name": "iso27001.png", "mimeType": "image/png",
                                                  "buffer": PNG_BYTES}])
    page.check("#id_declaration")
    page.click("#apply-submit")
    expect(page.locator("#field-company .errorlist")).to_contain_text("PNG")
    expect(page.locator("#id_legal_name")).to_have_value("PT Belajar Kerja Indonesia")
    assert_fits_the_phone(page)
    shot("document-refused")
    page.set_input_files("#id_company", files=[{"name": "akta.pdf", "mimeType": "application/pdf",
                                                "buffer": PDF_BYTES}])
    page.set_input_files("#id_it_system", files=[{"name": "iso27001.png", "mimeType": "image/png",
                                                  "buffer": PNG_BYTES}])
    page.click("#apply-submit")

    # Then a reference number and a private status link
    platform = Platform.objects.get(name="Belajar Kerja")
    expect(page.locator("#reference")).to_have_text(platform.reference)
    assert_fits_the_phone(page)
    shot("application-received")
    status_link = page.locator("#status-link").get_attribute("href")
    assert platform.documents.count() == 2

    # The platform will sell a course of an active institution (proposed through the API)
    course = CourseFactory(title=COURSE_TITLE, institution=InstitutionFactory(status=Institution.Status.ACTIVE),
                           status=Course.Status.PUBLISHED)
    ListingFactory(course=course, platform=platform, price=275_000)
    page.goto(url + reverse("catalog:list") + "?q=Fotografi+Produk")
    expect(page.locator("main")).not_to_contain_text(COURSE_TITLE)

    # When the evaluator takes it up and scores each criterion in the admin
    admin_login(page, url, evaluator.email)
    expect(page.locator("#pending-applications_to_evaluate strong")).to_have_text("1")
    shot("admin-index-evaluator")
    page.goto(url + reverse("admin:platforms_platform_change", args=[platform.pk]))
    page.click("#action-start_evaluation")
    shot("confirm-start-evaluation")
    page.click("#confirm")
    page.click("#action-evaluate")
    for criterion in ("national_reach", "it_system", "own_portal", "institutions"):
        page.check(f"#id_{criterion}_met_0")
        page.fill(f"#id_{criterion}_note", f"Checked against the documents ({criterion}).")
    shot("evaluate-criteria")
    page.click("#submit-evaluation")
    expect(page.locator("#own-evaluation")).to_be_visible()  # they cannot sign it off themselves
    expect(page.locator("#action-approve")).to_have_count(0)
    shot("evaluation-waiting")
    admin_logout(page, url)

    # And a second PMO member signs it off, records the MoU, starts integration and activates
    admin_login(page, url, approver.email)
    expect(page.locator("#pending-approvals_waiting strong")).to_have_text("1")
    page.goto(url + reverse("admin:platforms_evaluation_change",
                            args=[Evaluation.objects.get(platform=platform).pk]))
    page.click("#action-approve")
    page.fill("#id_reason", "All four criteria met; documents checked.")
    shot("sign-off")
    page.click("#confirm")
    page.click("#action-sign_mou")
    page.fill("#id_mou_number", "NK.21/PMO-PRAKERJA/2026")
    page.fill("#id_signed_on", "2026-11-02")
    page.fill("#id_term_end", "2028-11-01")
    shot("confirm-mou")
    page.click("#confirm")
    page.click("#action-start_integration")
    page.click("#confirm")
    page.click("#action-activate")
    shot("confirm-activate")
    page.click("#confirm")
    shot("platform-timeline")

    # Then the platform is active with its whole history, and its listing shows in the catalogue
    platform.refresh_from_db()
    assert platform.status == Platform.Status.ACTIVE and platform.mou_number == "NK.21/PMO-PRAKERJA/2026"
    trail = list(platform.status_changes.values_list("to_status", "by_user__email"))
    assert trail == [("applied", None), ("under_evaluation", evaluator.email), ("approved", approver.email),
                     ("mou_signed", approver.email), ("integrating", approver.email), ("active", approver.email)]
    page.goto(url + reverse("catalog:list") + "?q=Fotografi+Produk")
    expect(page.locator("main")).to_contain_text(COURSE_TITLE)
    assert_fits_the_phone(page)
    shot("catalogue")
    page.goto(url + reverse("catalog:course", args=[course.pk]))
    expect(page.locator("main")).to_contain_text("Belajar Kerja")  # the offer names the new platform
    shot("course-offer")

    # And the applicant's status page says so
    page.goto(status_link)
    expect(page.locator("#timeline li")).to_have_count(6)
    assert_fits_the_phone(page)
    shot("status-page")
