"""The PAI SDKs' request signature: ``Authorization: <AppId>:<hex HMAC-SHA256(token, msg)>``.

msg = METHOD + "\\n" + md5_hex(raw body) + "\\n" + path [+ "?" + sorted query]; the body is hashed
exactly as received (Go's bodies end in a newline that belongs to the hash). Nothing signed varies
between two sends of one request, so requests that change state are accepted once per window.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qsl

from django.conf import settings
from django.http import HttpRequest

from accounts.models import Credential
from accounts.selectors import credential_active_get
from accounts.services import last_used_mark
from studio.lib.ratelimit import request_first_use, request_use_forget

SIGN_ERROR = "sign error"
NOT_FOUND_APPID = "not found appid"
# Unix seconds (Go, Java, PHP) or milliseconds, as ASCII digits: "nan", "1e9", "-5" or "1.5" are not times.
REQUEST_TIME = re.compile(r"[0-9]{1,13}", re.ASCII)


class PaiAuthError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def pai_signature(*, token: str, method: str, path: str, body: bytes, query: str = "") -> str:
    message = f"{method.upper()}\n{hashlib.md5(body).hexdigest()}\n{path}"
    if query:
        message += "?" + query
    return hmac.new(token.encode(), message.encode(), hashlib.sha256).hexdigest()


def _sorted_query(raw: str) -> str:
    return "&".join(f"{key}={value}" for key, value in sorted(parse_qsl(raw, keep_blank_values=True)))


def _signed(request: HttpRequest) -> tuple[str, str]:
    app_id, _, signature = request.headers.get("Authorization", "").partition(":")
    return app_id.strip(), signature.strip().lower()


# Credentials that signed a request lately, per process: app_id -> (when read, credential, token).
# The SDKs poll a job several times a second, and reading and decrypting the credential was half of
# each poll's cost. Only callers that confirm the credential is still active in their own read use
# them (the job query's read of its job does, so a revocation still takes effect at once).
SIGNER_TTL = 60.0
SIGNERS_MAX = 10_000
_signers: dict[str, tuple[float, Credential, str]] = {}


def _signer(app_id: str, *, recent: bool) -> tuple[Credential, str]:
    if recent:
        cached = _signers.get(app_id)
        if cached is not None and time.monotonic() - cached[0] < SIGNER_TTL:
            return cached[1], cached[2]
    credential = credential_active_get(app_id=app_id)
    if credential is None:
        _signers.pop(app_id, None)
        raise PaiAuthError(NOT_FOUND_APPID)
    token = credential.token()
    if len(_signers) >= SIGNERS_MAX:
        _signers.clear()
    _signers[app_id] = (time.monotonic(), credential, token)
    return credential, token


def pai_signer_forget(app_id: str) -> None:
    """Drops a credential read lately: its caller found it no longer active."""
    _signers.pop(app_id, None)


def pai_authenticate(request: HttpRequest, *, recent: bool = False) -> Credential:
    """The active credential that signed this request, or PaiAuthError with the SDKs' messages.

    ``recent`` accepts the credential as read within SIGNER_TTL by this process: only for a caller
    whose next read confirms that the credential is still active (see the job query)."""
    app_id, signature = _signed(request)
    if not app_id or not signature:
        raise PaiAuthError(SIGN_ERROR)
    credential, token = _signer(app_id, recent=recent)
    _check_clock(request)
    body = request.body
    # The Python SDK signs the path alone; the others append the sorted query when there is one.
    candidates = [pai_signature(token=token, method=request.method, path=request.path, body=body)]
    raw_query = request.META.get("QUERY_STRING", "")
    if raw_query:
        candidates.append(pai_signature(
            token=token, method=request.method, path=request.path, body=body, query=_sorted_query(raw_query)
        ))
    if not any(hmac.compare_digest(signature, expected) for expected in candidates):
        raise PaiAuthError(SIGN_ERROR)
    last_used_mark(credential)
    return credential


def _check_clock(request: HttpRequest) -> None:
    # Go, Java and PHP send X-Request-Time (unsigned); Python sends nothing, so only judge it when present.
    sent = request.headers.get("X-Request-Time", "").strip()
    if not sent:
        return
    if not REQUEST_TIME.fullmatch(sent):
        raise PaiAuthError(SIGN_ERROR)
    moment = int(sent)
    if moment > 10**12:  # milliseconds, as some HTTP stacks write it
        moment //= 1000
    if abs(time.time() - moment) > settings.STUDIO_PAI_CLOCK_SKEW:
        raise PaiAuthError(SIGN_ERROR)


def replayed_message() -> str:
    return (f"replayed request: this signed request was already received in the last "
            f"{settings.STUDIO_PAI_CLOCK_SKEW} s, and a repeat would do its work twice; it was refused.")


@contextmanager
def pai_first_use(request: HttpRequest, *, credential: Credential,
                  unchanged: tuple[type[Exception], ...] = ()) -> Iterator[None]:
    """Refuses (PaiAuthError) a request that changes state when its signature was already used
    within STUDIO_PAI_CLOCK_SKEW: X-Request-Time is unsigned, so the signature of one train request
    is the same on every send and a captured request could be replayed at will. A request that ends
    in one of ``unchanged`` (refused before it made a job) gives its mark back, so that the client
    may send it again after a throttle, a top-up or an outage.

    Job queries must not come here: the SDKs poll with the same signed request again and again.
    The mark is shared by every web process (cache.add is atomic); without the cache it fails open."""
    key = f"pai:{credential.app_id}:{_signed(request)[1]}"
    if not request_first_use(key=key, seconds=settings.STUDIO_PAI_CLOCK_SKEW):
        raise PaiAuthError(replayed_message())
    try:
        yield
    except unchanged:
        request_use_forget(key=key)
        raise
