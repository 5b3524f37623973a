"""A live studio for end-to-end tests: the web server (pytest-django's live_server), real
django-q2 worker processes on the test database, and a photo server on loopback."""
from __future__ import annotations

import functools
import http.server
import io
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import connection

from studio.catalog.models import Style, Template
from tests.conftest import REPO
from tests.processes import processes_kill, processes_stop


def database_url() -> str:
    """The test database as a DATABASE_URL, for worker processes."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """One `manage.py qcluster` process (it runs its own worker children in its process group)."""

    def __init__(self, *, env: dict[str, str], log: Path):
        self.log = log
        with log.open("ab") as sink:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "qcluster"],
                cwd=REPO, env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True,
            )

    def kill(self) -> None:
        """As a crash would: SIGKILL to the whole group, nothing cleaned up."""
        processes_kill([self.process])

    def stop(self) -> None:
        processes_stop([self.process])

    def tail(self, *, chars: int = 4000) -> str:
        """The end of its log, for a failure to show what the cluster was doing."""
        return f"--- {self.log.name} ---\n" + self.log.read_text(errors="replace")[-chars:]


def _workers(logs: Path) -> Iterator[Callable[..., Worker]]:
    workers: list[Worker] = []
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "DATABASE_URL": database_url(),
           "STUDIO_WORKERS": "1", "PYTHONUNBUFFERED": "1"}

    def start(**extra_env: str) -> Worker:
        worker = Worker(env={**env, **extra_env}, log=logs / f"qcluster-{len(workers)}.log")
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def start_worker(django_db_setup, tmp_path) -> Iterator[Callable[..., Worker]]:
    """Starts qcluster processes on the test database; all are stopped after the test."""
    yield from _workers(tmp_path)


@pytest.fixture(scope="module")
def module_worker(django_db_setup, tmp_path_factory) -> Iterator[Worker]:
    """One qcluster for a whole module of tests (its start-up costs seconds)."""
    for start in _workers(tmp_path_factory.mktemp("qcluster")):
        yield start()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:
        return None


@pytest.fixture(scope="session")
def photo_server(shared_data) -> Iterator[str]:
    """Serves ../shared/data over HTTP on loopback; returns its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(shared_data))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def wait_for(condition: Callable[[], object], *, timeout: float, what: str,
             workers: Iterable[Worker] = ()) -> object:
    """Polls ``condition`` until it is truthy; on timeout, fails with the ``workers``' log tails."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    logs = "\n".join(worker.tail() for worker in workers)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}" + (f"\n{logs}" if logs else ""))


CHROMIUM = Path("/usr/bin/chromium")
# The flags the machine notes give: no sandbox as root, and no background traffic to Google's hosts.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Screenshots of the main pages (STUDIO_SCREENSHOTS: another folder, e.g. docs/screenshots to
# refresh the README's).
SCREENSHOTS = Path(os.environ.get("STUDIO_SCREENSHOTS") or REPO / "var" / "screenshots")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}
# The password of the customers the browser tests make and log in as.
PASSWORD = "a-long-enough-password"


@pytest.fixture
def catalog(transactional_db, tmp_path_factory) -> None:
    """The catalog a fresh install seeds. seed_catalog itself runs once a session (the engine makes
    a preview per style: 19 s, before each of some forty browser tests); later tests load the rows it
    made (loaddata), whose preview and template files stay in the session's media folder. Where the
    tables are not empty (a test before this one left rows) the command runs again."""
    snapshot = tmp_path_factory.getbasetemp() / "seeded-catalog.json"
    if snapshot.exists() and not Style.objects.exists() and not Template.objects.exists():
        call_command("loaddata", str(snapshot), verbosity=0)
        return
    call_command("seed_catalog", stdout=io.StringIO())
    call_command("dumpdata", "catalog.Style", "catalog.Template", output=str(snapshot), verbosity=0)


@pytest.fixture
def browser_context(live_server, catalog):
    """Playwright's sync API runs an event loop in this thread: the ORM is used before it starts."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
        context.set_default_timeout(30_000)
        yield context
        context.close()
        browser.close()


@pytest.fixture
def browser_page(browser_context):
    return browser_context.new_page()


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request) -> str:
    """The screen a browser test runs on: each test that asks for it runs on the desktop and on a phone."""
    return request.param


@pytest.fixture
def sized_page(browser_page, viewport):
    browser_page.set_viewport_size(VIEWPORTS[viewport])
    return browser_page


def log_in(page, base: str, email: str) -> None:
    """Logs in through the form, as the customer (PASSWORD) would, and waits for the avatars page."""
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/avatars/")


def shot(page, name: str, *, full_page: bool = True) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)
