from __future__ import annotations

from django.utils import timezone

from .models import Participant, Profile, User, Wave, WaveApplication


def profile_get(*, user: User) -> Profile | None:
    return Profile.objects.filter(user=user).first()


def wave_open_get() -> Wave | None:
    """The wave currently taking applications, if any."""
    now = timezone.now()
    return Wave.objects.filter(status=Wave.Status.OPEN, opens_at__lte=now, closes_at__gt=now).first()


def application_state(application: WaveApplication | None, participant: Participant | None) -> str | None:
    """applied (waiting for the lottery), selected, or not_selected."""
    if application is None:
        return None
    if participant is not None and participant.application_id == application.pk:
        return "selected"
    if application.wave.status == Wave.Status.SELECTED:
        return "not_selected"
    return "applied"


def participant_balance_get(*, participant: Participant) -> int:
    """The participant's training balance (0 before the account exists)."""
    from django.contrib.contenttypes.models import ContentType

    from wallets.models import Account

    return (Account.objects.filter(kind=Account.Kind.PARTICIPANT_BALANCE, owner_id=participant.pk,
                                   owner_type=ContentType.objects.get_for_model(Participant))
            .values_list("balance", flat=True).first() or 0)


def dashboard_get(*, user: User) -> dict:
    """Everything the participant's dashboard shows, read in a fixed number of queries."""
    profile = profile_get(user=user)
    participant = application = None
    open_wave = wave_open_get()
    open_application = None
    if profile:
        participant = Participant.objects.select_related("wave").filter(profile=profile).first()
        application = (WaveApplication.objects.select_related("wave").filter(profile=profile)
                       .order_by("-created_at").first())
        if open_wave and application and application.wave_id == open_wave.pk:
            open_application = application
    return {
        "profile": profile,
        "participant": participant,
        "balance": participant_balance_get(participant=participant) if participant else None,
        "open_wave": open_wave,
        "application": application,
        "application_state": application_state(application, participant),
        "can_apply": bool(profile and open_wave and not participant and not open_application),
    }
