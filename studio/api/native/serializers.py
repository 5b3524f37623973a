"""What the native API answers: the product's rows with signed image URLs, never storage names."""
from __future__ import annotations

from datetime import datetime, tzinfo

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import ApiKey
from jobs.models import Job, JobState
from studio.catalog.models import Style, Template
from studio.lib.media_urls import MediaSigner
from studio.portraits.likeness import likeness_basis, likeness_of, portrait_likeness
from studio.portraits.models import Avatar, Portrait
from studio.portraits.services.jobs import job_avatar
from studio.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


def _signed(serializer: serializers.Serializer, name: str) -> str | None:
    if not name:
        return None
    # One signer for the whole answer (a list shares its root's context): see MediaSigner.
    context = serializer.context
    signer = context.get("media_signer")
    if signer is None:
        signer = context["media_signer"] = MediaSigner(request=context.get("request"))
    return signer.url(name)


class LikenessSerializer(serializers.Serializer):
    percent = serializers.IntegerField(
        help_text="Similarity 0-100 calibrated on the same-person threshold: distance 0 is 100, 0.6 (the "
                  "threshold) is 60, 1.0 and beyond is 0; linear in between.")
    step = serializers.IntegerField(help_text="1 (best) to 5: distance under 0.35, 0.45, 0.6, 0.75, else.")
    word = serializers.CharField(
        help_text="The step in words: great, good, fair, weak, unlike (basis avatar); very close, close, "
                  "recognisable, changed, lost (basis photo).")
    basis = serializers.ChoiceField(
        choices=["avatar", "photo"],
        help_text="avatar: likeness to the avatar. photo: a stylization measured against the photo it restyled, "
                  "how much of that face the style kept (not a likeness to anyone).")


def _likeness(distance: float | None, kind: str | None) -> dict | None:
    likeness = likeness_of(distance, basis=likeness_basis(kind))
    return likeness and likeness.as_dict()


class ImageSerializer(serializers.Serializer):
    url = serializers.URLField()
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    identity_distance = serializers.FloatField(
        allow_null=True, required=False,
        help_text="The engine's raw face-embedding distance to the avatar (lower is more alike; the same person "
                  "under 0.6). For a stylization: to the photo it restyled.")
    likeness = LikenessSerializer(allow_null=True, required=False)
    warnings = serializers.ListField(
        child=serializers.CharField(), required=False,
        help_text="What a customer should know about this portrait's fit (apparent age or gender far from the "
                  "avatar's: heuristics).")
    occluders = serializers.ListField(
        child=serializers.CharField(), required=False,
        help_text="What was found in front of a face, e.g. \"template:spectacles\" (kept in front of the new face) "
                  "or \"reference:hair\" (left out of it); sides template or reference, kinds spectacles, "
                  "sunglasses, hand, hair.")


class JobErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class CheckResultSerializer(serializers.Serializer):
    photo = serializers.IntegerField(help_text="The photo's id.")
    url = serializers.CharField(help_text="The URL it came from; empty for an upload.")
    code = serializers.IntegerField(help_text="1 when the photo passes.")
    message = serializers.CharField(required=False)
    frontal = serializers.BooleanField(required=False)
    reasons = serializers.ListField(
        child=serializers.CharField(), required=False,
        help_text="In plain words, why the photo fails, or, when it passes, how to do better (glasses, a hand "
                  "over the face, blur): such a photo is still used.")


class ComplianceCheckSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The rule, e.g. mouth_closed, head_yaw, background_plain.")
    value = serializers.FloatField(allow_null=True, help_text="What was measured on the finished photo.")
    limit = serializers.ListField(child=serializers.FloatField(allow_null=True),
                                  help_text="[lowest, highest] allowed; null: no bound that side.")
    passed = serializers.BooleanField()
    message = serializers.CharField(help_text="What was seen, in plain words, and how to fix it when it failed.")


class ComplianceSerializer(serializers.Serializer):
    compliant = serializers.BooleanField(help_text="Every check passed.")
    draft = serializers.BooleanField(help_text="Made on request although it may not comply.")
    checks = ComplianceCheckSerializer(many=True)


# The format and time zone of DRF's DateTimeField, as a ModelSerializer's would write them.
_MOMENT = serializers.DateTimeField()


def _moment(value: datetime, zone: tzinfo) -> str:
    """As DRF's DateTimeField writes ``value`` in ``zone`` (ISO 8601, "Z" for UTC)."""
    if value.tzinfo is None:  # only with USE_TZ off: DRF's own rules
        return _MOMENT.to_representation(value)
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class JobSerializer(serializers.ModelSerializer):
    avatar = serializers.SerializerMethodField(help_text="The model_id of the avatar the job is about, if any.")
    error = serializers.SerializerMethodField()
    images = serializers.SerializerMethodField()
    note = serializers.SerializerMethodField(
        help_text="Why fewer images than asked were made, e.g. \"3 of 4 made: the avatar has only 3 distinct "
                  "reference faces.\" (only those made are charged); empty otherwise.")
    check_results = serializers.SerializerMethodField()
    compliance = serializers.SerializerMethodField(
        help_text="ID photos: the compliance report of the (first) image, also of a photo refused for failing it.")

    class Meta:
        model = Job
        fields = ["id", "kind", "state", "progress", "avatar", "error", "images", "note", "check_results",
                  "compliance", "created_at", "started_at", "finished_at"]

    def to_representation(self, job: Job) -> dict:
        # By hand rather than DRF's walk over its fields: a page of 20 jobs spent about half of its
        # time in that walk (bench/api_profile.py --profile native_jobs). The fields declared above
        # still describe the document (the OpenAPI schema), and are not even built here (DRF copies
        # them for each list); tests/native/test_job_document.py holds this equal to DRF's own walk.
        return {
            "id": job.id, "kind": job.kind, "state": job.state, "progress": job.progress,
            "avatar": self.get_avatar(job), "error": self.get_error(job), "images": self.get_images(job),
            "note": self.get_note(job), "check_results": self.get_check_results(job),
            "compliance": self.get_compliance(job),
            **{name: _moment(value, self._zone()) if (value := getattr(job, name)) is not None else None
               for name in ("created_at", "started_at", "finished_at")},
        }

    def _zone(self) -> tzinfo:
        # The active time zone, looked up (an asgiref local) once per answer, not three times per job.
        context = self.context
        zone = context.get("time_zone")
        if zone is None:
            zone = context["time_zone"] = timezone.get_current_timezone()
        return zone

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_avatar(self, job: Job) -> str | None:
        avatar = job_avatar(job)
        return str(avatar.model_id) if avatar else None

    @extend_schema_field(JobErrorSerializer(allow_null=True))
    def get_error(self, job: Job) -> dict | None:
        return {"code": job.error_code, "message": job.error_message} if job.error_code else None

    @extend_schema_field(ImageSerializer(many=True))
    def get_images(self, job: Job) -> list[dict]:
        images = (job.result or {}).get("images") or []
        return [{"url": _signed(self, image["name"]), "width": image.get("width"), "height": image.get("height"),
                 "identity_distance": image.get("identity_distance"),
                 "likeness": _likeness(image.get("identity_distance"), job.kind), "warnings": image.get("warnings", []),
                 "occluders": image.get("occluders", [])} | self._idphoto(image)
                for image in images]

    def _idphoto(self, image: dict) -> dict:
        if "compliance" not in image:
            return {}
        upload = image.get("upload")
        return {"compliance": image["compliance"],
                "upload": upload and {"url": _signed(self, upload["name"]), "width": upload["width"],
                                      "height": upload["height"]}}

    @extend_schema_field(ComplianceSerializer(allow_null=True))
    def get_compliance(self, job: Job) -> dict | None:
        result = job.result or {}
        if "compliance" not in result:
            return None
        return result["compliance"] | {"draft": bool(result.get("draft"))}

    def get_note(self, job: Job) -> str:
        return (job.result or {}).get("note", "") if job.state == JobState.SUCCEEDED else ""

    @extend_schema_field(CheckResultSerializer(many=True, allow_null=True))
    def get_check_results(self, job: Job) -> list[dict] | None:
        return (job.result or {}).get("check_results")


class AvatarSerializer(serializers.ModelSerializer):
    class Meta:
        model = Avatar
        fields = ["model_id", "name", "status", "photos_used", "created_at", "trained_at", "last_used_at"]


class AvatarCreatedSerializer(serializers.Serializer):
    avatar = AvatarSerializer()
    job = JobSerializer()


class StyleSerializer(serializers.ModelSerializer):
    preview = serializers.SerializerMethodField()

    class Meta:
        model = Style
        fields = ["key", "title", "description", "kind", "gender", "parameters", "preview"]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_preview(self, style: Style) -> str | None:
        return _signed(self, style.preview.name)


class TemplateSerializer(serializers.ModelSerializer):
    style = serializers.SlugRelatedField(slug_field="key", read_only=True, allow_null=True)
    image = serializers.SerializerMethodField()
    private = serializers.SerializerMethodField()

    class Meta:
        model = Template
        fields = ["id", "title", "style", "face_count", "width", "height", "image", "private", "created_at"]

    @extend_schema_field(serializers.URLField())
    def get_image(self, template: Template) -> str | None:
        return _signed(self, template.image.name)

    def get_private(self, template: Template) -> bool:
        return template.owner_id is not None


class PortraitSerializer(serializers.ModelSerializer):
    avatars = serializers.SlugRelatedField(slug_field="model_id", many=True, read_only=True)
    style = serializers.SlugRelatedField(slug_field="key", read_only=True, allow_null=True)
    image = serializers.SerializerMethodField()
    favourite = serializers.BooleanField(source="is_favourite")
    likeness = serializers.SerializerMethodField()

    class Meta:
        model = Portrait
        fields = ["id", "job", "avatars", "style", "template", "image", "width", "height", "rank",
                  "identity_distance", "likeness", "warnings", "favourite", "created_at"]
        read_only_fields = [f for f in fields if f != "favourite"]

    @extend_schema_field(serializers.URLField())
    def get_image(self, portrait: Portrait) -> str | None:
        return _signed(self, portrait.image.name)

    @extend_schema_field(LikenessSerializer(allow_null=True))
    def get_likeness(self, portrait: Portrait) -> dict | None:
        likeness = portrait_likeness(portrait)
        return likeness and likeness.as_dict()


class ApiKeySerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiKey
        fields = ["id", "name", "prefix", "created_at", "last_used_at", "revoked_at"]


class ApiKeyCreatedSerializer(ApiKeySerializer):
    key = serializers.CharField(help_text="The key itself: shown this once only.")

    class Meta(ApiKeySerializer.Meta):
        fields = [*ApiKeySerializer.Meta.fields, "key"]


class CallbackSecretSerializer(serializers.Serializer):
    secret = serializers.CharField(help_text="whsec_…: verifies the Callback-Url deliveries (Standard Webhooks).")


class WebhookEndpointSerializer(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.CharField(), help_text="Event types; empty: every type.")

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "description", "events", "enabled", "disabled_reason", "failing_since", "created_at"]


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(help_text="whsec_…: the signing secret, shown this once only.")

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class WebhookSecretSerializer(serializers.Serializer):
    secret = serializers.CharField(help_text="whsec_…: the new signing secret, shown this once only; the "
                                             "previous one keeps signing next to it for 24 h.")


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["at", "status_code", "duration", "response_excerpt", "error"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    attempt_log = WebhookAttemptSerializer(many=True, read_only=True, help_text="Every attempt, oldest first.")

    class Meta:
        model = WebhookDelivery
        fields = ["id", "endpoint", "event_id", "type", "state", "attempts", "next_attempt_at", "last_error",
                  "redelivery_of", "created_at", "finished_at", "attempt_log"]
