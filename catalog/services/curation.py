"""Curation: the status machines of institutions, courses and partnerships, changed only here.

Platforms propose (through the API); the program office approves or rejects with a reason that the
platform reads back."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import User

from ..exceptions import CourseTransitionNotAllowed, InstitutionTransitionNotAllowed, PartnershipDecisionNotAllowed
from ..models import Course, Institution, Partnership
from ..selectors import catalog_choices_invalidate


@transaction.atomic
def course_transition(*, course: Course, to: str, by: User | None = None, reason: str = "") -> Course:
    """Move a course along Course.TRANSITIONS; the reason is kept for the platform to read.

    Raises CourseTransitionNotAllowed."""
    locked = Course.objects.select_for_update().get(pk=course.pk)
    if to not in Course.TRANSITIONS.get(locked.status, set()):
        raise CourseTransitionNotAllowed.for_transition(locked, to)
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
        raise InstitutionTransitionNotAllowed.for_transition(locked, to)
    locked.status = to
    locked.curation_reason = reason
    locked.save(update_fields=["status", "curation_reason"])
    transaction.on_commit(catalog_choices_invalidate)
    return locked


# --- PMO decisions on what platforms propose ------------------------------------------------------

def _curator_check(by: User | None, reason: str, approve: bool) -> str:
    from platforms.exceptions import PmoPermissionDenied, ReasonRequired

    if by is None or not by.is_active or not by.has_perm("platforms.curate_catalog"):
        raise PmoPermissionDenied()
    reason = (reason or "").strip()
    if not approve and not reason:
        # The platform reads this back: a rejection without a reason cannot be corrected.
        raise ReasonRequired()
    return reason


@transaction.atomic
def course_curate(*, course: Course, approve: bool, reason: str = "", by: User) -> Course:
    """Publish or reject a course waiting in the curation queue; the reason is what the proposing
    platform reads back (API and webhook `course.curated`, sent after commit).

    Raises PmoPermissionDenied, ReasonRequired (a rejection needs one), CourseTransitionNotAllowed."""
    reason = _curator_check(by, reason, approve)
    # Course.TRANSITIONS publishes or rejects only a course under curation.
    decided = course_transition(course=course, to=Course.Status.PUBLISHED if approve else Course.Status.REJECTED,
                                by=by, reason=reason)
    if decided.proposed_by_id:
        from api.webhooks import event_publish

        platform = decided.proposed_by
        data = {"course_id": decided.pk, "title": decided.title, "status": decided.status,
                "reason": decided.curation_reason, "decided_at": timezone.now()}
        transaction.on_commit(lambda: event_publish(platform=platform, type="course.curated", data=data))
    return decided


@transaction.atomic
def institution_curate(*, institution: Institution, approve: bool, reason: str = "", by: User) -> Institution:
    """Admit or reject a proposed training institution. Raises PmoPermissionDenied, ReasonRequired,
    InstitutionTransitionNotAllowed (only one under curation is decided)."""
    reason = _curator_check(by, reason, approve)
    if Institution.objects.filter(pk=institution.pk).exclude(status=Institution.Status.UNDER_CURATION).exists():
        raise InstitutionTransitionNotAllowed()
    return institution_transition(institution=institution, by=by, reason=reason,
                                  to=Institution.Status.ACTIVE if approve else Institution.Status.REJECTED)


@transaction.atomic
def partnership_decide(*, partnership: Partnership, approve: bool, reason: str = "", by: User) -> Partnership:
    """Approve or reject a platform's proposed partnership with an institution; only a proposed one is
    decided. Raises PmoPermissionDenied, ReasonRequired, PartnershipDecisionNotAllowed."""
    reason = _curator_check(by, reason, approve)
    locked = Partnership.objects.select_for_update().get(pk=partnership.pk)
    if locked.status != Partnership.Status.PROPOSED:
        raise PartnershipDecisionNotAllowed()
    locked.status = Partnership.Status.APPROVED if approve else Partnership.Status.REJECTED
    locked.curation_reason = reason
    locked.save(update_fields=["status", "curation_reason"])
    return locked
