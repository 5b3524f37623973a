"""Command line of the engine, used by benchmarks and outside checks (keep names and JSON keys).

    python -m engine check PHOTO... [--same-person] --json
    python -m engine train PHOTO... --out AVATAR_DIR [--backend classic|diffusion] [--steps N] [--resolution PX]
        [--xl] --json
    python -m engine create (--avatar AVATAR_DIR ... | --reference PHOTO ...) --template IMAGE
        --out OUT.jpg [--option KEY=VALUE ...] [--n N] [--backend classic|diffusion] --json
    python -m engine idphoto PHOTO --size passport|us|1inch|2inch|WxHmm --background white|blue|red|#RRGGBB
        --out OUT.jpg [--sheet [6x4|a6]] [--draft] --json
    python -m engine stylize IMAGE (--style INDEX | --style-ref IMAGE) --out OUT.jpg --json
    python -m engine styles --json
    python -m engine diffusion-selftest [--workdir DIR] --json   (needs the extra [gpu]; tiny random models)

``--backend`` defaults to STUDIO_ENGINE, else classic; diffusion needs the extra [gpu] and the weights
(`python manage.py models fetch`), and without them exits 2 saying so. ``--steps``: the LoRA's training
steps (diffusion; default 400); ``--resolution``: the side of its training crops (diffusion; default
512, 1024 with ``--xl``); ``--xl``: train on SDXL (the seeds' ``model_name: "train_xl"``).

Bad input exits with status 2 and a one-line reason on stderr; nothing is half-written. An ID photo
that fails its compliance checks also exits 2, with its report as JSON (see engine/cli_idphoto.py).
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from . import cli_idphoto, cli_stylize, imaging
from .backends import get_backend
from .check import check_photos
from .errors import EngineError, ErrorCode
from .options import coerce_cli_value
from .portrait import MAX_CANDIDATES

EXIT_BAD_INPUT = 2
MIN_TRAIN_SIDE, MAX_TRAIN_SIDE = 64, 2048  # --resolution: the VAE's factor 8, and what fits one GPU


def _read_bytes(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise EngineError(ErrorCode.IMAGE_DECODE, f"Cannot read {path}: {exc.strerror or exc}.") from exc


def _photos(paths: list[str]) -> list[bytes]:
    return [_read_bytes(path) for path in paths]


def command_check(args: argparse.Namespace) -> dict:
    start = time.perf_counter()
    results = check_photos(_photos(args.photos), same_person=args.same_person)
    return {
        "results": [{"path": path, **result.as_dict()} for path, result in zip(args.photos, results)],
        "cost_time": round(time.perf_counter() - start, 3),
    }


def command_train(args: argparse.Namespace) -> dict:
    start = time.perf_counter()
    backend = get_backend(args.backend)
    configure = {key: value for key, value in (("max_train_steps", args.steps),
                                               ("model_name", "train_xl" if args.xl else None)) if value is not None}
    if backend.name != "diffusion" and (configure or args.resolution is not None):
        raise EngineError(ErrorCode.UNSUPPORTED_OPTION, "--steps, --resolution and --xl train a LoRA: they need "
                          "--backend diffusion.")
    if args.resolution is not None:
        if not MIN_TRAIN_SIDE <= args.resolution <= MAX_TRAIN_SIDE or args.resolution % 8:
            raise EngineError(ErrorCode.INVALID_OPTION, f"--resolution must be a multiple of 8 from {MIN_TRAIN_SIDE} "
                              f"to {MAX_TRAIN_SIDE}, not {args.resolution}.")
        backend.train_resolution = args.resolution
    options = {"configure": configure} if configure else None
    avatar, checks = backend.train(_photos(args.photos), out=args.out, names=args.photos, options=options)
    return {
        "backend": backend.name,
        "photos_used": len(avatar.faces),
        "reference": avatar.reference.source,
        "avatar": str(args.out),
        "results": [{"path": path, **check.as_dict()} for path, check in zip(args.photos, checks)],
        "cost_time": round(time.perf_counter() - start, 3),
    }


def command_create(args: argparse.Namespace) -> dict:
    start = time.perf_counter()
    if not 1 <= args.n <= MAX_CANDIDATES:
        raise EngineError(ErrorCode.INVALID_OPTION, f"--n must be between 1 and {MAX_CANDIDATES}.")
    raw = {}
    for item in args.option:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise EngineError(ErrorCode.INVALID_OPTION, f"Option {item!r} is not KEY=VALUE.")
        raw[key.strip()] = coerce_cli_value(value)
    backend = get_backend(args.backend)
    backend.options_check(raw)  # a wrong option fails before any photo is read
    if args.avatar:
        avatars = [backend.load_avatar(Path(path)) for path in args.avatar]
    else:
        if len(args.reference) > 5:
            raise EngineError(ErrorCode.TOO_MANY_PHOTOS, "Train-free portraits take 1-5 reference photos.")
        avatars = [backend.avatar_from_photos(_photos(args.reference))]
    template = _read_bytes(args.template)
    portraits = backend.create(template, avatars=avatars, options=raw, n=args.n)
    out = Path(args.out)
    paths = [out] + [out.with_name(f"{out.stem}_{rank}{out.suffix}") for rank in range(2, len(portraits) + 1)]
    _write_all(paths, [portrait.image for portrait in portraits])
    return {
        "backend": backend.name,
        "outputs": [
            {"path": str(path), "identity_distance": portrait.identity_distance, "face_distances": portrait.face_distances,
             "warnings": portrait.warnings}
            for path, portrait in zip(paths, portraits)
        ],
        "note": portraits.note,
        "cost_time": round(time.perf_counter() - start, 3),
    }


def command_diffusion_selftest(args: argparse.Namespace) -> tuple[dict, int]:
    # Imported here: the CPU path never loads torch or diffusers.
    from .diffusion.selftest import selftest

    try:
        result = selftest(workdir=args.workdir)
    except ModuleNotFoundError as exc:
        raise EngineError(ErrorCode.UNSUPPORTED_OPTION, f"The diffusion extra is not installed ({exc.name} is missing): "
                          "pip install -r requirements/gpu.txt.") from exc
    return result, 0 if result["ok"] else 1


def _write_all(paths: list[Path], images: list) -> None:
    """Write every output to a staging folder first, then move them in: all or none."""
    target_dir = paths[0].parent
    target_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".engine-out-", dir=target_dir))
    try:
        staged = []
        for path, image in zip(paths, images):
            temporary = staging / path.name
            temporary.write_bytes(imaging.encode(image, format="PNG" if path.suffix.lower() == ".png" else "JPEG"))
            staged.append((temporary, path))
        for temporary, path in staged:
            temporary.replace(path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _backend_argument() -> dict:
    """train and create run on either backend; STUDIO_ENGINE (the studio's setting) is the default,
    read when the parser is built."""
    return {"choices": ("classic", "diffusion"), "default": os.getenv("STUDIO_ENGINE") or "classic",
            "help": "classic (CPU) or diffusion (GPU, weights from `manage.py models fetch`); "
                    "default: STUDIO_ENGINE, else classic"}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m engine", description="The studio's image engine.")
    commands = parser.add_subparsers(dest="command", required=True)

    check = commands.add_parser("check", help="check photos for training")
    check.add_argument("photos", nargs="+", metavar="PHOTO")
    check.add_argument("--same-person", action="store_true", help="also mark photos of someone else (code 6)")
    check.add_argument("--json", action="store_true")
    check.set_defaults(run=command_check)

    train = commands.add_parser("train", help="build an avatar from 5-20 photos")
    train.add_argument("photos", nargs="+", metavar="PHOTO")
    train.add_argument("--out", required=True, type=Path, metavar="AVATAR_DIR")
    train.add_argument("--backend", **_backend_argument())
    train.add_argument("--steps", type=int, metavar="N", help="LoRA training steps (diffusion; default 400)")
    train.add_argument("--resolution", type=int, metavar="PX",
                       help="side of the LoRA's training crops (diffusion; default 512, 1024 with --xl)")
    train.add_argument("--xl", action="store_true", help="train on SDXL (diffusion; the seeds' model_name train_xl)")
    train.add_argument("--json", action="store_true")
    train.set_defaults(run=command_train)

    create = commands.add_parser("create", help="create portraits from a template")
    source = create.add_mutually_exclusive_group(required=True)
    source.add_argument("--avatar", action="append", metavar="AVATAR_DIR", help="one per template face, left to right")
    source.add_argument("--reference", action="append", metavar="PHOTO", help="train-free: 1-5 photos of one person")
    create.add_argument("--template", required=True, metavar="IMAGE")
    create.add_argument("--out", required=True, metavar="OUT.jpg")
    create.add_argument("--option", action="append", default=[], metavar="KEY=VALUE")
    create.add_argument("--n", type=int, default=1, metavar="N", help=f"portraits to make, 1-{MAX_CANDIDATES}")
    create.add_argument("--backend", **_backend_argument())
    create.add_argument("--json", action="store_true")
    create.set_defaults(run=command_create)

    cli_idphoto.add_parsers(commands)
    cli_stylize.add_parsers(commands)

    selftest = commands.add_parser("diffusion-selftest", help="train and create on tiny random diffusion models")
    selftest.add_argument("--workdir", type=Path, metavar="DIR", help="keep the models and LoRA here (default: a temporary folder)")
    selftest.add_argument("--json", action="store_true")
    selftest.set_defaults(run=command_diffusion_selftest)
    return parser


def _print_human(result: dict | list) -> None:
    if isinstance(result, list):
        for item in result:
            print(f"- {item}")
        return
    for key, value in result.items():
        if isinstance(value, list):
            for item in value:
                print(f"- {item}")
        else:
            print(f"{key}: {value}")


@contextlib.contextmanager
def _native_logs_silenced():
    """MediaPipe's C++ runtime logs to file descriptor 2 whatever Python asks; hide that chatter
    so stderr holds our one-line reason only."""
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    status = 0
    try:
        with _native_logs_silenced():
            result = args.run(args)
    except EngineError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        on_error = getattr(args, "json_on_error", None)
        if args.json and on_error:
            print(json.dumps(on_error(exc)))
        return EXIT_BAD_INPUT
    if isinstance(result, tuple):  # a command that has a result and still fails (a refused ID photo)
        result, status = result
        if result.get("error"):
            print(f"error: {result['error']}", file=sys.stderr)
    if args.json:
        print(json.dumps(result))
    else:
        _print_human(result)
    return status


if __name__ == "__main__":
    sys.exit(main())
