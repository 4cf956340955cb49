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
import re
import secrets
from collections import Counter
from collections.abc import Iterable
from itertools import islice

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


# One drawn application with what the chunk needs to decide it: (position, application id,
# profile id, KK, whether the profile is already a participant, how many participants the KK has).
Candidate = tuple[int, int, int, str, bool, int]


@transaction.atomic
def wave_selection_chunk(*, wave_id: int, chunk_size: int | None = None) -> bool:
    """Process the next `chunk_size` draw positions of a wave in one transaction.

    The chunk appends those positions to the wave's published draw with their outcome (selected,
    skipped as already a participant, skipped for the KK limit), creates the selected participants,
    their balance accounts and their credits, and advances the wave's counters, all or nothing.
    Returns True while work remains. Raises SelectionNotRunning if the wave is not selecting."""
    chunk_size = chunk_size or _chunk_size()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # These statements are costed high enough to be JIT-compiled, which takes longer than
            # running them.
            cursor.execute("SET LOCAL jit = off")
    wave = Wave.objects.select_for_update().get(pk=wave_id)
    if wave.status == Wave.Status.SELECTED:
        return False
    if wave.status != Wave.Status.SELECTING:
        raise SelectionNotRunning()
    if wave.drawn_count > wave.processed_count:
        # Drawn ahead but never decided (written by an earlier version that drew before deciding):
        # drop them, they are drawn again below, at the same positions.
        LotteryDraw.objects.filter(wave=wave, position__gte=wave.processed_count).delete()
        wave.drawn_count = wave.processed_count
    need = wave.quota - wave.selected_count
    candidates = _draw_next(wave, chunk_size, need) if need > 0 else []
    if not candidates:
        _finish(wave)
        return False

    now = timezone.now()
    draws: list[tuple[int, int, str]] = []  # (position, application id, outcome)
    selected: list[tuple[int, int, int, str]] = []  # (position, application id, profile id, kk)
    kk_counts: dict[str, int] = {}
    for position, application_id, profile_id, kk, is_participant, kk_taken in candidates:
        if len(selected) == need:
            break
        if is_participant:
            outcome = LotteryDraw.Outcome.SKIPPED_PARTICIPANT
        elif (taken := kk_counts.get(kk, kk_taken)) >= MAX_PARTICIPANTS_PER_KK:
            outcome = LotteryDraw.Outcome.SKIPPED_KK
        else:
            kk_counts[kk] = taken + 1
            outcome = LotteryDraw.Outcome.SELECTED
            selected.append((position, application_id, profile_id, kk))
        draws.append((position, application_id, outcome))
    del candidates

    last_position = draws[-1][0]
    # Written in application order (the order the applications, and mostly their profiles, were
    # stored in): the foreign-key checks at commit then visit those big tables' pages in order.
    draws.sort(key=lambda d: d[1])
    selected.sort(key=lambda s: s[1])
    _draws_insert(wave, draws)
    participants = _participants_insert(wave, selected, now)
    _credit_balances(wave, participants)

    wave.processed_count = wave.drawn_count = last_position + 1
    wave.selected_count += len(selected)
    wave.save(update_fields=["processed_count", "selected_count", "drawn_count"])
    if wave.selected_count >= wave.quota:
        _finish(wave)
        return False
    return True


def _draw_next(wave: Wave, count: int, need: int) -> list[Candidate]:
    """The next `count` positions of the draw (from wave.processed_count), in order, with what deciding
    them needs. Position p is the p-th application by rank; the positions before processed_count are
    already in the wave's draw, so the next ones are the rank order of the applications not in it."""
    start = wave.processed_count
    if connection.vendor != "postgresql":
        drawn = LotteryDraw.objects.filter(wave=wave).values("application_id")
        ids = WaveApplication.objects.filter(wave=wave).exclude(pk__in=drawn).values_list("pk", flat=True)
        order = lottery_order(wave.selection_seed, ids)[:count]
        apps = dict((pk, (profile_id, kk)) for pk, profile_id, kk in WaveApplication.objects.filter(pk__in=order)
                    .values_list("pk", "profile_id", "profile__kk"))
        already = set(Participant.objects.filter(profile_id__in=[a[0] for a in apps.values()])
                      .values_list("profile_id", flat=True))
        kk_taken = Counter(dict(Participant.objects.filter(kk__in={a[1] for a in apps.values()})
                                .values_list("kk").annotate(n=Count("id")).values_list("kk", "n")))
        return [(start + i, pk, apps[pk][0], apps[pk][1], apps[pk][0] in already, kk_taken[apps[pk][1]])
                for i, pk in enumerate(order)]

    # PostgreSQL ranks the applications once for the run, into a temporary table of this session:
    # the positions it holds are absolute, so a table left by an earlier run in this session is as
    # good as a new one, and a new session (a restarted worker) simply ranks again. One ranking
    # covers the quota and a little more, as some drawn applicants may be skipped.
    table = f"selection_rank_{int(wave.pk)}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [f"pg_temp.{table}"])
        if cursor.fetchone()[0]:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM pg_temp.{table} WHERE position = %s)", [start])
            ranked = cursor.fetchone()[0]
        else:
            ranked = False
        if not ranked:
            # CREATE TABLE AS may rank in parallel (INSERT … SELECT may not). Ordering the raw digests
            # (bytea, compared bytewise) is ordering their hex digests. The KK is the profile's as
            # the run ranks: the selection's snapshot of it.
            cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{table}")
            cursor.execute(
                f"""
                CREATE TEMPORARY TABLE {table} AS
                SELECT (%(start)s + row_number() OVER (ORDER BY ranked.r, ranked.id) - 1)::integer AS position,
                       ranked.id AS application_id, ranked.profile_id, p.kk
                FROM (
                    SELECT a.id, a.profile_id, sha256(convert_to(%(seed)s || ':' || a.id::text, 'UTF8')) AS r
                    FROM accounts_waveapplication a
                    WHERE a.wave_id = %(wave)s
                      AND NOT EXISTS (SELECT 1 FROM accounts_lotterydraw d WHERE d.application_id = a.id)
                    ORDER BY r, a.id
                    LIMIT %(count)s
                ) ranked
                JOIN accounts_profile p ON p.id = ranked.profile_id
                """,
                {"wave": wave.pk, "start": start, "seed": wave.selection_seed,
                 "count": max(count, need + need // 20 + 100)})
            cursor.execute(f"ALTER TABLE pg_temp.{table} ADD PRIMARY KEY (position)")
            cursor.execute(f"ANALYZE pg_temp.{table}")
        # Whether each is a participant already and how many participants their KK has, as committed
        # by the chunks before this one (and any other wave's selection).
        cursor.execute(
            f"""
            SELECT t.position, t.application_id, t.profile_id, t.kk,
                   EXISTS (SELECT 1 FROM accounts_participant x WHERE x.profile_id = t.profile_id),
                   COALESCE(k.n, 0)
            FROM pg_temp.{table} t
            LEFT JOIN (SELECT x.kk, count(*) AS n FROM accounts_participant x
                       WHERE x.kk IN (SELECT kk FROM pg_temp.{table} WHERE position >= %(start)s AND position < %(end)s)
                       GROUP BY x.kk) k ON k.kk = t.kk
            WHERE t.position >= %(start)s AND t.position < %(end)s
            ORDER BY t.position
            """, {"start": start, "end": start + count})
        return cursor.fetchall()


def _draws_insert(wave: Wave, draws: list[tuple[int, int, str]]) -> None:
    """Append the decided positions to the wave's published draw."""
    if connection.vendor == "postgresql":
        wave_id = int(wave.pk)
        with connection.cursor() as cursor:
            _copy(cursor.cursor, "COPY accounts_lotterydraw (wave_id, position, application_id, outcome) FROM STDIN",
                  (f"{wave_id}\t{position}\t{application_id}\t{outcome}\n"
                   for position, application_id, outcome in draws))
    else:
        LotteryDraw.objects.bulk_create(
            [LotteryDraw(wave=wave, position=position, application_id=application_id, outcome=outcome)
             for position, application_id, outcome in draws], batch_size=2_000)


def _participants_insert(wave: Wave, selected: list[tuple[int, int, int, str]], now) -> list[tuple[int, int]]:
    """Create the chunk's participants; returns their (participant id, application id)."""
    if not selected:
        return []
    card = _card_numbers(wave.number)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence('accounts_participant', 'id')")
            cursor.execute("SELECT array_agg(nextval(%s::regclass)) FROM generate_series(1, %s)",
                           [cursor.fetchone()[0], len(selected)])
            ids = cursor.fetchone()[0]
            middle = f"\t{int(wave.pk)}\t"
            text = _copy_text if _COPY_SPECIAL.search("".join(s[3] for s in selected)) else str
            tail = f"\t{Participant.Status.ACTIVE}\t{now.isoformat()}\n"
            _copy(cursor.cursor, "COPY accounts_participant (id, profile_id, wave_id, application_id, kk, "
                                 "card_number, status, selected_at) FROM STDIN",
                  (f"{pk}\t{profile_id}{middle}{application_id}\t{text(kk)}\t{card(position)}{tail}"
                   for pk, (position, application_id, profile_id, kk) in zip(ids, selected)))
        return [(pk, s[1]) for pk, s in zip(ids, selected)]
    Participant.objects.bulk_create(
        [Participant(profile_id=profile_id, wave=wave, application_id=application_id, kk=kk, selected_at=now,
                     card_number=card(position)) for position, application_id, profile_id, kk in selected],
        batch_size=2_000)
    ids = dict(Participant.objects.filter(application_id__in=[s[1] for s in selected])
               .values_list("application_id", "pk"))
    return [(ids[s[1]], s[1]) for s in selected]


def _card_numbers(wave_number: int):
    """card_number_for(wave_number=…, position=…) as a function of the position, some ten times
    faster: the Luhn sum of the 15-digit body is taken three digits at a time from tables."""
    if not 0 <= wave_number < 1000:
        return lambda position: card_number_for(wave_number=wave_number, position=position)
    prefix = f"{wave_number:03d}"
    # Luhn sums of three digits whose rightmost digit is (doubled) or is not (plain) doubled.
    doubled, plain = _LUHN3
    base = doubled[wave_number]  # the wave's digits are the 13th to 15th from the right

    def card(position: int) -> str:
        if not 0 <= position < 10**12:
            return card_number_for(wave_number=wave_number, position=position)
        total = (base + doubled[position % 1000] + plain[position // 1000 % 1000]
                 + doubled[position // 1_000_000 % 1000] + plain[position // 1_000_000_000])
        return f"{prefix}{position:012d}{(10 - total % 10) % 10}"

    return card


def _luhn3() -> tuple[list[int], list[int]]:
    def digit(d: int, double: bool) -> int:
        return (d * 2 - 9 if d * 2 > 9 else d * 2) if double else d

    def table(rightmost_doubled: bool) -> list[int]:
        return [digit(n % 10, rightmost_doubled) + digit(n // 10 % 10, not rightmost_doubled)
                + digit(n // 100, rightmost_doubled) for n in range(1000)]

    return table(True), table(False)


_LUHN3 = _luhn3()
_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")


def _copy(cursor, statement: str, lines: Iterable[str], block: int = 2_000) -> None:
    """COPY lines of text format, sent in blocks as they are made: the server stores one block while
    the next is formatted, and memory holds one block."""
    lines = iter(lines)
    with cursor.copy(statement) as copy:
        while data := "".join(islice(lines, block)):
            copy.write(data)


def _copy_text(value: str) -> str:
    """A string as a field of COPY's text format."""
    if _COPY_SPECIAL.search(value) is None:
        return value
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _credit_balances(wave: Wave, participants: list[tuple[int, int]]) -> None:
    """Open each new participant's balance account and credit Rp1.000.000 from the training fund:
    one ledger transaction each, keyed by the wave and the application."""
    from wallets.models import Account, LedgerTransaction
    from wallets.services import Opening, account_program_get, accounts_open_funded

    if not participants:
        return
    key = f"wave:{wave.pk}:credit:"
    accounts_open_funded(
        kind=Account.Kind.PARTICIPANT_BALANCE, owner_model=Participant, amount=TRAINING_BALANCE,
        source=account_program_get(kind=Account.Kind.TRAINING_FUND), code=LedgerTransaction.Code.BALANCE_CREDIT,
        openings=[Opening(pk, f"{key}{application_id}", f"participant:{pk}") for pk, application_id in participants])


def _finish(wave: Wave) -> None:
    wave.selection_finished_at = timezone.now()
    wave.save(update_fields=["processed_count", "selected_count", "drawn_count", "selection_finished_at"])
    wave_transition(wave=wave, to=Wave.Status.SELECTED, by=None,
                    reason=f"lottery finished: {wave.selected_count} selected of quota {wave.quota}")
    wave.status = Wave.Status.SELECTED
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS pg_temp.selection_rank_{int(wave.pk)}")
