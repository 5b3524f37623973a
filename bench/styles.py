"""Speed of ID photos and portrait stylization on ../shared/data, with naive baselines in the same run.

Run: .venv/bin/python -m bench.styles [--data DIR]
Writes bench/results/styles.json and bench/results/styles_contact_sheet.png (look at it).

Measured, medians on this machine: an ID photo with its compliance report per standard size over
five photos (baseline: decode,
centre crop to the size's aspect, resize); each preset at the seeds' 1536 px over three people, and
a reference style (baseline: decode, resize to 1536 px on the short side, JPEG encode). Every
stylization includes the identity distance it reports.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw

from bench.shared_data import data_argument, data_checked
from engine import imaging
from engine.errors import EngineError
from engine.identity import avatar_build
from engine.idphoto import SIZES, idphoto_create
from engine.options import PortraitOptions
from engine.portrait import portrait_create
from engine.stylize import CUSTOM_STYLE_INDEX, PRESETS, stylize

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
ID_PHOTOS = ("obama/1.jpg", "kit_harington/1.jpeg", "mark_zuckerberg/1.jpg", "amy_adams/1.jpg", "steve_carell/1.jpg")
STYLE_PEOPLE = ("obama/1.jpg", "amy_adams/1.jpg", "steve_carell/1.jpg")
REFERENCE = "templates/facechain_styles/Autumn_populus.jpg"
ANIME_TEMPLATE = "templates/facechain_styles/Men_suit.jpg"
OUTPUT_SHORT_SIDE = 1536
TARGET_S = 1.0  # the budget for both an ID photo and a stylization


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    data_argument(parser)
    args = parser.parse_args()
    data_checked(args.data)
    RESULTS.mkdir(parents=True, exist_ok=True)
    report: dict = {"machine": {"cpus": os.cpu_count(), "cv2_threads": cv2.getNumThreads()}, "data": str(args.data)}
    report["idphoto"] = bench_idphoto(args.data)
    report["stylize"], sheet = bench_stylize(args.data)
    (RESULTS / "styles.json").write_text(json.dumps(report, indent=1))
    sheet.save(RESULTS / "styles_contact_sheet.png")
    _summary(report)


def _median_s(samples: list[float]) -> float:
    return round(statistics.median(samples), 3)


def _timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def bench_idphoto(data: Path) -> dict:
    photos = {name: (data / "faces" / name).read_bytes() for name in ID_PHOTOS}
    idphoto_create(photos[ID_PHOTOS[0]], draft=True)  # load the models before timing
    sizes = {}
    for key, spec in SIZES.items():
        # Drafts: some of these photos fail a check, and the time is the same (the report included).
        ours = [_timed(idphoto_create, photo, size=key, background="blue", draft=True)[1] for photo in photos.values()]
        baseline = [_timed(_crop_and_resize, photo, (spec.width_px, spec.height_px))[1] for photo in photos.values()]
        sizes[key] = {"median_s": _median_s(ours), "baseline_median_s": _median_s(baseline),
                      "ratio_vs_baseline": round(statistics.median(ours) / statistics.median(baseline), 1)}
    return {"photos": list(ID_PHOTOS), "target_s": TARGET_S, "sizes": sizes,
            "median_s": _median_s([size["median_s"] for size in sizes.values()])}


def _crop_and_resize(photo: bytes, size: tuple[int, int]) -> np.ndarray:
    """The baseline ID photo: the centre of the photo at the size's aspect, resized."""
    rgb = imaging.decode(photo).rgb
    height, width = rgb.shape[:2]
    aspect = size[0] / size[1]
    crop_w, crop_h = min(width, round(height * aspect)), min(height, round(width / aspect))
    left, top = (width - crop_w) // 2, (height - crop_h) // 2
    return cv2.resize(rgb[top : top + crop_h, left : left + crop_w], size, interpolation=cv2.INTER_AREA)


def _resize_and_encode(photo: bytes) -> bytes:
    """The baseline stylization: the photo at the seeds' size, encoded, and nothing else."""
    rgb = imaging.decode(photo).rgb
    scale = OUTPUT_SHORT_SIDE / min(rgb.shape[:2])
    resized = cv2.resize(rgb, (round(rgb.shape[1] * scale), round(rgb.shape[0] * scale)), interpolation=cv2.INTER_CUBIC)
    return cv2.imencode(".jpg", cv2.cvtColor(resized, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 92])[1].tobytes()


def bench_stylize(data: Path) -> tuple[dict, Image.Image]:
    photos = {name: (data / "faces" / name).read_bytes() for name in STYLE_PEOPLE}
    reference = imaging.decode((data / REFERENCE).read_bytes()).rgb
    stylize(photos[STYLE_PEOPLE[0]], style_index=0)  # load the models before timing
    baseline = [_timed(_resize_and_encode, photo)[1] for photo in photos.values()]
    styles: dict[str, dict] = {}
    sheet_rows = []
    for name, photo in photos.items():
        row = [("photo", imaging.decode(photo).rgb)]
        runs = [(preset.key, {"style_index": preset.index}) for preset in PRESETS]
        runs.append(("reference", {"style_index": CUSTOM_STYLE_INDEX, "reference": reference}))
        for key, kwargs in runs:
            result, seconds = _timed(stylize, photo, **kwargs)
            entry = styles.setdefault(key, {"seconds": [], "identity": []})
            entry["seconds"].append(seconds)
            entry["identity"].append(result.identity_distance)
            row.append((f"{key} {_identity_label(result.identity_distance)}", result.image))
        row.append(_anime_tile(data, photo))
        sheet_rows.append(row)
    base = statistics.median(baseline)
    report = {
        "people": list(STYLE_PEOPLE), "target_s": TARGET_S, "baseline_resize_encode_median_s": _median_s(baseline),
        "styles": {key: {"median_s": _median_s(entry["seconds"]),
                         "ratio_vs_baseline": round(statistics.median(entry["seconds"]) / base, 1),
                         "identity_distances": entry["identity"]} for key, entry in styles.items()},
    }
    report["median_s"] = _median_s([style["median_s"] for key, style in report["styles"].items() if key != "reference"])
    return report, _sheet(sheet_rows)


def _identity_label(value: float | None) -> str:
    return "(no face)" if value is None else f"{value:.2f}"


def _anime_tile(data: Path, photo: bytes) -> tuple[str, np.ndarray]:
    """An Anime portrait: the person's one photo as a train-free avatar, into a one-face template."""
    try:
        avatar, _ = avatar_build([photo], names=["photo.jpg"])
        options = PortraitOptions.parse({"style_name": "Anime"})
        (portrait,) = portrait_create((data / ANIME_TEMPLATE).read_bytes(), [avatar], options=options)
    except EngineError as exc:
        return f"anime: {exc.code}", np.full((64, 64, 3), 255, np.uint8)
    return f"Anime portrait {portrait.identity_distance:.2f}", portrait.image


def _sheet(rows: list[list[tuple[str, np.ndarray]]], tile: int = 300, label: int = 22) -> Image.Image:
    columns = max(len(row) for row in rows)
    sheet = Image.new("RGB", (columns * tile, len(rows) * (tile + label)), "white")
    draw = ImageDraw.Draw(sheet)
    for y, row in enumerate(rows):
        for x, (text, image) in enumerate(row):
            thumb = Image.fromarray(image)
            thumb.thumbnail((tile, tile))
            top = y * (tile + label)
            sheet.paste(thumb, (x * tile + (tile - thumb.width) // 2, top + label + (tile - thumb.height) // 2))
            draw.text((x * tile + 4, top + 4), text, fill="black")
    return sheet


def _summary(report: dict) -> None:
    ids, styles = report["idphoto"], report["stylize"]
    for key, size in ids["sizes"].items():
        print(f"idphoto {key:9s} median {size['median_s']} s (target <= {ids['target_s']}); "
              f"baseline crop+resize {size['baseline_median_s']} s (x{size['ratio_vs_baseline']})")
    print(f"stylize baseline resize to {OUTPUT_SHORT_SIDE} + JPEG: {styles['baseline_resize_encode_median_s']} s")
    for key, style in styles["styles"].items():
        distances = ", ".join(_identity_label(d) for d in style["identity_distances"])
        print(f"stylize {key:16s} median {style['median_s']} s (x{style['ratio_vs_baseline']}); identity {distances}")
    print(f"wrote {RESULTS / 'styles.json'} and {RESULTS / 'styles_contact_sheet.png'}")


if __name__ == "__main__":
    main()
