"""Waves (gelombang): their status machine, the budget they bring in, and applications."""
from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..exceptions import (AlreadyApplied, AlreadyParticipant, AnotherWaveOpen, ProfileIncomplete,
                          TransitionNotAllowed, WaveNotOpen)
from ..models import Participant, Profile, User, Wave, WaveApplication, WaveStatusChange


@transaction.atomic
def wave_create(*, number: int, opens_at: dt.datetime, closes_at: dt.datetime, quota: int,
                by: User | None = None) -> Wave:
    """A new wave in draft. Raises ValidationError on a bad window or quota."""
    wave = Wave(number=number, opens_at=opens_at, closes_at=closes_at, quota=quota)
    wave.full_clean()
    wave.save()
    WaveStatusChange.objects.create(wave=wave, from_status="", to_status=wave.status, by=by, reason="created")
    return wave


@transaction.atomic
def wave_transition(*, wave: Wave, to: str, by: User | None, reason: str = "") -> Wave:
    """Move a wave along Wave.TRANSITIONS, locking its row and recording who, when and why.

    Raises TransitionNotAllowed."""
    locked = Wave.objects.select_for_update().get(pk=wave.pk)
    if to not in Wave.TRANSITIONS[locked.status]:
        raise TransitionNotAllowed.for_transition(locked, to)
    WaveStatusChange.objects.create(wave=locked, from_status=locked.status, to_status=to, by=by, reason=reason)
    locked.status = to
    locked.save(update_fields=["status"])
    wave.status = to
    return locked


@transaction.atomic
def wave_open(*, wave: Wave, by: User | None, reason: str = "") -> Wave:
    """Open registration and bring the wave's budget into the ledger, once:
    state budget → training fund, quota × Rp1.000.000.

    Raises TransitionNotAllowed, AnotherWaveOpen."""
    from wallets.models import Account, LedgerTransaction
    from wallets.services import account_program_get, ledger_post

    if Wave.objects.filter(status=Wave.Status.OPEN).exclude(pk=wave.pk).exists():
        raise AnotherWaveOpen()
    try:
        with transaction.atomic():
            locked = wave_transition(wave=wave, to=Wave.Status.OPEN, by=by, reason=reason)
    except IntegrityError as exc:  # the one-open-wave constraint, under a race
        raise AnotherWaveOpen() from exc
    ledger_post(
        code=LedgerTransaction.Code.BUDGET_ALLOCATION, idempotency_key=f"wave:{locked.pk}:budget", reference=f"wave:{locked.pk}",
        memo=f"Training budget of wave {locked.number}",
        entries=[(account_program_get(kind=Account.Kind.BUDGET_SOURCE), -locked.budget),
                 (account_program_get(kind=Account.Kind.TRAINING_FUND), locked.budget)],
    )
    return locked


def wave_close(*, wave: Wave, by: User | None, reason: str = "") -> Wave:
    """Close registration. Raises TransitionNotAllowed."""
    return wave_transition(wave=wave, to=Wave.Status.CLOSED, by=by, reason=reason)


@transaction.atomic
def wave_apply(*, profile: Profile | None, wave: Wave | None, now: dt.datetime | None = None) -> WaveApplication:
    """Apply a complete profile to an open wave, once per wave; never after being selected.

    Raises ProfileIncomplete, WaveNotOpen, AlreadyParticipant, AlreadyApplied."""
    if profile is None or profile.pk is None:
        raise ProfileIncomplete()
    # Serialise this person's applications: the checks below cannot race a double click.
    Profile.objects.select_for_update().filter(pk=profile.pk).first()
    if wave is None or not wave.is_accepting(now):
        raise WaveNotOpen()
    if Participant.objects.filter(profile=profile).exists():
        raise AlreadyParticipant()
    if WaveApplication.objects.filter(wave=wave, profile=profile).exists():
        raise AlreadyApplied()
    return WaveApplication.objects.create(wave=wave, profile=profile)
