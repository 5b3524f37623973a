"""Parallel submissions from one account, each thread on its own database connection: the
balance is locked, so exactly as many jobs as the points pay for are accepted, never more."""
from __future__ import annotations

import threading

import pytest
from django.db import connection

from billing.errors import QuotaExceeded
from jobs.models import Job

from .conftest import balance, customer, ledger_sums, train

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 12


def test_parallel_submits_never_overdraw():
    user = customer(points=500, trial=False)  # five trainings at 100 points
    start = threading.Barrier(THREADS)
    outcomes: list[str] = []

    def submit() -> None:
        try:
            start.wait()
            train(user)
            outcomes.append("accepted")
        except QuotaExceeded:
            outcomes.append("exceeded quota")
        except Exception as exc:  # noqa: BLE001 - any other error is the test's failure, reported below
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["accepted"] * 5 + ["exceeded quota"] * (THREADS - 5)
    assert Job.objects.filter(owner=user).count() == 5
    assert balance(user) == {"available": 0, "reserved": 500, "trial_trainings": 0, "trial_creations": 0}
    assert ledger_sums(user) == balance(user)
