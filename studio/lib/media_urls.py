"""Signed, expiring URLs for media (portraits, results): nothing in storage is public.

Local storage: the studio serves the file itself under a signed token that names it and its
expiry. S3: the bucket's own presigned URL with the same lifetime.
"""
from __future__ import annotations

import functools
import mimetypes
import posixpath
import time
from urllib.parse import quote

from django.conf import settings
from django.core import signing
from django.core.files.storage import Storage, default_storage
from django.http import FileResponse, Http404, HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.http import RFC3986_SUBDELIMS
from django.views.decorators.http import require_GET

SALT = "studio.media_urls"  # its first home; a new salt would void every URL already handed out


def _served_by_studio() -> bool:
    # A LazyObject answers __class__ with the storage's own class, which decides this once for all.
    return _serves_itself(default_storage.__class__)


@functools.lru_cache(maxsize=8)
def _serves_itself(storage_class: type) -> bool:
    """Whether a storage of this class keeps files on a local path (no URLs of its own to sign)."""
    return storage_class.path is not Storage.path


def media_url_sign(*, name: str, request: HttpRequest | None = None, ttl: int | None = None) -> str:
    """An absolute URL to one stored file, valid for at least ``ttl`` seconds (default: the
    result TTL) and at most a tenth more; the same URL for a file within its window (``_window``)."""
    return MediaSigner(request=request, ttl=ttl).url(name)


class MediaSigner:
    """Signs the URLs of one answer (a page of 20 jobs signs 20 or more): what they share, the
    route (through the script prefix and URLconf, asgiref locals), the absolute base, the window and
    the expiry, is worked out once rather than per URL; each URL then costs its signature, once a
    window (_signed_tail)."""

    def __init__(self, *, request: HttpRequest | None = None, ttl: int | None = None):
        self.ttl = ttl or settings.STUDIO_RESULT_URL_TTL
        self.local = _served_by_studio()
        if self.local:
            route = _route(get_script_prefix(), get_urlconf())
            self.base = request.build_absolute_uri(route) if request is not None else settings.SITE_URL + route
            self.issued = _window_start(self.ttl)
            self.expires = self.issued + _window(self.ttl) + self.ttl

    def url(self, name: str) -> str:
        if not self.local:
            return default_storage.url(name, expire=self.ttl)
        return self.base + _signed_tail(name, self.issued, self.expires, settings.SECRET_KEY)


def _window(ttl: int) -> int:
    """Seconds within which one file's URL stays the same: a tenth of its lifetime, at most an hour."""
    return max(1, min(ttl // 10, 3600))


def _window_start(ttl: int) -> int:
    step = _window(ttl)
    return int(time.time()) // step * step


# A file's token is the same all through its window (above), so it is signed once per window and
# kept: a gallery page or a job list asks for the same 20 files' URLs again and again, and their
# signing and quoting (zlib, base64, HMAC, quote) was a fifth of the job list's time
# (bench/api_profile.py). Bounded: the URLs of a few pages of many customers, about 200 bytes
# each; a new window or key starts new entries.
TOKENS_KEPT = 8192


@functools.lru_cache(maxsize=TOKENS_KEPT)
def _signed_tail(name: str, issued: int, expires: int, key: str) -> str:
    """The signed URL's path after its route, "<token>/<file name>", issued at a window's start (the
    key is the cache's, too: tests and key rotations change it)."""
    signer = _WindowSigner(issued, key=key, salt=SALT)  # a TimestampSigner: what signing.loads reads
    token = signer.sign_object({"n": name, "e": expires}, compress=True)
    return _quoted(token) + "/" + _quoted(posixpath.basename(name))


class _WindowSigner(signing.TimestampSigner):
    """Stamps a token with the start of its window, not the second it was signed: a gallery page or a
    polled task hands out the same URL for an hour (a day's TTL), so browsers and clients cache the
    image (the view allows an hour) rather than download it on every page load; each URL still
    lives at least its TTL (its expiry is the window's end plus the TTL) and at most a tenth more."""

    def __init__(self, issued: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.issued = issued

    def timestamp(self) -> str:
        return signing.b62_encode(self.issued)


@functools.lru_cache(maxsize=16)
def _route(script_prefix: str, urlconf: str | None) -> str:
    """The path of the signed-media view up to its token, e.g. "/m/". reverse() walks the resolver on
    every call, and a page of 20 jobs signs 20 URLs (a fifth of the job list's time); the route is
    fixed for a script prefix and URLconf, so it is reversed once and the two values put after it."""
    path = reverse("media-signed", kwargs={"token": "t", "filename": "f"}, urlconf=urlconf)
    return path.removesuffix("t/f")


def _quoted(value: str) -> str:
    # As reverse() quotes the values it puts in a path (django.urls.resolvers).
    return quote(value, safe=RFC3986_SUBDELIMS + "/~:@")


def media_name_verify(token: str) -> str:
    """The storage name a token grants; Http404 when forged or expired (no difference is told)."""
    try:
        grant = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise Http404("No such file.") from None
    if not isinstance(grant, dict) or int(grant.get("e", 0)) < time.time():
        raise Http404("No such file.")
    return str(grant["n"])


@require_GET
def media_signed(request: HttpRequest, token: str, filename: str) -> FileResponse:
    name = media_name_verify(token)
    if not default_storage.exists(name):
        raise Http404("No such file.")
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(default_storage.open(name, "rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
