"""Images made in tests, encoded as a client would send them (no file on disk, no download)."""
from __future__ import annotations

import io

import numpy as np
from PIL import Image


def encoded(pixels: np.ndarray, fmt: str = "JPEG", **save) -> bytes:
    """RGB uint8 pixels as a file's bytes: JPEG (quality 92 unless given) or another PIL format."""
    if fmt == "JPEG":
        save.setdefault("quality", 92)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, fmt, **save)
    return buffer.getvalue()


def plain(colour: tuple[int, int, int] = (200, 160, 140), size: tuple[int, int] = (64, 64), fmt: str = "JPEG",
          **save) -> bytes:
    """A plain-coloured image of ``size`` (width, height): a stand-in where no face analysis runs."""
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, fmt, **save)
    return buffer.getvalue()
