"""A media folder of its own for each test, and helpers that put real files in it."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from accounts.services import user_get_or_create
from studio.portraits.models import Avatar, AvatarStatus, Photo, Portrait


def jpeg(color=(200, 120, 90), *, exif: Image.Exif | None = None) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 10), color).save(out, "JPEG", exif=exif or Image.Exif())
    return out.getvalue()


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media: Path) -> set[str]:
    return {p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file()} if media.exists() else set()


def photo(owner, avatar=None, **fields) -> Photo:
    made = Photo(owner=owner, avatar=avatar, **fields)
    made.image.save("p.jpg", ContentFile(jpeg()), save=False)
    made.save()
    return made


def avatar_with_files(owner, **fields) -> Avatar:
    """A trained avatar with two photos (one the reference), an artifact and a portrait."""
    from django.core.files.storage import default_storage

    avatar = Avatar.objects.create(owner=owner, status=AvatarStatus.READY, **fields)
    avatar.artifact = f"avatars/{owner.id}/{avatar.model_id}/abc"
    default_storage.save(f"{avatar.artifact}/avatar.json", ContentFile(b"{}"))
    default_storage.save(f"{avatar.artifact}/faces/0.npy", ContentFile(b"\x93NUMPY"))
    avatar.save()
    photo(owner, avatar, is_reference=True)
    photo(owner, avatar)
    portrait = Portrait(owner=owner)
    portrait.image.save("x.jpg", ContentFile(jpeg()), save=False)
    portrait.save()
    portrait.avatars.set([avatar])
    return avatar


@pytest.fixture
def owner(db):
    return user_get_or_create(email="ann@example.com")[0]


@pytest.fixture
def other(db):
    return user_get_or_create(email="bob@example.com")[0]
