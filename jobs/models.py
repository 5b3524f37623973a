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
        indexes = [
            models.Index(fields=["state", "lease_expires_at"], name="job_state_lease"),
            # An account's jobs newest first (the APIs' job lists, cursor-paginated on these keys):
            # read in index order, a page costs the same with 10 jobs or 100,000.
            models.Index(fields=["owner", "-created_at", "-id"], name="job_owner_newest"),
        ]

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
