"""Standard Webhooks signatures (https://www.standardwebhooks.com): secrets ``whsec_<base64>``, headers
``webhook-id``, ``webhook-timestamp`` and ``webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>``."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

from django.utils import timezone

from studio.lib.crypto import secret_decrypt, secret_encrypt

from .models import SigningSecrets

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 24  # the specification asks for 24 to 64 bytes; 24 encode to 32 characters, no padding


def secret_generate() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def signature(*, secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    digest = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def secrets_active(holder: SigningSecrets, *, now: datetime | None = None) -> list[str]:
    """The secrets that sign now: the current one, and the previous one during its overlap."""
    now = now or timezone.now()
    active = [secret_decrypt(holder.secret_encrypted)]
    expires = holder.previous_secret_expires_at
    if holder.previous_secret_encrypted and expires and expires > now:
        active.append(secret_decrypt(holder.previous_secret_encrypted))
    return active


def headers_sign(*, secrets_: list[str], msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """Several signatures, space-separated, as the specification allows: a receiver accepts any one."""
    signatures = " ".join(signature(secret=s, msg_id=msg_id, timestamp=timestamp, body=body) for s in secrets_)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signatures,
        "content-type": "application/json",
    }


def secret_set(holder: SigningSecrets, *, secret: str, overlap_until: datetime | None) -> None:
    """Puts a new secret on the row (unsaved); the old one keeps signing until ``overlap_until``."""
    if holder.secret_encrypted and overlap_until is not None:
        holder.previous_secret_encrypted = holder.secret_encrypted
        holder.previous_secret_expires_at = overlap_until
    holder.secret_encrypted = secret_encrypt(secret)
