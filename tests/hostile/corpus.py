"""A corpus of hostile and odd image files, generated here (no binary blobs in the repository).

Each entry says what the studio must do with it: ``refused`` files never reach storage or a job,
and every API answers them with its documented error; ``accepted`` files are real images in
unusual shapes (CMYK, 16-bit, polyglots, broken metadata) that must work like any photo.
"""
from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image
from skimage import data as samples


@dataclass(frozen=True)
class Specimen:
    name: str
    content_type: str
    make: Callable[[], bytes]
    refused: bool
    why: str


def _save(image: Image.Image, format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format, **options)
    return buffer.getvalue()


def _face_jpeg() -> bytes:
    return _save(Image.fromarray(samples.astronaut()), "JPEG", quality=90)


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def _png(width: int, height: int, *, extra: bytes = b"", rows: bytes | None = None, bit_depth: int = 8,
         colour: int = 2) -> bytes:
    """A PNG written chunk by chunk, so that its header may claim what its data does not hold."""
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour, 0, 0, 0)
    pixels = rows if rows is not None else b"\x00" * 64
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + extra
            + _chunk(b"IDAT", zlib.compress(pixels, 9)) + _chunk(b"IEND", b""))


def png_header_bomb() -> bytes:
    """30000x30000 claimed, a few bytes of pixels: 2.7 GB if anything trusted the header."""
    return _png(30000, 30000, rows=b"\x00" * 100_000)


def png_zero_bomb() -> bytes:
    """A real one: 8001x8000 black pixels that compress to about 60 KB."""
    row = b"\x00" + b"\x00" * 8001
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(8000)) + compressor.flush()
    header = struct.pack(">IIBBBBB", 8001, 8000, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", body) + _chunk(b"IEND", b"")


def png_ztxt_bomb() -> bytes:
    """A small valid picture with a zTXt chunk that inflates to 50 MB of text."""
    text = zlib.compress(b"A" * (50 * 1024 * 1024), 9)
    rows = b"".join(b"\x00" + b"\x80" * 3 * 64 for _ in range(64))
    return _png(64, 64, extra=_chunk(b"zTXt", b"Comment\x00\x00" + text), rows=rows)


def png_bad_crc() -> bytes:
    good = _save(Image.new("RGB", (300, 300), (200, 120, 90)), "PNG")
    position = good.index(b"IDAT") + 8  # inside the compressed pixel data
    return good[:position] + bytes([good[position] ^ 0xFF]) + good[position + 1:]


def jpeg_header_bomb() -> bytes:
    """A real small JPEG whose frame header is patched to claim 65000x65000."""
    data = bytearray(_save(Image.new("RGB", (64, 64), (90, 90, 90)), "JPEG"))
    frame = data.index(b"\xff\xc0")
    data[frame + 5:frame + 9] = struct.pack(">HH", 65000, 65000)
    return bytes(data)


def bmp_header_bomb() -> bytes:
    """A BMP header claiming 60000x60000 at 24 bits, with a few bytes of pixels."""
    pixels = b"\x00" * 1024
    info = struct.pack("<IiiHHIIiiII", 40, 60000, 60000, 1, 24, 0, len(pixels), 2835, 2835, 0, 0)
    header = struct.pack("<2sIHHI", b"BM", 14 + len(info) + len(pixels), 0, 0, 14 + len(info))
    return header + info + pixels


def gif_screen_bomb() -> bytes:
    """A GIF whose logical screen is 65535x65535, with one 1x1 image in it."""
    screen = b"GIF89a" + struct.pack("<HHBBB", 65535, 65535, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
    image = b"\x2c" + struct.pack("<HHHHB", 0, 0, 1, 1, 0) + b"\x02\x02\x44\x01\x00"
    return screen + image + b"\x3b"


def tiff_header_bomb() -> bytes:
    """A little-endian TIFF whose tags claim 60000x60000 RGB, with no strips worth the name."""
    entries = [(256, 4, 1, 60000), (257, 4, 1, 60000), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, 2),
               (273, 4, 1, 8), (277, 3, 1, 3), (278, 4, 1, 60000), (279, 4, 1, 16)]
    ifd = struct.pack("<H", len(entries)) + b"".join(struct.pack("<HHII", *entry) for entry in entries)
    return b"II*\x00" + struct.pack("<I", 16) + b"\x00" * 8 + ifd + b"\x00\x00\x00\x00"


def webp_canvas_bomb() -> bytes:
    """An extended WebP header (VP8X) claiming a 16384x16384 canvas."""
    vp8x = b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00" + (16383).to_bytes(3, "little") * 2
    body = b"WEBP" + vp8x
    return b"RIFF" + struct.pack("<I", len(body)) + body


def strip(width: int, height: int) -> Callable[[], bytes]:
    return lambda: _save(Image.new("RGB", (width, height), (128, 100, 90)), "PNG")


def truncated_jpeg() -> bytes:
    whole = _face_jpeg()
    return whole[: len(whole) // 2]


def truncated_png() -> bytes:
    whole = _save(Image.fromarray(samples.astronaut()), "PNG")
    return whole[: len(whole) // 2]


def animated_gif() -> bytes:
    frames = [Image.new("RGB", (400, 400), colour) for colour in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    return _save(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)


def svg() -> bytes:
    return (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="600" height="600">'
            b'<script>alert(1)</script><image href="http://169.254.169.254/latest/meta-data/"/></svg>')


def pdf() -> bytes:
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>"
            b"endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def html_as_jpeg() -> bytes:
    return b"<!doctype html><html><body><script>document.cookie</script></body></html>"


def jpeg_then_garbage() -> bytes:
    """The JPEG start-of-image marker, then noise: a file that only looks like a JPEG."""
    return b"\xff\xd8\xff\xe0" + np.random.default_rng(7).integers(0, 256, 4000, dtype=np.uint8).tobytes()


def random_bytes() -> bytes:
    return np.random.default_rng(3).integers(0, 256, 20_000, dtype=np.uint8).tobytes()


def ico() -> bytes:
    return _save(Image.new("RGB", (64, 64), (10, 200, 10)), "ICO")


def psd_signature() -> bytes:
    return b"8BPS\x00\x01" + b"\x00" * 6 + struct.pack(">HIIHH", 3, 20000, 20000, 8, 3) + b"\x00" * 64


# --- real images in unusual shapes: accepted ----------------------------------------------------

def cmyk_jpeg() -> bytes:
    return _save(Image.fromarray(samples.astronaut()).convert("CMYK"), "JPEG", quality=90)


def rgb_16_bit_png() -> bytes:
    pixels = samples.astronaut().astype(np.uint16) * 257
    # Pillow writes 16-bit RGB only from raw bytes: build the PNG rows by hand (filter 0 per row).
    rows = b"".join(b"\x00" + row.astype(">u2").tobytes() for row in pixels)
    return _png(pixels.shape[1], pixels.shape[0], rows=rows, bit_depth=16, colour=2)


def grey_16_bit_png() -> bytes:
    grey = (samples.astronaut().mean(axis=2) * 257).astype(np.uint16)
    return _save(Image.fromarray(grey), "PNG")


def jpeg_zip_polyglot() -> bytes:
    """A JPEG with a ZIP archive appended: decoders stop at the end-of-image marker."""
    archive = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("payload.html", "<script>alert(1)</script>")
    return _face_jpeg() + archive.getvalue()


def png_with_html_text() -> bytes:
    image = Image.fromarray(samples.astronaut())
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "<html><script>alert(document.domain)</script></html>")
    return _save(image, "PNG", pnginfo=info)


def exif_orientation(value: int) -> Callable[[], bytes]:
    def make() -> bytes:
        exif = Image.Exif()
        exif[0x0112] = value
        return _save(Image.fromarray(samples.astronaut()), "JPEG", quality=90, exif=exif.tobytes())

    return make


def exif_garbage() -> bytes:
    """An APP1 Exif segment of noise right after the start of a real JPEG."""
    whole = _face_jpeg()
    noise = b"Exif\x00\x00" + b"MM\x00\x2a\x00\x00\x00\x08" + b"\xff\xff" + b"\x13" * 400
    segment = b"\xff\xe1" + struct.pack(">H", len(noise) + 2) + noise
    return whole[:2] + segment + whole[2:]


def progressive_jpeg() -> bytes:
    return _save(Image.fromarray(samples.astronaut()), "JPEG", quality=85, progressive=True)


CORPUS: tuple[Specimen, ...] = (
    Specimen("empty.jpg", "image/jpeg", lambda: b"", True, "zero bytes"),
    Specimen("one-byte.jpg", "image/jpeg", lambda: b"\xff", True, "one byte"),
    Specimen("truncated.jpg", "image/jpeg", truncated_jpeg, True, "half a JPEG"),
    Specimen("truncated.png", "image/png", truncated_png, True, "half a PNG"),
    Specimen("png-header-bomb.png", "image/png", png_header_bomb, True, "header claims 30000x30000"),
    Specimen("png-zero-bomb.png", "image/png", png_zero_bomb, True, "64 MP of zeros in 60 KB"),
    Specimen("png-ztxt-bomb.png", "image/png", png_ztxt_bomb, True, "zTXt inflating to 50 MB"),
    Specimen("png-bad-crc.png", "image/png", png_bad_crc, True, "corrupt pixel data"),
    Specimen("jpeg-header-bomb.jpg", "image/jpeg", jpeg_header_bomb, True, "frame claims 65000x65000"),
    Specimen("bmp-header-bomb.bmp", "image/bmp", bmp_header_bomb, True, "header claims 60000x60000"),
    Specimen("gif-screen-bomb.gif", "image/gif", gif_screen_bomb, True, "65535x65535 screen"),
    Specimen("tiff-header-bomb.tif", "image/tiff", tiff_header_bomb, True, "tags claim 60000x60000"),
    Specimen("webp-canvas-bomb.webp", "image/webp", webp_canvas_bomb, True, "16384x16384 canvas"),
    Specimen("strip-wide.png", "image/png", strip(20000, 50), True, "20000x50"),
    Specimen("strip-tall.png", "image/png", strip(50, 20000), True, "50x20000"),
    Specimen("strip-1px.png", "image/png", strip(4000, 1), True, "4000x1"),
    Specimen("animated.gif", "image/gif", animated_gif, True, "animated GIF"),
    Specimen("image.svg", "image/svg+xml", svg, True, "SVG with a script"),
    Specimen("document.pdf", "application/pdf", pdf, True, "PDF"),
    Specimen("page.jpg", "image/jpeg", html_as_jpeg, True, "HTML named .jpg"),
    Specimen("soi-then-noise.jpg", "image/jpeg", jpeg_then_garbage, True, "JPEG marker, then noise"),
    Specimen("noise.png", "image/png", random_bytes, True, "random bytes"),
    Specimen("icon.ico", "image/x-icon", ico, True, "ICO"),
    Specimen("layers.psd", "image/vnd.adobe.photoshop", psd_signature, True, "PSD header"),
    Specimen("cmyk.jpg", "image/jpeg", cmyk_jpeg, False, "CMYK JPEG"),
    Specimen("rgb-16-bit.png", "image/png", rgb_16_bit_png, False, "16-bit RGB PNG"),
    Specimen("grey-16-bit.png", "image/png", grey_16_bit_png, False, "16-bit grey PNG"),
    Specimen("polyglot-zip.jpg", "image/jpeg", jpeg_zip_polyglot, False, "JPEG with a ZIP appended"),
    Specimen("html-in-text.png", "image/png", png_with_html_text, False, "PNG with HTML in tEXt"),
    Specimen("exif-orientation-9.jpg", "image/jpeg", exif_orientation(9), False, "EXIF orientation 9"),
    Specimen("exif-orientation-6.jpg", "image/jpeg", exif_orientation(6), False, "EXIF orientation 6"),
    Specimen("exif-garbage.jpg", "image/jpeg", exif_garbage, False, "EXIF segment of noise"),
    Specimen("progressive.jpg", "image/jpeg", progressive_jpeg, False, "progressive JPEG"),
)
REFUSED = tuple(specimen for specimen in CORPUS if specimen.refused)
ACCEPTED = tuple(specimen for specimen in CORPUS if not specimen.refused)
