from __future__ import annotations

from .models import Profile, User


def profile_get(*, user: User) -> Profile | None:
    return Profile.objects.filter(user=user).first()


def dashboard_get(*, user: User) -> dict:
    """Everything the participant's dashboard shows, read in a fixed number of queries."""
    profile = profile_get(user=user)
    return {"profile": profile}
