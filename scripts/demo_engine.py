"""What `make run` shows until the web studio exists: the engine's command line at work.

The photo check runs on two sample photos from scikit-image (a portrait and a cup of coffee).
Where the shared test data is present (../shared/data or STUDIO_TEST_DATA), it also trains an
avatar and creates a portrait into var/demo/portrait.jpg.
"""
from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from PIL import Image
from skimage import data

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "var" / "demo"


def main() -> int:
    DEMO.mkdir(parents=True, exist_ok=True)
    photos = []
    for name, pixels in (("astronaut.png", data.astronaut()), ("coffee.png", data.coffee())):
        Image.fromarray(pixels).save(DEMO / name)
        photos.append(str((DEMO / name).relative_to(REPO)))
    command = [sys.executable, "-m", "engine", "check", *photos, "--json"]
    print("The web studio is not built yet (the Django platform comes next).")
    print("Meanwhile, the engine's photo check on two sample photos:\n")
    print("$", shlex.join(["python", *command[1:]]), flush=True)
    status = subprocess.run(command, cwd=REPO).returncode
    shared = Path(os.environ.get("STUDIO_TEST_DATA") or REPO.parent / "shared" / "data")
    if status or not (shared / "faces" / "john_simm").is_dir():
        return status
    photos = sorted(str(p) for p in (shared / "faces" / "john_simm").glob("*.jpg"))
    avatar = DEMO / "avatar"
    if avatar.exists():
        shutil.rmtree(avatar)
    steps = [
        [sys.executable, "-m", "engine", "train", *photos, "--out", str(avatar), "--json"],
        [sys.executable, "-m", "engine", "create", "--avatar", str(avatar),
         "--template", str(shared / "templates" / "facechain_styles" / "Men_suit.jpg"),
         "--out", str(DEMO / "portrait.jpg"), "--json"],
    ]
    for step in steps:
        print("\n$", shlex.join(["python", *step[1:4], "..."]), flush=True)
        completed = subprocess.run(step, cwd=REPO, capture_output=True, text=True)
        print(completed.stdout[:400] + ("..." if len(completed.stdout) > 400 else ""))
        if completed.returncode:
            print(completed.stderr, file=sys.stderr)
            return completed.returncode
    print(f"\nThe portrait is in {DEMO / 'portrait.jpg'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
