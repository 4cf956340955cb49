"""The selection lottery: quota, reproducibility, once per wave, nobody twice, exact money, crash-safe."""
import pytest
from django.core.management import call_command

from accounts.exceptions import TransitionNotAllowed
from accounts.models import LotteryDraw, Participant, Wave, card_number_for, luhn_valid
from accounts.services import lottery_order, wave_close, wave_selection_chunk, wave_selection_run, wave_selection_start
from accounts.services import selection as selection_module
from wallets.exceptions import IdempotencyKeyReused, UnbalancedTransaction
from wallets.models import Account, Entry, LedgerTransaction
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


# --- The bulk writes behind a chunk ------------------------------------------------------------

def test_the_draw_records_every_decided_position_with_its_outcome_and_no_more(select):
    wave = wave_factory(number=1, quota=3, status="open")
    applicants(wave, 3, kk="3201010101010101")
    applicants(wave, 5)
    wave_close(wave=wave, by=None)
    select(wave, "outcomes")
    draws = list(LotteryDraw.objects.filter(wave=wave).order_by("position")
                 .values_list("position", "application_id", "outcome"))
    wave.refresh_from_db()
    assert [d[0] for d in draws] == list(range(len(draws))) and wave.drawn_count == wave.processed_count == len(draws)
    assert draws[-1][2] == "selected"  # the draw stops where the quota filled
    assert sorted(d[1] for d in draws if d[2] == "selected") == selected_app_ids(wave)
    assert {d[2] for d in draws} <= {"selected", "skipped_kk"}
    cards = dict(Participant.objects.filter(wave=wave).values_list("application_id", "card_number"))
    assert all(cards[app] == card_number_for(wave_number=1, position=pos) for pos, app, o in draws if o == "selected")


def test_a_draw_written_ahead_by_the_earlier_version_is_redrawn_at_the_same_positions(
        django_capture_on_commit_callbacks):
    wave, apps = closed_wave(quota=4, n=12)
    with django_capture_on_commit_callbacks(execute=False):
        wave_selection_start(wave=wave, by=None, seed="legacy")
    order = lottery_order("legacy", [a.pk for a in apps])
    # What the earlier version left: the whole draw written as pending before deciding any of it.
    LotteryDraw.objects.bulk_create(LotteryDraw(wave=wave, position=i, application_id=pk) for i, pk in enumerate(order))
    Wave.objects.filter(pk=wave.pk).update(drawn_count=len(order))
    wave_selection_run(wave_id=wave.pk, chunk_size=3)
    assert selected_app_ids(wave) == sorted(order[:4])
    assert list(LotteryDraw.objects.filter(wave=wave).order_by("position").values_list("application_id", flat=True)) \
        == order[:4]
    call_command("reconcile_ledger")


def test_fast_card_numbers_are_the_published_card_numbers():
    import random

    rng = random.Random(4)
    for wave_number in (0, 1, 7, 42, 999):
        card = selection_module._card_numbers(wave_number)
        for position in [*range(2_000), *(rng.randrange(10**12) for _ in range(2_000)), 10**12 - 1]:
            assert card(position) == card_number_for(wave_number=wave_number, position=position)


def _funded(owners, *, key="open", amount=1_000_000):
    from wallets.services import Opening, accounts_open_funded

    return accounts_open_funded(
        kind=Account.Kind.PARTICIPANT_BALANCE, owner_model=Participant, amount=amount,
        source=account_get_or_create(kind=Account.Kind.TRAINING_FUND), code=LedgerTransaction.Code.BALANCE_CREDIT,
        openings=[Opening(o, f"{key}:{o}", f"participant:{o}") for o in owners])


def test_opening_funded_accounts_writes_one_balanced_transaction_each():
    fund_before = account_get_or_create(kind=Account.Kind.TRAINING_FUND).balance
    accounts = _funded(range(1, 51))
    assert sorted(accounts) == list(range(1, 51))
    balances = Account.objects.filter(pk__in=accounts.values())
    assert {a.balance for a in balances} == {1_000_000} and all(a.no_overdraft for a in balances)
    credits = LedgerTransaction.objects.filter(idempotency_key__startswith="open:")
    assert credits.count() == 50
    assert all(sorted(tx.entries.values_list("amount", flat=True)) == [-1_000_000, 1_000_000] for tx in credits)
    assert Entry.objects.get(transaction__idempotency_key="open:7", amount__gt=0).account_id == accounts[7]
    assert account_get_or_create(kind=Account.Kind.TRAINING_FUND).balance == fund_before - 50 * 1_000_000
    call_command("reconcile_ledger")


def test_opening_again_keeps_the_accounts_and_moves_nothing_twice():
    first = _funded(range(1, 11))
    fund = account_get_or_create(kind=Account.Kind.TRAINING_FUND).balance
    again = _funded(range(1, 16))  # 1..10 posted before: the general path skips them
    assert {o: again[o] for o in first} == first
    assert account_get_or_create(kind=Account.Kind.TRAINING_FUND).balance == fund - 5 * 1_000_000
    assert set(Account.objects.filter(pk__in=again.values()).values_list("balance", flat=True)) == {1_000_000}
    assert LedgerTransaction.objects.filter(idempotency_key__startswith="open:").count() == 15
    with pytest.raises(IdempotencyKeyReused):  # the same key for another movement
        _funded(range(1, 3), amount=500_000)
    call_command("reconcile_ledger")


def test_opening_an_account_an_owner_already_has_credits_it_through_the_general_path():
    existing = account_get_or_create(kind=Account.Kind.PARTICIPANT_BALANCE, owner=Participant(pk=3))
    accounts = _funded([1, 2, 3], key="owned")
    assert accounts[3] == existing.pk
    existing.refresh_from_db()
    assert existing.balance == 1_000_000
    call_command("reconcile_ledger")


def test_opening_refuses_amounts_that_are_not_positive_whole_rupiah():
    for amount in (0, -5, 1.5, True):
        with pytest.raises(UnbalancedTransaction):
            _funded([1], amount=amount)
    assert not LedgerTransaction.objects.filter(idempotency_key__startswith="open:").exists()


@pytest.mark.postgresql
def test_the_database_refuses_a_participant_or_draw_that_disagrees_with_its_application():
    from django.db import IntegrityError, connection, transaction
    from django.utils import timezone

    wave, apps = closed_wave(quota=2, n=2)
    other = wave_factory(number=2, quota=1)
    stranger = ProfileFactory()

    def refused(make):
        with pytest.raises(IntegrityError), transaction.atomic():
            make()
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the keys are checked at commit

    def participant(**changes):
        fields = {"profile_id": apps[0].profile_id, "wave": wave, "application": apps[0], "kk": "3201010101010101",
                  "card_number": card_number_for(wave_number=1, position=0), "selected_at": timezone.now()}
        return lambda: Participant.objects.create(**{**fields, **changes})

    refused(participant(wave=other))  # not the application's wave
    refused(participant(profile_id=stranger.pk))  # not the application's profile
    refused(participant(application_id=apps[1].pk + 1000, profile_id=apps[0].profile_id))  # no such application
    refused(lambda: LotteryDraw.objects.create(wave=other, position=0, application=apps[0]))
    refused(lambda: LotteryDraw.objects.create(wave=wave, position=0, application_id=apps[1].pk + 1000))
    participant()()  # the application's own wave and profile are accepted
    LotteryDraw.objects.create(wave=wave, position=0, application=apps[0])
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_opening_stores_keys_and_references_exactly_whatever_characters_they_hold():
    from wallets.services import Opening, accounts_open_funded

    odd = ["tab\there", "back\\slash", "new\nline\r", r"\N"]
    accounts_open_funded(
        kind=Account.Kind.PARTICIPANT_BALANCE, owner_model=Participant, amount=1_000,
        source=account_get_or_create(kind=Account.Kind.TRAINING_FUND), code=LedgerTransaction.Code.BALANCE_CREDIT,
        openings=[Opening(i + 1, f"odd:{text}", f"ref:{text}") for i, text in enumerate(odd)])
    stored = dict(LedgerTransaction.objects.filter(idempotency_key__startswith="odd:")
                  .values_list("idempotency_key", "reference"))
    assert stored == {f"odd:{text}": f"ref:{text}" for text in odd}
    call_command("reconcile_ledger")


# --- Pipelined chunks (PostgreSQL, the task's path: each chunk on its own connection) ----------

@pytest.fixture
def started(monkeypatch):
    """Start a lottery without running its task (outside a test transaction it would run at commit)."""
    from accounts.tasks import wave_selection_run_task

    def start(wave, seed):
        with monkeypatch.context() as patched:
            patched.setattr(wave_selection_run_task, "delay", lambda *args: None)
            wave_selection_start(wave=wave, by=None, seed=seed)

    return start


def _expected_selection(wave, seed):
    """The published algorithm walked by hand: draw order, skipping participants and full KKs."""
    from collections import Counter

    from accounts.models import WaveApplication

    apps = {a.pk: a for a in WaveApplication.objects.filter(wave=wave).select_related("profile")}
    participants = set(Participant.objects.values_list("profile_id", flat=True))
    kk_count = Counter(Participant.objects.values_list("kk", flat=True))
    selected, outcomes = [], []
    for pk in lottery_order(seed, apps):
        if len(selected) == wave.quota:
            break
        profile = apps[pk].profile
        if profile.pk in participants:
            outcomes.append((pk, "skipped_participant"))
        elif kk_count[profile.kk] >= 2:
            outcomes.append((pk, "skipped_kk"))
        else:
            kk_count[profile.kk] += 1
            selected.append(pk)
            outcomes.append((pk, "selected"))
    return sorted(selected), outcomes


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_pipelined_chunks_select_exactly_what_the_published_algorithm_selects(started):
    first = wave_factory(number=1, quota=3, status="open")
    early = applicants(first, 5, kk="3201010101010199")
    wave_close(wave=first, by=None)
    wave = wave_factory(number=2, quota=25, status="open")
    from accounts.services import wave_apply

    for profile in [a.profile for a in early]:  # some will be participants of wave 1 already
        wave_apply(profile=profile, wave=wave)
    for kk in ("3201010101010101", "3201010101010102", "3201010101010103"):
        applicants(wave, 4, kk=kk)  # KKs filling up across chunk boundaries
    applicants(wave, 20)
    wave_close(wave=wave, by=None)
    started(first, "one")
    wave_selection_run(wave_id=first.pk, chunk_size=2)
    expected, outcomes = _expected_selection(Wave.objects.get(pk=wave.pk), "pipelined")

    started(wave, "pipelined")
    wave_selection_run(wave_id=wave.pk, chunk_size=3)

    wave.refresh_from_db()
    assert wave.status == Wave.Status.SELECTED and wave.selected_count == 25
    assert selected_app_ids(wave) == expected
    assert list(LotteryDraw.objects.filter(wave=wave).order_by("position").values_list("application_id", "outcome")) \
        == outcomes
    assert LotteryDraw.objects.filter(wave=wave, outcome="skipped_kk").exists()
    assert LotteryDraw.objects.filter(wave=wave, outcome="skipped_participant").exists()
    cards = Participant.objects.filter(wave=wave).values_list("card_number", flat=True)
    assert all(luhn_valid(c) for c in cards) and len(set(cards)) == 25
    assert set(Account.objects.filter(kind=Account.Kind.PARTICIPANT_BALANCE).values_list("balance", flat=True)) \
        == {1_000_000}
    call_command("reconcile_ledger")


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_pipelined_chunk_that_fails_leaves_whole_chunks_in_order_and_a_rerun_credits_once(
        monkeypatch, started):
    import threading

    wave, _ = closed_wave(quota=20, n=40)
    real = selection_module._credit_balances
    calls = {"n": 0}
    lock = threading.Lock()

    def failing(wave, participants):
        with lock:
            calls["n"] += 1
            n = calls["n"]
        if n == 4:
            raise RuntimeError("worker killed in chunk 4")
        return real(wave, participants)

    monkeypatch.setattr(selection_module, "_credit_balances", failing)
    started(wave, "crash-pipelined")
    with pytest.raises(RuntimeError, match="chunk 4"):
        wave_selection_run(wave_id=wave.pk, chunk_size=3)
    wave.refresh_from_db()
    assert wave.status == Wave.Status.SELECTING and wave.processed_count == wave.drawn_count
    # Whole chunks in order: the draw holds exactly the positions processed, and every participant
    # of the wave is credited once.
    assert list(LotteryDraw.objects.filter(wave=wave).order_by("position").values_list("position", flat=True)) \
        == list(range(wave.processed_count))
    assert Participant.objects.filter(wave=wave).count() == wave.selected_count < 20
    assert LedgerTransaction.objects.filter(code="balance_credit").count() == wave.selected_count

    monkeypatch.setattr(selection_module, "_credit_balances", real)
    wave_selection_run(wave_id=wave.pk, chunk_size=3)
    wave.refresh_from_db()
    assert wave.status == Wave.Status.SELECTED and wave.selected_count == 20
    assert LedgerTransaction.objects.filter(code="balance_credit").count() == 20
    assert set(Account.objects.filter(kind=Account.Kind.PARTICIPANT_BALANCE).values_list("balance", flat=True)) \
        == {1_000_000}
    call_command("reconcile_ledger")
