"""Reservations through the job state machine: what a job costs, and that it is paid once."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.services import user_get_or_create
from billing.errors import QuotaExceeded
from billing.models import Account, EntryKind, LedgerEntry, Price
from billing.services import account_open, ledger_adjust, trial_grant
from jobs.models import Job, JobKind, JobState
from jobs.services import job_cancel, job_claim, job_submit, jobs_reap

from .conftest import balance, create, customer, fail, ledger_sums, succeed, train

pytestmark = pytest.mark.django_db


def test_new_account_gets_the_trial_once(settings):
    user, created = user_get_or_create(email="new@example.com")
    account_open(user=user)
    user_get_or_create(email="NEW@example.com")
    assert created
    assert balance(user) == {"available": 0, "reserved": 0, "trial_trainings": 5, "trial_creations": 200}
    assert list(LedgerEntry.objects.filter(account__user=user).values_list("kind", "reference")) == [
        ("grant", f"trial:{user.pk}")
    ]


def test_user_made_without_the_service_gets_the_trial_at_first_job():
    from accounts.models import User

    user = User.objects.create_superuser(email="admin@example.com", password="x")
    train(user)
    assert balance(user)["trial_trainings"] == 4


def test_user_whose_email_is_not_confirmed_has_no_trial_to_spend():
    from accounts.models import User

    user = User.objects.create_user(email="signed-up@example.com")  # as sign-up makes them: unconfirmed
    with pytest.raises(QuotaExceeded):
        train(user)


def test_trial_grant_adds_the_trial_once():
    from accounts.models import User

    user = User.objects.create_user(email="signed-up@example.com")
    account_open(user=user)
    trial_grant(user=user)
    trial_grant(user=user)
    assert balance(user) == {"available": 0, "reserved": 0, "trial_trainings": 5, "trial_creations": 200}
    assert LedgerEntry.objects.filter(account__user=user, kind=EntryKind.GRANT).count() == 1


def test_trial_is_spent_before_points_and_points_after_it(settings):
    settings.STUDIO_TRIAL_TRAININGS = 1
    user = customer(points=150)
    train(user)
    train(user)
    assert balance(user) == {"available": 50, "reserved": 100, "trial_trainings": 0, "trial_creations": 200}
    with pytest.raises(QuotaExceeded) as raised:
        train(user)
    assert (raised.value.needed, raised.value.available) == (100, 50)
    assert "costs 100 points and 50 are available" in raised.value.message
    assert Job.objects.filter(owner=user).count() == 2  # the refused one left no job


def test_multi_person_creation_costs_per_person_and_image():
    user = customer(points=1000, trial=False)
    create(user, persons=3, n=2)
    assert balance(user)["reserved"] == 3 * 2 * Price.objects.get(operation="create_person").points


def test_check_is_free_and_reserves_nothing():
    user = customer(trial=False)
    job = job_submit(owner=user, kind=JobKind.CHECK, payload={"photos": []})
    assert succeed(job)
    assert not LedgerEntry.objects.filter(job=job).exists()


def test_success_captures_the_reserved_points():
    user = customer(points=500, trial=False)
    assert succeed(train(user))
    assert balance(user)["available"] == 400 and balance(user)["reserved"] == 0
    assert ledger_sums(user) == {"available": 400, "reserved": 0, "trial_trainings": 0, "trial_creations": 0}


def test_failed_job_releases_points_and_trial():
    user = customer(points=500)
    paid = customer("payer@example.com", points=500, trial=False)
    assert fail(train(user)) and fail(train(paid))
    assert balance(user) == {"available": 500, "reserved": 0, "trial_trainings": 5, "trial_creations": 200}
    assert balance(paid)["available"] == 500 and balance(paid)["reserved"] == 0
    assert [e.kind for e in LedgerEntry.objects.filter(account__user=paid, job__isnull=False)] == ["release", "reserve"]


def test_canceled_job_releases_its_points():
    user = customer(points=100, trial=False)
    job = train(user)
    job_cancel(job=job)
    assert balance(user)["available"] == 100 and balance(user)["reserved"] == 0


def test_reaped_and_rerun_job_is_charged_once():
    user = customer(points=500, trial=False)
    first = job_claim(job_id=train(user).id)
    Job.objects.filter(id=first.id).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    assert jobs_reap().requeued == [first.id]
    assert succeed(first)  # the second attempt
    assert Job.objects.get(id=first.id).attempts == 2
    assert balance(user)["available"] == 400 and balance(user)["reserved"] == 0
    kinds = sorted(LedgerEntry.objects.filter(job_id=first.id).values_list("kind", flat=True))
    assert kinds == ["capture", "reserve"]


def test_job_given_up_by_the_reaper_is_refunded(settings):
    user = customer(points=100, trial=False)
    job = job_claim(job_id=train(user).id)
    Job.objects.filter(id=job.id).update(attempts=settings.STUDIO_JOB_MAX_ATTEMPTS,
                                         lease_expires_at=timezone.now() - timedelta(seconds=1))
    assert jobs_reap().failed == [job.id]
    assert Job.objects.get(id=job.id).state == JobState.FAILED
    assert balance(user)["available"] == 100 and balance(user)["reserved"] == 0


def test_price_change_does_not_touch_a_queued_job():
    user = customer(points=500, trial=False)
    job = train(user)
    Price.objects.filter(operation="train").update(points=300)
    assert succeed(job)
    assert balance(user)["available"] == 400


def test_pay_as_you_go_account_goes_below_zero():
    user = customer(payg=True, trial=False)
    assert succeed(train(user))
    assert balance(user)["available"] == -100


def test_manual_adjustment_needs_a_reason_and_cannot_overdraw():
    user = customer(points=50, trial=False)
    account = Account.objects.get(user=user)
    with pytest.raises(ValueError, match="reason"):
        ledger_adjust(account=account, points=10, reason="  ")
    with pytest.raises(ValueError, match="overdraw"):
        ledger_adjust(account=account, points=-60, reason="correction")
    entry = ledger_adjust(account=account, points=-20, reason="double grant", by=user)
    assert entry.kind == EntryKind.ADJUSTMENT and entry.created_by == user
    assert balance(user)["available"] == 30 == ledger_sums(user)["available"]
