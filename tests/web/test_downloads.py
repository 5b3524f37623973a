"""Downloads: one portrait, and ZIPs of all or the favourites, with the owner's files only."""
from __future__ import annotations

import io
import zipfile

import pytest

from .conftest import logged_in


def zip_names(response) -> dict[str, bytes]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.testzip() is None
    return {name: archive.read(name) for name in archive.namelist()}


def stored(portrait) -> bytes:
    with portrait.image.open("rb") as handle:
        return handle.read()


@pytest.mark.django_db
def test_zip_of_all_holds_exactly_the_owners_portraits(alice, bob):
    files = zip_names(logged_in(alice.user).get("/gallery/portraits.zip"))
    assert files == {f"portrait-{p.id}.jpg": stored(p) for p in (alice.portrait, alice.favourite)}
    assert stored(bob.portrait) not in files.values()


@pytest.mark.django_db
def test_zip_of_favourites_holds_only_favourites(alice, bob):
    files = zip_names(logged_in(alice.user).get("/gallery/portraits.zip?favourites=1"))
    assert list(files) == [f"portrait-{alice.favourite.id}.jpg"]


@pytest.mark.django_db
def test_zip_of_another_customers_avatar_is_404(alice, bob):
    assert logged_in(alice.user).get(f"/gallery/portraits.zip?avatar={bob.avatar.model_id}").status_code == 404


@pytest.mark.django_db
def test_one_download_is_the_stored_file_as_an_attachment(alice):
    response = logged_in(alice.user).get(f"/portraits/{alice.portrait.id}/download/")
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == stored(alice.portrait)
