"""schemathesis fuzzes every operation of /api/schema/ as an authenticated user: no 5xx, whatever the input."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from accounts.services import apikey_create, user_get_or_create

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@pytest.fixture
def bearer(db) -> Iterator[dict[str, str]]:
    user = user_get_or_create(email="fuzzer@example.com")[0]
    # As Django's test client does: the WSGI handler must not close the test's database connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield {"Authorization": f"Bearer {apikey_create(owner=user).raw}"}
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.slow
@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_no_operation_answers_a_server_error(case, bearer):
    case.call_and_validate(headers=bearer, checks=[not_a_server_error])
