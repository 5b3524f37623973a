"""A pluggable moderation hook on photos and templates, called before any work starts.

STUDIO_MODERATION_HOOK names a function ``(kind: "photo" | "template", content: bytes) -> None`` that
raises ``Refused`` with a message for the customer. The default lets everything through; ``refuse_blank``
is an example check.
"""
from __future__ import annotations

from typing import Literal

from django.conf import settings
from django.utils.module_loading import import_string

from engine import imaging
from engine.errors import EngineError

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
    """Example: refuses nearly uniform images and absurd aspect ratios. Content the engine cannot
    decode is left to intake, which refuses it with each API's own decode error."""
    try:
        info = imaging.inspect(content)
        if max(info.width, info.height) > MAX_ASPECT * max(1, min(info.width, info.height)):
            raise Refused("moderation_aspect", f"The {kind} is {info.width}x{info.height}: too long and thin to be used.")
        # Small: JPEGs decode at a fraction of their size, so the check stays fast on any photo.
        grey = imaging.decode(content, max_side=256).rgb.mean(axis=2)
    except EngineError:
        return
    if float(grey.std()) < MIN_STDDEV:
        raise Refused("moderation_blank", f"The {kind} is nearly uniform (blank); give a real image.")
