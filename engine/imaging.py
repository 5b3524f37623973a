"""Decoding and encoding of images: the engine's only door for untrusted bytes.

Phones make 12-200 MP photos, so large images are downscaled while decoding, not refused; only
images whose header claims more pixels than any camera makes (decompression bombs) are refused.
"""
from __future__ import annotations

import io
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from .errors import EngineError, ErrorCode

# Pixels decode may hold at once (50 MP plus headroom); a bigger PNG, WebP... header is a bomb, not
# a photo. decode checks the header itself before any pixel is decoded.
MAX_PIXELS = 64_000_000
# JPEG is what phones write, up to 200 MP (108 and 200 MP sensors), and libjpeg decodes it at
# 1/2, 1/4 or 1/8 scale (draft): what is held is the drafted size, checked against MAX_PIXELS.
MAX_JPEG_PIXELS = 256_000_000
DRAFTED_FORMATS = ("JPEG", "MPO")
MAX_BYTES = 40 * 1024 * 1024
# Long side over short side. Panoramas reach 4:1; a 20000x50 strip is no photo of a face, and
# scaling its short side up to a working size would ask for gigabytes.
MAX_ASPECT_RATIO = 6.0
# Working resolution: the engine never needs more than this on the long side.
DEFAULT_MAX_SIDE = 2048
FORMATS = ("JPEG", "PNG", "WEBP", "BMP", "TIFF", "MPO")

# Pillow's own guard stays as a backstop, at our largest limit rather than its default (89 MP
# warning, 179 MP error): over 2x it refuses in Image.open, between 1x and 2x it warns. decode
# turns either into our message and never touches the warning filters (process-wide, not
# thread-safe); the per-format limits below it are ours (_refuse_bombs).
Image.MAX_IMAGE_PIXELS = MAX_JPEG_PIXELS


@dataclass(frozen=True)
class ImageInfo:
    """What a file's header says, once it passed the limits."""

    format: str
    width: int  # after EXIF orientation
    height: int


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

    @property
    def info(self) -> ImageInfo:
        return ImageInfo(format=self.format, width=self.original_size[0], height=self.original_size[1])


def inspect(data: bytes) -> ImageInfo:
    """The format and size of an image from its header alone, refused as ``decode`` would refuse
    it for its bytes, format, pixel count or shape. Nothing is decoded: cheap on any file."""
    with _opened(data) as image:
        return ImageInfo(image.format or "", *_oriented_size(image))


def decode(data: bytes, *, max_side: int = DEFAULT_MAX_SIDE) -> Decoded:
    """Decode image bytes into RGB, applying EXIF orientation and downscaling to ``max_side``.

    Peak memory is bounded by the file's own pixels (at most MAX_PIXELS x 4 bytes): the image is
    reduced by an integer factor right after loading, and brought to ``max_side`` before it is
    converted, so no conversion copies more than the working size."""
    with _opened(data) as image:
        file_format = image.format or ""
        original = _oriented_size(image)
        if file_format in DRAFTED_FORMATS:
            _draft(image, max_side)
            _refuse_bombs(image.size, limit=MAX_PIXELS)  # a large max_side may leave too much
        image.load()
        image = _reduced(_resizable(image), max_side)
        ImageOps.exif_transpose(image, in_place=True)
        rgb = _to_rgb(_fitted(image, max_side))
    return Decoded(rgb=np.ascontiguousarray(rgb), original_size=original, format=file_format)


@contextmanager
def _opened(data: bytes) -> Iterator[Image.Image]:
    """Opens the bytes with every limit checked on the header; whatever Pillow's parsers raise
    inside the block (they raise struct.error, IndexError and more on crafted files) becomes an
    EngineError, so a hostile file is a refusal and never a crash."""
    if not data:
        raise EngineError(ErrorCode.IMAGE_DECODE, "The file is empty.")
    if len(data) > MAX_BYTES:
        raise EngineError(
            ErrorCode.IMAGE_TOO_LARGE,
            f"The file is {len(data) / 2**20:.1f} MB; the limit is {MAX_BYTES // 2**20} MB.",
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            _refuse_bombs(image.size, limit=_pixel_limit(image.format or ""))
            if (image.format or "") not in FORMATS:
                raise EngineError(
                    ErrorCode.IMAGE_DECODE,
                    f"The image is {image.format or 'of an unknown format'}, which is not supported; "
                    "use JPEG, PNG or WebP.",
                )
            yield image
    except EngineError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Pillow's guard fired inside Image.open, before ours could read the header (its warning
        # is an exception where the caller's filters say so, as under pytest).
        raise _too_large(_header_size(data), limit=MAX_JPEG_PIXELS if data[:2] == b"\xff\xd8" else MAX_PIXELS) from exc
    except MemoryError as exc:
        raise EngineError(ErrorCode.IMAGE_TOO_LARGE, "The image needs more memory than the studio allows.") from exc
    except Exception as exc:  # noqa: BLE001 - see the docstring: any parser failure is a bad file
        raise EngineError(ErrorCode.IMAGE_DECODE, "The file is not a readable image.") from exc


def read(path: str | Path, *, max_side: int = DEFAULT_MAX_SIDE) -> Decoded:
    """Decode an image file; a missing or unreadable file is a decode error."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise EngineError(ErrorCode.IMAGE_DECODE, f"Cannot read {path}: {_reason(exc)}.") from exc
    return decode(data, max_side=max_side)


def _reason(exc: OSError) -> str:
    # strerror is None for an OSError raised with a plain message (or none at all).
    return exc.strerror or str(exc) or type(exc).__name__


def _pixel_limit(file_format: str) -> int:
    return MAX_JPEG_PIXELS if file_format in DRAFTED_FORMATS else MAX_PIXELS


def _refuse_bombs(size: tuple[int, int], *, limit: int) -> None:
    width, height = size
    if width * height > limit:
        raise _too_large(size, limit=limit)
    if width < 1 or height < 1:
        raise EngineError(ErrorCode.IMAGE_DECODE, "The image has no pixels.")
    if max(width, height) > MAX_ASPECT_RATIO * min(width, height):
        raise EngineError(
            ErrorCode.IMAGE_SHAPE,
            f"The image is {width}x{height}: longer than {MAX_ASPECT_RATIO:g} times its width; "
            "crop it closer to the person.",
        )


def _too_large(size: tuple[int, int] | None, *, limit: int = MAX_PIXELS) -> EngineError:
    if size is None:
        return EngineError(ErrorCode.IMAGE_TOO_LARGE, f"The image has more than {limit:,} pixels.")
    width, height = size
    return EngineError(
        ErrorCode.IMAGE_TOO_LARGE,
        f"The image is {width}x{height}, {width * height:,} pixels; the limit is {limit:,}.",
    )


def _header_size(data: bytes) -> tuple[int, int] | None:
    """The size a header claims, read by the format's own parser without Pillow's bomb check.

    Only the header is parsed (Pillow decodes nothing before ``load``), so this is safe on a bomb.
    """
    prefix = data[:16]
    for file_format in FORMATS:
        factory, accept = Image.OPEN.get(file_format, (None, None))
        accepted = accept is None or accept(prefix)
        if factory is None or not accepted or isinstance(accepted, str):  # a str says why not
            continue
        try:
            return factory(io.BytesIO(data), "").size
        except Exception:  # a parser failing in any way just means "not this format"
            continue
    return None


def _draft(image: Image.Image, max_side: int) -> None:
    """Let libjpeg decode at 1/2, 1/4 or 1/8 scale: far faster and lighter for 50 MP.

    The request keeps the photo's proportions: Pillow reduces only while the result still covers
    the request on both sides, so a square request kept a 3:2 photo at full size.
    """
    width, height = image.size
    longest = max(width, height)
    if longest <= max_side:
        return
    image.draft("RGB", (math.ceil(width * max_side / longest), math.ceil(height * max_side / longest)))


def _resizable(image: Image.Image) -> Image.Image:
    """The image in a mode Pillow can reduce and resample: palettes and bilevel images expanded,
    16-bit greyscale widened to 32-bit integers (Pillow resamples those, not 16-bit ones)."""
    if image.mode in ("P", "PA", "1"):
        return _with_info(image.convert("RGBA" if "transparency" in image.info or image.mode == "PA" else "RGB"), image)
    if image.mode.startswith("I;16"):
        return _with_info(image.convert("I"), image)
    return image


def _reduced(image: Image.Image, max_side: int) -> Image.Image:
    """Shrinks a loaded image by the largest integer factor that keeps ``max_side`` covered, so
    nothing after copies a 64 MP image (a box filter: LANCZOS follows in _fitted)."""
    factor = max(image.size) // max_side
    return _with_info(image.reduce(factor), image) if factor >= 2 else image


def _fitted(image: Image.Image, max_side: int) -> Image.Image:
    longest = max(image.size)
    if longest <= max_side:
        return image
    scale = max_side / longest
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS)


def _with_info(derived: Image.Image, source: Image.Image) -> Image.Image:
    # A derived image starts with no info: EXIF (orientation) and transparency must come along.
    derived.info = dict(source.info)
    return derived


def _oriented_size(image: Image.Image) -> tuple[int, int]:
    orientation = image.getexif().get(0x0112, 1)
    width, height = image.size
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def _to_rgb(image: Image.Image) -> np.ndarray:
    mode = image.mode
    if mode == "RGB":
        return np.asarray(image)
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


def encode(rgb: np.ndarray, *, format: str = "JPEG", quality: int = 95, dpi: int | None = None) -> bytes:
    """Encode RGB pixels; nothing of the input's metadata (EXIF, GPS) is carried over.

    ``dpi`` writes a print resolution into the header (ID photos are printed at 300 dpi)."""
    buffer = io.BytesIO()
    image = Image.fromarray(np.ascontiguousarray(rgb))
    extra = {"dpi": (dpi, dpi)} if dpi else {}
    if format.upper() in ("JPEG", "JPG"):
        image.save(buffer, "JPEG", quality=quality, subsampling=0 if quality >= 90 else 2, **extra)
    elif format.upper() == "PNG":
        image.save(buffer, "PNG", compress_level=3, **extra)
    elif format.upper() == "WEBP":
        image.save(buffer, "WEBP", quality=quality, method=4)
    else:
        raise ValueError(f"unsupported output format {format}")
    return buffer.getvalue()


def write(path: str | Path, rgb: np.ndarray, *, quality: int = 95, dpi: int | None = None) -> None:
    """Write an image atomically: a reader never sees a half-written file."""
    path = Path(path)
    fmt = "PNG" if path.suffix.lower() == ".png" else "JPEG"
    data = encode(rgb, format=fmt, quality=quality, dpi=dpi)
    temporary = path.with_name(f".{path.name}.partial")
    temporary.write_bytes(data)
    temporary.replace(path)
