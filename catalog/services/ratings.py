"""Ratings: a participant rates a course they completed, once per enrollment."""
from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from accounts.models import Participant

from ..exceptions import RatingNotAllowed
from ..models import Course, Enrollment, Rating


@transaction.atomic
def rating_create(*, enrollment: Enrollment, participant: Participant, stars: int, review: str = "") -> Rating:
    """Raises RatingNotAllowed (not the buyer's, not completed, already rated), ValidationError."""
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if enrollment.participant_id != participant.pk or enrollment.status != Enrollment.Status.COMPLETED:
        raise RatingNotAllowed()
    rating = Rating(enrollment=enrollment, course_id=enrollment.course_id, participant=participant,
                    stars=stars, review=(review or "").strip())
    rating.full_clean(exclude=["enrollment"])
    if Rating.objects.filter(enrollment=enrollment).exists():
        raise RatingNotAllowed()
    try:
        with transaction.atomic():
            rating.save(force_insert=True)
    except IntegrityError:
        raise RatingNotAllowed() from None
    Course.objects.filter(pk=enrollment.course_id).update(rating_count=F("rating_count") + 1,
                                                        rating_sum=F("rating_sum") + stars)
    return rating

