"""The studio's preset template styles (DashScope's f_business_female and kin) as prompts, so a
preset is made by text-to-image plus the avatar's LoRA where the diffusion weights are present,
without its template pack. Free of torch: the studio may read it to choose how to make a preset.

A preset becomes the create options ``template_image: "t2i_generate"`` (the caller passes that as
the template), ``t2i_prompt``, ``sex``, and ``scene_id`` where a style LoRA of the preset's key is
installed (STUDIO_MODELS_DIR/scenes/KEY.safetensors, EasyPhoto's scene LoRAs).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import EngineError, ErrorCode


@dataclass(frozen=True)
class PresetPrompt:
    prompt: str  # the scene, light and clothes; creation adds the person (TRIGGER, sex) itself
    sex: str  # "male" or "female": the preset's person, as the seeds' ``sex`` option says it


# Written from each preset's DashScope sample images: setting, clothes, light, framing.
PRESET_PROMPTS: dict[str, PresetPrompt] = {
    "f_business_male": PresetPrompt(
        "upper body business portrait, dark navy suit, white shirt, modern office background softly blurred, "
        "soft window light, professional headshot", "male"),
    "f_business_female": PresetPrompt(
        "upper body business portrait, tailored dark blazer, light blouse, modern office background softly "
        "blurred, soft window light, professional headshot", "female"),
    "m_springflower_female": PresetPrompt(
        "portrait among blooming cherry blossoms and spring flowers, light floral dress, soft pastel colours, "
        "bright diffuse daylight", "female"),
    "f_summersport_female": PresetPrompt(
        "outdoor summer sport portrait, athletic wear, sunny blue sky, green field, bright sunlight, "
        "energetic smile", "female"),
    "f_autumnleaf_female": PresetPrompt(
        "portrait in an autumn park, falling orange and red maple leaves, knitted sweater, warm golden hour "
        "light", "female"),
    "m_winterchinese_female": PresetPrompt(
        "portrait in traditional chinese hanfu with fur collar, snowy courtyard with red lanterns, falling "
        "snow, soft winter light", "female"),
    "f_hongkongvintage_female": PresetPrompt(
        "1990s hong kong film style portrait, vintage qipao, neon signs at night, warm film grain, "
        "cinematic colour grading", "female"),
    "f_lightportray_female": PresetPrompt(
        "fine art studio portrait, soft rim light, plain light grey background, elegant simple top, "
        "high key lighting", "female"),
}


def preset_options(key: str, *, scenes: Path | None = None) -> dict[str, str]:
    """The create options that make the preset ``key`` by text-to-image; ``scenes`` is the folder of
    scene LoRAs (ModelSet.scenes), whose KEY.safetensors, if present, is used as the style LoRA.
    INVALID_OPTION for a key that is not a preset."""
    preset = PRESET_PROMPTS.get(key)
    if preset is None:
        raise EngineError(ErrorCode.INVALID_OPTION, f"{key!r} is not a preset style; presets: "
                          f"{', '.join(sorted(PRESET_PROMPTS))}.")
    options = {"t2i_prompt": preset.prompt, "sex": preset.sex}
    if scenes is not None and (Path(scenes) / f"{key}.safetensors").is_file():
        options["scene_id"] = key
    return options
