"""Studios as processes on loopback, as an operator runs them: each with its own SQLite database,
runserver and django-q2 cluster. Engine studios run the classic engine; a front runs STUDIO_ENGINE=remote."""
from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO
from tests.e2e.conftest import photo_server, wait_for

__all__ = ["photo_server"]  # the e2e suite's photo server, for these tests too

_DROPPED = ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "STUDIO_CACHE_URL", "STUDIO_ENGINE",
            "STUDIO_REMOTE_ENDPOINTS")


@dataclass
class Studio:
    var: Path
    base: str
    app_id: str
    token: str
    processes: list[subprocess.Popen] = field(default_factory=list)

    @property
    def endpoint(self) -> str:
        """This studio as a front's STUDIO_REMOTE_ENDPOINTS names it."""
        return f"http://{self.app_id}:{self.token}@{self.base.removeprefix('http://')}"

    def jobs(self) -> list[tuple[str, str]]:
        """(kind, state) of every job in this studio's own database."""
        return self.query("select kind, state from jobs_job order by id")

    def query(self, sql: str) -> list[tuple]:
        with sqlite3.connect(self.var / "studio.sqlite3") as db:
            return list(db.execute(sql))

    def kill(self) -> None:
        """As a machine lost: SIGKILL to every process group, nothing cleaned up."""
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _manage(env: dict, *args: str) -> str:
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done.stdout


def _answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/health/live", timeout=5).status_code == 200
    except httpx.TransportError:
        return False


@pytest.fixture(scope="module")
def start_studio(tmp_path_factory) -> Iterator[Callable[..., Studio]]:
    """Starts a studio (migrate, a PAI credential, runserver, qcluster); all are stopped after the module."""
    started: list[Studio] = []

    def start(name: str, **extra_env: str) -> Studio:
        var = tmp_path_factory.mktemp(name)
        env = {key: value for key, value in os.environ.items() if key not in _DROPPED}
        env.update(DEBUG="1", STUDIO_VAR_DIR=str(var), STUDIO_ALLOW_PRIVATE_URLS="1", PYTHONUNBUFFERED="1",
                   STUDIO_WORKERS="1", STUDIO_SYNC_WAIT="240", STUDIO_JOB_LEASE="300", **extra_env)
        _manage(env, "migrate", "--noinput")
        issued = json.loads(_manage(env, "credentials", "create", "--email", f"{name}@example.com", "--json"))
        port = _free_port()
        studio = Studio(var=var, base=f"http://127.0.0.1:{port}", app_id=issued["app_id"], token=issued["token"])
        with (var / "processes.log").open("w") as log:
            studio.processes = [
                subprocess.Popen([sys.executable, "manage.py", *command], cwd=REPO, env=env, stdout=log,
                                 stderr=subprocess.STDOUT, start_new_session=True)
                for command in (["runserver", "--noreload", f"127.0.0.1:{port}"], ["qcluster"])
            ]
        started.append(studio)
        wait_for(lambda: _answers(studio.base), timeout=90, what=f"{name}'s runserver")
        return studio

    yield start
    for studio in started:
        studio.stop()
