"""The marketplace demo data: a realistic catalogue, purchases that follow the 2020 sales shares and
went through the ledger, safe to run twice, and a top-up to an exact number of listings.

One seeded database per module (seed_demo is the slow part): the tests below only read it, except
the last ones, which run after the reads and add to it."""
from __future__ import annotations

import re
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum

from accounts.demo import PARTICIPANT_EMAIL
from accounts.models import TRAINING_BALANCE, Participant
from catalog import demo
from catalog.models import (MAX_PRICE, MIN_PRICE, Course, Enrollment, EnrollmentStatusChange, Institution, Listing,
                            Partnership, Rating)
from platforms.models import Platform
from tests.conftest import seed
from wallets.models import Account, LedgerTransaction
from wallets.selectors import ledger_reconcile

# The sources' figures (Rp billion, early May 2020), restated here so that a change to the
# demo's table cannot pass by changing the expectation with it.
REPORTED_SHARES = {"Skill Academy": 68.9, "Sisnaker": 10.9, "Pintaria": 5.7, "Tokopedia": 5.3, "Bukalapak": 4.0,
                   "Sekolahmu": 3.0, "Mau Belajar Apa": 1.4, "Pijar Mahir": 0.7}
TOLERANCE_PP = 1.0

# Each test runs in a savepoint inside the module's seeded transaction (and pytest-django sets up
# the test database only for a session with django_db tests).
pytestmark = pytest.mark.django_db


def sales_by_platform() -> dict[str, int]:
    return dict(Enrollment.objects.exclude(status=Enrollment.Status.REFUNDED)
                .values_list("platform__name").annotate(total=Sum("price")))


def test_eight_platforms_165_active_institutions_with_valid_nibs(db_seeded):
    assert set(Platform.objects.values_list("name", flat=True)) >= set(REPORTED_SHARES)
    institutions = list(Institution.objects.all())
    assert len(institutions) == 165
    assert len({i.name for i in institutions}) == 165
    assert all(re.fullmatch(r"\d{13}", i.legal_entity_number) for i in institutions)
    assert all(i.status == Institution.Status.ACTIVE for i in institutions)
    assert len({i.province for i in institutions}) >= 30  # spread across Indonesia
    assert len({i.accreditation for i in institutions}) >= 3
    for institution in institutions:
        institution.full_clean()


def test_at_least_2000_published_courses_across_categories(db_seeded):
    courses = Course.objects.all()
    assert courses.count() >= 2000
    assert not courses.exclude(status=Course.Status.PUBLISHED).exists()
    assert not courses.filter(published_at__isnull=True).exists()
    by_category = Counter(courses.values_list("category", flat=True))
    assert set(by_category) == set(demo.CATALOG)  # every category has courses
    assert min(by_category.values()) >= 20
    assert len(set(courses.values_list("title", flat=True))) >= 1500  # varied titles, not one repeated
    assert {c for c in courses.values_list("mode", flat=True).distinct()} == {"online", "offline", "blended"}
    for course in courses.order_by("?")[:50]:
        course.full_clean()
        assert len(course.outcomes_list) >= 3


def test_each_course_is_listed_on_one_to_three_platforms_at_distinct_prices(db_seeded):
    per_course = Counter(Course.objects.annotate(n=Count("listings")).values_list("n", flat=True))
    assert set(per_course) == {1, 2, 3}
    prices: dict[int, list[int]] = {}
    for course_id, price in Listing.objects.values_list("course_id", "price"):
        prices.setdefault(course_id, []).append(price)
    assert all(len(set(p)) == len(p) for p in prices.values())
    all_prices = [p for ps in prices.values() for p in ps]
    assert MIN_PRICE <= min(all_prices) and max(all_prices) <= MAX_PRICE
    assert all(p % 1_000 == 0 for p in all_prices)
    in_band = sum(100_000 <= p <= 1_000_000 for p in all_prices)
    assert in_band / len(all_prices) >= 0.8  # mostly Rp100.000–Rp1.000.000
    assert len(set(Listing.objects.values_list("platform_id", flat=True))) == 8


def test_every_listing_has_an_approved_partnership(db_seeded):
    used = set(Listing.objects.values_list("platform_id", "course__institution_id").distinct())
    approved = set(Partnership.objects.filter(status=Partnership.Status.APPROVED)
                   .values_list("platform_id", "institution_id"))
    assert used and used <= approved


def test_sales_by_platform_follow_the_reported_shares(db_seeded):
    sales = sales_by_platform()
    grand = sum(sales.values())
    assert grand >= 50_000_000  # a real volume, not a handful
    for name, reported in REPORTED_SHARES.items():
        share = 100 * sales.get(name, 0) / grand
        assert abs(share - reported) <= TOLERANCE_PP, (name, share, reported)


def test_purchases_went_through_the_ledger_and_it_reconciles(db_seeded):
    enrollments = Enrollment.objects.filter(purchase_token__startswith=demo.PURCHASE_TOKEN_PREFIX)
    purchases = LedgerTransaction.objects.filter(code=LedgerTransaction.Code.PURCHASE)
    assert purchases.count() == enrollments.count() > 300
    refunded = enrollments.filter(status=Enrollment.Status.REFUNDED)
    assert 1 <= refunded.count() <= 0.05 * enrollments.count()
    assert LedgerTransaction.objects.filter(code=LedgerTransaction.Code.REFUND).count() == refunded.count()
    # Platforms' payables hold exactly the net sales.
    for platform in Platform.objects.all():
        payable = Account.objects.filter(kind=Account.Kind.PLATFORM_PAYABLE, owner_id=platform.pk,
                                         owner_type__model="platform").first()
        assert (payable.balance if payable else 0) == sales_by_platform().get(platform.name, 0)
    assert ledger_reconcile().ok
    out = StringIO()
    call_command("reconcile_ledger", stdout=out)
    assert "no differences" in out.getvalue()


def test_some_orders_are_redeemed_completed_and_rated_through_the_services(db_seeded):
    status = Counter(Enrollment.objects.values_list("status", flat=True))
    assert all(status[s] >= 5 for s in Enrollment.Status.values), status
    completed = Enrollment.objects.filter(status=Enrollment.Status.COMPLETED)
    assert not completed.filter(certificate_number="").exists()
    assert completed.values("certificate_number").distinct().count() == completed.count()
    # Every change is in the history, with the platform that reported it.
    changes = EnrollmentStatusChange.objects.filter(to_status=Enrollment.Status.COMPLETED)
    assert changes.count() == completed.count()
    assert not changes.filter(by_platform__isnull=True).exists()
    ratings = Rating.objects.all()
    assert ratings.count() >= 20
    assert not ratings.exclude(enrollment__status=Enrollment.Status.COMPLETED).exists()
    assert len({r.stars for r in ratings}) >= 3
    # Courses' counters agree with the rows the services wrote.
    rated = Course.objects.filter(rating_count__gt=0).annotate(n=Count("ratings"), s=Sum("ratings__stars"))
    assert all(c.rating_count == c.n and c.rating_sum == c.s for c in rated)
    sold = Course.objects.filter(sales_count__gt=0)
    live = Counter(Enrollment.objects.exclude(status=Enrollment.Status.REFUNDED).values_list("course_id", flat=True))
    assert {c.pk: c.sales_count for c in sold} == dict(live)


def test_no_participant_overspent_and_the_demo_participant_can_still_buy(db_seeded):
    assert not Account.objects.filter(kind=Account.Kind.PARTICIPANT_BALANCE, balance__lt=0).exists()
    demo_participant = Participant.objects.get(profile__user__email=PARTICIPANT_EMAIL)
    bought = Enrollment.objects.filter(participant=demo_participant)
    assert bought.count() <= 1
    balance = Account.objects.get(kind=Account.Kind.PARTICIPANT_BALANCE, owner_id=demo_participant.pk,
                                  owner_type__model="participant").balance
    assert balance == TRAINING_BALANCE - sum(e.price for e in bought) >= TRAINING_BALANCE * 3 // 4


def test_the_step_reports_what_it_made(db_seeded):
    assert "Catalogue: 165 institutions, 2,160 courses" in db_seeded
    assert re.search(r"Purchases: [\d,]+ by [\d,]+ participants, Rp[\d,]+", db_seeded)


def test_the_plan_follows_the_shares_with_few_participants_too():
    """The planner alone, with 30 buyers: shares hold within about one course price of the total."""
    listings = [(n, n // 2, n % 8 + 1, 100_000 + (n * 7919) % 900 * 1_000) for n in range(4_000)]
    shares = {p: s for p, s in zip(range(1, 9), demo.SALES_SHARES.values())}
    plan = demo.plan_purchases(seed=3, participants=list(range(1, 31)), demo_participant=None, listings=listings,
                               shares=shares)
    price = {row[0]: row for row in listings}
    totals = Counter()
    spent = Counter()
    for item in plan:
        spent[item.participant_id] += price[item.listing_id][3] if item.fate != "refunded" else 0
        if item.fate != "refunded":
            totals[price[item.listing_id][2]] += price[item.listing_id][3]
    grand = sum(totals.values())
    assert max(spent.values()) <= TRAINING_BALANCE
    largest = max(price[i.listing_id][3] for i in plan)
    for platform, share in shares.items():
        assert abs(totals[platform] / grand - share) <= largest / grand + 0.002
    assert demo.plan_purchases(seed=3, participants=list(range(1, 31)), demo_participant=None,
                               listings=listings, shares=shares) == plan  # deterministic


def test_second_run_creates_nothing(db_seeded):
    counts = {m: m.objects.count() for m in (Institution, Course, Listing, Partnership, Enrollment, Rating,
                                             LedgerTransaction)}
    output = seed()
    assert {m: m.objects.count() for m in counts} == counts
    assert "already there" in output


def test_listings_top_up_reaches_exactly_n_then_stops(db_seeded):
    before_enrollments = Enrollment.objects.count()
    target = Listing.objects.count() + 2_345
    seed(listings=target)
    assert Listing.objects.count() == target
    per_course = Counter(Course.objects.annotate(n=Count("listings")).values_list("n", flat=True))
    assert set(per_course) <= {1, 2, 3}
    new = Listing.objects.order_by("-pk")[:2_345]
    assert all(MIN_PRICE <= listing.price <= MAX_PRICE for listing in new)
    used = set(Listing.objects.values_list("platform_id", "course__institution_id").distinct())
    assert used <= set(Partnership.objects.filter(status=Partnership.Status.APPROVED)
                       .values_list("platform_id", "institution_id"))
    assert Enrollment.objects.count() == before_enrollments
    seed(listings=target - 100)  # a smaller target removes nothing and adds nothing
    assert Listing.objects.count() == target
