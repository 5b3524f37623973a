"""Decoding and encoding of images: the engine's only door for untrusted bytes.

Phones make 12-50 MP photos, so large images are downscaled while decoding, not refused; only
images whose header claims more pixels than any camera makes (decompression bombs) are refused.
"""
from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import EngineError, ErrorCode

# 50 MP phones plus headroom; a bigger header is a bomb, not a photo. Set deliberately rather
# than relying on Pillow's default (89 MP warning, 179 MP error) so both limits are ours.
MAX_PIXELS = 64_000_000
MAX_BYTES = 40 * 1024 * 1024
# Working resolution: the engine never needs more than this on the long side.
DEFAULT_MAX_SIDE = 2048
FORMATS = ("JPEG", "PNG", "WEBP", "BMP", "TIFF", "MPO")

Image.MAX_IMAGE_PIXELS = MAX_PIXELS


@dataclass(frozen=True)
class Decoded:
    """An RGB uint8 image and what is known of the file it came from."""

    rgb: np.ndarray  # H x W x 3, uint8, EXIF orientation applied
    original_size: tuple[int, int]  # (width, height) after orientation, before downscaling
    format: str

    @property
    def scale(self) -> float:
        """Factor from original pixels to ``rgb`` pixels (<= 1)."""
        return self.rgb.shape[1] / self.original_size[0]


def decode(data: bytes, *, max_side: int = DEFAULT_MAX_SIDE) -> Decoded:
    """Decode image bytes into RGB, applying EXIF orientation and downscaling to ``max_side``."""
    if not data:
        raise EngineError(ErrorCode.IMAGE_DECODE, "The file is empty.")
    if len(data) > MAX_BYTES:
        raise EngineError(
            ErrorCode.IMAGE_TOO_LARGE,
            f"The file is {len(data) / 2**20:.1f} MB; the limit is {MAX_BYTES // 2**20} MB.",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            _refuse_bombs(image)
            if image.format not in FORMATS:
                raise EngineError(
                    ErrorCode.IMAGE_DECODE,
                    f"Unsupported image format {image.format}; use JPEG, PNG or WebP.",
                )
            original = _oriented_size(image)
            if image.format in ("JPEG", "MPO"):
                # JPEG can decode at 1/2, 1/4 or 1/8 scale: far faster and lighter for 50 MP.
                image.draft("RGB", (max_side, max_side))
            image.load()
            image = ImageOps.exif_transpose(image)
            rgb = _to_rgb(image)
    except EngineError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise EngineError(ErrorCode.IMAGE_TOO_LARGE, f"The image has too many pixels: {exc}") from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as exc:
        raise EngineError(ErrorCode.IMAGE_DECODE, "The file is not a readable image.") from exc
    rgb = _limit_side(rgb, max_side)
    return Decoded(rgb=rgb, original_size=original, format=image.format or "")


def read(path: str | Path, *, max_side: int = DEFAULT_MAX_SIDE) -> Decoded:
    """Decode an image file; a missing or unreadable file is a decode error."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise EngineError(ErrorCode.IMAGE_DECODE, f"Cannot read {path}: {exc.strerror}.") from exc
    return decode(data, max_side=max_side)


def _refuse_bombs(image: Image.Image) -> None:
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise EngineError(
            ErrorCode.IMAGE_TOO_LARGE,
            f"The image is {width}x{height} ({width * height / 1e6:.0f} MP); "
            f"the limit is {MAX_PIXELS / 1e6:.0f} MP.",
        )
    if width < 1 or height < 1:
        raise EngineError(ErrorCode.IMAGE_DECODE, "The image has no pixels.")


def _oriented_size(image: Image.Image) -> tuple[int, int]:
    orientation = image.getexif().get(0x0112, 1)
    width, height = image.size
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def _to_rgb(image: Image.Image) -> np.ndarray:
    mode = image.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        # 16-bit and float greyscale: stretch the used range into 8 bits instead of clipping.
        values = np.asarray(image, dtype=np.float32)
        lo, hi = float(values.min()), float(values.max())
        scale = 255.0 / (hi - lo) if hi > lo else 0.0
        grey = ((values - lo) * scale).clip(0, 255).astype(np.uint8)
        return np.repeat(grey[:, :, None], 3, axis=2)
    if mode in ("RGBA", "LA", "PA") or (mode == "P" and "transparency" in image.info):
        # Transparent areas become white, as a photo studio backdrop would be.
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return np.asarray(Image.alpha_composite(background, rgba).convert("RGB"))
    return np.asarray(image.convert("RGB"))


def _limit_side(rgb: np.ndarray, max_side: int) -> np.ndarray:
    height, width = rgb.shape[:2]
    longest = max(height, width)
    if longest <= max_side:
        return np.ascontiguousarray(rgb)
    scale = max_side / longest
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return np.asarray(Image.fromarray(rgb).resize(size, Image.Resampling.LANCZOS))


def resize_to_side(rgb: np.ndarray, *, max_side: int) -> np.ndarray:
    """Downscale so the long side is at most ``max_side`` (never upscales)."""
    return _limit_side(rgb, max_side)


def encode(rgb: np.ndarray, *, format: str = "JPEG", quality: int = 95) -> bytes:
    """Encode RGB pixels; nothing of the input's metadata (EXIF, GPS) is carried over."""
    buffer = io.BytesIO()
    image = Image.fromarray(np.ascontiguousarray(rgb))
    if format.upper() in ("JPEG", "JPG"):
        image.save(buffer, "JPEG", quality=quality, subsampling=0 if quality >= 90 else 2)
    elif format.upper() == "PNG":
        image.save(buffer, "PNG", compress_level=3)
    else:
        raise ValueError(f"unsupported output format {format}")
    return buffer.getvalue()


def write(path: str | Path, rgb: np.ndarray, *, quality: int = 95) -> None:
    """Write an image atomically: a reader never sees a half-written file."""
    path = Path(path)
    fmt = "PNG" if path.suffix.lower() == ".png" else "JPEG"
    data = encode(rgb, format=fmt, quality=quality)
    temporary = path.with_name(f".{path.name}.partial")
    temporary.write_bytes(data)
    temporary.replace(path)
