"""A real HTTP receiver on loopback that answers with scripted statuses and keeps what it got, an
owner, and django-q2 in its synchronous mode (an attempt runs when it is enqueued)."""
from __future__ import annotations

import http.server
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from django_q.conf import Conf

from accounts.services import user_get_or_create


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    statuses: list[int] = field(default_factory=list)  # answered in turn; 200 once they run out
    received: list[Received] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args) -> None:  # quiet test output
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            state.received.append(Received(self.path, dict(self.headers.items()), body))
            status = state.statuses.pop(0) if state.statuses else 200
            answer = f"answered {status}".encode()
            self.send_response(status)
            self.send_header("content-length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    yield state
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def loopback_allowed(settings) -> None:
    """The receiver lives on 127.0.0.1, which the studio refuses unless told otherwise."""
    settings.STUDIO_ALLOW_PRIVATE_URLS = True


@pytest.fixture
def sync_queue(monkeypatch) -> None:
    monkeypatch.setattr(Conf, "SYNC", True)


@pytest.fixture
def owner(db):
    return user_get_or_create(email="partner@example.com")[0]


@pytest.fixture
def committed(django_capture_on_commit_callbacks) -> Callable:
    """Runs a service and then its on-commit work (the first attempt), as a real transaction would."""

    def run(service: Callable, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return run
