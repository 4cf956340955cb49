"""The selection lottery of a wave: reproducible from a published seed, chunked, crash-safe.

The draw ranks a wave's applications by SHA-256 of "<seed>:<application id>" (hex digest, ascending;
ties, which SHA-256 makes practically impossible, by id). Processing walks the draw in order and
selects each applicant unless already a participant or their family card (KK) already has two
participants, until the quota is filled. Each chunk is one database transaction that appends its
positions to the published draw with their outcomes and creates the participants, their balance
accounts and their Rp1.000.000 credits, and moves the wave's counters; a crashed run is simply run
again: chunks already committed are not redone, and the ledger's idempotency keys make a credit
impossible to post twice even if they were.

At national scale (a million applicants) PostgreSQL ranks once per run into a temporary table,
chunks are written by COPY, and the task pipelines them: a chunk is written while the one before it
commits (see _run_pipelined).
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
    """Run chunks until the wave is selected; safe to call again after a crash.

    On PostgreSQL (outside a transaction, as the task runs it) chunks are pipelined: see
    _run_pipelined. Elsewhere, one wave_selection_chunk after another."""
    chunk_size = chunk_size or _chunk_size()
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        _run_pipelined(wave_id, chunk_size)
    else:
        while wave_selection_chunk(wave_id=wave_id, chunk_size=chunk_size):
            pass
    return Wave.objects.get(pk=wave_id)


# One drawn application with what deciding it needs: (position, application id, profile id, KK,
# whether the profile is already a participant, how many participants the KK has, and the wave's
# processed_count in the same snapshot: the chunks those counts include).
Candidate = tuple[int, int, int, str, bool, int, int]
Draw = tuple[int, int, str]  # (position, application id, outcome)
Selected = tuple[int, int, int, str]  # (position, application id, profile id, kk)


def _no_jit() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The selection's statements are costed high enough to be JIT-compiled, which takes
            # longer than running them.
            cursor.execute("SET LOCAL jit = off")


def _decide(candidates: list[Candidate], need: int, kk_in_flight: dict[str, int] | None = None
            ) -> tuple[list[Draw], list[Selected], dict[str, int]]:
    """Walk the candidates in draw order: each is selected unless already a participant or their KK
    has two participants (counting those selected before it), until `need` are selected.
    Returns the decided draws, the selected, and how many each KK gained."""
    draws: list[Draw] = []
    selected: list[Selected] = []
    kk_counts: dict[str, int] = {}  # KK -> participants it has, for the KKs selected in this walk
    gained: dict[str, int] = {}
    in_flight = kk_in_flight or {}
    for position, application_id, profile_id, kk, is_participant, kk_taken, _ in candidates:
        if len(selected) == need:
            break
        if is_participant:
            outcome = LotteryDraw.Outcome.SKIPPED_PARTICIPANT
        elif (taken := kk_counts.get(kk, kk_taken + in_flight.get(kk, 0))) >= MAX_PARTICIPANTS_PER_KK:
            outcome = LotteryDraw.Outcome.SKIPPED_KK
        else:
            kk_counts[kk] = taken + 1
            gained[kk] = gained.get(kk, 0) + 1
            outcome = LotteryDraw.Outcome.SELECTED
            selected.append((position, application_id, profile_id, kk))
        draws.append((position, application_id, outcome))
    return draws, selected, gained


def _write(wave: Wave, draws: list[Draw], selected: list[Selected]) -> None:
    """Write a decided chunk: its draw positions, participants, balance accounts and credits."""
    # In application order (the order the applications, and mostly their profiles, were stored
    # in): the foreign-key checks at commit then visit the applications' pages in order.
    draws = sorted(draws, key=lambda d: d[1])
    selected = sorted(selected, key=lambda s: s[1])
    _draws_insert(wave, draws)
    participants = _participants_insert(wave, selected, timezone.now())
    _credit_balances(wave, participants)


@transaction.atomic
def wave_selection_chunk(*, wave_id: int, chunk_size: int | None = None) -> bool:
    """Process the next `chunk_size` draw positions of a wave in one transaction.

    The chunk appends those positions to the wave's published draw with their outcome (selected,
    skipped as already a participant, skipped for the KK limit), creates the selected participants,
    their balance accounts and their credits, and advances the wave's counters, all or nothing.
    Returns True while work remains. Raises SelectionNotRunning if the wave is not selecting."""
    chunk_size = chunk_size or _chunk_size()
    _no_jit()
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
    candidates = _draw_next(wave, chunk_size, need, start=wave.processed_count) if need > 0 else []
    if not candidates:
        _finish(wave)
        return False
    draws, selected, _ = _decide(candidates, need)
    del candidates
    last_position = draws[-1][0]
    _write(wave, draws, selected)

    wave.processed_count = wave.drawn_count = last_position + 1
    wave.selected_count += len(selected)
    wave.save(update_fields=["processed_count", "selected_count", "drawn_count"])
    if wave.selected_count >= wave.quota:
        _finish(wave)
        return False
    return True


class _Chunk:
    """A decided chunk on its way to the database, written and committed by one of two writers."""

    def __init__(self, *, wave_id: int, start: int, selected_before: int, draws: list[Draw],
                 selected: list[Selected], kk_gained: dict[str, int], previous: _Chunk | None) -> None:
        import threading

        self.wave_id, self.start, self.end = wave_id, start, draws[-1][0] + 1
        self.selected_before, self.selected_count = selected_before, len(selected)
        self.draws, self.selected, self.kk_gained, self.previous = draws, selected, kk_gained, previous
        self.written, self.committed, self.done = threading.Event(), threading.Event(), threading.Event()
        self.error: BaseException | None = None

    def write(self) -> None:
        """Write and commit this chunk on the calling thread's connection; errors are kept, not raised."""
        previous, self.previous = self.previous, None
        try:
            if previous is not None:
                previous.written.wait()
                if previous.error is not None:
                    raise SelectionNotRunning()  # the chunk before failed: this one is not written
            with transaction.atomic():
                _no_jit()
                wave = Wave.objects.get(pk=self.wave_id)
                _write(wave, self.draws, self.selected)
                # Written: the next chunk may write while this one commits. Its ledger waits on the
                # training fund's row, which this chunk's credits hold until commit.
                self.written.set()
                self.draws = self.selected = None
                if previous is not None:
                    previous.committed.wait()
                    if previous.error is not None:
                        raise SelectionNotRunning()  # roll back: the chunk before did not commit
                locked = Wave.objects.select_for_update().get(pk=wave.pk)
                if (locked.status != Wave.Status.SELECTING or locked.processed_count != self.start
                        or locked.selected_count != self.selected_before):
                    raise SelectionNotRunning()  # another run moved the wave: roll back
                locked.processed_count = locked.drawn_count = self.end
                locked.selected_count = self.selected_before + self.selected_count
                locked.save(update_fields=["processed_count", "selected_count", "drawn_count"])
        except BaseException as exc:  # reported by the coordinator, which stops the run
            self.error = exc
        finally:
            self.written.set()
            self.committed.set()
            self.done.set()


class _Writer:
    """A thread with its own database connection that writes the chunks given to it, in turn."""

    def __init__(self, name: str) -> None:
        import queue
        import threading

        self.queue: queue.SimpleQueue[_Chunk | None] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        from django.db import connection as thread_connection  # this thread's own

        try:
            while (chunk := self.queue.get()) is not None:
                chunk.write()
        finally:
            thread_connection.close()

    def stop(self) -> None:
        self.queue.put(None)
        self.thread.join()


def _run_pipelined(wave_id: int, chunk_size: int) -> None:
    """Run a wave's selection with the chunks pipelined on PostgreSQL.

    The foreign-key checks of a chunk run when it commits, on one core of the server, and take
    about as long as writing it: so chunk k+1 is written (on a second connection) while chunk k
    commits. This thread ranks and decides; two writer threads, each with its own connection, take
    the chunks in turn and write and commit them in order: a chunk starts writing once the chunk
    before has written, and commits
    only after that one has, having checked under the wave's lock that the wave's counters stand
    where it began (so a crash or failure anywhere leaves whole chunks, in order, and a rerun
    resumes after the last). Deciding a chunk while the chunks before it are not committed, this
    thread adds their selections to the KK counts it reads (the profiles differ: one application
    per profile and wave)."""
    wave = Wave.objects.get(pk=wave_id)
    if wave.status == Wave.Status.SELECTED:
        return
    if wave.status != Wave.Status.SELECTING:
        raise SelectionNotRunning()
    if wave.drawn_count > wave.processed_count:  # drawn ahead by an earlier version: one serial chunk
        if not wave_selection_chunk(wave_id=wave_id, chunk_size=chunk_size):
            return
        wave = Wave.objects.get(pk=wave_id)
    start, selected_count = wave.processed_count, wave.selected_count
    chunks: list[_Chunk] = []  # not yet joined, oldest first
    errors: list[BaseException] = []
    previous: _Chunk | None = None
    writers = [_Writer(f"selection-writer-{wave_id}-{i}") for i in range(2)]
    written = 0
    try:
        while not errors and not any(c.error for c in chunks) and (need := wave.quota - selected_count) > 0:
            with transaction.atomic():
                _no_jit()
                candidates = _draw_next(wave, chunk_size, need, start=start, may_rank=not chunks)
            if candidates is None:  # to rank again, the draw must be committed
                errors += _join(chunks, keep=0)
                continue
            if not candidates:
                break
            visible = candidates[0][6]
            kk_in_flight: Counter[str] = Counter()
            for chunk in chunks:
                if chunk.start >= visible:  # not in the snapshot the counts were read from
                    kk_in_flight.update(chunk.kk_gained)
            draws, selected, gained = _decide(candidates, need, kk_in_flight)
            del candidates
            errors += _join(chunks, keep=1)  # one chunk committing, one writing: memory holds two
            if errors:
                break
            chunk = _Chunk(wave_id=wave_id, start=start, selected_before=selected_count, draws=draws,
                           selected=selected, kk_gained=gained, previous=previous)
            writers[written % 2].queue.put(chunk)  # never busy: it had the chunk before last, joined
            written += 1
            chunks.append(chunk)
            previous = chunk
            start, selected_count = chunk.end, selected_count + len(selected)
    finally:
        errors += _join(chunks, keep=0)
        for writer in writers:
            writer.stop()
    if errors:
        raise errors[0]
    with transaction.atomic():
        locked = Wave.objects.select_for_update().get(pk=wave_id)
        if locked.status == Wave.Status.SELECTING and locked.processed_count == start:
            _finish(locked)


def _join(chunks: list[_Chunk], *, keep: int) -> list[BaseException]:
    """Wait for the oldest chunks until `keep` remain; returns the errors of those that failed."""
    errors = []
    while len(chunks) > keep:
        chunk = chunks.pop(0)
        chunk.done.wait()
        if chunk.error is not None:
            errors.append(chunk.error)
    return errors


def _draw_next(wave: Wave, count: int, need: int, *, start: int, may_rank: bool = True) -> list[Candidate] | None:
    """The next `count` positions of the draw from `start`, in order, with what deciding them needs.
    Position p is the p-th application by rank; the positions before processed_count are already in
    the wave's draw, so the next ones are the rank order of the applications not in it.

    On PostgreSQL returns None, when the positions are not ranked yet and `may_rank` is False (ranking
    reads the draw as committed, so it must not run while chunks are being written)."""
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
        return [(start + i, pk, apps[pk][0], apps[pk][1], apps[pk][0] in already, kk_taken[apps[pk][1]],
                 wave.processed_count) for i, pk in enumerate(order)]

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
        if not ranked and not may_rank:
            return None
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
                   COALESCE(k.n, 0), (SELECT w.processed_count FROM accounts_wave w WHERE w.id = %(wave)s)
            FROM pg_temp.{table} t
            LEFT JOIN (SELECT x.kk, count(*) AS n FROM accounts_participant x
                       WHERE x.kk IN (SELECT kk FROM pg_temp.{table} WHERE position >= %(start)s AND position < %(end)s)
                       GROUP BY x.kk) k ON k.kk = t.kk
            WHERE t.position >= %(start)s AND t.position < %(end)s
            ORDER BY t.position
            """, {"start": start, "end": start + count, "wave": wave.pk})
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
