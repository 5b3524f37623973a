"""The PAI signature: the documented test vectors, and every way a request is refused, replays of
requests that change state included."""
from __future__ import annotations

import json
import time

import pytest

from accounts.models import Credential
from accounts.services import credential_create, credential_revoke, user_get_or_create
from jobs.models import Job, JobKind
from studio.api.pai_auth import pai_signature

TRAIN = "/api/v1/aigc_images/train"

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


def test_request_time_in_milliseconds_is_accepted(client, issued):
    response = _post(client, "/api/v1/async_jobs/42", b"", app_id=issued.app_id, token=issued.token,
                     headers={"X-Request-Time": str(int(time.time() * 1000))})
    assert response.json()["message"] == "job not found"


@pytest.mark.parametrize("sent", ["nan", "NaN", "inf", "-inf", "-1", "+1700000000", "1e9", "1.7e9",
                                  f"{time.time():.3f}", "0x65a0b1c2", "now", "١٧٠٠٠٠٠٠٠٠", "17000000000000"])
def test_request_time_that_is_not_plain_digits_is_sign_error(client, issued, sent):
    # float() took "nan", and a NaN skew is never greater than the window: it passed every check.
    response = _post(client, "/api/v1/async_jobs/42", b"", app_id=issued.app_id, token=issued.token,
                     headers={"X-Request-Time": sent})
    assert response.status_code == 200
    assert response.json()["message"] == "sign error"


@pytest.fixture
def train_body(image_server, settings) -> bytes:
    settings.STUDIO_ALLOW_PRIVATE_URLS = True  # the image server is on loopback
    return json.dumps({"action": "AIGCImageTrain", "images": [f"{image_server}/astronaut.jpg"]}).encode()


def _jobs_of(issued) -> int:
    return Job.objects.filter(owner=issued.credential.owner).count()


def test_same_signed_train_sent_twice_makes_one_job(pai, partner, train_body):
    first = pai(TRAIN, train_body)
    second = pai(TRAIN, train_body)

    assert first["code"] == "OK"
    assert second["code"] == "error" and second["message"].startswith("replayed request:")
    assert _jobs_of(partner) == 1


def test_replay_with_a_fresh_request_time_is_still_refused(client, partner, train_body):
    # X-Request-Time is not signed: a replayer sets it to now.
    answers = [_post(client, TRAIN, train_body, app_id=partner.app_id, token=partner.token,
                     headers={"X-Request-Time": str(int(time.time()) + shift)}).json() for shift in (0, 1)]

    assert [a["code"] for a in answers] == ["OK", "error"]
    assert answers[1]["message"].startswith("replayed request:") and _jobs_of(partner) == 1


def test_second_train_with_other_bytes_is_a_new_request(pai, partner, train_body):
    answers = [pai(TRAIN, train_body), pai(TRAIN, train_body + b"\n")]

    assert [a["code"] for a in answers] == ["OK", "OK"] and _jobs_of(partner) == 2


def test_train_refused_before_any_job_may_be_sent_again(pai, partner, train_body, settings):
    settings.STUDIO_ALLOW_PRIVATE_URLS = False
    refused = pai(TRAIN, train_body)
    settings.STUDIO_ALLOW_PRIVATE_URLS = True
    accepted = pai(TRAIN, train_body)

    assert refused["code"] == "error" and "replayed" not in refused["message"]
    assert accepted["code"] == "OK" and _jobs_of(partner) == 1


def test_job_query_polled_with_one_signature_is_answered_every_time(pai, partner):
    job = Job.objects.create(owner=partner.credential.owner, kind=JobKind.CHECK, app_id=partner.app_id)

    answers = [pai(f"/api/v1/async_jobs/{job.id}", b"") for _ in range(3)]

    assert [(a["code"], a["data"]["job"]["id"]) for a in answers] == [("OK", job.id)] * 3


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
