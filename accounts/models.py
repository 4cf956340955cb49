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


def digits16(code: str, label) -> RegexValidator:
    return RegexValidator(r"^\d{16}$", message=_("%(label)s must be exactly 16 digits.") % {"label": label},
                          code=f"{code}_format")


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
    nik = models.CharField(_("NIK"), max_length=16, unique=True, validators=[digits16("nik", "NIK")],
                           error_messages={"unique": _("This NIK is already registered to another account. "
                                                       "If it is yours, contact the help desk.")},
                           help_text=_("16 digits, as on your KTP."))
    kk = models.CharField(_("KK number"), max_length=16, validators=[digits16("kk", "KK")], db_index=True,
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
