"""A process group counts as alive while one of its processes runs; zombies do not count (an
orphaned one may never be reaped where no init reaps it, and held every stop to its timeout)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO

# Runs apart from pytest: it makes itself the subreaper of its descendants (Linux), so that the
# group's orphan is its child, which it leaves unreaped (a zombie) or kills at the end.
GROUP = """
import ctypes, json, os, signal, subprocess, sys, time
from jobs.process_groups import group_alive
ctypes.CDLL(None, use_errno=True).prctl(36, 1)  # PR_SET_CHILD_SUBREAPER
orphan = "pass" if sys.argv[1] == "zombie" else "import time; time.sleep(30)"
leader = subprocess.Popen([sys.executable, "-c", "import subprocess, sys; subprocess.Popen([sys.executable, '-c', %r])" % orphan],
                          start_new_session=True)
leader.wait()
time.sleep(1.0)
states = []
for stat in os.listdir("/proc"):
    if stat.isdigit():
        try:
            fields = open(f"/proc/{stat}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == leader.pid:
            states.append(fields[0])
print(json.dumps({"states": states, "alive": group_alive(leader)}))
try:
    os.killpg(leader.pid, signal.SIGKILL)
except ProcessLookupError:
    pass
while True:
    try:
        os.waitpid(-1, 0)
    except ChildProcessError:
        break
"""


def _group(orphan: str) -> dict:
    result = subprocess.run([sys.executable, "-c", GROUP, orphan], cwd=REPO, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="subreapers and /proc are Linux's")
def test_a_group_whose_only_process_left_is_a_zombie_is_not_alive():
    group = _group("zombie")

    assert group["states"] == ["Z"] and group["alive"] is False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="subreapers and /proc are Linux's")
def test_a_group_whose_leader_exited_is_alive_while_its_orphan_runs():
    group = _group("running")

    assert len(group["states"]) == 1 and group["states"][0] != "Z" and group["alive"] is True
