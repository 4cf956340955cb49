"""The participant's checkout confirmation page: log in, see the balance before and after,
confirm once, return to the platform with the order code; expired after 30 minutes."""
from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from api.models import CheckoutSession
from api.services.checkout import checkout_session_create
from catalog.models import Enrollment
from tests.accounts.factories import UserFactory
from tests.catalog.factories import balance_of, participant_factory, payable_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(tenant):
    return checkout_session_create(platform=tenant.platform, listing=tenant.listing,
                                   return_url="https://platform-a.example.id/back?cart=9")


def test_anonymous_is_sent_to_login_and_back(client, session):
    response = client.get(f"/checkout/{session.public_id}/")
    assert response.status_code == 302 and "next=/checkout/" in response["Location"]


def test_page_shows_balance_before_and_after(client_en, session):
    participant = participant_factory()
    client_en.force_login(participant.profile.user)
    html = client_en.get(f"/checkout/{session.public_id}/").content.decode()
    assert "Rp1.000.000" in html and "Rp750.000" in html and "Rp250.000" in html
    assert session.listing.course.title in html
    assert not Enrollment.objects.exists()  # nothing is paid by looking


def test_confirm_buys_once_and_returns_with_the_order_code(client, session, tenant):
    participant = participant_factory()
    client.force_login(participant.profile.user)
    first = client.post(f"/checkout/{session.public_id}/")
    assert first.status_code == 302
    location = urlsplit(first["Location"])
    query = parse_qs(location.query)
    enrollment = Enrollment.objects.get()
    assert location.netloc == "platform-a.example.id" and query["cart"] == ["9"]
    assert query["order"] == [enrollment.redemption_code] and query["checkout_session"] == [session.public_id]
    second = client.post(f"/checkout/{session.public_id}/")
    assert second["Location"] == first["Location"]
    assert Enrollment.objects.count() == 1 and balance_of(participant) == 750_000
    assert payable_of(tenant.platform) == 250_000
    session.refresh_from_db()
    assert session.status == "complete" and session.enrollment == enrollment


def test_another_participant_cannot_use_a_completed_session(client, session):
    first = participant_factory()
    client.force_login(first.profile.user)
    client.post(f"/checkout/{session.public_id}/")
    second = participant_factory()
    client.force_login(second.profile.user)
    response = client.post(f"/checkout/{session.public_id}/")
    assert response.status_code == 409 and balance_of(second) == 1_000_000
    assert Enrollment.objects.count() == 1


def test_expired_session_cannot_be_confirmed(client_en, session):
    CheckoutSession.objects.filter(pk=session.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    participant = participant_factory()
    client_en.force_login(participant.profile.user)
    assert "expired" in client_en.get(f"/checkout/{session.public_id}/").content.decode()
    response = client_en.post(f"/checkout/{session.public_id}/")
    assert response.status_code == 409 and not Enrollment.objects.exists()
    assert balance_of(participant) == 1_000_000


def test_insufficient_balance_is_explained_and_nothing_moves(client_en, session):
    participant = participant_factory(balance=100_000)
    client_en.force_login(participant.profile.user)
    assert "not enough" in client_en.get(f"/checkout/{session.public_id}/").content.decode()
    response = client_en.post(f"/checkout/{session.public_id}/")
    assert response.status_code == 409 and not Enrollment.objects.exists()


def test_a_user_who_is_not_a_participant_is_told_so(client_en, session):
    client_en.force_login(UserFactory())
    html = client_en.get(f"/checkout/{session.public_id}/").content.decode()
    assert "Only Kartu Prakerja participants" in html
    client_en.post(f"/checkout/{session.public_id}/")
    assert not Enrollment.objects.exists()


def test_indonesian_is_the_default(client, session):
    client.force_login(participant_factory().profile.user)
    html = client.get(f"/checkout/{session.public_id}/").content.decode()
    assert 'lang="id"' in html


def test_unknown_session_is_404(client):
    client.force_login(participant_factory().profile.user)
    assert client.get("/checkout/cs_nope/").status_code == 404
