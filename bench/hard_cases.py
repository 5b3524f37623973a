"""Hard cases of ../shared/data on one contact sheet: glasses, hair over the face, hands, hats,
fringes, strong turns, small templates, two people close together.

Run: .venv/bin/python -m bench.hard_cases [--data DIR] [--only WORD]
Writes bench/results/hard_cases.png (each tile: template | reference face | portrait, with what
the engine found in front of either face) and each portrait's face at full size under
bench/results/hard_cases/. Look at those, as a customer would.

No template of ../shared/data wears sunglasses: two cases draw them (and spectacles) onto a real
template at its mesh's eyes (tests/engine/glasses_drawing.py).
"""
from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from bench.shared_data import data_argument, data_checked
from engine import imaging
from engine.faces import analyze_faces
from engine.identity import Avatar, avatar_build
from engine.portrait import portrait_create
from tests.engine.glasses_drawing import draw_glasses

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
PANEL = 360  # px: each of a tile's three pictures is at most this tall
TILE_WIDTH = 1400


@dataclass
class Case:
    label: str
    template: str  # a file of the data folder
    people: tuple[str, ...]  # "person" (up to 5 of their photos) or "person/photo" (that one only)
    draw: str = ""  # "sunglasses" or "spectacles" drawn onto the template's faces


CASES = [
    Case("template spectacles (thin)", "faces/sundar_pichai/1.jpg", ("john_schneider",)),
    Case("template spectacles (tortoiseshell)", "faces/eric_clapton/1.jpg", ("obama",)),
    Case("template spectacles (cat-eye) and cap", "faces/grace_hopper/1.jpg", ("mark_zuckerberg",)),
    Case("template round spectacles and curls", "faces/john_lennon/1.jpg", ("john_simm",)),
    Case("template sunglasses (drawn)", "templates/facechain_styles/Men_suit.jpg", ("john_savage",), "sunglasses"),
    Case("template spectacles (drawn)", "templates/facechain_styles/Tyndall.jpg", ("rose_leslie",), "spectacles"),
    Case("template hand on the cheek", "templates/easyphoto/5.jpg", ("marissa_mayer",)),
    Case("template sun hat", "templates/easyphoto/1.jpg", ("amy_adams",)),
    Case("template cowboy hat", "templates/facechain_styles/Cowboy.jpg", ("john_salley",)),
    Case("template fringe, reference hair over the face", "templates/easyphoto/9.jpg", ("kit_harington/2.jpeg",)),
    Case("template fringe, reference long hair", "templates/facechain_styles/Flowers.jpg", ("rose_leslie/2.jpg",)),
    Case("template hair over one eye, reference fringe", "templates/facechain_styles/Retro_style.jpg", ("john_lennon/2.jpg",)),
    Case("reference spectacles", "templates/facechain_styles/Gentleman.jpg", ("sundar_pichai",)),
    Case("reference spectacles and hair", "templates/facechain_styles/Men_suit.jpg", ("eric_clapton/2.jpg",)),
    Case("reference round spectacles", "templates/facechain_styles/Working_suit.jpg", ("john_lennon/1.jpg",)),
    Case("reference hand on the cheek", "templates/facechain_styles/Gentleman.jpg", ("john_savage/11.jpg",)),
    Case("reference microphone", "templates/facechain_styles/Casual_Lifestyle.jpg", ("lin_manuel_miranda/1.png",)),
    Case("reference cap", "templates/facechain_styles/Men_suit.jpg", ("john_salley/11.jpg",)),
    Case("strong turn", "templates/easyphoto/3.jpg", ("obama",)),
    Case("turned, hand near the face", "templates/easyphoto/4.jpg", ("marissa_mayer",)),
    Case("small template", "edge_cases/obama_small.jpg", ("john_simm",)),
    Case("low-resolution template", "edge_cases/obama_240p.jpg", ("alex_lacamoire",)),
    Case("two people close", "multi_face/couple.jpg", ("marissa_mayer", "obama")),
    Case("couple, veil", "templates/facechain_inpaint/00_20240126X0017139.jpg", ("rose_leslie", "john_schneider")),
    Case("reference shine, pale template", "templates/facechain_styles/Ocean_Summer_vibe.jpg", ("biden/1.jpg",)),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    data_argument(parser)
    parser.add_argument("--only", default="", help="only the cases whose label holds this word")
    args = parser.parse_args()
    data_checked(args.data)
    (RESULTS / "hard_cases").mkdir(parents=True, exist_ok=True)
    avatars: dict[str, Avatar] = {}
    tiles = []
    for index, case in enumerate(CASES):
        if args.only and args.only not in case.label:
            continue
        for person in case.people:
            if person not in avatars:
                avatars[person] = _avatar(args.data, person)
        template = imaging.decode((args.data / case.template).read_bytes(), max_side=1024).rgb
        if case.draw:
            for face in analyze_faces(template, embed=False):
                if face.points is not None:
                    template = draw_glasses(template, face.points, kind=case.draw)
        start = time.perf_counter()
        portrait = portrait_create(template, [avatars[p] for p in case.people])[0]
        seconds = time.perf_counter() - start
        name = f"{index:02d}_{_slug(case.label)}"
        _save_faces(portrait.image, name)
        references = [avatars[p].faces[i].crop for p, i in zip(case.people, portrait.references)]
        caption = (f"{case.label}: {case.template.split('/')[-1]} <- {', '.join(case.people)}  "
                   f"d={portrait.identity_distance:.3f} {seconds:.1f}s  found: {', '.join(portrait.occluders) or '-'}")
        print(caption, flush=True)
        tiles.append(_tile(template, references, portrait.image, caption))
    sheet = _stack(tiles)
    sheet.save(RESULTS / "hard_cases.png")
    print(f"wrote {RESULTS / 'hard_cases.png'} and {RESULTS / 'hard_cases'}/")


def _avatar(data: Path, person: str) -> Avatar:
    folder = data / "faces" / person.split("/")[0]
    files = [data / "faces" / person] if "/" in person else sorted(folder.iterdir(), key=lambda p: int(p.stem))[:5]
    avatar, _ = avatar_build([f.read_bytes() for f in files], names=[f.name for f in files])
    return avatar


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text.lower()).strip("_")[:48]


def _save_faces(image: np.ndarray, name: str) -> None:
    """Each face of the portrait at the portrait's own pixels, with some of the head around it."""
    for k, face in enumerate(analyze_faces(image, embed=False)):
        x0, y0, x1, y1 = face.box
        cx, cy, half = (x0 + x1) / 2, (y0 + y1) / 2, 0.9 * max(x1 - x0, y1 - y0)
        box = [int(max(cx - half, 0)), int(max(cy - half, 0)), int(min(cx + half, image.shape[1])),
               int(min(cy + half, image.shape[0]))]
        Image.fromarray(image[box[1] : box[3], box[0] : box[2]]).save(RESULTS / "hard_cases" / f"{name}_{k}.png")


def _fit(image: np.ndarray, height: int = PANEL) -> Image.Image:
    """``image`` at ``height`` px, or narrower where a wide picture would not leave the tile room."""
    picture = Image.fromarray(image)
    scale = min(height / picture.height, 0.36 * TILE_WIDTH / picture.width)
    return picture.resize((max(1, round(picture.width * scale)), max(1, round(picture.height * scale))), Image.LANCZOS)


def _tile(template: np.ndarray, references: list[np.ndarray], portrait: np.ndarray, caption: str) -> Image.Image:
    parts = [_fit(template)] + [_fit(r, PANEL // len(references)) for r in references] + [_fit(portrait)]
    tile = Image.new("RGB", (TILE_WIDTH, PANEL + 22), "white")
    x = 0
    for part in parts[:1]:
        tile.paste(part, (x, 22))
        x += part.width + 8
    for k, part in enumerate(parts[1:-1]):
        tile.paste(part, (x, 22 + k * part.height))
    x += max(p.width for p in parts[1:-1]) + 8
    tile.paste(parts[-1], (x, 22))
    ImageDraw.Draw(tile).text((4, 4), caption, fill="black")
    return tile.crop((0, 0, TILE_WIDTH, PANEL + 22))


def _stack(tiles: list[Image.Image], columns: int = 2) -> Image.Image:
    width = max(t.width for t in tiles)
    rows = [tiles[i : i + columns] for i in range(0, len(tiles), columns)]
    sheet = Image.new("RGB", (columns * width, sum(max(t.height for t in row) for row in rows)), "white")
    y = 0
    for row in rows:
        for k, tile in enumerate(row):
            sheet.paste(tile, (k * width, y))
        y += max(t.height for t in row)
    return sheet


if __name__ == "__main__":
    main()
