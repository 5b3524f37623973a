"""Rows whose files are hostile or broken never break the pages and sweeps that load them.

A row stored before intake admitted images (a header bomb kept with no size) used to make Django
decode its file whenever the row was loaded: the owner's pages, the admin's photo list and the
retention sweep answered 500 for good. Image fields now never read the file on load.
"""
from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from accounts.services import user_get_or_create
from studio.portraits.models import Photo, PhotoOrigin
from studio.portraits.services.retention import retention_sweep
from tests.hostile.corpus import png_header_bomb

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    user = user_get_or_create(email="poisoned@example.com")[0]
    return user


def poisoned_photo(owner, **fields) -> Photo:
    """A pending website photo whose file is a header bomb and whose size was never recorded."""
    name = default_storage.save(f"photos/{owner.id}/bomb.png", ContentFile(png_header_bomb()))
    return Photo.objects.create(owner=owner, image=name, origin=PhotoOrigin.WEBSITE, width=None, height=None, **fields)


def test_loading_a_poisoned_row_reads_no_file(owner):
    photo = poisoned_photo(owner)

    loaded = Photo.objects.get(id=photo.id)

    assert (loaded.width, loaded.height) == (None, None)


def test_new_avatar_page_shows_a_poisoned_photo(client, owner):
    poisoned_photo(owner)
    client.force_login(owner)

    assert client.get("/avatars/new/").status_code == 200


def test_photo_json_and_delete_answer_for_a_poisoned_photo(client, owner):
    photo = poisoned_photo(owner)
    client.force_login(owner)

    assert client.get(f"/photos/{photo.id}.json").status_code == 200
    assert client.post(f"/photos/{photo.id}/delete/").status_code == 302
    assert not Photo.objects.filter(id=photo.id).exists()


def test_admin_photo_list_shows_a_poisoned_photo(admin_client, owner):
    poisoned_photo(owner)

    assert admin_client.get("/admin/portraits/photo/").status_code == 200


def test_retention_sweep_deletes_a_poisoned_photo(owner):
    poisoned_photo(owner)

    assert retention_sweep(now=timezone.now() + timedelta(days=2)).request_photos == 1


def test_retention_sweep_skips_a_row_it_cannot_delete_and_goes_on(owner, caplog):
    # A name outside the media folder: storage refuses it (SuspiciousFileOperation) on delete.
    broken = Photo.objects.create(owner=owner, image="../outside-media.jpg", width=8, height=8)
    fine = poisoned_photo(owner)

    with caplog.at_level(logging.ERROR, logger="studio.portraits.services.retention"):
        report = retention_sweep(now=timezone.now() + timedelta(days=2))

    assert report.request_photos == 1
    assert not Photo.objects.filter(id=fine.id).exists()
    assert Photo.objects.filter(id=broken.id).exists()
    assert "skipped" in caplog.text
