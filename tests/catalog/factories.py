"""Marketplace test data: platforms, institutions, courses, listings, and participants with a
funded training balance. Money comes through the ledger services, never by writing balances."""
from __future__ import annotations

import itertools

import factory
from django.utils import timezone

from accounts.models import TRAINING_BALANCE, Participant, Wave, WaveApplication, card_number_for
from catalog.models import Category, Course, Institution, Listing
from platforms.models import Platform
from tests.accounts.factories import ProfileFactory
from wallets.models import Account, LedgerTransaction
from wallets.services import account_get_or_create, account_program_get, ledger_post

_n = itertools.count(1)


class PlatformFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Platform

    name = factory.Sequence(lambda n: f"Platform {n}")
    slug = factory.Sequence(lambda n: f"platform-{n}")
    legal_name = factory.LazyAttribute(lambda o: f"PT {o.name}")
    portal_url = factory.LazyAttribute(lambda o: f"https://{o.slug}.example.id")
    status = Platform.Status.ACTIVE


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    name = factory.Sequence(lambda n: f"Lembaga Pelatihan {n}")
    legal_entity_number = factory.Sequence(lambda n: f"{9120000000000 + n}")
    province = "31"
    accreditation = Institution.Accreditation.A
    status = Institution.Status.ACTIVE


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    institution = factory.SubFactory(InstitutionFactory)
    title = factory.Sequence(lambda n: f"Kursus {n}")
    description = "Pelatihan untuk pemula."
    category = Category.DIGITAL_MARKETING
    hours = 12
    status = Course.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


class ListingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Listing

    course = factory.SubFactory(CourseFactory)
    platform = factory.SubFactory(PlatformFactory)
    price = 250_000
    is_active = True


def _wave() -> Wave:
    wave = Wave.objects.filter(number=900).first()
    if wave is None:
        now = timezone.now()
        wave = Wave.objects.create(number=900, opens_at=now - timezone.timedelta(days=30),
                                   closes_at=now - timezone.timedelta(days=20), quota=1_000_000,
                                   status=Wave.Status.SELECTED)
    return wave


def participant_factory(*, balance: int = TRAINING_BALANCE, status: str = Participant.Status.ACTIVE,
                        **profile_kwargs) -> Participant:
    """A selected participant whose training balance was credited `balance` from the training fund."""
    wave = _wave()
    profile = ProfileFactory(**profile_kwargs)
    application = WaveApplication.objects.create(wave=wave, profile=profile)
    n = next(_n)
    participant = Participant.objects.create(profile=profile, wave=wave, application=application, kk=profile.kk,
                                             card_number=card_number_for(wave_number=wave.number, position=n),
                                             status=status, selected_at=timezone.now())
    account = account_get_or_create(kind=Account.Kind.PARTICIPANT_BALANCE, owner=participant)
    if balance:
        ledger_post(code=LedgerTransaction.Code.BALANCE_CREDIT, idempotency_key=f"test-participant:{participant.pk}",
                    entries=[(account_program_get(kind=Account.Kind.TRAINING_FUND), -balance), (account, balance)],
                    reference=f"participant:{participant.pk}")
    return participant


def balance_of(participant: Participant) -> int:
    return account_get_or_create(kind=Account.Kind.PARTICIPANT_BALANCE, owner=participant).balance


def payable_of(platform: Platform) -> int:
    return account_get_or_create(kind=Account.Kind.PLATFORM_PAYABLE, owner=platform).balance
