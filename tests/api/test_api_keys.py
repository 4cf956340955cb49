"""API keys: shown once, stored as a hash with a visible prefix, rotated with overlap, revoked."""
from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.utils import timezone

from api.exceptions import ApiKeyTransitionNotAllowed
from api.models import ApiKey
from api.services import api_key_issue, api_key_revoke, api_key_roll, api_keys_revoke_for_platform
from tests.catalog.factories import PlatformFactory

pytestmark = pytest.mark.django_db


def test_issued_key_is_stored_only_as_its_hash_with_a_visible_prefix():
    key, raw = api_key_issue(platform=PlatformFactory(), mode=ApiKey.Mode.LIVE, name="server")
    assert raw.startswith("pk_live_") and len(raw) > 40
    assert key.prefix == raw[:16] and raw.startswith(key.prefix)
    assert key.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    row = ApiKey.objects.filter(pk=key.pk).values().get()
    assert not any(raw in str(v) for v in row.values())


def test_sandbox_key_has_test_prefix():
    _, raw = api_key_issue(platform=PlatformFactory(), mode=ApiKey.Mode.TEST)
    assert raw.startswith("pk_test_")


def test_revoke_for_platform_revokes_only_that_platforms_active_keys_and_is_repeatable():
    platform, other = PlatformFactory(), PlatformFactory()
    a, _ = api_key_issue(platform=platform, mode="live")
    b, _ = api_key_issue(platform=platform, mode="test")
    c, _ = api_key_issue(platform=other, mode="live")
    assert api_keys_revoke_for_platform(platform=platform, reason="MoU ended") == 2
    a.refresh_from_db(); b.refresh_from_db(); c.refresh_from_db()
    assert (a.status, b.status, c.status) == ("revoked", "revoked", "active")
    assert a.revoked_reason == "MoU ended" and a.revoked_at is not None
    assert api_keys_revoke_for_platform(platform=platform, reason="again") == 0
    a.refresh_from_db()
    assert a.revoked_reason == "MoU ended"


def test_revoking_twice_is_refused():
    key, _ = api_key_issue(platform=PlatformFactory(), mode="live")
    api_key_revoke(api_key=key, reason="leaked")
    with pytest.raises(ApiKeyTransitionNotAllowed):
        api_key_revoke(api_key=key)


def test_roll_keeps_the_old_key_valid_for_the_overlap_then_not():
    old, _ = api_key_issue(platform=PlatformFactory(), mode="live")
    new, raw = api_key_roll(api_key=old, overlap=dt.timedelta(hours=2))
    old.refresh_from_db()
    now = timezone.now()
    assert old.replaced_by == new and new.is_usable(now) and old.is_usable(now)
    assert not old.is_usable(now + dt.timedelta(hours=2, seconds=1))
    with pytest.raises(ApiKeyTransitionNotAllowed):
        api_key_roll(api_key=old)
