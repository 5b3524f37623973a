"""A pluggable moderation hook on photos and templates, called before any work starts.

STUDIO_MODERATION_HOOK names a function ``(kind: "photo" | "template", content: bytes) -> None`` that
raises ``Refused`` with a message for the customer. The default lets everything through; ``refuse_blank``
is an example check.
"""
from __future__ import annotations

import io
from typing import Literal

from django.conf import settings
from django.utils.module_loading import import_string
from PIL import Image, ImageStat, UnidentifiedImageError

Kind = Literal["photo", "template"]
MAX_ASPECT = 4.0  # longer side over shorter: no selfie or template is a banner
MIN_STDDEV = 4.0  # grey-level standard deviation under which an image is blank (one colour, lens cap)


class Refused(Exception):
    """The content may not be used; ``code`` for the wire formats, ``message`` for the customer."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def moderation_check(*, kind: Kind, content: bytes) -> None:
    """Runs the configured hook; raises Refused when it refuses the content."""
    import_string(settings.STUDIO_MODERATION_HOOK)(kind, content)


def moderation_allow_all(kind: Kind, content: bytes) -> None:
    return None


def refuse_blank(kind: Kind, content: bytes) -> None:
    """Example: refuses nearly uniform images and absurd aspect ratios. Undecodable content is left to
    the check, which explains decoding errors better."""
    try:
        image = Image.open(io.BytesIO(content))
        width, height = image.size
        if max(width, height) > MAX_ASPECT * max(1, min(width, height)):
            raise Refused("moderation_aspect", f"The {kind} is {width}x{height}: too long and thin to be used.")
        image.draft("L", (256, 256))  # JPEGs decode at a fraction of their size: the check stays fast
        grey = image.convert("L")
        grey.thumbnail((256, 256))
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        return
    if ImageStat.Stat(grey).stddev[0] < MIN_STDDEV:
        raise Refused("moderation_blank", f"The {kind} is nearly uniform (blank); give a real image.")
