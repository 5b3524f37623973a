"""Command line of portrait stylization, wired into ``python -m engine`` by engine/__main__.py.

    python -m engine stylize IMAGE (--style INDEX | --style-ref IMAGE) --out OUT.jpg --json
    python -m engine styles --json
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from . import imaging
from .errors import EngineError, ErrorCode
from .stylize import CUSTOM_STYLE_INDEX, preset_list, stylize


def _read_bytes(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise EngineError(ErrorCode.IMAGE_DECODE, f"Cannot read {path}: {exc.strerror or exc}.") from exc


def command_stylize(args: argparse.Namespace) -> dict:
    start = time.perf_counter()
    if args.style_ref is not None:
        result = stylize(_read_bytes(args.image), style_index=CUSTOM_STYLE_INDEX, reference=_read_bytes(args.style_ref))
    else:
        result = stylize(_read_bytes(args.image), style_index=args.style)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    imaging.write(out, result.image)
    height, width = result.image.shape[:2]
    return {
        "path": str(out),
        "width": width,
        "height": height,
        "identity_distance": result.identity_distance,
        "cost_time": round(time.perf_counter() - start, 3),
    }


def command_styles(args: argparse.Namespace) -> list[dict]:
    return preset_list()


def add_parsers(subparsers) -> None:
    styled = subparsers.add_parser("stylize", help="restyle a portrait (preset or reference image)")
    styled.add_argument("image", metavar="IMAGE")
    source = styled.add_mutually_exclusive_group(required=True)
    source.add_argument("--style", type=int, metavar="INDEX", help="a preset index (see `styles`)")
    source.add_argument("--style-ref", metavar="IMAGE", help="a custom style from this reference image")
    styled.add_argument("--out", required=True, metavar="OUT.jpg")
    styled.add_argument("--json", action="store_true")
    styled.set_defaults(run=command_stylize)

    styles = subparsers.add_parser("styles", help="list the preset styles")
    styles.add_argument("--json", action="store_true")
    styles.set_defaults(run=command_styles)
