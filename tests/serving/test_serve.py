"""`make serve` end to end: the launcher against PostgreSQL and Redis on a free port, then one Ctrl-C."""
from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time

import httpx
import psycopg
import pytest
import redis

from tests.conftest import REPO
from tests.processes import free_port

SERVE_DATABASE = "studio_serve"
SERVER = "postgres://postgres@127.0.0.1:5432"
REDIS_URL = "redis://127.0.0.1:6379/6"
START_TIMEOUT = 240  # check, migrate from nothing, collectstatic, seed_catalog, then gunicorn


def _fresh_services() -> None:
    """An empty database and queue of the test's own, or a skip saying which service is missing."""
    try:
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True, connect_timeout=3) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {SERVE_DATABASE} WITH (FORCE)")
            connection.execute(f"CREATE DATABASE {SERVE_DATABASE}")
    except psycopg.OperationalError as exc:
        pytest.skip(f"make serve needs PostgreSQL at {SERVER} (user postgres): {exc}".strip())
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).flushdb()
    except redis.RedisError as exc:
        pytest.skip(f"make serve needs Redis at {REDIS_URL}: {exc}")


def _serve_env(var_dir) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if key not in ("DJANGO_SETTINGS_MODULE", "STUDIO_STATIC_MANIFEST", "STUDIO_CACHE_URL")}
    env.update(DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50), STUDIO_HTTPS="0", ALLOWED_HOSTS="127.0.0.1",
               DATABASE_URL=f"{SERVER}/{SERVE_DATABASE}", REDIS_URL=REDIS_URL, STUDIO_VAR_DIR=str(var_dir),
               STUDIO_WORKERS="1", STUDIO_WEB_WORKERS="1", STUDIO_WEB_THREADS="4")
    return env


def _wait_for_landing(base: str, launcher: subprocess.Popen) -> httpx.Response:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and launcher.poll() is None:
        try:
            return httpx.get(f"{base}/", timeout=30)
        except httpx.TransportError:
            time.sleep(0.5)
    raise AssertionError(f"make serve did not answer within {START_TIMEOUT} s (exit code {launcher.poll()})")


@pytest.mark.slow
def test_make_serve_answers_with_static_files_and_stops_on_one_ctrl_c(tmp_path):
    _fresh_services()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with (tmp_path / "serve.log").open("w+") as log:
        launcher = subprocess.Popen([sys.executable, "scripts/run_studio.py", "--serve", "--port", str(port)], cwd=REPO,
                                    env=_serve_env(tmp_path / "var"), stdout=log, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        try:
            landing = _wait_for_landing(base, launcher)
            assert landing.status_code == 200, landing.text[:500]
            [css] = re.findall(r'href="(/static/studio/site\.[0-9a-f]{12}\.css)"', landing.text)
            stylesheet = httpx.get(base + css, headers={"Accept-Encoding": "gzip"})
            assert stylesheet.status_code == 200 and stylesheet.headers["content-encoding"] == "gzip"
            assert "gunicorn" in landing.headers["server"] and landing.headers["x-request-id"]
            ready = httpx.get(f"{base}/health/ready", timeout=30)
            assert ready.status_code in (200, 404), ready.text  # 404 only before the health endpoints exist

            launcher.send_signal(signal.SIGINT)
            assert launcher.wait(timeout=30) == 0
            with pytest.raises(OSError):
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
        finally:
            if launcher.poll() is None:
                os.killpg(launcher.pid, signal.SIGKILL)
                launcher.wait()
            log.seek(0)
            print(log.read()[-5000:])  # shown by pytest when the test fails
