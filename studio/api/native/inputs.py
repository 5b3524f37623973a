"""What the native API accepts: request bodies, validated before any work is queued."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from studio.webhooks.services import EVENT_TYPES

from .base import image_upload_field, url_list_field

MAX_CHECK_PHOTOS = 50
MAX_AVATAR_PHOTOS = 20
MAX_TRAIN_FREE_PHOTOS = 5


def _one_to(limit: int, attrs: dict, *names: str) -> None:
    count = sum(len(attrs.get(name) or []) for name in names)
    if not 1 <= count <= limit:
        raise serializers.ValidationError(
            {names[0]: [f"Give 1 to {limit} photos in {' and '.join(names)} together ({count} given)."]}
        )


class PhotoCheckInput(serializers.Serializer):
    photos = serializers.ListField(child=image_upload_field(), required=False, default=list,
                                   help_text="Photo files (multipart).")
    urls = url_list_field(help_text="Photo URLs (http, https or data:; the outbound limits apply).")
    same_person = serializers.BooleanField(default=True, help_text="Also check that all show one person.")

    def validate(self, attrs):
        _one_to(MAX_CHECK_PHOTOS, attrs, "photos", "urls")
        return attrs


class AvatarInput(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    photos = serializers.ListField(child=image_upload_field(), required=False, default=list,
                                   help_text="5-20 selfies of one person (multipart).")
    urls = url_list_field(help_text="Selfie URLs.")

    def validate(self, attrs):
        _one_to(MAX_AVATAR_PHOTOS, attrs, "photos", "urls")
        return attrs


class PortraitInput(serializers.Serializer):
    style = serializers.SlugField(required=False, help_text="A template style's key: one of its templates is used.")
    template = serializers.IntegerField(required=False, min_value=1, help_text="A template's id (catalog or own).")
    template_file = image_upload_field(required=False, help_text="A template image of your own (multipart).")
    template_url = serializers.CharField(required=False, help_text="A template image's URL.")
    avatars = serializers.ListField(child=serializers.UUIDField(), required=False, default=list,
                                    help_text="Avatars' model_ids, one per face of the template, left to right.")
    photos = serializers.ListField(child=image_upload_field(), required=False, default=list,
                                   help_text="Train-free: 1-5 photos of the person instead of avatars.")
    photo_urls = url_list_field(help_text="Train-free: photo URLs.")
    n = serializers.IntegerField(min_value=1, max_value=4, default=1, help_text="How many portraits.")
    options = serializers.JSONField(required=False, default=dict, help_text="Create options (engine.options).")

    def validate_options(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError("options must be an object.")
        return value

    def validate(self, attrs):
        given = [name for name in ("template", "template_file", "template_url") if attrs.get(name)]
        if len(given) > 1:
            raise serializers.ValidationError({given[1]: ["Give one of template, template_file or template_url."]})
        if not given and not attrs.get("style"):
            raise serializers.ValidationError({"style": ["Give a style, a template, template_file or template_url."]})
        train_free = bool(attrs["photos"] or attrs["photo_urls"])
        if train_free == bool(attrs["avatars"]):
            raise serializers.ValidationError({"avatars": ["Give either avatars or photos (train-free), not both."]})
        if train_free:
            _one_to(MAX_TRAIN_FREE_PHOTOS, attrs, "photos", "photo_urls")
        return attrs


class StylizationInput(serializers.Serializer):
    image = image_upload_field(required=False, help_text="The portrait to restyle (multipart).")
    image_url = serializers.CharField(required=False)
    style_index = serializers.IntegerField(min_value=-1, help_text="A preset's index, or -1 for a reference's style.")
    reference = image_upload_field(required=False, help_text="The style reference for style_index -1.")
    reference_url = serializers.CharField(required=False)

    def validate(self, attrs):
        if bool(attrs.get("image")) == bool(attrs.get("image_url")):
            raise serializers.ValidationError({"image": ["Give exactly one of image or image_url."]})
        if attrs.get("reference") and attrs.get("reference_url"):
            raise serializers.ValidationError({"reference": ["Give reference or reference_url, not both."]})
        return attrs


@extend_schema_field({"oneOf": [{"type": "boolean"}, {"type": "string", "enum": ["6x4", "a6"]}]})
class SheetField(serializers.Field):
    """false / true (a 6x4 in sheet, as before) or a paper: 6x4, a6."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        text = str(data).strip().lower()
        if text in ("", "false", "0", "no", "none"):
            return False
        if text in ("true", "1", "yes"):
            return True
        if text in ("6x4", "a6"):
            return text
        raise serializers.ValidationError("Give true, false, 6x4 or a6.")

    def to_representation(self, value):
        return value


class IdPhotoInput(serializers.Serializer):
    photo = image_upload_field(required=False, help_text="A photo of the person (multipart).")
    photo_url = serializers.CharField(required=False)
    avatar = serializers.UUIDField(required=False, help_text="Or an avatar's model_id: its most compliant photo is used.")
    size = serializers.CharField(max_length=32, default="1inch", help_text="1inch, 2inch, passport, us or WxH mm.")
    background = serializers.CharField(max_length=32, default="white", help_text="A colour name or #rrggbb.")
    sheet = SheetField(default=False, help_text="A print sheet of copies: true or 6x4 (6x4 in), a6; false for none.")
    draft = serializers.BooleanField(
        default=False, help_text="Make it even if it fails a check, marked not compliant; else such a photo is refused.")

    def validate(self, attrs):
        if sum(bool(attrs.get(name)) for name in ("photo", "photo_url", "avatar")) != 1:
            raise serializers.ValidationError({"photo": ["Give exactly one of photo, photo_url or avatar."]})
        return attrs


class TemplateInput(serializers.Serializer):
    image = image_upload_field(help_text="The template image (multipart).")
    title = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    face_count = serializers.IntegerField(min_value=1, max_value=8, default=1,
                                          help_text="The number of faces the image must have.")


class ApiKeyInput(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)


class PortraitPatchInput(serializers.Serializer):
    favourite = serializers.BooleanField()


class PortraitFilter(serializers.Serializer):
    avatar = serializers.UUIDField(required=False)
    style = serializers.SlugField(required=False)
    favourite = serializers.BooleanField(required=False, allow_null=True, default=None)


class JobFilter(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["check", "train", "create", "stylize", "idphoto"], required=False)
    state = serializers.ChoiceField(choices=["queued", "running", "succeeded", "failed", "canceled"], required=False)


class StyleFilter(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["template", "idphoto", "stylize"], required=False)
    gender = serializers.ChoiceField(choices=["any", "female", "male"], required=False)


class TemplateFilter(serializers.Serializer):
    style = serializers.SlugField(required=False)


def _event_list_field(**kwargs) -> serializers.ListField:
    return serializers.ListField(child=serializers.ChoiceField(choices=EVENT_TYPES), max_length=len(EVENT_TYPES),
                                 help_text="Event types to receive; empty: every type.", **kwargs)


class WebhookEndpointInput(serializers.Serializer):
    url = serializers.CharField(max_length=2000, help_text="A public http(s) URL; private addresses are refused.")
    events = _event_list_field(required=False, default=list)
    description = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class WebhookEndpointPatchInput(serializers.Serializer):
    url = serializers.CharField(max_length=2000, required=False)
    events = _event_list_field(required=False)
    enabled = serializers.BooleanField(required=False)
