"""Purchases at the same moment on PostgreSQL: a participant never spends more than the balance,
many buyers into one platform all land, and the ledger reconciles afterwards."""
from __future__ import annotations

import uuid

import pytest
from django.core.management import call_command

from catalog.models import Enrollment, Listing
from catalog.services import enrollment_purchase
from wallets.exceptions import InsufficientBalance
from wallets.models import Account

from tests.concurrency import run_at_once

from .factories import ListingFactory, PlatformFactory, balance_of, participant_factory, payable_of

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def hot_balances_at_commit(settings):
    """As in production: platform payables are applied by the server at commit."""
    settings.LEDGER_HOT_BALANCES_AT_COMMIT = True




def test_twenty_purchases_of_twenty_courses_at_once_never_spend_more_than_the_balance():
    balance, price = 1_000_000, 150_000
    buyer = participant_factory(balance=balance)
    listings = [ListingFactory(price=price) for _ in range(20)]

    outcomes = run_at_once(20, lambda i: enrollment_purchase(
        participant=buyer, listing=listings[i], token=str(uuid.uuid4())))

    bought = [o for o in outcomes if isinstance(o, Enrollment)]
    refused = [o for o in outcomes if isinstance(o, InsufficientBalance)]
    assert len(bought) == balance // price == 6, outcomes
    assert len(refused) == 20 - 6, outcomes
    assert balance_of(buyer) == balance - 6 * price == 100_000
    assert Enrollment.objects.filter(participant=buyer).count() == 6
    # Refused purchases left no enrollment, no sale counted and nothing in any payable.
    assert sum(payable_of(listing.platform) for listing in listings) == 6 * price
    assert sum(Listing.objects.filter(pk__in=[x.pk for x in listings]).values_list("sales_count", flat=True)) == 6
    assert not Account.objects.filter(kind=Account.Kind.PARTICIPANT_BALANCE, balance__lt=0).exists()
    call_command("reconcile_ledger")


def test_the_same_confirmation_submitted_from_eight_threads_buys_once():
    buyer = participant_factory()
    listing = ListingFactory(price=300_000)
    token = str(uuid.uuid4())

    outcomes = run_at_once(8, lambda i: enrollment_purchase(participant=buyer, listing=listing, token=token))

    assert all(isinstance(o, Enrollment) for o in outcomes), outcomes
    assert len({o.pk for o in outcomes}) == 1
    assert balance_of(buyer) == 700_000 and payable_of(listing.platform) == 300_000
    call_command("reconcile_ledger")


def test_a_hundred_participants_buying_from_the_same_platform_at_once_all_succeed():
    # 100 buyers in 100 threads released together, through at most 40 database connections at a
    # time (as a web tier's pool would hold them: the server's max_connections is 100, shared).
    platform = PlatformFactory(name="Skill Academy")
    listing = ListingFactory(platform=platform, price=250_000)
    buyers = [participant_factory() for _ in range(100)]

    outcomes = run_at_once(100, lambda i: enrollment_purchase(participant=buyers[i], listing=listing,
                                                              token=str(uuid.uuid4())), connections=40)

    enrollments = [o for o in outcomes if isinstance(o, Enrollment)]
    assert len(enrollments) == 100, [o for o in outcomes if not isinstance(o, Enrollment)]
    assert len({e.participant_id for e in enrollments}) == 100
    assert payable_of(platform) == 100 * 250_000
    assert all(balance_of(b) == 750_000 for b in buyers)
    listing.refresh_from_db()
    assert listing.sales_count == 100 and listing.course.sales_count == 100
    call_command("reconcile_ledger")
