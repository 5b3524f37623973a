"""The ``idphoto`` command: one ID photo (or a 6x4 in print sheet) written as a 300 dpi JPEG.

    python -m engine idphoto PHOTO --size passport|1inch|2inch|us|WxHmm
        --background white|blue|red|#RRGGBB --out OUT.jpg [--sheet] --json
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path


from . import imaging
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
    out.parent.mkdir(parents=True, exist_ok=True)
    imaging.write(out, photo.image, dpi=photo.dpi)
    return {"path": str(out), "width": photo.width, "height": photo.height, "dpi": photo.dpi, "cost_time": round(time.perf_counter() - start, 3)}
