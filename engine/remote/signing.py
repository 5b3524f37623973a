"""Request signing exactly as PAI's SDKs do it (ai_service_python_sdk.util.sign):
HMAC-SHA256 keyed by the token over METHOD, the MD5 of the raw body and the path."""
from __future__ import annotations

import hashlib
import hmac


def pai_signature(*, token: str, method: str, path: str, body: bytes) -> str:
    message = f"{method}\n{hashlib.md5(body).hexdigest()}\n{path}"
    return hmac.new(token.encode(), message.encode(), hashlib.sha256).hexdigest()


def pai_authorization(*, app_id: str, token: str, method: str, path: str, body: bytes) -> str:
    return f"{app_id}:{pai_signature(token=token, method=method, path=path, body=body)}"
