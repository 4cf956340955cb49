"""The API's documentation: OpenAPI 3 schema with an example request and response for every
operation, readable docs and the guide served without any CDN."""
from __future__ import annotations

import re

import pytest
import yaml

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, op in item.items():
            if method in {"get", "post", "patch", "put", "delete"}:
                yield path, method, op


def test_schema_is_openapi_3_with_every_resource(schema):
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    for expected in ["/api/v1/platform", "/api/v1/institutions", "/api/v1/courses/{id}", "/api/v1/listings/{id}/activate",
                     "/api/v1/orders/{code}/redeem", "/api/v1/orders/{code}/complete", "/api/v1/orders/{code}/refund",
                     "/api/v1/checkout-sessions", "/api/v1/webhook-endpoints/{id}/roll-secret",
                     "/api/v1/webhook-deliveries/{id}/replay"]:
        assert expected in paths, expected
    assert schema["components"]["securitySchemes"]["ApiKey"]["scheme"] == "bearer"


def test_every_operation_has_a_response_example_and_every_body_a_request_example(schema):
    missing = []
    for path, method, op in _operations(schema):
        success = [c for c in op["responses"] if c.startswith("2")]
        for code in success:
            content = op["responses"][code].get("content", {}).get("application/json")
            if code != "204" and not (content and content.get("examples")):
                missing.append(f"{method} {path} {code} response")
        body = op.get("requestBody", {}).get("content", {}).get("application/json")
        if body is not None and not body.get("examples"):
            missing.append(f"{method} {path} request")
        if method == "post":
            assert any(p["name"] == "Idempotency-Key" for p in op.get("parameters", [])), path
        assert "401" in op["responses"] and "429" in op["responses"], (method, path)
    assert missing == []
    assert sum(1 for _ in _operations(schema)) >= 32


def test_docs_and_guide_load_nothing_from_another_host(client):
    for path in ["/api/v1/docs/", "/api/v1/docs/try/", "/api/v1/docs/guide/"]:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        external = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
        assert external == [], (path, external)
    docs = client.get("/api/v1/docs/").content.decode()
    assert "/api/v1/docs/guide/" in docs and "/static/drf_spectacular_sidecar/redoc/" in docs


def test_guide_covers_the_path_to_a_first_completed_order(client):
    guide = client.get("/api/v1/docs/guide/").content.decode()
    for step in ["pk_test_", "/api/v1/platform", "/api/v1/webhook-endpoints", "/api/v1/listings",
                 "/api/v1/checkout-sessions", "/redeem", "/complete", "Prakerja-Signature", "compare_digest",
                 "Idempotency-Key", "Retry-After"]:
        assert step in guide, step
