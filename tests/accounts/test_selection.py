"""The selection lottery: quota, reproducibility, once per wave, nobody twice, exact money, crash-safe."""
import pytest
from django.core.management import call_command

from accounts.exceptions import TransitionNotAllowed
from accounts.models import LotteryDraw, Participant, Wave, luhn_valid
from accounts.services import lottery_order, wave_close, wave_selection_chunk, wave_selection_run, wave_selection_start
from accounts.services import selection as selection_module
from wallets.models import Account
from wallets.services import account_get_or_create

from .factories import ProfileFactory, applicants, wave_factory

pytestmark = pytest.mark.django_db


def closed_wave(number=1, quota=10, n=30, **kwargs):
    wave = wave_factory(number=number, quota=quota, status="open")
    apps = applicants(wave, n, **kwargs)
    wave_close(wave=wave, by=None)
    return wave, apps


def balance_of(participant) -> int:
    return account_get_or_create(kind=Account.Kind.PARTICIPANT_BALANCE, owner=participant).balance


def selected_app_ids(wave) -> list[int]:
    return sorted(Participant.objects.filter(wave=wave).values_list("application_id", flat=True))


def test_the_lottery_fills_the_quota_and_credits_each_winner_exactly_once(select):
    wave, _ = closed_wave(quota=10, n=30)
    fund_before = account_get_or_create(kind=Account.Kind.TRAINING_FUND).balance
    select(wave, "seed-1")
    wave.refresh_from_db()
    assert wave.status == Wave.Status.SELECTED and wave.selected_count == 10
    participants = list(Participant.objects.filter(wave=wave))
    assert len(participants) == 10
    assert all(balance_of(p) == 1_000_000 for p in participants)
    assert all(luhn_valid(p.card_number) and len(p.card_number) == 16 for p in participants)
    assert account_get_or_create(kind=Account.Kind.TRAINING_FUND).balance == fund_before - 10 * 1_000_000
    call_command("reconcile_ledger")


def test_fewer_applicants_than_quota_selects_them_all(select):
    wave, apps = closed_wave(quota=10, n=4)
    select(wave, "x")
    wave.refresh_from_db()
    assert wave.status == Wave.Status.SELECTED and wave.selected_count == 4
    assert account_get_or_create(kind=Account.Kind.TRAINING_FUND).balance == 6 * 1_000_000


def test_the_same_seed_gives_the_same_result_and_anyone_can_recompute_it(select):
    wave, apps = closed_wave(quota=5, n=20)
    select(wave, "published-seed")
    expected = sorted(lottery_order("published-seed", [a.pk for a in apps])[:5])
    assert selected_app_ids(wave) == expected
    draw = list(LotteryDraw.objects.filter(wave=wave).order_by("position").values_list("application_id", flat=True))
    assert draw == lottery_order("published-seed", [a.pk for a in apps])[:len(draw)]


def test_another_seed_gives_another_result():
    orders = {seed: lottery_order(seed, range(1, 101))[:10] for seed in ("a", "b", "c")}
    assert len({tuple(o) for o in orders.values()}) == 3
    assert lottery_order("a", range(1, 101)) == lottery_order("a", reversed(range(1, 101)))


def test_selection_cannot_run_twice(select):
    wave, _ = closed_wave(quota=3, n=6)
    select(wave, "once")
    with pytest.raises(TransitionNotAllowed):
        select(wave, "twice")
    wave.refresh_from_db()
    assert wave.selection_seed == "once" and Participant.objects.count() == 3


def test_selection_needs_a_closed_wave():
    wave = wave_factory(number=1, quota=3, status="open")
    with pytest.raises(TransitionNotAllowed):
        wave_selection_start(wave=wave, by=None)
    assert Participant.objects.count() == 0


def test_nobody_is_selected_twice_across_waves(select):
    first = wave_factory(number=1, quota=5, status="open")
    second = wave_factory(number=2, quota=50, status="draft")
    profiles = [ProfileFactory() for _ in range(8)]
    from accounts.services import wave_apply

    for p in profiles:
        wave_apply(profile=p, wave=first)
    wave_close(wave=first, by=None)
    # Wave 2 opens while wave 1 is still being decided; everyone applies there too.
    from accounts.services import wave_open

    wave_open(wave=second, by=None)
    for p in profiles:
        wave_apply(profile=p, wave=second)
    wave_close(wave=second, by=None)
    select(first, "w1")
    select(second, "w2")
    assert Participant.objects.count() == 8  # 5 in wave 1, only the other 3 in wave 2
    assert Participant.objects.filter(wave=second).count() == 3
    assert LotteryDraw.objects.filter(wave=second, outcome="skipped_participant").count() == 5
    call_command("reconcile_ledger")


def test_at_most_two_participants_per_family_card(select):
    wave = wave_factory(number=1, quota=10, status="open")
    applicants(wave, 4, kk="3201010101010101")
    applicants(wave, 3)
    wave_close(wave=wave, by=None)
    select(wave, "kk")
    assert Participant.objects.filter(kk="3201010101010101").count() == 2
    assert Participant.objects.count() == 5
    assert LotteryDraw.objects.filter(wave=wave, outcome="skipped_kk").count() == 2


def test_a_crash_between_chunks_then_a_rerun_credits_each_winner_once(monkeypatch, django_capture_on_commit_callbacks):
    wave, _ = closed_wave(quota=12, n=30)
    calls = {"n": 0}
    real_chunk = selection_module.wave_selection_chunk

    def crashing_chunk(**kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("worker killed")
        return real_chunk(**kwargs)

    monkeypatch.setattr(selection_module, "wave_selection_chunk", crashing_chunk)
    with pytest.raises(RuntimeError):
        with django_capture_on_commit_callbacks(execute=False):
            wave_selection_start(wave=wave, by=None, seed="crash")
        selection_module.wave_selection_run(wave_id=wave.pk, chunk_size=4)
    wave.refresh_from_db()
    assert wave.status == Wave.Status.SELECTING and wave.selected_count == 8
    monkeypatch.setattr(selection_module, "wave_selection_chunk", real_chunk)
    wave_selection_run(wave_id=wave.pk, chunk_size=4)
    wave.refresh_from_db()
    assert wave.status == Wave.Status.SELECTED and wave.selected_count == 12
    assert Participant.objects.filter(wave=wave).count() == 12
    assert all(balance_of(p) == 1_000_000 for p in Participant.objects.filter(wave=wave))
    call_command("reconcile_ledger")


def test_a_chunk_that_fails_midway_leaves_nothing_behind(monkeypatch, django_capture_on_commit_callbacks):
    wave, _ = closed_wave(quota=6, n=10)
    with django_capture_on_commit_callbacks(execute=False):
        wave_selection_start(wave=wave, by=None, seed="mid")

    def boom(*args, **kwargs):
        raise RuntimeError("crash while crediting")

    monkeypatch.setattr(selection_module, "_credit_balances", boom)
    with pytest.raises(RuntimeError):
        wave_selection_chunk(wave_id=wave.pk, chunk_size=3)
    assert Participant.objects.count() == 0
    monkeypatch.undo()
    wave_selection_run(wave_id=wave.pk, chunk_size=3)
    assert Participant.objects.count() == 6
    call_command("reconcile_ledger")


def test_the_result_page_publishes_the_seed_and_the_csv_lets_anyone_recompute_the_draw(client, select):
    wave, apps = closed_wave(quota=4, n=9)
    select(wave, "public-seed")
    page = client.get(f"/peserta/gelombang/{wave.number}/hasil/").content.decode()
    assert "public-seed" in page
    csv = b"".join(client.get(f"/peserta/gelombang/{wave.number}/pendaftar.csv").streaming_content).decode()
    ids = [int(line) for line in csv.splitlines()[1:]]
    assert sorted(ids) == sorted(a.pk for a in apps)
    assert sorted(lottery_order("public-seed", ids)[:4]) == selected_app_ids(wave)
    assert "@" not in csv  # application numbers only, no personal data


def test_no_result_is_published_before_the_selection(client):
    wave, _ = closed_wave(quota=2, n=3)
    assert client.get(f"/peserta/gelombang/{wave.number}/hasil/").status_code == 404
    assert client.get(f"/peserta/gelombang/{wave.number}/pendaftar.csv").status_code == 404
