"""The OpenAPI 3 schema at /api/v1/schema/ is valid and lists every endpoint; the docs page works under the CSP."""

from __future__ import annotations

import json

import pytest
from drf_spectacular.validation import validate_schema

from tests.connectors.api_fixtures import Api

pytestmark = pytest.mark.django_db


def test_the_schema_is_valid_openapi_3_and_lists_every_endpoint():
    response = Api().get("schema/?format=json")

    assert response.status_code == 200
    schema = json.loads(response.content)
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {
        "/api/v1/consents/",
        "/api/v1/marketable/",
        "/api/v1/requests/",
        "/api/v1/requests/{reference}/",
    }
    assert schema["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    operations = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert operations == {"consent_event_record", "marketable_state", "request_log", "request_status"}
    assert not any("email" in path for path in schema["paths"])


def test_the_docs_page_loads_its_scripts_from_this_site_only():
    page = Api().get("docs/")
    script = Api().get("docs/?script=")

    assert page.status_code == 200
    policy = page["Content-Security-Policy"]
    assert "script-src" not in policy
    assert "default-src 'self'" in policy
    html = page.content.decode()
    assert "<script>" not in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert script.status_code == 200
    assert "/api/v1/schema/" in script.content.decode()
