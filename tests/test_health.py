"""/health/live and /health/ready as a load balancer or a container runtime probes them."""
from __future__ import annotations

import json
import socket

import pytest
from django.test import Client

from jobs.health import worker_clusters
from jobs.heartbeat import heartbeat_record
from studio import health


@pytest.fixture(autouse=True)
def _fresh_worker_reading():
    health.workers.forget()  # the worker check is kept a few seconds per process
    yield
    health.workers.forget()


@pytest.fixture
def beating(db) -> None:
    for cluster in worker_clusters():
        heartbeat_record(cluster=cluster, instance=f"{cluster}-box:1:1")


def _ready(client: Client, **extra) -> tuple[int, dict]:
    response = client.get("/health/ready", **extra)
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    return response.status_code, json.loads(response.content)


def test_live_answers_without_the_database(client):
    response = client.get("/health/live")  # no db fixture: a query would fail this test
    assert (response.status_code, json.loads(response.content)) == (200, {"status": "ok"})


def test_probes_answer_any_host_header_and_no_session_or_csrf(db, beating):
    client = Client(enforce_csrf_checks=True, HTTP_HOST="10.1.2.3:8000")  # not in ALLOWED_HOSTS
    assert client.get("/health/live").status_code == 200
    assert client.get("/health/ready/").status_code == 200
    assert "sessionid" not in client.get("/health/ready").cookies


def test_probes_take_only_get_and_head(client):
    response = client.post("/health/live")
    assert (response.status_code, response["Allow"]) == (405, "GET, HEAD")
    assert client.head("/health/live").status_code == 200


def test_ready_is_200_when_every_check_passes(client, beating):
    status, body = _ready(client)
    assert status == 200
    assert body == {"status": "ok", "checks": {name: {"status": "ok"} for name in
                                                ("database", "cache", "broker", "storage", "workers")}}


def test_ready_is_503_before_any_worker_has_beaten(client, db):
    status, body = _ready(client)
    assert (status, body["status"]) == (503, "fail")
    assert body["checks"]["workers"]["status"] == "fail"
    assert "no heartbeat yet" in body["checks"]["workers"]["reason"]
    assert body["checks"]["database"] == {"status": "ok"}


def test_ready_keeps_the_worker_reading_a_few_seconds(client, db):
    assert _ready(client)[0] == 503
    for cluster in worker_clusters():
        heartbeat_record(cluster=cluster, instance=f"{cluster}-late:1:1")
    assert _ready(client)[0] == 503  # the same reading, not a new query per probe
    health.workers.forget()
    assert _ready(client)[0] == 200


def test_ready_names_a_cache_outage_without_its_address(client, beating, cache_down):
    status, body = _ready(client)
    assert status == 503
    assert body["checks"]["cache"] == {"status": "fail", "reason": "ConnectionError"}
    assert body["checks"]["database"] == {"status": "ok"}
    assert "127.0.0.1" not in json.dumps(body)


def test_ready_names_a_broker_outage(client, beating, broker_down):
    status, body = _ready(client)
    assert status == 503
    assert body["checks"]["broker"] == {"status": "fail", "reason": "the job broker does not answer"}


def test_ready_fails_when_media_storage_cannot_be_written(client, beating, settings, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the media folder should be")
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(blocked)}}}
    status, body = _ready(client)
    assert status == 503
    assert body["checks"]["storage"]["status"] == "fail"
    assert str(tmp_path) not in json.dumps(body)


def test_ready_writes_its_storage_probe_once(client, beating, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    assert _ready(client)[0] == 200
    assert _ready(client)[0] == 200
    assert sorted(p.name for p in (tmp_path / "health").iterdir()) == ["ready.txt"]


def test_ready_does_not_show_worker_hosts(client, beating):
    assert socket.gethostname() not in client.get("/health/ready").content.decode()
