"""Curation: what platforms propose waits in the PMO queue; a decision carries a reason the platform
reads back; only curators decide; a course decision is announced to its platform by webhook."""
from __future__ import annotations

import pytest
from django.urls import reverse

from api.models import WebhookEvent
from api.services.webhooks import webhook_endpoint_create
from catalog.exceptions import CourseTransitionNotAllowed, PartnershipDecisionNotAllowed
from catalog.models import Course, Institution, Partnership
from catalog.services.curation import (course_curate, institution_curate,
                                       partnership_decide)
from platforms.exceptions import PmoPermissionDenied, ReasonRequired
from platforms.selectors import pending_work
from tests.catalog.factories import CourseFactory, InstitutionFactory, PlatformFactory

from .factories import staff

pytestmark = pytest.mark.django_db


def test_a_rejected_course_carries_the_reason_and_its_platform_is_told(django_capture_on_commit_callbacks):
    platform = PlatformFactory()
    course = CourseFactory(status=Course.Status.UNDER_CURATION, proposed_by=platform, published_at=None)
    assert pending_work()["courses_to_curate"] == 1
    curator = staff("evaluator")

    with pytest.raises(ReasonRequired):
        course_curate(course=course, approve=False, reason=" ", by=curator)
    webhook_endpoint_create(platform=platform, url="https://platform.example.id/hooks",
                            enabled_events=["course.curated"])
    with django_capture_on_commit_callbacks() as after_commit:
        decided = course_curate(course=course, approve=False, reason="Free content on YouTube; not interactive",
                                by=curator)
    # Nothing is announced before the commit; then the event is recorded (its delivery is the API's).
    assert not WebhookEvent.objects.exists() and len(after_commit) == 1
    after_commit[0]()

    assert (decided.status, decided.curation_reason) == (Course.Status.REJECTED,
                                                         "Free content on YouTube; not interactive")
    event = WebhookEvent.objects.get(platform=platform, type="course.curated")
    assert event.data["status"] == "rejected" and event.data["reason"].startswith("Free content")
    assert pending_work()["courses_to_curate"] == 0
    with pytest.raises(CourseTransitionNotAllowed):
        course_curate(course=course, approve=True, by=curator)


def test_only_curators_decide_and_partnerships_are_decided_once():
    institution = InstitutionFactory(status=Institution.Status.UNDER_CURATION)
    with pytest.raises(PmoPermissionDenied):
        institution_curate(institution=institution, approve=True, by=staff("viewer"))
    assert institution_curate(institution=institution, approve=True, by=staff("approver")).status == "active"

    partnership = Partnership.objects.create(platform=PlatformFactory(), institution=institution)
    decided = partnership_decide(partnership=partnership, approve=True, reason="MoU with the LPK seen", by=staff("evaluator"))
    assert (decided.status, decided.curation_reason) == ("approved", "MoU with the LPK seen")
    with pytest.raises(PartnershipDecisionNotAllowed):
        partnership_decide(partnership=partnership, approve=False, reason="x", by=staff("evaluator"))


def test_the_admin_curation_action_confirms_then_decides(client_en):
    course = CourseFactory(status=Course.Status.UNDER_CURATION, published_at=None)
    client_en.force_login(staff("evaluator"))
    url = reverse("admin:catalog_course_changelist")
    confirm = client_en.post(url, {"action": "curation_reject", "_selected_action": [course.pk]})
    assert confirm.status_code == 200 and b'id="curation-form"' in confirm.content
    course.refresh_from_db()
    assert course.status == Course.Status.UNDER_CURATION
    no_reason = client_en.post(url, {"action": "curation_reject", "_selected_action": [course.pk], "confirm": "yes"})
    assert no_reason.context["form"].errors["reason"]
    client_en.post(url, {"action": "curation_reject", "_selected_action": [course.pk], "confirm": "yes",
                         "reason": "Price above the market"})
    course.refresh_from_db()
    assert (course.status, course.curation_reason) == (Course.Status.REJECTED, "Price above the market")


def test_a_viewer_gets_no_curation_actions(client_en):
    client_en.force_login(staff("viewer"))
    page = client_en.get(reverse("admin:catalog_course_changelist"))
    assert page.status_code == 200 and b"curation_approve" not in page.content
