"""The selection lottery of a wave: reproducible from a published seed, chunked, crash-safe.

The draw ranks a wave's applications by SHA-256 of "<seed>:<application id>" (hex digest, ascending;
ties, which SHA-256 makes practically impossible, by id). Processing walks the draw in order and
selects each applicant unless already a participant or their family card (KK) already has two
participants, until the quota is filled. Each chunk is one database transaction that creates the
participants, their balance accounts and their Rp1.000.000 credits; a crashed run is simply run
again: chunks already committed are not redone, and the ledger's idempotency keys make a credit
impossible to post twice even if they were.
"""
from __future__ import annotations

import hashlib
import secrets
from collections import Counter
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from ..exceptions import SelectionNotRunning
from ..models import (MAX_PARTICIPANTS_PER_KK, TRAINING_BALANCE, LotteryDraw, Participant, User, Wave,
                      WaveApplication, card_number_for)
from .waves import wave_transition

def _chunk_size() -> int:
    from django.conf import settings

    return settings.SELECTION_CHUNK_SIZE


def lottery_rank(seed: str, application_id: int) -> str:
    return hashlib.sha256(f"{seed}:{application_id}".encode()).hexdigest()


def lottery_order(seed: str, application_ids: Iterable[int]) -> list[int]:
    """The published algorithm: application ids in draw order. Anyone can rerun it."""
    return sorted(application_ids, key=lambda pk: (lottery_rank(seed, pk), pk))


@transaction.atomic
def wave_selection_start(*, wave: Wave, by: User | None, seed: str | None = None) -> Wave:
    """Fix the seed and start the lottery of a closed wave, at most once; the work runs in a task.

    Raises TransitionNotAllowed when the wave is not closed (including a selection already run)."""
    locked = wave_transition(wave=wave, to=Wave.Status.SELECTING, by=by,
                             reason="selection lottery started")
    locked.selection_seed = seed or secrets.token_hex(16)
    locked.selection_started_at = timezone.now()
    locked.save(update_fields=["selection_seed", "selection_started_at"])
    from ..tasks import wave_selection_run_task

    transaction.on_commit(lambda: wave_selection_run_task.delay(locked.pk))
    return locked


def wave_selection_run(*, wave_id: int, chunk_size: int | None = None) -> Wave:
    """Run chunks until the wave is selected; safe to call again after a crash."""
    chunk_size = chunk_size or _chunk_size()
    while wave_selection_chunk(wave_id=wave_id, chunk_size=chunk_size):
        pass
    return Wave.objects.get(pk=wave_id)


def _draw_extend(wave: Wave, count: int) -> int:
    """Append the next `count` applications in lottery order to the wave's draw; returns how many."""
    start = wave.drawn_count
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO accounts_lotterydraw (wave_id, position, application_id, outcome)
                SELECT %(wave)s, %(start)s + row_number() OVER (ORDER BY r, id) - 1, id, 'pending'
                FROM (
                    SELECT a.id, encode(sha256(convert_to(%(seed)s || ':' || a.id::text, 'UTF8')), 'hex') AS r
                    FROM accounts_waveapplication a
                    WHERE a.wave_id = %(wave)s
                      AND NOT EXISTS (SELECT 1 FROM accounts_lotterydraw d WHERE d.application_id = a.id)
                    ORDER BY r, a.id
                    LIMIT %(count)s
                ) ranked
                """,
                {"wave": wave.pk, "start": start, "seed": wave.selection_seed, "count": count},
            )
            added = cursor.rowcount
    else:
        drawn = LotteryDraw.objects.filter(wave=wave).values("application_id")
        ids = WaveApplication.objects.filter(wave=wave).exclude(pk__in=drawn).values_list("pk", flat=True)
        order = lottery_order(wave.selection_seed, ids)[:count]
        LotteryDraw.objects.bulk_create(
            LotteryDraw(wave=wave, position=start + i, application_id=pk) for i, pk in enumerate(order))
        added = len(order)
    wave.drawn_count = start + added
    return added


@transaction.atomic
def wave_selection_chunk(*, wave_id: int, chunk_size: int | None = None) -> bool:
    """Process the next `chunk_size` draw positions of a wave in one transaction.

    Returns True while work remains. Raises SelectionNotRunning if the wave is not selecting."""
    chunk_size = chunk_size or _chunk_size()
    wave = Wave.objects.select_for_update().get(pk=wave_id)
    if wave.status == Wave.Status.SELECTED:
        return False
    if wave.status != Wave.Status.SELECTING:
        raise SelectionNotRunning()
    need = wave.quota - wave.selected_count
    if need > 0 and wave.processed_count >= wave.drawn_count:
        # Draw a little beyond what is needed: some drawn applicants may be skipped.
        _draw_extend(wave, max(chunk_size, need + need // 20 + 100))
    if need <= 0 or wave.processed_count >= wave.drawn_count:
        _finish(wave)
        return False

    draws = list(
        LotteryDraw.objects.filter(wave=wave, position__gte=wave.processed_count)
        .order_by("position")
        .values_list("id", "position", "application_id", "application__profile_id", "application__profile__kk")
        [:chunk_size]
    )
    profile_ids = [d[3] for d in draws]
    already = set(Participant.objects.filter(profile_id__in=profile_ids).values_list("profile_id", flat=True))
    kk_counts = Counter(dict(
        Participant.objects.filter(kk__in={d[4] for d in draws}).values_list("kk").annotate(n=Count("id"))
        .values_list("kk", "n")))

    now = timezone.now()
    selected: list[Participant] = []
    skipped: dict[str, list[int]] = {LotteryDraw.Outcome.SKIPPED_PARTICIPANT: [], LotteryDraw.Outcome.SKIPPED_KK: []}
    last_position = wave.processed_count - 1
    for draw_id, position, application_id, profile_id, kk in draws:
        if len(selected) == need:
            break
        last_position = position
        if profile_id in already:
            skipped[LotteryDraw.Outcome.SKIPPED_PARTICIPANT].append(draw_id)
        elif kk_counts[kk] >= MAX_PARTICIPANTS_PER_KK:
            skipped[LotteryDraw.Outcome.SKIPPED_KK].append(draw_id)
        else:
            kk_counts[kk] += 1
            already.add(profile_id)
            selected.append(Participant(
                profile_id=profile_id, wave=wave, application_id=application_id, kk=kk, selected_at=now,
                card_number=card_number_for(wave_number=wave.number, position=position)))

    for outcome, ids in skipped.items():
        if ids:
            LotteryDraw.objects.filter(pk__in=ids).update(outcome=outcome)
    LotteryDraw.objects.filter(wave=wave, position__gte=wave.processed_count, position__lte=last_position,
                               outcome=LotteryDraw.Outcome.PENDING).update(outcome=LotteryDraw.Outcome.SELECTED)
    _participants_insert(selected)
    _credit_balances(wave, selected)

    wave.processed_count = last_position + 1
    wave.selected_count += len(selected)
    wave.save(update_fields=["processed_count", "selected_count", "drawn_count"])
    if wave.selected_count >= wave.quota:
        _finish(wave)
        return False
    return True


def _participants_insert(selected: list[Participant]) -> None:
    """Insert the chunk's participants and set their ids; one statement on PostgreSQL."""
    if not selected:
        return
    if connection.vendor == "postgresql":
        columns = ("profile_id", "wave_id", "application_id", "kk", "card_number", "status", "selected_at")
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO accounts_participant (profile_id, wave_id, application_id, kk, card_number, status, "
                "selected_at) SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::varchar[], "
                "%s::varchar[], %s::varchar[], %s::timestamptz[]) RETURNING application_id, id",
                [[getattr(p, c) for p in selected] for c in columns])
            ids = dict(cursor.fetchall())
    else:
        Participant.objects.bulk_create(selected, batch_size=2_000)
        ids = dict(Participant.objects.filter(application_id__in=[p.application_id for p in selected])
                   .values_list("application_id", "pk"))
    for p in selected:
        p.pk = ids[p.application_id]


def _credit_balances(wave: Wave, participants: list[Participant]) -> None:
    """Open each new participant's balance account and credit Rp1.000.000 from the training fund."""
    from wallets.models import Account, LedgerTransaction
    from wallets.services import Posting, account_program_get, accounts_create_bulk, ledger_post_batch

    if not participants:
        return
    fund = account_program_get(kind=Account.Kind.TRAINING_FUND)
    accounts = accounts_create_bulk(kind=Account.Kind.PARTICIPANT_BALANCE, owner_model=Participant,
                                    owner_ids=[p.pk for p in participants])
    ledger_post_batch(code=LedgerTransaction.Code.BALANCE_CREDIT, postings=[
        Posting(idempotency_key=f"wave:{wave.pk}:credit:{p.application_id}", reference=f"participant:{p.pk}",
                entries=[(fund.pk, -TRAINING_BALANCE), (accounts[p.pk], TRAINING_BALANCE)])
        for p in participants
    ])


def _finish(wave: Wave) -> None:
    wave.selection_finished_at = timezone.now()
    wave.save(update_fields=["processed_count", "selected_count", "drawn_count", "selection_finished_at"])
    wave_transition(wave=wave, to=Wave.Status.SELECTED, by=None,
                    reason=f"lottery finished: {wave.selected_count} selected of quota {wave.quota}")
    wave.status = Wave.Status.SELECTED
