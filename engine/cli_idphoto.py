"""The ``idphoto`` command: one ID photo (or a print sheet) written as a 300 dpi JPEG, with its
compliance report; a photo that fails a check is refused (exit 2, no file) unless ``--draft``.

    python -m engine idphoto PHOTO --size passport|us|1inch|2inch|WxHmm
        --background white|blue|red|#RRGGBB --out OUT.jpg [--sheet [6x4|a6]] [--draft] --json

prints {"compliant", "checks": [{"name", "value", "limit", "passed", "message"}], "output" (the
file, or null when refused), "upload" (the digital upload version beside it, OUT_upload.jpg, where
the size has one, else null), "path", "width", "height", "dpi", "size", "background", "sheet",
"draft", "error" (the reason when refused, else null), "cost_time"}.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from . import imaging
from .errors import EngineError, ErrorCode
from .idphoto import IdPhotoRefused, idphoto_create
from .options import PAPERS

EXIT_REFUSED = 2


def add_parsers(subparsers) -> None:
    command = subparsers.add_parser("idphoto", help="make an ID photo at a standard size, with its compliance report")
    command.add_argument("photo", metavar="PHOTO")
    command.add_argument("--size", default="1inch", help="passport, us, 1inch, 2inch or WxHmm (e.g. 33x48mm)")
    command.add_argument("--background", default="white", help="white, blue, red or #RRGGBB")
    command.add_argument("--out", required=True, metavar="OUT.jpg")
    command.add_argument("--sheet", nargs="?", const="6x4", default=None, choices=sorted(PAPERS),
                         help="tile copies on a print sheet with cut lines: 6x4 (in, the default) or a6")
    command.add_argument("--draft", action="store_true", help="make the photo even where a check fails (marked not compliant)")
    command.add_argument("--json", action="store_true")
    command.set_defaults(run=command_idphoto, json_on_error=_unmade)


def _unmade(exc: EngineError) -> dict:
    """The JSON of a photo no ID photo can be made from at all (no face, the head cut off)."""
    return {"compliant": False, "checks": [], "output": None, "upload": None, "path": None,
            "error": exc.message, "code": exc.code.value}


def command_idphoto(args: argparse.Namespace) -> dict | tuple[dict, int]:
    start = time.perf_counter()
    try:
        photo_bytes = Path(args.photo).read_bytes()
    except OSError as exc:
        raise EngineError(ErrorCode.IMAGE_DECODE, f"Cannot read {args.photo}: {exc.strerror or exc}.") from exc
    asked = {"size": args.size, "background": args.background, "sheet": args.sheet, "draft": args.draft}
    try:
        made = idphoto_create(photo_bytes, size=args.size, background=args.background, sheet=args.sheet or False,
                              draft=args.draft)
    except IdPhotoRefused as refused:
        result = {**refused.compliance.as_dict(), "output": None, "upload": None, "path": None, **asked,
                  "error": refused.message, "cost_time": round(time.perf_counter() - start, 3)}
        return result, EXIT_REFUSED
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    imaging.write(out, made.image, dpi=made.dpi)
    upload = made.upload_jpeg()
    upload_path = None
    if upload is not None:
        upload_path = out.with_name(f"{out.stem}_upload.jpg")
        upload_path.write_bytes(upload)
    return {**made.compliance.as_dict(), "output": str(out), "upload": upload_path and str(upload_path),
            "path": str(out), "width": made.width, "height": made.height, "dpi": made.dpi, **asked, "error": None,
            "cost_time": round(time.perf_counter() - start, 3)}
