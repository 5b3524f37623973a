"""engine.imaging.decode: every kind of upload becomes H x W x 3 uint8, or a typed error."""
from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from skimage import data as samples

from engine import imaging
from engine.errors import EngineError, ErrorCode

RED, BLUE, WHITE = (255, 0, 0), (0, 0, 255), (255, 255, 255)


def encode(image: Image.Image, format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format, **options)
    return buffer.getvalue()


def decode_error(data: bytes) -> EngineError:
    with pytest.raises(EngineError) as caught:
        imaging.decode(data)
    return caught.value


def exif_rotated_jpeg() -> bytes:
    """300 x 200 pixels stored, red top-left corner, EXIF orientation 6 (turn 90 degrees clockwise)."""
    image = Image.new("RGB", (300, 200), BLUE)
    image.paste(RED, (0, 0, 40, 40))
    exif = Image.Exif()
    exif[0x0112] = 6
    return encode(image, "JPEG", exif=exif.tobytes())


def transparent(mode: str) -> bytes:
    """A 40 x 30 PNG whose left half is opaque red (black for LA) and right half fully transparent."""
    if mode == "RGBA":
        image = Image.new("RGBA", (40, 30), (0, 0, 0, 0))
        image.paste((*RED, 255), (0, 0, 20, 30))
        return encode(image, "PNG")
    if mode == "LA":
        image = Image.new("LA", (40, 30), (0, 0))
        image.paste((0, 255), (0, 0, 20, 30))
        return encode(image, "PNG")
    image = Image.new("P", (40, 30), 0)
    image.putpalette([0, 0, 0, *RED] + [0] * (256 - 2) * 3)
    image.paste(1, (0, 0, 20, 30))
    return encode(image, "PNG", transparency=0)


def grey_16_bit() -> bytes:
    values = np.linspace(1000, 3000, 80 * 100).reshape(80, 100).astype(np.uint16)
    return encode(Image.fromarray(values), "PNG")


UPLOADS = {
    "rgb-jpeg": lambda: encode(Image.new("RGB", (64, 48), RED), "JPEG"),
    "exif-rotated-jpeg": exif_rotated_jpeg,
    "rgba-png": lambda: transparent("RGBA"),
    "la-png": lambda: transparent("LA"),
    "palette-png-with-transparency": lambda: transparent("P"),
    "grey-png": lambda: encode(Image.new("L", (64, 48), 128), "PNG"),
    "grey-16-bit-png": grey_16_bit,
    "cmyk-jpeg": lambda: encode(Image.new("CMYK", (64, 48), (0, 255, 255, 0)), "JPEG"),
    "webp": lambda: encode(Image.new("RGB", (64, 48), RED), "WEBP"),
}


@pytest.mark.parametrize("kind", UPLOADS)
def test_decode_returns_three_channel_uint8(kind):
    decoded = imaging.decode(UPLOADS[kind]())

    assert decoded.rgb.ndim == 3 and decoded.rgb.shape[2] == 3
    assert decoded.rgb.dtype == np.uint8


def test_decode_applies_exif_orientation():
    decoded = imaging.decode(exif_rotated_jpeg())

    assert decoded.rgb.shape == (300, 200, 3)
    assert decoded.original_size == (200, 300)
    # The stored top-left corner is the displayed top-right corner.
    assert np.allclose(decoded.rgb[10, -10], RED, atol=8)
    assert np.allclose(decoded.rgb[10, 10], BLUE, atol=8)


@pytest.mark.xfail(
    strict=True,
    reason="engine/imaging.py:74 reads image.format after ImageOps.exif_transpose returned a copy without it",
)
def test_decode_reports_format_of_exif_rotated_jpeg():
    assert imaging.decode(exif_rotated_jpeg()).format == "JPEG"


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P"])
def test_decode_turns_transparent_pixels_white(mode):
    rgb = imaging.decode(transparent(mode)).rgb

    assert tuple(rgb[15, 30]) == WHITE
    assert tuple(rgb[15, 5]) == (RED if mode != "LA" else (0, 0, 0))


def test_decode_repeats_grey_into_three_equal_channels():
    rgb = imaging.decode(encode(Image.new("L", (64, 48), 128), "PNG")).rgb

    assert rgb.shape == (48, 64, 3)
    assert np.all(rgb == 128)


def test_decode_stretches_16_bit_grey_over_8_bits():
    rgb = imaging.decode(grey_16_bit()).rgb

    assert (rgb.min(), rgb.max()) == (0, 255)


def test_decode_converts_cmyk_jpeg_colours():
    rgb = imaging.decode(encode(Image.new("CMYK", (64, 48), (0, 255, 255, 0)), "JPEG")).rgb

    assert np.allclose(rgb[24, 32], RED, atol=8)


def test_decode_downscales_large_photo_to_2048_and_keeps_original_size():
    data = encode(Image.new("RGB", (6000, 4000), (90, 120, 150)), "JPEG")

    decoded = imaging.decode(data)

    assert decoded.rgb.shape == (1365, 2048, 3)
    assert decoded.original_size == (6000, 4000)
    assert decoded.scale == pytest.approx(2048 / 6000)


def test_decode_refuses_decompression_bomb_as_too_large():
    # 81 MP of one-bit pixels compress to about 10 kB: only the header tells.
    bomb = encode(Image.new("1", (9000, 9000)), "PNG")
    assert len(bomb) < 100_000

    assert decode_error(bomb).code == ErrorCode.IMAGE_TOO_LARGE


def test_decode_refuses_files_over_40_mb_as_too_large():
    assert decode_error(b"\xff\xd8\xff" + bytes(40 * 2**20)).code == ErrorCode.IMAGE_TOO_LARGE


def _astronaut_jpeg() -> bytes:
    return encode(Image.fromarray(samples.astronaut()), "JPEG")


UNREADABLE = {
    "empty": lambda: b"",
    "text": lambda: b"name,photo\nann,me.jpg\n",
    "truncated-jpeg": lambda: _astronaut_jpeg()[:20_000],
    "corrupt-jpeg": lambda: _astronaut_jpeg()[:300] + np.random.default_rng(0).bytes(20_000),
    "truncated-png": lambda: encode(Image.new("RGB", (256, 256), RED), "PNG")[:60],
}


@pytest.mark.parametrize("kind", UNREADABLE)
def test_decode_reports_unreadable_bytes_as_decode_error(kind):
    assert decode_error(UNREADABLE[kind]()).code == ErrorCode.IMAGE_DECODE


def test_decode_refuses_gif_naming_the_supported_formats():
    error = decode_error(encode(Image.new("RGB", (10, 10)), "GIF"))

    assert error.code == ErrorCode.IMAGE_DECODE
    assert "JPEG, PNG or WebP" in error.message
