"""PMO order actions in the admin go through the order services."""
import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import Enrollment
from catalog.services import enrollment_purchase
from tests.accounts.factories import UserFactory

from .factories import ListingFactory, balance_of, participant_factory

pytestmark = pytest.mark.django_db
URL = reverse("admin:catalog_enrollment_changelist")


@pytest.fixture
def staff_client(client_en):
    client = client_en
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def order():
    return enrollment_purchase(participant=participant_factory(), listing=ListingFactory(price=400_000), token="t")


def test_redeem_then_complete_with_a_certificate(staff_client, order):
    staff_client.post(URL, {"action": "mark_redeemed", "_selected_action": [order.pk]})
    page = staff_client.post(URL, {"action": "mark_completed", "_selected_action": [order.pk]})
    assert page.status_code == 200 and b"certificate_number" in page.content

    staff_client.post(URL, {"action": "mark_completed", "_selected_action": [order.pk], "confirm": "yes",
                            "certificate_number": "PRJ-2020-77", "completed_on": timezone.localdate().isoformat()})
    order.refresh_from_db()
    assert (order.status, order.certificate_number) == (Enrollment.Status.COMPLETED, "PRJ-2020-77")
    assert order.status_changes.filter(to_status="completed", by_user__isnull=False).exists()


def test_a_refund_needs_a_reason_and_returns_the_money(staff_client, order):
    page = staff_client.post(URL, {"action": "refund", "_selected_action": [order.pk], "confirm": "yes", "reason": ""})
    assert page.status_code == 200
    order.refresh_from_db()
    assert order.status == Enrollment.Status.PURCHASED

    staff_client.post(URL, {"action": "refund", "_selected_action": [order.pk], "confirm": "yes",
                            "reason": "Kelas dibatalkan"})
    order.refresh_from_db()
    assert order.status == Enrollment.Status.REFUNDED
    assert balance_of(order.participant) == 1_000_000


def test_a_redeemed_order_is_not_refunded_and_the_admin_says_why(staff_client, order):
    staff_client.post(URL, {"action": "mark_redeemed", "_selected_action": [order.pk]})
    response = staff_client.post(URL, {"action": "refund", "_selected_action": [order.pk], "confirm": "yes",
                                       "reason": "x"}, follow=True)
    assert "not been redeemed" in response.content.decode()
    assert balance_of(order.participant) == 600_000
