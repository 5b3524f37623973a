"""Portrait stylization: eight preset styles by index, or a custom style from a reference image;
and the cartoon look of the portrait option ``style_name: "Anime"``."""
from __future__ import annotations

import cv2
import numpy as np

from ..options import preset_list
from .presets import PRESETS, Preset, anime
from .stylize import CUSTOM_STYLE_INDEX, WORKING_SHORT_SIDE, Stylized, stylize

__all__ = ["CUSTOM_STYLE_INDEX", "PRESETS", "Preset", "Stylized", "anime_look", "preset_list", "stylize"]


def anime_look(rgb: np.ndarray) -> np.ndarray:
    """The Anime look at the image's own size. It is drawn at the presets' working size, so its
    lines and flat areas have the same weight whatever the template's size."""
    height, width = rgb.shape[:2]
    scale = WORKING_SHORT_SIDE / min(height, width)
    working = cv2.resize(rgb, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA)
    return cv2.resize(anime(working), (width, height), interpolation=cv2.INTER_AREA if scale > 1 else cv2.INTER_CUBIC)
