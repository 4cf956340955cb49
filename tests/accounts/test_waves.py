"""Waves: the status machine, the budget entering the ledger once, applying from the dashboard."""
import pytest
from django.urls import reverse

from accounts.exceptions import (AlreadyApplied, AlreadyParticipant, AnotherWaveOpen, ProfileIncomplete,
                                 TransitionNotAllowed, WaveNotOpen)
from accounts.models import Participant, Wave, WaveApplication, WaveStatusChange
from accounts.services import wave_apply, wave_close, wave_open, wave_transition
from wallets.models import Account
from wallets.services import account_get_or_create

from .factories import ProfileFactory, UserFactory, applicants, wave_factory

pytestmark = pytest.mark.django_db


def fund_balance() -> int:
    return account_get_or_create(kind=Account.Kind.TRAINING_FUND).balance


def test_opening_a_wave_posts_its_budget_once():
    staff = UserFactory(is_staff=True)
    wave = wave_factory(number=1, quota=300)
    wave_open(wave=wave, by=staff)
    assert fund_balance() == 300 * 1_000_000
    assert account_get_or_create(kind=Account.Kind.BUDGET_SOURCE).balance == -300 * 1_000_000
    with pytest.raises(TransitionNotAllowed):
        wave_open(wave=wave, by=staff)
    assert fund_balance() == 300 * 1_000_000


def test_every_transition_is_recorded_with_who_and_why():
    staff = UserFactory(is_staff=True)
    wave = wave_factory(number=1, quota=5)
    wave_open(wave=wave, by=staff, reason="schedule")
    wave_close(wave=wave, by=staff, reason="window over")
    changes = list(WaveStatusChange.objects.filter(wave=wave).values_list("from_status", "to_status", "by", "reason"))
    assert changes == [("", "draft", None, "created"), ("draft", "open", staff.pk, "schedule"),
                       ("open", "closed", staff.pk, "window over")]


@pytest.mark.parametrize("start, to", [
    ("draft", "closed"), ("draft", "selected"), ("open", "selected"), ("closed", "open"), ("open", "draft"),
])
def test_disallowed_transitions_are_refused(start, to):
    wave = wave_factory(number=1, quota=5, status=start)
    with pytest.raises(TransitionNotAllowed):
        wave_transition(wave=wave, to=to, by=None)
    wave.refresh_from_db()
    assert wave.status == start


def test_only_one_wave_is_open_at_a_time():
    wave_factory(number=1, quota=5, status="open")
    second = wave_factory(number=2, quota=5)
    with pytest.raises(AnotherWaveOpen):
        wave_open(wave=second, by=None)
    assert Wave.objects.get(pk=second.pk).status == "draft"


def test_apply_rules():
    wave = wave_factory(number=1, quota=5, status="open")
    profile = ProfileFactory()
    wave_apply(profile=profile, wave=wave)
    with pytest.raises(AlreadyApplied):
        wave_apply(profile=profile, wave=wave)
    with pytest.raises(ProfileIncomplete):
        wave_apply(profile=None, wave=wave)
    closed = wave_factory(number=2, quota=5, status="draft")
    with pytest.raises(WaveNotOpen):
        wave_apply(profile=ProfileFactory(), wave=closed)
    assert WaveApplication.objects.count() == 1


def test_a_wave_outside_its_window_takes_no_applications():
    wave = wave_factory(number=1, quota=5, status="open", opens_in_days=2, closes_in_days=5)
    with pytest.raises(WaveNotOpen):
        wave_apply(profile=ProfileFactory(), wave=wave)


def test_a_participant_cannot_apply_again_and_the_rejected_can(select):
    first = wave_factory(number=1, quota=1, status="open")
    apps = applicants(first, 2)
    wave_close(wave=first, by=None)
    select(first, "s")
    first.refresh_from_db()
    assert first.status == "selected"
    winner = Participant.objects.get(wave=first).application
    loser = next(a for a in apps if a.pk != winner.pk)
    second = wave_factory(number=2, quota=1, status="open")
    with pytest.raises(AlreadyParticipant):
        wave_apply(profile=winner.profile, wave=second)
    assert wave_apply(profile=loser.profile, wave=second).wave == second


def test_dashboard_apply_button_then_waiting_state(client_en):
    client = client_en
    wave = wave_factory(number=7, quota=5, status="open")
    profile = ProfileFactory()
    client.force_login(profile.user)
    page = client.get(reverse("accounts:dashboard")).content.decode()
    assert 'id="apply"' in page
    response = client.post(reverse("accounts:wave-apply"), follow=True)
    assert WaveApplication.objects.filter(wave=wave, profile=profile).count() == 1
    assert "Waiting for the lottery" in response.content.decode()
    response = client.post(reverse("accounts:wave-apply"), follow=True)
    assert "already applied" in response.content.decode()
    assert WaveApplication.objects.filter(wave=wave, profile=profile).count() == 1


def test_dashboard_without_profile_cannot_apply(client_en):
    client = client_en
    wave_factory(number=1, quota=5, status="open")
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("accounts:wave-apply"), follow=True)
    assert "Complete your profile" in response.content.decode()
    assert not WaveApplication.objects.exists()


def test_dashboard_shows_card_and_balance_to_the_selected_and_the_result_to_the_others(client_en, select):
    client = client_en
    wave = wave_factory(number=3, quota=1, status="open")
    apps = applicants(wave, 2)
    wave_close(wave=wave, by=None)
    select(wave, "dash")
    winner = Participant.objects.get(wave=wave)
    client.force_login(winner.profile.user)
    page = client.get(reverse("accounts:dashboard")).content.decode()
    assert winner.card_number in page and "Rp1.000.000" in page
    loser = next(a for a in apps if a.pk != winner.application_id).profile
    client.force_login(loser.user)
    page = client.get(reverse("accounts:dashboard")).content.decode()
    assert "Not selected" in page and "Rp1.000.000" not in page
