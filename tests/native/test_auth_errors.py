"""Authentication, the one error shape, and the schema."""
from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.services import apikey_create, apikey_revoke
from studio.api.native.auth import StudioRateThrottle

from .conftest import API

pytestmark = pytest.mark.django_db


def test_no_key_is_401_in_the_error_shape():
    response = Client().get(f"{API}/jobs/")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_revoked_key_is_401_authentication_failed(owner):
    issued = apikey_create(owner=owner)
    apikey_revoke(owner=owner, key_id=issued.api_key.id)

    response = Client(headers={"Authorization": f"Bearer {issued.raw}"}).get(f"{API}/jobs/")

    assert response.status_code == 401
    assert response.json()["error"] == {"code": "authentication_failed",
                                        "message": "The API key is not valid or has been revoked."}


def test_session_works_for_reads_and_enforces_csrf_on_writes(owner):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)

    assert browser.get(f"{API}/jobs/").status_code == 200
    refused = browser.post(f"{API}/api-keys/", {"name": "x"}, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"
    assert "CSRF" in refused.json()["error"]["message"]


def test_validation_error_names_fields(api):
    response = api.post(f"{API}/portraits/", {"n": 9}, content_type="application/json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "n" in error["fields"]


def test_malformed_json_is_400_parse_error(api):
    response = api.post(f"{API}/api-keys/", "{nope", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_unknown_id_is_404_in_the_error_shape(api):
    response = api.get(f"{API}/jobs/999999/")

    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "No such job."}}


def test_throttled_is_429_with_retry_after(api, monkeypatch):
    monkeypatch.setattr(StudioRateThrottle, "THROTTLE_RATES", {"studio_api": "2/min"})

    codes = [api.get(f"{API}/jobs/").status_code for _ in range(3)]
    last = api.get(f"{API}/jobs/")

    assert codes == [200, 200, 429]
    assert last.json()["error"]["code"] == "throttled"
    assert last.json()["error"]["retry_after"] > 0


def test_schema_has_no_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))

    assert "/api/studio/v1/portraits/" in (tmp_path / "schema.yaml").read_text()


def test_schema_and_docs_are_served_without_a_cdn():
    schema = Client().get("/api/schema/")
    docs = Client().get("/api/docs/")

    assert schema.status_code == 200
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "swagger-ui" in page
    assert "cdn" not in page.lower() and "unpkg" not in page.lower()
