"""The PAI signature: the documented test vectors, and every way a request is refused."""
from __future__ import annotations

import json
import time

import pytest

from accounts.models import Credential
from accounts.services import credential_create, credential_revoke, user_get_or_create
from studio.api.pai_auth import pai_signature

CHECK_BODY = b'{"action":"AIGCImageCheck","images":["http://x/1.jpg","http://x/2.jpg"]}\n'


@pytest.mark.parametrize(
    ("path", "body", "expected"),
    [
        ("/api/v1/aigc_images/check", CHECK_BODY, "6ef2b24d5e4553e1bf5df4f2c862a1090c921e03247f42585d081a9150fc2643"),
        ("/api/v1/async_jobs/42", b"", "0757390eb94614c0266687923cb617bc308b96b5923c3a3fbd7b32108c20d804"),
        ("/api/v1/async_jobs/42", b"{}", "3f200d6facc46b90ae953fd234ac0ead649048faed1e45fb96012eec19ce7050"),
    ],
)
def test_signature_matches_documented_vectors(path, body, expected):
    assert pai_signature(token="mysecret", method="POST", path=path, body=body) == expected


@pytest.fixture
def issued(db):
    owner, _ = user_get_or_create(email="partner@example.com")
    return credential_create(owner=owner)


def _post(client, path: str, body: bytes, *, app_id: str, token: str, headers: dict | None = None):
    signature = pai_signature(token=token, method="POST", path=path, body=body)
    return client.post(path, data=body, content_type="application/json",
                       headers={"Authorization": f"{app_id}:{signature}", **(headers or {})})


def test_job_query_with_valid_signature_reaches_the_job_lookup(client, issued):
    response = _post(client, "/api/v1/async_jobs/42", b"{}", app_id=issued.app_id, token=issued.token)
    assert response.status_code == 200
    assert response.json()["message"] == "job not found"


def test_wrong_token_is_sign_error(client, issued):
    response = _post(client, "/api/v1/async_jobs/42", b"{}", app_id=issued.app_id, token="not-the-token")
    assert response.status_code == 200
    assert response.json()["code"] == "error"
    assert response.json()["message"] == "sign error"


def test_body_changed_after_signing_is_sign_error(client, issued):
    signature = pai_signature(token=issued.token, method="POST", path="/api/v1/async_jobs/42", body=b"{}")
    response = client.post("/api/v1/async_jobs/42", data=b'{"x":1}', content_type="application/json",
                           headers={"Authorization": f"{issued.app_id}:{signature}"})
    assert response.json()["message"] == "sign error"


def test_body_is_hashed_as_received_not_reserialized(client, issued):
    # Same JSON document, different bytes: the signature over the exact bytes must be the one that counts.
    body = b'{ "action" : "AIGCImageCheck" , "images": [] }\n'
    response = _post(client, "/api/v1/aigc_images/check", body, app_id=issued.app_id, token=issued.token)
    assert response.json()["message"] != "sign error"


def test_unknown_app_id_is_not_found_appid(client, issued):
    response = _post(client, "/api/v1/async_jobs/42", b"{}", app_id="0123456789abcdef", token=issued.token)
    assert response.json()["message"] == "not found appid"


def test_revoked_credential_is_not_found_appid(client, issued):
    credential_revoke(owner=issued.credential.owner, app_id=issued.app_id)
    response = _post(client, "/api/v1/async_jobs/42", b"{}", app_id=issued.app_id, token=issued.token)
    assert response.json()["message"] == "not found appid"


def test_missing_authorization_is_sign_error(client, issued):
    response = client.post("/api/v1/async_jobs/42", data=b"{}", content_type="application/json")
    assert response.status_code == 200
    assert response.json()["message"] == "sign error"


def test_request_time_far_off_is_refused(client, issued):
    response = _post(client, "/api/v1/async_jobs/42", b"", app_id=issued.app_id, token=issued.token,
                     headers={"X-Request-Time": str(int(time.time()) - 3600)})
    assert response.json()["message"] == "sign error"


def test_request_time_within_window_is_accepted(client, issued):
    response = _post(client, "/api/v1/async_jobs/42", b"", app_id=issued.app_id, token=issued.token,
                     headers={"X-Request-Time": str(int(time.time()))})
    assert response.json()["message"] == "job not found"


def test_token_is_encrypted_at_rest(issued):
    stored = Credential.objects.values_list("token_encrypted", flat=True).get(app_id=issued.app_id)
    assert issued.token not in stored
    assert Credential.objects.get(app_id=issued.app_id).token() == issued.token


def test_credentials_command_prints_app_id_and_token(db, capsys):
    from django.core.management import call_command

    call_command("credentials", "create", "--email", "new@example.com", "--json")
    printed = json.loads(capsys.readouterr().out)
    assert set(printed) == {"app_id", "token"}
    assert Credential.objects.get(app_id=printed["app_id"]).token() == printed["token"]
