"""Process groups of child processes (a qcluster and its workers, runserver and its reloader): signal
a whole group, and tell whether any of it is still alive. No Django: `make run`'s launcher uses it too."""
from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

PROC = Path("/proc")


def group_signal(child: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(child.pid, signum)
    except ProcessLookupError:
        pass


def group_alive(child: subprocess.Popen) -> bool:
    child.poll()  # reap the leader, so that a zombie does not count as alive
    return group_running(child.pid)


def group_running(group: int) -> bool:
    """Whether a process of ``group`` is not a zombie. A zombie has closed its files and runs no
    more; an orphaned one may never be reaped (a container without an init), and counted as
    alive it held every stop to its timeout. Read from /proc; elsewhere, any process counts."""
    if not PROC.is_dir():
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return False
        return True
    for stat in PROC.glob("[0-9]*/stat"):
        try:
            # The command name, in parentheses, may hold spaces; state and group follow it.
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone while we looked
        if int(fields[2]) == group and fields[0] not in ("Z", "X"):
            return True
    return False


def group_gone(group: int, *, timeout: float, poll: float = 0.2) -> bool:
    """Waits until no process of ``group`` runs (``group_running``), at most ``timeout`` seconds;
    whether none does."""
    deadline = time.monotonic() + timeout
    while group_running(group):
        if time.monotonic() > deadline:
            return False
        time.sleep(poll)
    return True
