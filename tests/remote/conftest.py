"""Studios as processes on loopback, as an operator runs them: each with its own SQLite database,
runserver and django-q2 cluster. Engine studios run the classic engine; a front runs STUDIO_ENGINE=remote."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.e2e.conftest import photo_server, wait_for
from tests.processes import free_port, manage, processes_kill, processes_stop, studio_answers, studio_start

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
        processes_kill(self.processes)

    def stop(self) -> None:
        processes_stop(self.processes)


@pytest.fixture(scope="module")
def start_studio(tmp_path_factory) -> Iterator[Callable[..., Studio]]:
    """Starts a studio (migrate, a PAI credential, runserver, qcluster); all are stopped after the module."""
    started: list[Studio] = []

    def start(name: str, **extra_env: str) -> Studio:
        var = tmp_path_factory.mktemp(name)
        env = {key: value for key, value in os.environ.items() if key not in _DROPPED}
        env.update(DEBUG="1", STUDIO_VAR_DIR=str(var), STUDIO_ALLOW_PRIVATE_URLS="1", PYTHONUNBUFFERED="1",
                   STUDIO_WORKERS="1", STUDIO_SYNC_WAIT="240", STUDIO_JOB_LEASE="300", **extra_env)
        manage(env, "migrate", "--noinput")
        issued = json.loads(manage(env, "credentials", "create", "--email", f"{name}@example.com", "--json"))
        port = free_port()
        studio = Studio(var=var, base=f"http://127.0.0.1:{port}", app_id=issued["app_id"], token=issued["token"])
        with (var / "processes.log").open("w") as log:
            studio.processes = studio_start(env, port=port, log=log)
        started.append(studio)
        wait_for(lambda: studio_answers(studio.base), timeout=90, what=f"{name}'s runserver")
        return studio

    yield start
    for studio in started:
        studio.stop()
