"""Portrait creation options: the seeds' ``configure`` keys, parsed, validated and defaulted.

The classic backend does everything that needs no diffusion model. Options that only a
diffusion backend can honour are validated and then refused with a message naming that backend;
they are accepted only at their documented default value, which changes nothing (clients such
as the PAI SDK examples send the full default dictionary).
"""
from __future__ import annotations

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
