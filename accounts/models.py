"""Accounts: the login (email, no username) and the participant's profile as on the ID card."""
from __future__ import annotations

import datetime as dt
import re

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .nik import FEMALE, MALE, nik_check_person
from .regions import PROVINCE_CHOICES, PROVINCES

MIN_AGE = 18


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email address"), unique=True)
    is_staff = models.BooleanField(_("PMO staff"), default=False,
                                   help_text=_("Can log in to the program office admin."))
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()


NIK_DIGITS = RegexValidator(r"^\d{16}$", message=_("NIK must be exactly 16 digits."), code="nik_format")
KK_DIGITS = RegexValidator(r"^\d{16}$", message=_("The KK number must be exactly 16 digits."), code="kk_format")


PHONE_RE = re.compile(r"^(?:\+?62|0)(8[1-9]\d{6,10})$")


def normalise_phone(raw: str) -> str:
    """Indonesian mobile number in E.164 (+628…); raises ValidationError when it is not one."""
    cleaned = re.sub(r"[\s\-().]", "", raw or "")
    match = PHONE_RE.match(cleaned)
    if not match:
        raise ValidationError(_("Enter an Indonesian mobile number, e.g. 0812 3456 7890."), code="phone")
    return "+62" + match.group(1)


class Profile(models.Model):
    """A participant's identity as on the KTP, and what the program's eligibility rules read."""

    class Sex(models.TextChoices):
        MALE = MALE, _("Male")
        FEMALE = FEMALE, _("Female")

    class Education(models.TextChoices):
        NONE = "none", _("Did not finish primary school")
        SD = "sd", _("Primary school (SD)")
        SMP = "smp", _("Junior high school (SMP)")
        SMA = "sma", _("Senior high school / vocational (SMA/SMK)")
        DIPLOMA = "diploma", _("Diploma (D1–D3)")
        BACHELOR = "bachelor", _("Bachelor (D4/S1)")
        MASTER = "master", _("Master (S2)")
        DOCTOR = "doctor", _("Doctorate (S3)")

    class Employment(models.TextChoices):
        UNEMPLOYED = "unemployed", _("Looking for work")
        LAID_OFF = "laid_off", _("Laid off (PHK)")
        EMPLOYED = "employed", _("Employed")
        SELF_EMPLOYED = "self_employed", _("Self-employed / micro business")
        STUDENT = "student", _("In formal schooling (school or university)")

    user = models.OneToOneField("accounts.User", on_delete=models.CASCADE, related_name="profile")
    nik = models.CharField(_("NIK"), max_length=16, unique=True, validators=[NIK_DIGITS],
                           error_messages={"unique": _("This NIK is already registered to another account. "
                                                       "If it is yours, contact the help desk.")},
                           help_text=_("16 digits, as on your KTP."))
    kk = models.CharField(_("KK number"), max_length=16, validators=[KK_DIGITS], db_index=True,
                          help_text=_("16 digits, as on your family card (Kartu Keluarga)."))
    full_name = models.CharField(_("full name"), max_length=150, help_text=_("As written on your KTP."))
    birth_date = models.DateField(_("birth date"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    phone = models.CharField(_("mobile phone"), max_length=16, help_text=_("e.g. 0812 3456 7890"))
    province = models.CharField(_("province"), max_length=2, choices=PROVINCE_CHOICES)
    education = models.CharField(_("education level"), max_length=16, choices=Education.choices)
    employment = models.CharField(_("employment status"), max_length=16, choices=Employment.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("participant profile")
        verbose_name_plural = _("participant profiles")
        indexes = [models.Index(fields=["province", "sex"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(sex__in=[MALE, FEMALE]), name="profile_sex_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.masked_nik})"

    @property
    def masked_nik(self) -> str:
        return mask_number(self.nik)

    @property
    def masked_kk(self) -> str:
        return mask_number(self.kk)

    @property
    def province_name(self) -> str:
        return PROVINCES.get(self.province, self.province)

    def age_on(self, day: dt.date) -> int:
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))

    def clean(self) -> None:
        """Eligibility as the program reads it; each error lands on its own field."""
        errors: dict[str, list[ValidationError]] = {}
        if self.phone:
            try:
                self.phone = normalise_phone(self.phone)
            except ValidationError as exc:
                errors.setdefault("phone", []).append(exc)
        if self.nik and len(self.nik) == 16 and self.nik.isdigit():
            try:
                nik_check_person(self.nik, birth_date=self.birth_date, sex=self.sex)
            except ValidationError as exc:
                errors.setdefault("nik", []).append(exc)
        if self.kk and len(self.kk) == 16 and self.kk.isdigit() and self.kk[:2] not in PROVINCES:
            errors.setdefault("kk", []).append(ValidationError(
                _("The first two digits of the KK number are not a province code."), code="kk_province"))
        if self.birth_date:
            today = timezone.localdate()
            if self.birth_date > today:
                errors.setdefault("birth_date", []).append(
                    ValidationError(_("The birth date cannot be in the future."), code="birth_date_future"))
            elif self.age_on(today) < MIN_AGE:
                errors.setdefault("birth_date", []).append(ValidationError(
                    _("Participants must be at least %(age)s years old."), code="under_age",
                    params={"age": MIN_AGE}))
        if self.employment == self.Employment.STUDENT:
            errors.setdefault("employment", []).append(ValidationError(
                _("People in formal schooling cannot join the program."), code="in_school"))
        if errors:
            raise ValidationError(errors)


def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` earlier; 29 February falls back to the 28th."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def mask_number(value: str) -> str:
    """Show the region and the serial, hide the rest: 3201********0001."""
    if not value or len(value) < 8:
        return value or ""
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


TRAINING_BALANCE = 1_000_000  # rupiah credited to each selected participant, once
MAX_PARTICIPANTS_PER_KK = 2


class Wave(models.Model):
    """A gelombang: a registration window with a quota, closed by a public lottery."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for registration")
        CLOSED = "closed", _("Closed")
        SELECTING = "selecting", _("Selection running")
        SELECTED = "selected", _("Selected")

    TRANSITIONS: dict[str, set[str]] = {
        Status.DRAFT: {Status.OPEN},
        Status.OPEN: {Status.CLOSED},
        Status.CLOSED: {Status.SELECTING},
        Status.SELECTING: {Status.SELECTED},
        Status.SELECTED: set(),
    }

    number = models.PositiveIntegerField(_("wave number"), unique=True)
    opens_at = models.DateTimeField(_("registration opens"))
    closes_at = models.DateTimeField(_("registration closes"))
    quota = models.PositiveIntegerField(_("quota"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    selection_seed = models.CharField(
        _("lottery seed"), max_length=64, blank=True,
        help_text=_("Published with the result: with it and the list of application numbers anyone can "
                    "recompute the draw."))
    drawn_count = models.PositiveIntegerField(_("applicants drawn"), default=0)
    processed_count = models.PositiveIntegerField(_("draw positions processed"), default=0)
    selected_count = models.PositiveIntegerField(_("selected"), default=0)
    selection_started_at = models.DateTimeField(null=True, blank=True)
    selection_finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("wave")
        verbose_name_plural = _("waves")
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quota__gt=0), name="wave_quota_positive"),
            models.CheckConstraint(condition=models.Q(closes_at__gt=models.F("opens_at")),
                                   name="wave_window_ordered"),
            models.CheckConstraint(condition=models.Q(selected_count__lte=models.F("quota")),
                                   name="wave_never_over_quota"),
            models.UniqueConstraint(fields=["status"], condition=models.Q(status="open"),
                                    name="wave_one_open_at_a_time"),
        ]

    def __str__(self) -> str:
        return _("Wave %(number)s") % {"number": self.number}

    @property
    def budget(self) -> int | None:
        """The training balances the wave's quota will credit (None until a quota is set)."""
        return self.quota * TRAINING_BALANCE if self.quota is not None else None

    def is_accepting(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.OPEN and self.opens_at <= now < self.closes_at


class WaveStatusChange(models.Model):
    """Append-only record of every wave decision: who, when, from, to, why."""

    wave = models.ForeignKey(Wave, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=Wave.Status.choices)
    to_status = models.CharField(max_length=16, choices=Wave.Status.choices)
    by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("wave status change")


class WaveApplication(models.Model):
    """A profile applying to one wave. Whether it was selected is read from Participant."""

    wave = models.ForeignKey(Wave, on_delete=models.PROTECT, related_name="applications")
    profile = models.ForeignKey(Profile, on_delete=models.PROTECT, related_name="applications")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("wave application")
        constraints = [models.UniqueConstraint(fields=["wave", "profile"], name="application_once_per_wave")]

    def __str__(self) -> str:
        return f"{self.wave} #{self.pk}"


class LotteryDraw(models.Model):
    """The published result of a wave's lottery: applications in draw order.

    Position p holds the p-th application when ranked by SHA-256("<seed>:<application id>");
    processing walks positions in order until the quota is filled."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Pending")
        SELECTED = "selected", _("Selected")
        SKIPPED_PARTICIPANT = "skipped_participant", _("Skipped: already a participant")
        SKIPPED_KK = "skipped_kk", _("Skipped: family card already has two participants")

    # On PostgreSQL one composite foreign key, (application, wave) -> the application's (id, wave),
    # checks both columns at once and that they agree (migration 0005): one check per row a selection
    # writes instead of two. The wave is not indexed on its own: the (wave, position) index leads with it.
    wave = models.ForeignKey(Wave, on_delete=models.PROTECT, related_name="draws", db_index=False,
                             db_constraint=False)
    position = models.PositiveIntegerField()
    application = models.OneToOneField(WaveApplication, on_delete=models.PROTECT, related_name="draw",
                                       db_constraint=False)
    outcome = models.CharField(max_length=24, choices=Outcome.choices, default=Outcome.PENDING)

    class Meta:
        verbose_name = _("lottery draw")
        constraints = [models.UniqueConstraint(fields=["wave", "position"], name="draw_position_unique")]


class Participant(models.Model):
    """A selected applicant: a program member with a card and a training balance."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        FORFEITED = "forfeited", _("Place forfeited")

    # On PostgreSQL one composite foreign key, (application, wave, profile) -> the application's
    # (id, wave, profile), checks the three at once and that they agree (migration 0005): the
    # application's own foreign keys vouch for its wave and profile. One check per participant a
    # selection writes instead of three.
    profile = models.OneToOneField(Profile, on_delete=models.PROTECT, related_name="participant",
                                   db_constraint=False)
    wave = models.ForeignKey(Wave, on_delete=models.PROTECT, related_name="participants", db_constraint=False)
    application = models.OneToOneField(WaveApplication, on_delete=models.PROTECT, related_name="participant",
                                       db_constraint=False)
    kk = models.CharField(max_length=16)  # copied at selection: the per-KK limit reads it (indexed below)
    card_number = models.CharField(_("card number"), max_length=16)  # unique, below
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    selected_at = models.DateTimeField(_("selected at"))

    class Meta:
        verbose_name = _("program participant")
        verbose_name_plural = _("program participants")
        # Declared here rather than as unique=True / db_index=True on the fields, which on PostgreSQL
        # add a second, varchar_pattern_ops index each for LIKE queries that nothing runs: two index
        # insertions fewer for every participant a selection writes.
        constraints = [models.UniqueConstraint(fields=["card_number"], name="participant_card_number_unique")]
        indexes = [models.Index(fields=["kk"], name="participant_kk")]

    def __str__(self) -> str:
        return self.card_number


def luhn_digit(digits: str) -> str:
    """The Luhn check digit for a string of digits (as payment cards use)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    return number.isdigit() and len(number) > 1 and luhn_digit(number[:-1]) == number[-1]


def card_number_for(*, wave_number: int, position: int) -> str:
    """16 digits: wave (3), draw position (12), Luhn check digit (1)."""
    body = f"{wave_number:03d}{position:012d}"
    return body + luhn_digit(body)
