"""Resized copies of stored images (thumbnails of portraits and photos), made once on first request
and kept in storage: renditions/<the image's storage name>-<width>.webp."""
from __future__ import annotations

import posixpath

import numpy as np
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from engine import imaging

# Widths a page may ask for: a gallery card is ~200 CSS px wide, so 320 covers 1.5x screens and 640
# 3x phones. A fixed list keeps storage bounded (no width per request).
WIDTHS = (320, 640)
FOLDER = "renditions"
QUALITY = 78  # WebP: about 15 kB at 320 px for a portrait, where the full JPEG is ~400 kB


def rendition_name(*, name: str, width: int) -> str:
    return f"{FOLDER}/{posixpath.splitext(name)[0]}-{width}.webp"


def rendition_get(*, name: str, width: int) -> str:
    """The storage name of the ``width`` px wide WebP copy of the stored image ``name``, made now if
    it was not yet (FileNotFoundError when the image is gone; EngineError when it does not decode)."""
    if width not in WIDTHS:
        raise ValueError(f"width {width} is not one of {WIDTHS}")
    target = rendition_name(name=name, width=width)
    if default_storage.exists(target):
        return target
    if not default_storage.exists(name):  # S3 files open lazily: ask first, for one answer on every storage
        raise FileNotFoundError(name)
    with default_storage.open(name, "rb") as source:
        data = source.read()
    # Portraits and selfies are mostly taller than wide: twice the width on the long side leaves enough to resample from.
    rgb = imaging.decode(data, max_side=2 * width).rgb
    image = Image.fromarray(rgb)
    if image.width > width:
        image = image.resize((width, max(1, round(image.height * width / image.width))), Image.Resampling.LANCZOS)
    saved = default_storage.save(target, ContentFile(imaging.encode(np.asarray(image), format="WEBP", quality=QUALITY)))
    if saved != target:  # another request made it at the same moment; keep one copy
        default_storage.delete(saved)
    return target


def renditions_delete(*, name: str) -> None:
    """Every rendition of the stored image ``name`` (called where the image itself is deleted)."""
    for width in WIDTHS:
        default_storage.delete(rendition_name(name=name, width=width))
