"""The shared test data folder the benchmarks read: --data, else STUDIO_TEST_DATA, else ../shared/data."""
from __future__ import annotations

import argparse
import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def data_argument(parser: argparse.ArgumentParser) -> None:
    default = os.environ.get("STUDIO_TEST_DATA") or REPO.parent / "shared" / "data"
    parser.add_argument("--data", type=Path, default=Path(default), help="the shared test data folder")


def data_checked(folder: Path) -> Path:
    """The folder, or a clear exit when it is not the shared data folder."""
    if not (folder / "manifest.csv").is_file():
        raise SystemExit(f"{folder} has no manifest.csv: set STUDIO_TEST_DATA to the shared data folder.")
    return folder
