"""All outbound HTTP of the studio: image URLs (and data: URLs) fetched, webhooks posted.
It owns the limits (size, total time, redirects, content type) and refuses private addresses at connect time."""
from __future__ import annotations

import base64
import binascii
import functools
import ipaddress
import logging
import socket
import ssl
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any
from urllib.parse import unquote_to_bytes

import httpcore
import httpx

logger = logging.getLogger(__name__)

USER_AGENT = "PortraitStudio/0.1 (+fetch)"
MAX_URL_LENGTH = 8 * 1024
EXCERPT_BYTES = 1024
_REDIRECT_STATUSES = {301, 302, 303, 307, 308}
# Content types that say nothing: partners' buckets often serve images like this, so the magic number decides.
_UNTYPED = ("", "application/octet-stream", "binary/octet-stream")
_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"GIF8", "image/gif"),
    (b"BM", "image/bmp"), (b"II*\x00", "image/tiff"), (b"MM\x00*", "image/tiff"),
)  # fmt: skip
# IPv6 forms whose packets really go to the IPv4 address in their last 32 bits.
_V4_COMPATIBLE = ipaddress.ip_network("::/96")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class OutboundError(Exception):
    """A refused or failed request. ``message`` is safe to show a partner; ``code`` is one of invalid_url,
    private_address, too_large, timeout, http_status, content_type, redirects, unreachable."""

    def __init__(self, code: str, message: str, url: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.url = url


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 20 * 1024 * 1024
    timeout: float = 15.0  # seconds for the whole fetch, redirects included
    max_redirects: int = 3
    content_types: tuple[str, ...] = ("image/",)  # accepted prefixes; empty accepts any
    allow_private: bool = False
    allowed_networks: tuple[str, ...] = ()  # CIDRs allowed even without allow_private (tests, one internal host)


@dataclass(frozen=True)
class Fetched:
    content: bytes
    content_type: str
    url: str  # after redirects; for a data: URL only its header, not the payload


@dataclass(frozen=True)
class Posted:
    status: int
    excerpt: str  # the first EXCERPT_BYTES of the answer
    elapsed: float


def limits_from_settings(**overrides: Any) -> Limits:
    from django.conf import settings  # here, so that the module imports without Django configured

    values = {
        "allow_private": bool(getattr(settings, "STUDIO_ALLOW_PRIVATE_URLS", False)),
        "max_bytes": int(getattr(settings, "STUDIO_FETCH_MAX_BYTES", Limits.max_bytes)),
        "timeout": float(getattr(settings, "STUDIO_FETCH_TIMEOUT", Limits.timeout)),
    }
    return Limits(**(values | overrides))


def address_allowed(ip: IPAddress, *, limits: Limits) -> bool:
    embedded = _embedded_ipv4(ip) if isinstance(ip, ipaddress.IPv6Address) else None
    networks = [ipaddress.ip_network(cidr, strict=False) for cidr in limits.allowed_networks]
    candidates = [address for address in (ip, embedded) if address is not None]
    if any(address in network for address in candidates for network in networks):
        return True
    if limits.allow_private:
        return True
    judged = embedded or ip
    # is_global alone lets multicast (224.0.0.1, ff0e::1) through.
    return judged.is_global and not (judged.is_multicast or judged.is_reserved or judged.is_unspecified)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]  # the client, where the packets end up
    if ip in _V4_COMPATIBLE or ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def url_fetch(url: str, *, limits: Limits | None = None) -> Fetched:
    """The content at ``url`` (http, https or data:), or OutboundError: never another exception, so
    a hostile URL or server is always a refusal the caller can answer."""
    limits = limits or Limits()
    try:
        if url[:5].lower() == "data:":
            return _data_decode(url, limits)
        return _http_fetch(url, limits)
    except OutboundError:
        raise
    except Exception as exc:  # noqa: BLE001 - a parser's surprise on crafted input, logged with its cause
        logger.warning("outbound fetch of %.200s failed unexpectedly", url, exc_info=True)
        raise OutboundError("invalid_url", "The URL or its answer could not be understood.", url[:200]) from exc


def _http_fetch(url: str, limits: Limits) -> Fetched:
    target = _checked_url(url)
    with _client(limits) as client:
        for _ in range(limits.max_redirects + 1):
            # Redirects are followed here, not by httpx, so that every hop passes the checks again.
            with _errors_named(target, limits), client.stream("GET", target) as response:
                location = response.headers.get("location")
                if response.status_code not in _REDIRECT_STATUSES or not location:
                    return _fetched(response, limits)
            target = _redirect_target(target, location)
    raise OutboundError("redirects", f"The URL redirected more than {limits.max_redirects} times.", url)


def _redirect_target(current: httpx.URL, location: str) -> httpx.URL:
    """Where a redirect leads, checked like the first URL: only to another http(s) URL (a redirect to
    data: or file: is refused, and a Location httpx cannot even parse is refused too)."""
    if location[:5].lower() == "data:":
        raise OutboundError("invalid_url", "The URL redirected to a data: URL, which is not followed.", str(current))
    try:
        joined = current.join(location)
    except (httpx.InvalidURL, ValueError, UnicodeError):
        raise OutboundError("invalid_url", "The URL redirected to an address that could not be parsed.",
                            str(current)) from None
    return _checked_url(str(joined))


def url_post(url: str, *, content: bytes, headers: dict[str, str], limits: Limits | None = None) -> Posted:
    """POSTs once and reports the answer, whatever its status; redirects are not followed.
    Like url_fetch, it raises nothing but OutboundError."""
    limits = limits or Limits()
    try:
        return _http_post(url, content=content, headers=headers, limits=limits)
    except OutboundError:
        raise
    except Exception as exc:  # noqa: BLE001 - as in url_fetch
        logger.warning("outbound post to %.200s failed unexpectedly", url, exc_info=True)
        raise OutboundError("invalid_url", "The URL or its answer could not be understood.", url[:200]) from exc


def _http_post(url: str, *, content: bytes, headers: dict[str, str], limits: Limits) -> Posted:
    target = _checked_url(url)
    started = time.monotonic()
    with _client(limits) as client, _errors_named(target, limits):
        with client.stream("POST", target, content=content, headers=headers) as response:
            excerpt = bytearray()
            for chunk in response.iter_bytes():
                excerpt += chunk
                if len(excerpt) >= EXCERPT_BYTES:
                    break
    text = bytes(excerpt[:EXCERPT_BYTES]).decode("utf-8", errors="replace")
    return Posted(status=response.status_code, excerpt=text, elapsed=time.monotonic() - started)


def allowed_addresses(host: str, port: int, *, limits: Limits) -> list[str]:
    """Every address the host resolves to, or OutboundError when any of them is not allowed."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise OutboundError("unreachable", f"The host name {host} could not be resolved.") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not all(address_allowed(ipaddress.ip_address(address), limits=limits) for address in addresses):
        message = f"{host} is a private, local or reserved address, which the studio does not connect to."
        raise OutboundError("private_address", message)
    return addresses


def url_destination_check(url: str, *, limits: Limits | None = None) -> None:
    """Refuses, without connecting, an http(s) URL that is malformed or whose host resolves to an
    address the limits do not allow (for URLs kept to be called later, such as webhooks; the call
    itself is checked again at connect time, since DNS can change)."""
    parsed = _checked_url(url)
    allowed_addresses(parsed.host, parsed.port or (443 if parsed.scheme == "https" else 80), limits=limits or Limits())


def _checked_url(url: str) -> httpx.URL:
    if len(url) > MAX_URL_LENGTH:
        raise OutboundError("invalid_url", f"The URL is longer than {MAX_URL_LENGTH} characters.", url[:200])
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        raise OutboundError("invalid_url", "The URL could not be parsed.", url) from None
    if parsed.scheme not in ("http", "https"):
        raise OutboundError("invalid_url", "Only http, https and data: URLs are accepted.", url)
    if not parsed.host:
        raise OutboundError("invalid_url", "The URL has no host name.", url)
    if parsed.userinfo:
        raise OutboundError("invalid_url", "URLs with a user name or password are not accepted.", url)
    return parsed


def _fetched(response: httpx.Response, limits: Limits) -> Fetched:
    url = str(response.url)
    if not 200 <= response.status_code < 300:
        raise OutboundError("http_status", f"The server answered with HTTP status {response.status_code}.", url)
    mime = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if mime not in _UNTYPED:
        _accepted_type(mime, b"", limits, url)  # refuse a web page before downloading it
    length = response.headers.get("content-length", "")
    if length.isdigit() and int(length) > limits.max_bytes:
        raise _too_large(limits, url)
    content = bytearray()
    for chunk in response.iter_bytes():
        content += chunk
        if len(content) > limits.max_bytes:
            raise _too_large(limits, url)
    return Fetched(bytes(content), _accepted_type(mime, content, limits, url), url)


def _data_decode(url: str, limits: Limits) -> Fetched:
    header, comma, payload = url[5:].partition(",")
    shown = f"data:{header[:100]},"  # errors and results never repeat the payload
    if not comma:
        raise OutboundError("invalid_url", "The data: URL has no comma before its payload.", shown)
    mime, *params = (part.strip().lower() for part in header.split(";"))
    if len(payload) > 4 * limits.max_bytes:  # no encoding takes 4 characters a byte: refuse undecoded
        raise _too_large(limits, shown)
    raw = unquote_to_bytes(payload)
    if params and params[-1] == "base64":
        try:
            raw = base64.b64decode(b"".join(raw.split()), validate=True)
        except binascii.Error:
            raise OutboundError("invalid_url", "The data: URL's base64 payload is malformed.", shown) from None
    if len(raw) > limits.max_bytes:
        raise _too_large(limits, shown)
    return Fetched(raw, _accepted_type(mime, raw, limits, shown), shown)


def _accepted_type(mime: str, content: bytes, limits: Limits, url: str) -> str:
    if not limits.content_types:
        return mime or "application/octet-stream"
    if mime in _UNTYPED:
        mime = _sniffed_type(content) or mime
    if mime and mime.startswith(limits.content_types):
        return mime
    wanted = ", ".join(prefix + "*" if prefix.endswith("/") else prefix for prefix in limits.content_types)
    raise OutboundError("content_type", f"The URL served {mime or 'content of no known type'}, not {wanted}.", url)


def _sniffed_type(content: bytes) -> str | None:
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return next((mime for magic, mime in _MAGIC if content.startswith(magic)), None)


def _too_large(limits: Limits, url: str) -> OutboundError:
    return OutboundError("too_large", f"The content is larger than {limits.max_bytes} bytes.", url)


@contextmanager
def _errors_named(url: httpx.URL, limits: Limits) -> Iterator[None]:
    """Turns what the network raised into an OutboundError naming the URL; the cause stays chained for logs."""
    try:
        yield
    except OutboundError as exc:
        exc.url = exc.url or str(url)
        raise
    except httpx.InvalidURL as exc:
        # httpx builds the next request of every redirect, followed or not: a Location it cannot
        # parse (data:image/svg+xml,<svg...>, a broken host) fails right there.
        message = f"{url.host} redirected to an address that is not a valid http or https URL."
        raise OutboundError("invalid_url", message, str(url)) from exc
    except (httpx.TimeoutException, httpcore.TimeoutException) as exc:
        message = f"{url.host} did not answer within {limits.timeout:g} seconds."
        raise OutboundError("timeout", message, str(url)) from exc
    except (httpx.RequestError, httpcore.NetworkError, httpcore.ProtocolError) as exc:
        message = f"Could not connect to {url.host} or read its answer."
        raise OutboundError("unreachable", message, str(url)) from exc


def _client(limits: Limits) -> httpx.Client:
    backend = _PinnedBackend(limits, deadline=time.monotonic() + limits.timeout)
    return httpx.Client(
        transport=_PinnedTransport(backend),
        headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"},
        cookies=CookieJar(DefaultCookiePolicy(allowed_domains=[])),  # a jar that keeps no cookie
        timeout=limits.timeout,
        follow_redirects=False,
        trust_env=False,  # no proxies or certificate files from the environment
    )


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    return httpx.create_ssl_context(trust_env=False)  # certifi's CA bundle takes milliseconds to load: once


class _PinnedTransport(httpx.BaseTransport):
    """httpx's HTTPTransport takes no network backend, so this drives httpcore's pool with ours."""

    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._pool = httpcore.ConnectionPool(ssl_context=_ssl_context(), network_backend=backend, retries=0)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        core_url = httpcore.URL(scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path)
        core_request = httpcore.Request(
            request.method, core_url, headers=request.headers.raw, content=request.stream, extensions=request.extensions
        )
        core = self._pool.handle_request(core_request)
        return httpx.Response(core.status, headers=core.headers, stream=_Body(core), extensions=core.extensions)

    def close(self) -> None:
        self._pool.close()


class _Body(httpx.SyncByteStream):
    def __init__(self, core: httpcore.Response) -> None:
        self._core = core

    def __iter__(self) -> Iterator[bytes]:
        yield from self._core.iter_stream()

    def close(self) -> None:
        self._core.close()


class _PinnedBackend(httpcore.NetworkBackend):
    """Resolves a host once, refuses it unless every address is allowed, then connects to those very addresses:
    no second lookup, so DNS cannot swap in an internal address between check and connect. TLS (SNI, certificate)
    and the Host header still use the host name, because httpcore only hands the connect step to us."""

    def __init__(self, limits: Limits, deadline: float) -> None:
        self._limits = limits
        self._deadline = deadline
        self._tcp = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        error: Exception = httpcore.ConnectError(f"no address for {host}")
        for address in self._allowed_addresses(host, port):
            try:
                stream = self._tcp.connect_tcp(address, port, self.time_left(timeout), local_address, socket_options)
                return _DeadlineStream(stream, self)
            except httpcore.ConnectError as exc:
                error = exc
        raise error

    def _allowed_addresses(self, host: str, port: int) -> list[str]:
        return allowed_addresses(host, port, limits=self._limits)

    def time_left(self, timeout: float | None) -> float:
        """Each socket operation gets at most what is left of the total, so a trickling server cannot stretch it."""
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise httpcore.TimeoutException("the total time for the request ran out")
        return left if timeout is None else min(left, timeout)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, backend: _PinnedBackend) -> None:
        self._inner = inner
        self._backend = backend

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._backend.time_left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._backend.time_left(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None) -> Any:
        inner = self._inner.start_tls(ssl_context, server_hostname, self._backend.time_left(timeout))
        return _DeadlineStream(inner, self._backend)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


@dataclass(frozen=True)
class Exchanged:
    status: int
    content: bytes


def url_exchange(url: str, *, content: bytes, headers: dict[str, str], limits: Limits) -> Exchanged:
    """POSTs once and returns the whole answer up to ``limits.max_bytes`` (an API's reply, not a
    webhook's excerpt); redirects are not followed. Raises nothing but OutboundError."""
    try:
        target = _checked_url(url)
        with _client(limits) as client, _errors_named(target, limits):
            with client.stream("POST", target, content=content, headers=headers) as response:
                received = bytearray()
                for chunk in response.iter_bytes():
                    received += chunk
                    if len(received) > limits.max_bytes:
                        raise _too_large(limits, url)
        return Exchanged(status=response.status_code, content=bytes(received))
    except OutboundError:
        raise
    except Exception as exc:  # noqa: BLE001 - as in url_fetch
        logger.warning("outbound exchange with %.200s failed unexpectedly", url, exc_info=True)
        raise OutboundError("invalid_url", "The URL or its answer could not be understood.", url[:200]) from exc
