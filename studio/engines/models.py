"""Engine endpoints as the front knows them: the environment's (STUDIO_REMOTE_ENDPOINTS, recorded here
when first used, their token left in the environment) and the admin's (token kept encrypted)."""
from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils import timezone

# Failures in a row after which an endpoint counts as unhealthy (as its breaker in each process opens).
UNHEALTHY_AFTER = 3
RECENT_ERRORS = 10
# Longer than any request (a training is polled, each poll a request): older rows are a killed worker's.
WORK_FORGOTTEN_AFTER = timedelta(hours=1)


class EngineEndpoint(models.Model):
    base_url = models.CharField("URL", max_length=300, unique=True,
                                help_text="http(s)://host:port of the engine studio, without credentials.")
    app_id = models.CharField("AppId", max_length=100, blank=True)
    token_encrypted = models.TextField(blank=True, editable=False)
    from_environment = models.BooleanField(default=False, editable=False)
    enabled = models.BooleanField(default=True, help_text="Switched off: no new work goes there.")
    failures = models.PositiveIntegerField(default=0, editable=False)  # in a row
    last_ok_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_failure_at = models.DateTimeField(null=True, blank=True, editable=False)
    recent_errors = models.JSONField(default=list, blank=True, editable=False)  # [{"at", "message"}], newest first
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["base_url"]

    def __str__(self) -> str:
        return self.base_url

    @property
    def healthy(self) -> bool:
        return self.failures < UNHEALTHY_AFTER


class EndpointWork(models.Model):
    """One request in flight on an endpoint: a row, not a counter, so that a worker killed mid-call
    leaves a row that ages out (WORK_FORGOTTEN_AFTER) instead of a count that stays high for ever."""

    endpoint = models.CharField(max_length=300, db_index=True)
    started_at = models.DateTimeField(default=timezone.now, db_index=True)


class AvatarRoute(models.Model):
    """An avatar trained again on another endpoint after its own was lost: its artifact still names the first."""

    endpoint = models.CharField(max_length=300)
    model_id = models.CharField(max_length=100)
    moved_endpoint = models.CharField(max_length=300)
    moved_model_id = models.CharField(max_length=100)
    moved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["endpoint", "model_id"], name="avatar_route_once")]
