"""The structure of an Indonesian NIK (Nomor Induk Kependudukan), checked without any registry.

    PP KK CC DDMMYY SSSS
    PP province code, KK regency, CC district, DDMMYY birth date (women: day + 40), SSSS serial.

Each rule has its own error code so a participant is told exactly which part is wrong.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .regions import PROVINCES

NIK_RE = re.compile(r"^\d{16}$")
MALE, FEMALE = "M", "F"


@dataclass(frozen=True)
class NikInfo:
    province_code: str
    day: int  # real day of birth, 40 already taken off for women
    month: int
    year2: int
    sex: str


def _valid_day_month(day: int, month: int, year2: int) -> bool:
    # Two digits of year: the date must exist in at least one of the two possible centuries.
    for century in (1900, 2000):
        try:
            dt.date(century + year2, month, day)
            return True
        except ValueError:
            continue
    return False


def nik_parse(value: str) -> NikInfo:
    """Check a NIK's own structure. Raises ValidationError with a code per rule."""
    if not NIK_RE.match(value or ""):
        raise ValidationError(_("NIK must be exactly 16 digits."), code="nik_format")
    province = value[:2]
    if province not in PROVINCES:
        raise ValidationError(
            _("The first two digits of the NIK (%(code)s) are not a province code."),
            code="nik_province", params={"code": province},
        )
    raw_day, month, year2 = int(value[6:8]), int(value[8:10]), int(value[10:12])
    if 41 <= raw_day <= 71:
        sex, day = FEMALE, raw_day - 40
    else:
        sex, day = MALE, raw_day
    if not (1 <= month <= 12) or not (1 <= day <= 31) or not _valid_day_month(day, month, year2):
        raise ValidationError(
            _("Digits 7–12 of the NIK (%(part)s) are not a possible date of birth."),
            code="nik_date", params={"part": value[6:12]},
        )
    if value[12:] == "0000":
        raise ValidationError(_("The last four digits of the NIK cannot all be zero."), code="nik_serial")
    return NikInfo(province_code=province, day=day, month=month, year2=year2, sex=sex)


def nik_check_person(value: str, *, birth_date: dt.date | None, sex: str | None) -> NikInfo:
    """Check a NIK against the birth date and sex the person gave. Raises ValidationError."""
    info = nik_parse(value)
    if sex and sex != info.sex:
        if sex == FEMALE:
            message = _("For a woman the NIK's birth day (digits 7–8) is the day plus 40; this NIK is a man's.")
        else:
            message = _("For a man the NIK's birth day (digits 7–8) is the day itself; this NIK is a woman's.")
        raise ValidationError(message, code="nik_sex")
    if birth_date and (birth_date.day, birth_date.month, birth_date.year % 100) != (info.day, info.month, info.year2):
        raise ValidationError(
            _("The birth date in the NIK (%(nik_date)s) does not match the birth date you entered."),
            code="nik_birth_date",
            params={"nik_date": f"{info.day:02d}-{info.month:02d}-{info.year2:02d}"},
        )
    return info


def nik_build(*, province_code: str, regency: int, district: int, birth_date: dt.date, sex: str,
              serial: int) -> str:
    """Compose a structurally valid NIK; used by demo data and tests."""
    day = birth_date.day + (40 if sex == FEMALE else 0)
    return (f"{province_code}{regency:02d}{district:02d}{day:02d}{birth_date.month:02d}"
            f"{birth_date.year % 100:02d}{serial:04d}")
