"""The diffusion backend: the classic avatar plus a LoRA trained on its faces, and portraits made
in two diffusion passes; everything else (check, templates, stylize, ID photos, headshots) is the
classic backend's.

An avatar folder is the classic artifact (engine.identity) with ``lora/`` beside its files:
``lora/avatar.safetensors`` and ``lora/lora.json`` (its sha256 and the base model family). The LoRA
is trained first, in ``.NAME.training`` beside the avatar (where a retry resumes it), and moved in
once the classic artifact is complete, so an avatar folder never holds half a LoRA.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..backends import ClassicBackend, Progress
from ..check import PhotoCheck
from ..errors import EngineError, ErrorCode
from ..identity import Avatar, avatar_build, avatar_load, avatar_save
from ..portrait import Portraits
from . import weights
from .creation import WORK_SIDE, diffusion_create
from .options import DiffusionOptions
from .pipelines import IpAdapter, ModelSet, family
from .presets import PRESET_PROMPTS, preset_options

LORA_FOLDER = "lora"
LORA_FILE = "avatar.safetensors"
LORA_META = "lora.json"
TRAIN_STEPS = 400  # the seeds' max_train_steps
CHECKPOINT_EVERY = 50  # the seeds' val_save_checkpointing_steps
MAX_TRAIN_STEPS = 10_000
IP_ADAPTER_WEIGHTS = "ip-adapter_sd15.safetensors"  # in ip-adapter-sd15/models/ (the manifest's file)
LCM_LORA_WEIGHTS = "pytorch_lora_weights.safetensors"
LANDMARKS_MODEL, LANDMARKS_SUBFOLDER = "controlnet-mediapipe-face-sd15", "diffusion_sd15"  # the SD 1.5 one
TRAIN_MODEL_NAMES = ("", "train", "train_xl")  # the seeds' train model_name ("train_xl": SDXL)


def installed_models(kind: str = "sd15") -> ModelSet:
    """The models of one family (``"sd15"`` or ``"sdxl"``) fetched into STUDIO_MODELS_DIR
    (engine.diffusion.weights). The base and canny ControlNet are required (MODEL_MISSING naming
    `models fetch`); the others are used where present, and the options that need them are refused
    by name when they are not. SDXL has no IP-Adapter, face-landmark ControlNet or inpainting UNet in
    the manifest; its scene LoRAs are STUDIO_MODELS_DIR/scenes-sdxl/KEY.safetensors."""
    if kind == "sdxl":
        lcm = _optional("lcm-lora-sdxl")
        scenes = weights.models_dir() / "scenes-sdxl"
        return ModelSet(base=weights.model_path("sdxl"), canny=weights.model_path("controlnet-canny-sdxl"),
                        lcm_lora=lcm / LCM_LORA_WEIGHTS if lcm else None, scenes=scenes if scenes.is_dir() else None)
    ip_adapter = _optional("ip-adapter-sd15")
    lcm = _optional("lcm-lora-sd15")
    face = _optional(LANDMARKS_MODEL)
    scenes = weights.models_dir() / "scenes"
    return ModelSet(
        base=weights.model_path("sd15"),
        canny=weights.model_path("controlnet-canny-sd15"),
        inpaint=_optional("sd15-inpaint"),
        landmarks=face / LANDMARKS_SUBFOLDER if face else None,
        ip_adapter=IpAdapter(ip_adapter, IP_ADAPTER_WEIGHTS) if ip_adapter else None,
        lcm_lora=lcm / LCM_LORA_WEIGHTS if lcm else None,
        scenes=scenes if scenes.is_dir() else None,
    )


def _optional(name: str) -> Path | None:
    try:
        return weights.model_path(name)
    except EngineError as exc:
        if exc.code == ErrorCode.MODEL_MISSING:
            return None
        raise


class DiffusionBackend(ClassicBackend):
    """GPU backend: LoRA avatars and two-pass portraits. ``models`` defaults to the installed
    ones, looked up at first use (so the backend can be made where no weights are yet);
    ``validate`` scores each training checkpoint by the identity of the faces it draws and merges
    the best (engine.diffusion.validation; off, the last checkpoint is the LoRA). ``xl_base`` is the
    SDXL folder the seeds' ``model_name: "train_xl"`` trains on (default: the installed ``sdxl``). ``work_side``,
    ``seed`` and ``train_resolution`` exist for tests and benchmarks (tiny models, reproducible runs)."""

    name = "diffusion"

    def __init__(self, models: ModelSet | None = None, *, work_side: int | None = None, seed: int | None = None,
                 train_steps: int = TRAIN_STEPS, train_resolution: int | None = None, validate: bool = True,
                 xl_base: Path | None = None, xl_models: ModelSet | None = None) -> None:
        self._models = models
        self._xl_models = xl_models
        self._xl_base = xl_base or (xl_models.base if xl_models else None)
        self.work_side = work_side
        self.seed = seed
        self.train_steps = train_steps
        self.train_resolution = train_resolution
        self.validate = validate

    @property
    def models(self) -> ModelSet:
        """The SD 1.5 models: what portraits are made with unless SDXL is asked for (``models_for``)."""
        if self._models is None:
            self._models = installed_models()
        return self._models

    def models_for(self, kind: str) -> ModelSet:
        """The creation models of the family ``kind`` ("sd15" or "sdxl"), looked up at first use."""
        if kind != "sdxl":
            return self.models
        if self._xl_models is None:
            self._xl_models = installed_models("sdxl")
        return self._xl_models

    def options_check(self, options: dict | None) -> None:
        """Refuses, before any job is made, options that are invalid or that ask for models this
        studio has not installed. Without the base model at all, the classic engine makes the
        portraits (studio.lib.engine.engine_work), so its rules apply, and a refusal says why."""
        parsed = DiffusionOptions.parse(options)
        if parsed.asks_sdxl:
            try:
                models = self.models_for("sdxl")
            except EngineError as missing:
                if missing.code != ErrorCode.MODEL_MISSING:
                    raise
                raise EngineError(ErrorCode.UNSUPPORTED_OPTION, f"model_name={parsed.model_name!r} needs the SDXL "
                                  f"models, which are not installed here: {missing.message}.") from None
            parsed.refuse_uninstalled(models=models, kind="sdxl")
            return
        try:
            models = self.models
        except EngineError as missing:
            if missing.code != ErrorCode.MODEL_MISSING:
                raise
            try:
                ClassicBackend.options_check(self, options)
            except EngineError as refused:
                raise EngineError(refused.code, f"{refused.message} The diffusion engine is configured but not set "
                                  f"up here: {missing.message}.") from None
            return
        parsed.refuse_uninstalled(models=models, kind=family(models.base))

    def preset_options(self, key: str) -> dict | None:
        if key not in PRESET_PROMPTS:
            return None
        try:
            models = self.models
        except EngineError as exc:
            if exc.code == ErrorCode.MODEL_MISSING:
                return None  # the classic engine makes the studio's work here, and it has no text-to-image
            raise
        return preset_options(key, scenes=models.scenes)

    def train(self, photos: Sequence[bytes], *, out: Path, names: Sequence[str] | None = None,
              options: dict | None = None, on_progress: Progress | None = None) -> tuple[Avatar, list[PhotoCheck]]:
        """``options``: the seeds' ``configure`` (``max_train_steps``, ``val_save_checkpointing_steps``)
        and ``model_name``: "train_xl" trains on SDXL) under ``configure`` as the studio keeps them,
        or at the top level."""
        report = on_progress or (lambda fraction: None)
        steps, checkpoint_every = _train_steps(options, default=self.train_steps)
        base = self._train_base(options)  # before any work: missing weights fail at once, by name
        avatar, checks = avatar_build(photos, names=names, on_progress=lambda f: report(0.15 * f))
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        # The same folder on a retry: lora_train resumes there from its last checkpoint.
        work = out.parent / f".{out.name}.training"
        trained = _lora_train(avatar, base, work / "run", steps=steps, checkpoint_every=checkpoint_every,
                              resolution=self.train_resolution, validate=self.validate,
                              on_progress=lambda f: report(0.15 + 0.8 * f))
        kind = family(base)
        ready = work / LORA_FOLDER
        shutil.rmtree(ready, ignore_errors=True)
        ready.mkdir()
        shutil.copyfile(trained, ready / LORA_FILE)
        (ready / LORA_META).write_text(json.dumps({"file": LORA_FILE, "sha256": _sha256(ready / LORA_FILE), "base": kind}))
        avatar_save(avatar, out)
        os.replace(ready, out / LORA_FOLDER)
        shutil.rmtree(work, ignore_errors=True)
        avatar.meta.update(lora=str(out / LORA_FOLDER / LORA_FILE), lora_base=kind)
        report(1.0)
        return avatar, checks

    def _train_base(self, options: dict | None) -> Path:
        """The base model a training runs on: SDXL for the seeds' ``model_name: "train_xl"``, else
        the backend's base; INVALID_OPTION for a model_name that is not a training one."""
        name = _train_option(options, "model_name", "")
        if name not in TRAIN_MODEL_NAMES:
            raise EngineError(ErrorCode.INVALID_OPTION, f"model_name for training must be one of "
                              f"{', '.join(repr(n) for n in TRAIN_MODEL_NAMES)}, not {name!r}.")
        if name != "train_xl":
            return self.models.base
        if self._xl_base is None:
            self._xl_base = weights.model_path("sdxl")
        return self._xl_base

    def load_avatar(self, path: Path) -> Avatar:
        """The classic avatar with ``meta["lora"]`` (its LoRA file) and ``meta["lora_base"]``; an
        avatar the classic backend trained loads without them (it then needs IP-Adapter)."""
        avatar = avatar_load(path)
        folder = Path(path) / LORA_FOLDER
        if not (folder / LORA_META).is_file():
            return avatar
        try:
            meta = json.loads((folder / LORA_META).read_text())
            file = folder / meta["file"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise EngineError(ErrorCode.AVATAR_INVALID, f"The avatar's {LORA_META} cannot be read.") from exc
        if Path(meta["file"]).name != meta["file"] or not file.is_file() or _sha256(file) != meta.get("sha256"):
            raise EngineError(ErrorCode.AVATAR_INVALID, "The avatar's LoRA is missing or does not match its checksum.")
        avatar.meta.update(lora=str(file), lora_base=meta.get("base", "sd15"))
        return avatar

    def create(self, template: bytes | np.ndarray | str, *, avatars: Sequence[Avatar], options: dict | None = None,
               n: int = 1, on_progress: Progress | None = None) -> Portraits:
        """As the classic create; ``template`` may also be "t2i_generate" (a template generated
        from the option ``t2i_prompt``). SDXL draws it where ``model_name`` is "create_xl" or the
        avatars' LoRAs were trained on SDXL (``model_name`` "train_xl" at training)."""
        parsed = DiffusionOptions.parse(options)
        return diffusion_create(
            template, avatars, options=parsed, models=self.models_for(parsed.family(avatars)), n=n, seed=self.seed,
            work_side=self.work_side, on_progress=on_progress,
        )


def _train_option(options: dict | None, key: str, default):
    """A seeds' train option, under ``configure`` (as the studio keeps them) or at the top level."""
    given = dict(options or {})
    given = {**given, **given.get("configure", {})} if isinstance(given.get("configure"), dict) else given
    return given.get(key, default)


def _train_steps(options: dict | None, *, default: int) -> tuple[int, int]:
    """(steps, checkpoint every) from the seeds' train options, checked: INVALID_OPTION names the range."""
    steps = _train_option(options, "max_train_steps", default)
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= MAX_TRAIN_STEPS:
        raise EngineError(ErrorCode.INVALID_OPTION, f"max_train_steps must be 1 to {MAX_TRAIN_STEPS}, not {steps!r}.")
    every = _train_option(options, "val_save_checkpointing_steps", min(CHECKPOINT_EVERY, steps))
    if isinstance(every, bool) or not isinstance(every, int) or not 1 <= every:
        raise EngineError(ErrorCode.INVALID_OPTION, f"val_save_checkpointing_steps must be 1 or more, not {every!r}.")
    return steps, min(every, steps)


def _lora_train(avatar: Avatar, base: Path, out: Path, *, steps: int, checkpoint_every: int,
                resolution: int | None, validate: bool, on_progress: Progress) -> Path:
    """The LoRA of the avatar's aligned face crops (engine.diffusion.training), its file's path;
    with ``validate``, the checkpoints that draw faces closest to the avatar merged."""
    from .training import lora_train
    from .validation import identity_validator

    resolution = resolution or WORK_SIDE[family(base)]
    validator = identity_validator(base=base, mean_embedding=avatar.mean_embedding,
                                   resolution=resolution) if validate else None
    trained = lora_train(base=base, images=[face.crop for face in avatar.faces], out=out, steps=steps,
                         checkpoint_every=checkpoint_every, validate=validator, on_progress=on_progress,
                         resolution=resolution)
    return trained.path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
