"""The website while django-q2's broker is down: a "try again" answer, nothing kept, never a 500."""
from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.services import user_get_or_create
from jobs.models import Job
from studio.portraits.models import Photo
from tests.native.conftest import ASTRONAUT

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(client):
    user = user_get_or_create(email="outage@example.com")[0]
    client.force_login(user)
    return client


def _photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("me.jpg", ASTRONAUT, content_type="image/jpeg")


def test_photo_upload_script_gets_503_json_while_the_broker_is_down(customer, broker_down):
    response = customer.post("/photos/upload/", {"photo": _photo()})

    assert response.status_code == 503
    assert response["Retry-After"] and "Try again" in response.json()["error"]
    assert not Photo.objects.exists() and not Job.objects.exists()


def test_photo_form_gets_a_busy_page_while_the_broker_is_down(customer, broker_down):
    response = customer.post("/avatars/new/", {"photos": [_photo()]})

    assert response.status_code == 503
    assert b"busy for a moment" in response.content
    assert not Photo.objects.exists()
