"""Demo data for accounts: the PMO admin, a demo participant, and bulk participants.

`manage.py seed_demo` runs the steps of every app in order (see its STEPS list); this module gives
the accounts steps and the row generator that benchmarks reuse. Every demo participant is valid
by `Profile.full_clean()`: the NIK agrees with the birth date and sex, the age is 18–64, the KK
starts with the province code, and nobody is in formal schooling.

Rows are a pure function of (seed, index): a top-up run continues where the last one stopped, and
the NIK, KK and email are unique by construction (bijections of the index), so no lookups are
needed while writing a million of them.
"""
from __future__ import annotations

import datetime as dt
import functools
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TextIO

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from .models import Profile, User, years_before
from .nik import FEMALE, MALE, nik_build
from .regions import PROVINCES
from .services import profile_save

ADMIN_EMAIL = "admin@prakerja.local"
ADMIN_PASSWORD = "pmo-prakerja-2020"
PARTICIPANT_EMAIL = "peserta@prakerja.local"
DEMO_PASSWORD = "peserta-prakerja-2020"  # the demo participant and every bulk participant
BULK_DOMAIN = "demo.prakerja.local"
DEFAULT_PARTICIPANTS = 300
PG_BATCH_SIZE = 50_000
SQLITE_BATCH_SIZE = 2_000


def bulk_email(index: int) -> str:
    return f"peserta{index:05d}@{BULK_DOMAIN}"


# --- Steps: seed_demo calls these in order, each with the run's context --------------------------

@dataclass
class DemoContext:
    """What a demo step needs; steps add the logins they want printed at the end."""

    stdout: TextIO
    participants: int = DEFAULT_PARTICIPANTS
    seed: int = 0
    batch_size: int | None = None
    listings: int | None = None  # None: the demo catalogue's own size
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (who, login, password)


def step_staff(ctx: DemoContext) -> None:
    seed_staff(stdout=ctx.stdout)
    ctx.logins.append(("PMO admin (/admin/)", ADMIN_EMAIL, ADMIN_PASSWORD))


def step_demo_participant(ctx: DemoContext) -> None:
    seed_demo_participant(stdout=ctx.stdout)
    ctx.logins.append(("Demo participant", PARTICIPANT_EMAIL, DEMO_PASSWORD))


def step_participants(ctx: DemoContext) -> None:
    seed_participants(n=ctx.participants, stdout=ctx.stdout, batch_size=ctx.batch_size, seed=ctx.seed)
    total = User.objects.filter(email__endswith="@" + BULK_DOMAIN).count()
    if total:
        ctx.logins.append((f"{total:,} bulk participants", f"{bulk_email(1)} … {bulk_email(total)}",
                           DEMO_PASSWORD))


# --- Single accounts --------------------------------------------------------------------------

def _login_ready(*, email: str, password: str, stdout: TextIO, label: str, **extra: Any) -> User:
    """Create the user once; afterwards only repair what would stop the printed login working."""
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, password, **extra)
        stdout.write(f"Created {label} {email}\n")
    elif not user.check_password(password) or not user.is_active:
        user.set_password(password)
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
        stdout.write(f"Reset the password of {label} {email}\n")
    # Email verification is mandatory: without a verified address allauth refuses the login.
    EmailAddress.objects.update_or_create(user=user, email=email,
                                          defaults={"verified": True, "primary": True})
    return user


@transaction.atomic
def seed_staff(*, stdout: TextIO) -> User:
    """The PMO superuser, ADMIN_EMAIL / ADMIN_PASSWORD."""
    return _login_ready(email=ADMIN_EMAIL, password=ADMIN_PASSWORD, stdout=stdout, label="PMO admin",
                        is_staff=True, is_superuser=True)


@transaction.atomic
def seed_demo_participant(*, stdout: TextIO) -> User:
    """PARTICIPANT_EMAIL / DEMO_PASSWORD with a complete, eligible profile saved by profile_save."""
    user = _login_ready(email=PARTICIPANT_EMAIL, password=DEMO_PASSWORD, stdout=stdout,
                        label="demo participant")
    if not Profile.objects.filter(user=user).exists():
        birth = dt.date(1995, 8, 17)
        # Regency 73 (Kota Bandung) is outside the range bulk NIKs use, so the two never collide.
        profile_save(user=user, nik=nik_build(province_code="32", regency=73, district=5, birth_date=birth,
                                              sex=FEMALE, serial=1),
                     kk="3273050101200001", full_name="Siti Rahmawati", birth_date=birth, sex=FEMALE,
                     phone="+6281234567890", province="32", education=Profile.Education.SMA,
                     employment=Profile.Employment.LAID_OFF)
    return user


# --- Bulk participants: generation ------------------------------------------------------------

class DemoRow(NamedTuple):
    index: int
    email: str
    full_name: str
    nik: str
    kk: str
    birth_date: dt.date
    sex: str
    phone: str
    province: str
    education: str
    employment: str


MALE_NAMES = (
    "Agus", "Ahmad", "Aditya", "Andi", "Arif", "Asep", "Bambang", "Bayu", "Budi", "Dadang", "Daniel",
    "Dedi", "Dimas", "Dodi", "Eko", "Fajar", "Fikri", "Galih", "Gede", "Gilang", "Hadi", "Hendra",
    "Hari", "Ilham", "Irfan", "Iwan", "Joko", "Johannes", "Ketut", "Krisna", "Lukman", "Made",
    "Muhammad", "Nanang", "Nyoman", "Rahmat", "Rangga", "Reza", "Ridwan", "Rizki", "Robert", "Rudi",
    "Samuel", "Sigit", "Slamet", "Taufik", "Teguh", "Tono", "Ujang", "Wahyu", "Wawan", "Wayan",
    "Yoga", "Yohanes", "Yudi", "Yusuf", "Zainal", "Firman", "Hasan", "Imam",
)
FEMALE_NAMES = (
    "Agnes", "Anisa", "Ayu", "Bunga", "Citra", "Dewi", "Diah", "Dian", "Eka", "Endang", "Erna",
    "Farida", "Fatimah", "Fitri", "Gita", "Hana", "Hesti", "Ika", "Indah", "Intan", "Irma", "Juwita",
    "Kartika", "Kiki", "Larasati", "Lina", "Maria", "Maya", "Mega", "Melati", "Nia", "Ni Luh",
    "Nining", "Novi", "Nur", "Nurul", "Permata", "Putri", "Rahma", "Ratih", "Ratna", "Rina", "Rini",
    "Rosa", "Santi", "Sari", "Siti", "Sri", "Theresia", "Tia", "Tuti", "Umi", "Vina", "Widya",
    "Wulan", "Yanti", "Yulia", "Yuni", "Zahra", "Margaretha",
)
FAMILY_NAMES = (
    "Siregar", "Nasution", "Lubis", "Harahap", "Simanjuntak", "Sinaga", "Tambunan", "Hutapea",
    "Sitompul", "Panjaitan", "Pardede", "Manurung", "Situmorang", "Ginting", "Tarigan", "Sembiring",
    "Hasibuan", "Daulay", "Rangkuti", "Tanjung", "Chaniago", "Piliang", "Sikumbang", "Wijaya",
    "Santoso", "Susanto", "Gunawan", "Hidayat", "Setiawan", "Kurniawan", "Nugroho", "Wibowo",
    "Hartono", "Purnomo", "Prasetyo", "Raharjo", "Sulistyo", "Suryadi", "Halim", "Salim", "Rahman",
    "Hakim", "Wahyudi", "Firmansyah", "Mandagi", "Lumentut", "Rumagit", "Wenas", "Sondakh",
    "Latuconsina", "Tuasikal", "Pattiasina", "Manuputty", "Wattimena", "Rumbiak", "Wenda",
    "Mandacan", "Pohan", "Matondang", "Lumbantobing",
)
PHONE_PREFIXES = (
    "811", "812", "813", "814", "815", "821", "822", "823", "851", "852", "853", "855", "856", "857",
    "858", "859", "877", "878", "831", "832", "838", "881", "882", "895", "896", "897", "898", "899",
)
# 2020 census, millions; the Papua provinces split by their 2022 populations.
PROVINCE_POPULATION = {
    "11": 5.27, "12": 14.80, "13": 5.53, "14": 6.39, "15": 3.55, "16": 8.47, "17": 2.01, "18": 9.01,
    "19": 1.46, "21": 2.06, "31": 10.56, "32": 48.27, "33": 36.52, "34": 3.67, "35": 40.67, "36": 11.90,
    "51": 4.32, "52": 5.32, "53": 5.33, "61": 5.41, "62": 2.67, "63": 4.07, "64": 3.77, "65": 0.70,
    "71": 2.62, "72": 2.99, "73": 9.07, "74": 2.62, "75": 1.17, "76": 1.42, "81": 1.85, "82": 1.28,
    "91": 1.06, "92": 0.56, "93": 0.52, "94": 1.45, "95": 1.45, "96": 0.60,
}
# Never STUDENT: people in formal schooling are not eligible.
EDUCATION_WEIGHTS = {"none": 2, "sd": 14, "smp": 18, "sma": 42, "diploma": 8, "bachelor": 14, "master": 1.8,
                     "doctor": 0.2}
EMPLOYMENT_WEIGHTS = {"unemployed": 38, "laid_off": 27, "employed": 18, "self_employed": 17}
SHARED_KK_PERCENT = 70  # families (pairs of consecutive rows) whose two members share one KK

# NIK digits 3–4 (regency) and 5–6 (district) in 1..40, serial 1..9999: (k * NIK_MULT) mod NIK_SPACE
# is a bijection, so the NIKs are unique whatever the seed, province or birth date.
_NIK_REGENCIES, _NIK_DISTRICTS = 40, 40
NIK_SPACE = _NIK_REGENCIES * _NIK_DISTRICTS * 9999
_NIK_MULT = 7_654_321  # coprime with NIK_SPACE = 2^6 · 3^2 · 5^2 · 11 · 101
_M64 = (1 << 64) - 1

assert set(PROVINCE_POPULATION) == set(PROVINCES)


def _mix(x: int) -> int:
    """splitmix64's finaliser: a fast, well-spread 64-bit hash of an integer."""
    x = (x + 0x9E3779B97F4A7C15) & _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


def _weighted(weights: dict[str, float], size: int = 1000) -> tuple[str, ...]:
    """A lookup table in which each key fills a share of `size` slots proportional to its weight."""
    total = sum(weights.values())
    table: list[str] = []
    for key, weight in weights.items():
        table.extend([key] * max(1, round(size * weight / total)))
    return tuple(table)


_PROVINCE_ORDER = tuple(PROVINCES)
_PROVINCE_TABLE = _weighted(PROVINCE_POPULATION, 10_000)
_EDUCATION_TABLE = _weighted(EDUCATION_WEIGHTS)
_EMPLOYMENT_TABLE = _weighted(EMPLOYMENT_WEIGHTS)
# KK digits 7–12: the card's issue date, 2005–2020.
_KK_ISSUED = tuple(f"{d.day:02d}{d.month:02d}{d.year % 100:02d}"
                   for d in (dt.date(2005, 1, 1) + dt.timedelta(days=n) for n in range(16 * 365)))


@functools.lru_cache(maxsize=4)
def _birth_dates(today: dt.date) -> tuple[tuple[dt.date, ...], tuple[str, ...], tuple[str, ...]]:
    """Every birth date of someone aged 18–64 on `today`, youngest first, with its NIK digits 7–12
    for a man and for a woman."""
    youngest = years_before(today, 18)
    span = (youngest - years_before(today, 65)).days  # born after that day: 64 at most
    dates = tuple(youngest - dt.timedelta(days=d) for d in range(span))
    male = tuple(f"{d.day:02d}{d.month:02d}{d.year % 100:02d}" for d in dates)
    female = tuple(f"{d.day + 40:02d}{d.month:02d}{d.year % 100:02d}" for d in dates)
    return dates, male, female


def participant_rows(start: int, count: int, seed: int = 0, *, today: dt.date | None = None) -> Iterator[DemoRow]:
    """Demo participants `start`, `start + 1`, … (1-based, as in their emails), deterministic in
    (seed, index, today).

    Consecutive rows 2f+1 and 2f+2 form a family: same province and family name, and most share
    a KK (never more than two people on one KK). The first 38 families cover every province; the
    rest follow the provinces' populations. Ages lean young, as the program's applicants did."""
    if start < 1 or start + count - 1 > NIK_SPACE:
        raise ValueError(f"Demo participants are numbered 1..{NIK_SPACE}.")
    dates, male_dmy, female_dmy = _birth_dates(today or timezone.localdate())
    span = len(dates)
    s = _mix(seed)
    males, females, families = MALE_NAMES, FEMALE_NAMES, FAMILY_NAMES
    n_males, n_females, n_families, n_prefixes = len(males), len(females), len(families), len(PHONE_PREFIXES)
    provinces, n_provinces = _PROVINCE_TABLE, len(_PROVINCE_TABLE)
    education, n_education = _EDUCATION_TABLE, len(_EDUCATION_TABLE)
    employment, n_employment = _EMPLOYMENT_TABLE, len(_EMPLOYMENT_TABLE)
    n_issued = len(_KK_ISSUED)
    for index in range(start, start + count):
        k = index - 1
        f, member = k >> 1, k & 1
        hf = _mix(s ^ (f << 1))
        h1 = _mix(s ^ ((k << 1) | 1))
        h2 = _mix(h1)
        province = _PROVINCE_ORDER[f] if f < len(_PROVINCE_ORDER) else provinces[hf % n_provinces]
        shares_kk = (hf >> 20) % 100 < SHARED_KK_PERCENT
        first_sex = (hf >> 27) & 1
        if member == 0:
            is_female = first_sex
        elif shares_kk:
            is_female = 1 - first_sex  # a couple
        else:
            is_female = h1 & 1
        d = min((h1 >> 1) % span, (h1 >> 17) % span)
        if is_female:
            sex, first, dmy = FEMALE, females[(h1 >> 33) % n_females], female_dmy[d]
        else:
            sex, first, dmy = MALE, males[(h1 >> 33) % n_males], male_dmy[d]
        full_name = f"{first} {families[(hf >> 10) % n_families]}" if (hf >> 28) & 3 else first
        j = (k * _NIK_MULT) % NIK_SPACE
        region = f"{province}{j % _NIK_REGENCIES + 1:02d}{(j // _NIK_REGENCIES) % _NIK_DISTRICTS + 1:02d}"
        nik = f"{region}{dmy}{j // (_NIK_REGENCIES * _NIK_DISTRICTS) + 1:04d}"
        # A KK carries the region and serial of its holder's NIK (the family's first member, or the
        # person alone): distinct holders have distinct (region, serial), so KKs never collide.
        if member and shares_kk:
            j = ((k - 1) * _NIK_MULT) % NIK_SPACE
            region = f"{province}{j % _NIK_REGENCIES + 1:02d}{(j // _NIK_REGENCIES) % _NIK_DISTRICTS + 1:02d}"
        kk = f"{region}{_KK_ISSUED[(hf >> 32) % n_issued]}{j // (_NIK_REGENCIES * _NIK_DISTRICTS) + 1:04d}"
        phone = f"+62{PHONE_PREFIXES[(h2 >> 8) % n_prefixes]}{(h2 >> 16) % 100_000_000:08d}"
        yield DemoRow(index, f"peserta{index:05d}@{BULK_DOMAIN}", full_name, nik, kk, dates[d], sex, phone,
                      province, education[(h1 >> 40) % n_education], employment[h2 % n_employment])


# --- Bulk participants: writing ---------------------------------------------------------------

USER_COLUMNS = ("id", "password", "last_login", "is_superuser", "email", "is_staff", "is_active",
                "date_joined")
EMAIL_COLUMNS = ("user_id", "email", "verified", "primary")
PROFILE_COLUMNS = ("user_id", "nik", "kk", "full_name", "birth_date", "sex", "phone", "province",
                   "education", "employment", "created_at", "updated_at")


def table_rows(rows: Sequence[DemoRow], *, first_user_id: int, password: str,
               now: dt.datetime) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """The tuples COPY writes to the user, email address and profile tables (in *_COLUMNS order)."""
    users, emails, profiles = [], [], []
    uid = first_user_id
    for r in rows:
        users.append((uid, password, None, False, r.email, False, True, now))
        emails.append((uid, r.email, True, True))
        profiles.append((uid, r.nik, r.kk, r.full_name, r.birth_date, r.sex, r.phone, r.province,
                         r.education, r.employment, now, now))
        uid += 1
    return users, emails, profiles


def copy_rows(cursor: Any, table: str, columns: Iterable[str], rows: Iterable[tuple]) -> None:
    """COPY rows into table through a raw psycopg 3 cursor."""
    cols = ", ".join(f'"{c}"' for c in columns)
    with cursor.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)


def _write_postgresql(rows: Sequence[DemoRow], *, password: str, now: dt.datetime) -> None:
    user_table = User._meta.db_table
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor  # the psycopg cursor under Django's wrapper
        # Reserve a block of user ids: no other insert can take one until this chunk commits, and a
        # value the sequence already handed out (a login being created right now) is skipped.
        cursor.execute(f'LOCK TABLE "{user_table}" IN SHARE ROW EXCLUSIVE MODE')
        cursor.execute(
            f"SELECT GREATEST((SELECT COALESCE(MAX(id), 0) FROM \"{user_table}\"),"
            f" COALESCE(pg_sequence_last_value(pg_get_serial_sequence(%s, 'id')::regclass), 0))",
            [user_table])
        first_id = cursor.fetchone()[0] + 1
        users, emails, profiles = table_rows(rows, first_user_id=first_id, password=password, now=now)
        copy_rows(cursor, user_table, USER_COLUMNS, users)
        copy_rows(cursor, EmailAddress._meta.db_table, EMAIL_COLUMNS, emails)
        copy_rows(cursor, Profile._meta.db_table, PROFILE_COLUMNS, profiles)
        cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
                       [user_table, first_id + len(rows) - 1])


def _write_orm(rows: Sequence[DemoRow], *, password: str, now: dt.datetime) -> None:
    first_id = (User.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    users, emails, profiles = table_rows(rows, first_user_id=first_id, password=password, now=now)
    User.objects.bulk_create([User(**dict(zip(USER_COLUMNS, u))) for u in users])
    EmailAddress.objects.bulk_create([EmailAddress(**dict(zip(EMAIL_COLUMNS, e))) for e in emails])
    Profile.objects.bulk_create([Profile(**dict(zip(PROFILE_COLUMNS, p))) for p in profiles])


def _existing_count() -> int:
    """How many bulk participants exist, i.e. the index to continue after."""
    qs = User.objects.filter(email__endswith="@" + BULK_DOMAIN)
    count = qs.count()
    if count and not qs.filter(email=bulk_email(count)).exists():
        # Some were deleted: continue after the highest index, never reuse one.
        return max(int(e.split("@")[0].removeprefix("peserta")) for e in qs.values_list("email", flat=True))
    return count


def seed_participants(*, n: int, stdout: TextIO, batch_size: int | None = None, seed: int = 0,
                      writer: Callable[..., None] | None = None) -> int:
    """Top up the bulk demo participants to `n` in total; returns how many were created.

    PostgreSQL: COPY in chunks, one transaction each. Other databases: bulk_create."""
    existing = _existing_count()
    missing = n - existing
    if missing <= 0:
        stdout.write(f"Bulk participants: {existing:,} already there (target {n:,}).\n")
        return 0
    postgres = connection.vendor == "postgresql"
    write = writer or (_write_postgresql if postgres else _write_orm)
    batch = batch_size or (PG_BATCH_SIZE if postgres else SQLITE_BATCH_SIZE)
    password = make_password(DEMO_PASSWORD)  # once: hashing per row would take hours for a million
    now = timezone.now()
    today = timezone.localdate()
    started = time.perf_counter()
    written = 0
    for chunk_start in range(existing + 1, n + 1, batch):
        count = min(batch, n + 1 - chunk_start)
        rows = list(participant_rows(chunk_start, count, seed, today=today))
        with transaction.atomic():
            write(rows, password=password, now=now)
        written += count
        elapsed = time.perf_counter() - started
        stdout.write(f"Bulk participants: {written:,}/{missing:,} written, "
                     f"{written / elapsed:,.0f} rows/s\n")
    return written


# --- Waves: one of each state, with a selected wave whose participants hold balances -----------

DEMO_WAVES = [  # number, quota, status, opens (days from now), closes, bulk applicants
    (1, 200, "selected", -120, -100, 150),
    (2, 40, "selected", -90, -70, 100),
    (3, 25, "closed", -30, -5, 30),
    (4, 600_000, "open", -2, 12, 20),
    (5, 600_000, "draft", 20, 34, 0),
]


def step_waves(ctx: DemoContext) -> None:
    """Waves in every state; the demo participant is selected in wave 1 and holds Rp1.000.000."""
    from .models import Wave
    from .services import wave_apply, wave_close, wave_create, wave_open, wave_selection_run, wave_selection_start

    if Wave.objects.exists():
        ctx.stdout.write(f"Waves: {Wave.objects.count()} already there.\n")
        return
    staff = User.objects.get(email=ADMIN_EMAIL)
    demo_profile = Profile.objects.get(user__email=PARTICIPANT_EMAIL)
    bulk = Profile.objects.filter(user__email__endswith="@" + BULK_DOMAIN).order_by("id")
    taken = 0
    now = timezone.now()
    for number, quota, status, opens, closes, n_applicants in DEMO_WAVES:
        wave = wave_create(number=number, quota=quota, opens_at=now + dt.timedelta(days=opens),
                           closes_at=now + dt.timedelta(days=closes), by=staff)
        if status == "draft":
            continue
        wave_open(wave=wave, by=staff, reason="demo schedule")
        applying_at = wave.opens_at + dt.timedelta(hours=1)
        profiles = list(bulk[taken:taken + n_applicants])
        taken += len(profiles)
        if number == 1:
            profiles.insert(0, demo_profile)
        for profile in profiles:
            wave_apply(profile=profile, wave=wave, now=applying_at)
        if status == "open":
            continue
        wave_close(wave=wave, by=staff, reason="registration window over")
        if status == "selected":
            wave_selection_start(wave=wave, by=staff, seed=f"demo-wave-{number}")
            wave_selection_run(wave_id=wave.pk)  # already done when tasks run eagerly at commit
        wave.refresh_from_db()
        ctx.stdout.write(f"Wave {number}: {wave.get_status_display()}, {len(profiles)} applicants, "
                         f"{wave.selected_count} selected\n")
