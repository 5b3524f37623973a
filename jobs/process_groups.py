"""Process groups of child processes (a qcluster and its workers, runserver and its reloader): signal
a whole group, and tell whether any of it is still alive. No Django: `make run`'s launcher uses it too."""
from __future__ import annotations

import os
import subprocess


def group_signal(child: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(child.pid, signum)
    except ProcessLookupError:
        pass


def group_alive(child: subprocess.Popen) -> bool:
    child.poll()  # reap the leader, so that a zombie does not count as alive
    try:
        os.killpg(child.pid, 0)
    except ProcessLookupError:
        return False
    return True
