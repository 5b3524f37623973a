"""For billing tests: customers made the way the studio makes them (with their trial), jobs
submitted and finished through the job services, and the ledger checked against the balance."""
from __future__ import annotations

import pytest
from django.db.models import Sum

from accounts.services import user_get_or_create
from billing.models import Account, LedgerEntry
from billing.services import ledger_adjust
from jobs.handlers import Outcome
from jobs.models import Job, JobKind
from jobs.services import job_claim, job_fail, job_submit, job_succeed
from tests.api.conftest import image_server, pai, partner, sync_queue  # noqa: F401 - the PAI API's fixtures


def customer(email: str = "customer@example.com", *, points: int = 0, trial: bool = True, payg: bool = False):
    user = user_get_or_create(email=email)[0]
    account = Account.objects.get(user=user)
    if not trial:
        ledger_adjust(account=account, points=0, trial_trainings=-account.trial_trainings,
                      trial_creations=-account.trial_creations, reason="no trial in this test")
    if payg:
        Account.objects.filter(id=account.id).update(pay_as_you_go=True)
    if points:
        ledger_adjust(account=account, points=points, reason="test points", kind="grant")
    return user


def account_of(user) -> Account:
    return Account.objects.get(user=user)


def ledger_sums(user) -> dict:
    return LedgerEntry.objects.filter(account__user=user).aggregate(
        available=Sum("points"), reserved=Sum("reserved"),
        trial_trainings=Sum("trial_trainings"), trial_creations=Sum("trial_creations"),
    )


def balance(user) -> dict:
    account = account_of(user)
    return {"available": account.available, "reserved": account.reserved,
            "trial_trainings": account.trial_trainings, "trial_creations": account.trial_creations}


def train(owner) -> Job:
    return job_submit(owner=owner, kind=JobKind.TRAIN, payload={"photos": []})


def create(owner, *, persons: int = 1, n: int = 1) -> Job:
    payload = {"model_ids": [f"avatar-{i}" for i in range(persons)], "n": n}
    return job_submit(owner=owner, kind=JobKind.CREATE, payload=payload)


def succeed(job: Job) -> bool:
    claimed = job_claim(job_id=job.id)
    return job_succeed(job=claimed, outcome=Outcome(result={}), cost_time=1.0)


def fail(job: Job) -> bool:
    claimed = job_claim(job_id=job.id)
    return job_fail(job=claimed, code="engine", message="it broke")


@pytest.fixture
def no_rate_limits(settings):
    settings.STUDIO_RATE_LIMITS = {}
