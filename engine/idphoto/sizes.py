"""ID photo sizes at 300 dpi and where each rule puts the head.

Fractions are of the photo's height: the head (chin to crown), the space above the crown, and for
rules that fix it, the eye line measured from the top.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import EngineError, ErrorCode

DPI = 300
MM_PER_INCH = 25.4


@dataclass(frozen=True)
class IdPhotoSpec:
    key: str
    title: str
    width_px: int
    height_px: int
    head_min: float  # head height (chin to crown) as a fraction of the photo height
    head_max: float
    top_min: float  # space above the crown, fraction of the height
    top_max: float
    eye_line: tuple[float, float] | None = None  # eye line from the top, fraction of the height
    dpi: int = DPI

    @property
    def head_target(self) -> float:
        return (self.head_min + self.head_max) / 2


def _px(mm: float) -> int:
    return round(mm / MM_PER_INCH * DPI)


# Chinese 1- and 2-inch photos: the head is about 2/3 of the height (GA 461 asks 2/3 to 3/4 for
# ID cards; studios print a little under). Passport (ICAO 9303): head 32-36 mm of 45 mm, 3-5 mm
# above the crown. US (travel.state.gov): head 1 to 1 3/8 in of 2 in, eyes 1 1/8 to 1 3/8 in
# from the bottom.
SIZES: dict[str, IdPhotoSpec] = {
    "1inch": IdPhotoSpec("1inch", "1 inch (25x35 mm)", 295, 413, 0.62, 0.72, 0.06, 0.12),
    "2inch": IdPhotoSpec("2inch", "2 inch (35x49 mm)", 413, 579, 0.62, 0.72, 0.06, 0.12),
    "passport": IdPhotoSpec("passport", "Passport (35x45 mm)", 413, 531, 32 / 45, 36 / 45, 3 / 45, 5 / 45),
    "us": IdPhotoSpec(
        "us", "US 2x2 in", 600, 600, 1 / 2, 11 / 16, 0.04, 0.20, eye_line=(1 - 11 / 16, 1 - 9 / 16)
    ),
}

_CUSTOM = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*[xX]\s*(\d+(?:\.\d+)?)\s*mm\s*$")


def spec_for(size: str) -> IdPhotoSpec:
    """The spec for a standard size key or a custom ``WxHmm`` (head about 0.7 of the height)."""
    key = size.strip().lower()
    if key in SIZES:
        return SIZES[key]
    match = _CUSTOM.match(key)
    if not match:
        names = ", ".join(SIZES)
        raise EngineError(ErrorCode.INVALID_OPTION, f"Unknown ID photo size {size!r}: use {names} or WxHmm, e.g. 33x48mm.")
    width_mm, height_mm = float(match[1]), float(match[2])
    if not (10 <= width_mm <= 150 and 10 <= height_mm <= 150):
        raise EngineError(ErrorCode.INVALID_OPTION, f"A custom ID photo size must be 10-150 mm a side, not {size!r}.")
    return IdPhotoSpec(
        key=f"{match[1]}x{match[2]}mm", title=f"Custom ({match[1]}x{match[2]} mm)",
        width_px=_px(width_mm), height_px=_px(height_mm), head_min=0.66, head_max=0.74, top_min=0.06, top_max=0.12,
    )
