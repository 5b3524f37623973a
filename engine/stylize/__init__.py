"""Portrait stylization: eight preset styles by index, or a custom style from a reference image."""
from __future__ import annotations

from .presets import PRESETS, Preset
from .stylize import CUSTOM_STYLE_INDEX, Stylized, stylize

__all__ = ["CUSTOM_STYLE_INDEX", "PRESETS", "Preset", "Stylized", "preset_list", "stylize"]


def preset_list() -> list[dict]:
    return [{"index": preset.index, "key": preset.key, "title": preset.title} for preset in PRESETS]
