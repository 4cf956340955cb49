"""The marketplace pages run a fixed number of queries whatever the page size, the number of
courses and the number of listings per course: no query per row."""
from __future__ import annotations

import uuid

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.services import enrollment_complete, enrollment_purchase, enrollment_redeem, rating_create

from .factories import CourseFactory, ListingFactory, PlatformFactory, participant_factory

pytestmark = pytest.mark.django_db

# Anonymous catalog: the filters' platform and institution choices (one UNION, cached for a
# minute), and the page with the capped count in the same query.
CATALOG_QUERIES = 2
# Anonymous course page: the course with its institution, its offers with platforms, the reviews.
COURSE_QUERIES = 3
# A signed-in request first reads its session and user.
SESSION = 2


def _catalog(n_courses: int, listings_each: int) -> None:
    platforms = PlatformFactory.create_batch(3)
    for i in range(n_courses):
        course = CourseFactory(title=f"Barista Kopi {i}")
        for p in platforms[:listings_each]:
            ListingFactory(course=course, platform=p, price=100_000 + i * 1000 + p.pk)


def _count(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("params", [
    {},
    {"q": "barista", "sort": "price"},
    {"category": "digital_marketing", "price_min": "1000", "price_max": "900000", "rating_min": "",
     "sort": "rating", "mode": "online", "province": "31"},
])
def test_the_catalog_page_runs_the_same_queries_for_5_or_50_courses_with_1_or_3_listings(
        client, django_assert_num_queries, params):
    # The search plan: PostgreSQL's corrections and full-text check, or SQLite's "which words are known".
    search_setting = 1 if params.get("q") else 0
    expected = CATALOG_QUERIES + search_setting

    _catalog(5, 1)
    cache.clear()  # measured cold: the filter choices are read too
    with django_assert_num_queries(expected):
        small = client.get(reverse("catalog:list"), params)
    assert len(small.context["courses"]) == 5

    _catalog(45, 3)
    cache.clear()  # measured cold: the filter choices are read too
    with django_assert_num_queries(expected):
        full = client.get(reverse("catalog:list"), params)
    assert len(full.context["courses"]) == 20 and full.context["total"] == 50
    cache.clear()  # measured cold: the filter choices are read too
    with django_assert_num_queries(expected):
        client.get(reverse("catalog:list"), {**params, "page": "3"})


def test_the_course_page_runs_the_same_queries_for_1_or_3_listings_and_many_reviews(
        client, django_assert_num_queries):
    one = ListingFactory().course
    three = CourseFactory()
    listings = [ListingFactory(course=three, price=100_000 * (i + 1)) for i in range(3)]
    for i in range(6):  # six completed and rated purchases
        buyer = participant_factory()
        enrollment = enrollment_purchase(participant=buyer, listing=listings[i % 3], token=str(uuid.uuid4()))
        enrollment_redeem(enrollment=enrollment)
        enrollment_complete(enrollment=enrollment, certificate_number=f"C{i}", completed_on=timezone.localdate())
        rating_create(enrollment=enrollment, participant=buyer, stars=1 + i % 5, review="ok")

    with django_assert_num_queries(COURSE_QUERIES):
        assert len(client.get(reverse("catalog:course", args=[one.pk])).context["offers"]) == 1
    with django_assert_num_queries(COURSE_QUERIES):
        response = client.get(reverse("catalog:course", args=[three.pk]))
    assert len(response.context["offers"]) == 3 and len(response.context["reviews"]) == 6

    # A signed-in participant: session, user, participant, "already bought?".
    client.force_login(participant_factory().profile.user)
    assert _count(client, reverse("catalog:course", args=[one.pk])) == COURSE_QUERIES + SESSION + 2
    assert _count(client, reverse("catalog:course", args=[three.pk])) == COURSE_QUERIES + SESSION + 2


def test_my_training_runs_the_same_queries_for_1_or_6_enrollments(client):
    participant = participant_factory(balance=1_000_000)
    client.force_login(participant.profile.user)

    def buy(completed: bool) -> None:
        enrollment = enrollment_purchase(participant=participant, listing=ListingFactory(price=100_000),
                                         token=str(uuid.uuid4()))
        if completed:
            enrollment_redeem(enrollment=enrollment)
            enrollment_complete(enrollment=enrollment, certificate_number="C", completed_on=timezone.localdate())

    buy(completed=False)
    one = _count(client, reverse("catalog:my_training"))
    for i in range(5):
        buy(completed=i % 2 == 0)
    assert _count(client, reverse("catalog:my_training")) == one
    # session, user, participant, enrollments (course, institution, platform, rating joined), balance
    assert one == SESSION + 3


def test_the_filter_choices_are_cached_and_a_platform_status_change_refreshes_them(
        client, django_assert_num_queries, django_capture_on_commit_callbacks):
    from platforms.models import Platform
    from platforms.services import platform_suspend
    from tests.platforms.factories import staff

    listing = ListingFactory()
    client.get(reverse("catalog:list"))
    with django_assert_num_queries(CATALOG_QUERIES - 1):  # warm: no choices query
        warm = client.get(reverse("catalog:list"))
    assert [slug for slug, _ in warm.context["form"].fields["platform"].choices][1:] == [listing.platform.slug]

    with django_capture_on_commit_callbacks(execute=True):
        platform_suspend(platform=listing.platform, by=staff("approver"), reason="audit")
    assert Platform.objects.get(pk=listing.platform_id).status == Platform.Status.SUSPENDED
    after = client.get(reverse("catalog:list"))
    assert list(after.context["form"].fields["platform"].choices)[1:] == []
