"""Typed errors of the engine.

Every failure the engine reports is an ``EngineError`` with a stable ``code``; each API family
maps these codes to its own wire format in one place on the Django side.
"""
from __future__ import annotations

from enum import Enum

# The seeds' messages for a template that cannot be used (PAI clients match on them).
TEMPLATE_DECODE_MESSAGE = "Template image decode error. Provide a new template"
TEMPLATE_NO_FACE_MESSAGE = "There is not face in template. Please Give a new template."
FACE_COUNT_MESSAGE = "Please confirm if the number of faces in the template corresponds to the user ID."


class ErrorCode(str, Enum):
    IMAGE_DECODE = "image_decode"  # not an image, corrupt, or an unsupported format
    IMAGE_TOO_LARGE = "image_too_large"  # byte size or pixel count over the limits (bombs)
    IMAGE_TOO_SMALL = "image_too_small"
    IMAGE_SHAPE = "image_shape"  # an aspect ratio no photo of a person has (a memory trap)
    NO_FACE = "no_face"
    FACE_COUNT = "face_count"  # template faces do not match the number of avatars
    NO_USABLE_PHOTO = "no_usable_photo"  # "all images are invalid"
    TOO_FEW_PHOTOS = "too_few_photos"
    TOO_MANY_PHOTOS = "too_many_photos"
    TEMPLATE_DECODE = "template_decode"
    TEMPLATE_NO_FACE = "template_no_face"
    INVALID_OPTION = "invalid_option"
    UNSUPPORTED_OPTION = "unsupported_option"  # valid, but needs another backend
    AVATAR_INVALID = "avatar_invalid"  # corrupted, foreign or from a newer format
    AVATAR_NOT_FOUND = "avatar_not_found"
    MODEL_MISSING = "model_missing"  # diffusion weights not fetched or not verified (manage.py models fetch)
    INTERNAL = "internal"


class EngineError(Exception):
    """An error with a code the APIs can map, and a message a person can read."""

    def __init__(self, code: ErrorCode, message: str):
        super().__init__(message)
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"EngineError({self.code.value!r}, {self.message!r})"
