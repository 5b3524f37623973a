"""The PAI SDKs' request signature: ``Authorization: <AppId>:<hex HMAC-SHA256(token, msg)>``.

msg = METHOD + "\\n" + md5_hex(raw body) + "\\n" + path [+ "?" + sorted query]; the body is hashed
exactly as received (Go's bodies end in a newline that belongs to the hash).
"""
from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import parse_qsl

from django.conf import settings
from django.http import HttpRequest

from accounts.models import Credential
from accounts.selectors import credential_active_get
from accounts.services import last_used_mark

SIGN_ERROR = "sign error"
NOT_FOUND_APPID = "not found appid"


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


def pai_authenticate(request: HttpRequest) -> Credential:
    """The active credential that signed this request, or PaiAuthError with the SDKs' messages."""
    header = request.headers.get("Authorization", "")
    app_id, _, signature = header.partition(":")
    app_id, signature = app_id.strip(), signature.strip().lower()
    if not app_id or not signature:
        raise PaiAuthError(SIGN_ERROR)
    credential = credential_active_get(app_id=app_id)
    if credential is None:
        raise PaiAuthError(NOT_FOUND_APPID)
    _check_clock(request)
    token = credential.token()
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
    sent = request.headers.get("X-Request-Time")
    if not sent:
        return
    try:
        moment = float(sent)
    except ValueError:
        raise PaiAuthError(SIGN_ERROR) from None
    if moment > 1e12:  # milliseconds, as some HTTP stacks write it
        moment /= 1000
    skew = abs(time.time() - moment)
    if skew > settings.STUDIO_PAI_CLOCK_SKEW:
        raise PaiAuthError(SIGN_ERROR)
