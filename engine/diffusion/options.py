"""The diffusion backend's create options (the ``configure`` keys it honours), parsed and checked
against the installed models and the avatars before any model loads. Free of torch.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import EngineError, ErrorCode
from ..identity import Avatar
from ..options import DIFFUSION_ONLY, PLATFORM_OPTIONS, T2I_TEMPLATE, PortraitOptions

if TYPE_CHECKING:
    from .pipelines import ModelSet


def avatar_lora(avatar: Avatar) -> Path | None:
    """The avatar's LoRA file (``meta["lora"]``, set by DiffusionBackend.load_avatar), if any."""
    path = avatar.meta.get("lora")
    return Path(path) if path else None


def fetch_hint(name: str) -> str:
    return f"run `python manage.py models fetch {name}`"


XL_MODEL_NAMES = ("create_xl", "train_xl")  # the seeds' model_name values that ask for SDXL


def _ip_adapter_missing(what: str, kind: str, code: ErrorCode) -> tuple[ErrorCode, str]:
    if kind == "sdxl":  # the manifest has no SDXL IP-Adapter: nothing to fetch
        return ErrorCode.UNSUPPORTED_OPTION, f"{what} needs an IP-Adapter, which this studio has for SD 1.5 only."
    return code, f"{what} needs the IP-Adapter weights, which are not installed: {fetch_hint('ip-adapter-' + kind)}."


@dataclass(frozen=True)
class DiffusionOptions:
    """The ``configure`` keys: the classic ones (``classic``) and those only diffusion honours
    (engine.options.DIFFUSION_ONLY, same names and defaults), plus the platform's train-free ones."""

    classic: PortraitOptions = field(default_factory=PortraitOptions)
    lora_weights: float = 0.9
    first_diffusion_steps: int = 50
    first_denoising_strength: float = 0.45
    second_diffusion_steps: int = 20
    second_denoising_strength: float = 0.30
    apply_face_fusion_before: bool = True
    apply_face_fusion_after: bool = True
    background_restore: bool = False
    ipa_control: bool = False
    ipa_weight: float = 0.5
    lcm_accelerate: bool = False
    t2i_prompt: str = ""
    scene_id: str = ""
    model_name: str = ""
    ipa_control_only: bool = False  # train-free: the face from IP-Adapter alone (no LoRA needed)
    sex: str = ""

    @classmethod
    def parse(cls, raw: dict[str, Any] | None) -> DiffusionOptions:
        raw = dict(raw or {})
        values: dict[str, Any] = {}
        for key in list(raw):
            if key in DIFFUSION_ONLY:
                value = raw.pop(key)
                if not DIFFUSION_ONLY[key][1](value):
                    raise EngineError(ErrorCode.INVALID_OPTION, f"Invalid value {value!r} for option {key}.")
                values[key] = float(value) if isinstance(DIFFUSION_ONLY[key][0], float) else value
        if "ipa_control_only" in raw:
            values["ipa_control_only"] = bool(raw["ipa_control_only"])
        if isinstance(raw.get("sex"), str):
            values["sex"] = raw["sex"].lower()
        return cls(classic=PortraitOptions.parse({k: v for k, v in raw.items() if k not in PLATFORM_OPTIONS}), **values)

    def fusion_options(self) -> PortraitOptions:
        """The classic fusion's options without its finishing (retouch, sharpen, photo fix): the
        passes redraw the face after it, so those run once, last (creation's ``_finish``)."""
        return dataclasses.replace(self.classic, skin_retouching_bool=False, sharp_ratio=0.0, photo_enhancement_bool=False)

    @property
    def asks_sdxl(self) -> bool:
        return self.model_name in XL_MODEL_NAMES

    def family(self, avatars: Sequence[Avatar]) -> str:
        """The model family a creation runs on: SDXL where ``model_name`` asks for it, SD 1.5 where
        it names "create"; otherwise the family the avatars' LoRAs were trained on, where they all
        agree on SDXL (SD 1.5 for the rest: a mix is refused by ``refuse_unusable``)."""
        if self.asks_sdxl:
            return "sdxl"
        trained = {avatar.meta.get("lora_base", "sd15") for avatar in avatars if avatar_lora(avatar) is not None}
        return "sdxl" if not self.model_name and trained == {"sdxl"} else "sd15"

    def uses_ip_adapter(self, avatars: Sequence[Avatar]) -> bool:
        return self.ipa_control or self.ipa_control_only or any(avatar_lora(a) is None for a in avatars)

    def refuse_uninstalled(self, *, models: ModelSet, kind: str, code: ErrorCode = ErrorCode.UNSUPPORTED_OPTION) -> None:
        """Refuse what the options ask of models this studio has not installed (an SDXL model_name on
        an SD 1.5 studio, ipa_control without IP-Adapter, lcm_accelerate without the LCM-LoRA, a
        scene LoRA not there), naming the fetch command. The order check raises this before any job
        is made (UNSUPPORTED_OPTION: the request cannot be served here); creation raises ``code``."""
        wanted = "sdxl" if self.asks_sdxl else "sd15" if self.model_name == "create" else None
        if wanted is not None and wanted != kind:
            raise EngineError(ErrorCode.UNSUPPORTED_OPTION, f"model_name={self.model_name!r} needs an {wanted.upper()} "
                              f"base model; this creation loads {kind.upper()}.")
        if (self.ipa_control or self.ipa_control_only) and models.ip_adapter is None:
            which = "ipa_control_only" if self.ipa_control_only else "ipa_control"
            raise EngineError(*_ip_adapter_missing(which, kind, code))
        if self.lcm_accelerate and models.lcm_lora is None:
            raise EngineError(code, "lcm_accelerate needs the LCM-LoRA weights, which are not "
                              f"installed: {fetch_hint('lcm-lora-' + kind)}.")
        if self.scene_id and (models.scenes is None or not (models.scenes / f"{self.scene_id}.safetensors").is_file()
                              or "/" in self.scene_id or self.scene_id.startswith(".")):
            raise EngineError(ErrorCode.UNSUPPORTED_OPTION, f"No scene LoRA {self.scene_id!r} is installed.")

    def refuse_unusable(self, *, models: ModelSet, avatars: Sequence[Avatar], generate: bool, kind: str) -> None:
        """Refuse, before any model loads, what this studio's models or these avatars cannot do."""
        self.refuse_uninstalled(models=models, kind=kind, code=ErrorCode.MODEL_MISSING)
        for position, avatar in enumerate(avatars, start=1):
            trained = avatar.meta.get("lora_base")
            if avatar_lora(avatar) is not None and trained not in (None, kind):
                raise EngineError(ErrorCode.UNSUPPORTED_OPTION, f"Avatar {position} was trained on {trained.upper()}; "
                                  f"its LoRA cannot be used with the {kind.upper()} base model.")
        if self.uses_ip_adapter(avatars) and models.ip_adapter is None:
            train_free = "an avatar without a LoRA (train-free)"
            raise EngineError(*_ip_adapter_missing(train_free, kind, ErrorCode.MODEL_MISSING))
        if generate and not self.t2i_prompt.strip():
            raise EngineError(ErrorCode.INVALID_OPTION, f"template_image {T2I_TEMPLATE!r} needs a t2i_prompt.")
        if self.t2i_prompt and not generate:
            raise EngineError(ErrorCode.INVALID_OPTION, f"t2i_prompt describes a template to generate: send "
                              f"template_image {T2I_TEMPLATE!r}, or no t2i_prompt with a template.")
        if self.scene_id and not generate:
            raise EngineError(ErrorCode.INVALID_OPTION, f"scene_id applies to generated templates ({T2I_TEMPLATE!r}).")
