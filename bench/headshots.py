"""Headshots of a few people of ../shared/data (men and women, glasses, long hair, a small photo)
on every backdrop: a labelled contact sheet to look at, and the time each takes.

Run: .venv/bin/python -m bench.headshots [--data DIR] [--aspect 4:5] [--variant 0] [--sheet PATH]
Writes bench/results/headshots.json (median seconds per backdrop) and the sheet (by default
bench/results/headshots_sheet.png), plus each person's full-size studio_grey under
bench/results/headshots/.
"""
from __future__ import annotations

import argparse
import io
import json
import statistics
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from bench.shared_data import data_argument, data_checked
from engine import imaging
from engine.headshot import BACKDROPS, headshot_create

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
# (label, photo, long side to shrink it to first or None): men and women, glasses, long hair,
# a small photo.
PEOPLE = [
    ("rose_leslie (long hair)", "faces/rose_leslie/1.jpg", None),
    ("obama", "faces/obama/1.jpg", None),
    ("marissa_mayer", "faces/marissa_mayer/1.jpg", None),
    ("grace_hopper", "faces/grace_hopper/1.jpg", None),
    ("eric_clapton (glasses)", "faces/eric_clapton/1.jpg", None),
    ("sundar_pichai (glasses)", "faces/sundar_pichai/1.jpg", None),
    ("eileen_collins at 320 px", "faces/eileen_collins/1.png", 320),
]
TILE, LABEL = 220, 18


def _photo(data: Path, path: str, long_side: int | None) -> bytes:
    raw = (data / path).read_bytes()
    if long_side is None:
        return raw
    image = Image.open(io.BytesIO(raw)).convert("RGB")
    image.thumbnail((long_side, long_side), Image.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    data_argument(parser)
    parser.add_argument("--aspect", default="4:5")
    parser.add_argument("--variant", type=int, default=0)
    parser.add_argument("--sheet", type=Path, default=RESULTS / "headshots_sheet.png")
    args = parser.parse_args()
    data = data_checked(args.data)
    (RESULTS / "headshots").mkdir(parents=True, exist_ok=True)
    args.sheet.parent.mkdir(parents=True, exist_ok=True)
    people = [(label, _photo(data, path, side)) for label, path, side in PEOPLE if (data / path).is_file()]
    headshot_create(people[0][1])  # load the models
    seconds: dict[str, list[float]] = {key: [] for key in BACKDROPS}
    tile_w = TILE if args.aspect == "1:1" else TILE * 4 // 5
    sheet = Image.new("RGB", (tile_w * len(BACKDROPS), (TILE + LABEL) * len(people) + LABEL), "white")
    draw = ImageDraw.Draw(sheet)
    for column, key in enumerate(BACKDROPS):
        draw.text((column * tile_w + 4, 2), key, fill="black")
    notes = {}
    for row, (label, photo) in enumerate(people):
        top = LABEL + row * (TILE + LABEL)
        draw.text((4, top + 2), label, fill="black")
        for column, key in enumerate(BACKDROPS):
            start = time.perf_counter()
            shot = headshot_create(photo, backdrop=key, aspect=args.aspect, variant=args.variant)
            seconds[key].append(time.perf_counter() - start)
            notes[label] = shot.notes
            tile = Image.fromarray(shot.image).resize((tile_w, TILE), Image.LANCZOS)
            sheet.paste(tile, (column * tile_w, top + LABEL))
            if key == "studio_grey":
                imaging.write(RESULTS / "headshots" / f"{label.split()[0]}.jpg", shot.image)
    sheet.save(args.sheet)
    summary = {"aspect": args.aspect, "variant": args.variant, "people": len(people),
               "median_s": {key: round(statistics.median(values), 3) for key, values in seconds.items()},
               "median_all_s": round(statistics.median(np.concatenate([v for v in seconds.values()])), 3),
               "notes": notes}
    (RESULTS / "headshots.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary["median_s"]), "median", summary["median_all_s"], "s; sheet", args.sheet)


if __name__ == "__main__":
    main()
