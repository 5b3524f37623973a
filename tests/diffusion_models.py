"""A STUDIO_MODELS_DIR laid out and verified as `models fetch` leaves it, holding tiny random
models instead of the real weights (no download): for tests of what the studio does where the
diffusion engine is set up."""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest


def _pinned(name: str, folder: Path, like: dict) -> dict:
    """The manifest entry ``like`` pinned to the files now in ``folder`` (their sizes and digests)."""
    files = sorted(path for path in folder.rglob("*") if path.is_file())
    return {**like, "name": name, "revision": "0" * 40, "variant": None,
            "files": [{"path": path.relative_to(folder).as_posix(), "size": path.stat().st_size,
                       "sha256": hashlib.sha256(path.read_bytes()).hexdigest()} for path in files]}


def tiny_models_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """STUDIO_MODELS_DIR with sd15/ a tiny random SD 1.5 and controlnet-canny-sd15/ its ControlNet,
    verified by models fetch (nothing to download) against the committed manifest with those two
    entries pinned to the tiny files."""
    pytest.importorskip("diffusers", reason="the diffusion extra is not installed")
    from engine.diffusion import weights
    from engine.diffusion.tiny import tiny_models_dir

    models = tmp_path / "models"
    tiny_models_dir(models / "sd15")
    shutil.move(models / "sd15" / "controlnet-canny", models / "controlnet-canny-sd15")
    entries = json.loads(weights.MANIFEST_PATH.read_text())["models"]
    pinned = {name: _pinned(name, models / name, next(e for e in entries if e["name"] == name))
              for name in ("sd15", "controlnet-canny-sd15")}
    manifest = tmp_path / "models.json"
    manifest.write_text(json.dumps({"models": [pinned.get(e["name"], e) for e in entries]}))
    monkeypatch.setattr(weights, "MANIFEST_PATH", manifest)
    monkeypatch.setenv("STUDIO_MODELS_DIR", str(models))
    fetched = weights.models_fetch(list(pinned), on_line=lambda line: None)
    assert [f.downloaded for f in fetched] == [0, 0]
    return models
