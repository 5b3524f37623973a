"""The options of the engine's work, as pure data and parsers the studio may use to validate a
request before any job runs: portrait options, ID photo sizes and backgrounds, the style presets.

Portrait options are the seeds' ``configure`` keys, parsed, validated and defaulted. The classic
backend does everything that needs no diffusion model. Options that only a diffusion backend can
honour are validated and then refused with a message naming that backend; they are accepted only
at their documented default value, which changes nothing (clients such as the PAI SDK examples
send the full default dictionary).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any

from .errors import EngineError, ErrorCode

STYLE_NAMES = ("Realistic", "Anime")
MASK_REGIONS = ("edge", "face")
ENHANCEMENT_METHODS = ("photo_fix", "super_resolution")

# Options of the diffusion backend: name -> (documented default, check of a valid value).
DIFFUSION_ONLY: dict[str, tuple[Any, Any]] = {
    "lora_weights": (0.9, lambda v: _number(v) and 0.5 <= v <= 1.0),
    "first_diffusion_steps": (50, lambda v: _integer(v) and 1 <= v <= 200),
    "first_denoising_strength": (0.45, lambda v: _number(v) and 0 <= v <= 1),
    "second_diffusion_steps": (20, lambda v: _integer(v) and 1 <= v <= 200),
    "second_denoising_strength": (0.30, lambda v: _number(v) and 0 <= v <= 1),
    "apply_face_fusion_before": (True, lambda v: isinstance(v, bool)),
    "apply_face_fusion_after": (True, lambda v: isinstance(v, bool)),
    "background_restore": (False, lambda v: isinstance(v, bool)),
    "ipa_control": (False, lambda v: isinstance(v, bool)),
    "ipa_weight": (0.5, lambda v: _number(v) and 0 <= v <= 2),
    "lcm_accelerate": (False, lambda v: isinstance(v, bool)),
    "t2i_prompt": ("", lambda v: isinstance(v, str)),
    "scene_id": ("", lambda v: isinstance(v, str)),
    "model_name": ("", lambda v: v in ("", "create", "create_xl", "train_xl")),
}
# The PAI ``template_image`` that asks for a template generated from ``t2i_prompt`` (diffusion only).
T2I_TEMPLATE = "t2i_generate"
# Wire-level options the platform resolves before the engine runs (URLs, train-free switch).
PLATFORM_OPTIONS = ("ipa_control_only", "ipa_image_path", "sex")
DIFFUSION_BACKEND = "diffusion"


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class PortraitOptions:
    more_like_me: float = 0.5  # shading: 0 the template's light, 1 the avatar's own
    more_like_me_before: float = 0.5  # geometry: 0 the template's features' places, 1 the avatar's
    mask_region: str = "edge"
    crop_face_preprocess: bool = True
    color_shift_middle: bool = True
    color_shift_last: bool = True
    skin_retouching_bool: bool = False
    photo_enhancement_bool: bool = True
    photo_enhancement_method: str = "photo_fix"
    makeup_transfer: bool = False
    makeup_transfer_ratio: float = 0.5
    face_shape_match: bool = False
    sharp_ratio: float = 0.15
    style_name: str = "Realistic"  # "Anime": the portrait drawn in engine.stylize's cel look
    # The studio's own: also try the avatar's full face shape and keep whichever portrait is
    # closer to the avatar. One more fusion and embedding (0.41 -> 0.79 s a portrait) for 68 ->
    # 79 % of portraits within 0.40 of their avatar (bench/engine.py on ../shared/data).
    likeness_search: bool = True

    @classmethod
    def parse(cls, raw: dict[str, Any] | None) -> PortraitOptions:
        """Options from a ``configure`` dictionary; unknown keys and bad values are errors."""
        raw = dict(raw or {})
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in raw.items():
            if key in known:
                values[key] = _validated(key, value)
            elif key in DIFFUSION_ONLY:
                default, valid = DIFFUSION_ONLY[key]
                if not valid(value):
                    raise EngineError(ErrorCode.INVALID_OPTION, f"Invalid value {value!r} for option {key}.")
                if value != default:
                    raise EngineError(
                        ErrorCode.UNSUPPORTED_OPTION,
                        f"Option {key}={value!r} needs the {DIFFUSION_BACKEND} backend; this studio runs the "
                        f"classic CPU backend.",
                    )
            elif key in PLATFORM_OPTIONS:
                continue
            else:
                raise EngineError(ErrorCode.INVALID_OPTION, f"Unknown option {key}.")
        return cls(**values)


def _validated(key: str, value: Any) -> Any:
    ratio_keys = ("more_like_me", "more_like_me_before", "makeup_transfer_ratio", "sharp_ratio")
    if key in ratio_keys:
        if not _number(value) or not 0.0 <= value <= 1.0:
            raise EngineError(ErrorCode.INVALID_OPTION, f"Option {key} must be a number from 0 to 1, not {value!r}.")
        return float(value)
    if key == "mask_region" and value not in MASK_REGIONS:
        raise EngineError(ErrorCode.INVALID_OPTION, f"Option mask_region must be one of {', '.join(MASK_REGIONS)}.")
    if key == "photo_enhancement_method" and value not in ENHANCEMENT_METHODS:
        raise EngineError(
            ErrorCode.INVALID_OPTION, f"Option photo_enhancement_method must be one of {', '.join(ENHANCEMENT_METHODS)}."
        )
    if key == "style_name" and value not in STYLE_NAMES:
        raise EngineError(ErrorCode.INVALID_OPTION, f"Option style_name must be one of {', '.join(STYLE_NAMES)}.")
    if key not in ratio_keys + ("mask_region", "photo_enhancement_method", "style_name") and not isinstance(value, bool):
        raise EngineError(ErrorCode.INVALID_OPTION, f"Option {key} must be true or false, not {value!r}.")
    return value


def coerce_cli_value(text: str) -> Any:
    """A command-line ``KEY=VALUE`` value as JSON would read it (true, 0.5, "edge")."""
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


# --- ID photos: sizes at 300 dpi, where each rule puts the head, and the background colour --------
# Fractions are of the photo's height: the head (chin to crown), the space above the crown, and for
# rules that fix it, the eye line measured from the top.

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
    rules: str = "icao"  # whose rules the compliance report applies: "icao", "us" or "cn"
    upload_px: tuple[int, int] | None = None  # (width, height) of the digital upload version, if asked for

    @property
    def head_target(self) -> float:
        return (self.head_min + self.head_max) / 2

    @property
    def eye_band(self) -> tuple[float, float]:
        """The eye line's band from the top: the size's own, else ISO/IEC 19794-5's (as ICAO 9303
        part 3 uses it): the eyes between 50 % and 70 % of the height from the bottom."""
        return self.eye_line or (0.30, 0.50)


def _px(mm: float) -> int:
    return round(mm / MM_PER_INCH * DPI)


# Chinese 1- and 2-inch photos: the head is about 2/3 of the height (GA 461 asks 2/3 to 3/4 for
# ID cards; studios print a little under). Passport (ICAO 9303): head 32-36 mm of 45 mm, 3-5 mm
# above the crown. US (travel.state.gov): head 1 to 1 3/8 in of 2 in, eyes 1 1/8 to 1 3/8 in
# from the bottom; the online renewal and DS-160 take a square JPEG of 600x600 to 1200x1200 px
# (at most 240 kB), the print's own pixels.
SIZES: dict[str, IdPhotoSpec] = {
    "1inch": IdPhotoSpec("1inch", "1 inch (25x35 mm)", 295, 413, 0.62, 0.72, 0.06, 0.12, rules="cn"),
    "2inch": IdPhotoSpec("2inch", "2 inch (35x49 mm)", 413, 579, 0.62, 0.72, 0.06, 0.12, rules="cn"),
    "passport": IdPhotoSpec("passport", "Passport (35x45 mm)", 413, 531, 32 / 45, 36 / 45, 3 / 45, 5 / 45),
    "us": IdPhotoSpec(
        "us", "US 2x2 in", 600, 600, 1 / 2, 11 / 16, 0.04, 0.20, eye_line=(1 - 11 / 16, 1 - 9 / 16), rules="us",
        upload_px=(600, 600),
    ),
}
# Print sheets at 300 dpi, landscape: 6x4 in (the photo lab's 4R) and A6 (148x105 mm).
PAPERS: dict[str, tuple[int, int]] = {"6x4": (1800, 1200), "a6": (round(148 / MM_PER_INCH * DPI), round(105 / MM_PER_INCH * DPI))}

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


def paper_for(sheet: bool | str) -> tuple[int, int] | None:
    """The print sheet's pixels for ``sheet``: False for none, True for 6x4 in, or a PAPERS key."""
    if sheet is False or sheet is None:
        return None
    key = "6x4" if sheet is True else str(sheet).strip().lower()
    if key not in PAPERS:
        raise EngineError(ErrorCode.INVALID_OPTION, f"Unknown print sheet {sheet!r}: use {' or '.join(PAPERS)}.")
    return PAPERS[key]


BACKGROUNDS = {"white": (255, 255, 255), "blue": (0x43, 0x8E, 0xDB), "red": (0xD9, 0x00, 0x1B)}


def parse_background(background: str | tuple) -> tuple[int, int, int]:
    if isinstance(background, tuple):
        if len(background) == 3 and all(isinstance(v, int) and 0 <= v <= 255 for v in background):
            return background
    elif background.strip().lower() in BACKGROUNDS:
        return BACKGROUNDS[background.strip().lower()]
    elif re.fullmatch(r"#[0-9a-fA-F]{6}", background.strip()):
        value = background.strip()[1:]
        return tuple(int(value[i : i + 2], 16) for i in (0, 2, 4))
    raise EngineError(ErrorCode.INVALID_OPTION, f"Unknown background {background!r}: use white, blue, red or #RRGGBB.")


# --- Stylization: the preset styles sold by index (their looks are engine.stylize's) ---------------

CUSTOM_STYLE_INDEX = -1  # the style taken from a reference image


@dataclass(frozen=True)
class StylePreset:
    index: int
    key: str
    title: str


STYLE_PRESETS: tuple[StylePreset, ...] = (
    StylePreset(0, "pencil_sketch", "Pencil sketch"),
    StylePreset(1, "watercolour", "Watercolour"),
    StylePreset(2, "comic", "Comic / cel"),
    StylePreset(3, "oil_painting", "Oil painting"),
    StylePreset(4, "ink_wash", "Ink wash"),
    StylePreset(5, "vintage_film", "Vintage film"),
    StylePreset(6, "pop_art", "Pop art"),
    StylePreset(7, "black_and_white", "Black-and-white studio"),
)


def preset_list() -> list[dict]:
    """The presets as JSON objects: index, key, title."""
    return [{"index": preset.index, "key": preset.key, "title": preset.title} for preset in STYLE_PRESETS]
