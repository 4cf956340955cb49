"""Each NIK rule refuses with its own code, and structurally valid NIKs for a man and a woman pass."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from accounts.nik import FEMALE, MALE, nik_build, nik_check_person, nik_parse
from accounts.regions import PROVINCES


def code_of(exc: ValidationError) -> str:
    return exc.error_list[0].code


def test_valid_nik_of_a_man_passes():
    info = nik_check_person("3201011505900001", birth_date=dt.date(1990, 5, 15), sex=MALE)
    assert (info.province_code, info.day, info.month, info.year2, info.sex) == ("32", 15, 5, 90, MALE)


def test_valid_nik_of_a_woman_has_forty_added_to_the_day():
    info = nik_check_person("3578015505950002", birth_date=dt.date(1995, 5, 15), sex=FEMALE)
    assert (info.day, info.sex) == (15, FEMALE)


@pytest.mark.parametrize("value, code", [
    ("32010115059000", "nik_format"),
    ("32010115059000011", "nik_format"),
    ("32O1011505900001", "nik_format"),
    ("9901011505900001", "nik_province"),
    ("0001011505900001", "nik_province"),
    ("3201013202900001", "nik_date"),   # 32 February
    ("3201013102900001", "nik_date"),   # 31 February
    ("3201011513900001", "nik_date"),   # month 13
    ("3201010005900001", "nik_date"),   # day 0
    ("3201013505900001", "nik_date"),   # day 35: neither a man's day nor a woman's (41–71)
    ("3201017505900001", "nik_date"),   # 75 → 35
    ("3201011505900000", "nik_serial"),
])
def test_structural_rules_each_have_their_code(value, code):
    with pytest.raises(ValidationError) as exc:
        nik_parse(value)
    assert code_of(exc.value) == code


def test_twenty_ninth_february_only_in_a_leap_year():
    assert nik_parse("3201012902000001").day == 29  # 2000 was a leap year
    with pytest.raises(ValidationError) as exc:
        nik_parse("3201012902010001")
    assert code_of(exc.value) == "nik_date"


def test_a_womans_nik_entered_as_a_man_is_refused():
    with pytest.raises(ValidationError) as exc:
        nik_check_person("3578015505950002", birth_date=dt.date(1995, 5, 15), sex=MALE)
    assert code_of(exc.value) == "nik_sex"


def test_a_mans_nik_entered_as_a_woman_is_refused():
    with pytest.raises(ValidationError) as exc:
        nik_check_person("3201011505900001", birth_date=dt.date(1990, 5, 15), sex=FEMALE)
    assert code_of(exc.value) == "nik_sex"


def test_birth_date_must_agree_with_the_nik():
    with pytest.raises(ValidationError) as exc:
        nik_check_person("3201011505900001", birth_date=dt.date(1990, 5, 16), sex=MALE)
    assert code_of(exc.value) == "nik_birth_date"
    with pytest.raises(ValidationError):
        nik_check_person("3201011505900001", birth_date=dt.date(1991, 5, 15), sex=MALE)


@given(
    province=st.sampled_from(sorted(PROVINCES)),
    birth=st.dates(min_value=dt.date(1940, 1, 1), max_value=dt.date(2030, 12, 31)),
    sex=st.sampled_from([MALE, FEMALE]),
    serial=st.integers(1, 9999),
    regency=st.integers(1, 99),
    district=st.integers(1, 99),
)
def test_every_built_nik_parses_back_to_its_person(province, birth, sex, serial, regency, district):
    nik = nik_build(province_code=province, regency=regency, district=district, birth_date=birth, sex=sex,
                    serial=serial)
    info = nik_check_person(nik, birth_date=birth, sex=sex)
    assert (info.province_code, info.day, info.month, info.sex) == (province, birth.day, birth.month, sex)
