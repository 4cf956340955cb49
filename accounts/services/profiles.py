"""Writes for participants' accounts and profiles."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ..exceptions import NikAlreadyRegistered
from ..models import Profile, User


@transaction.atomic
def profile_save(*, user: User, nik: str, kk: str, full_name: str, birth_date: dt.date, sex: str,
                 phone: str, province: str, education: str, employment: str) -> Profile:
    """Create or update the user's profile after checking every eligibility rule.

    Raises ValidationError (per field: NIK structure and agreement with birth date and sex, age,
    formal schooling, phone) and NikAlreadyRegistered when another account holds the NIK."""
    profile = Profile.objects.select_for_update().filter(user=user).first() or Profile(user=user)
    profile.nik, profile.kk = nik, kk
    profile.full_name = " ".join(full_name.split())
    profile.birth_date, profile.sex = birth_date, sex
    profile.phone, profile.province = phone, province
    profile.education, profile.employment = education, employment
    try:
        profile.full_clean()
    except ValidationError as exc:
        if _only_nik_unique(exc):
            raise NikAlreadyRegistered() from exc
        raise
    try:
        with transaction.atomic():
            profile.save()
    except IntegrityError as exc:  # two registrations of one NIK raced past full_clean
        raise NikAlreadyRegistered() from exc
    return profile


def _only_nik_unique(exc: ValidationError) -> bool:
    errors = getattr(exc, "error_dict", {})
    return list(errors) == ["nik"] and all(e.code == "unique" for e in errors["nik"])
