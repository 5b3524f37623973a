"""The ledger's writes: opening an account, granting its trial, reserving a job's price at submit,
capturing or releasing it once the job ends, and manual grants and adjustments.

Every write changes the account row under its lock (SELECT ... FOR NO KEY UPDATE on PostgreSQL;
SQLite serialises writing transactions) and appends one ledger entry with a unique reference. A
submit's reserve takes the lock last, in the UPDATE that takes the price (job_charge_reserve): an
account's submits queue on that lock, so it is held from there to the commit only.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from jobs.models import Job, JobState
from studio.lib.prepared import PreparedObjects

from .errors import QuotaExceeded
from .events import balance_low_announce
from .models import Account, EntryKind, LedgerEntry, Reservation, ReservationState
from .pricing import job_charge


def account_open(*, user) -> Account:
    """The user's account, opened on first call. It comes with the free trial when the user's email
    address is confirmed; otherwise ``trial_grant`` adds the trial once it is."""
    account = Account.objects.filter(user=user).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            account = Account.objects.create(user=user)
            if user.email_confirmed:
                _trial_add(account=account)
    except IntegrityError:  # opened at the same moment by another request
        account = Account.objects.get(user=user)
    return account


@transaction.atomic
def trial_grant(*, user) -> None:
    """Gives the user's account the free trial: once per user whatever the calls or their order,
    since the trial's ledger entry has the unique reference ``trial:<user id>``."""
    account = _locked(user=user)
    if LedgerEntry.objects.filter(reference=f"trial:{user.pk}").exists():
        return
    try:
        with transaction.atomic():
            _trial_add(account=account)
    except IntegrityError:  # granted at the same moment by another request
        pass


def _trial_add(*, account: Account) -> None:
    trainings, creations = settings.STUDIO_TRIAL_TRAININGS, settings.STUDIO_TRIAL_CREATIONS
    LedgerEntry.objects.create(
        account=account, kind=EntryKind.GRANT, trial_trainings=trainings, trial_creations=creations,
        reference=f"trial:{account.user_id}", note=f"free trial: {trainings} trainings, {creations} creations",
    )
    account.trial_trainings += trainings
    account.trial_creations += creations
    account.save(update_fields=["trial_trainings", "trial_creations", "updated_at"])


def _locked(*, user=None, account_id: int | None = None) -> Account:
    if account_id is None:
        # The account is locked in the read that finds it; only a first charge opens it first.
        account = _ACCOUNT_LOCKED.first(user_id=user.pk)
        if account is not None:
            return account
        account_id = account_open(user=user).id
    return Account.objects.select_for_update(no_key=True).get(id=account_id)


# Account rows are locked FOR NO KEY UPDATE (PostgreSQL; SQLite serialises writers anyway): the
# balance changes, never the row's key, so the ledger rows and reservations other transactions
# are inserting for the account (whose foreign keys hold KEY SHARE on it) do not make it wait, as
# an UPDATE does not. A charged submit may lock its account: compiled once (studio.lib.prepared).
_ACCOUNT_LOCKED = PreparedObjects(lambda *, user_id: Account.objects.select_for_update(no_key=True).filter(
    user_id=user_id).order_by("pk")[:1], arguments={"user_id": int})
# ... and reads it first without a lock (job_charge_reserve).
_ACCOUNT = PreparedObjects(lambda *, user_id: Account.objects.filter(user_id=user_id).order_by("pk")[:1],
                           arguments={"user_id": int})


@dataclass(frozen=True)
class _Split:
    """A price split between the account's trial and its points, as ``account`` stands."""

    bucket: str | None  # "trainings", "creations" or None: the trial count the operation spends
    trial: int  # taken from the trial
    points: int  # taken from the points
    trial_left: int  # the account's trial count it was split against
    covered: bool  # the trial paid for every image

    @classmethod
    def of(cls, *, charge, account: Account) -> _Split:
        bucket = charge.trial_bucket
        trial_left = getattr(account, f"trial_{bucket}") if bucket else 0
        trial = min(trial_left, charge.images)
        return cls(bucket=bucket, trial=trial, points=charge.points_for(charge.images - trial), trial_left=trial_left,
                   covered=bucket is not None and trial == charge.images)

    def payable(self, account: Account) -> bool:
        return self.points <= account.available or account.pay_as_you_go

    @property
    def trainings(self) -> int:
        return self.trial if self.bucket == "trainings" else 0

    @property
    def creations(self) -> int:
        return self.trial if self.bucket == "creations" else 0


@transaction.atomic(savepoint=False)  # QuotaExceeded raises on: the submit rolls back as a whole
def job_charge_reserve(*, job) -> Reservation | None:
    """Holds the job's price: trial counts first, then points. Call it in the submit transaction.

    Raises QuotaExceeded when the account cannot pay (a pay-as-you-go account always can).
    Free jobs (checks) reserve nothing.

    Every submit of an account changes the one account row, so the row's lock decides how many
    submits an account makes per second: it is taken as late as it can be. The account is read
    without a lock, the ledger entry and the reservation are written from that reading, and then one
    UPDATE takes the price if the account still splits it the same way; the lock it takes lasts
    from there to the commit. If the account changed in between (another submit, a grant), it is
    locked and read again, and the entry and the reservation follow the new split.
    """
    charge = job_charge(kind=job.kind, payload=job.input)
    if charge.unit_points == 0:
        return None
    seen = _ACCOUNT.first(user_id=job.owner_id)
    split = _Split.of(charge=charge, account=seen) if seen is not None else None
    if split is None or not split.payable(seen):
        # A first charge (the account opens) or one the account cannot pay: decided under the lock.
        account = _locked(user=job.owner)
        split = _reserve_locked(account=account, charge=charge)
        return _reserve_written(job=job, account=account, charge=charge, split=split)
    reservation = _reserve_written(job=job, account=seen, charge=charge, split=split)
    if _reserve_if_unchanged(account=seen, split=split):
        _balance_low_notify(account=seen, before=seen.available + split.points)
        return reservation
    account = _locked(account_id=seen.id)
    taken = _reserve_locked(account=account, charge=charge)
    if (taken.trial, taken.points) != (split.trial, split.points):
        _reserve_rewritten(reservation=reservation, split=taken)
    return reservation


def _reserve_locked(*, account: Account, charge) -> _Split:
    """The price taken from the locked ``account``; QuotaExceeded if it cannot pay."""
    split = _Split.of(charge=charge, account=account)
    if not split.payable(account):
        raise QuotaExceeded(operation=charge.operation, needed=split.points, available=max(account.available, 0))
    before = account.available
    account.available -= split.points
    account.reserved += split.points
    if split.bucket:
        setattr(account, f"trial_{split.bucket}", split.trial_left - split.trial)
    account.save(update_fields=["available", "reserved", "trial_trainings", "trial_creations", "updated_at"])
    _balance_low_notify(account=account, before=before)
    return split


def _reserve_if_unchanged(*, account: Account, split: _Split) -> bool:
    """Takes ``split`` from the account in one statement if the account still splits the price
    that way: its trial count as read (or, when the trial paid for every image, still enough
    trial) and enough points. Updates ``account`` to the row as it then is; False when nothing
    was taken."""
    quote = connection.ops.quote_name
    trial = quote(f"trial_{split.bucket or 'creations'}")  # no trial for the operation: takes 0 of one
    if split.bucket is None:
        unchanged, unchanged_parameters = "", []
    else:
        unchanged, unchanged_parameters = f"AND {trial} {'>=' if split.covered else '='} %s ", [
            split.trial if split.covered else split.trial_left]
    sql = (
        f"UPDATE {quote(Account._meta.db_table)} SET available = available - %s, reserved = reserved + %s, "
        f"{trial} = {trial} - %s, updated_at = %s WHERE id = %s {unchanged}"
        "AND (%s = 0 OR available >= %s OR pay_as_you_go) "
        "RETURNING available, reserved, trial_trainings, trial_creations"
    )
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(sql, [split.points, split.points, split.trial, connection.ops.adapt_datetimefield_value(now),
                             account.id, *unchanged_parameters, split.points, split.points])
        row = cursor.fetchone()
    if row is None:
        return False
    account.available, account.reserved, account.trial_trainings, account.trial_creations = (int(v) for v in row)
    account.updated_at = now
    return True


def _reserve_written(*, job, account: Account, charge, split: _Split) -> Reservation:
    LedgerEntry.objects.create(
        account=account, kind=EntryKind.RESERVE, points=-split.points, reserved=split.points,
        trial_trainings=-split.trainings, trial_creations=-split.creations,
        reference=f"job:{job.id}:reserve", job=job, note=f"{charge.operation} x{charge.units}",
    )
    return Reservation.objects.create(
        job=job, account=account, operation=charge.operation, units=charge.units, points=split.points,
        trial_trainings=split.trainings, trial_creations=split.creations,
    )


def _reserve_rewritten(*, reservation: Reservation, split: _Split) -> None:
    """The entry and the reservation written from a stale reading, made to say what was taken."""
    LedgerEntry.objects.filter(reference=f"job:{reservation.job_id}:reserve").update(
        points=-split.points, reserved=split.points, trial_trainings=-split.trainings,
        trial_creations=-split.creations)
    reservation.points, reservation.trial_trainings, reservation.trial_creations = (
        split.points, split.trainings, split.creations)
    reservation.save(update_fields=["points", "trial_trainings", "trial_creations"])


def _balance_low_notify(*, account: Account, before: int) -> None:
    """Announces a low balance when points fall to STUDIO_BALANCE_LOW_POINTS or below: once per
    crossing, so that a customer can top up before jobs are refused (webhooks send balance.low)."""
    threshold = settings.STUDIO_BALANCE_LOW_POINTS
    if not before > threshold >= account.available:
        return
    data = {"available": account.available, "threshold": threshold, "trial_trainings": account.trial_trainings,
            "trial_creations": account.trial_creations}
    balance_low_announce(account=account, data=data)


def account_open_for_new_user(user) -> None:
    """accounts' user-created announcement: the account opens with the user, with the trial if the
    address is already confirmed (staff, commands, the demo)."""
    account_open(user=user)


def trial_grant_on_confirmation(user) -> None:
    """accounts' email-confirmed announcement."""
    trial_grant(user=user)


def job_charge_settle(job, state) -> None:
    """jobs' finished announcement: a success spends what the job reserved; any other ending gives it back."""
    if state == JobState.SUCCEEDED:
        job_charge_capture(job=job)
    else:
        job_charge_release(job=job)


def job_charge_reserve_on_submit(job) -> None:
    """jobs' submitted announcement, in the submit's transaction: QuotaExceeded refuses the job."""
    job_charge_reserve(job=job)


def job_charge_capture(*, job) -> bool:
    """The job succeeded: what it reserved is spent. Once per job, whatever the attempts."""
    return _settle(job=job, to=ReservationState.CAPTURED)


def job_charge_release(*, job) -> bool:
    """The job failed, was canceled or given up: what it reserved goes back. Once per job."""
    return _settle(job=job, to=ReservationState.RELEASED)


@transaction.atomic
def _settle(*, job, to: ReservationState) -> bool:
    reservation = Reservation.objects.filter(job_id=job.id).select_related("account").first()
    if reservation is None or reservation.state != ReservationState.RESERVED:
        return False
    account = _locked(account_id=reservation.account_id)  # the account first, as the reserve does
    if not Reservation.objects.filter(job_id=job.id, state=ReservationState.RESERVED).update(
        state=to, settled_at=timezone.now()
    ):
        return False
    back = to == ReservationState.RELEASED
    points = reservation.points
    account.reserved -= points
    if back:
        account.available += points
        account.trial_trainings += reservation.trial_trainings
        account.trial_creations += reservation.trial_creations
    else:  # images the job was priced for but did not make go back: one pays per image made
        unused_points, unused_trial = _unmade(job_id=job.id, reservation=reservation)
        account.available += unused_points
        account.trial_creations += unused_trial
    account.save(update_fields=["available", "reserved", "trial_trainings", "trial_creations", "updated_at"])
    LedgerEntry.objects.create(
        account=account,
        kind=EntryKind.RELEASE if back else EntryKind.CAPTURE,
        points=points if back else 0,
        reserved=-points,
        trial_trainings=reservation.trial_trainings if back else 0,
        trial_creations=reservation.trial_creations if back else 0,
        reference=f"job:{job.id}:{'release' if back else 'capture'}",
        job_id=job.id,
        note=f"{reservation.operation} x{reservation.units}",
    )
    if not back and (unused_points or unused_trial):
        LedgerEntry.objects.create(
            account=account, kind=EntryKind.RELEASE, points=unused_points, trial_creations=unused_trial,
            reference=f"job:{job.id}:unmade", job_id=job.id,
            note=f"{reservation.operation}: images not made given back",
        )
    return True


def _unmade(*, job_id: int, reservation: Reservation) -> tuple[int, int]:
    """(points, trial creations) of the images a succeeded job was priced for and did not make (an
    ID photo order for more variants than the avatar has usable photos); points go back first."""
    job = Job.objects.filter(id=job_id).values("kind", "input", "result").first()
    if job is None or not isinstance((job["result"] or {}).get("images"), list):
        return 0, 0
    charge = job_charge(kind=job["kind"], payload=job["input"] or {})
    unmade = charge.images - len(job["result"]["images"])
    if unmade <= 0 or charge.trial_bucket != "creations":
        return 0, 0
    paid_images = charge.images - reservation.trial_creations
    from_points = min(unmade, paid_images)
    points = reservation.points // paid_images * from_points if paid_images else 0
    return points, unmade - from_points


@transaction.atomic
def ledger_adjust(*, account: Account, points: int, reason: str, by=None, kind: str = EntryKind.ADJUSTMENT,
                  trial_trainings: int = 0, trial_creations: int = 0) -> LedgerEntry:
    """A manual grant or correction by staff; the reason is required and kept in the ledger."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("A manual grant or adjustment needs a reason.")
    if kind not in (EntryKind.GRANT, EntryKind.ADJUSTMENT, EntryKind.REFUND):
        raise ValueError(f"Manual entries are grants, adjustments or refunds, not {kind!r}.")
    account = _locked(account_id=account.id)
    if account.available + points < 0 and not account.pay_as_you_go:
        raise ValueError(
            f"The account has {account.available} points; taking {-points} would overdraw it."
        )
    if account.trial_trainings + trial_trainings < 0 or account.trial_creations + trial_creations < 0:
        raise ValueError("Trial counts cannot go below zero.")
    account.available += points
    account.trial_trainings += trial_trainings
    account.trial_creations += trial_creations
    account.save(update_fields=["available", "trial_trainings", "trial_creations", "updated_at"])
    return LedgerEntry.objects.create(
        account=account, kind=kind, points=points, trial_trainings=trial_trainings,
        trial_creations=trial_creations, note=reason[:500], created_by=by,
        reference=f"manual:{account.id}:{uuid.uuid4().hex}",
    )


@transaction.atomic
def account_credit(*, account_id: int, kind: str, points: int, reference: str, note: str = "") -> bool:
    """Adds points under a unique reference (a purchase, an invoiced month); False if already done."""
    if LedgerEntry.objects.filter(reference=reference).exists():
        return False
    account = _locked(account_id=account_id)
    try:
        with transaction.atomic():
            LedgerEntry.objects.create(account=account, kind=kind, points=points, reference=reference, note=note)
    except IntegrityError:
        return False
    account.available += points
    account.save(update_fields=["available", "updated_at"])
    return True
