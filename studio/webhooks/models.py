"""Outbound webhooks: customers' endpoints and signing secrets, per-request callbacks, the deliveries
of each event and every attempt. Events come from jobs (through the product) and from billing."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class WebhookEventType(models.TextChoices):
    AVATAR_TRAINED = "avatar.trained"
    AVATAR_FAILED = "avatar.failed"
    PORTRAIT_CREATED = "portrait.created"
    STYLIZATION_CREATED = "stylization.created"
    JOB_FAILED = "job.failed"
    BALANCE_LOW = "balance.low"
    TEST = "webhook.test"  # sent by "send a test event" only, whatever an endpoint subscribes to


class SigningSecrets(models.Model):
    """A Standard Webhooks secret (``whsec_...``) kept encrypted, since signing needs it; after a
    rotation the previous one keeps signing too until ``previous_secret_expires_at``."""

    secret_encrypted = models.TextField()
    previous_secret_encrypted = models.TextField(blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class WebhookEndpoint(SigningSecrets):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(default=list, blank=True)  # event types; empty: every type
    enabled = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=200, blank=True)
    # The first failed attempt since the last success: an endpoint failing for days is disabled.
    failing_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.url

    def wants(self, event_type: str) -> bool:
        return not self.events or event_type in self.events


class WebhookCallbackSecret(SigningSecrets):
    """The secret that signs an account's per-request callbacks (one per account)."""

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_callback_secret"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"callback secret of {self.owner}"


class WebhookCallback(models.Model):
    """A callback URL given with one request: the job's events go there too."""

    job = models.OneToOneField("jobs.Job", on_delete=models.CASCADE, related_name="webhook_callback")
    url = models.URLField(max_length=2000)

    def __str__(self) -> str:
        return f"callback of job {self.job_id}"


class DeliveryState(models.TextChoices):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # every retry of the schedule failed
    ABANDONED = "abandoned"  # the endpoint answered 410, or was disabled or deleted meanwhile


class WebhookDelivery(models.Model):
    """One event for one target: a registered endpoint, or (endpoint empty) a job's callback URL."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_deliveries")
    endpoint = models.ForeignKey(
        WebhookEndpoint, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    url = models.URLField(max_length=2000, blank=True)  # the callback URL; an endpoint's own URL is read at send
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="webhook_deliveries")
    event_id = models.CharField(max_length=64, db_index=True)  # webhook-id: the same for every target and resend
    type = models.CharField(max_length=64)
    payload = models.JSONField()  # {type, timestamp, data}; media names become signed URLs at each send
    # Unique per (event, target) for the original delivery, so an event is never queued twice;
    # empty for manual redeliveries.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    redelivery_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)  # also fences concurrent senders
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="webhook_delivery_due")]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id} ({self.state})"


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(default=timezone.now)
    url = models.URLField(max_length=2000)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration = models.FloatField(null=True, blank=True)  # seconds
    response_excerpt = models.TextField(blank=True)
    error = models.CharField(max_length=500, blank=True)  # refused or unreachable: no status

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"attempt at {self.at:%Y-%m-%d %H:%M:%S}: {self.status_code or self.error}"
