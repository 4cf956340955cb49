"""Schemathesis: property-based requests generated from the live OpenAPI schema, sent through the
WSGI app with a sandbox key (offline, no server to start). Every operation gets a bounded number of
cases (SCHEMATHESIS_MAX_EXAMPLES, default 12); no answer may be a 5xx or break the schema."""
from __future__ import annotations

import os

import pytest
import schemathesis
from schemathesis import checks
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from api.services import api_key_issue
from tests.catalog.factories import participant_factory

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "12"))

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())


@pytest.fixture
def sandbox_key(tenant, other, settings, request):
    """A platform with objects of every kind (and another platform's), and its sandbox key."""
    from catalog.services import enrollment_purchase

    settings.ALLOWED_HOSTS = ["*"]
    # As Django's test client does: the WSGI handler must not close the test's connection (and
    # with it the transaction that holds this test's data) at the end of each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    request.addfinalizer(lambda: (request_started.connect(close_old_connections),
                                  request_finished.connect(close_old_connections)))
    enrollment_purchase(participant=participant_factory(), listing=tenant.listing, token="st-1")
    _key, raw = api_key_issue(platform=tenant.platform, mode="test", name="schemathesis")
    return raw


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case, sandbox_key):
    # positive_data_acceptance is left out: a well-formed body naming an object that does not exist
    # (or breaking a rule, such as listing a course twice) is rightly refused with 400/409.
    case.call_and_validate(headers={"Authorization": f"Bearer {sandbox_key}"},
                           excluded_checks=[checks.positive_data_acceptance])
