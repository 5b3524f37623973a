"""ID photos of every usable photo of ../shared/data, each with its compliance report: full-size
JPEGs under bench/results/idphoto/ (failures as drafts), a labelled contact sheet to look at, and
which checks each photo fails.

Run: .venv/bin/python -m bench.idphoto [--data DIR] [--size passport] [--background blue]
Writes bench/results/idphoto_SIZE.json, bench/results/idphoto/*_SIZE.jpg and
bench/results/idphoto_SIZE_contact_sheet.png.
"""
from __future__ import annotations

import argparse
import json
import statistics
import textwrap
import time
from pathlib import Path

from PIL import Image, ImageDraw

from bench.shared_data import data_argument
from engine import imaging
from engine.errors import EngineError
from engine.idphoto import idphoto_create

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
TILE, LABEL = 300, 56


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    data_argument(parser)
    parser.add_argument("--size", default="passport")
    parser.add_argument("--background", default="blue")
    args = parser.parse_args()
    folder = RESULTS / "idphoto"
    folder.mkdir(parents=True, exist_ok=True)
    paths = sorted([*(args.data / "faces").glob("*/*"), *(args.data / "edge_cases").glob("*"),
                    *(args.data / "multi_face").glob("*.jpg")])
    idphoto_create((args.data / "faces/rose_leslie/2.jpg").read_bytes(), size=args.size, draft=True)  # load the models
    report, tiles, seconds = {}, [], []
    for path in paths:
        name = str(path.relative_to(args.data))
        start = time.perf_counter()
        try:
            made = idphoto_create(path.read_bytes(), size=args.size, background=args.background, draft=True)
        except EngineError as exc:
            report[name] = {"made": False, "code": exc.code.value, "message": exc.message}
            continue
        seconds.append(time.perf_counter() - start)
        failed = [check.name for check in made.compliance.failed]
        report[name] = {"made": True, "compliant": made.compliant, "failed": failed,
                        "checks": made.compliance.as_dict()["checks"]}
        stem = name.replace("/", "_").rsplit(".", 1)[0]
        imaging.write(folder / f"{stem}_{args.size}.jpg", made.image, dpi=made.dpi)
        verdict = "COMPLIANT" if made.compliant else "draft, fails: " + ", ".join(failed)
        tiles.append((name + "\n" + "\n".join(textwrap.wrap(verdict, 48)), made.image))
    summary = {"size": args.size, "made": len(seconds), "compliant": sum(1 for r in report.values() if r.get("compliant")),
               "median_s": round(statistics.median(seconds), 3), "photos": report}
    report_path, sheet_path = RESULTS / f"idphoto_{args.size}.json", RESULTS / f"idphoto_{args.size}_contact_sheet.png"
    report_path.write_text(json.dumps(summary, indent=1))
    _sheet(tiles).save(sheet_path)
    for name, result in report.items():
        print(f"{name:40s} " + ("COMPLIANT" if result.get("compliant") else
                                 f"fails {', '.join(result['failed'])}" if result["made"] else f"not made: {result['code']}"))
    print(f"{summary['made']} made, {summary['compliant']} compliant, median {summary['median_s']} s; "
          f"wrote {folder}, {report_path} and {sheet_path}")


def _sheet(tiles: list[tuple[str, object]], columns: int = 6) -> Image.Image:
    rows = (len(tiles) + columns - 1) // columns
    sheet = Image.new("RGB", (columns * TILE, rows * (TILE + LABEL)), "white")
    draw = ImageDraw.Draw(sheet)
    for index, (text, image) in enumerate(tiles):
        x, y = index % columns * TILE, index // columns * (TILE + LABEL)
        thumb = Image.fromarray(image)
        thumb.thumbnail((TILE, TILE))
        sheet.paste(thumb, (x + (TILE - thumb.width) // 2, y + LABEL))
        draw.multiline_text((x + 4, y + 2), text, fill="black", spacing=2)
    return sheet


if __name__ == "__main__":
    main()
