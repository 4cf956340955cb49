import datetime as dt

import factory
from allauth.account.models import EmailAddress

from accounts.models import Profile, User
from accounts.nik import nik_build


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.id")
    password = factory.django.Password("rahasia-123")

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class ProfileFactory(factory.django.DjangoModelFactory):
    """A valid, eligible profile: the NIK agrees with the birth date and sex."""

    class Meta:
        model = Profile

    user = factory.SubFactory(UserFactory)
    sex = factory.Iterator([Profile.Sex.MALE, Profile.Sex.FEMALE])
    birth_date = factory.Sequence(lambda n: dt.date(1980, 1, 1) + dt.timedelta(days=(n * 37) % 9000))
    province = "32"
    nik = factory.LazyAttributeSequence(
        lambda o, n: nik_build(province_code=o.province, regency=1 + n % 27, district=1 + n % 40,
                               birth_date=o.birth_date, sex=o.sex, serial=1 + n % 9999))
    kk = factory.LazyAttributeSequence(lambda o, n: f"{o.province}{n:014d}")
    full_name = factory.Faker("name", locale="id_ID")
    phone = factory.Sequence(lambda n: f"+62812{n:08d}")
    education = Profile.Education.SMA
    employment = Profile.Employment.UNEMPLOYED


def wave_factory(*, number: int, quota: int, status: str = "draft", opens_in_days: int = -1,
                 closes_in_days: int = 14, by=None):
    """A wave moved through its real services to `status` (budget posted when opened)."""
    from django.utils import timezone

    from accounts.models import Wave
    from accounts.services import wave_close, wave_create, wave_open

    now = timezone.now()
    wave = wave_create(number=number, quota=quota, opens_at=now + dt.timedelta(days=opens_in_days),
                       closes_at=now + dt.timedelta(days=closes_in_days), by=by)
    if status in (Wave.Status.OPEN, Wave.Status.CLOSED):
        wave_open(wave=wave, by=by)
    if status == Wave.Status.CLOSED:
        wave_close(wave=wave, by=by)
    wave.refresh_from_db()
    return wave


def applicants(wave, n: int, **profile_kwargs):
    """n fresh eligible profiles applied to `wave` (which must be open)."""
    from accounts.services import wave_apply

    return [wave_apply(profile=ProfileFactory(**profile_kwargs), wave=wave) for _ in range(n)]
