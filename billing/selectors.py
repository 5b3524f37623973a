"""Reads of billing for the website, the APIs and the admin: a customer's usage, jobs in flight."""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from jobs.models import Job, JobState

from .models import Account, LedgerEntry, Operation, PointPackage
from .pricing import TRIAL_BUCKET, price_of
from .services import account_open


@dataclass(frozen=True)
class JobCost:
    job: Job
    points: int  # reserved, spent, or 0 once released
    trial: int  # trial trainings or creations it used
    state: str  # reserved | captured | released | free


@dataclass(frozen=True)
class Usage:
    account: Account
    entries: list[LedgerEntry]
    jobs: list[JobCost]


def account_usage_for(*, user, limit: int = 50) -> Usage:
    """The balance, the latest ledger entries and the latest jobs with what each cost."""
    account = account_open(user=user)
    entries = list(account.entries.select_related("job")[:limit])
    jobs = []
    for job in Job.objects.filter(owner=user).select_related("reservation")[:limit]:
        reservation = getattr(job, "reservation", None)
        if reservation is None:
            jobs.append(JobCost(job=job, points=0, trial=0, state="free"))
            continue
        released = reservation.state == "released"
        jobs.append(JobCost(
            job=job, points=0 if released else reservation.points,
            trial=0 if released else reservation.trial_trainings + reservation.trial_creations,
            state=reservation.state,
        ))
    return Usage(account=account, entries=entries, jobs=jobs)


def package_list_active() -> QuerySet[PointPackage]:
    return PointPackage.objects.filter(active=True)


def jobs_in_flight_for(*, owner, source: str | None = None) -> int:
    """Queued and running jobs of the owner (from one API when ``source`` is given): for
    concurrency caps such as DashScope's one task at a time."""
    jobs = Job.objects.filter(owner=owner, state__in=[JobState.QUEUED, JobState.RUNNING])
    return jobs.filter(source=source).count() if source else jobs.count()


@dataclass(frozen=True)
class PriceQuote:
    """What ``images`` images of one operation would cost this customer now: the trial is spent first."""
    unit_points: int
    images: int
    available: int  # points the account can spend
    trial_left: int  # free trainings or creations, whichever this operation spends
    pay_as_you_go: bool = False

    @property
    def trial_used(self) -> int:
        return min(self.images, self.trial_left)

    @property
    def points(self) -> int:
        return (self.images - self.trial_used) * self.unit_points

    @property
    def affordable(self) -> bool:
        return self.pay_as_you_go or self.points <= self.available


def price_quote_for(*, user, operation: str, images: int = 1) -> PriceQuote:
    account = account_open(user=user)
    bucket = TRIAL_BUCKET.get(Operation(operation))
    trial_left = getattr(account, f"trial_{bucket}") if bucket else 0
    return PriceQuote(unit_points=price_of(operation), images=max(1, images), available=account.available,
                      trial_left=max(0, trial_left), pay_as_you_go=account.pay_as_you_go)
