"""Studios started as processes, as an operator starts them: a free loopback port, manage.py
commands, runserver and qcluster in their own process groups, and their stop."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable

import httpx

from jobs.process_groups import group_gone
from tests.conftest import REPO


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def manage(env: dict, *args: str) -> str:
    """Runs a manage.py command to its end; its output, or the test fails with the command's last words."""
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done.stdout


def studio_start(env: dict, *, port: int, log) -> list[subprocess.Popen]:
    """runserver and a qcluster, each in its own process group (the cluster forks its workers)."""
    return [subprocess.Popen([sys.executable, "manage.py", *command], cwd=REPO, env=env, stdout=log,
                             stderr=subprocess.STDOUT, start_new_session=True)
            for command in (["runserver", "--noreload", f"127.0.0.1:{port}"], ["qcluster"])]


def studio_answers(base: str) -> bool:
    """Whether the studio at ``base`` answers its liveness probe."""
    try:
        return httpx.get(f"{base}/health/live", timeout=5).status_code == 200
    except httpx.TransportError:
        return False


def processes_kill(processes: Iterable[subprocess.Popen]) -> None:
    """As a machine lost: SIGKILL to every process group, nothing cleaned up; returns once no process
    of the groups runs (their sockets are closed)."""
    for process in processes:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            continue
        process.wait(timeout=10)
        # Waiting for the leader is not enough: a child still dying keeps its connections open, and a
        # qcluster's pusher blocked in Redis's BLPOP takes the next message with it into its grave
        # (the reaper's re-sent job was lost that way in CI).
        gone = group_gone(process.pid, timeout=10, poll=0.02)
        assert gone, f"process group {process.pid} still runs 10 s after SIGKILL"


def processes_stop(processes: list[subprocess.Popen]) -> None:
    """SIGTERM to each leader, as an operator stops it, then SIGKILL to the groups still running
    after 20 s. Not SIGTERM to the whole group: django-q2's sentinel, signalled too, exits while the
    qcluster leader's handler waits for it on a shared event, and the leader hangs until killed
    (django-q2 issue 346; every test with a worker waited out the 20 s)."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 20
    for process in processes:
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            pass
        if not group_gone(process.pid, timeout=max(deadline - time.monotonic(), 0.1), poll=0.02):
            processes_kill([process])
