"""Portrait stylization: a preset style by index, or a custom style from a reference image, at
the seeds' output size (short side 1536 px), with the face's identity distance reported."""
from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from .. import imaging
from ..errors import EngineError, ErrorCode
from ..faces import kept_distance
from ..options import CUSTOM_STYLE_INDEX
from .presets import PRESETS
from .reference import reference_style

OUTPUT_SHORT_SIDE = 1536
# Styles run at about 1 MP and are scaled up: their strokes are coarser than a pixel anyway, and
# it keeps a stylization inside the 1 s budget on a laptop CPU.
WORKING_SHORT_SIDE = 1024
# A panorama keeps its shape up to here (4:1 at a 1536 px short side is 9.4 MP).
MAX_PIXELS = 12_000_000


@dataclass(frozen=True)
class Stylized:
    image: np.ndarray  # RGB uint8, short side OUTPUT_SHORT_SIDE
    identity_distance: float | None  # largest face, input vs output; None where no face
    style_key: str


def stylize(
    image: bytes | np.ndarray,
    *,
    style_index: int | None = None,
    reference: bytes | np.ndarray | None = None,
) -> Stylized:
    if reference is None and style_index is None:
        raise EngineError(ErrorCode.INVALID_OPTION, "Give a style index or a reference image.")
    if style_index is not None and style_index != CUSTOM_STYLE_INDEX and reference is not None:
        raise EngineError(ErrorCode.INVALID_OPTION, "A reference image goes with style index -1 only.")
    if reference is None and not 0 <= style_index < len(PRESETS):
        raise EngineError(
            ErrorCode.INVALID_OPTION,
            f"Unknown style index {style_index}; use 0-{len(PRESETS) - 1}, or -1 with a reference image.",
        )
    rgb = _rgb(image)
    # Small photos are scaled up first so every style's strokes have the same size in the output.
    working = _resize_short_side(rgb, WORKING_SHORT_SIDE)
    if reference is not None:
        styled, key = reference_style(working, _rgb(reference)), "custom"
    else:
        preset = PRESETS[style_index]
        styled, key = preset.apply(working), preset.key
    output = _resize_short_side(styled, OUTPUT_SHORT_SIDE)
    return Stylized(image=output, identity_distance=kept_distance(working, styled), style_key=key)


def _rgb(image: bytes | np.ndarray) -> np.ndarray:
    if isinstance(image, (bytes, bytearray)):
        return imaging.decode(bytes(image)).rgb
    array = np.asarray(image)
    if array.dtype != np.uint8 or array.ndim != 3 or array.shape[2] != 3:
        raise EngineError(ErrorCode.IMAGE_DECODE, "Expected an RGB uint8 image (H x W x 3).")
    return array


def _resize_short_side(rgb: np.ndarray, short_side: int) -> np.ndarray:
    """The short side at ``short_side``, but never more than MAX_PIXELS in all: a long strip's
    short side scaled up would otherwise ask for gigabytes (decode refuses the worst shapes too)."""
    height, width = rgb.shape[:2]
    scale = min(short_side / min(height, width), math.sqrt(MAX_PIXELS / (height * width)))
    if scale == 1:
        return rgb
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
