"""engine.imaging.decode: every kind of upload becomes H x W x 3 uint8, or a typed error."""
from __future__ import annotations

import io
import struct
import zlib

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


def jpeg_claiming(width: int, height: int) -> bytes:
    """A 16 x 16 JPEG whose header claims ``width`` x ``height``: a bomb of a few hundred bytes."""
    data = bytearray(encode(Image.new("RGB", (16, 16), RED), "JPEG"))
    frame = data.index(b"\xff\xc0")  # baseline start-of-frame: length, precision, height, width
    data[frame + 5 : frame + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def test_decode_refuses_decompression_bomb_as_too_large():
    # 81 MP of one-bit pixels compress to about 10 kB: only the header tells.
    bomb = encode(Image.new("1", (9000, 9000)), "PNG")
    assert len(bomb) < 100_000

    assert decode_error(bomb).code == ErrorCode.IMAGE_TOO_LARGE


def png_claiming(width: int, height: int) -> bytes:
    """A 16 x 16 PNG whose IHDR claims ``width`` x ``height`` (its CRC made to match)."""
    data = bytearray(encode(Image.new("RGB", (16, 16), RED), "PNG"))
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


@pytest.mark.parametrize("width, height", [(13000, 5000), (10000, 10000), (20000, 20000)])
def test_decode_explains_too_many_pixels_of_a_png_in_our_words(width, height):
    error = decode_error(png_claiming(width, height))

    assert error.code == ErrorCode.IMAGE_TOO_LARGE
    assert error.message == f"The image is {width}x{height}, {width * height:,} pixels; the limit is 64,000,000."


@pytest.mark.parametrize("width, height", [(20000, 13000), (30000, 30000)])  # over 256 MP; Pillow's guard at 512 MP
def test_decode_refuses_a_jpeg_claiming_more_than_any_phone_makes(width, height):
    error = decode_error(jpeg_claiming(width, height))

    assert error.code == ErrorCode.IMAGE_TOO_LARGE
    assert error.message == f"The image is {width}x{height}, {width * height:,} pixels; the limit is 256,000,000."


def test_decode_downscales_an_81_mp_phone_jpeg_instead_of_refusing_it():
    # 10400 x 7800, as 81 MP phone sensors write it: libjpeg decodes it at 1/4 scale.
    data = encode(Image.new("RGB", (10400, 7800), (90, 120, 150)), "JPEG")

    decoded = imaging.decode(data)

    assert decoded.original_size == (10400, 7800)
    assert decoded.rgb.shape == (1536, 2048, 3)


def test_decode_refuses_an_81_mp_jpeg_when_asked_to_keep_more_than_64_mp():
    data = encode(Image.new("RGB", (10400, 7800), (90, 120, 150)), "JPEG")

    with pytest.raises(EngineError) as caught:
        imaging.decode(data, max_side=10400)

    assert caught.value.code == ErrorCode.IMAGE_TOO_LARGE


def test_jpeg_draft_reduces_a_3_to_2_photo_by_half_for_2048_px():
    image = Image.open(io.BytesIO(encode(Image.new("RGB", (6000, 4000), RED), "JPEG")))

    imaging._draft(image, 2048)

    assert image.size == (3000, 2000)


@pytest.mark.parametrize("size", [(6000, 4000), (4000, 6000), (4100, 2000), (2049, 1000), (16400, 900)])
def test_jpeg_draft_keeps_the_long_side_at_2048_px_or_more(size):
    image = Image.open(io.BytesIO(encode(Image.new("RGB", size, RED), "JPEG")))

    imaging._draft(image, 2048)

    assert max(image.size) >= 2048


def test_read_names_why_a_file_cannot_be_read(tmp_path):
    with pytest.raises(EngineError) as caught:
        imaging.read(tmp_path)

    assert caught.value.code == ErrorCode.IMAGE_DECODE
    assert caught.value.message == f"Cannot read {tmp_path}: Is a directory."


def test_read_error_without_strerror_does_not_say_none():
    # An OSError raised with a plain message (as libraries and filesystems may) has no strerror.
    assert imaging._reason(OSError("the share went away")) == "the share went away"
    assert imaging._reason(OSError()) == "OSError"


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
