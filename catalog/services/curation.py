"""Curation: the status machines of institutions, courses and partnerships, changed only here.

Platforms propose (through the API); the program office approves or rejects with a reason that the
platform reads back."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import User

from ..exceptions import CourseTransitionNotAllowed, InstitutionTransitionNotAllowed
from ..models import Course, Institution


@transaction.atomic
def course_transition(*, course: Course, to: str, by: User | None = None, reason: str = "") -> Course:
    """Move a course along Course.TRANSITIONS; the reason is kept for the platform to read.

    Raises CourseTransitionNotAllowed."""
    locked = Course.objects.select_for_update().get(pk=course.pk)
    if to not in Course.TRANSITIONS.get(locked.status, set()):
        raise CourseTransitionNotAllowed(
            CourseTransitionNotAllowed.message + " "
            + f"({locked.get_status_display()} → {Course.Status(to).label})")
    locked.status = to
    fields = ["status"]
    if to in (Course.Status.PUBLISHED, Course.Status.REJECTED):
        locked.curation_reason = reason
        fields.append("curation_reason")
    if to == Course.Status.PUBLISHED and locked.published_at is None:
        locked.published_at = timezone.now()
        fields.append("published_at")
    locked.save(update_fields=fields)
    return locked


@transaction.atomic
def institution_transition(*, institution: Institution, to: str, by: User | None = None,
                           reason: str = "") -> Institution:
    """Move an institution along Institution.TRANSITIONS. Raises InstitutionTransitionNotAllowed."""
    locked = Institution.objects.select_for_update().get(pk=institution.pk)
    if to not in Institution.TRANSITIONS.get(locked.status, set()):
        raise InstitutionTransitionNotAllowed(
            InstitutionTransitionNotAllowed.message + " "
            + f"({locked.get_status_display()} → {Institution.Status(to).label})")
    locked.status = to
    locked.curation_reason = reason
    locked.save(update_fields=["status", "curation_reason"])
    return locked
