"""The job: one asynchronous unit of work (check, train, create, stylize) and its state machine."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class JobKind(models.TextChoices):
    CHECK = "check"
    TRAIN = "train"
    CREATE = "create"
    STYLIZE = "stylize"
    IDPHOTO = "idphoto"


class JobState(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"


FINAL_STATES = (JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELED)


def _default_max_attempts() -> int:
    return settings.STUDIO_JOB_MAX_ATTEMPTS


class Job(models.Model):
    # A plain 32-bit id: the PAI SDKs read job ids as int32 (Go, Java).
    id = models.AutoField(primary_key=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(max_length=16, choices=JobKind.choices)
    state = models.CharField(max_length=16, choices=JobState.choices, default=JobState.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    # Recorded for the queue; django-q2 has no priorities, so it does not reorder work yet.
    priority = models.SmallIntegerField(default=0)
    # attempts only ever grows: it fences a running job against workers of earlier attempts.
    attempts = models.PositiveSmallIntegerField(default=0)
    # The reaper gives up once attempts reaches this; an admin's retry raises it.
    max_attempts = models.PositiveSmallIntegerField(default=_default_max_attempts)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # Where the request came from (pai, dashscope, api, web) and with which credential, for the
    # wire formats that echo them.
    source = models.CharField(max_length=16, default="web")
    app_id = models.CharField(max_length=32, blank=True)
    idempotency_key = models.CharField(max_length=200, null=True, blank=True)
    avatar = models.ForeignKey(
        "studio.Avatar", null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    input = models.JSONField(default=dict, blank=True)
    result = models.JSONField(null=True, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.TextField(blank=True)
    cost_time = models.FloatField(null=True, blank=True)  # seconds of engine work
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "idempotency_key"], name="job_idempotency_key_per_owner"),
        ]
        indexes = [models.Index(fields=["state", "lease_expires_at"], name="job_state_lease")]

    def __str__(self) -> str:
        return f"{self.kind} job {self.id} ({self.state})"

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES


class WorkerHeartbeat(models.Model):
    """The latest proof that one running qcluster (an instance of a cluster) executes work: written
    by its workers as tasks start, run and end (jobs.heartbeat). A silent instance is wedged or gone."""

    # host:pid of its watchdog and a start count, or host:pid of its django-q2 sentinel without one.
    instance = models.CharField(max_length=200, unique=True)
    cluster = models.CharField(max_length=100)  # the django-q2 queue it takes tasks from
    host = models.CharField(max_length=255)
    started_at = models.DateTimeField(default=timezone.now)  # its first beat
    beat_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["cluster", "-beat_at"]

    def __str__(self) -> str:
        return f"{self.cluster} on {self.instance}: {self.beat_at:%Y-%m-%d %H:%M:%S}"


# Outbound webhooks (jobs.webhooks): endpoints, the deliveries of each event and every attempt.


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

    job = models.OneToOneField(Job, on_delete=models.CASCADE, related_name="webhook_callback")
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
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="webhook_deliveries")
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
