"""The OpenAPI schema validates and lists every endpoint; the docs page serves it."""

from __future__ import annotations

import pytest
import yaml

EXPECTED = {
    ("get", "/api/v1/installations/"), ("get", "/api/v1/installations/{id}/"),
    ("get", "/api/v1/repositories/"), ("get", "/api/v1/repositories/{id}/"),
    ("patch", "/api/v1/repositories/{id}/"),
    ("get", "/api/v1/scans/"), ("post", "/api/v1/scans/"), ("get", "/api/v1/scans/{id}/"),
    ("get", "/api/v1/findings/"), ("get", "/api/v1/findings/{id}/"),
}


@pytest.mark.django_db
def test_schema_validates_and_lists_every_endpoint(client):
    from drf_spectacular.validation import validate_schema

    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    validate_schema(schema)  # raises on an invalid OpenAPI 3 document
    listed = {(method, path) for path, item in schema["paths"].items() for method in item}
    assert listed == EXPECTED  # every routed endpoint, and nothing else

    from api.urls import router

    assert {f"/api/v1/{prefix}/" for prefix, _, _ in router.registry} <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"
    filters = {p["name"] for p in schema["paths"]["/api/v1/scans/"]["get"]["parameters"]}
    assert {"repository", "status", "pr_number", "branch", "page", "page_size"} <= filters


@pytest.mark.django_db
def test_docs_page_serves_the_schema_browser(client):
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "swagger-ui" in text.lower() and "/api/v1/schema/" in text
