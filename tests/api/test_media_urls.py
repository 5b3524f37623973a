"""Signed media URLs: the file for whoever holds a fresh URL, nothing for a forged or stale one."""
from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from studio.lib.media_urls import media_url_sign


@pytest.fixture
def stored() -> str:
    name = default_storage.save("portraits/test/result.jpg", ContentFile(b"\xff\xd8\xff jpeg bytes"))
    yield name
    default_storage.delete(name)


def _path(url: str) -> str:
    return urlsplit(url).path


def test_signed_url_serves_the_file(client, stored):
    response = client.get(_path(media_url_sign(name=stored)))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"\xff\xd8\xff jpeg bytes"
    assert response["Content-Type"] == "image/jpeg"


def test_expired_url_is_not_found(client, stored, monkeypatch):
    url = media_url_sign(name=stored, ttl=60)
    later = time.time() + 60 * 1.1 + 1  # a URL lives its TTL and at most a tenth more
    monkeypatch.setattr(time, "time", lambda: later)

    assert client.get(_path(url)).status_code == 404


def test_url_lives_at_least_its_ttl(client, stored, monkeypatch):
    url = media_url_sign(name=stored, ttl=60)
    later = time.time() + 59
    monkeypatch.setattr(time, "time", lambda: later)

    response = client.get(_path(url))
    response.close()  # a FileResponse holds the file open until closed
    assert response.status_code == 200


def test_url_is_the_same_within_its_window(stored, monkeypatch):
    start = 1_800_000_000  # a multiple of the hour a day's TTL keeps one URL for
    monkeypatch.setattr(time, "time", lambda: start + 10)
    first = media_url_sign(name=stored, ttl=24 * 3600)
    monkeypatch.setattr(time, "time", lambda: start + 3590)
    again = media_url_sign(name=stored, ttl=24 * 3600)
    monkeypatch.setattr(time, "time", lambda: start + 3600)
    next_window = media_url_sign(name=stored, ttl=24 * 3600)

    assert first == again
    assert next_window != first


def test_forged_token_is_not_found(client, stored):
    url = media_url_sign(name=stored)
    token = url.split("/m/")[1].split("/")[0]
    forged = url.replace(token, token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))

    assert client.get(_path(forged)).status_code == 404


def test_url_uses_the_requests_host_when_given(rf, stored):
    request = rf.get("/", HTTP_HOST="localhost:8123")

    assert media_url_sign(name=stored, request=request).startswith("http://localhost:8123/m/")


@pytest.mark.parametrize("filename", ["my photo (1).jpg", "résultat 100%.jpg", "a+b&c=d;e.jpg"])
def test_signed_url_of_an_odd_file_name_is_what_reverse_makes(client, filename):
    from django.urls import reverse

    name = default_storage.save(f"portraits/test/{filename}", ContentFile(b"\xff\xd8\xff odd"))
    try:
        path = _path(media_url_sign(name=name))
        token = path.split("/")[-2]

        assert path == reverse("media-signed", kwargs={"token": token, "filename": name.rsplit("/", 1)[-1]})
        response = client.get(path)
        assert b"".join(response.streaming_content) == b"\xff\xd8\xff odd"
    finally:
        default_storage.delete(name)


def test_signed_url_keeps_the_script_prefix(stored):
    from django.urls import set_script_prefix

    set_script_prefix("/studio/")
    try:
        assert _path(media_url_sign(name=stored)).startswith("/studio/m/")
    finally:
        set_script_prefix("/")


def test_url_signed_under_another_key_does_not_verify(client, stored, settings):
    """Tokens are kept per window (media_urls._signed_tail); a key rotation must still sign anew."""
    before = media_url_sign(name=stored)
    settings.SECRET_KEY = "another key, as after a rotation without fallbacks" * 2
    after = media_url_sign(name=stored)

    assert after != before
    assert client.get(_path(before)).status_code == 404
    response = client.get(_path(after))
    response.close()
    assert response.status_code == 200
