"""What intake keeps: API photos stay off the website's new-avatar page, and a request refused
after its images were admitted (an account that cannot pay) keeps no photo and no file."""
from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.services import apikey_create, user_get_or_create
from billing.models import Account
from jobs.models import Job
from studio.portraits.models import Photo
from studio.web.uploads import pending_photos_for
from tests.hostile.conftest import stored_inputs
from tests.native.conftest import ASTRONAUT

pytestmark = pytest.mark.django_db
NATIVE = "/api/studio/v1"


@pytest.fixture
def owner():
    return user_get_or_create(email="intake@example.com")[0]


def _native(client, owner):
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {apikey_create(owner=owner).raw}"
    return client


def _photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("me.jpg", ASTRONAUT, content_type="image/jpeg")


def test_photos_checked_through_the_api_never_wait_on_the_new_avatar_page(client, owner):
    response = _native(client, owner).post(f"{NATIVE}/photo-checks/", {"photos": [_photo(), _photo()]})
    assert response.status_code == 201

    assert Photo.objects.filter(owner=owner).count() == 2
    assert not pending_photos_for(owner=owner).exists()


def test_photos_uploaded_on_the_website_wait_on_the_new_avatar_page(client, owner):
    client.force_login(owner)

    assert client.post("/photos/upload/", {"photo": _photo()}).status_code == 201

    assert pending_photos_for(owner=owner).count() == 1


def test_training_refused_for_want_of_points_keeps_no_photo_and_no_file(client, owner):
    Account.objects.filter(user=owner).update(trial_trainings=0, trial_creations=0, available=0)
    before = stored_inputs()

    response = _native(client, owner).post(f"{NATIVE}/avatars/", {"photos": [_photo() for _ in range(5)]})

    assert response.status_code == 402
    assert not Photo.objects.exists() and not Job.objects.exists()
    assert stored_inputs() == before
