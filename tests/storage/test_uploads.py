"""Photos given to the studio land in the bucket, under their owner, as private objects."""
from __future__ import annotations

import io

import httpx
import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from accounts.services import apikey_create
from studio.portraits.models import Photo

from .conftest import jpeg

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()  # the native API's throttle counts in the cache, which outlives a test
    yield
    cache.clear()


def test_photo_uploaded_through_the_native_api_lands_in_the_bucket(bucket, owner):
    api = Client(headers={"Authorization": f"Bearer {apikey_create(owner=owner).raw}"})
    upload = SimpleUploadedFile("me.jpg", jpeg(size=(64, 80)), content_type="image/jpeg")

    response = api.post("/api/studio/v1/photo-checks/", {"photos": [upload]})

    assert response.status_code == 201, response.content
    photo = Photo.objects.get(owner=owner)
    assert bucket.keys() == {photo.image.name}
    assert photo.image.name.startswith(f"photos/{owner.id}/")
    assert Image.open(io.BytesIO(bucket.read(photo.image.name))).size == (64, 80)


def test_stored_photo_is_private_without_a_signature(bucket, s3_endpoint, owner):
    upload = SimpleUploadedFile("me.jpg", jpeg(), content_type="image/jpeg")
    api = Client(headers={"Authorization": f"Bearer {apikey_create(owner=owner).raw}"})
    assert api.post("/api/studio/v1/photo-checks/", {"photos": [upload]}).status_code == 201
    name = Photo.objects.get(owner=owner).image.name

    response = httpx.get(f"{s3_endpoint}/{bucket.name}/{bucket.prefix}/{name}")

    assert response.status_code == 403
