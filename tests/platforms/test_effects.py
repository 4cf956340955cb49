"""What a status means for sales: a suspended or terminated platform sells nothing at once, while
orders already paid go on to redemption and completion; termination revokes its API keys; a
withdrawn platform's institutions and courses keep selling through other platforms."""
from __future__ import annotations


import pytest
from django.utils import timezone

from api.models import ApiKey
from api.services import api_key_issue
from catalog.exceptions import PlatformNotSelling
from catalog.models import Enrollment
from catalog.services import enrollment_complete, enrollment_purchase, enrollment_redeem
from platforms import services
from platforms.models import Platform
from tests.catalog.factories import CourseFactory, ListingFactory, balance_of, participant_factory

from .factories import platform_at, staff

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("sanction", ["suspend", "terminate", "withdraw"])
def test_a_sanctioned_platform_takes_no_new_orders_but_paid_orders_redeem_and_complete(sanction):
    # Given an active platform with a listing, one order paid before the sanction
    approver = staff("approver")
    platform = platform_at(Platform.Status.ACTIVE, approver=approver)
    listing = ListingFactory(platform=platform, price=400_000)
    early = participant_factory()
    paid = enrollment_purchase(participant=early, listing=listing, token="before")

    # When the PMO suspends, terminates, or the platform withdraws
    getattr(services, f"platform_{sanction}")(platform=platform, by=approver, reason="Audit findings")

    # Then a new purchase is refused at once and moves no money
    late = participant_factory()
    with pytest.raises(PlatformNotSelling):
        enrollment_purchase(participant=late, listing=listing, token="after")
    assert balance_of(late) == 1_000_000
    assert not Enrollment.objects.filter(participant=late).exists()

    # And the order already paid still redeems and completes
    enrollment_redeem(enrollment=paid, by_user=approver)
    done = enrollment_complete(enrollment=paid, certificate_number="CERT-001", completed_on=timezone.localdate(),
                               by_user=approver)
    assert done.status == Enrollment.Status.COMPLETED


def test_a_warned_platform_goes_on_selling_and_a_reinstated_one_sells_again():
    approver = staff("approver")
    platform = platform_at(Platform.Status.WARNED, approver=approver)
    listing = ListingFactory(platform=platform)
    assert enrollment_purchase(participant=participant_factory(), listing=listing, token="w1")
    services.platform_suspend(platform=platform, by=approver, reason="Still late")
    with pytest.raises(PlatformNotSelling):
        enrollment_purchase(participant=participant_factory(), listing=listing, token="s1")
    services.platform_reinstate(platform=platform, by=approver, reason="Corrected")
    assert enrollment_purchase(participant=participant_factory(), listing=listing, token="r1")


def test_termination_revokes_every_api_key_of_the_platform_and_no_other():
    approver = staff("approver")
    platform = platform_at(Platform.Status.ACTIVE, approver=approver)
    other = platform_at(Platform.Status.ACTIVE, approver=approver, name="Other")
    keys = [api_key_issue(platform=platform, mode=mode)[0] for mode in ("test", "live")]
    kept, _raw = api_key_issue(platform=other, mode="live")

    services.platform_terminate(platform=platform, by=approver, reason="Fraudulent completions")

    for key in keys:
        key.refresh_from_db()
        assert key.status == ApiKey.Status.REVOKED and "Fraudulent completions" in key.revoked_reason
        assert key.revoked_by == approver
    kept.refresh_from_db()
    assert kept.status == ApiKey.Status.ACTIVE


def test_a_withdrawn_platforms_institution_goes_on_selling_through_other_platforms():
    # Given Skill Academy's own institution, its course listed on Skill Academy and on Pintaria
    approver = staff("approver")
    skill = platform_at(Platform.Status.ACTIVE, approver=approver, name="Skill Academy")
    pintaria = platform_at(Platform.Status.ACTIVE, approver=approver, name="Pintaria")
    course = CourseFactory(title="Public speaking")
    own = ListingFactory(course=course, platform=skill)
    elsewhere = ListingFactory(course=course, platform=pintaria)

    # When Skill Academy withdraws as a platform
    services.platform_withdraw(platform=skill, by=approver, reason="Withdrew as a platform from wave 4")

    # Then its listing stops, the institution and course stay, and the course sells on Pintaria
    with pytest.raises(PlatformNotSelling):
        enrollment_purchase(participant=participant_factory(), listing=own, token="own")
    course.refresh_from_db()
    assert course.status == "published" and course.institution.status == "active"
    bought = enrollment_purchase(participant=participant_factory(), listing=elsewhere, token="elsewhere")
    assert bought.platform == pintaria


def test_a_suspended_platforms_listing_leaves_the_catalogue_at_once(client_en):
    approver = staff("approver")
    platform = platform_at(Platform.Status.ACTIVE, approver=approver)
    ListingFactory(platform=platform, course=CourseFactory(title="Menjahit Busana Muslim"))
    url = "/pelatihan/?q=Menjahit+Busana"
    assert "Menjahit Busana Muslim" in client_en.get(url).content.decode()

    services.platform_suspend(platform=platform, by=approver, reason="Audit findings")
    assert "Menjahit Busana Muslim" not in client_en.get(url).content.decode()

    services.platform_reinstate(platform=platform, by=approver, reason="Corrected")
    assert "Menjahit Busana Muslim" in client_en.get(url).content.decode()
