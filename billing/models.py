"""Billing data: each account's balance, its append-only ledger, job reservations, prices,
point packages and their Stripe checkouts, and the monthly statements of pay-as-you-go accounts."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Operation(models.TextChoices):
    TRAIN = "train", "training (per avatar)"
    CREATE_SOLO = "create_solo", "portrait (per image)"
    CREATE_PERSON = "create_person", "multi-person portrait (per person per image)"
    STYLIZE = "stylize", "stylization (per image)"
    IDPHOTO = "idphoto", "ID photo (per image)"
    CHECK = "check", "photo check"


class Account(models.Model):
    """The balance of one user, kept equal to the sums of its ledger under a row lock.

    ``available`` points can be spent; ``reserved`` are held by queued and running jobs. Trial
    counts are spent before points. A pay-as-you-go account may go below zero: it is billed monthly.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="billing_account")
    available = models.BigIntegerField(default=0)
    reserved = models.BigIntegerField(default=0)
    trial_trainings = models.IntegerField(default=0)
    trial_creations = models.IntegerField(default=0)
    pay_as_you_go = models.BooleanField(default=False)
    stripe_customer_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(available__gte=0) | Q(pay_as_you_go=True), name="account_no_overdraft_unless_payg"
            ),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="account_reserved_not_negative"),
            models.CheckConstraint(
                condition=Q(trial_trainings__gte=0) & Q(trial_creations__gte=0), name="account_trial_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"account of {self.user}"


class EntryKind(models.TextChoices):
    GRANT = "grant"
    PURCHASE = "purchase"
    RESERVE = "reserve"
    CAPTURE = "capture"
    RELEASE = "release"
    REFUND = "refund"
    ADJUSTMENT = "adjustment"
    INVOICE = "invoice"  # a pay-as-you-go month's debt moved onto an invoice


class LedgerEntry(models.Model):
    """One change of an account, never edited or deleted. Each column is a signed change:
    ``points`` of available points, ``reserved`` of reserved points, ``trial_*`` of trial counts.
    ``reference`` is unique, so that a repeated event (a webhook, a retried call) writes nothing."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(max_length=16, choices=EntryKind.choices)
    points = models.BigIntegerField(default=0)
    reserved = models.BigIntegerField(default=0)
    trial_trainings = models.IntegerField(default=0)
    trial_creations = models.IntegerField(default=0)
    reference = models.CharField(max_length=200, unique=True)
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="ledger_entries")
    note = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "ledger entries"

    def __str__(self) -> str:
        return f"{self.kind} {self.points:+d} ({self.reference})"


class ReservationState(models.TextChoices):
    RESERVED = "reserved"
    CAPTURED = "captured"
    RELEASED = "released"


class Reservation(models.Model):
    """What one job holds: made once at submit, settled once (captured or released), whatever
    the number of attempts. Prices are fixed here, so a later price change does not touch it."""

    job = models.OneToOneField("jobs.Job", on_delete=models.CASCADE, primary_key=True, related_name="reservation")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="reservations")
    operation = models.CharField(max_length=16, choices=Operation.choices)
    units = models.PositiveIntegerField()
    points = models.BigIntegerField()
    trial_trainings = models.PositiveIntegerField(default=0)
    trial_creations = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=16, choices=ReservationState.choices, default=ReservationState.RESERVED)
    created_at = models.DateTimeField(default=timezone.now)
    settled_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"job {self.job_id}: {self.points} points {self.state}"


class Price(models.Model):
    """The list price of one unit of an operation, in points (1 point = 1 cent at list price)."""

    operation = models.CharField(max_length=16, choices=Operation.choices, unique=True)
    points = models.PositiveIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["operation"]

    def __str__(self) -> str:
        return f"{self.operation}: {self.points} points"


class PointPackage(models.Model):
    """Prepaid points sold by a one-time Stripe Checkout payment."""

    name = models.CharField(max_length=100)
    points = models.PositiveIntegerField()
    price_cents = models.PositiveIntegerField()
    currency = models.CharField(max_length=3, default="usd")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["price_cents"]

    def __str__(self) -> str:
        return f"{self.name} ({self.points} points, {self.price_cents / 100:.2f} {self.currency.upper()})"


class CheckoutState(models.TextChoices):
    OPEN = "open"
    PAID = "paid"
    FAILED = "failed"


class Checkout(models.Model):
    """A Stripe Checkout session for a package; points are credited from the webhook only."""

    session_id = models.CharField(max_length=255, unique=True)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="checkouts")
    package = models.ForeignKey(PointPackage, null=True, on_delete=models.SET_NULL, related_name="+")
    points = models.PositiveIntegerField()
    amount_cents = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    state = models.CharField(max_length=16, choices=CheckoutState.choices, default=CheckoutState.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"checkout {self.session_id} ({self.state})"


class StripeEvent(models.Model):
    """Every Stripe event handled, by its id: a redelivered event is answered and ignored."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    session_id = models.CharField(max_length=255, blank=True)
    outcome = models.CharField(max_length=200, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class Statement(models.Model):
    """One month of a pay-as-you-go account, billed once (by a Stripe invoice when Stripe is on)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="statements")
    month = models.DateField()  # the first day of the month
    used_points = models.BigIntegerField()
    owed_points = models.BigIntegerField()
    amount_cents = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    stripe_invoice_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "month"], name="statement_once_per_month")]

    def __str__(self) -> str:
        return f"{self.account.user} {self.month:%Y-%m}: {self.owed_points} points owed"
