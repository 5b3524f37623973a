"""Avatar artifacts in storage: the engine writes and reads a local folder, storage keeps it.

With local media the folder in storage is used in place; with S3 it is copied into a local cache
once and validated by the engine's checksums on every load.
"""
from __future__ import annotations

import shutil
import tempfile
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage

from .models import Avatar


def artifact_prefix(*, avatar: Avatar) -> str:
    # A fresh folder per training: a re-training never overwrites files a worker may be reading.
    return f"avatars/{avatar.owner_id}/{avatar.model_id}/{uuid.uuid4().hex[:12]}"


def artifact_upload(*, local_dir: Path, prefix: str) -> None:
    for path in sorted(local_dir.rglob("*")):
        if path.is_file():
            relative = path.relative_to(local_dir).as_posix()
            with path.open("rb") as handle:
                default_storage.save(f"{prefix}/{relative}", File(handle, name=path.name))


def artifact_files(*, prefix: str) -> list[str]:
    """Every file under the prefix, relative to it (storage listings are one level deep)."""
    try:
        folders, files = default_storage.listdir(prefix)
    except FileNotFoundError:
        return []
    nested = [f"{folder}/{name}" for folder in folders for name in artifact_files(prefix=f"{prefix}/{folder}")]
    return sorted(files) + nested


def artifact_delete(*, prefix: str) -> None:
    if not prefix:
        return
    for name in artifact_files(prefix=prefix):
        default_storage.delete(f"{prefix}/{name}")


def artifact_local(*, avatar: Avatar) -> Path:
    """A local folder holding the avatar's artifact, ready for the engine to load."""
    try:
        in_place = Path(default_storage.path(avatar.artifact))
    except NotImplementedError:
        in_place = None
    if in_place is not None:
        return in_place
    cached = Path(settings.VAR_DIR) / "cache" / avatar.artifact
    if cached.is_dir():
        return cached
    cached.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(dir=cached.parent, prefix=".partial-"))
    for name in artifact_files(prefix=avatar.artifact):
        (partial / name).parent.mkdir(parents=True, exist_ok=True)
        with default_storage.open(f"{avatar.artifact}/{name}", "rb") as source, (partial / name).open("wb") as target:
            shutil.copyfileobj(source, target)
    try:
        partial.rename(cached)
    except OSError:
        shutil.rmtree(partial, ignore_errors=True)  # another worker cached it first
    return cached
