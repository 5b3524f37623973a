"""For native API tests: users with API keys, a client that sends the key, real photos as uploads,
and django-q2 in its synchronous mode (a job runs when its transaction commits)."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_q.conf import Conf
from PIL import Image
from skimage import data

from accounts.services import apikey_create, user_get_or_create

API = "/api/studio/v1"


def jpeg(pixels) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


ASTRONAUT = jpeg(data.astronaut())


def upload(content: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def shared_upload(folder: Path, relative: str) -> SimpleUploadedFile:
    return upload((folder / relative).read_bytes(), name=Path(relative).name)


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()  # the throttle counts in the cache, which outlives a test
    yield
    cache.clear()


@pytest.fixture
def sync_queue(monkeypatch) -> None:
    monkeypatch.setattr(Conf, "SYNC", True)


@pytest.fixture
def owner(db):
    return user_get_or_create(email="owner@example.com")[0]


@pytest.fixture
def stranger(db):
    return user_get_or_create(email="stranger@example.com")[0]


def client_for(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {apikey_create(owner=user).raw}"})


@pytest.fixture
def api(owner) -> Client:
    return client_for(owner)


@pytest.fixture
def stranger_api(stranger) -> Client:
    return client_for(stranger)
