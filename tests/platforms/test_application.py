"""The public application: a company applies without an account, uploads evidence (checked by its
content), gets a reference number and a private status link; documents are for PMO staff only."""
from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from platforms.models import Platform, PlatformDocument, PlatformStatusChange

from .factories import JPEG_BYTES, PDF_BYTES, PNG_BYTES, pdf, staff

pytestmark = pytest.mark.django_db
URL = "/mitra/daftar/"


def form_data(**overrides):
    data = {
        "name": "Belajar Terus", "legal_name": "PT Belajar Terus Nusantara", "kind": "edtech",
        "business_number": "9120301234567", "address": "Jl. Sudirman 52, Jakarta", "contact_name": "Rina",
        "contact_email": "kemitraan@belajarterus.id", "contact_phone": "021 5550 100", "provinces_served": "34",
        "active_users": "1200000", "security_certification": "ISO/IEC 27001 No. 456", "uptime_percent": "99.9",
        "incident_contact": "soc@belajarterus.id", "portal_url": "https://belajarterus.id",
        "training_institutions": "LPK Cahaya\nLKP Mandiri", "declaration": "on",
        "company": pdf("akta.pdf"), "it_system": SimpleUploadedFile("iso.png", PNG_BYTES, "image/png"),
    }
    data.update(overrides)
    return data


def test_a_company_applies_gets_a_reference_and_a_private_status_link(client_en, documents_root,
                                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_en.post(URL, form_data(national_reach=SimpleUploadedFile("reach.jpeg", JPEG_BYTES)))

    assert response.status_code == 200
    platform = Platform.objects.get(name="Belajar Terus")
    assert platform.status == Platform.Status.APPLIED and platform.contact_phone == "0215550100"
    assert platform.reference and platform.reference in response.content.decode()
    link = re.search(r'id="status-link">([^<]+)<', response.content.decode()).group(1)
    # The link is also mailed to the contact.
    assert len(mail.outbox) == 1 and link in mail.outbox[0].body and platform.reference in mail.outbox[0].subject

    # The documents are stored under their hash, outside the public media folder, typed by content
    docs = {d.kind: d for d in platform.documents.all()}
    assert set(docs) == {"company", "it_system", "national_reach"}
    assert (docs["it_system"].content_type, docs["national_reach"].extension) == ("image/png", "jpg")
    assert (documents_root / docs["company"].file.name).read_bytes() == PDF_BYTES
    assert docs["company"].original_name == "akta.pdf" and "akta" not in docs["company"].file.name

    # The status page shows the status to whoever holds the link; a wrong token finds nothing.
    page = client_en.get(link)
    assert page.status_code == 200 and "Applied" in page.content.decode()
    assert client_en.get(reverse("platforms:status", args=["not-the-token"])).status_code == 404
    assert PlatformStatusChange.objects.filter(platform=platform, to_status="applied").count() == 1


@pytest.mark.parametrize("field, upload, message", [
    ("company", SimpleUploadedFile("akta.pdf", PDF_BYTES + b"0" * 2048), "larger than"),
    ("company", SimpleUploadedFile("akta.docx", b"PK\x03\x04" + b"\0" * 200), "not a PDF, JPEG or PNG"),
    ("it_system", SimpleUploadedFile("setup.pdf", b"MZ\x90\x00" + b"\0" * 200), "not a PDF, JPEG or PNG"),
    ("it_system", SimpleUploadedFile("iso.pdf", PNG_BYTES), "its content is PNG"),
    ("company", SimpleUploadedFile("akta.jpg", PDF_BYTES), "its content is PDF"),
])
def test_a_bad_document_is_refused_beside_its_field_and_the_typing_is_kept(client_en, settings, field, upload,
                                                                           message):
    settings.PLATFORM_DOCUMENT_MAX_BYTES = 1024
    response = client_en.post(URL, form_data(**{field: upload}))

    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == [field] and message in form.errors[field][0]
    assert form["legal_name"].value() == "PT Belajar Terus Nusantara"  # nothing typed is lost
    assert "choose the documents again" in response.content.decode()
    assert not Platform.objects.exists() and not PlatformDocument.objects.exists()


def test_missing_fields_and_a_taken_name_are_shown_beside_their_fields(client_en):
    response = client_en.post(URL, form_data(business_number="12345", provinces_served="40", company=""))
    assert set(response.context["form"].errors) == {"business_number", "provinces_served", "company"}
    staff("approver")
    Platform.objects.create(name="Belajar Terus", slug="bt")
    response = client_en.post(URL, form_data())
    assert response.status_code == 400 and "already applied" in response.context["form"].errors["name"][0]


def test_the_page_opens_without_login(client):
    response = client.get(URL)
    assert response.status_code == 200 and b'enctype="multipart/form-data"' in response.content


def test_documents_download_only_for_pmo_staff(client):
    client.post(URL, form_data())
    doc = PlatformDocument.objects.get(kind="company")
    url = reverse("platforms:document", args=[doc.pk])
    assert client.get(url).status_code == 302  # anonymous: to the admin login
    client.force_login(staff(None))
    assert client.get(url).status_code == 403  # staff without the viewer role
    client.force_login(staff("viewer"))
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"


def test_a_rejected_applicant_reads_the_reason_on_the_status_page(client_en):
    from platforms import services

    from .factories import all_met, application

    evaluator, approver = staff("evaluator"), staff("approver")
    platform, token = application(name="Kursus Kilat")
    services.platform_evaluation_start(platform=platform, by=evaluator)
    evaluation = services.evaluation_submit(platform=platform, by=evaluator, scores=all_met(False))
    services.evaluation_decide(evaluation=evaluation, approve=False, by=approver,
                               reason="Serves two provinces; national reach not met")
    page = client_en.get(reverse("platforms:status", args=[token])).content.decode()
    assert "Rejected" in page and "national reach not met" in page


def test_a_lost_status_link_is_replaced_and_mailed_only_to_the_contact(client_en, django_capture_on_commit_callbacks):
    from .factories import application

    platform, old_token = application(name="Kursus Kilat")
    url = reverse("platforms:status_resend")
    # A wrong email gets the same answer and no mail
    with django_capture_on_commit_callbacks(execute=True):
        wrong = client_en.post(url, {"reference": platform.reference, "email": "someone@else.id"})
    assert b'id="resend-sent"' in wrong.content and not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):
        client_en.post(url, {"reference": platform.reference.lower(), "email": "KEMITRAAN@belajarterus.id"})
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["kemitraan@belajarterus.id"]
    new_link = re.search(r"https?://\S+/mitra/status/\S+/", mail.outbox[0].body).group(0)
    assert client_en.get(new_link).status_code == 200
    assert client_en.get(reverse("platforms:status", args=[old_token])).status_code == 404


def test_an_application_made_without_a_request_mails_an_absolute_link_on_the_site_url(settings, documents_root,
                                                                                      django_capture_on_commit_callbacks):
    """The demo seed (or a task) applies without a request: the emailed link is still one a person can open."""
    from .factories import application

    settings.SITE_URL = "https://prakerja.example.id/"
    with django_capture_on_commit_callbacks(execute=True):
        platform, token = application()
    assert f"https://prakerja.example.id/mitra/status/{token}/" in mail.outbox[-1].body
