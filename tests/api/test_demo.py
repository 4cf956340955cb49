"""The demo prints a sandbox key that works against the demo's API."""
import io

import pytest
from rest_framework.test import APIClient

from accounts.demo import DemoContext
from api import demo as api_demo
from tests.catalog.factories import PlatformFactory

pytestmark = pytest.mark.django_db


def test_the_printed_sandbox_key_authenticates_as_its_platform_and_a_rerun_adds_nothing():
    PlatformFactory(slug=api_demo.DEMO_PLATFORM, name="Sisnaker")
    ctx = DemoContext(stdout=io.StringIO())
    api_demo.step_api(ctx)
    api_demo.step_api(ctx)
    key = ctx.logins[-1][1]

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    response = client.get("/api/v1/platform")

    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Sisnaker"
    from api.models import ApiKey
    assert ApiKey.objects.count() == 1 and ApiKey.objects.get().key_hash != key
