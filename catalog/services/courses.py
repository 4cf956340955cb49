"""Platforms create and edit courses of their partner institutions; each goes to PMO curation."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from platforms.models import Platform

from ..exceptions import CourseNotEditable, NotAPartner
from ..models import Course, Institution, Partnership
from .curation import course_transition

# The fields whose change means the program office must look at the course again.
CONTENT_FIELDS = ("title", "description", "category", "level", "hours", "mode", "language", "competency_outcomes")


def partnership_live(*, platform: Platform, institution: Institution) -> bool:
    return Partnership.objects.filter(platform=platform, institution=institution,
                                      status__in=[Partnership.Status.PROPOSED, Partnership.Status.APPROVED]).exists()


@transaction.atomic
def course_create(*, platform: Platform, institution: Institution, title: str, description: str, category: str,
                  hours: int, level: str = Course.Level.BEGINNER, mode: str = Course.Mode.ONLINE,
                  language: str = Course.Language.INDONESIAN, competency_outcomes: str = "") -> Course:
    """A new course of a partner institution, sent to curation at once.

    Raises NotAPartner, ValidationError."""
    if not partnership_live(platform=platform, institution=institution):
        raise NotAPartner()
    course = Course(institution=institution, title=(title or "").strip(), description=(description or "").strip(),
                    category=category, hours=hours, level=level, mode=mode, language=language,
                    competency_outcomes=(competency_outcomes or "").strip(), status=Course.Status.DRAFT,
                    proposed_by=platform)
    course.full_clean(exclude=["search_vector"])
    course.save(force_insert=True)
    return course_transition(course=course, to=Course.Status.UNDER_CURATION, reason="")


@transaction.atomic
def course_update(*, platform: Platform, course: Course, **changes) -> Course:
    """Edit a course's content. A change to a published, rejected or withdrawn course sends it back
    to curation (it stops selling until approved again); an unchanged value changes nothing.

    Raises CourseNotEditable, ValidationError."""
    unknown = set(changes) - set(CONTENT_FIELDS)
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed.")] for name in sorted(unknown)})
    locked = Course.objects.select_for_update().get(pk=course.pk)
    if locked.proposed_by_id != platform.pk:
        raise CourseNotEditable()
    changed = [name for name, value in changes.items()
               if (value.strip() if isinstance(value, str) else value) != getattr(locked, name)]
    if not changed:
        return locked
    for name in changed:
        value = changes[name]
        setattr(locked, name, value.strip() if isinstance(value, str) else value)
    locked.full_clean(exclude=["search_vector"])
    locked.save(update_fields=changed)
    if locked.status != Course.Status.UNDER_CURATION:
        locked = course_transition(course=locked, to=Course.Status.UNDER_CURATION,
                                   reason="")
    return locked
