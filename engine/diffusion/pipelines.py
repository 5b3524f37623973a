"""Diffusers pipelines loaded from local folders, placed on the device, cached between jobs.

One process keeps a few pipelines (LRU keyed by folders, dtype and device) and runs one GPU job at a
time (``gpu_job``). Adapters a job adds (the avatars' LoRAs, LCM-LoRA, IP-Adapter) and the scheduler
it swaps are taken off again when the job ends (``job_adapters``), so a cached pipeline is the same
for every job.
"""
from __future__ import annotations

import contextlib
import json
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from diffusers import (
    ControlNetModel,
    DiffusionPipeline,
    LCMScheduler,
    StableDiffusionControlNetInpaintPipeline,
    StableDiffusionPipeline,
    StableDiffusionXLControlNetInpaintPipeline,
    StableDiffusionXLPipeline,
    UNet2DConditionModel,
)

CACHE_SIZE = 2  # an SD 1.5 and an SDXL pipeline fit one 80 GB GPU side by side; more rarely pays
# Above this many pixels on a side the VAE decodes in tiles (a 2048 px decode alone takes ~10 GB).
VAE_TILING_FROM = 1280
# Headroom for activations beyond the weights, measured loosely: SD 1.5 at 512-768 px needs about
# 3 GB, SDXL at 1024 px about 6 GB. With less free memory the pipeline is offloaded model by model.
ACTIVATION_BYTES = {"sd15": 3 << 30, "sdxl": 6 << 30}

_cache: OrderedDict[tuple, DiffusionPipeline] = OrderedDict()
_cache_lock = threading.Lock()
_gpu = threading.Lock()


@dataclass(frozen=True)
class Runtime:
    device: str
    dtype: torch.dtype


def runtime() -> Runtime:
    """CUDA in bf16 where the GPU supports it (fp16 otherwise); the CPU in fp32."""
    if torch.cuda.is_available():
        return Runtime("cuda", torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16)
    return Runtime("cpu", torch.float32)


def family(base: Path) -> str:
    """"sdxl" or "sd15" from a diffusers folder's model_index.json."""
    index = json.loads((Path(base) / "model_index.json").read_text())
    return "sdxl" if "XL" in index.get("_class_name", "") or "text_encoder_2" in index else "sd15"


def inpaint_pipeline(base: Path, controlnets: Sequence[Path], *, unet: Path | None = None,
                     at: Runtime | None = None) -> DiffusionPipeline:
    """The ControlNet inpainting pipeline of ``base`` with ``controlnets`` (in that order), cached;
    ``unet`` a folder whose unet/ replaces the base's (a 9-channel inpainting UNet)."""
    at = at or runtime()
    folders = [base, *controlnets] + ([unet] if unet else [])
    key = ("inpaint", *(str(Path(f).resolve()) for f in folders), len(controlnets), at.device, str(at.dtype))

    def load() -> DiffusionPipeline:
        kind = family(base)
        cls = StableDiffusionXLControlNetInpaintPipeline if kind == "sdxl" else StableDiffusionControlNetInpaintPipeline
        nets = [ControlNetModel.from_pretrained(c, torch_dtype=at.dtype, local_files_only=True, variant=weights_variant(c))
                for c in controlnets]
        extra = {} if kind == "sdxl" else {"safety_checker": None, "requires_safety_checker": False}
        if unet is not None:
            extra["unet"] = UNet2DConditionModel.from_pretrained(
                unet, subfolder="unet", torch_dtype=at.dtype, local_files_only=True,
                variant=weights_variant(Path(unet) / "unet"))
        return cls.from_pretrained(
            base, controlnet=nets if len(nets) > 1 else nets[0], torch_dtype=at.dtype, local_files_only=True,
            variant=weights_variant(Path(base) / "unet"), **extra,
        )

    return _cached(key, load, at, family(base))


def base_pipeline(base: Path, *, at: Runtime | None = None) -> DiffusionPipeline:
    """The text-to-image pipeline of ``base`` alone (no ControlNet), cached: what training's
    validation draws each checkpoint with."""
    at = at or runtime()
    key = ("text", str(Path(base).resolve()), at.device, str(at.dtype))

    def load() -> DiffusionPipeline:
        if family(base) == "sdxl":
            cls, extra = StableDiffusionXLPipeline, {}
        else:
            cls, extra = StableDiffusionPipeline, {"safety_checker": None, "requires_safety_checker": False}
        return cls.from_pretrained(base, torch_dtype=at.dtype, local_files_only=True,
                                   variant=weights_variant(Path(base) / "unet"), **extra)

    return _cached(key, load, at, family(base))


def _cached(key: tuple, load: Callable[[], DiffusionPipeline], at: Runtime, kind: str) -> DiffusionPipeline:
    """The pipeline cached under ``key``, or ``load()``ed, placed and cached (least recently used out)."""
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    pipe = load()
    _place(pipe, at, kind)
    pipe.set_progress_bar_config(disable=True)
    with _cache_lock:
        _cache[key] = pipe
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return pipe


def weights_variant(folder: Path) -> str | None:
    """"fp16" where the folder holds only half-precision files (the manifest fetches those)."""
    return "fp16" if any(Path(folder).glob("*.fp16.safetensors")) else None


def text_pipeline(inpaint: DiffusionPipeline) -> DiffusionPipeline:
    """Text-to-image on the same weights as ``inpaint`` (no second copy in memory)."""
    cls = StableDiffusionXLPipeline if isinstance(inpaint, StableDiffusionXLControlNetInpaintPipeline) else StableDiffusionPipeline
    pipe = cls.from_pipe(inpaint)
    pipe.set_progress_bar_config(disable=True)
    return pipe


def _place(pipe: DiffusionPipeline, at: Runtime, kind: str) -> None:
    """On the GPU whole when the weights and activations fit in the free memory, else offloaded
    (each model moved to the GPU while it runs: slower, a third of the memory)."""
    if at.device != "cuda":
        pipe.to(at.device)
        return
    free, _ = torch.cuda.mem_get_info()
    weights = sum(p.numel() * p.element_size() for m in pipe.components.values() if isinstance(m, torch.nn.Module)
                  for p in m.parameters())
    if free < weights + ACTIVATION_BYTES[kind]:
        pipe.enable_model_cpu_offload()
    else:
        pipe.to(at.device)


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


@contextlib.contextmanager
def gpu_job() -> Iterator[None]:
    """One job at a time on this process's device: two at once would each run out of memory."""
    with _gpu:
        yield


@dataclass(frozen=True)
class IpAdapter:
    """Where an IP-Adapter's weights are: ``folder/subfolder/weight_name`` and the CLIP image
    encoder in ``folder/subfolder/image_encoder`` (h94/IP-Adapter's layout)."""

    folder: Path
    weight_name: str
    subfolder: str = "models"


@contextlib.contextmanager
def job_adapters(
    pipe: DiffusionPipeline, *, loras: dict[str, Path], lcm: Path | None = None, ip_adapter: IpAdapter | None = None
) -> Iterator[list[str]]:
    """``loras`` (adapter name -> .safetensors) loaded into ``pipe``, with LCM's scheduler and LoRA
    and an IP-Adapter where given; all taken off again afterwards. Yields the adapter names."""
    scheduler = pipe.scheduler
    names: list[str] = []
    try:
        for name, path in [*loras.items(), *([(LCM_ADAPTER, lcm)] if lcm is not None else [])]:
            lora_load(pipe, path, name=name)
            names.append(name)
        if lcm is not None:
            pipe.scheduler = LCMScheduler.from_config(scheduler.config)
        if ip_adapter is not None:
            pipe.load_ip_adapter(
                str(ip_adapter.folder), subfolder=ip_adapter.subfolder, weight_name=ip_adapter.weight_name,
                local_files_only=True,
            )
        yield names
    finally:
        pipe.scheduler = scheduler
        if names:
            pipe.enable_lora()  # a pass without LoRA disabled them; the next job's must start enabled
            pipe.delete_adapters(names)
        if ip_adapter is not None and getattr(pipe, "image_encoder", None) is not None:
            pipe.unload_ip_adapter()


LCM_ADAPTER = "lcm"


def lora_load(pipe: DiffusionPipeline, path: Path, *, name: str) -> None:
    """The LoRA file ``path`` loaded into ``pipe`` as the adapter ``name``, from disk only. Named by
    folder and file: given a file alone, diffusers guesses its name by asking the Hub, which a
    worker offline (HF_HUB_OFFLINE, as after `models fetch`) refuses."""
    path = Path(path)
    with warnings.catch_warnings():
        # peft warns at every adapter after the first: several at once is the point here.
        warnings.filterwarnings("ignore", message="Already found a `peft_config`")
        pipe.load_lora_weights(str(path.parent), weight_name=path.name, adapter_name=name, local_files_only=True)


def use_adapters(pipe: DiffusionPipeline, weights: dict[str, float]) -> None:
    """Activate exactly these adapters at these weights (the others off)."""
    if weights:
        pipe.enable_lora()
        pipe.set_adapters(list(weights), adapter_weights=list(weights.values()))
    elif getattr(pipe, "get_list_adapters", None) and any(pipe.get_list_adapters().values()):
        pipe.disable_lora()


def vae_tiling(pipe: DiffusionPipeline, *, width: int, height: int) -> None:
    """Tiled VAE decoding for large images only (it costs a little time and seams nothing)."""
    if max(width, height) > VAE_TILING_FROM:
        pipe.enable_vae_tiling()
    else:
        pipe.disable_vae_tiling()


@dataclass(frozen=True)
class ModelSet:
    """The folders a creation loads. ``base`` is a diffusers folder (SD 1.5 family, or SDXL);
    the others are optional, and an option that needs a missing one is refused by name."""

    base: Path
    canny: Path  # ControlNetModel folder for canny edges
    inpaint: Path | None = None  # a folder with unet/: an inpainting UNet (9 channels) for ``base``
    landmarks: Path | None = None  # a face-landmark ControlNet (MediaPipe face), used when present
    ip_adapter: IpAdapter | None = None
    lcm_lora: Path | None = None  # LCM-LoRA .safetensors for ``base``'s family
    scenes: Path | None = None  # folder of scene LoRAs, NAME.safetensors (``scene_id``)

    def controlnets(self) -> list[Path]:
        return [self.canny] + ([self.landmarks] if self.landmarks else [])
