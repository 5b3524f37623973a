"""The ``idphoto`` command: one ID photo (or a 6x4 in print sheet) written as a 300 dpi JPEG.

    python -m engine idphoto PHOTO --size passport|1inch|2inch|us|WxHmm
        --background white|blue|red|#RRGGBB --out OUT.jpg [--sheet] --json
"""
from __future__ import annotations

import argparse
import io
import time
from pathlib import Path

import numpy as np
from PIL import Image

from .errors import EngineError, ErrorCode
from .idphoto import idphoto_create


def add_parsers(subparsers) -> None:
    command = subparsers.add_parser("idphoto", help="make an ID photo at a standard size")
    command.add_argument("photo", metavar="PHOTO")
    command.add_argument("--size", default="1inch", help="passport, 1inch, 2inch, us or WxHmm (e.g. 33x48mm)")
    command.add_argument("--background", default="white", help="white, blue, red or #RRGGBB")
    command.add_argument("--out", required=True, metavar="OUT.jpg")
    command.add_argument("--sheet", action="store_true", help="tile copies on a 6x4 in print sheet")
    command.add_argument("--json", action="store_true")
    command.set_defaults(run=command_idphoto)


def command_idphoto(args: argparse.Namespace) -> dict:
    start = time.perf_counter()
    try:
        photo_bytes = Path(args.photo).read_bytes()
    except OSError as exc:
        raise EngineError(ErrorCode.IMAGE_DECODE, f"Cannot read {args.photo}: {exc.strerror or exc}.") from exc
    photo = idphoto_create(photo_bytes, size=args.size, background=args.background, sheet=args.sheet)
    out = Path(args.out)
    write_with_dpi(out, photo.image, dpi=photo.dpi)
    return {"path": str(out), "width": photo.width, "height": photo.height, "dpi": photo.dpi, "cost_time": round(time.perf_counter() - start, 3)}


def write_with_dpi(path: Path, rgb: np.ndarray, *, dpi: int) -> None:
    """Write atomically, the print resolution in the file's header and no EXIF."""
    buffer = io.BytesIO()
    image = Image.fromarray(np.ascontiguousarray(rgb))
    if path.suffix.lower() == ".png":
        image.save(buffer, "PNG", dpi=(dpi, dpi))
    else:
        image.save(buffer, "JPEG", quality=95, subsampling=0, dpi=(dpi, dpi))
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.partial")
    temporary.write_bytes(buffer.getvalue())
    temporary.replace(path)
