"""Gallery thumbnails on S3: made once into the bucket, read back from it, and gone with the
portrait's owner."""
from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from studio.portraits.models import Portrait
from studio.portraits.services.privacy import account_delete
from studio.portraits.services.renditions import rendition_get

from .conftest import jpeg

pytestmark = pytest.mark.django_db


@pytest.fixture
def portrait(bucket, owner) -> Portrait:
    portrait = Portrait(owner=owner)
    portrait.image.save("p.jpg", ContentFile(jpeg(size=(1024, 1280))))
    return portrait


def test_rendition_is_made_once_into_the_bucket(bucket, portrait):
    name = rendition_get(name=portrait.image.name, width=320)
    default_storage.delete(portrait.image.name)  # a second make would need it

    assert rendition_get(name=portrait.image.name, width=320) == name
    assert Image.open(io.BytesIO(bucket.read(name))).size == (320, 400)
    assert {key for key in bucket.keys() if key.startswith("renditions/")} == {name}


def test_account_delete_removes_the_renditions_from_the_bucket(bucket, owner, portrait,
                                                               django_capture_on_commit_callbacks):
    rendition_get(name=portrait.image.name, width=320)
    rendition_get(name=portrait.image.name, width=640)

    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=owner)

    assert bucket.keys() == set()
