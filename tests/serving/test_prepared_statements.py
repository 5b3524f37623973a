"""PostgreSQL keeps the plans of the statements a connection runs again and again
(studio.settings._statements_prepared, STUDIO_DB_PREPARE)."""
from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from jobs.models import Job, JobKind
from studio.settings import database_from_url

URL = "postgres://studio@db.example/studio"


def test_postgresql_binds_on_the_server_and_prepares_after_two_runs(monkeypatch):
    monkeypatch.delenv("STUDIO_DB_PREPARE", raising=False)

    options = database_from_url(URL)["OPTIONS"]

    assert options["server_side_binding"] is True and options["prepare_threshold"] == 2


def test_prepare_off_binds_on_the_client_as_django_does(monkeypatch):
    monkeypatch.setenv("STUDIO_DB_PREPARE", "off")

    options = database_from_url(URL)["OPTIONS"]

    assert "server_side_binding" not in options and "prepare_threshold" not in options


def test_prepare_takes_another_count(monkeypatch):
    monkeypatch.setenv("STUDIO_DB_PREPARE", "5")

    assert database_from_url(URL)["OPTIONS"]["prepare_threshold"] == 5


def test_prepare_that_is_no_count_is_refused(monkeypatch):
    monkeypatch.setenv("STUDIO_DB_PREPARE", "often")

    with pytest.raises(ImproperlyConfigured, match="STUDIO_DB_PREPARE"):
        database_from_url(URL)


def test_sqlite_takes_no_such_options(monkeypatch):
    monkeypatch.delenv("STUDIO_DB_PREPARE", raising=False)

    assert "server_side_binding" not in database_from_url("sqlite:///studio.sqlite3")["OPTIONS"]


@pytest.mark.django_db
def test_a_read_run_again_on_a_connection_is_prepared_on_the_server(owner):
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's: this run is on SQLite (DATABASE_URL)")
    job = Job.objects.create(owner=owner, kind=JobKind.CHECK)

    for _ in range(3):
        assert Job.objects.filter(id=job.id, owner_id=owner.id).values_list("kind", flat=True).get() == JobKind.CHECK

    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('"owner_id" = $2' in statement for statement in prepared), prepared
