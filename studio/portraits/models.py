"""Avatars and their photos, and the portraits made of them (the gallery)."""
from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from studio.catalog.models import Style, Template, image_suffix


def _photo_path(photo: "Photo", filename: str) -> str:
    return f"photos/{photo.owner_id}/{uuid.uuid4().hex}{image_suffix(filename)}"


def _portrait_path(portrait: "Portrait", filename: str) -> str:
    return f"portraits/{portrait.owner_id}/{uuid.uuid4().hex}{image_suffix(filename)}"


class AvatarStatus(models.TextChoices):
    TRAINING = "training"
    READY = "ready"
    FAILED = "failed"


class Avatar(models.Model):
    """The trained identity of one person; ``model_id`` is its public id on every API."""

    model_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="avatars")
    name = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=16, choices=AvatarStatus.choices, default=AvatarStatus.TRAINING)
    backend = models.CharField(max_length=32, default="classic")
    # Storage prefix of the engine's artifact (a folder of files with their checksums).
    artifact = models.CharField(max_length=255, blank=True)
    photos_used = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    trained_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name or str(self.model_id)

    @property
    def is_ready(self) -> bool:
        return self.status == AvatarStatus.READY


class AvatarJob(models.Model):
    """The avatar a job trains or works from. The product keeps this link, so that jobs know nothing
    of avatars; it is made in the transaction that submits the job (services.jobs.avatar_job_submit)."""

    job = models.OneToOneField("jobs.Job", on_delete=models.CASCADE, primary_key=True, related_name="avatar_link")
    avatar = models.ForeignKey(Avatar, on_delete=models.CASCADE, related_name="job_links")

    def __str__(self) -> str:
        return f"job {self.job_id} of avatar {self.avatar_id}"


class PhotoOrigin(models.TextChoices):
    """Where a photo came in: only the website's new-avatar page keeps photos waiting for a training."""

    WEBSITE = "website", "New-avatar page"
    TRAIN_FREE = "train_free", "Train-free creation"
    API = "api", "API"


class Photo(models.Model):
    """A selfie given for training, with the verdict of its check.

    Image files are FileFields with their size written at intake (engine.imaging.inspect): an
    ImageField whose size is missing decodes the stored file whenever the row is loaded, so one
    hostile file would break every page and sweep that loads its row."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="photos")
    avatar = models.ForeignKey(Avatar, null=True, blank=True, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to=_photo_path)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    origin = models.CharField(max_length=16, choices=PhotoOrigin.choices, default=PhotoOrigin.API)
    source_url = models.TextField(blank=True)  # as the partner gave it; data: URLs are not kept
    position = models.PositiveSmallIntegerField(default=0)  # order in the request
    check_result = models.JSONField(null=True, blank=True)  # engine.check PhotoCheck.as_dict()
    # The photo the avatar's reference face came from: ID photos of an avatar are made from it.
    is_reference = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["avatar_id", "position", "id"]

    def __str__(self) -> str:
        return f"photo {self.id}"

    @property
    def passed(self) -> bool | None:
        return None if self.check_result is None else self.check_result.get("code") == 1


class Portrait(models.Model):
    """One generated image, in its owner's gallery."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portraits")
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="portraits")
    avatars = models.ManyToManyField(Avatar, related_name="portraits", blank=True)
    template = models.ForeignKey(Template, null=True, blank=True, on_delete=models.SET_NULL, related_name="portraits")
    style = models.ForeignKey(Style, null=True, blank=True, on_delete=models.SET_NULL, related_name="portraits")
    image = models.FileField(upload_to=_portrait_path)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    rank = models.PositiveSmallIntegerField(default=0)  # 0 = most like the avatar within its job
    # Mean face-embedding distance to the avatars (lower is more alike; same person under ~0.6).
    identity_distance = models.FloatField(null=True, blank=True)
    # What the engine warned about this portrait's fit (engine.fit: apparent age or gender far from
    # the avatar's; heuristics), shown with it in the gallery and the APIs.
    warnings = models.JSONField(default=list, blank=True)
    is_favourite = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "rank"]

    def __str__(self) -> str:
        return f"portrait {self.id}"
