"""The profile form: each rule's message beside its field, input kept, one profile per NIK."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.exceptions import NikAlreadyRegistered
from accounts.models import Profile, years_before
from accounts.services import profile_save

from .factories import ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

VALID = {
    "nik": "3201011505900001", "kk": "3201010101100003", "full_name": "Budi Santoso",
    "birth_date": "1990-05-15", "sex": "M", "phone": "0812-3456-7890", "province": "32",
    "education": "sma", "employment": "unemployed",
}


@pytest.fixture
def client_in(client_en):
    client = client_en
    user = UserFactory()
    client.force_login(user)
    client.user = user
    return client


def post_profile(client, **changes):
    data = {**VALID, **changes}
    return client.post(reverse("accounts:profile"), data)


def field_errors(response, field):
    return [str(e) for e in response.context["form"].errors.get(field, [])]


def test_a_valid_profile_is_saved_with_the_phone_normalised(client_in):
    response = post_profile(client_in)
    assert response.status_code == 302 and response.url == reverse("accounts:dashboard")
    profile = Profile.objects.get(user=client_in.user)
    assert profile.phone == "+6281234567890"
    assert profile.nik == VALID["nik"]


def test_a_womans_profile_is_saved(client_in):
    response = post_profile(client_in, nik="3578015505950002", birth_date="1995-05-15", sex="F", province="35")
    assert response.status_code == 302
    assert Profile.objects.get(user=client_in.user).sex == "F"


@pytest.mark.parametrize("changes, field, fragment", [
    ({"nik": "9901011505900001"}, "nik", "not a province code"),
    ({"nik": "3201013202900001"}, "nik", "not a possible date of birth"),
    ({"nik": "3201015505900001"}, "nik", "this NIK is a woman's"),
    ({"nik": "3201011505900001", "sex": "F"}, "nik", "this NIK is a man's"),
    ({"birth_date": "1990-05-16"}, "nik", "does not match the birth date you entered"),
    ({"nik": "3201011505900000"}, "nik", "cannot all be zero"),
    ({"nik": "12345"}, "nik", "exactly 16 digits"),
    ({"kk": "320101"}, "kk", "KK number must be exactly 16 digits"),
    ({"phone": "12345"}, "phone", "Indonesian mobile number"),
    ({"employment": "student"}, "employment", "formal schooling"),
])
def test_each_rule_has_its_own_message_beside_its_field_and_input_is_kept(client_in, changes, field, fragment):
    response = post_profile(client_in, **changes)
    assert response.status_code == 200
    errors = field_errors(response, field)
    assert any(fragment in e for e in errors), errors
    html = response.content.decode()
    assert f'value="{VALID["full_name"]}"' in html  # nothing typed is lost
    assert not Profile.objects.filter(user=client_in.user).exists()


def test_under_eighteen_is_refused(client_in):
    birth = years_before(timezone.localdate(), 18) + dt.timedelta(days=1)  # turns 18 tomorrow
    nik = f"320101{birth.day:02d}{birth.month:02d}{birth.year % 100:02d}0001"
    response = post_profile(client_in, nik=nik, birth_date=birth.isoformat())
    assert any("at least 18" in e for e in field_errors(response, "birth_date"))
    assert not Profile.objects.exists()


def test_exactly_eighteen_today_is_accepted(client_in):
    birth = years_before(timezone.localdate(), 18)
    nik = f"320101{birth.day:02d}{birth.month:02d}{birth.year % 100:02d}0001"
    assert post_profile(client_in, nik=nik, birth_date=birth.isoformat()).status_code == 302


def test_a_duplicate_nik_is_refused_without_revealing_the_owner(client_in):
    other = ProfileFactory(nik=VALID["nik"], birth_date=dt.date(1990, 5, 15), sex="M")
    response = post_profile(client_in)
    errors = field_errors(response, "nik")
    assert any("already registered" in e for e in errors), errors
    body = response.content.decode()
    assert other.user.email not in body and other.full_name not in body
    assert Profile.objects.filter(nik=VALID["nik"]).count() == 1


def test_the_service_refuses_a_duplicate_nik_with_a_domain_error():
    ProfileFactory(nik=VALID["nik"], birth_date=dt.date(1990, 5, 15), sex="M")
    with pytest.raises(NikAlreadyRegistered) as exc:
        profile_save(user=UserFactory(), nik=VALID["nik"], kk=VALID["kk"], full_name="X", sex="M",
                     birth_date=dt.date(1990, 5, 15), phone="081234567890", province="32", education="sma",
                     employment="unemployed")
    assert exc.value.field == "nik" and exc.value.code == "nik_taken"


def test_messages_speak_indonesian_by_default(client_in):
    del client_in.cookies["django_language"]
    response = client_in.post(reverse("accounts:profile"), {**VALID, "nik": "9901011505900001"})
    assert response.status_code == 200
    assert "bukan kode provinsi" in response.content.decode()


def test_editing_ones_own_profile_keeps_the_same_nik(client_in):
    post_profile(client_in)
    response = post_profile(client_in, full_name="Budi  Santoso Putra")
    assert response.status_code == 302
    assert Profile.objects.get(user=client_in.user).full_name == "Budi Santoso Putra"


def test_dashboard_asks_for_the_profile_then_shows_it_masked(client_in):
    body = client_in.get(reverse("accounts:dashboard")).content.decode()
    assert reverse("accounts:profile") in body
    post_profile(client_in)
    body = client_in.get(reverse("accounts:dashboard")).content.decode()
    assert "3201********0001" in body and VALID["nik"] not in body


def test_indonesian_even_when_the_phone_asks_for_english(client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="id"' in page


def test_english_once_chosen_with_the_switcher(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert 'lang="en"' in page and "How it works" in page
