"""studio.lib.outbound against real HTTP(S) servers on 127.0.0.1: limits, redirects and the private-address refusal."""
from __future__ import annotations

import base64
import datetime
import io
import ipaddress
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote_from_bytes

import pytest
from PIL import Image

from studio.lib.outbound import Limits, OutboundError, address_allowed, url_fetch, url_post

LOOPBACK_ONLY = Limits(allowed_networks=("127.0.0.1/32",))
REPO = Path(__file__).resolve().parents[2]


def _image(kind: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 120, 90)).save(buffer, kind)
    return buffer.getvalue()


JPEG = _image("JPEG")
PNG = _image("PNG")


@dataclass
class Site:
    port: int
    connections: int = 0
    requests: list[tuple[str, str, dict[str, str], bytes]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"


class _Handler(BaseHTTPRequestHandler):
    site: Site  # set per server

    def log_message(self, format: str, *args: object) -> None:  # keep pytest's output clean
        pass

    def do_GET(self) -> None:
        self._record(b"")
        route = self.path.split("?")[0]
        if route.startswith("/chain/"):
            left = int(route.rsplit("/", 1)[1])  # redirects still to come
            return self._redirect(f"/chain/{left - 1}" if left > 1 else "/photo.jpg")
        getattr(self, "get_" + route.strip("/").replace("/", "_").replace(".", "_").replace("-", "_"), self.get_missing)()

    def do_POST(self) -> None:
        self._record(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        if self.path == "/moved":
            return self._redirect("/hook")
        self._answer(202, "text/plain; charset=utf-8", "ok " + "é" * 2000)

    def _record(self, body: bytes) -> None:
        self.site.requests.append((self.command, self.path, dict(self.headers), body))

    def _answer(self, status: int, content_type: str | None, body: bytes | str, length: int | None = None) -> None:
        body = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str, *extra: tuple[str, str]) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        for name, value in extra:
            self.send_header(name, value)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def get_photo_jpg(self) -> None:
        self._answer(200, "image/jpeg", JPEG)

    def get_untyped_jpg(self) -> None:
        self._answer(200, "application/octet-stream", JPEG)

    def get_bare_png(self) -> None:
        self._answer(200, None, PNG)

    def get_untyped_text(self) -> None:
        self._answer(200, "application/octet-stream", "just words, no picture")

    def get_page(self) -> None:
        self._answer(200, "text/html; charset=utf-8", "<html>a gallery page</html>")

    def get_huge_page(self) -> None:  # says 1 GB, sends 1 KB and hangs up
        self._answer(200, "text/html", "<p>" * 300, length=10**9)

    def get_missing(self) -> None:
        self._answer(404, "text/plain", "not here")

    def get_huge_declared(self) -> None:  # says 1 GB, sends 1 KB and hangs up
        self._answer(200, "image/jpeg", JPEG[:1024], length=10**9)

    def get_truncated(self) -> None:  # says more than it sends
        self._answer(200, "image/jpeg", JPEG[:100], length=len(JPEG))

    def get_huge_streamed(self) -> None:  # no Content-Length: HTTP/1.0 ends the body when the server closes
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        self.end_headers()
        for _ in range(64):  # 4 MB at most
            if self.stop.is_set():
                return
            self.wfile.write(b"\xff" * 65536)

    def get_silent(self) -> None:
        self.stop.wait(3)

    def get_trickle(self) -> None:  # a byte every 0.5 s: no single read waits too long, the whole does
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        self.send_header("Content-Length", "1000")
        self.end_headers()
        for byte in JPEG[:6]:
            if self.stop.wait(0.5):
                return
            self.wfile.write(bytes([byte]))

    def get_relative(self) -> None:
        self._redirect("photo.jpg")

    def get_elsewhere(self) -> None:
        self._redirect(f"http://127.0.0.2:{self.site.port}/photo.jpg")

    def get_to_file(self) -> None:
        self._redirect("file:///etc/passwd")

    def get_to_data(self) -> None:
        self._redirect("data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>")

    def get_to_nowhere(self) -> None:  # a Location no URL parser takes
        self._redirect("http://[::1/\x7f%zz")

    def get_with_cookie(self) -> None:
        self._redirect("/photo.jpg", ("Set-Cookie", "session=secret; Path=/"))

    @property
    def stop(self) -> threading.Event:
        return self.site.stop


class _Server(ThreadingHTTPServer):
    def verify_request(self, request: object, client_address: object) -> bool:
        self.RequestHandlerClass.site.connections += 1  # every accepted connection, before any request is read
        return True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients that stop reading early (size and time limits) are the point of several tests


@pytest.fixture
def site() -> Iterator[Site]:
    handler = type("Handler", (_Handler,), {})
    server = _Server(("127.0.0.1", 0), handler)
    handler.site = Site(port=server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01})
    thread.start()
    yield handler.site
    handler.site.stop.set()
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def resolve(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Host names under .test resolve to the addresses this dict gives (one answer per lookup, last one repeats)."""
    answers: dict[str, list[str]] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host: str, port: object, *args: object, **kwargs: object) -> list:
        if host not in answers:
            return real(host, port, *args, **kwargs)
        lookup = answers[host].pop(0) if len(answers[host]) > 1 else answers[host][0]
        return [info for address in lookup.split(",") for info in real(address, port, *args, **kwargs)]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


def _refusal(url: str, limits: Limits | None = None) -> OutboundError:
    with pytest.raises(OutboundError) as caught:
        url_fetch(url, limits=limits)
    return caught.value


# --- happy paths ---------------------------------------------------------------------------------


def test_fetch_returns_image_bytes_and_type(site: Site) -> None:
    fetched = url_fetch(site.url("/photo.jpg"), limits=LOOPBACK_ONLY)
    assert (fetched.content, fetched.content_type, fetched.url) == (JPEG, "image/jpeg", site.url("/photo.jpg"))


def test_fetch_sends_the_studio_user_agent(site: Site) -> None:
    url_fetch(site.url("/photo.jpg"), limits=LOOPBACK_ONLY)
    assert site.requests[0][2]["User-Agent"] == "PortraitStudio/0.1 (+fetch)"


def test_fetch_accepts_octet_stream_with_image_magic(site: Site) -> None:
    assert url_fetch(site.url("/untyped.jpg"), limits=LOOPBACK_ONLY).content_type == "image/jpeg"


def test_fetch_accepts_missing_content_type_with_image_magic(site: Site) -> None:
    assert url_fetch(site.url("/bare.png"), limits=LOOPBACK_ONLY).content_type == "image/png"


def test_fetch_follows_relative_redirect(site: Site) -> None:
    fetched = url_fetch(site.url("/relative"), limits=LOOPBACK_ONLY)
    assert (fetched.content, fetched.url) == (JPEG, site.url("/photo.jpg"))


def test_fetch_follows_redirects_up_to_the_limit(site: Site) -> None:
    assert url_fetch(site.url("/chain/3"), limits=LOOPBACK_ONLY).content == JPEG


def test_fetch_keeps_no_cookies_across_redirects(site: Site) -> None:
    url_fetch(site.url("/with-cookie"), limits=LOOPBACK_ONLY)
    assert [path for _, path, headers, _ in site.requests if "Cookie" in headers] == []


def test_fetch_connects_to_the_checked_address_and_keeps_the_host_name(site: Site, resolve: dict) -> None:
    # A second lookup would get 10.255.255.1, where nothing answers: the fetch succeeds only if it connects
    # to the address that was checked, with the host name still in the Host header.
    resolve["photos.test"] = ["127.0.0.1", "10.255.255.1"]
    url_fetch(site.url("/photo.jpg", host="photos.test"), limits=LOOPBACK_ONLY)
    assert site.requests[0][2]["Host"] == f"photos.test:{site.port}"


# --- private addresses ---------------------------------------------------------------------------

SSRF_HOSTS = [
    "127.0.0.1", "localhost", "2130706433", "0x7f.1", "017700000001", "127.1", "0", "0.0.0.0",
    "[::1]", "[::]", "[::ffff:7f00:1]", "[::ffff:127.0.0.1]", "[::7f00:1]", "[64:ff9b::a00:1]",
    "[2002:7f00:1::]", "[2001:0:4136:e378:8000:63bf:80ff:fffe]",
    "10.0.0.1", "172.16.0.1", "192.168.1.1", "100.64.0.1", "169.254.169.254", "[fe80::1]",
    "[fc00::1]", "[fd12:3456::1]", "224.0.0.1", "[ff0e::1]", "240.0.0.1", "255.255.255.255",
]  # fmt: skip


@pytest.mark.parametrize("host", SSRF_HOSTS)
def test_fetch_refuses_private_address_before_connecting(site: Site, host: str) -> None:
    error = _refusal(site.url("/photo.jpg", host=host))
    assert (error.code, site.connections) == ("private_address", 0)


def test_fetch_refuses_host_with_any_private_address(site: Site, resolve: dict) -> None:
    resolve["mixed.test"] = ["127.0.0.1,10.0.0.1"]
    error = _refusal(site.url("/photo.jpg", host="mixed.test"), LOOPBACK_ONLY)
    assert (error.code, site.connections) == ("private_address", 0)


def test_fetch_refuses_redirect_to_disallowed_address(site: Site) -> None:
    error = _refusal(site.url("/elsewhere"), LOOPBACK_ONLY)
    assert (error.code, error.url) == ("private_address", f"http://127.0.0.2:{site.port}/photo.jpg")


def test_fetch_refuses_redirect_to_file_url(site: Site) -> None:
    assert _refusal(site.url("/to-file"), LOOPBACK_ONLY).code == "invalid_url"


def test_fetch_refuses_redirect_to_data_url(site: Site) -> None:
    error = _refusal(site.url("/to-data"), LOOPBACK_ONLY)
    assert error.code == "invalid_url" and "redirected" in error.message


def test_fetch_refuses_redirect_to_unparseable_location(site: Site) -> None:
    assert _refusal(site.url("/to-nowhere"), LOOPBACK_ONLY).code in ("invalid_url", "unreachable")


@pytest.mark.parametrize("address", ["8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8", "2002:808:808::1"])
def test_public_address_is_allowed(address: str) -> None:
    assert address_allowed(ipaddress.ip_address(address), limits=Limits())


def test_allowed_network_admits_only_its_own_addresses() -> None:
    limits = Limits(allowed_networks=("127.0.0.1/32",))
    allowed = [address_allowed(ipaddress.ip_address(a), limits=limits) for a in ("127.0.0.1", "127.0.0.2")]
    assert allowed == [True, False]


def test_allow_private_admits_private_addresses() -> None:
    assert address_allowed(ipaddress.ip_address("10.1.2.3"), limits=Limits(allow_private=True))


def test_fetch_ignores_proxy_environment(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    # A proxy would make the connection in place of the checked one; port 9 on loopback has nothing behind it.
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    assert url_fetch(site.url("/photo.jpg"), limits=LOOPBACK_ONLY).content == JPEG


# --- URLs ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://example.com/a.jpg", "gopher://example.com/", "http:///a.jpg", "photo.jpg",
     "http://user:secret@example.com/a.jpg", "https://example.com/" + "a" * 8200],
)  # fmt: skip
def test_fetch_refuses_unusable_url(url: str) -> None:
    assert _refusal(url).code == "invalid_url"


# --- limits --------------------------------------------------------------------------------------


def test_fetch_refuses_declared_oversize_without_reading(site: Site) -> None:
    # The body is cut after 1 KB: reading it would end as "unreachable", not "too_large".
    assert _refusal(site.url("/huge-declared"), LOOPBACK_ONLY).code == "too_large"


def test_fetch_stops_streaming_past_max_bytes(site: Site) -> None:
    started = time.monotonic()
    error = _refusal(site.url("/huge-streamed"), Limits(max_bytes=100_000, allowed_networks=("127.0.0.1/32",)))
    assert error.code == "too_large" and time.monotonic() - started < 2


def test_fetch_reports_truncated_body_as_unreachable(site: Site) -> None:
    assert _refusal(site.url("/truncated"), LOOPBACK_ONLY).code == "unreachable"


def test_fetch_times_out_on_silent_server(site: Site) -> None:
    error = _refusal(site.url("/silent"), Limits(timeout=0.3, allowed_networks=("127.0.0.1/32",)))
    assert (error.code, error.message) == ("timeout", "127.0.0.1 did not answer within 0.3 seconds.")


def test_fetch_timeout_bounds_the_whole_download_not_each_read(site: Site) -> None:
    started = time.monotonic()
    # Each read may wait only for what is left of the 0.6 s: the read begun at 0.5 s gives up at 0.6 s
    # instead of waiting for the byte at 1.0 s.
    error = _refusal(site.url("/trickle"), Limits(timeout=0.6, allowed_networks=("127.0.0.1/32",)))
    assert error.code == "timeout" and time.monotonic() - started < 0.95


def test_fetch_refuses_redirect_chain_over_the_limit(site: Site) -> None:
    assert _refusal(site.url("/chain/4"), LOOPBACK_ONLY).code == "redirects"


def test_fetch_reports_http_status_with_its_number(site: Site) -> None:
    error = _refusal(site.url("/nothing-here"), LOOPBACK_ONLY)
    assert error.code == "http_status" and "404" in error.message


def test_fetch_refuses_web_page(site: Site) -> None:
    error = _refusal(site.url("/page"), LOOPBACK_ONLY)
    assert (error.code, error.message) == ("content_type", "The URL served text/html, not image/*.")


def test_fetch_refuses_web_page_before_downloading_it(site: Site) -> None:
    # The page claims 1 GB: judged by its size first, it would be "too_large".
    assert _refusal(site.url("/huge-page"), LOOPBACK_ONLY).code == "content_type"


def test_fetch_refuses_octet_stream_without_image_magic(site: Site) -> None:
    assert _refusal(site.url("/untyped-text"), LOOPBACK_ONLY).code == "content_type"


def test_fetch_reports_closed_port_as_unreachable(site: Site) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert _refusal(f"http://127.0.0.1:{port}/", LOOPBACK_ONLY).code == "unreachable"


# --- data: URLs ----------------------------------------------------------------------------------


def test_data_url_base64_returns_image() -> None:
    fetched = url_fetch("data:image/jpeg;base64," + base64.b64encode(JPEG).decode())
    assert (fetched.content, fetched.content_type, fetched.url) == (JPEG, "image/jpeg", "data:image/jpeg;base64,")


def test_data_url_percent_encoded_returns_image() -> None:
    assert url_fetch("data:image/png," + quote_from_bytes(PNG)).content == PNG


def test_data_url_over_max_bytes_is_too_large() -> None:
    url = "data:image/jpeg;base64," + base64.b64encode(JPEG).decode()
    assert _refusal(url, Limits(max_bytes=len(JPEG) - 1)).code == "too_large"


def test_data_url_of_text_is_refused() -> None:
    assert _refusal("data:text/plain,hello").code == "content_type"


@pytest.mark.parametrize("url", ["data:image/jpeg;base64", "data:image/jpeg;base64,not*base64!"])
def test_malformed_data_url_is_invalid(url: str) -> None:
    assert _refusal(url).code == "invalid_url"


# --- HTTPS ---------------------------------------------------------------------------------------


@pytest.fixture
def tls_site(resolve: dict, tmp_path: Path) -> Iterator[dict]:
    """A TLS server with a self-signed certificate for secure.test; records the SNI name it was asked for."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "secure.test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("secure.test")]), critical=False)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    seen: dict = {"sni": []}
    context.sni_callback = lambda sock, server_name, ctx: seen["sni"].append(server_name)
    listener = socket.create_server(("127.0.0.1", 0))

    listener.settimeout(5)

    def serve_one() -> None:
        try:
            connection, _ = listener.accept()
        except TimeoutError:
            return  # the client never came: the test itself reports that
        with connection, context.wrap_socket(connection, server_side=True, do_handshake_on_connect=False) as tls:
            try:
                tls.do_handshake()
            except (ssl.SSLError, OSError):
                pass  # the client rejects the self-signed certificate

    thread = threading.Thread(target=serve_one)
    thread.start()
    resolve["secure.test"] = ["127.0.0.1"]
    seen["url"] = f"https://secure.test:{listener.getsockname()[1]}/photo.jpg"
    yield seen
    thread.join(timeout=5)
    listener.close()


def test_https_sends_the_host_name_as_sni(tls_site: dict) -> None:
    with pytest.raises(OutboundError):
        url_fetch(tls_site["url"], limits=LOOPBACK_ONLY)
    assert tls_site["sni"] == ["secure.test"]


def test_https_refuses_untrusted_certificate(tls_site: dict) -> None:
    assert _refusal(tls_site["url"], LOOPBACK_ONLY).code == "unreachable"


# --- url_post ------------------------------------------------------------------------------------


def test_post_returns_status_and_first_kilobyte(site: Site) -> None:
    posted = url_post(site.url("/hook"), content=b"{}", headers={"X-Signature": "s1"}, limits=LOOPBACK_ONLY)
    first_kilobyte = ("ok " + "é" * 2000).encode()[:1024].decode(errors="replace")  # cut inside an é
    assert (posted.status, posted.excerpt) == (202, first_kilobyte)


def test_post_delivers_body_and_headers(site: Site) -> None:
    url_post(site.url("/hook"), content=b'{"event": "done"}', headers={"X-Signature": "s1"}, limits=LOOPBACK_ONLY)
    method, _, headers, body = site.requests[0]
    assert (method, headers["X-Signature"], body) == ("POST", "s1", b'{"event": "done"}')


def test_post_does_not_follow_redirects(site: Site) -> None:
    posted = url_post(site.url("/moved"), content=b"{}", headers={}, limits=LOOPBACK_ONLY)
    assert (posted.status, len(site.requests)) == (302, 1)


def test_post_refuses_private_address(site: Site) -> None:
    with pytest.raises(OutboundError) as caught:
        url_post(site.url("/hook"), content=b"{}", headers={})
    assert (caught.value.code, site.connections) == ("private_address", 0)


# --- Django settings -----------------------------------------------------------------------------


def _python(code: str) -> str:
    """Runs code in a fresh interpreter, where Django is neither imported nor configured yet."""
    env = {name: value for name, value in os.environ.items() if name != "DJANGO_SETTINGS_MODULE"}
    run = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True)
    return run.stdout.strip()


def test_module_imports_without_django() -> None:
    assert _python("import sys, studio.lib.outbound; print('django' in sys.modules)") == "False"


def test_limits_from_settings_reads_studio_settings_and_overrides() -> None:
    code = (
        "from django.conf import settings; "
        "settings.configure(STUDIO_ALLOW_PRIVATE_URLS=True, STUDIO_FETCH_MAX_BYTES=1000, STUDIO_FETCH_TIMEOUT=2); "
        "from studio.lib.outbound import limits_from_settings; "
        "print(limits_from_settings(max_redirects=0))"
    )
    assert _python(code) == (
        "Limits(max_bytes=1000, timeout=2.0, max_redirects=0, content_types=('image/',), "
        "allow_private=True, allowed_networks=())"
    )
