"""A dependency that stops answering fails a request, and the readiness probe, in seconds: the
production settings bound how long the database and the bucket may keep a thread waiting."""
from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO
from tests.serving.test_deploy_check import _production_env

READ = """
import django, json
django.setup()
from django.conf import settings
storage = settings.STORAGES["default"]["OPTIONS"]["client_config"]
print(json.dumps({"db": settings.DATABASES["default"]["OPTIONS"], "s3": [storage.connect_timeout,
      storage.read_timeout, storage.signature_version]}))
"""


def _settings(**env: str) -> dict:
    result = subprocess.run([sys.executable, "-c", READ], cwd=REPO, capture_output=True, text=True, timeout=120,
                            env=_production_env(DJANGO_SETTINGS_MODULE="studio.settings", STUDIO_S3_BUCKET="media",
                                                **env))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_database_connections_give_up_after_five_seconds_by_default():
    assert _settings()["db"]["connect_timeout"] == 5


def test_database_url_may_set_its_own_connect_timeout():
    database = "postgres://studio@db.example.com:5432/studio?connect_timeout=2"
    assert _settings(DATABASE_URL=database)["db"]["connect_timeout"] == "2"


def test_bucket_calls_are_bounded_and_signed_with_sigv4():
    assert _settings(STUDIO_S3_CONNECT_TIMEOUT="3")["s3"] == [3, 30, "s3v4"]


POOL = """
import django, json
django.setup()
from django.conf import settings
database = settings.DATABASES["default"]
pool = database["OPTIONS"].get("pool") or {}
print(json.dumps({"max_size": pool.get("max_size"), "conn_max_age": database["CONN_MAX_AGE"]}))
"""


def test_web_workers_take_postgresql_connections_from_a_bounded_pool():
    result = subprocess.run([sys.executable, "-c", POOL], cwd=REPO, capture_output=True, text=True, timeout=120,
                            env=_production_env(DJANGO_SETTINGS_MODULE="studio.settings", STUDIO_DB_POOL="16"))
    assert result.returncode == 0, result.stderr
    # Pooled connections go back to the pool after each request instead of staying with their thread.
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"max_size": 16, "conn_max_age": 0}


def test_gunicorn_turns_the_pool_on_for_its_workers(monkeypatch):
    monkeypatch.delenv("STUDIO_DB_POOL", raising=False)
    namespace: dict = {}
    exec(compile((REPO / "studio" / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)
    import os

    assert os.environ["STUDIO_DB_POOL"] == "16"
