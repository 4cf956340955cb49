"""seed_demo: valid, eligible demo participants; logins that work at once; safe to run twice."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts import demo
from accounts.models import Profile, User


def seed(participants: int = 40, **options) -> str:
    out = StringIO()
    call_command("seed_demo", participants=participants, stdout=out, **options)
    return out.getvalue()


def logins_section(output: str) -> str:
    return output[output.index("Demo logins:"):]


def bulk_profiles() -> list[Profile]:
    return list(Profile.objects.filter(user__email__endswith="@" + demo.BULK_DOMAIN).select_related("user"))


@pytest.mark.django_db
def test_every_demo_profile_passes_full_clean():
    seed(40)

    profiles = list(Profile.objects.select_related("user"))
    assert len(profiles) == 41  # the demo participant and 40 bulk ones
    for profile in profiles:
        profile.full_clean()  # NIK agrees with birth date and sex, age >= 18, KK province, not a student


@pytest.mark.django_db
def test_bulk_participants_are_varied_and_eligible():
    seed(40)

    profiles = bulk_profiles()
    today = timezone.localdate()
    assert len(profiles) == 40
    assert {p.sex for p in profiles} == {Profile.Sex.MALE, Profile.Sex.FEMALE}
    assert len({p.province for p in profiles}) >= 10
    assert all(18 <= p.age_on(today) <= 64 for p in profiles)
    assert all(p.nik[:2] == p.province and p.kk[:2] == p.province for p in profiles)
    assert all(p.phone.startswith("+628") for p in profiles)
    assert max(Counter(p.kk for p in profiles).values()) <= 2
    assert Profile.Employment.STUDENT not in {p.employment for p in profiles}
    assert len({p.education for p in profiles}) >= 3
    assert len({p.full_name for p in profiles}) >= 30
    assert sorted(p.user.email for p in profiles) == [demo.bulk_email(i) for i in range(1, 41)]


@pytest.mark.django_db
def test_every_login_has_a_verified_primary_address():
    seed(40)

    assert User.objects.count() == 42 + 3  # + the PMO evaluator, approver and viewer of platforms.demo
    for user in User.objects.all():
        assert EmailAddress.objects.filter(user=user, email=user.email, verified=True, primary=True).count() == 1
    admin = User.objects.get(email=demo.ADMIN_EMAIL)
    assert admin.is_staff and admin.is_superuser


@pytest.mark.django_db
def test_logins_are_printed():
    output = seed(40)

    for text in (demo.ADMIN_EMAIL, demo.ADMIN_PASSWORD, demo.PARTICIPANT_EMAIL, demo.DEMO_PASSWORD,
                 demo.bulk_email(1), demo.bulk_email(40)):
        assert text in logins_section(output)


@pytest.mark.django_db
@pytest.mark.parametrize("email", [demo.PARTICIPANT_EMAIL, demo.bulk_email(7)])
def test_participants_log_in_right_away(client, email):
    seed(10)

    response = client.post(reverse("account_login"), {"login": email, "password": demo.DEMO_PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse("accounts:dashboard")
    assert client.get(reverse("accounts:dashboard")).status_code == 200
    assert client.session["_auth_user_id"] == str(User.objects.get(email=email).pk)


@pytest.mark.django_db
def test_admin_logs_in_to_the_admin(client):
    seed(0)

    assert client.login(email=demo.ADMIN_EMAIL, password=demo.ADMIN_PASSWORD)
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_second_run_creates_nothing_and_prints_the_same_logins():
    first = seed(40)
    counts = (User.objects.count(), Profile.objects.count(), EmailAddress.objects.count())

    second = seed(40)

    assert (User.objects.count(), Profile.objects.count(), EmailAddress.objects.count()) == counts
    assert "Created" not in second
    assert logins_section(second) == logins_section(first)


@pytest.mark.django_db
def test_a_changed_demo_password_is_restored():
    seed(0)
    admin = User.objects.get(email=demo.ADMIN_EMAIL)
    admin.set_password("something-else")
    admin.save()

    seed(0)

    admin.refresh_from_db()
    assert admin.check_password(demo.ADMIN_PASSWORD)
    assert User.objects.filter(email=demo.ADMIN_EMAIL).count() == 1


@pytest.mark.django_db
def test_a_larger_target_tops_up_with_the_rows_a_single_run_would_write():
    seed(15, seed=3, batch_size=4)

    seed(32, seed=3, batch_size=4)

    profiles = sorted(bulk_profiles(), key=lambda p: p.user.email)
    expected = list(demo.participant_rows(1, 32, 3))
    assert [(p.user.email, p.nik, p.kk, p.full_name, p.birth_date, p.sex) for p in profiles] == [
        (r.email, r.nik, r.kk, r.full_name, r.birth_date, r.sex) for r in expected]


@pytest.mark.django_db
def test_users_created_after_the_bulk_get_fresh_ids():
    seed(12)

    user = User.objects.create_user("later@example.id", "rahasia-123")

    assert user.pk > max(User.objects.exclude(pk=user.pk).values_list("pk", flat=True))


def test_participant_rows_are_deterministic_and_sliceable():
    rows = list(demo.participant_rows(1, 60, 7))

    assert list(demo.participant_rows(1, 60, 7)) == rows
    assert list(demo.participant_rows(21, 10, 7)) == rows[20:30]
    assert [r.full_name for r in demo.participant_rows(1, 60, 8)] != [r.full_name for r in rows]


def test_generated_rows_are_unique_and_valid_at_scale():
    today = dt.date(2024, 2, 29)
    rows = list(demo.participant_rows(1, 20_000, 1, today=today))

    assert len({r.nik for r in rows}) == len(rows)
    assert max(Counter(r.kk for r in rows).values()) == 2
    assert {r.province for r in rows} == set(demo.PROVINCE_POPULATION)
    assert Counter(r.sex for r in rows)["F"] / len(rows) == pytest.approx(0.5, abs=0.03)
    for r in rows[:3000]:
        profile = Profile(nik=r.nik, kk=r.kk, full_name=r.full_name, birth_date=r.birth_date, sex=r.sex,
                          phone=r.phone, province=r.province, education=r.education, employment=r.employment)
        profile.clean_fields(exclude=["user"])
        assert 18 <= profile.age_on(today) <= 64


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_copy_path_writes_committed_chunks_and_advances_the_sequence():
    assert connection.vendor == "postgresql"
    # A user id the sequence handed out and was then freed: the bulk block must start after it.
    User.objects.create_user("gone@example.id", "rahasia-123").delete()

    output = seed(23, batch_size=10)

    assert output.count("Bulk participants:") == 3  # 10 + 10 + 3, one transaction each
    profiles = bulk_profiles()
    assert len(profiles) == 23
    for profile in profiles:
        profile.full_clean()
    ids = sorted(p.user_id for p in profiles)
    assert ids == list(range(ids[0], ids[0] + 23))
    later = User.objects.create_user("later@example.id", "rahasia-123")
    # Next after the highest id: the bulk block's, or the PMO staff that later demo steps add.
    assert later.pk == max(User.objects.exclude(pk=later.pk).values_list("pk", flat=True)) + 1 > ids[-1]
    assert EmailAddress.objects.filter(user_id__in=ids, verified=True, primary=True).count() == 23
    assert Profile.objects.create(user=later, nik="3201014101900001", kk="3201010101200001",
                                  full_name="Dewi Lestari", birth_date=dt.date(1990, 1, 1), sex="F",
                                  phone="+6281200000001", province="32", education="sma",
                                  employment="unemployed").pk
