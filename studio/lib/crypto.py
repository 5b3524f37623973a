"""Encryption of secrets the studio must read back (PAI tokens sign requests, so no hash will do).

Fernet (AES-CBC + HMAC) with MultiFernet, so keys can be rotated: the first key encrypts, all decrypt.
"""
from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    if keys:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    # The info string is the module's first home: changing it would change the derived key and
    # lose every secret already encrypted with it.
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"studio.accounts.crypto").derive(
        secret_key.encode()
    )
    return MultiFernet([Fernet(base64.urlsafe_b64encode(derived))])


def _current() -> MultiFernet:
    return _fernet(tuple(settings.ENCRYPTION_KEYS), settings.SECRET_KEY)


def secret_encrypt(plaintext: str) -> str:
    return _current().encrypt(plaintext.encode()).decode()


def secret_decrypt(ciphertext: str) -> str:
    """Raises ValueError when no configured key opens it (keys lost or rotated away)."""
    try:
        return _current().decrypt(ciphertext.encode()).decode()
    except InvalidToken:
        raise ValueError("The secret cannot be decrypted with the configured STUDIO_ENCRYPTION_KEYS.") from None
