"""`manage.py qcluster_supervised`: a cluster that stops executing work, or exits, is restarted
without anyone stepping in."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import OperationalError

from accounts.services import user_get_or_create
from jobs.models import Job, JobState, WorkerHeartbeat
from studio.portraits.models import Photo
from studio.portraits.services.avatars import avatar_train_submit
from tests.conftest import REPO
from tests.e2e.conftest import database_url, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def start_watchdog(django_db_setup, tmp_path) -> Iterator[Callable[..., subprocess.Popen]]:
    """Starts qcluster_supervised (with its options, and settings as keywords) on the test database,
    with a heartbeat every second; stops it after."""
    started: list[subprocess.Popen] = []
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "DATABASE_URL": database_url(),
           "STUDIO_WORKERS": "1", "PYTHONUNBUFFERED": "1",
           "STUDIO_HEARTBEAT_INTERVAL": "1", "STUDIO_HEARTBEAT_MAX_AGE": "4"}

    def start(*options: str, **settings: str) -> subprocess.Popen:
        with (tmp_path / f"watchdog-{len(started)}.log").open("ab") as sink:
            process = subprocess.Popen([sys.executable, "manage.py", "qcluster_supervised", *options], cwd=REPO,
                                       env={**env, **settings}, stdout=sink, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        started.append(process)
        return process

    yield start
    for process in started:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _cluster_of(watchdog: subprocess.Popen) -> int:
    """The pid of the qcluster the watchdog runs (its only child)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[1]) == watchdog.pid:
            return int(stat.parent.name)
    raise AssertionError("the watchdog runs no qcluster")


def _first_beat() -> WorkerHeartbeat:
    return wait_for(lambda: WorkerHeartbeat.objects.first(), timeout=90, what="the cluster's first heartbeat")


def _unless_locked(read: Callable[[], object]) -> Callable[[], object]:
    """On SQLite, a cluster stopped inside a write holds the database lock until it is killed."""
    def attempt() -> object:
        try:
            return read()
        except OperationalError:
            return None

    return attempt


def _beat_of_another_instance(instance: str) -> WorkerHeartbeat:
    return wait_for(_unless_locked(lambda: WorkerHeartbeat.objects.exclude(instance=instance).first()), timeout=90,
                    what="a heartbeat from a restarted cluster")


def test_watchdog_restarts_a_cluster_whose_heartbeat_stops(start_watchdog):
    watchdog = start_watchdog()
    first = _first_beat()
    wedged = _cluster_of(watchdog)

    os.killpg(wedged, signal.SIGSTOP)  # every process stays, none takes a task: as a wedged cluster

    _beat_of_another_instance(first.instance)
    assert _cluster_of(watchdog) != wedged
    assert not Path(f"/proc/{wedged}").exists()  # killed and reaped, not left stopped


def test_watchdog_restarts_a_cluster_that_exits(start_watchdog):
    watchdog = start_watchdog()
    first = _first_beat()

    os.killpg(_cluster_of(watchdog), signal.SIGKILL)

    _beat_of_another_instance(first.instance)


def test_job_of_a_wedged_cluster_is_requeued_and_finished_by_its_restarted_cluster(start_watchdog, shared_data):
    owner = user_get_or_create(email="owner@example.com")[0]
    photos = []
    for position, path in enumerate(sorted((shared_data / "faces/john_salley").glob("*.jpg"))):
        photo = Photo(owner=owner, position=position)
        photo.image.save(path.name, ContentFile(path.read_bytes()), save=True)
        photos.append(photo)
    _, job = avatar_train_submit(owner=owner, photos=photos)
    watchdog = start_watchdog("--reap-every", "1", STUDIO_JOB_LEASE="5")
    wait_for(lambda: Job.objects.get(id=job.id).state == JobState.RUNNING, timeout=90, what="the job to start")

    os.killpg(_cluster_of(watchdog), signal.SIGSTOP)

    finished = wait_for(_unless_locked(lambda: (done := Job.objects.get(id=job.id)).is_final and done), timeout=120,
                        what="the job to finish after the restart")
    assert (finished.state, finished.attempts) == (JobState.SUCCEEDED, 2)
