"""API test helpers: a platform with a key, a client that sends it, and a ready-to-sell listing."""
from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from api.services import api_key_issue
from catalog.models import Partnership
from tests.catalog.factories import CourseFactory, InstitutionFactory, ListingFactory, PlatformFactory


class Tenant:
    """A platform, its sandbox key, an approved partner institution with a published course and an
    active listing of it."""

    def __init__(self, name: str):
        self.platform = PlatformFactory(name=f"Platform {name}", slug=f"platform-{name.lower()}")
        self.key, self.raw_key = api_key_issue(platform=self.platform, mode="test", name="tests")
        self.institution = InstitutionFactory()
        self.partnership = Partnership.objects.create(platform=self.platform, institution=self.institution,
                                                      status=Partnership.Status.APPROVED)
        self.course = CourseFactory(institution=self.institution, proposed_by=self.platform)
        self.listing = ListingFactory(course=self.course, platform=self.platform, price=250_000)
        self.client = APIClient()
        self.client.credentials(HTTP_AUTHORIZATION=f"Bearer {self.raw_key}")


@pytest.fixture
def tenant(db):
    return Tenant("A")


@pytest.fixture
def other(db):
    return Tenant("B")


@pytest.fixture(autouse=True)
def _insecure_webhooks_ok(settings):
    # Tests receive webhooks on http://127.0.0.1; production requires https and a public host.
    settings.API_WEBHOOK_ALLOW_INSECURE = True
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {"api_key": "1000/s"}}
