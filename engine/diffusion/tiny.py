"""Tiny random models laid out as real checkpoints, so tests and the self-test run the production
loading code (``from_pretrained`` on a folder) on any CPU, with no download.

The classes are the real ones (SD 1.5 or SDXL family); only the sizes are tiny, the way diffusers
tests its own pipelines. The VAE keeps SD's factor of 8 between pixels and latents, so size rules
hold; the UNet's default sample is 8 latents (64 px images). Layout written by ``tiny_models_dir``:

    PATH/model_index.json unet/ vae/ text_encoder/ tokenizer/ scheduler/   (+ text_encoder_2/ tokenizer_2/ with sdxl)
    PATH/controlnet-canny/   a ControlNetModel matching the UNet          (controlnet=True)
    PATH/inpaint/            the same pipeline with a 9-channel UNet      (inpaint=True)

``tiny_ip_adapter`` writes an IP-Adapter for such a UNet in h94/IP-Adapter's layout (a CLIP vision
encoder and one .safetensors of image-projection and cross-attention weights).
"""
from __future__ import annotations

import itertools
import json
from pathlib import Path

import torch
from diffusers import (
    AutoencoderKL,
    ControlNetModel,
    EulerDiscreteScheduler,
    PNDMScheduler,
    StableDiffusionPipeline,
    StableDiffusionXLPipeline,
    UNet2DConditionModel,
)
from safetensors.torch import save_file
from transformers import (
    CLIPTextConfig,
    CLIPTextModel,
    CLIPTextModelWithProjection,
    CLIPTokenizer,
    CLIPVisionConfig,
    CLIPVisionModelWithProjection,
)

SAMPLE_SIZE = 8  # latents; times the VAE's factor 8 = 64 px images by default
TEXT_HIDDEN = 32
MAX_TOKENS = 77
VOCAB_SIZE = 1000
BOS, EOS = "<|startoftext|>", "<|endoftext|>"
# Words that become single tokens (whole-word merges), so prompts tokenize like a real CLIP's would.
WORDS = ("a", "photo", "of", "person", "portrait", "face", "easyphoto", "man", "woman", "best", "quality",
         "close", "up", "smile", "light", "studio", "background", "hair", "skin", "detailed", "realistic")
# SD 1.5's scheduler settings (scheduler/scheduler_config.json of runwayml/stable-diffusion-v1-5).
SD15_SCHEDULER = {"beta_start": 0.00085, "beta_end": 0.012, "beta_schedule": "scaled_linear",
                  "num_train_timesteps": 1000, "skip_prk_steps": True, "set_alpha_to_one": False, "steps_offset": 1}
SDXL_SCHEDULER = {"beta_start": 0.00085, "beta_end": 0.012, "beta_schedule": "scaled_linear",
                  "num_train_timesteps": 1000, "steps_offset": 1, "timestep_spacing": "leading"}


def tiny_models_dir(path: Path, *, sdxl: bool = False, controlnet: bool = True, inpaint: bool = False,
                    seed: int = 0, variant: str | None = None) -> Path:
    """Write a tiny random SD 1.5 (or SDXL) model folder at ``path`` and return it; with ``variant``
    ("fp16") the base's weight files are named as the manifest fetches them (*.fp16.safetensors)."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    build = _sdxl_pipeline if sdxl else _sd15_pipeline
    pipe = build(path, in_channels=4)
    pipe.save_pretrained(path, safe_serialization=True, variant=variant)
    if controlnet:
        torch.manual_seed(seed + 1)
        ControlNetModel.from_unet(pipe.unet, conditioning_embedding_out_channels=(8, 8, 8, 8)).save_pretrained(
            path / "controlnet-canny", safe_serialization=True)
    if inpaint:
        torch.manual_seed(seed + 2)
        inpainting = build(path / "inpaint", in_channels=9)
        inpainting.save_pretrained(path / "inpaint", safe_serialization=True)
    return path


IP_ADAPTER_TOKENS = 4  # image tokens of the plain IP-Adapter (ip-adapter_sd15)
IMAGE_EMBED = 32  # the tiny CLIP vision encoder's projection


def tiny_ip_adapter(base: Path, folder: Path, *, weight_name: str = "ip-adapter_sd15.safetensors",
                    seed: int = 0) -> Path:
    """Write a random IP-Adapter for ``base``'s UNet into ``folder``/models (h94/IP-Adapter's layout:
    models/WEIGHT_NAME and models/image_encoder/) and return ``folder``. The weights' keys are those
    of the plain IP-Adapter: ``image_proj.proj``/``norm`` (a linear map of the CLIP image embedding
    to 4 tokens) and ``ip_adapter.<k>.to_k_ip``/``to_v_ip`` for each cross-attention, numbered as
    the original checkpoints number them (odd k, in the UNet's processor order)."""
    torch.manual_seed(seed)
    models = Path(folder) / "models"
    models.mkdir(parents=True, exist_ok=True)
    CLIPVisionModelWithProjection(CLIPVisionConfig(
        hidden_size=32, projection_dim=IMAGE_EMBED, num_hidden_layers=2, num_attention_heads=4, intermediate_size=37,
        image_size=32, patch_size=4,
    )).save_pretrained(models / "image_encoder", safe_serialization=True)
    unet = UNet2DConditionModel.from_pretrained(base, subfolder="unet")
    cross = unet.config.cross_attention_dim
    tensors = {
        "image_proj.proj.weight": torch.randn(cross * IP_ADAPTER_TOKENS, IMAGE_EMBED) * 0.02,
        "image_proj.proj.bias": torch.zeros(cross * IP_ADAPTER_TOKENS),
        "image_proj.norm.weight": torch.ones(cross),
        "image_proj.norm.bias": torch.zeros(cross),
    }
    key = 1
    for name, module in unet.attn_processors.items():
        if name.endswith("attn1.processor"):
            continue
        hidden = _hidden_size(unet, name)
        tensors[f"ip_adapter.{key}.to_k_ip.weight"] = torch.randn(hidden, cross) * 0.02
        tensors[f"ip_adapter.{key}.to_v_ip.weight"] = torch.randn(hidden, cross) * 0.02
        key += 2
    save_file(tensors, str(models / weight_name))
    return Path(folder)


def _hidden_size(unet: UNet2DConditionModel, processor: str) -> int:
    """The width of the attention block ``processor`` belongs to (as diffusers' loader computes it)."""
    channels = unet.config.block_out_channels
    if processor.startswith("mid_block"):
        return channels[-1]
    block = int(processor[len("up_blocks."):].split(".")[0]) if processor.startswith("up_blocks") else \
        int(processor[len("down_blocks."):].split(".")[0])
    return list(reversed(channels))[block] if processor.startswith("up_blocks") else channels[block]


def _sd15_pipeline(path: Path, *, in_channels: int) -> StableDiffusionPipeline:
    unet = UNet2DConditionModel(
        sample_size=SAMPLE_SIZE, in_channels=in_channels, out_channels=4, layers_per_block=1,
        block_out_channels=(32, 64), down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"), cross_attention_dim=TEXT_HIDDEN,
        attention_head_dim=8, norm_num_groups=32,
    )
    return StableDiffusionPipeline(
        vae=_vae(), text_encoder=CLIPTextModel(_text_config()), tokenizer=tiny_tokenizer(path / "tokenizer"),
        unet=unet, scheduler=PNDMScheduler(**SD15_SCHEDULER), safety_checker=None, feature_extractor=None,
        requires_safety_checker=False,
    )


def _sdxl_pipeline(path: Path, *, in_channels: int) -> StableDiffusionXLPipeline:
    time_dim = 8
    unet = UNet2DConditionModel(
        sample_size=SAMPLE_SIZE, in_channels=in_channels, out_channels=4, layers_per_block=1,
        block_out_channels=(32, 64), down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"), attention_head_dim=(2, 4), use_linear_projection=True,
        addition_embed_type="text_time", addition_time_embed_dim=time_dim, transformer_layers_per_block=(1, 2),
        # SDXL conditions on 6 size numbers (original size, crop, target size) plus the pooled text.
        projection_class_embeddings_input_dim=6 * time_dim + TEXT_HIDDEN, cross_attention_dim=2 * TEXT_HIDDEN,
        norm_num_groups=32,
    )
    return StableDiffusionXLPipeline(
        vae=_vae(), text_encoder=CLIPTextModel(_text_config()),
        text_encoder_2=CLIPTextModelWithProjection(_text_config(projection_dim=TEXT_HIDDEN)),
        tokenizer=tiny_tokenizer(path / "tokenizer"), tokenizer_2=tiny_tokenizer(path / "tokenizer_2"),
        unet=unet, scheduler=EulerDiscreteScheduler(**SDXL_SCHEDULER), force_zeros_for_empty_prompt=True,
    )


def _vae() -> AutoencoderKL:
    # Four blocks: SD's downsampling factor of 8 (2 ** (blocks - 1)).
    return AutoencoderKL(
        in_channels=3, out_channels=3, latent_channels=4, layers_per_block=1, norm_num_groups=8,
        block_out_channels=(8, 16, 16, 16), down_block_types=("DownEncoderBlock2D",) * 4,
        up_block_types=("UpDecoderBlock2D",) * 4, sample_size=SAMPLE_SIZE * 8,
    )


def _text_config(**extra) -> CLIPTextConfig:
    vocab = _vocab()
    return CLIPTextConfig(
        vocab_size=VOCAB_SIZE, hidden_size=TEXT_HIDDEN, intermediate_size=37, num_hidden_layers=2,
        num_attention_heads=4, max_position_embeddings=MAX_TOKENS, hidden_act="quick_gelu",
        bos_token_id=vocab[BOS], eos_token_id=vocab[EOS], pad_token_id=vocab[EOS], **extra,
    )


def tiny_tokenizer(folder: Path) -> CLIPTokenizer:
    """A byte-level BPE CLIP tokenizer from a vocabulary written here (CLIP's own scheme, tiny)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.json").write_text(json.dumps(_vocab()), encoding="utf-8")
    (folder / "merges.txt").write_text("#version: 0.2\n" + "\n".join(" ".join(pair) for pair in _merges()) + "\n",
                                       encoding="utf-8")
    return CLIPTokenizer(str(folder / "vocab.json"), str(folder / "merges.txt"), model_max_length=MAX_TOKENS,
                         bos_token=BOS, eos_token=EOS, unk_token=EOS, pad_token=EOS)


def _byte_symbols() -> list[str]:
    """CLIP's (and GPT-2's) printable stand-in for each of the 256 bytes."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(
        range(ord("®"), ord("ÿ") + 1))
    symbols, extra = [], 0
    for byte in range(256):
        if byte in printable:
            symbols.append(chr(byte))
        else:
            symbols.append(chr(256 + extra))
            extra += 1
    return symbols


def _merges() -> list[tuple[str, str]]:
    """Merges that make each of WORDS one token ("photo</w>"). Each word first takes the merges that
    exist (as BPE would), then gets new ones joining what is left, so no word splits another."""
    merges: list[tuple[str, str]] = []
    for word in WORDS:
        pieces = _bpe(list(word[:-1]) + [word[-1] + "</w>"], merges)
        while len(pieces) > 1:
            merges.append((pieces[0], pieces[1]))
            pieces = [pieces[0] + pieces[1]] + pieces[2:]
    return merges


def _bpe(pieces: list[str], merges: list[tuple[str, str]]) -> list[str]:
    """Apply merges as BPE does: the lowest-ranked pair present, again and again."""
    ranks = {pair: rank for rank, pair in enumerate(merges)}
    while len(pieces) > 1:
        pairs = [(ranks.get(pair, len(ranks)), i) for i, pair in enumerate(itertools.pairwise(pieces))]
        rank, i = min(pairs)
        if rank == len(ranks):
            break
        pieces = pieces[:i] + [pieces[i] + pieces[i + 1]] + pieces[i + 2:]
    return pieces


def _vocab() -> dict[str, int]:
    tokens = _byte_symbols()
    tokens += [symbol + "</w>" for symbol in tokens]
    tokens += ["".join(pair) for pair in _merges()]
    tokens += [BOS, EOS]
    vocab = {token: index for index, token in enumerate(dict.fromkeys(tokens))}
    assert len(vocab) <= VOCAB_SIZE, len(vocab)
    return vocab
