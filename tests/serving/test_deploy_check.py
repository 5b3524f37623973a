"""`manage.py check --deploy` with the environment of a production install, as `make serve` runs it."""
from __future__ import annotations

import os
import secrets
import subprocess
import sys

from tests.conftest import REPO


def _production_env(**overrides: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if key not in ("STUDIO_HTTPS", "STUDIO_STATIC_MANIFEST", "DJANGO_SETTINGS_MODULE")}
    env.update(DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="studio.example.com",
               DATABASE_URL="postgres://studio@db.example.com:5432/studio", REDIS_URL="redis://redis.example.com:6379/0")
    env.update(overrides)
    return env


def _check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_with_the_production_environment():
    result = _check_deploy(_production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_is_clean_over_plain_http_only_with_the_explicit_opt_out():
    insecure = _check_deploy(_production_env(SESSION_COOKIE_SECURE="0"))
    assert insecure.returncode == 1 and "security.W012" in insecure.stderr
    opted_out = _check_deploy(_production_env(STUDIO_HTTPS="0"))
    assert opted_out.returncode == 0, opted_out.stdout + opted_out.stderr


def test_serve_refuses_to_start_when_check_deploy_warns():
    result = subprocess.run([sys.executable, "scripts/run_studio.py", "--serve", "--port", "1"], cwd=REPO,
                            env=_production_env(SECRET_KEY="short"), capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "security.W009" in result.stderr and "Refusing to start" in result.stderr
