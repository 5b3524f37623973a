"""Helpers for the catalog tests: users, sample images, and template packs built in tmp_path
from ../shared/data/templates as its styles.json groups them."""
from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from PIL import Image
from skimage import data

from accounts.models import User

MULTI_PERSON_KEY = "studio_two_people"  # styles.json's "_multi_person" group


def make_user(email: str) -> User:
    return User.objects.create_user(email=email)  # no password: hashing one costs ~0.3 s


def png_bytes(pixels, size: tuple[int, int] | None = None) -> bytes:
    image = Image.fromarray(pixels)
    if size is not None:
        image = image.resize(size, Image.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(scope="session")
def astronaut_png() -> bytes:
    """512 x 512, one face (NASA, public domain)."""
    return png_bytes(data.astronaut())


def write_style(folder: Path, **style) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "style.json").write_text(json.dumps(style))
    return folder


def gender_of(key: str) -> str:
    return "male" if key.endswith("_male") else "female" if key.endswith("_female") else "any"


@pytest.fixture
def pack_groups(shared_data) -> dict[str, list[Path]]:
    """Style key -> its template files, from ../shared/data/templates/styles.json."""
    root = shared_data / "templates"
    groups = json.loads((root / "styles.json").read_text())
    return {
        MULTI_PERSON_KEY if key == "_multi_person" else key: [root / name for name in entry["templates"]]
        for key, entry in groups.items()
    }


@pytest.fixture
def pack(tmp_path, pack_groups) -> Path:
    """A pack in the documented format: the ID-photo styles as kind idphoto with no images, the
    two-person group as a style whose templates have two faces."""
    root = tmp_path / "pack"
    for key, files in pack_groups.items():
        folder = root / key
        if key.startswith("f_idcard"):
            write_style(folder, title=key, gender=gender_of(key), kind="idphoto",
                        parameters={"size": "1inch", "background": "blue"})
            continue
        extra = {"face_count": 2} if key == MULTI_PERSON_KEY else {}
        write_style(folder, title=key.replace("_", " "), gender=gender_of(key), **extra)
        for path in files:
            shutil.copy(path, folder / path.name)
    return root


def run_command(*args) -> tuple[str, int]:
    """The command's output and exit status (a CommandError's returncode, as manage.py exits)."""
    out = io.StringIO()
    try:
        call_command(*args, stdout=out)
    except CommandError as error:
        return out.getvalue(), error.returncode
    return out.getvalue(), 0
