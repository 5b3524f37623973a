"""The catalog: styles (named presets of a kind: portrait templates, ID photo, stylization) and the
template images that portraits are made from, the catalog's own and customers' private ones."""
from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


def _template_path(template: "Template", filename: str) -> str:
    return f"templates/{uuid.uuid4().hex}{image_suffix(filename)}"


def image_suffix(filename: str) -> str:
    """The stored file's suffix: the upload's own when it is an image type, else .jpg."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return "." + (suffix if suffix in ("jpg", "jpeg", "png", "webp") else "jpg")


class StyleKind(models.TextChoices):
    TEMPLATE = "template", "Portrait"  # faces placed into the style's templates
    IDPHOTO = "idphoto", "ID photo"
    STYLIZE = "stylize", "Stylization"
    # Made from the customer's own best photo on a backdrop, no template (engine.headshot).
    HEADSHOT = "headshot", "Headshot"


class Gender(models.TextChoices):
    ANY = "any"
    FEMALE = "female"
    MALE = "male"


class Style(models.Model):
    key = models.SlugField(max_length=64, unique=True)
    title = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=16, choices=StyleKind.choices, default=StyleKind.TEMPLATE)
    gender = models.CharField(max_length=8, choices=Gender.choices, default=Gender.ANY)
    parameters = models.JSONField(default=dict, blank=True)  # create options for the engine
    preview = models.FileField(upload_to="styles/", blank=True)
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)
    # A template style without a template yet (no pack imported) is made by this headshot style
    # instead, so that e.g. DashScope's presets answer on a fresh install; the job says which made it.
    fallback = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        limit_choices_to={"kind": "headshot"},
        help_text="The headshot style that makes this template style while it has no template.",
    )

    class Meta:
        ordering = ["position", "key"]

    def __str__(self) -> str:
        return self.title


class Template(models.Model):
    """A template image with one or more faces. No owner: the catalog's; an owner: private."""

    style = models.ForeignKey(Style, null=True, blank=True, on_delete=models.SET_NULL, related_name="templates")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="templates"
    )
    title = models.CharField(max_length=100, blank=True)
    image = models.FileField(upload_to=_template_path)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    face_count = models.PositiveSmallIntegerField(default=1)
    # sha256 of the file's bytes: a pack import knows a catalog template it already has by it.
    digest = models.CharField(max_length=64, blank=True, db_index=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["style_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["style", "digest"],
                condition=models.Q(owner__isnull=True, style__isnull=False) & ~models.Q(digest=""),
                name="template_catalog_style_digest_unique",
            )
        ]

    def __str__(self) -> str:
        return self.title or f"template {self.id}"
