"""For API tests: signed PAI requests through Django's test client, an image server on loopback
with good and bad files, and django-q2 in its synchronous mode (the job runs at commit)."""
from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django_q.conf import Conf
from skimage import data

from accounts.services import IssuedCredential, credential_create, user_get_or_create
from studio.api.pai_auth import pai_signature
from tests.file_server import file_server
from tests.images import encoded as _jpeg

ASTRONAUT = _jpeg(data.astronaut())
FILES = {
    "/astronaut.jpg": ("image/jpeg", ASTRONAUT),
    "/truncated.jpg": ("image/jpeg", ASTRONAUT[: len(ASTRONAUT) // 3]),
    "/page.html": ("text/html", b"<html><body>not an image</body></html>"),
    "/text.jpg": ("image/jpeg", b"plain text that claims to be a JPEG"),
}


@pytest.fixture(scope="session")
def image_server() -> Iterator[str]:
    with file_server(FILES) as url:
        yield url


@pytest.fixture
def sync_queue(monkeypatch) -> None:
    """django-q2's own synchronous mode: a task runs in-process when it is enqueued."""
    monkeypatch.setattr(Conf, "SYNC", True)


@pytest.fixture
def partner(db) -> IssuedCredential:
    return credential_create(owner=user_get_or_create(email="partner@example.com")[0])


@pytest.fixture
def pai(client, partner) -> Callable[..., dict]:
    """POSTs a signed PAI request as the partner; returns the JSON answer (asserting HTTP 200)."""

    def post(path: str, body: bytes | str, *, issued: IssuedCredential | None = None) -> dict:
        issued = issued or partner
        raw = body.encode() if isinstance(body, str) else body
        signature = pai_signature(token=issued.token, method="POST", path=path, body=raw)
        response = client.post(path, data=raw, content_type="application/json",
                               headers={"Authorization": f"{issued.app_id}:{signature}"})
        assert response.status_code == 200
        return response.json()

    return post
