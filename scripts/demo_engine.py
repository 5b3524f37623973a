"""What `make run` shows until the web studio exists: the engine's photo check, run from its
command line on two sample photos from scikit-image (a portrait and a cup of coffee).
"""
from __future__ import annotations

import shlex
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
    return subprocess.run(command, cwd=REPO).returncode


if __name__ == "__main__":
    sys.exit(main())
