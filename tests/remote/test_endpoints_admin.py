"""Engine endpoints in the admin and their shared state: health, load and recent errors as the
remote backend reports them, endpoints added or switched off there, tokens kept encrypted and unseen."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from engine.remote import Endpoint, RemoteBackend
from studio.engines.models import WORK_FORGOTTEN_AFTER, AvatarRoute, EndpointWork, EngineEndpoint
from studio.engines.monitor import DatabaseMonitor
from studio.lib.engine import remote_transport

pytestmark = pytest.mark.django_db

SECRET = "tok-hunter2"


@pytest.fixture
def admin_user() -> User:
    return User.objects.create_superuser(email="admin@example.com")


def _add(admin_client, **fields) -> object:
    data = {"base_url": "http://10.0.0.7:8000", "app_id": "APP", "token": SECRET, "enabled": "on"} | fields
    return admin_client.post(reverse("admin:engines_engineendpoint_add"), data)


def test_an_endpoint_added_in_the_admin_keeps_its_token_encrypted(admin_client):
    assert _add(admin_client).status_code == 302

    row = EngineEndpoint.objects.get()
    assert row.base_url == "http://10.0.0.7:8000" and SECRET not in row.token_encrypted
    assert [(e.base_url, e.app_id, e.token) for e in DatabaseMonitor().endpoints()] == [
        ("http://10.0.0.7:8000", "APP", SECRET)]


def test_the_change_page_never_shows_the_token(admin_client):
    _add(admin_client)

    page = admin_client.get(reverse("admin:engines_engineendpoint_change", args=[EngineEndpoint.objects.get().pk]))

    assert page.status_code == 200 and SECRET not in page.content.decode()


def test_an_endpoint_that_is_no_url_is_refused_with_a_reason(admin_client):
    response = _add(admin_client, base_url="ftp://10.0.0.7")

    assert response.status_code == 200 and "http(s) URL" in response.content.decode()
    assert not EngineEndpoint.objects.exists()


def test_an_endpoint_needs_a_token_when_added(admin_client):
    response = _add(admin_client, token="")

    assert "Give the endpoint" in response.content.decode() and not EngineEndpoint.objects.exists()


def test_the_changelist_shows_health_load_and_the_last_error(admin_client):
    monitor = DatabaseMonitor()
    monitor.started("http://gpu-1:8000")
    for _ in range(3):
        monitor.failed("http://gpu-1:8000", "Could not connect to gpu-1 or read its answer.")

    page = admin_client.get(reverse("admin:engines_engineendpoint_changelist")).content.decode()

    row = EngineEndpoint.objects.get()
    assert (row.failures, row.healthy, row.from_environment) == (3, False, True)
    assert "Could not connect to gpu-1" in page and "icon-no" in page
    assert '<td class="field-in_flight">1</td>' in page


def test_work_a_killed_worker_left_in_flight_is_forgotten_in_time():
    monitor = DatabaseMonitor()
    monitor.started("http://gpu-1:8000")
    EndpointWork.objects.update(started_at=timezone.now() - WORK_FORGOTTEN_AFTER - timedelta(seconds=1))
    finished = monitor.started("http://gpu-1:8000")
    monitor.ended("http://gpu-1:8000", finished)

    assert monitor.loads() == {}


def test_an_answer_makes_an_endpoint_healthy_again():
    monitor = DatabaseMonitor()
    for _ in range(3):
        monitor.failed("http://gpu-1:8000", "down")

    monitor.answered("http://gpu-1:8000")

    assert EngineEndpoint.objects.get().healthy


def test_new_work_goes_to_the_least_loaded_endpoint_across_processes():
    backend = RemoteBackend([Endpoint("http://gpu-1:8000", "A", "t"), Endpoint("http://gpu-2:8000", "B", "t")],
                            transport=remote_transport, monitor=DatabaseMonitor())
    DatabaseMonitor().started("http://gpu-1:8000")  # work another worker process sent there

    assert [c.endpoint.name for c in backend.pool.ranked()] == ["http://gpu-2:8000", "http://gpu-1:8000"]


def test_an_endpoint_switched_off_in_the_admin_gets_no_new_work():
    EngineEndpoint.objects.create(base_url="http://gpu-2:8000", enabled=False, from_environment=True)
    backend = RemoteBackend([Endpoint("http://gpu-1:8000", "A", "t"), Endpoint("http://gpu-2:8000", "B", "t")],
                            transport=remote_transport, monitor=DatabaseMonitor())

    assert [c.endpoint.name for c in backend.pool.ranked()] == ["http://gpu-1:8000"]


def test_an_avatar_trained_again_elsewhere_is_found_there_by_every_process():
    DatabaseMonitor().route_put(("http://gpu-1:8000", "m1"), ("http://gpu-2:8000", "m2"))

    assert DatabaseMonitor().route_get("http://gpu-1:8000", "m1") == ("http://gpu-2:8000", "m2")
    assert AvatarRoute.objects.count() == 1


def test_an_environment_endpoint_is_switched_off_in_the_admin_without_its_token(admin_client):
    DatabaseMonitor().answered("http://gpu-1:8000")
    row = EngineEndpoint.objects.get()

    response = admin_client.post(reverse("admin:engines_engineendpoint_change", args=[row.pk]), {})

    assert response.status_code == 302
    row.refresh_from_db()
    assert not row.enabled and row.base_url == "http://gpu-1:8000"
    assert DatabaseMonitor().disabled() == {"http://gpu-1:8000"}
