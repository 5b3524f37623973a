"""STUDIO_ENGINE=remote is refused at start-up without usable endpoints, naming the variable, never the token."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO


def _start(tmp_path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "STUDIO_REMOTE_ENDPOINTS")}
    return subprocess.run([sys.executable, "-c", "import django; django.setup()"], cwd=REPO, capture_output=True,
                          text=True, timeout=120, env={**clean, "DJANGO_SETTINGS_MODULE": "studio.settings",
                                                       "DEBUG": "1", "STUDIO_VAR_DIR": str(tmp_path), **env})


def test_remote_without_endpoints_is_refused_naming_the_variable(tmp_path):
    started = _start(tmp_path, STUDIO_ENGINE="remote")

    assert started.returncode != 0
    assert "STUDIO_REMOTE_ENDPOINTS" in started.stderr


@pytest.mark.parametrize("value", ["http://nocredentials:8000", "http://APP:s3cret@host:port"])
def test_a_malformed_endpoint_is_refused_without_its_token(tmp_path, value):
    started = _start(tmp_path, STUDIO_ENGINE="remote", STUDIO_REMOTE_ENDPOINTS=value)

    assert started.returncode != 0
    assert "STUDIO_REMOTE_ENDPOINTS" in started.stderr and "s3cret" not in started.stderr


def test_a_remote_create_timeout_past_the_job_lease_is_refused(tmp_path):
    started = _start(tmp_path, STUDIO_ENGINE="remote", STUDIO_REMOTE_ENDPOINTS="http://A:t@127.0.0.1:8001",
                     STUDIO_JOB_LEASE="60", STUDIO_REMOTE_CREATE_TIMEOUT="60")

    assert started.returncode != 0
    assert "STUDIO_REMOTE_CREATE_TIMEOUT (60) must be shorter than STUDIO_JOB_LEASE (60)" in started.stderr
