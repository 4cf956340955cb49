"""PMO admin: issue a key (shown once, stored as a hash), rotate, revoke; deliveries replay."""
from __future__ import annotations

import pytest

from api.models import ApiKey
from api.services import api_key_issue
from tests.catalog.factories import PlatformFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(admin_client):
    return admin_client


def test_issue_shows_the_key_once_and_stores_only_its_hash(staff):
    platform = PlatformFactory()
    response = staff.post("/admin/api/apikey/add/", {"platform": platform.pk, "mode": "live", "name": "server"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    raw = response.context["raw"]
    assert raw.startswith("pk_live_") and raw in response.content.decode()
    key = ApiKey.objects.get(platform=platform)
    assert key.prefix == raw[:16] and raw not in str(ApiKey.objects.filter(pk=key.pk).values().get())
    detail = staff.get(f"/admin/api/apikey/{key.pk}/change/").content.decode()
    assert raw not in detail and key.prefix in detail


def test_add_form_prefills_the_platform(staff):
    platform = PlatformFactory()
    response = staff.get(f"/admin/api/apikey/add/?platform={platform.pk}")
    assert response.context["adminform"].form.initial["platform"] == str(platform.pk)


def test_revoke_and_rotate_actions(staff):
    platform = PlatformFactory()
    a, _ = api_key_issue(platform=platform, mode="test")
    b, _ = api_key_issue(platform=platform, mode="test")
    response = staff.post("/admin/api/apikey/", {"action": "roll_key", "_selected_action": [a.pk]})
    assert response.status_code == 200 and response.context["raw"].startswith("pk_test_")
    a.refresh_from_db()
    assert a.replaced_by is not None and a.expires_at is not None
    staff.post("/admin/api/apikey/", {"action": "revoke_keys", "_selected_action": [b.pk]})
    b.refresh_from_db()
    assert b.status == "revoked" and b.revoked_by is not None


def test_admin_lists_render(staff):
    for path in ["/admin/api/apikey/", "/admin/api/webhookendpoint/", "/admin/api/webhookdelivery/",
                 "/admin/api/checkoutsession/"]:
        assert staff.get(path).status_code == 200, path


def test_platform_page_lists_keys_and_links_to_issue_one(staff):
    platform = PlatformFactory()
    key, raw = api_key_issue(platform=platform, mode="live")
    html = staff.get(f"/admin/platforms/platform/{platform.pk}/change/").content.decode()
    assert key.prefix in html and raw not in html
    assert f"/admin/api/apikey/add/?platform={platform.pk}&amp;mode=test" in html
