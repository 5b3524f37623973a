"""Parallel submissions from one account, each thread on its own database connection: the
balance is taken under the account row's lock, so exactly as many jobs as the trial and the points
pay for are accepted, never more, and each reservation says what it took."""
from __future__ import annotations

import threading

import pytest
from django.db import connection

from billing.errors import QuotaExceeded
from billing.models import Account, Reservation
from billing.pricing import job_charge
from billing.services import _reserve_if_unchanged, _Split, ledger_adjust
from jobs.models import Job

from .conftest import balance, create, customer, ledger_sums, train

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 12


def _in_parallel(submit_one) -> list[str]:
    start = threading.Barrier(THREADS)
    outcomes: list[str] = []

    def submit() -> None:
        try:
            start.wait()
            submit_one()
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
    return sorted(outcomes)


def test_parallel_submits_never_overdraw():
    user = customer(points=500, trial=False)  # five trainings at 100 points

    outcomes = _in_parallel(lambda: train(user))

    assert outcomes == ["accepted"] * 5 + ["exceeded quota"] * (THREADS - 5)
    assert Job.objects.filter(owner=user).count() == 5
    assert balance(user) == {"available": 0, "reserved": 500, "trial_trainings": 0, "trial_creations": 0}
    assert ledger_sums(user) == balance(user)


def test_parallel_creates_take_the_trial_then_the_points_exactly(settings):
    settings.STUDIO_TRIAL_CREATIONS = 5
    user = customer(points=30)  # 5 trial images and 3 at 10 points: four creates of two images

    outcomes = _in_parallel(lambda: create(user, n=2))

    assert outcomes == ["accepted"] * 4 + ["exceeded quota"] * (THREADS - 4)
    assert balance(user)["available"] == 0 and balance(user)["trial_creations"] == 0
    assert ledger_sums(user) == balance(user)
    taken = sorted((r.trial_creations, r.points) for r in Reservation.objects.filter(account__user=user))
    assert taken == [(0, 20), (1, 10), (2, 0), (2, 0)]


def test_reserve_from_a_stale_reading_takes_nothing(settings):
    settings.STUDIO_TRIAL_CREATIONS = 3
    user = customer(points=100)
    seen = Account.objects.get(user=user)
    split = _Split.of(charge=job_charge(kind="create", payload={"model_ids": ["a"], "n": 2}), account=seen)
    ledger_adjust(account=seen, points=0, trial_creations=-2, reason="the account changes after it was read")

    assert not _reserve_if_unchanged(account=seen, split=split)
    assert balance(user) == {"available": 100, "reserved": 0, "trial_trainings": 5, "trial_creations": 1}
