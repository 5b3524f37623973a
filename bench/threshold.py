"""How well the check's same-person threshold separates people on ../shared/data/faces.

Run: .venv/bin/python -m bench.threshold [--data DIR]   (writes bench/results/threshold.json)
Reports pairwise distances and the medoid decision engine.check.mark_other_people really makes.
"""
from __future__ import annotations

import argparse
import csv
import itertools
import json
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from bench.shared_data import data_argument
from engine import imaging
from engine.check import SAME_PERSON_THRESHOLD
from engine.faces import analyze_faces

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results" / "threshold.json"
THRESHOLDS = (0.5, 0.55, 0.6, 0.65)
MIN_PHOTOS_FOR_MEDOID = 3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    data_argument(parser)
    args = parser.parse_args()

    started = time.perf_counter()
    photos, unusable = embed_photos(args.data)
    report = {
        "data": str(args.data),
        "photos": len(photos),
        "people": len({p["person"] for p in photos}),
        "unusable": unusable,
        "engine_threshold": SAME_PERSON_THRESHOLD,
        "pairwise": pairwise_report(photos),
        "medoid": medoid_report(photos),
        "seconds": round(time.perf_counter() - started, 1),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print_summary(report)
    print(f"\nwritten to {RESULTS.relative_to(REPO)}")


def embed_photos(data: Path) -> tuple[list[dict], list[dict]]:
    """One embedding per photo of faces/; photos where the engine does not find exactly one face are set apart."""
    with open(data / "manifest.csv", newline="") as manifest:
        rows = [row for row in csv.DictReader(manifest) if row["file"].startswith("faces/")]
    photos, unusable = [], []
    for row in rows:
        faces = analyze_faces(imaging.read(data / row["file"]).rgb)
        if len(faces) != 1 or faces[0].embedding is None:
            unusable.append({"file": row["file"], "kind": row["kind"], "faces": len(faces)})
            continue
        photos.append({"file": row["file"], "person": row["person"], "kind": row["kind"], "embedding": faces[0].embedding})
    return photos, unusable


def pairwise_report(photos: list[dict]) -> dict:
    same, different = [], []
    for a, b in itertools.combinations(photos, 2):
        pair = (_distance(a, b), a["file"], b["file"])
        (same if a["person"] == b["person"] else different).append(pair)
    same_d = np.array([d for d, *_ in same])
    different_d = np.array([d for d, *_ in different])
    # 55 of the 88 photos are the dlib "johns": aligned 150 px chips, easier than real photos.
    kinds = {p["file"]: p["kind"] for p in photos}
    same_photos = np.array([d for d, a, b in same if kinds[a] == kinds[b] == "photo"])
    return {
        "same": {"pairs": len(same), **_stats(same_d, high=True), "farthest": list(max(same))},
        "same_real_photos": {"pairs": len(same_photos), **_stats(same_photos, high=True)},
        "different": {"pairs": len(different), **_stats(different_d, high=False), "closest": list(min(different))},
        "rates": _rates(same_d, different_d),
    }


def medoid_report(photos: list[dict]) -> dict:
    """Per person with enough photos: their photos' distances to their medoid (the medoid itself
    left out: it is always kept), and every other person's photos' distances to that medoid."""
    by_person = defaultdict(list)
    for photo in photos:
        by_person[photo["person"]].append(photo)
    genuine, impostor, people = [], [], {}
    for person, own in sorted(by_person.items()):
        if len(own) < MIN_PHOTOS_FOR_MEDOID:
            continue
        embeddings = np.stack([p["embedding"] for p in own])
        totals = np.linalg.norm(embeddings[:, None] - embeddings[None, :], axis=2).sum(axis=1)
        medoid = own[int(np.argmin(totals))]
        own_d = [_distance(medoid, p) for p in own if p is not medoid]
        others = sorted((_distance(medoid, p), p["file"]) for p in photos if p["person"] != person)
        genuine += own_d
        impostor += [d for d, _ in others]
        people[person] = {
            "medoid": medoid["file"],
            "photos": len(own),
            "farthest_own": round(max(own_d), 4),
            "closest_other": round(others[0][0], 4),
            "closest_other_file": others[0][1],
        }
    genuine_d, impostor_d = np.array(genuine), np.array(impostor)
    return {
        "people": people,
        "genuine": {"distances": len(genuine_d), **_stats(genuine_d, high=True)},
        "impostor": {"distances": len(impostor_d), **_stats(impostor_d, high=False)},
        "rates": _rates(genuine_d, impostor_d),
    }


def _distance(a: dict, b: dict) -> float:
    return float(np.linalg.norm(a["embedding"] - b["embedding"]))


def _stats(values: np.ndarray, *, high: bool) -> dict:
    """Same-person distances matter at their top end, different-person ones at their bottom."""
    tails = {"p95": 95, "max": 100} if high else {"min": 0, "p1": 1, "p5": 5}
    stats = {"mean": values.mean(), "median": np.median(values)}
    stats.update({name: np.percentile(values, q) for name, q in tails.items()})
    return {name: round(float(value), 4) for name, value in stats.items()}


def _rates(same: np.ndarray, different: np.ndarray) -> dict:
    """The check keeps a photo whose distance is at most the threshold (engine/check.py)."""
    return {
        str(t): {
            "false_reject": round(float((same > t).mean()), 4),
            "false_reject_count": int((same > t).sum()),
            "false_accept": round(float((different <= t).mean()), 4),
            "false_accept_count": int((different <= t).sum()),
        }
        for t in THRESHOLDS
    }


def print_summary(report: dict) -> None:
    print(f"{report['photos']} photos of {report['people']} people, {len(report['unusable'])} unusable "
          f"{[u['file'] for u in report['unusable']]}, {report['seconds']} s")
    for title, section, same, different in (
        ("pairwise", report["pairwise"], "same", "different"),
        ("to each person's medoid", report["medoid"], "genuine", "impostor"),
    ):
        s, d = section[same], section[different]
        print(f"\n{title}: {same} mean {s['mean']:.3f} median {s['median']:.3f} p95 {s['p95']:.3f} max {s['max']:.3f}; "
              f"{different} min {d['min']:.3f} p1 {d['p1']:.3f} p5 {d['p5']:.3f} median {d['median']:.3f}")
        if title == "pairwise":
            r = section["same_real_photos"]
            print(f"  same, real photos only ({r['pairs']} pairs): mean {r['mean']:.3f} p95 {r['p95']:.3f} max {r['max']:.3f}")
        for threshold, rates in section["rates"].items():
            print(f"  threshold {threshold:<4}  false reject {rates['false_reject']:7.2%} ({rates['false_reject_count']})"
                  f"  false accept {rates['false_accept']:7.2%} ({rates['false_accept_count']})")


if __name__ == "__main__":
    main()
