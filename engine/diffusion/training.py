"""LoRA avatars: a LoRA on the UNet (optionally the text encoder) trained on the avatar's aligned face
crops, checkpointed and validated as it goes, the best checkpoints merged (EasyPhoto's approach).

Training resumes from its last checkpoint when called again on the same ``out`` folder:
    out/checkpoints/step-<n>.safetensors   the LoRA at step n (diffusers format, loads with load_lora_weights)
    out/checkpoints/optimizer-<n>.pt       the optimizer and random state at the last checkpoint only
    out/state.json                         options, steps done and each checkpoint's validation score
    out/lora.safetensors                   the result: the keep_best best checkpoints averaged
"""
from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from diffusers import (
    AutoencoderKL,
    DDPMScheduler,
    StableDiffusionPipeline,
    StableDiffusionXLPipeline,
    UNet2DConditionModel,
)
from diffusers.training_utils import _set_state_dict_into_text_encoder, cast_training_params
from diffusers.utils import convert_state_dict_to_diffusers, convert_unet_state_dict_to_peft
from peft import LoraConfig
from peft.utils import get_peft_model_state_dict, set_peft_model_state_dict
from PIL import Image
from safetensors.torch import load_file, save_file
from transformers import CLIPTextModel, CLIPTextModelWithProjection, CLIPTokenizer

from ..errors import EngineError, ErrorCode
from . import TRIGGER
from .pipelines import runtime, weights_variant

# EasyPhoto's training caption (easyphoto_config.validation_prompt); creation prompts start with TRIGGER too.
DEFAULT_CAPTION = f"{TRIGGER}, easyphoto, 1person"
UNET_TARGETS = ["to_k", "to_q", "to_v", "to_out.0"]
TEXT_TARGETS = ["q_proj", "k_proj", "v_proj", "out_proj"]
MAX_GRAD_NORM = 1.0  # diffusers' and EasyPhoto's default
WEIGHT_DECAY = 1e-2
# Options that must match for a run to resume another one's checkpoints (steps may grow).
RESUME_KEYS = ("rank", "learning_rate", "resolution", "train_text_encoder", "batch_size", "seed", "captions")


@dataclass(frozen=True)
class TrainedLora:
    path: Path  # out/lora.safetensors, the merged best checkpoints
    steps: int
    scores: dict[int, float | None]  # checkpoint step -> validation score (None without validate)
    merged: tuple[int, ...]  # the checkpoint steps averaged into path
    resumed_from: int  # the step this call started at (0 for a fresh run)


def lora_train(
    *,
    base: Path,
    images: Sequence[np.ndarray],
    out: Path,
    captions: Sequence[str] | None = None,
    steps: int = 400,
    checkpoint_every: int = 50,
    rank: int = 32,
    learning_rate: float = 1e-4,
    resolution: int = 512,
    batch_size: int = 1,
    train_text_encoder: bool = False,
    gradient_checkpointing: bool = False,
    seed: int = 0,
    validate: Callable[[Path], float] | None = None,
    keep_best: int = 2,
    on_progress: Callable[[float], None] | None = None,
    device: str | None = None,
    dtype: str | None = None,
) -> TrainedLora:
    """Train (or resume) a LoRA avatar on ``images`` (RGB uint8 face crops of any size) from the
    diffusers folder ``base`` (SD 1.5 or SDXL) into ``out``."""
    captions = list(captions) if captions is not None else [DEFAULT_CAPTION] * len(images)
    _check(base, images, captions, steps=steps, checkpoint_every=checkpoint_every, rank=rank, resolution=resolution,
           batch_size=batch_size, keep_best=keep_best, learning_rate=learning_rate)
    out = Path(out)
    (out / "checkpoints").mkdir(parents=True, exist_ok=True)
    options = {"rank": rank, "learning_rate": learning_rate, "resolution": resolution, "batch_size": batch_size,
               "train_text_encoder": train_text_encoder, "seed": seed, "captions": captions}
    state = _resume_state(out, options)
    start = state["step"]
    if start >= steps:  # done before (a repeated call): merge if the crash came after the last checkpoint
        if not (out / "lora.safetensors").is_file():
            _merge_best(out, state, keep_best=keep_best)
        return _result(out, state, resumed_from=start)

    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    weight_dtype = _weight_dtype(dtype, device)
    model = _Model.load(Path(base), device=device, weight_dtype=weight_dtype, rank=rank,
                        train_text_encoder=train_text_encoder, gradient_checkpointing=gradient_checkpointing, seed=seed)
    generator = torch.Generator(device="cpu").manual_seed(seed)
    data = _Data.build(images, captions, model, resolution=resolution)
    optimizer = torch.optim.AdamW(model.trainable, lr=learning_rate, weight_decay=WEIGHT_DECAY)
    if start:
        model.load_lora(out / "checkpoints" / f"step-{start}.safetensors")
        saved = torch.load(out / "checkpoints" / f"optimizer-{start}.pt", map_location=device, weights_only=True)
        optimizer.load_state_dict(saved["optimizer"])
        generator.set_state(saved["generator"])

    report = on_progress or (lambda fraction: None)
    for step in range(start + 1, steps + 1):
        loss = _loss(model, data, batch_size=batch_size, generator=generator, device=device)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.trainable, MAX_GRAD_NORM)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        if step % checkpoint_every == 0 or step == steps:
            _checkpoint(out, state, step, model, optimizer, generator, validate)
        report(step / steps)

    _merge_best(out, state, keep_best=keep_best)
    return _result(out, state, resumed_from=start)


def _check(base: Path, images: Sequence[np.ndarray], captions: list[str], *, steps: int, checkpoint_every: int,
           rank: int, resolution: int, batch_size: int, keep_best: int, learning_rate: float) -> None:
    def refuse(message: str) -> None:
        raise EngineError(ErrorCode.INVALID_OPTION, message)

    if not images:
        refuse("Training needs at least one face image.")
    if len(captions) != len(images):
        refuse(f"{len(captions)} captions for {len(images)} images: give one caption per image.")
    for index, image in enumerate(images):
        if not (isinstance(image, np.ndarray) and image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] == 3):
            refuse(f"Image {index} is not an RGB uint8 array of shape (height, width, 3).")
    for name, value in (("steps", steps), ("checkpoint_every", checkpoint_every), ("rank", rank),
                        ("batch_size", batch_size), ("keep_best", keep_best)):
        if value < 1:
            refuse(f"{name} must be at least 1 (got {value}).")
    if resolution < 8 or resolution % 8:
        refuse(f"resolution must be a multiple of 8 (got {resolution}).")
    if not learning_rate > 0:
        refuse(f"learning_rate must be positive (got {learning_rate}).")
    if not (Path(base) / "model_index.json").is_file():
        raise EngineError(ErrorCode.MODEL_MISSING,
                          f"No base model in {base}: run `python manage.py models fetch` for its weights.")


def _weight_dtype(dtype: str | None, device: str) -> torch.dtype:
    """Frozen weights in half precision on CUDA, unless asked: the pipelines' (bf16 where the GPU has
    it: SDXL's VAE overflows fp16 at 1024 px and its latents come out NaN); float32 elsewhere."""
    names = {"fp32": torch.float32, "float32": torch.float32, "fp16": torch.float16, "float16": torch.float16,
             "bf16": torch.bfloat16, "bfloat16": torch.bfloat16}
    if dtype is not None and dtype not in names:
        raise EngineError(ErrorCode.INVALID_OPTION, f"dtype must be one of fp32, fp16, bf16 (got {dtype!r}).")
    if not device.startswith("cuda"):
        return torch.float32
    if dtype is None:
        return runtime().dtype
    return names[dtype]


class _Model:
    """The base model's parts, frozen, with trainable LoRA layers added."""

    def __init__(self, *, unet, vae, text_encoders, tokenizers, scheduler, sdxl, train_text_encoder, device,
                 weight_dtype):
        self.unet, self.vae, self.scheduler = unet, vae, scheduler
        self.text_encoders, self.tokenizers = text_encoders, tokenizers
        self.sdxl, self.train_text_encoder = sdxl, train_text_encoder
        self.device, self.weight_dtype = device, weight_dtype
        self.trainable = [p for m in [unet, *text_encoders] for p in m.parameters() if p.requires_grad]

    @classmethod
    def load(cls, base: Path, *, device: str, weight_dtype: torch.dtype, rank: int, train_text_encoder: bool,
             gradient_checkpointing: bool, seed: int) -> _Model:
        sdxl = json.loads((base / "model_index.json").read_text())["_class_name"].startswith("StableDiffusionXL")
        # The manifest fetches only the half-precision files (*.fp16.safetensors): load that variant there.
        unet = UNet2DConditionModel.from_pretrained(base, subfolder="unet", variant=weights_variant(base / "unet"))
        vae = AutoencoderKL.from_pretrained(base, subfolder="vae", variant=weights_variant(base / "vae"))
        encoders = [CLIPTextModel.from_pretrained(base, subfolder="text_encoder",
                                                  variant=weights_variant(base / "text_encoder"))]
        tokenizers = [CLIPTokenizer.from_pretrained(base, subfolder="tokenizer")]
        if sdxl:
            encoders.append(CLIPTextModelWithProjection.from_pretrained(
                base, subfolder="text_encoder_2", variant=weights_variant(base / "text_encoder_2")))
            tokenizers.append(CLIPTokenizer.from_pretrained(base, subfolder="tokenizer_2"))
        scheduler = DDPMScheduler.from_pretrained(base, subfolder="scheduler")
        for part in [unet, vae, *encoders]:
            part.requires_grad_(False)
            part.to(device, dtype=weight_dtype)
        # diffusers' recipe: Gaussian A and zero B, so training starts from the base model's output;
        # drawn from the seed (not the process's random state), so a seed is one run.
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            unet.add_adapter(LoraConfig(r=rank, lora_alpha=rank, init_lora_weights="gaussian",
                                        target_modules=UNET_TARGETS))
            if train_text_encoder:
                for encoder in encoders:
                    encoder.add_adapter(LoraConfig(r=rank, lora_alpha=rank, init_lora_weights="gaussian",
                                                   target_modules=TEXT_TARGETS))
        # The LoRA layers train in float32 even when the frozen weights are half precision.
        cast_training_params([unet, *encoders], dtype=torch.float32)
        if gradient_checkpointing:
            unet.enable_gradient_checkpointing()
            if train_text_encoder:
                for encoder in encoders:
                    encoder.gradient_checkpointing_enable()
        unet.train()
        for encoder in encoders:
            encoder.train(train_text_encoder)
        return cls(unet=unet, vae=vae, text_encoders=encoders, tokenizers=tokenizers, scheduler=scheduler, sdxl=sdxl,
                   train_text_encoder=train_text_encoder, device=device, weight_dtype=weight_dtype)

    def autocast(self):
        enabled = self.device.startswith("cuda") and self.weight_dtype != torch.float32
        return torch.autocast("cuda", dtype=self.weight_dtype) if enabled else contextlib.nullcontext()

    def tokenize(self, texts: list[str]) -> list[torch.Tensor]:
        return [tokenizer(texts, padding="max_length", max_length=tokenizer.model_max_length, truncation=True,
                          return_tensors="pt").input_ids for tokenizer in self.tokenizers]

    def encode_text(self, ids: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor | None]:
        """The UNet's text condition and, for SDXL, the pooled embedding (as the SDXL pipeline makes them)."""
        if not self.sdxl:
            return self.text_encoders[0](ids[0].to(self.device), return_dict=False)[0], None
        hidden, pooled = [], None
        for encoder, tokens in zip(self.text_encoders, ids):
            output = encoder(tokens.to(self.device), output_hidden_states=True)
            hidden.append(output.hidden_states[-2])
            pooled = output[0]  # the projected pooled output of the second encoder
        return torch.cat(hidden, dim=-1), pooled

    def lora_state(self) -> dict[str, dict[str, torch.Tensor]]:
        # save_embedding_layers=False: peft's "auto" looks the base model up on the Hub (offline here).
        layers = {"unet_lora_layers": convert_state_dict_to_diffusers(
            get_peft_model_state_dict(self.unet, save_embedding_layers=False))}
        if self.train_text_encoder:
            names = ["text_encoder_lora_layers", "text_encoder_2_lora_layers"] if self.sdxl else ["text_encoder_lora_layers"]
            for name, encoder in zip(names, self.text_encoders):
                layers[name] = convert_state_dict_to_diffusers(
                    get_peft_model_state_dict(encoder, save_embedding_layers=False))
        return layers

    def save_lora(self, path: Path) -> None:
        pipeline = StableDiffusionXLPipeline if self.sdxl else StableDiffusionPipeline
        pipeline.save_lora_weights(path.parent, weight_name=path.name, safe_serialization=True, **self.lora_state())

    def load_lora(self, path: Path) -> None:
        pipeline = StableDiffusionXLPipeline if self.sdxl else StableDiffusionPipeline
        state, _ = pipeline.lora_state_dict(str(path))
        unet_state = {k.removeprefix("unet."): v for k, v in state.items() if k.startswith("unet.")}
        set_peft_model_state_dict(self.unet, convert_unet_state_dict_to_peft(unet_state), adapter_name="default")
        if self.train_text_encoder:
            for prefix, encoder in zip(["text_encoder.", "text_encoder_2."], self.text_encoders):
                _set_state_dict_into_text_encoder(state, prefix=prefix, text_encoder=encoder)
        cast_training_params([self.unet, *self.text_encoders], dtype=torch.float32)


@dataclass
class _Data:
    """Each image's latent distribution, as is and mirrored (EasyPhoto's random flip), encoded once:
    the VAE is frozen, so only the sample drawn from it changes between steps."""

    means: torch.Tensor  # (images, 2, C, h, w): [:, 0] as is, [:, 1] mirrored
    stds: torch.Tensor
    ids: list[torch.Tensor]  # token ids per tokenizer, one row per image
    condition: tuple[torch.Tensor, torch.Tensor | None] | None  # text condition, when the text encoder is frozen
    time_ids: torch.Tensor | None  # SDXL's size condition

    @classmethod
    def build(cls, images: Sequence[np.ndarray], captions: list[str], model: _Model, *, resolution: int) -> _Data:
        pixels = torch.stack([_pixels(image, resolution) for image in images])
        pixels = torch.stack([pixels, pixels.flip(-1)], dim=1).flatten(0, 1)
        with torch.no_grad(), model.autocast():
            latent = model.vae.encode(pixels.to(model.device, model.weight_dtype)).latent_dist
        shape = (len(images), 2, *latent.mean.shape[1:])
        ids = model.tokenize(captions)
        condition = None
        if not model.train_text_encoder:
            with torch.no_grad(), model.autocast():
                condition = model.encode_text(ids)
        time_ids = None
        if model.sdxl:  # original size, crop top-left, target size: the crop is the whole image
            time_ids = torch.tensor([[resolution, resolution, 0, 0, resolution, resolution]], dtype=torch.float32)
        return cls(means=latent.mean.float().reshape(shape), stds=latent.std.float().reshape(shape), ids=ids,
                   condition=condition, time_ids=time_ids)


def _pixels(image: np.ndarray, resolution: int) -> torch.Tensor:
    """Resize the short side to ``resolution``, crop the centre square, scale to [-1, 1] (C, H, W)."""
    picture = Image.fromarray(image)
    scale = resolution / min(picture.size)
    size = (max(resolution, round(picture.width * scale)), max(resolution, round(picture.height * scale)))
    picture = picture.resize(size, Image.Resampling.BILINEAR)
    left, top = (size[0] - resolution) // 2, (size[1] - resolution) // 2
    picture = picture.crop((left, top, left + resolution, top + resolution))
    array = np.asarray(picture, dtype=np.float32) / 127.5 - 1.0
    return torch.from_numpy(array).permute(2, 0, 1)


def _loss(model: _Model, data: _Data, *, batch_size: int, generator: torch.Generator, device: str) -> torch.Tensor:
    """The noise-prediction MSE of one batch (the target as the scheduler predicts: epsilon or v)."""
    picks = torch.randint(0, data.means.shape[0], (batch_size,), generator=generator)
    flips = torch.randint(0, 2, (batch_size,), generator=generator)
    mean, std = data.means[picks, flips], data.stds[picks, flips]
    # The generator is a CPU one (the same draws on any device); the latents' moments live on the GPU.
    sample = torch.randn(mean.shape, generator=generator).to(mean.device)
    latents = (mean + std * sample) * model.vae.config.scaling_factor
    noise = torch.randn(latents.shape, generator=generator)
    timesteps = torch.randint(0, model.scheduler.config.num_train_timesteps, (batch_size,), generator=generator)
    latents, noise, timesteps = latents.to(device), noise.to(device), timesteps.to(device)
    noisy = model.scheduler.add_noise(latents, noise, timesteps)
    with model.autocast():
        if data.condition is not None:
            hidden, pooled = (None if t is None else t[picks.to(t.device)] for t in data.condition)
        else:
            hidden, pooled = model.encode_text([ids[picks] for ids in data.ids])
        extra = {}
        if model.sdxl:
            extra["added_cond_kwargs"] = {"text_embeds": pooled,
                                          "time_ids": data.time_ids.repeat(batch_size, 1).to(device)}
        prediction = model.unet(noisy.to(model.weight_dtype), timesteps, hidden, return_dict=False, **extra)[0]
    if model.scheduler.config.prediction_type == "v_prediction":
        target = model.scheduler.get_velocity(latents, noise, timesteps)
    else:
        target = noise
    return F.mse_loss(prediction.float(), target.float(), reduction="mean")


def _resume_state(out: Path, options: dict) -> dict:
    """The state of an earlier run in ``out`` with the same options, or a fresh one."""
    path = out / "state.json"
    if not path.is_file():
        return {"options": options, "step": 0, "checkpoints": {}}
    state = json.loads(path.read_text())
    changed = [key for key in RESUME_KEYS if state["options"].get(key) != options[key]]
    if changed:
        raise EngineError(ErrorCode.INVALID_OPTION,
                          f"{out} holds a training with other {', '.join(changed)}: train into a new folder.")
    return state


def _checkpoint(out: Path, state: dict, step: int, model: _Model, optimizer: torch.optim.Optimizer,
                generator: torch.Generator, validate: Callable[[Path], float] | None) -> None:
    """Save the LoRA and the optimizer, score the LoRA, then record both in state.json (last, so a
    crash in between leaves the previous checkpoint as the one to resume from)."""
    folder = out / "checkpoints"
    lora = folder / f"step-{step}.safetensors"
    model.save_lora(lora)
    torch.save({"optimizer": optimizer.state_dict(), "generator": generator.get_state()},
               folder / f"optimizer-{step}.pt")
    score = float(validate(lora)) if validate is not None else None
    state["checkpoints"][str(step)] = score
    state["step"] = step
    _write_json(out / "state.json", state)
    for old in folder.glob("optimizer-*.pt"):  # only the last is needed to resume
        if old.name != f"optimizer-{step}.pt":
            old.unlink()


def _merge_best(out: Path, state: dict, *, keep_best: int) -> None:
    """Average the ``keep_best`` best-scored checkpoints' LoRA tensors into out/lora.safetensors, as
    EasyPhoto merges its best checkpoints (a tie goes to the later one). Without scores, or with
    all scores equal (tiny models draw no face, so every checkpoint scores the worst), the scores
    rank nothing and the last checkpoint is the result."""
    checkpoints = {int(step): score for step, score in state["checkpoints"].items()}
    scored = [step for step, score in checkpoints.items() if score is not None]
    if len({checkpoints[step] for step in scored}) > 1:
        chosen = sorted(scored, key=lambda step: (-checkpoints[step], -step))[:keep_best]
    else:
        chosen = [max(checkpoints)]
    tensors: dict[str, torch.Tensor] = {}
    for step in chosen:
        for key, value in load_file(out / "checkpoints" / f"step-{step}.safetensors").items():
            tensors[key] = tensors.get(key, 0) + value.float() / len(chosen)
    partial = out / "lora.safetensors.partial"
    save_file({key: value.contiguous() for key, value in tensors.items()}, partial, metadata={"format": "pt"})
    os.replace(partial, out / "lora.safetensors")
    state["merged"] = sorted(chosen)
    _write_json(out / "state.json", state)


def _result(out: Path, state: dict, *, resumed_from: int) -> TrainedLora:
    return TrainedLora(
        path=out / "lora.safetensors", steps=state["step"],
        scores={int(step): score for step, score in state["checkpoints"].items()},
        merged=tuple(state.get("merged", ())), resumed_from=resumed_from,
    )


def _write_json(path: Path, data: dict) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(data, indent=1))
    os.replace(partial, path)
