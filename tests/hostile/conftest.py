"""A hostile web server on loopback: the corpus under /files/, and URLs that misbehave (redirect
loops, redirects to data: and file:, trickling and endless bodies, silence, lying content types)."""
from __future__ import annotations

import http.server
import time
from collections.abc import Iterator
from pathlib import PurePosixPath

import pytest
from django.core.files.storage import default_storage

from tests.file_server import loopback_server
from tests.hostile.corpus import CORPUS

# Each fetch is cut at this many seconds here (the setting's default is 20): a slow URL must be
# refused within it, plus this margin for the rest of the request.
FETCH_TIMEOUT = 2
MARGIN = 3

HOSTILE_URLS = {
    "/redirect-loop": "redirects to itself",
    "/redirect-to-data": "redirects to a data: SVG",
    "/redirect-to-file": "redirects to file:///etc/passwd",
    "/redirect-unparseable": "redirects to a Location no parser takes",
    "/trickle": "sends a byte a second, for ever",
    "/endless": "streams an endless chunked body",
    "/silent": "accepts and never answers",
    "/declared-huge": "declares a terabyte of content",
    "/web-page": "serves text/html",
    "/lying-type": "serves HTML as image/jpeg",
    "/missing": "answers 404",
}
# The URLs that take the whole fetch timeout: sent through one door per API family, not all.
SLOW_URLS = ("/trickle", "/silent")


def _handler(files: dict[str, tuple[str, bytes]]) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args) -> None:
            return None

        def do_GET(self) -> None:
            route = getattr(self, "route_" + self.path.strip("/").replace("-", "_"), None)
            if self.path.startswith("/files/") and self.path in files:
                content_type, body = files[self.path]
                self._send(200, body, content_type)
            elif route is not None:
                route()
            else:
                self._send(404, b"not here", "text/plain")

        def _send(self, status: int, body: bytes, content_type: str, *headers: tuple[str, str]) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def _redirect(self, location: str) -> None:
            self._send(302, b"", "text/plain", ("Location", location))

        def route_redirect_loop(self) -> None:
            self._redirect("/redirect-loop")

        def route_redirect_to_data(self) -> None:
            self._redirect("data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>")

        def route_redirect_to_file(self) -> None:
            self._redirect("file:///etc/passwd")

        def route_redirect_unparseable(self) -> None:
            self._redirect("http://[::1/\x7f%zz")

        def route_trickle(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self._stream(lambda: b"\xff", pause=1.0)

        def route_endless(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"\xff" * 65536
            self._stream(lambda: f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n", pause=0)

        def _stream(self, piece, *, pause: float) -> None:
            deadline = time.monotonic() + 30  # the server gives up long after any client should have
            try:
                while time.monotonic() < deadline:
                    self.wfile.write(piece())
                    self.wfile.flush()
                    time.sleep(pause)
            except OSError:
                return  # the studio hung up, as it should

        def route_silent(self) -> None:
            time.sleep(FETCH_TIMEOUT + MARGIN + 1)

        def route_declared_huge(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(10**12))
            self.end_headers()

        def route_web_page(self) -> None:
            self._send(200, b"<html><body>a web page</body></html>", "text/html; charset=utf-8")

        def route_lying_type(self) -> None:
            self._send(200, b"<html><script>alert(1)</script></html>", "image/jpeg")

    return Handler


@pytest.fixture(scope="session")
def hostile_server() -> Iterator[str]:
    files = {f"/files/{specimen.name}": (specimen.content_type, specimen.make()) for specimen in CORPUS}
    with loopback_server(_handler(files)) as url:
        yield url


@pytest.fixture(scope="session")
def corpus_bytes() -> dict[str, bytes]:
    return {specimen.name: specimen.make() for specimen in CORPUS}


@pytest.fixture
def hostile_settings(settings):
    """Loopback URLs allowed (the server is on 127.0.0.1), a short fetch timeout, generous rates."""
    settings.STUDIO_ALLOW_PRIVATE_URLS = True
    settings.STUDIO_FETCH_TIMEOUT = FETCH_TIMEOUT
    settings.STUDIO_SYNC_WAIT = 60  # a job that never runs fails the test in a minute, not five
    settings.STUDIO_RATE_LIMITS = {operation: "10000/s" for operation in settings.STUDIO_RATE_LIMITS}
    settings.STUDIO_DASHSCOPE_MAX_CONCURRENT = 10000
    return settings


def stored_inputs() -> list[str]:
    """Every file under the folders where inputs are kept (photos and job inputs)."""
    found: list[str] = []

    def walk(folder: str) -> None:
        if not default_storage.exists(folder):
            return
        folders, files = default_storage.listdir(folder)
        found.extend(str(PurePosixPath(folder, name)) for name in files)
        for name in folders:
            walk(str(PurePosixPath(folder, name)))

    for top in ("photos", "inputs", "templates"):
        walk(top)
    return found
